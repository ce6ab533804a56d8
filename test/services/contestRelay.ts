/**
 * The contest relay over HTTP, in the resident services' process, against a `hardhat node` child process: residents
 * with browser P-256 keys submit an initiative, join its group and amend it, experts' wallet-signed score sheets are
 * relayed, all gaslessly; what the contract or the relay would refuse is refused before it is stored, in words naming
 * the field; the same message sent twice is one job; a crash between recording a transaction and its broadcast loses
 * nothing and sends nothing twice. Without a round, the services enroll residents by phone into the contest's list.
 */
import { once } from "node:events";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, type Address, type Hex } from "viem";

import {
  amendTypedData,
  contentHash,
  contestDomain,
  cosignTypedData,
  criteriaHash as hashCriteria,
  initiativeDocument,
  noteDocument,
  sheetTypedData,
  signContestP256,
  submitTypedData,
  templateDocument,
  type Criterion,
  type InitiativeFields,
} from "@kopilka/core/contest";
import { enrollmentOf } from "@kopilka/core/enrollment";
import { keyAddress, p256KeySigner, SignatureScheme } from "@kopilka/core/keys";
import { publishBatch } from "@kopilka/core/node";
import { ANY_DISTRICT, buildParticipantTree } from "@kopilka/core/participants";
import { batchFile, roundDirectory } from "@kopilka/core/publication";
import { hardhatAccount, startNode } from "../../scripts/relayer/local.js";
import { enrollPhone, getJson, jsonBody, postJson, statusWhen } from "../../scripts/services/client.js";
import { CONTEST_RELAYER_ACCOUNT, LOCAL_ENROLL_SECRET } from "../../scripts/services/local.js";
import { servicesForTests, type ServicesRound } from "../helpers/services.js";

const node = await startNode();
const { ethers, networkHelpers } = await network.create({ network: "localhost", override: { url: node.url } });

const CRITERIA: Criterion[] = [
  { weight: 2, maxScore: 10, floorBps: 0 },
  { weight: 1, maxScore: 5, floorBps: 0 },
];
/** Hardhat accounts: 0 admin, 1 committee, 3 registrar, 5 and 6 experts, 7 a stranger. */
const [ADMIN, COMMITTEE, REGISTRAR, EXPERT_A, EXPERT_B, STRANGER] = [0, 1, 3, 5, 6, 7].map((i) =>
  hardhatAccount(i).connect(ethers.provider),
);

async function upload(services: string, bytes: Uint8Array, type = "application/json"): Promise<Hex> {
  const hash = keccak256(bytes);
  const response = await fetch(`${services}/content?hash=${hash}`, {
    method: "POST",
    headers: { "content-type": type },
    body: Buffer.from(bytes),
  });
  expect(response.status, await response.clone().text()).to.be.oneOf([200, 201]);
  return hash;
}

/** A job followed until the relay settles it. */
async function settled(services: string, id: number) {
  for (let i = 0; i < 300; i++) {
    const { json } = await getJson(`${services}/contest/jobs/${id}`);
    if (json.status === "applied" || json.status === "rejected") return json;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${id} not settled`);
}

interface Setup extends ServicesRound {
  contest: string;
  chainId: bigint;
  residents: ReturnType<typeof p256KeySigner>[];
  templateBytes: Uint8Array;
  opensAt: number;
}

describe("Contest relay", function () {
  this.timeout(180_000);
  const { servicesFor, forget } = servicesForTests(node);

  /** A contest in its submissions window, four residents with browser keys posted, one stranger key not. */
  async function contestSetup(): Promise<Setup> {
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const factory = await ethers.deployContract("ContestFactory", [], ADMIN);
    const now = await networkHelpers.time.latest();
    const templateBytes = templateDocument({
      name: "Конкурс инициатив 2027",
      districts: ["Центральный", "Северный"],
      categories: ["landscaping", "playgrounds"],
      criteria: CRITERIA.map((c, i) => ({ ...c, name: ["Польза", "Смета"][i] })),
    });
    const opensAt = now + 100;
    const config = {
      name: "Конкурс инициатив 2027",
      admin: ADMIN.address,
      adminTransferDelay: 0,
      committee: COMMITTEE.address,
      registrar: REGISTRAR.address,
      submissionsOpenAt: opensAt,
      submissionsCloseAt: opensAt + 3_600,
      reviewClosesAt: opensAt + 7_200,
      districtCount: 2,
      templateHash: contentHash(templateBytes),
      passMarkBps: 5_000,
      minGroup: 3,
      minSheets: 2,
      criteria: CRITERIA,
      experts: [EXPERT_A.address, EXPERT_B.address],
    };
    const contest = (await factory.createContest.staticCall(config)) as string;
    await (await factory.createContest(config)).wait();

    const residents = Array.from({ length: 4 }, () => p256KeySigner());
    const tree = buildParticipantTree(
      residents.map((r) => ({ account: keyAddress(r.publicKey), district: ANY_DISTRICT, amount: 0n })),
    );
    const contract = await ethers.getContractAt("Contest", contest, REGISTRAR);
    await (await contract.postResidents(tree.root)).wait();
    const publication = await mkdtemp(path.join(tmpdir(), "kopilka-contest-relay-"));
    await publishBatch(roundDirectory(publication, chainId, contest), 0, tree);
    return {
      contest,
      chainId,
      residents,
      templateBytes,
      opensAt,
      publication,
      db: path.join(publication, "services.sqlite"),
    };
  }

  function fields(setup: Setup, photo: Hex, change: Partial<InitiativeFields> = {}): InitiativeFields {
    return {
      contest: setup.contest as Address,
      title: "Скамейки у пруда",
      description: "Шесть скамеек вдоль дорожки у пруда, с урнами.",
      district: 1,
      category: "landscaping",
      cost: {
        totalKopecks: "45000000",
        breakdown: [
          { item: "Скамейки, 6 шт.", kopecks: "36000000" },
          { item: "Установка", kopecks: "9000000" },
        ],
      },
      location: { lat: 55.751244, lon: 37.618423 },
      photos: [photo],
      cofinancingKopecks: "0",
      amends: null,
      ...change,
    };
  }

  const PHOTO = new Uint8Array(Buffer.from("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==", "base64"));

  async function deadline(): Promise<bigint> {
    return BigInt(await networkHelpers.time.latest()) + 3_000n;
  }

  it("relays a resident's submission, two co-signatures and an amendment, paid by the services", async function () {
    const setup = await contestSetup();
    const services = await servicesFor(setup);
    const domain = contestDomain(setup.chainId, setup.contest);
    const relayer = hardhatAccount(CONTEST_RELAYER_ACCOUNT).address;
    const sentBefore = await ethers.provider.getTransactionCount(relayer);
    await upload(services.url, setup.templateBytes);
    const photo = await upload(services.url, PHOTO, "image/webp");
    const document = initiativeDocument(fields(setup, photo));
    const hash = await upload(services.url, document);
    await networkHelpers.time.increaseTo(setup.opensAt);

    // Published with the contest's files, where the CLI writes content and the auditor reads it.
    const published = path.join(roundDirectory(setup.publication, setup.chainId, setup.contest), "content", hash);
    expect(new Uint8Array(await readFile(published))).to.deep.equal(document);

    const config = await getJson(`${services.url}/contest/config`);
    expect(config.json.contest).to.equal(ethers.getAddress(setup.contest));
    expect(config.json.domain.name).to.equal("Kopilka Contest");

    const [author, first, second] = setup.residents;
    const authorAddress = keyAddress(author.publicKey);
    const submit = { author: authorAddress, district: 1, contentHash: hash, deadline: await deadline() };
    const signed = await signContestP256(author, submitTypedData(domain, submit));
    const balance = await ethers.provider.getBalance(authorAddress);
    const queued = await postJson(`${services.url}/contest/submit`, { ...submit, ...signed });
    expect(queued.code, JSON.stringify(queued.json)).to.equal(202);
    const job = await settled(services.url, queued.json.id);
    expect(job, JSON.stringify(job)).to.deep.include({ status: "applied", initiative: "0" });
    const again = await postJson(`${services.url}/contest/submit`, { ...submit, ...signed });
    expect(again.code).to.equal(200);
    expect(again.json.id).to.equal(queued.json.id);

    const contract = await ethers.getContractAt("Contest", setup.contest);
    const initiative = await contract.initiative(0n);
    expect(initiative.author).to.equal(authorAddress);
    expect(initiative.contentHash).to.equal(hash);
    expect(await ethers.provider.getBalance(authorAddress)).to.equal(balance);
    expect(balance).to.equal(0n);

    for (const cosigner of [first, second]) {
      const message = { cosigner: keyAddress(cosigner.publicKey), initiative: 0n, version: 1, contentHash: hash };
      const cosigned = await signContestP256(cosigner, cosignTypedData(domain, message));
      const answer = await postJson(`${services.url}/contest/cosign`, { ...message, ...cosigned });
      expect(answer.code, JSON.stringify(answer.json)).to.equal(202);
      expect((await settled(services.url, answer.json.id)).status).to.equal("applied");
    }
    expect(await contract.groupSize(0n, 1)).to.equal(3n);

    const amended = initiativeDocument(fields(setup, photo, { title: "Скамейки и фонари у пруда", amends: hash }));
    const amendedHash = await upload(services.url, amended);
    const amend = {
      author: authorAddress,
      initiative: 0n,
      version: 1,
      contentHash: amendedHash,
      deadline: await deadline(),
    };
    const amendSigned = await signContestP256(author, amendTypedData(domain, amend));
    const amendAnswer = await postJson(`${services.url}/contest/amend`, { ...amend, ...amendSigned });
    expect(amendAnswer.code, JSON.stringify(amendAnswer.json)).to.equal(202);
    expect((await settled(services.url, amendAnswer.json.id)).status).to.equal("applied");
    expect((await contract.initiative(0n)).version).to.equal(2n);
    expect(await contract.versionHash(0n, 1)).to.equal(hash);
    expect(await contract.versionHash(0n, 2)).to.equal(amendedHash);

    const health = await getJson(`${services.url}/contest/health`);
    expect(health.json.jobs.applied).to.equal(4);
    // The services paid: the contest relay's account, never the residents.
    expect((await ethers.provider.getTransactionCount(relayer)) - sentBefore).to.equal(4);
  });

  it("enrolls residents by phone into the contest's own list; they submit and co-sign gaslessly, and a phone counts once however many devices it enrolled", async function () {
    const setup = await contestSetup();
    const services = await servicesFor(setup, ["--post-every", "1"]);
    const domain = contestDomain(setup.chainId, setup.contest);
    const config = await getJson(`${services.url}/enroll/config`);
    expect(config.json).to.deep.include({
      kind: "contest",
      round: setup.contest,
      allowance: "0",
      residentsBound: false,
      districts: [],
    });

    // Three phones, posted; then the third enrolls a second device (a new key) too.
    const [author, first, second] = ["8 916 100-00-01", "8 916 100-00-02", "8 916 100-00-03"];
    const enrolled: { key: ReturnType<typeof p256KeySigner>; account: string; enrollment: Hex }[] = [];
    for (const phones of [[author, first, second], [second]]) {
      for (const phone of phones) {
        const { key, answer } = await enrollPhone(services.url, phone);
        expect(answer.code, JSON.stringify(answer.json)).to.equal(201);
        expect(answer.json.district).to.equal(ANY_DISTRICT);
        enrolled.push({ key, account: answer.json.account as string, enrollment: answer.json.enrollment as Hex });
      }
      for (const { account } of enrolled.slice(-phones.length)) {
        const status = await statusWhen(services.url, account, "posted");
        expect(status.json.status, `${account}: ${JSON.stringify(status.json)}`).to.equal("posted");
      }
    }
    const contract = await ethers.getContractAt("Contest", setup.contest);
    expect(await contract.batchCount()).to.equal(3n);
    // The contest counts the person, not the account: the new device is posted at once, the first one needs no
    // revocation (the services no longer vouch for it, and it stays in the contest's list).
    expect((await getJson(`${services.url}/enroll/status/${enrolled[2].account}`)).json.status).to.equal("revoked");
    // The keyed hash's scope is the contest: the same phone is another enrollment in another contest or round.
    expect(enrolled[2].enrollment).to.equal(enrolled[3].enrollment);
    expect(enrolled[2].enrollment).to.equal(
      enrollmentOf(Buffer.from(LOCAL_ENROLL_SECRET, "hex"), setup.chainId, setup.contest, "+79161000003"),
    );

    await networkHelpers.time.increaseTo(setup.opensAt);
    await upload(services.url, setup.templateBytes);
    const photo = await upload(services.url, PHOTO, "image/webp");
    const hash = await upload(services.url, initiativeDocument(fields(setup, photo)));
    const authorAddress = enrolled[0].account as Address;
    const submit = { author: authorAddress, district: 1, contentHash: hash, deadline: await deadline() };
    const queued = await postJson(`${services.url}/contest/submit`, {
      ...submit,
      ...(await signContestP256(enrolled[0].key, submitTypedData(domain, submit))),
    });
    expect(queued.code, JSON.stringify(queued.json)).to.equal(202);
    expect(await settled(services.url, queued.json.id)).to.deep.include({ status: "applied", initiative: "0" });

    const cosign = async (who: (typeof enrolled)[number]) => {
      const message = { cosigner: who.account as Address, initiative: 0n, version: 1, contentHash: hash };
      return postJson(`${services.url}/contest/cosign`, {
        ...message,
        ...(await signContestP256(who.key, cosignTypedData(domain, message))),
      });
    };
    for (const who of [enrolled[1], enrolled[2]]) {
      const answer = await cosign(who);
      expect(answer.code, JSON.stringify(answer.json)).to.equal(202);
      expect((await settled(services.url, answer.json.id)).status).to.equal("applied");
    }
    expect(await contract.groupSize(0n, 1)).to.equal(3n);
    // The third phone's second device is the same person: the contest will not count them twice.
    const twice = await cosign(enrolled[3]);
    expect(twice.code).to.equal(400);
    expect(twice.json.error).to.match(/^the contest refuses it: ContestAlreadyInGroup\(0, 1, /);
    expect(await contract.groupSize(0n, 1)).to.equal(3n);
    for (const { account } of enrolled) expect(await ethers.provider.getTransactionCount(account)).to.equal(0);
  });

  it("finds a resident posted as the CLI posts them: the batch's tree, no proof file", async function () {
    const setup = await contestSetup();
    const resident = p256KeySigner();
    const account = keyAddress(resident.publicKey);
    const tree = buildParticipantTree([{ account, district: ANY_DISTRICT, amount: 0n }]);
    const contract = await ethers.getContractAt("Contest", setup.contest, REGISTRAR);
    await (await contract.postResidents(tree.root)).wait();
    const directory = roundDirectory(setup.publication, setup.chainId, setup.contest);
    await writeFile(path.join(directory, batchFile(1)), JSON.stringify(tree.dump()));

    const services = await servicesFor(setup);
    const domain = contestDomain(setup.chainId, setup.contest);
    const photo = await upload(services.url, PHOTO, "image/webp");
    const hash = await upload(services.url, initiativeDocument(fields(setup, photo)));
    await networkHelpers.time.increaseTo(setup.opensAt);
    const submit = { author: account, district: 1, contentHash: hash, deadline: await deadline() };
    const answer = await postJson(`${services.url}/contest/submit`, {
      ...submit,
      ...(await signContestP256(resident, submitTypedData(domain, submit))),
    });
    expect(answer.code, JSON.stringify(answer.json)).to.equal(202);
    expect((await settled(services.url, answer.json.id)).status).to.equal("applied");
  });

  it("refuses before storing: another's signature, a stranger, a document not stored or not matching, the contract's refusal", async function () {
    const setup = await contestSetup();
    const services = await servicesFor(setup);
    const domain = contestDomain(setup.chainId, setup.contest);
    const photo = await upload(services.url, PHOTO, "image/webp");
    const hash = await upload(services.url, initiativeDocument(fields(setup, photo)));
    const [author, other] = setup.residents;
    const authorAddress = keyAddress(author.publicKey);
    const submit = { author: authorAddress, district: 1, contentHash: hash, deadline: await deadline() };

    const early = await postJson(`${services.url}/contest/submit`, {
      ...submit,
      ...(await signContestP256(author, submitTypedData(domain, submit))),
    });
    expect(early.code).to.equal(400);
    expect(early.json.error).to.match(/^the contest refuses it: ContestOutsideWindow\(/);
    await networkHelpers.time.increaseTo(setup.opensAt);

    const forged = await postJson(`${services.url}/contest/submit`, {
      ...submit,
      ...(await signContestP256(other, submitTypedData(domain, submit))),
    });
    expect(forged.json).to.deep.equal({ error: "the signature is not the author's", field: "signature" });

    const stranger = p256KeySigner();
    const strangerSubmit = { ...submit, author: keyAddress(stranger.publicKey) };
    const refused = await postJson(`${services.url}/contest/submit`, {
      ...strangerSubmit,
      ...(await signContestP256(stranger, submitTypedData(domain, strangerSubmit))),
    });
    expect(refused.code).to.equal(403);
    expect(refused.json).to.deep.equal({
      error: "the author is in no posted list of this contest's residents",
      field: "author",
    });

    const unknown = { ...submit, contentHash: keccak256(new TextEncoder().encode("nothing")) };
    const missing = await postJson(`${services.url}/contest/submit`, {
      ...unknown,
      ...(await signContestP256(author, submitTypedData(domain, unknown))),
    });
    expect(missing.json).to.deep.equal({
      error: "the document is not in the content store: upload it first",
      field: "contentHash",
    });

    const otherDistrict = { ...submit, district: 0 };
    const mismatch = await postJson(`${services.url}/contest/submit`, {
      ...otherDistrict,
      ...(await signContestP256(author, submitTypedData(domain, otherDistrict))),
    });
    expect(mismatch.json).to.deep.equal({
      error: "the document names another district than the message",
      field: "district",
    });

    const unknownField = await postJson(`${services.url}/contest/submit`, {
      ...submit,
      scheme: 1,
      signature: "0x00",
      extra: 1,
    });
    expect(unknownField.code).to.equal(400);

    const health = await getJson(`${services.url}/contest/health`);
    expect(health.json.jobs).to.deep.equal({ queued: 0, submitted: 0, applied: 0, rejected: 0 });
  });

  it("relays the experts' wallet-signed score sheets of an admitted initiative, and refuses a non-expert's", async function () {
    const setup = await contestSetup();
    const services = await servicesFor(setup);
    const domain = contestDomain(setup.chainId, setup.contest);
    const photo = await upload(services.url, PHOTO, "image/webp");
    const hash = await upload(services.url, initiativeDocument(fields(setup, photo)));
    await networkHelpers.time.increaseTo(setup.opensAt);
    const contract = await ethers.getContractAt("Contest", setup.contest, COMMITTEE);
    for (const [i, resident] of setup.residents.slice(0, 3).entries()) {
      const account = keyAddress(resident.publicKey);
      const answer =
        i === 0
          ? await postJson(`${services.url}/contest/submit`, {
              ...{ author: account, district: 1, contentHash: hash, deadline: await deadline() },
              ...(await signContestP256(
                resident,
                submitTypedData(domain, {
                  author: account,
                  district: 1,
                  contentHash: hash,
                  deadline: await deadline(),
                }),
              )),
            })
          : await postJson(`${services.url}/contest/cosign`, {
              ...{ cosigner: account, initiative: 0n, version: 1, contentHash: hash },
              ...(await signContestP256(
                resident,
                cosignTypedData(domain, { cosigner: account, initiative: 0n, version: 1, contentHash: hash }),
              )),
            });
      expect(answer.code, JSON.stringify(answer.json)).to.be.oneOf([200, 202]);
      expect((await settled(services.url, answer.json.id)).status).to.equal("applied");
    }
    await (await contract.admit(0n, 1)).wait();

    const comment = await upload(services.url, noteDocument("Полезно, смета обоснована."));
    const criteria = hashCriteria(CRITERIA);
    for (const [expert, scores] of [
      [EXPERT_A, [8, 4]],
      [EXPERT_B, [6, 3]],
    ] as const) {
      const sheet = {
        expert: expert.address as Address,
        initiative: 0n,
        version: 1,
        contentHash: hash,
        criteriaHash: criteria,
        scores: [...scores],
        commentHash: comment,
        noConflict: true,
      };
      const data = sheetTypedData(domain, sheet);
      const signature = (await expert.signTypedData(
        { ...data.domain, chainId: data.domain.chainId },
        { ScoreSheet: [...data.types.ScoreSheet] },
        sheet,
      )) as Hex;
      const answer = await postJson(`${services.url}/contest/sheets`, {
        ...sheet,
        scheme: SignatureScheme.Secp256k1,
        signature,
      });
      expect(answer.code, JSON.stringify(answer.json)).to.equal(202);
      expect((await settled(services.url, answer.json.id)).status).to.equal("applied");
      expect(await contract.hasScored(0n, expert.address)).to.equal(true);
    }

    const sheet = {
      expert: STRANGER.address as Address,
      initiative: 0n,
      version: 1,
      contentHash: hash,
      criteriaHash: criteria,
      scores: [10, 5],
      commentHash: `0x${"0".repeat(64)}` as Hex,
      noConflict: true,
    };
    const data = sheetTypedData(domain, sheet);
    const signature = await STRANGER.signTypedData(
      { ...data.domain, chainId: data.domain.chainId },
      { ScoreSheet: [...data.types.ScoreSheet] },
      sheet,
    );
    const refused = await postJson(`${services.url}/contest/sheets`, { ...sheet, scheme: 0, signature });
    expect(refused.code).to.equal(400);
    expect(refused.json.error).to.equal(`the contest refuses it: ContestNotAnExpert(${STRANGER.address})`);
    expect(jsonBody(await contract.scoreSums(0n))).to.equal(jsonBody([14n, 7n]));
  });

  it("loses nothing and sends nothing twice when killed between recording a transaction and broadcasting it", async function () {
    const setup = await contestSetup();
    const relayer = hardhatAccount(CONTEST_RELAYER_ACCOUNT).address;
    const sentBefore = await ethers.provider.getTransactionCount(relayer);
    const services = await servicesFor(setup, [], "contest-after-record");
    const domain = contestDomain(setup.chainId, setup.contest);
    const photo = await upload(services.url, PHOTO, "image/webp");
    const hash = await upload(services.url, initiativeDocument(fields(setup, photo)));
    await networkHelpers.time.increaseTo(setup.opensAt);
    const [author] = setup.residents;
    const submit = { author: keyAddress(author.publicKey), district: 1, contentHash: hash, deadline: await deadline() };
    const answer = await postJson(`${services.url}/contest/submit`, {
      ...submit,
      ...(await signContestP256(author, submitTypedData(domain, submit))),
    });
    expect(answer.code, JSON.stringify(answer.json)).to.equal(202);
    // Killed itself once the transaction was recorded, before broadcasting it.
    if (services.process.exitCode === null && services.process.signalCode === null) {
      await once(services.process, "exit");
    }
    forget(services);

    const restarted = await servicesFor(setup);
    const job = await settled(restarted.url, answer.json.id);
    expect(job.status).to.equal("applied");
    const contract = await ethers.getContractAt("Contest", setup.contest);
    expect(await contract.initiativeCount()).to.equal(1n);
    expect((await ethers.provider.getTransactionCount(relayer)) - sentBefore).to.equal(1);
  });
});
