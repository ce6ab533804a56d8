/**
 * The relayer service over HTTP, against a `hardhat node` child process: what it accepts, what it refuses, its
 * limits, and a kill -9 at the worst moments followed by a restart that loses nothing and submits nothing twice.
 * Its promise is that a ballot it answered with 2xx is durable: no crash, at any moment, may lose one.
 */
import { randomInt } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Interface, Wallet, ZeroAddress, ZeroHash, type HDNodeWallet } from "ethers";
import { network } from "hardhat";

import { ballotBoxAbi } from "@kopilka/core/abi";
import { ballotDomain, batchGasLimit, signBallot, type BallotMessage } from "@kopilka/core/ballots";
import { ANY_DISTRICT } from "@kopilka/core/participants";
import type { FaultPoint } from "../../scripts/relayer/fault.js";
import { publishBatch, startNode, startRelayer, type Child } from "../../scripts/relayer/local.js";
import { createRound, mintAndOpen, postBatch, type CreatedRound } from "../../scripts/hardhat/fixtures.js";

const node = await startNode();
const { ethers, networkHelpers } = await network.create({ network: "localhost", override: { url: node.url } });
const ALLOWANCE = 10_000n;
/** A relayer armed with a fault reaches it within a second or two of its ballots; one that never does fails here. */
const CRASH_WITHIN_MS = 20_000;

interface Setup {
  created: CreatedRound;
  voters: HDNodeWallet[];
  publication: string;
  db: string;
  chainId: bigint;
  ballotBox: string;
  /** The first block after the round was set up: nothing before it went to its ballot box. */
  votingFrom: number;
}

/**
 * A round in voting whose residents (fresh keys, no ether) are published in one batch; nobody has claimed. With
 * `beforeOpensAt`, the round is opened but its voting time has not come.
 */
async function votingRound(count: number, { beforeOpensAt = false } = {}): Promise<Setup> {
  const created = await createRound(ethers, networkHelpers, {
    districts: [{ name: "Central", budget: 10_000_000n, projects: [3_000_000n, 2_000_000n] }],
  });
  await mintAndOpen(created);
  const voters = Array.from({ length: count }, () => Wallet.createRandom());
  const batch = await postBatch(
    created,
    voters.map((v) => ({ account: v.address, district: ANY_DISTRICT, amount: ALLOWANCE })),
  );
  const directory = await mkdtemp(path.join(tmpdir(), "kopilka-relayer-"));
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const round = await created.round.getAddress();
  await publishBatch(directory, chainId, round, batch.batchId, batch.tree);
  if (!beforeOpensAt) await networkHelpers.time.increaseTo(created.opensAt);
  const ballotBox = await created.round.ballotBox();
  const votingFrom = (await ethers.provider.getBlockNumber()) + 1;
  const db = path.join(directory, "relayer.sqlite");
  return { created, voters, publication: directory, db, chainId, ballotBox, votingFrom };
}

function relayerFor(setup: Setup, options: string[] = [], fault?: FaultPoint): Promise<Child> {
  return startRelayer({
    rpcUrl: node.url,
    round: setup.created.round.target as string,
    publication: setup.publication,
    db: setup.db,
    // Every request of a test comes from 127.0.0.1: only the test of the per-address limit sets one.
    options: ["--batch-ms", "300", "--ip-per-minute", "1000000", "--ballots-per-ip-per-minute", "1000000", ...options],
    fault,
  });
}

async function ballotOf(setup: Setup, voter: HDNodeWallet, overrides: Partial<BallotMessage> = {}) {
  const message: BallotMessage = {
    round: setup.created.round.target as string,
    voter: voter.address,
    nonce: 0n,
    deadline: BigInt(await networkHelpers.time.latest()) + 3600n,
    fromBanks: [],
    fromAmounts: [],
    toBanks: [setup.created.banks[0]],
    toAmounts: [1_000n],
    ...overrides,
  };
  return signBallot(voter, ballotDomain(setup.chainId, setup.ballotBox), message);
}

/** The JSON body of a signed ballot: bigints as decimal strings. */
function body(ballot: object): string {
  return JSON.stringify(ballot, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

async function post(relayer: Child, ballot: object | string) {
  const response = await fetch(`${relayer.url}/ballots`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof ballot === "string" ? ballot : body(ballot),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answers' shapes are what the tests check
  return { code: response.status, json: (await response.json()) as any };
}

type Answer = Awaited<ReturnType<typeof post>>;

/** Posts a ballot to a relayer that may be killed meanwhile: its answer, or undefined when the connection broke. */
async function send(relayer: Child, ballot: object): Promise<Answer | undefined> {
  try {
    return await post(relayer, ballot);
  } catch (error) {
    if (connectionBroke(error)) return undefined;
    throw error;
  }
}

/** Whether fetch failed because the relayer's connection was reset, cut or refused, as a kill -9 does. */
function connectionBroke(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const code = (error.cause as { code?: string } | undefined)?.code;
  return code === "ECONNRESET" || code === "ECONNREFUSED" || code === "EPIPE" || code === "UND_ERR_SOCKET";
}

async function get(relayer: Child, route: string) {
  const response = await fetch(`${relayer.url}${route}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answers' shapes are what the tests check
  return { code: response.status, json: (await response.json()) as any };
}

/** Waits until the relayer has settled every ballot it accepted: a few seconds at most, failing after 30. */
async function settled(relayer: Child) {
  for (const until = Date.now() + 30_000; Date.now() < until;) {
    const { json } = await get(relayer, "/health");
    if (json.queueDepth === 0 && json.inFlight === 0) return json;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the relayer did not settle its queue in 30 s:\n${relayer.output.join("")}`);
}

/** Waits until `relayer` kills itself at `fault`: a relayer that never gets there fails here, not by a timeout. */
async function crashedAt(relayer: Child, fault: FaultPoint) {
  const child = relayer.process;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, "exit", { signal: AbortSignal.timeout(CRASH_WITHIN_MS) });
    await exited.catch((error: Error) => {
      throw new Error(`the relayer did not crash ${fault} within ${CRASH_WITHIN_MS} ms:\n${relayer.output.join("")}`, {
        cause: error,
      });
    });
  }
  expect(child.signalCode, `how the relayer armed to crash ${fault} exited`).to.equal("SIGKILL");
}

/** The ballots (`voter:nonce`) of each mined `submit` transaction to the round's ballot box, in the order mined. */
async function submissionsOnChain(setup: Setup): Promise<string[][]> {
  const box = new Interface(ballotBoxAbi);
  const latest = await ethers.provider.getBlockNumber();
  const numbers = Array.from({ length: latest - setup.votingFrom + 1 }, (_, i) => setup.votingFrom + i);
  const blocks = await Promise.all(numbers.map((n) => ethers.provider.getBlock(n, true)));
  return blocks
    .flatMap((block) => block!.prefetchedTransactions)
    .filter((tx) => tx.to?.toLowerCase() === setup.ballotBox.toLowerCase())
    .map((tx) => {
      const [, ballots] = box.decodeFunctionData("submit", tx.data);
      return ballots.map((b: { voter: string; nonce: bigint }) => `${b.voter.toLowerCase()}:${b.nonce}`);
    });
}

/** Each voter's first ballot is applied (1,000 tokens in the first bank) and was submitted exactly once. */
async function expectAppliedOnce(setup: Setup, voters: HDNodeWallet[]) {
  const submitted = (await submissionsOnChain(setup)).flat();
  for (const voter of voters) {
    const deposit = await setup.created.round.depositOf(setup.created.banks[0], voter.address);
    expect(await setup.created.token.nonceOf(voter.address), `ballots applied for ${voter.address}`).to.equal(1n);
    expect(deposit, `deposit of ${voter.address}`).to.equal(1_000n);
    const submissions = submitted.filter((key) => key === `${voter.address.toLowerCase()}:0`);
    expect(submissions, `submissions of ${voter.address}'s ballot`).to.have.length(1);
  }
}

describe("Relayer", function () {
  this.timeout(60_000);
  const started: Child[] = [];
  const directories: string[] = [];
  async function running(setup: Setup, options: string[] = [], fault?: FaultPoint) {
    const relayer = await relayerFor(setup, options, fault);
    started.push(relayer);
    directories.push(setup.publication);
    return relayer;
  }

  afterEach(async function () {
    for (const relayer of started.splice(0)) await relayer.stop();
  });

  after(async function () {
    await node.stop();
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  describe("POST /ballots", function () {
    /**
     * One relayer for the tests that send it only what it must refuse: it stores none of that, so they cannot
     * disturb each other, and the file starts three relayers fewer.
     */
    let refusing: Promise<{ setup: Setup; relayer: Child }> | undefined;
    function refusingRelayer() {
      refusing ??= votingRound(2).then(async (setup) => {
        directories.push(setup.publication);
        return { setup, relayer: await relayerFor(setup) };
      });
      return refusing;
    }

    after(async function () {
      if (refusing) await (await refusing).relayer.stop();
    });

    it("relays the claim and allocation of a resident with no ether, and reports it applied", async function () {
      const setup = await votingRound(1);
      const relayer = await running(setup);
      const [voter] = setup.voters;
      expect(await ethers.provider.getBalance(voter.address)).to.equal(0n);
      const answer = await post(relayer, await ballotOf(setup, voter));
      expect(answer.code).to.equal(202);
      await settled(relayer);
      const status = await get(relayer, `/ballots/${voter.address}/0`);
      expect(status.json.status).to.equal("applied");
      expect(status.json.transactionHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(await setup.created.round.depositOf(setup.created.banks[0], voter.address)).to.equal(1_000n);
      expect(await setup.created.token.balanceOf(voter.address)).to.equal(ALLOWANCE - 1_000n);
      const next = await get(relayer, `/voters/${voter.address}`);
      expect(next.json).to.deep.equal({ voter: voter.address, nonce: "1", pending: [] });
    });

    it("answers a ballot sent again with its status and queues it once", async function () {
      const setup = await votingRound(1);
      const relayer = await running(setup, ["--batch-ms", "60000"]);
      const ballot = await ballotOf(setup, setup.voters[0]);
      expect((await post(relayer, ballot)).code).to.equal(202);
      expect(await post(relayer, ballot)).to.deep.equal({ code: 200, json: { status: "queued" } });
      const other = await ballotOf(setup, setup.voters[0], { toAmounts: [2_000n] });
      expect((await post(relayer, other)).code).to.equal(409);
      expect((await get(relayer, "/health")).json.queueDepth).to.equal(1);
    });

    it("refuses what its schema does not describe, and bodies over the limit", async function () {
      const { setup, relayer } = await refusingRelayer();
      const ballot = await ballotOf(setup, setup.voters[0]);
      const { signature, ...unsigned } = ballot;
      expect(signature).to.be.a("string");
      expect((await post(relayer, unsigned)).code).to.equal(400);
      expect((await post(relayer, { ...ballot, extra: 1 })).code).to.equal(400);
      expect((await post(relayer, { ...ballot, voter: "0x1234" })).code).to.equal(400);
      expect((await post(relayer, { ...ballot, nonce: -1 })).code).to.equal(400);
      expect((await post(relayer, "{")).code).to.equal(400);
      const huge = { ...ballot, toBanks: Array(2000).fill(setup.created.banks[0]) };
      expect((await post(relayer, huge)).code).to.equal(413);
    });

    it("refuses a ballot whose signature is not the voter's", async function () {
      const { setup, relayer } = await refusingRelayer();
      const signed = await ballotOf(setup, setup.voters[0]);
      const answer = await post(relayer, { ...signed, voter: setup.voters[1].address });
      expect(answer.code).to.equal(400);
      expect(answer.json.error).to.equal("the signature is not the voter's");
      const edited = await post(relayer, { ...signed, toAmounts: [9_000n] });
      expect(edited.code).to.equal(400);
    });

    it("refuses a voter who is in no published batch", async function () {
      const { setup, relayer } = await refusingRelayer();
      const answer = await post(relayer, await ballotOf(setup, Wallet.createRandom()));
      expect(answer.code).to.equal(403);
    });

    it("refuses a wrong nonce, more tokens than the allowance, an unknown bank and a past deadline", async function () {
      const { setup, relayer } = await refusingRelayer();
      const [voter] = setup.voters;
      const now = BigInt(await networkHelpers.time.latest());
      const cases: [Partial<BallotMessage>, number, RegExp][] = [
        [{ nonce: 1n }, 409, /nonce/],
        [{ toAmounts: [ALLOWANCE + 1n] }, 400, /more than the voter holds/],
        [{ toBanks: [voter.address] }, 400, /not a piggy bank/],
        [{ deadline: now - 1n }, 400, /deadline/],
        [{ round: setup.ballotBox }, 400, /another round/],
      ];
      for (const [overrides, code, error] of cases) {
        const answer = await post(relayer, await ballotOf(setup, voter, overrides));
        expect(
          answer.code,
          JSON.stringify(overrides, (_, v) => (typeof v === "bigint" ? `${v}` : v)),
        ).to.equal(code);
        expect(answer.json.error).to.match(error);
      }
      expect((await get(relayer, "/health")).json.queueDepth).to.equal(0);
    });
  });

  describe("limits", function () {
    it("limits requests per client address", async function () {
      const setup = await votingRound(1);
      const relayer = await running(setup, ["--ip-per-minute", "3"]);
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await get(relayer, "/health")).code);
      expect(codes).to.deep.equal([200, 200, 200, 429]);
    });

    it("limits ballots per client address apart from reads", async function () {
      const setup = await votingRound(3);
      const relayer = await running(setup, ["--ip-per-minute", "2", "--ballots-per-ip-per-minute", "2"]);
      const reads = [];
      for (let i = 0; i < 3; i++) reads.push((await get(relayer, "/health")).code);
      expect(reads).to.deep.equal([200, 200, 429]);
      // Reads used up their limit; the ballots have their own.
      const ballots = [];
      for (const voter of setup.voters) ballots.push((await post(relayer, await ballotOf(setup, voter))).code);
      expect(ballots).to.deep.equal([202, 202, 429]);
    });

    it("limits each client behind a trusted proxy by its own address", async function () {
      const setup = await votingRound(1);
      const relayer = await running(setup, ["--ip-per-minute", "2", "--trust-proxy", "true"]);
      const read = async (client: string) =>
        (await fetch(`${relayer.url}/health`, { headers: { "x-forwarded-for": client } })).status;
      expect([await read("10.0.0.1"), await read("10.0.0.1"), await read("10.0.0.1")]).to.deep.equal([200, 200, 429]);
      expect(await read("10.0.0.2")).to.equal(200);
    });

    it("limits ballots per voter", async function () {
      const setup = await votingRound(1);
      const relayer = await running(setup, ["--voter-per-hour", "2"]);
      const codes = [];
      for (const nonce of [5n, 6n, 7n])
        codes.push((await post(relayer, await ballotOf(setup, setup.voters[0], { nonce }))).code);
      expect(codes).to.deep.equal([409, 409, 429]);
    });

    it("stops submitting once the hour's gas budget is spent", async function () {
      const setup = await votingRound(2);
      const relayer = await running(setup, ["--gas-per-hour", "1"]);
      expect((await post(relayer, await ballotOf(setup, setup.voters[0]))).code).to.equal(202);
      await settled(relayer);
      expect((await post(relayer, await ballotOf(setup, setup.voters[1]))).code).to.equal(202);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const health = (await get(relayer, "/health")).json;
      expect(health).to.include({ queueDepth: 1, paused: true, applied: 1 });
      expect(BigInt(health.gasLastHour)).to.be.greaterThan(0n);
    });
  });

  describe("never strands a resident", function () {
    it("takes a new ballot with the same nonce after one expired before it was submitted", async function () {
      const setup = await votingRound(1);
      // Paused by its gas budget from the start: the ballot expires in the queue.
      const relayer = await running(setup, ["--min-deadline", "1", "--gas-per-hour", "0"]);
      const [voter] = setup.voters;
      const soon = BigInt(await networkHelpers.time.latest()) + 20n;
      expect((await post(relayer, await ballotOf(setup, voter, { deadline: soon }))).code).to.equal(202);
      await networkHelpers.time.increase(60);
      for (let i = 0; i < 50 && (await get(relayer, `/ballots/${voter.address}/0`)).json.status !== "rejected"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const rejected = await get(relayer, `/ballots/${voter.address}/0`);
      expect(rejected.json).to.include({ status: "rejected", reason: "expired before submission" });
      await relayer.stop();

      const unpaused = await running(setup);
      const again = await post(unpaused, await ballotOf(setup, voter, { toAmounts: [2_000n] }));
      expect(again.code, JSON.stringify(again.json)).to.equal(202);
      await settled(unpaused);
      expect((await get(unpaused, `/ballots/${voter.address}/0`)).json.status).to.equal("applied");
      expect(await setup.created.round.depositOf(setup.created.banks[0], voter.address)).to.equal(2_000n);
    });

    it("takes a new ballot with the same nonce after its submission's transaction reverted", async function () {
      const setup = await votingRound(1);
      const relayer = await running(setup);
      const [voter] = setup.voters;
      // While the ballot box's code is replaced by one that reverts every call, each submission's transaction reverts.
      const code = await ethers.provider.getCode(setup.ballotBox);
      await ethers.provider.send("hardhat_setCode", [setup.ballotBox, "0x60006000fd"]);
      try {
        expect((await post(relayer, await ballotOf(setup, voter))).code).to.equal(202);
        for (
          let i = 0;
          i < 300 && (await get(relayer, `/ballots/${voter.address}/0`)).json.status !== "rejected";
          i++
        ) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await ethers.provider.send("hardhat_setCode", [setup.ballotBox, code]);
      }
      const rejected = await get(relayer, `/ballots/${voter.address}/0`);
      expect(rejected.json).to.include({ status: "rejected", reason: "submission reverted" });
      const submitted = await submissionsOnChain(setup);
      expect(submitted.length, "reverted submissions mined").to.be.greaterThan(0);
      expect(await setup.created.token.nonceOf(voter.address), "the nonce stays unused").to.equal(0n);

      const again = await post(relayer, await ballotOf(setup, voter, { toAmounts: [2_000n] }));
      expect(again.code, JSON.stringify(again.json)).to.equal(202);
      await settled(relayer);
      expect((await get(relayer, `/ballots/${voter.address}/0`)).json.status).to.equal("applied");
      expect(await setup.created.round.depositOf(setup.created.banks[0], voter.address)).to.equal(2_000n);
    });

    it("refuses a ballot before voting opens, and takes the voter's ballot once it has", async function () {
      const setup = await votingRound(1, { beforeOpensAt: true });
      const relayer = await running(setup);
      const [voter] = setup.voters;
      const early = await post(relayer, await ballotOf(setup, voter));
      expect([early.code, early.json.error]).to.deep.equal([400, "voting has not opened yet"]);
      await networkHelpers.time.increaseTo(setup.created.opensAt);
      const onTime = await post(relayer, await ballotOf(setup, voter));
      expect(onTime.code, JSON.stringify(onTime.json)).to.equal(202);
      await settled(relayer);
      expect((await get(relayer, `/ballots/${voter.address}/0`)).json.status).to.equal("applied");
    });

    it("replaces a transaction stuck below the market fee with a higher fee and the same nonce", async function () {
      const setup = await votingRound(1);
      const relayer = await running(setup, ["--stuck", "2"]);
      const [voter] = setup.voters;
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        expect((await post(relayer, await ballotOf(setup, voter))).code).to.equal(202);
        // Wait (bounded) until the relayer's transaction waits in the pool: a loaded machine may take seconds.
        const pending = async () =>
          (await ethers.provider.send("eth_getBlockByNumber", ["pending", true])).transactions;
        for (let i = 0; i < 300 && (await pending()).length === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const [stuck] = await pending();
        expect(stuck, "the relayer's transaction in the pool").to.not.equal(undefined);
        // The market's fee jumps above what the relayer offered: its transaction cannot go into a block.
        const market = 1_000n * 10n ** 9n;
        await ethers.provider.send("hardhat_setNextBlockBaseFeePerGas", [`0x${market.toString(16)}`]);
        await ethers.provider.send("evm_mine", []);
        expect(await ethers.provider.getTransactionReceipt(stuck.hash), "the stuck transaction mined").to.equal(null);
        for (let i = 0; i < 150 && (await get(relayer, `/ballots/${voter.address}/0`)).json.status !== "applied"; i++) {
          await ethers.provider.send("evm_mine", []);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const status = (await get(relayer, `/ballots/${voter.address}/0`)).json;
        expect(status.status).to.equal("applied");
        const mined = await ethers.provider.getTransaction(status.transactionHash);
        expect(mined!.nonce, "the same nonce").to.equal(Number(stuck.nonce));
        expect(mined!.hash).to.not.equal(stuck.hash);
        // The market's fee falls with every empty block mined meanwhile, so compare with what was stuck: a pool takes
        // a replacement only at a fee at least 10% higher.
        const stuckFee = BigInt(stuck.maxFeePerGas);
        expect(mined!.maxFeePerGas! * 10n >= stuckFee * 11n, "the replacement pays at least 10% more").to.equal(true);
        expect(await ethers.provider.getTransactionReceipt(stuck.hash)).to.equal(null);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
    });

    it("refuses a ballot for the zero address, whatever its signature", async function () {
      const setup = await votingRound(1);
      const relayer = await running(setup);
      const ballot = { ...(await ballotOf(setup, setup.voters[0])), voter: ZeroAddress };
      const answer = await post(relayer, ballot);
      expect([answer.code, answer.json.error]).to.deep.equal([400, "the voter is the zero address"]);
    });
  });

  describe("GET /health", function () {
    it("reports the queue depth and the last submission", async function () {
      const setup = await votingRound(3);
      const relayer = await running(setup, ["--batch-size", "3", "--batch-ms", "60000"]);
      for (const voter of setup.voters.slice(0, 2)) await post(relayer, await ballotOf(setup, voter));
      const before = (await get(relayer, "/health")).json;
      expect(before).to.include({ status: "ok", queueDepth: 2, inFlight: 0 });
      expect(before.lastSubmission).to.equal(undefined);
      await post(relayer, await ballotOf(setup, setup.voters[2]));
      const after = await settled(relayer);
      expect(after).to.include({ queueDepth: 0, applied: 3 });
      expect(after.lastSubmission).to.include({ status: "mined", ballots: 3 });
      const receipt = await ethers.provider.getTransactionReceipt(after.lastSubmission.transactionHash);
      expect(receipt!.gasUsed.toString()).to.equal(after.lastSubmission.gasUsed);
    });
  });

  describe("a kill -9 around the answer to a ballot, and a restart", function () {
    const options = ["--batch-size", "5", "--batch-ms", "200"];
    // Six ballots at once; the first to be stored is the only one: the relayer dies right after storing it.
    const cases: { fault: FaultPoint; when: string; answered: number[]; sentAgain: number[] }[] = [
      // Nobody was answered; the stored ballot's client learns it is known when it sends it again.
      {
        fault: "before-answer",
        when: "stored, not answered yet",
        answered: [],
        sentAgain: [200, 202, 202, 202, 202, 202],
      },
      // Exactly one client was told its ballot is queued, and need not send it again.
      { fault: "after-answer", when: "just answered", answered: [202], sentAgain: [202, 202, 202, 202, 202] },
    ];
    for (const { fault, when, answered, sentAgain } of cases) {
      it(`applies the ballot it had ${when}, with no client sending it again`, async function () {
        const setup = await votingRound(6);
        const signed = await Promise.all(setup.voters.map((voter) => ballotOf(setup, voter)));
        const first = await running(setup, options, fault);
        const answers = await Promise.all(signed.map((ballot) => send(first, ballot)));
        await crashedAt(first, fault);
        expect(answers.filter((answer) => answer !== undefined).map((answer) => answer!.code)).to.deep.equal(answered);

        const second = await running(setup, options);
        // The one ballot stored before the kill is applied before anyone sends anything again.
        expect(await settled(second)).to.include({ queueDepth: 0, applied: 1, rejected: 0 });
        const appliedBefore = setup.voters.filter((_, i) => answers[i] !== undefined);
        await expectAppliedOnce(setup, appliedBefore);

        // The clients left without an answer send their ballots again.
        const again = await Promise.all(signed.filter((_, i) => answers[i] === undefined).map((b) => post(second, b)));
        expect(again.map((answer) => answer.code).sort()).to.deep.equal(sentAgain);
        await settled(second);
        await expectAppliedOnce(setup, setup.voters);
      });
    }
  });

  describe("a kill -9 in the submitter, and a restart", function () {
    for (const fault of ["after-record", "after-broadcast"] as const) {
      it(`lose nothing and submit nothing twice (killed ${fault.replace("-", " ")} of a batch)`, async function () {
        const setup = await votingRound(12);
        const signed = await Promise.all(setup.voters.map((voter) => ballotOf(setup, voter)));
        // The first run's batch is due only once all twelve ballots are stored, so every client is answered before
        // the kill, and its gas fits five of them (their claims' proofs are at most 4 long in a tree of 12): seven
        // ballots are still queued when the kill comes.
        const claim = {
          batchId: 0n,
          district: ANY_DISTRICT,
          amount: ALLOWANCE,
          enrollment: ZeroHash,
          proof: Array<string>(4).fill(ZeroHash),
        };
        const fiveBallots = batchGasLimit(signed.slice(0, 5).map((ballot) => ({ ballot, claim })));
        const whole = ["--batch-size", "12", "--batch-ms", "60000", "--max-batch-gas", fiveBallots.toString()];
        const first = await running(setup, whole, fault);
        const answers = await Promise.all(signed.map((ballot) => post(first, ballot)));
        expect(answers.map((a) => a.code)).to.deep.equal(setup.voters.map(() => 202));
        await crashedAt(first, fault);

        const second = await running(setup, ["--batch-size", "5", "--batch-ms", "200"]);
        const health = await settled(second);
        expect(health).to.include({ applied: 12, rejected: 0 });
        await expectAppliedOnce(setup, setup.voters);
        // The batch of five the kill interrupted, finished by the restart, then the seven that were still queued.
        expect((await submissionsOnChain(setup)).map((ballots) => ballots.length)).to.deep.equal([5, 5, 2]);
      });
    }
  });

  describe("a kill -9 at a random moment under load, and a restart", function () {
    const BALLOTS = 40;
    const ATTEMPTS = 3;
    const options = ["--batch-size", "8", "--batch-ms", "100"];

    /**
     * Sends every ballot at once and kills the relayer right after a random number of answers, up to half of them.
     * Not `landed` when every ballot was answered before the kill came: then there was nothing to check.
     */
    async function killUnderLoad(): Promise<{ landed: boolean; killAfter: number; answered: number }> {
      const setup = await votingRound(BALLOTS);
      const signed = await Promise.all(setup.voters.map((voter) => ballotOf(setup, voter)));
      const first = await running(setup, options);
      const killAfter = 1 + randomInt(BALLOTS / 2);
      let answeredSoFar = 0;
      let killed: Promise<void> | undefined;
      const answers = await Promise.all(
        signed.map(async (ballot) => {
          const answer = await send(first, ballot);
          if (answer !== undefined && ++answeredSoFar === killAfter) killed = first.kill9();
          return answer;
        }),
      );
      await killed;
      const answeredBefore = setup.voters.filter((_, i) => answers[i] !== undefined);
      const outcome = { killAfter, answered: answeredBefore.length };
      if (answeredBefore.length === BALLOTS) return { landed: false, ...outcome };
      expect(first.process.signalCode).to.equal("SIGKILL");
      for (const answer of answers) if (answer !== undefined) expect(answer.code).to.equal(202);

      const second = await running(setup, options);
      await settled(second);
      // Every ballot answered before the kill is applied, though no client sent it again.
      await expectAppliedOnce(setup, answeredBefore);
      // A client whose request failed sends it again: it was stored before the kill (200) or it is new (202).
      for (const [i, ballot] of signed.entries()) {
        if (answers[i] === undefined) expect([200, 202]).to.include((await post(second, ballot)).code);
      }
      await settled(second);
      await expectAppliedOnce(setup, setup.voters);
      return { landed: true, ...outcome };
    }

    it("applies every ballot it answered, and the others once they are sent again", async function () {
      this.timeout(ATTEMPTS * 60_000);
      const tries = [];
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const outcome = await killUnderLoad();
        if (outcome.landed) return;
        tries.push(`killed after ${outcome.killAfter} answers, ${outcome.answered} of ${BALLOTS} answered`);
      }
      expect.fail(`the kill never found a ballot in flight in ${ATTEMPTS} tries: ${tries.join("; ")}`);
    });
  });
});
