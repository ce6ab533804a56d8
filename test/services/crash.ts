/**
 * The enrollment service's promise under kill -9: a resident it answered as enrolled is never lost, and no phone is
 * ever posted twice. The services process is killed at each crash point (between storing a resident and answering,
 * right after answering, between recording a posting and broadcasting it, between broadcasting and confirming) and
 * at a random moment while enrollments are in flight, then restarted without the fault.
 */
import { once } from "node:events";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

import { expect } from "chai";
import { network } from "hardhat";

import { p256KeySigner } from "@kopilka/core/keys";
import { batchPath } from "@kopilka/core/publication";
import { startNode, type Child } from "../../scripts/relayer/local.js";
import { getJson, inboxCode, postJson, statusWhen, type Answer } from "../../scripts/services/client.js";
import { createRound, mintAndOpen, type CreatedRound } from "../../scripts/hardhat/fixtures.js";
import { servicesForTests } from "../helpers/services.js";

const node = await startNode();
const { ethers, networkHelpers } = await network.create({ network: "localhost", override: { url: node.url } });
const ALLOWANCE = 10_000n;
const CRASH_WITHIN_MS = 20_000;

interface Setup {
  created: CreatedRound;
  publication: string;
  db: string;
  chainId: bigint;
  round: string;
}

async function votingRound(): Promise<Setup> {
  const created = await createRound(ethers, networkHelpers, {
    districts: [{ name: "Центральный", budget: 10_000_000n, projects: [3_000_000n] }],
    allowance: ALLOWANCE,
  });
  await mintAndOpen(created);
  await networkHelpers.time.increaseTo(created.opensAt);
  const publication = await mkdtemp(path.join(tmpdir(), "kopilka-enroll-crash-"));
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const round = created.round.target as string;
  return { created, publication, db: path.join(publication, "services.sqlite"), chainId, round };
}

let phones = 0;
function newPhone(): string {
  phones += 1;
  return `+7926${String(3_000_000 + phones * 13 + (Date.now() % 1000) * 10_000).slice(-7)}`;
}

/** A resident's attempt: the phone, the browser's key, and the answer to its verification (undefined: cut off). */
interface Attempt {
  phone: string;
  key: ReturnType<typeof p256KeySigner>;
  answer?: Answer;
}

/** Whether fetch failed because the connection was reset, cut or refused, as a kill -9 does. */
function connectionBroke(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const code = (error.cause as { code?: string } | undefined)?.code;
  return code === "ECONNRESET" || code === "ECONNREFUSED" || code === "EPIPE" || code === "UND_ERR_SOCKET";
}

async function attempt<T>(body: () => Promise<T>): Promise<T | undefined> {
  try {
    return await body();
  } catch (error) {
    if (connectionBroke(error)) return undefined;
    throw error;
  }
}

/** Asks codes for `count` new phones (all answered), then verifies them all at once: the attempts, answered or not. */
async function enrollAtOnce(services: Child, count: number): Promise<Attempt[]> {
  const attempts: Attempt[] = Array.from({ length: count }, () => ({ phone: newPhone(), key: p256KeySigner() }));
  for (const a of attempts)
    expect((await postJson(`${services.url}/enroll/code`, { phone: a.phone })).code).to.equal(200);
  const codes = await Promise.all(attempts.map((a) => inboxCode(services.url, a.phone)));
  await Promise.all(
    attempts.map(async (a, i) => {
      a.answer = await attempt(() =>
        postJson(`${services.url}/enroll/verify`, { phone: a.phone, code: codes[i], publicKey: a.key.publicKey }),
      );
    }),
  );
  return attempts;
}

async function crashedAt(services: Child, fault: string) {
  const child = services.process;
  if (child.exitCode === null && child.signalCode === null) {
    await once(child, "exit", { signal: AbortSignal.timeout(CRASH_WITHIN_MS) }).catch((error: Error) => {
      throw new Error(`the services did not crash ${fault} in ${CRASH_WITHIN_MS} ms:\n${services.output.join("")}`, {
        cause: error,
      });
    });
  }
  expect(child.signalCode, `how the services armed to crash ${fault} exited`).to.equal("SIGKILL");
}

/** Every leaf posted on-chain so far, from the batch files, as `enrollment -> accounts`. */
async function postedLeaves(setup: Setup): Promise<Map<string, string[]>> {
  const count = Number(await setup.created.airdrop.batchCount());
  const byEnrollment = new Map<string, string[]>();
  let total = 0n;
  for (let batchId = 0; batchId < count; batchId++) {
    const file = batchPath(setup.publication, setup.chainId, setup.round, batchId);
    const dump = JSON.parse(await readFile(file, "utf8")) as { values: { value: [string, number, string, string] }[] };
    for (const { value } of dump.values) {
      byEnrollment.set(value[3], [...(byEnrollment.get(value[3]) ?? []), value[0]]);
      total += BigInt(value[2]);
    }
    const onChain = await setup.created.airdrop.batch(batchId);
    expect(onChain.total, `batch ${batchId}'s total on-chain against its file`).to.equal(
      dump.values.reduce((sum, { value }) => sum + BigInt(value[2]), 0n),
    );
  }
  expect(await setup.created.airdrop.postedTotal()).to.equal(total);
  return byEnrollment;
}

/** What the services and their store say about a resident's posting, for a failure's message. */
async function postingState(setup: Setup, services: Child, a: Attempt): Promise<string> {
  const health = await getJson(`${services.url}/enroll/health`);
  const db = new DatabaseSync(setup.db, { readOnly: true });
  try {
    const rows = {
      resident: db.prepare("SELECT * FROM enroll_residents WHERE account = ?").get(a.key.address.toLowerCase()),
      transactions: db.prepare("SELECT id, kind, status, batch_id, hash, account_nonce FROM enroll_txs").all(),
    };
    const raw = db.prepare("SELECT raw FROM enroll_txs WHERE raw IS NOT NULL ORDER BY id DESC LIMIT 1").get() as
      { raw: string } | undefined;
    const registrar = raw && ethers.Transaction.from(raw.raw).from;
    const chain = {
      registrarNonce: registrar && (await ethers.provider.getTransactionCount(registrar, "latest")),
      registrarPendingNonce: registrar && (await ethers.provider.getTransactionCount(registrar, "pending")),
      block: await ethers.provider.getBlockNumber(),
    };
    return JSON.stringify(
      { health: health.json, ...rows, chain, output: services.output.slice(-20).join("") },
      (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v),
      1,
    );
  } finally {
    db.close();
  }
}

/** Every phone posted once: one leaf per enrollment, and every answered resident posted. */
async function expectPostedOnce(setup: Setup, services: Child, answered: Attempt[]) {
  for (const a of answered) {
    const status = await statusWhen(services.url, a.key.address, "posted");
    if (status.json.status !== "posted") {
      expect.fail(
        `${a.key.address}, answered ${a.answer?.code}, is ${status.json.status}:\n${await postingState(setup, services, a)}`,
      );
    }
  }
  const leaves = await postedLeaves(setup);
  for (const [enrollment, accounts] of leaves) {
    expect(accounts, `accounts posted for enrollment ${enrollment}`).to.have.length(1);
  }
  for (const a of answered) expect(leaves.get(a.answer!.json.enrollment)).to.deep.equal([a.key.address.toLowerCase()]);
}

describe("Enrollment service under kill -9", function () {
  this.timeout(180_000);
  const { servicesFor, forget } = servicesForTests(node);

  it("posts the resident it had stored and not answered, with no client asking again", async function () {
    const setup = await votingRound();
    const first = await servicesFor(setup, ["--post-every", "1"], "enroll-before-answer");
    const attempts = await enrollAtOnce(first, 4);
    await crashedAt(first, "enroll-before-answer");
    expect(
      attempts.filter((a) => a.answer?.code === 201),
      "answered before the crash",
    ).to.have.length(0);
    const second = await servicesFor(setup, ["--post-every", "1"]);
    const stored = [];
    for (const a of attempts) {
      const status = await getJson(`${second.url}/enroll/status/${a.key.address}`);
      if (status.code === 200) stored.push(a);
    }
    // The crash came right after the first resident was stored: that one is kept, and posted.
    expect(stored, "residents stored before the crash").to.have.length(1);
    const posted = await statusWhen(second.url, stored[0].key.address, "posted");
    expect(posted.json.status).to.equal("posted");
    await expectPostedOnce(setup, second, []);
  });

  it("posts the resident it had just answered, with no client asking again", async function () {
    const setup = await votingRound();
    const first = await servicesFor(setup, ["--post-every", "1"], "enroll-after-answer");
    const attempts = await enrollAtOnce(first, 4);
    await crashedAt(first, "enroll-after-answer");
    const answered = attempts.filter((a) => a.answer?.code === 201);
    expect(answered, "answered before the crash").to.have.length.greaterThanOrEqual(1);
    const second = await servicesFor(setup, ["--post-every", "1"]);
    await expectPostedOnce(setup, second, answered);
  });

  for (const fault of ["posting-after-record", "posting-after-broadcast"] as const) {
    it(`finishes a posting killed ${fault.replace("posting-", "").replace("-", " ")} and posts nobody twice`, async function () {
      const setup = await votingRound();
      // The posting is due once all five are stored: every one is answered before the kill.
      const first = await servicesFor(setup, ["--post-size", "5", "--post-every", "600"], fault);
      const attempts = await enrollAtOnce(first, 5);
      expect(attempts.map((a) => a.answer?.code)).to.deep.equal([201, 201, 201, 201, 201]);
      await crashedAt(first, fault);
      const second = await servicesFor(setup, ["--post-size", "5", "--post-every", "1"]);
      await expectPostedOnce(setup, second, attempts);
      expect(await setup.created.airdrop.batchCount(), "batches on-chain").to.equal(1n);
    });
  }

  it("loses no answered resident and posts none twice when killed at a random moment of a stream of enrollments", async function () {
    const setup = await votingRound();
    const options = ["--post-every", "1", "--post-size", "4"];
    // Retried until the kill lands while enrollments are in flight and some were answered (bounded).
    for (let run = 0; run < 5; run++) {
      const services = await servicesFor(setup, options);
      // The stream goes on until the kill (at most 150 residents: the round's room and the hour's SMS budget hold
      // five runs), so the kill finds requests in flight however fast or slow the machine answers.
      const attempts: Attempt[] = [];
      let inFlight = 0;
      let killed = false;
      const stream = (async () => {
        const workers = Array.from({ length: 4 }, async () => {
          while (!killed && attempts.length < 150) {
            const a: Attempt = { phone: newPhone(), key: p256KeySigner() };
            attempts.push(a);
            inFlight += 1;
            const sent = await attempt(() => postJson(`${services.url}/enroll/code`, { phone: a.phone }));
            const code = sent?.code === 200 ? await attempt(() => inboxCode(services.url, a.phone)) : undefined;
            if (code !== undefined) {
              a.answer = await attempt(() =>
                postJson(`${services.url}/enroll/verify`, { phone: a.phone, code, publicKey: a.key.publicKey }),
              );
            }
            inFlight -= 1;
          }
        });
        await Promise.all(workers);
      })();
      // A random moment after the first answers (a loaded machine may take seconds to give them), bounded.
      for (let i = 0; i < 400 && !attempts.some((a) => a.answer?.code === 201); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 1000)));
      const inFlightAtKill = inFlight;
      const answeredAtKill = attempts.filter((a) => a.answer?.code === 201).length;
      killed = true;
      await services.kill9();
      await stream;
      forget(services);
      if (inFlightAtKill === 0 || answeredAtKill === 0) continue;

      const restarted = await servicesFor(setup, options);
      const answered = attempts.filter((a) => a.answer?.code === 201);
      await expectPostedOnce(setup, restarted, answered);
      // Those cut off verify again with the same key (a new code), and end up posted once as well.
      const cut = attempts.filter((a) => a.answer === undefined).slice(0, 3);
      for (const a of cut) {
        expect((await postJson(`${restarted.url}/enroll/code`, { phone: a.phone })).code).to.equal(200);
        const code = await inboxCode(restarted.url, a.phone);
        a.answer = await postJson(`${restarted.url}/enroll/verify`, {
          phone: a.phone,
          code,
          publicKey: a.key.publicKey,
        });
        expect(a.answer.code, JSON.stringify(a.answer.json)).to.be.oneOf([200, 201]);
      }
      await expectPostedOnce(setup, restarted, [...answered, ...cut]);
      return;
    }
    expect.fail("in 5 runs the kill never landed while enrollments were in flight");
  });
});
