/**
 * The enrollment service over HTTP, in the resident services' process (with the relayer), against a `hardhat node`
 * child process: a phone's code, the key's enrollment, the rolling postings that let it vote through the relayer
 * with a P-256 key, every limit, a lost device, capacity, what the database holds (no phone number), and what the
 * registrar key can do.
 */
import { once } from "node:events";
import { readFile, readdir, mkdtemp } from "node:fs/promises";
import { createServer } from "node:http";
import { DatabaseSync } from "node:sqlite";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { network } from "hardhat";

import { HolderKind } from "@kopilka/core/holder";
import { p256KeySigner } from "@kopilka/core/keys";
import { ANY_DISTRICT, LEAF_ENCODING } from "@kopilka/core/participants";
import { proofPath } from "@kopilka/core/publication";
import { hardhatAccount, startNode } from "../../scripts/relayer/local.js";
import { enrollPhone, getJson, inboxCode, postJson, relayP256, statusWhen } from "../../scripts/services/client.js";
import { REGISTRAR_ACCOUNT } from "../../scripts/services/local.js";
import { createRound, mintAndOpen, type CreatedRound } from "../../scripts/hardhat/fixtures.js";
import { servicesForTests } from "../helpers/services.js";

const node = await startNode();
const { ethers, networkHelpers } = await network.create({ network: "localhost", override: { url: node.url } });
const ALLOWANCE = 10_000n;

interface Setup {
  created: CreatedRound;
  publication: string;
  db: string;
  chainId: bigint;
  round: string;
}

/** A round declaring an allowance, minted, opened and in its voting time; nobody enrolled. */
async function votingRound(
  options: { budget?: bigint; residentsBound?: boolean; allowance?: bigint } = {},
): Promise<Setup> {
  const budget = options.budget ?? 10_000_000n;
  const created = await createRound(ethers, networkHelpers, {
    districts: [
      { name: "Центральный", budget: budget / 2n, projects: [budget / 4n] },
      { name: "Северный", budget: budget - budget / 2n, projects: [budget / 4n] },
    ],
    allowance: options.allowance ?? ALLOWANCE,
    residentsBound: options.residentsBound ?? false,
  });
  await mintAndOpen(created);
  await networkHelpers.time.increaseTo(created.opensAt);
  const publication = await mkdtemp(path.join(tmpdir(), "kopilka-enroll-"));
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return {
    created,
    publication,
    db: path.join(publication, "services.sqlite"),
    chainId,
    round: created.round.target as string,
  };
}

let phoneCounter = 0;
/** A fresh Russian mobile number, written as residents write them. */
function newPhone(): string {
  phoneCounter += 1;
  const digits = String(1_000_000 + (Date.now() % 1_000_000) * 7 + phoneCounter).slice(-7);
  return `8 (916) ${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}`;
}

describe("Enrollment service", function () {
  this.timeout(120_000);
  // Postings every second and ballots batched every 200 ms: a test waits seconds, not minutes.
  const { servicesFor } = servicesForTests(node, ["--post-every", "1", "--batch-ms", "200"]);

  describe("a resident with a phone", function () {
    it("gets a code, enrolls a browser key, is posted with a proof file, and votes through the relayer", async function () {
      const setup = await votingRound();
      const services = await servicesFor(setup);
      const phone = newPhone();
      const { key, answer } = await enrollPhone(services.url, phone);
      expect(answer.code, JSON.stringify(answer.json)).to.equal(201);
      expect(answer.json.status).to.equal("queued");
      expect(answer.json.account).to.equal(key.address.toLowerCase());
      expect(answer.json.enrollment).to.match(/^0x[0-9a-f]{64}$/);

      const posted = await statusWhen(services.url, key.address, "posted");
      expect(posted.json.status, JSON.stringify(posted.json)).to.equal("posted");
      expect(posted.json.batchId).to.equal(0);
      // The proof file was written before the root: it leads to the root on-chain.
      const file = proofPath(setup.publication, setup.chainId, setup.round, key.address);
      const proof = JSON.parse(await readFile(file, "utf8"));
      const batch = await setup.created.airdrop.batch(proof.batchId);
      const leaf = [key.address.toLowerCase(), proof.district, proof.amount, proof.enrollment];
      expect(StandardMerkleTree.verify(batch.root, [...LEAF_ENCODING], leaf, proof.proof)).to.equal(true);
      expect(proof.amount).to.equal(ALLOWANCE.toString());
      expect(proof.district).to.equal(ANY_DISTRICT);
      expect(proof.enrollment).to.equal(answer.json.enrollment);

      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const bank = setup.created.banks[0];
      const { answer: relayed } = await relayP256(services.url, key, {
        nonce: 0n,
        deadline,
        fromBanks: [],
        fromAmounts: [],
        toBanks: [bank],
        toAmounts: [4_000n],
      });
      expect(relayed.code, JSON.stringify(relayed.json)).to.equal(202);
      for (let i = 0; i < 300 && (await setup.created.round.depositOf(bank, key.address)) === 0n; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await setup.created.round.depositOf(bank, key.address)).to.equal(4_000n);
      expect(await setup.created.token.balanceOf(key.address)).to.equal(ALLOWANCE - 4_000n);
    });

    it("is the same resident whichever way the number is written", async function () {
      const setup = await votingRound();
      const services = await servicesFor(setup);
      const first = await enrollPhone(services.url, "8 (916) 555-01-01");
      const second = await enrollPhone(services.url, "+7 916 555 0101");
      expect(first.answer.code).to.equal(201);
      expect(second.answer.code).to.equal(201);
      expect(second.answer.json.enrollment).to.equal(first.answer.json.enrollment);
      // The second key replaced the first: one phone, one allowance.
      expect((await getJson(`${services.url}/enroll/status/${first.key.address}`)).json.status).to.equal("revoked");
    });

    it("refuses numbers that are not Russian mobile numbers, and malformed bodies, in plain Russian", async function () {
      const setup = await votingRound();
      const services = await servicesFor(setup);
      const cases: [unknown, string][] = [
        [{ phone: "8 (495) 123-45-67" }, "phone-not-mobile"],
        [{ phone: "8 (701) 123-45-67" }, "phone-country"],
        [{ phone: "12345" }, "phone-invalid"],
        [{ phone: "+79161234567", extra: 1 }, "bad-request"],
        [{}, "bad-request"],
      ];
      for (const [body, code] of cases) {
        const answer = await postJson(`${services.url}/enroll/code`, body);
        expect(answer.json.code, JSON.stringify(body)).to.equal(code);
        expect(answer.code).to.be.within(400, 499);
        expect(answer.json.message).to.match(/[а-яё]/i);
      }
    });

    it("binds the resident to the district chosen when the round binds residents", async function () {
      const setup = await votingRound({ residentsBound: true });
      const services = await servicesFor(setup);
      const config = await getJson(`${services.url}/enroll/config`);
      expect(config.json.residentsBound).to.equal(true);
      expect(config.json.districts).to.deep.equal([
        { id: 0, name: "Центральный" },
        { id: 1, name: "Северный" },
      ]);
      const without = await enrollPhone(services.url, newPhone());
      expect(without.answer.json.code).to.equal("district-required");
      const unknown = await enrollPhone(services.url, newPhone(), { district: 7 });
      expect(unknown.answer.json.code).to.equal("district-unknown");
      const bound = await enrollPhone(services.url, newPhone(), { district: 1 });
      expect(bound.answer.code).to.equal(201);
      expect(bound.answer.json.district).to.equal(1);
    });
  });

  describe("codes", function () {
    it("lock the phone after the allowed wrong codes, and say how many are left", async function () {
      const setup = await votingRound();
      const services = await servicesFor(setup, ["--attempts", "3"]);
      const phone = newPhone();
      expect((await postJson(`${services.url}/enroll/code`, { phone })).code).to.equal(200);
      const code = await inboxCode(services.url, phone);
      const wrong = code === "000000" ? "000001" : "000000";
      const key = p256KeySigner();
      const attempt = (c: string) =>
        postJson(`${services.url}/enroll/verify`, { phone, code: c, publicKey: key.publicKey });
      const first = await attempt(wrong);
      expect([first.json.code, first.json.attemptsLeft]).to.deep.equal(["code-wrong", 2]);
      expect(first.json.message).to.equal("Код неверный. Осталось попыток: 2.");
      expect((await attempt(wrong)).json.attemptsLeft).to.equal(1);
      expect((await attempt(wrong)).json.code).to.equal("code-locked");
      // Locked: even the right code is refused, and no new code is sent.
      expect((await attempt(code!)).json.code).to.equal("code-locked");
      expect((await postJson(`${services.url}/enroll/code`, { phone })).json.code).to.equal("code-locked");
    });

    it("expire, are used once, and are not sent again before the cooldown", async function () {
      const setup = await votingRound();
      const services = await servicesFor(setup, ["--code-lifetime", "1", "--resend", "2"]);
      const phone = newPhone();
      expect((await postJson(`${services.url}/enroll/code`, { phone })).code).to.equal(200);
      const again = await postJson(`${services.url}/enroll/code`, { phone });
      expect(again.json.code).to.equal("code-cooldown");
      expect(again.json.seconds).to.be.within(1, 2);
      const code = await inboxCode(services.url, phone);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const key = p256KeySigner();
      const late = await postJson(`${services.url}/enroll/verify`, { phone, code, publicKey: key.publicKey });
      expect(late.json.code).to.equal("code-expired");

      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await postJson(`${services.url}/enroll/code`, { phone })).code).to.equal(200);
      const fresh = await inboxCode(services.url, phone);
      const ok = await postJson(`${services.url}/enroll/verify`, { phone, code: fresh, publicKey: key.publicKey });
      expect(ok.code).to.equal(201);
      const reused = await postJson(`${services.url}/enroll/verify`, { phone, code: fresh, publicKey: key.publicKey });
      expect(reused.json.code).to.equal("code-missing");
    });

    it("are limited per phone per day, per client address behind a trusted proxy, and by the hourly SMS budget", async function () {
      const setup = await votingRound();
      const services = await servicesFor(setup, [
        "--codes-per-phone-per-day",
        "2",
        "--codes-per-client-per-hour",
        "3",
        "--sms-per-hour",
        "5",
        "--trust-proxy",
        "true",
      ]);
      const code = (phone: string, client: string) =>
        postJson(`${services.url}/enroll/code`, { phone }, { "x-forwarded-for": client });
      const phone = newPhone();
      expect((await code(phone, "10.0.0.1")).code).to.equal(200);
      expect((await code(phone, "10.0.0.1")).code).to.equal(200);
      expect((await code(phone, "10.0.0.2")).json.code).to.equal("phone-daily-limit");
      // The third code from 10.0.0.1 is its last this hour; another client behind the same proxy is not affected.
      expect((await code(newPhone(), "10.0.0.1")).code).to.equal(200);
      expect((await code(newPhone(), "10.0.0.1")).json.code).to.equal("client-limit");
      expect((await code(newPhone(), "10.0.0.3")).code).to.equal(200);
      expect((await code(newPhone(), "10.0.0.4")).code).to.equal(200);
      const over = await code(newPhone(), "10.0.0.5");
      expect([over.code, over.json.code]).to.deep.equal([503, "sms-budget"]);
    });
  });

  describe("with an SMS provider over HTTP", function () {
    it("sends the code through the provider, and refuses in plain words while the provider fails", async function () {
      const setup = await votingRound();
      let failing = true;
      const texts: string[] = [];
      const provider = createServer((request, response) => {
        const url = new URL(request.url!, "http://provider");
        if (failing) return response.writeHead(503).end("down");
        texts.push(url.searchParams.get("msg")!);
        response.writeHead(200).end("{}");
      });
      provider.listen(0, "127.0.0.1");
      await once(provider, "listening");
      try {
        const port = (provider.address() as AddressInfo).port;
        const services = await servicesFor(
          setup,
          ["--sms", "http", "--sms-timeout", "500", "--sms-retries", "1"],
          undefined,
          {
            KOPILKA_SMS_URL: `http://127.0.0.1:${port}/send?to={phone}&msg={text}`,
            KOPILKA_SMS_SECRET: "provider-secret",
          },
        );
        const phone = newPhone();
        const down = await postJson(`${services.url}/enroll/code`, { phone });
        expect([down.code, down.json.code]).to.deep.equal([502, "sms-failed"]);
        expect(down.json.message).to.equal("Не удалось отправить СМС. Попробуйте ещё раз через минуту.");
        // No demo inbox with a real provider.
        expect((await getJson(`${services.url}/enroll/demo/inbox`)).code).to.equal(404);

        failing = false;
        expect((await postJson(`${services.url}/enroll/code`, { phone })).code).to.equal(200);
        const code = /\d{6}/.exec(texts.at(-1)!)![0];
        const key = p256KeySigner();
        const verified = await postJson(`${services.url}/enroll/verify`, { phone, code, publicKey: key.publicKey });
        expect(verified.code).to.equal(201);
      } finally {
        provider.close();
      }
    });
  });

  describe("one phone, one allowance", function () {
    it("re-enrolls a lost device before the first vote: the old account is revoked on-chain, the new one posted", async function () {
      const setup = await votingRound();
      const services = await servicesFor(setup);
      const phone = newPhone();
      const first = await enrollPhone(services.url, phone);
      expect((await statusWhen(services.url, first.key.address, "posted")).json.status).to.equal("posted");
      const second = await enrollPhone(services.url, phone);
      expect(second.answer.code).to.equal(201);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const ballot = {
        nonce: 0n,
        deadline,
        fromBanks: [],
        fromAmounts: [],
        toBanks: [setup.created.banks[0]],
        toAmounts: [1_000n],
      };
      // The old device's ballot is refused in plain words, before its revocation is on-chain and after.
      const early = (await relayP256(services.url, first.key, ballot)).answer;
      expect([early.code, early.json.code], JSON.stringify(early.json)).to.deep.equal([409, "key-replaced"]);
      expect(early.json.message).to.match(/записано другое устройство/);
      expect((await statusWhen(services.url, second.key.address, "posted")).json.status).to.equal("posted");
      expect((await getJson(`${services.url}/enroll/status/${first.key.address}`)).json.status).to.equal("revoked");
      const late = (await relayP256(services.url, first.key, ballot)).answer;
      expect([late.code, late.json.code], JSON.stringify(late.json)).to.deep.equal([409, "key-replaced"]);
      expect((await getJson(`${services.url}/ballots/${first.key.address}/0`)).code, "no ballot stored").to.equal(404);
      const [kind] = await setup.created.token.holderOf(first.key.address);
      expect(Number(kind)).to.equal(HolderKind.Revoked);
      expect(second.answer.json.enrollment).to.equal(first.answer.json.enrollment);
      // The first browser's key never comes back: it must make a new one.
      const back = await enrollPhone(services.url, phone, { key: first.key });
      expect(back.answer.json.code).to.equal("key-replaced");
    });

    it("refuses to re-enroll a phone that already voted, in plain words", async function () {
      const setup = await votingRound();
      const services = await servicesFor(setup);
      const phone = newPhone();
      const first = await enrollPhone(services.url, phone);
      await statusWhen(services.url, first.key.address, "posted");
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      await relayP256(services.url, first.key, {
        nonce: 0n,
        deadline,
        fromBanks: [],
        fromAmounts: [],
        toBanks: [setup.created.banks[0]],
        toAmounts: [1_000n],
      });
      const second = await enrollPhone(services.url, phone);
      expect(second.answer.code).to.equal(409);
      expect(second.answer.json.code).to.equal("already-voted");
      expect(second.answer.json.message).to.match(/уже проголосовали/);
    });

    it("tells a resident who voted from another device so, before asking for the district", async function () {
      const setup = await votingRound({ residentsBound: true });
      const services = await servicesFor(setup);
      const phone = newPhone();
      const first = await enrollPhone(services.url, phone, { district: 0 });
      await statusWhen(services.url, first.key.address, "posted");
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const voted = await relayP256(services.url, first.key, {
        nonce: 0n,
        deadline,
        fromBanks: [],
        fromAmounts: [],
        toBanks: [setup.created.banks[0]],
        toAmounts: [1_000n],
      });
      expect(voted.answer.code).to.equal(202);
      // The dApp asks first without a district, as a new device does: the answer is the vote that stands.
      const again = await enrollPhone(services.url, phone);
      expect([again.answer.code, again.answer.json.code]).to.deep.equal([409, "already-voted"]);
      const elsewhere = await enrollPhone(services.url, phone, { district: 7 });
      expect(elsewhere.answer.json.code).to.equal("already-voted");
    });

    it("stops enrolling when the budget's room is taken, in plain words", async function () {
      // Room for two residents at 5,000,000 kopecks each.
      const setup = await votingRound({ budget: 10_000_000n, allowance: 5_000_000n });
      const services = await servicesFor(setup);
      expect((await enrollPhone(services.url, newPhone())).answer.code).to.equal(201);
      expect((await enrollPhone(services.url, newPhone())).answer.code).to.equal(201);
      const third = await enrollPhone(services.url, newPhone());
      expect(third.answer.json.code).to.equal("capacity-reached");
      expect(third.answer.json.message).to.match(/Запись закончилась/);
    });
  });

  describe("its postings", function () {
    it("follow each other with the account's next nonces, none signed with a used one and dropped", async function () {
      const setup = await votingRound();
      // One resident a posting: five postings back to back, each signed right after the one before is mined.
      const services = await servicesFor(setup, ["--post-size", "1", "--post-max", "1"]);
      const enrolled = await Promise.all([0, 1, 2, 3, 4].map(() => enrollPhone(services.url, newPhone())));
      for (const { key, answer } of enrolled) {
        expect(answer.code, JSON.stringify(answer.json)).to.equal(201);
        expect((await statusWhen(services.url, key.address, "posted")).json.status).to.equal("posted");
      }
      const db = new DatabaseSync(setup.db, { readOnly: true });
      const recorded = db.prepare("SELECT status, account_nonce FROM enroll_txs WHERE kind = 'post' ORDER BY id").all();
      db.close();
      expect(recorded.map((tx) => tx.status)).to.deep.equal(["mined", "mined", "mined", "mined", "mined"]);
      const first = Number(recorded[0].account_nonce);
      expect(recorded.map((tx) => Number(tx.account_nonce))).to.deep.equal([0, 1, 2, 3, 4].map((i) => first + i));
    });

    it("replace a posting stuck below the market fee with a higher fee and the same nonce", async function () {
      const setup = await votingRound();
      const services = await servicesFor(setup, ["--stuck", "2"]);
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        const { key, answer } = await enrollPhone(services.url, newPhone());
        expect(answer.code, JSON.stringify(answer.json)).to.equal(201);
        // Wait (bounded) until the posting waits in the pool: a loaded machine may take seconds.
        const pending = async () =>
          (await ethers.provider.send("eth_getBlockByNumber", ["pending", true])).transactions;
        for (let i = 0; i < 300 && (await pending()).length === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const [stuck] = await pending();
        expect(stuck, "the posting in the pool").to.not.equal(undefined);
        // The market's fee jumps above what the poster offered: its transaction cannot go into a block.
        const market = 1_000n * 10n ** 9n;
        await ethers.provider.send("hardhat_setNextBlockBaseFeePerGas", [`0x${market.toString(16)}`]);
        await ethers.provider.send("evm_mine", []);
        expect(await ethers.provider.getTransactionReceipt(stuck.hash), "the stuck posting mined").to.equal(null);
        const status = () => getJson(`${services.url}/enroll/status/${key.address}`);
        for (let i = 0; i < 150 && (await status()).json.status !== "posted"; i++) {
          await ethers.provider.send("evm_mine", []);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect((await status()).json.status).to.equal("posted");
        const db = new DatabaseSync(setup.db, { readOnly: true });
        const recorded = db.prepare("SELECT hash, previous, status FROM enroll_txs WHERE kind = 'post'").all();
        db.close();
        expect(recorded).to.have.length(1);
        expect(recorded[0].status).to.equal("mined");
        expect(JSON.parse(recorded[0].previous as string)).to.deep.equal([stuck.hash]);
        const mined = await ethers.provider.getTransaction(recorded[0].hash as string);
        expect(mined!.nonce, "the same nonce").to.equal(Number(stuck.nonce));
        // A pool takes a replacement only at a fee at least 10% higher.
        expect(mined!.maxFeePerGas! * 10n >= BigInt(stuck.maxFeePerGas) * 11n, "10% more at least").to.equal(true);
        expect(await ethers.provider.getTransactionReceipt(stuck.hash)).to.equal(null);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
    });
  });

  describe("what it keeps and what its key can do", function () {
    it("stores no phone number: the database file holds none of the phones' digits", async function () {
      const setup = await votingRound();
      const services = await servicesFor(setup);
      const phones = ["8 (916) 700-12-34", "8 (903) 765-43-21", "+7 925 111 22 33"];
      for (const phone of phones) expect((await enrollPhone(services.url, phone)).answer.code).to.equal(201);
      await services.stop();
      const files = (await readdir(setup.publication)).filter((f) => f.startsWith("services.sqlite"));
      const bytes = Buffer.concat(await Promise.all(files.map((f) => readFile(path.join(setup.publication, f)))));
      expect(bytes.length).to.be.greaterThan(0);
      for (const digits of ["9167001234", "9037654321", "9251112233", "7001234", "7654321", "1112233"]) {
        expect(bytes.includes(Buffer.from(digits)), `${digits} in the database`).to.equal(false);
      }
    });

    it("holds a key that can post and revoke residents and nothing else", async function () {
      const setup = await votingRound();
      const registrar = hardhatAccount(REGISTRAR_ACCOUNT).connect(ethers.provider);
      const round = setup.created.round.connect(registrar);
      await expect(round.mint(1n)).to.be.revertedWithCustomError(round, "AccessControlUnauthorizedAccount");
      await expect(round.open()).to.be.revertedWithCustomError(round, "AccessControlUnauthorizedAccount");
      await expect(round.addDistrict("Южный", 1n)).to.be.revertedWithCustomError(
        round,
        "AccessControlUnauthorizedAccount",
      );
      await expect(round.addProject(0, 1n, 0, ethers.ZeroHash, "x")).to.be.revertedWithCustomError(
        round,
        "AccessControlUnauthorizedAccount",
      );
      await expect(round.grantRole(await round.COMMITTEE_ROLE(), registrar.address)).to.be.revertedWithCustomError(
        round,
        "AccessControlUnauthorizedAccount",
      );
      // finalize is anyone's once voting has closed, by design; before that nobody's.
      await expect(round.finalize(0)).to.be.revertedWithCustomError(round, "RoundNotClosed");
    });

    it("refuses to start with a key that holds any role beside the registrar's", async function () {
      const setup = await votingRound();
      const { created } = setup;
      const committee = hardhatAccount(1);
      await (
        await created.round
          .connect(created.roles.admin)
          .grantRole(await created.round.REGISTRAR_ROLE(), committee.address)
      ).wait();
      const refused = await servicesFor(setup, [], undefined, { KOPILKA_REGISTRAR_KEY: committee.privateKey }).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(refused?.message).to.match(/also holds the committee role/);
    });
  });
});
