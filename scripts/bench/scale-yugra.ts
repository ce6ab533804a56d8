/**
 * Yugra's size through the relayed path: 802,034 signed ballots (`--ballots N` for another size, same mix), cast
 * through `BallotBox.submit` batches as the relayer sends them (at most RELAYER_BATCH ballots and RELAYER_MAX_GAS gas a
 * transaction, the relayer's defaults, with `batchGasLimit` from `@kopilka/core/ballots`), over the demo round's 45
 * districts and 277 projects four times over (180 districts, 1,108 projects, four times the budget). Residents join
 * in rolling postings of POST_SIZE (the enrollment poster's default size), each posted in the block before its
 * residents' first ballots, which claim their allowance; most residents hold a phone's P-256 key (leaves with an
 * enrollment), one in WALLET_EVERY a wallet. The mix is Volgograd's: single-project and split first ballots, then
 * changes of mind (1 resident in 50 moves half of a deposit) and withdrawals (1 in 80 takes half back), each a second
 * signed ballot. Keys, posting trees, signatures and the `submit` calldata are made on worker threads
 * (./scale-signer.ts) while the chain works. Then every district is finalized and the round audited with its
 * published files, against the floors of ./scale-measure.ts. Writes bench/results/scale-yugra.json.
 *
 *   npm run bench:scale -- --profile yugra [--ballots N] [--workers N]
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";

import { network } from "hardhat";

import { checkRound, reportJson } from "@kopilka/core/audit/audit";
import { recount } from "@kopilka/core/audit/recount";
import { ballotDomain, batchGasLimit, type BallotClaim, type BallotMessage } from "@kopilka/core/ballots";
import { SignatureScheme } from "@kopilka/core/keys";
import { loadAudited } from "@kopilka/core/node";
import { batchPath, siblings } from "@kopilka/core/publication";
import { demoRound, residentDistricts } from "../demo/data.js";
import { createRng } from "../demo/random.js";
import { publish, setUpDemoRound } from "./scale-round.js";
import {
  auditFloors,
  erc20Calibration,
  finish,
  hex,
  load,
  log,
  collectingSeconds,
  MemoryProbe,
  releaseChainAnswers,
  RESIDENT_BALANCES,
  round3,
  seconds,
  timed,
} from "./scale-measure.js";
import {
  schemeOf,
  WALLET_EVERY,
  type BallotAnswer,
  type BallotJob,
  type BallotSpec,
  type PostingAnswer,
  type PostingJob,
} from "./scale-signer.js";

const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const SEED = "kopilka-bench-scale-yugra";
/** Yugra's regional contest: votes cast. */
const YUGRA_BALLOTS = 802_034;
const BALLOTS = Number(argument("--ballots") ?? YUGRA_BALLOTS);
if (!Number.isInteger(BALLOTS) || BALLOTS < 1_000) throw new Error(`--ballots must be a whole number from 1,000`);
/** Second thoughts as in the Volgograd profile: 1 resident in 50 reallocates, 1 in 80 withdraws. */
const RESIDENTS = Math.floor(BALLOTS / (1 + 1 / 50 + 1 / 80));
const REALLOCATIONS = Math.round(((BALLOTS - RESIDENTS) * 8) / 13);
const WITHDRAWALS = BALLOTS - RESIDENTS - REALLOCATIONS;
/** Volgograd 2020's deposits per resident, which sets the split first ballots. */
const ALLOCATIONS = Math.round((207_300 * RESIDENTS) / 160_000);
/** The demo round's districts and projects, this many times over. */
const COPIES = 4;
/** The enrollment poster's default posting size (`--post-size`). */
const POST_SIZE = 200;
/** Postings a block: their residents' first ballots fill the next block (about 20 relayer batches). */
const POSTINGS_PER_BLOCK = 10;
/** The relayer's defaults (scripts/relayer/options.ts): `--batch-size` and `--max-batch-gas`. */
const RELAYER_BATCH = 100;
const RELAYER_MAX_GAS = 12_000_000n;
const SECOND_THOUGHTS_PER_BLOCK = 20;
const CALIBRATION_TRANSFERS = 20_000;
const CALIBRATION_PER_BLOCK = 250;
const WORKERS = Number(argument("--workers") ?? Math.max(1, availableParallelism()));
/**
 * The profile's file. Another size (`--ballots`) writes under bench/results/local/, which git and the benchmarks page
 * ignore, unless `--out` names a file.
 */
const OUT =
  argument("--out") ??
  (BALLOTS === YUGRA_BALLOTS
    ? path.join("bench", "results", "scale-yugra.json")
    : path.join("bench", "results", "local", `scale-yugra-${BALLOTS}.json`));

const loadAtStart = load();
const memory = new MemoryProbe();
const connection = await network.create({
  override: {
    initialBaseFeePerGas: 0,
    minGasPrice: 0,
    blockGasLimit: 2_000_000_000,
    allowBlocksWithSameTimestamp: true,
  },
});
const { ethers, networkHelpers, provider } = connection;
const rpc = (method: string, params: unknown[] = []): Promise<unknown> => provider.request({ method, params });
const workers = Array.from({ length: WORKERS }, () => startWorker());
let published: string | undefined;

try {
  await run();
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  await finish(async () => {
    await Promise.all(workers.map((w) => w.worker.terminate()));
    if (published) await rm(published, { recursive: true, force: true });
    await connection.close();
  });
}

async function run(): Promise<void> {
  const calibration = await erc20Calibration(
    provider,
    async () => {
      const token = await ethers.deployContract("CalibrationToken", [10n ** 30n]);
      await token.waitForDeployment();
      const [holder] = await ethers.getSigners();
      return {
        address: await token.getAddress(),
        from: holder.address,
        transferData: (to) => token.interface.encodeFunctionData("transfer", [to, 1n]),
      };
    },
    CALIBRATION_TRANSFERS,
    CALIBRATION_PER_BLOCK,
  );
  log(`calibration: ${calibration.transfers} ERC-20 transfers at ${calibration.tx_per_second} tx/s`);
  memory.mark("calibrated", 0);

  // --- setup: the demo round's districts and projects, four times over, and the published files ---
  const started = performance.now();
  published = await mkdtemp(path.join(tmpdir(), "kopilka-bench-yugra-"));
  // Residents enrolled by phone get the round's declared allowance, bound to their home district.
  const budget = demoRound().budget * BigInt(COPIES);
  const allowance = budget / BigInt(RESIDENTS);
  const { districts, created, roundAddress, chainId, fromBlock, manifest, banks, districtProjects } =
    await setUpDemoRound(ethers, networkHelpers, published, COPIES, { allowance, residentsBound: true });
  const { round } = created;
  const box = await ethers.getContractAt("BallotBox", await round.ballotBox());
  const boxAddress = (await box.getAddress()).toLowerCase();
  const p256Precompile = (await box.signatureGas(SignatureScheme.P256)) === 30_000n;
  memory.mark("round set up", 0);
  log(`round set up: ${districts.length} districts, ${banks.length} projects; P-256 precompile: ${p256Precompile}`);

  // --- the residents and their ballots (keys and signatures are the workers') ---
  const homes = residentDistricts(RESIDENTS, districts, SEED);
  const rng = createRng(SEED);
  const extraLegs = ALLOCATIONS - RESIDENTS - REALLOCATIONS;
  const threeBank = Math.floor(extraLegs / 20);
  const twoBank = extraLegs - 2 * threeBank;
  const order = Array.from({ length: RESIDENTS }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const legsOf = new Uint8Array(RESIDENTS).fill(1);
  order.slice(0, threeBank).forEach((i) => (legsOf[i] = 3));
  order.slice(threeBank, threeBank + twoBank).forEach((i) => (legsOf[i] = 2));
  const popularity = banks.map(() => rng.real(0.2, 2) ** 2);
  const pickBanks = (district: number, count: number): string[] => {
    const ids = [...districtProjects[district]];
    const picked: string[] = [];
    for (let k = 0; k < count; k++) {
      const at = rng.weighted(ids.map((id) => popularity[id]));
      picked.push(banks[ids[at]]);
      ids.splice(at, 1);
    }
    return picked;
  };
  // Every first ballot's banks, drawn in residents' order (the workers' answers arrive in any order).
  const firstBanks = homes.map((home, i) => pickBanks(home, legsOf[i]));
  const split = (amount: bigint, parts: number): string[] => {
    const amounts = Array.from({ length: parts }, () => amount / BigInt(parts));
    amounts[0] += amount - amounts.reduce((a, b) => a + b, 0n);
    return amounts.map(String);
  };
  const firstBallot = (i: number): Omit<BallotSpec, "claim"> => {
    const chosen = firstBanks[i];
    return {
      resident: i,
      nonce: "0",
      fromBanks: [],
      fromAmounts: [],
      toBanks: chosen,
      toAmounts: split(allowance, chosen.length),
    };
  };

  await networkHelpers.time.increaseTo(created.opensAt);
  const domain = ballotDomain(chainId, boxAddress);
  const jobDomain = { ...domain, chainId: domain.chainId.toString() };
  const deadline = created.closesAt.toString();
  const [relayer] = (await ethers.getSigners()).slice(5, 6);
  const registrar = created.roles.registrar.address;
  const submitData = (answer: BallotAnswer) => ({
    from: relayer.address,
    to: boxAddress,
    data: answer.data,
    gas: hex(BigInt(answer.gasLimit)),
    gasPrice: "0x0",
  });

  /** Relayer batches of `specs`, in order: as many as fit in RELAYER_BATCH ballots and RELAYER_MAX_GAS. */
  const relayerBatches = (specs: BallotSpec[]): BallotSpec[][] => {
    const shape = (spec: BallotSpec) => ({
      ballot: { fromBanks: spec.fromBanks, toBanks: spec.toBanks, scheme: schemeOf(spec.resident) } as BallotMessage & {
        scheme: SignatureScheme;
      },
      claim: spec.claim && ({ proof: spec.claim.proof } as BallotClaim),
    });
    const batches: BallotSpec[][] = [];
    let batch: BallotSpec[] = [];
    for (const spec of specs) {
      const next = [...batch, spec];
      if (batch.length === RELAYER_BATCH || batchGasLimit(next.map(shape), { p256Precompile }) > RELAYER_MAX_GAS) {
        batches.push(batch);
        batch = [spec];
      } else batch = next;
    }
    if (batch.length > 0) batches.push(batch);
    return batches;
  };

  let nextJob = 0;
  const workerMs = { posting: 0, sign: 0, encode: 0 };
  const postingOf = (p: number): Promise<PostingAnswer> => {
    const first = p * POST_SIZE;
    const job: PostingJob = {
      kind: "posting",
      id: nextJob++,
      seed: SEED,
      first,
      districts: homes.slice(first, Math.min(RESIDENTS, first + POST_SIZE)),
      amount: allowance.toString(),
      chainId: chainId.toString(),
      round: roundAddress,
    };
    return ask<PostingAnswer>(workers[p % WORKERS], job).then((answer) => {
      workerMs.posting += answer.ms;
      return answer;
    });
  };
  const signed = (w: number, ballots: BallotSpec[]): Promise<BallotAnswer> => {
    const job: BallotJob = {
      kind: "ballots",
      id: nextJob++,
      seed: SEED,
      domain: jobDomain,
      round: roundAddress,
      deadline,
      p256Precompile,
      ballots,
    };
    return ask<BallotAnswer>(workers[w % WORKERS], job).then((answer) => {
      workerMs.sign += answer.signMs;
      workerMs.encode += answer.encodeMs;
      return answer;
    });
  };

  // Each posting's tree is asked for a few blocks ahead; its ballots are signed (by the worker that derived its
  // keys, which keeps them) once its tree is known.
  const POSTINGS = Math.ceil(RESIDENTS / POST_SIZE);
  const LOOKAHEAD = 3 * POSTINGS_PER_BLOCK;
  const trees: Promise<PostingAnswer>[] = [];
  const ballotsOf: Promise<BallotAnswer[]>[] = [];
  const prepare = (upTo: number): void => {
    for (let p = trees.length; p < Math.min(POSTINGS, upTo); p++) {
      const tree = postingOf(p);
      trees.push(tree);
      ballotsOf.push(
        tree.then((answer) => {
          const first = p * POST_SIZE;
          const specs = answer.accounts.map((_, k): BallotSpec => {
            const i = first + k;
            return {
              ...firstBallot(i),
              claim: {
                batchId: String(p),
                district: homes[i],
                amount: allowance.toString(),
                enrollment: answer.enrollments[k],
                proof: siblings(answer.tree, answer.leafIndex[k]),
              },
            };
          });
          return Promise.all(relayerBatches(specs).map((batch) => signed(p, batch)));
        }),
      );
    }
  };

  let transactions = 0;
  let blocks = 0;
  let ballotsSent = 0;
  // Where the voting's wall time goes: the chain taking blocks, or the loop waiting for the workers' trees and
  // signatures (what is neither is publishing the trees' files and the loop itself).
  const votingTime = { chainMs: 0, waitingMs: 0 };
  let votingGas = 0n;
  const waitFor = async <T>(promise: Promise<T>): Promise<T> => {
    const from = performance.now();
    try {
      return await promise;
    } finally {
      votingTime.waitingMs += performance.now() - from;
    }
  };
  const mine = async (txs: Record<string, string>[], ballots: number): Promise<void> => {
    const from = performance.now();
    await Promise.all(txs.map((tx) => rpc("eth_sendTransaction", [tx])));
    await rpc("hardhat_setNextBlockBaseFeePerGas", ["0x0"]);
    await rpc("evm_mine");
    const block = (await rpc("eth_getBlockByNumber", ["latest", false])) as { transactions: string[]; gasUsed: string };
    if (block.transactions.length !== txs.length) {
      throw new Error(`a block mined ${block.transactions.length} of ${txs.length} transactions`);
    }
    votingTime.chainMs += performance.now() - from;
    votingGas += BigInt(block.gasUsed);
    transactions += txs.length;
    ballotsSent += ballots;
    blocks++;
    releaseChainAnswers();
    if (blocks % 20 === 0) {
      log(`${ballotsSent} ballots in ${transactions} transactions, ${blocks} blocks`);
      memory.mark(`${ballotsSent} ballots`, ballotsSent);
    }
  };
  const firstBatchId = Number(await created.airdrop.batchCount());
  if (firstBatchId !== 0) throw new Error(`the airdrop already holds ${firstBatchId} batches`);

  await rpc("evm_setAutomine", [false]);
  const votingStarted = performance.now();
  const postingsPerBlock = POSTINGS_PER_BLOCK;
  // Block b posts postings [b*m, (b+1)*m) and carries the first ballots of postings [(b-1)*m, b*m).
  for (let b = 0; b * postingsPerBlock < POSTINGS + postingsPerBlock; b++) {
    prepare((b + 1) * postingsPerBlock + LOOKAHEAD);
    const txs: Record<string, string>[] = [];
    let ballots = 0;
    for (let p = b * postingsPerBlock; p < Math.min(POSTINGS, (b + 1) * postingsPerBlock); p++) {
      const answer = await waitFor(trees[p]);
      const total = allowance * BigInt(answer.accounts.length);
      await publish(batchPath(published, chainId, roundAddress, p), answer.dump);
      txs.push({
        from: registrar,
        to: roundAddress,
        data: round.interface.encodeFunctionData("postBatch", [answer.root, total]),
        gas: hex(200_000),
        gasPrice: "0x0",
      });
    }
    for (let p = (b - 1) * postingsPerBlock; p >= 0 && p < Math.min(POSTINGS, b * postingsPerBlock); p++) {
      for (const answer of await waitFor(ballotsOf[p])) {
        txs.push(submitData(answer));
        ballots += answer.ballots;
      }
      // The tree and the signed batches of a posting are no longer needed once sent.
      delete trees[p];
      delete ballotsOf[p];
    }
    await mine(txs, ballots);
  }
  const firstBallotsSeconds = seconds(votingStarted);
  log(`first ballots: ${ballotsSent} in ${firstBallotsSeconds} s`);

  // Second thoughts, from single-project voters: half of the deposit moved elsewhere, or taken back.
  const single = order.slice(threeBank + twoBank);
  const movers = single.slice(0, REALLOCATIONS + WITHDRAWALS);
  const seconds2 = movers.map((i, k): BallotSpec => {
    const bank = firstBanks[i][0];
    const half = (allowance / 2n).toString();
    if (k < REALLOCATIONS) {
      const others = districtProjects[homes[i]].map((id) => banks[id]).filter((b) => b !== bank);
      const to = others[rng.int(0, others.length - 1)];
      return { resident: i, nonce: "1", fromBanks: [bank], fromAmounts: [half], toBanks: [to], toAmounts: [half] };
    }
    return { resident: i, nonce: "1", fromBanks: [bank], fromAmounts: [half], toBanks: [], toAmounts: [] };
  });
  const secondBatches = relayerBatches(seconds2);
  const secondSigned = secondBatches.map((batch, k) => signed(k, batch));
  for (let start = 0; start < secondSigned.length; start += SECOND_THOUGHTS_PER_BLOCK) {
    const answers = await waitFor(Promise.all(secondSigned.slice(start, start + SECOND_THOUGHTS_PER_BLOCK)));
    await mine(
      answers.map(submitData),
      answers.reduce((n, a) => n + a.ballots, 0),
    );
  }
  const votingSeconds = seconds(votingStarted);
  memory.mark("voted", ballotsSent);
  const ballotsPerSecond = Math.round(ballotsSent / votingSeconds);
  log(`voting done: ${ballotsSent} ballots in ${transactions} transactions, ${blocks} blocks, ${votingSeconds} s`);

  // --- close and finalize every district ---
  await rpc("evm_setAutomine", [true]);
  await networkHelpers.time.increaseTo(created.closesAt);
  let finalizeGas = 0n;
  for (const id of districtProjects.keys()) finalizeGas += (await (await round.finalize(id)).wait())!.gasUsed;
  const simulateSeconds = seconds(started);
  const loadAfterSimulation = load();
  memory.mark("finalized", ballotsSent);
  log(`simulated in ${simulateSeconds} s`);
  await Promise.all(workers.map((w) => w.worker.terminate()));

  // Every ballot was taken: the ballot box reported none rejected.
  const toBlock = Number(await rpc("eth_blockNumber"));
  const rejected = (await rpc("eth_getLogs", [
    {
      address: boxAddress,
      topics: [box.interface.getEvent("BallotRejected").topicHash],
      fromBlock: hex(fromBlock),
      toBlock: hex(toBlock),
    },
  ])) as unknown[];
  if (rejected.length > 0) throw new Error(`the ballot box rejected ${rejected.length} ballots`);

  // --- the audit, through the in-process chain's EIP-1193 provider ---
  const logsPerBlock = (ballotsSent * 5) / Math.max(1, blocks);
  const chunk = Math.max(1, Math.floor(50_000 / logsPerBlock));
  const auditOptions = {
    rpc: provider,
    round: roundAddress,
    factory: manifest.factory,
    fromBlock,
    published,
    reader: { initialChunk: chunk, maxChunk: chunk, resultCap: Number.MAX_SAFE_INTEGER },
  };
  const timedAudit = await timed(async () => {
    const loaded = await loadAudited(auditOptions, true);
    return { loaded, report: await checkRound(loaded) };
  });
  let loaded: Awaited<ReturnType<typeof loadAudited>> | undefined = timedAudit.value.loaded;
  const report = timedAudit.value.report;
  const auditSeconds = timedAudit.seconds;
  memory.mark("audited");
  log(`audited in ${auditSeconds} s: ${report.ok ? "everything holds" : "DISCREPANCIES"}`);
  const timings = loaded.data.timings;
  const residentBalancesRead = loaded.data.residentBalances!.size;
  const recountStarted = performance.now();
  const chainOnly = await checkRound({ ...loaded, files: undefined, counted: recount(loaded.data) });
  const recountAloneSeconds = seconds(recountStarted);
  const { round: auditedRound, token, airdrop, factory, toBlock: auditedTo } = loaded.data;
  // One audit's data at a time: at Yugra's size two of them outgrew the default heap.
  // eslint-disable-next-line no-useless-assignment -- the assignment is the point: it lets the collector free them
  loaded = undefined;
  const everyStarted = performance.now();
  const everyBalance = await checkRound(await loadAudited({ ...auditOptions, residentBalances: "all" }, true));
  const auditEveryBalanceSeconds = seconds(everyStarted);
  if (reportJson(everyBalance) !== reportJson(report)) throw new Error("reading every balance gave another report");
  const floors = await auditFloors(
    provider,
    { round: auditedRound, token, airdrop, factory, fromBlock, toBlock: auditedTo },
    chunk,
  );
  memory.mark("floors");
  log(`floors: raw log sweep ${floors.raw_fetch_seconds} s, bare decode ${floors.decode_seconds} s`);

  const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.id);
  const expected = {
    claims: RESIDENTS,
    deposits: ALLOCATIONS,
    withdrawals: REALLOCATIONS + WITHDRAWALS,
    batches: POSTINGS,
  };
  for (const [key, value] of Object.entries(expected)) {
    const actual = report.totals[key as keyof typeof expected];
    if (actual !== value) throw new Error(`the audit counted ${actual} ${key}, the simulation sent ${value}`);
  }
  if (report.districts.some((d) => !d.finalized)) throw new Error("a district was left unfinalized");
  if (!report.ok) throw new Error(`the audit failed: ${failed.join(", ")}`);
  if (JSON.stringify(chainOnly.totals) !== JSON.stringify(report.totals)) throw new Error("a second recount differs");

  const auditEvents = Object.values(report.events).reduce((a, b) => a + b, 0);
  const recountSeconds = round3(auditSeconds - timings.logsSeconds - timings.stateSeconds);
  const txPerSecond = Math.round(transactions / votingSeconds);
  const result = {
    profile: "yugra",
    chain: "Hardhat 3 in-process EDR (network.create()), audited through its EIP-1193 provider",
    path: "signed ballots through BallotBox.submit, relayer batches; residents in rolling postings",
    districts: districts.length,
    projects: banks.length,
    budget_rubles: (budget / 100n).toString(),
    ballots: BALLOTS,
    full_size_ballots: YUGRA_BALLOTS,
    voters: RESIDENTS,
    p256_voters: RESIDENTS - Math.ceil(RESIDENTS / WALLET_EVERY),
    wallet_voters: Math.ceil(RESIDENTS / WALLET_EVERY),
    postings: POSTINGS,
    post_size: POST_SIZE,
    allocations: ALLOCATIONS,
    split_ballots: { two_projects: twoBank, three_projects: threeBank },
    reallocations: REALLOCATIONS,
    withdrawals: WITHDRAWALS,
    relayer_batch: RELAYER_BATCH,
    relayer_max_gas: Number(RELAYER_MAX_GAS),
    transactions,
    blocks,
    p256_precompile: p256Precompile,
    signing_workers: WORKERS,
    worker_key_and_tree_seconds: round3(workerMs.posting / 1000),
    worker_sign_seconds: round3(workerMs.sign / 1000),
    worker_encode_seconds: round3(workerMs.encode / 1000),
    simulate_seconds: simulateSeconds,
    first_ballots_seconds: firstBallotsSeconds,
    voting_seconds: votingSeconds,
    voting_split_seconds: {
      chain: round3(votingTime.chainMs / 1000),
      waiting_for_workers: round3(votingTime.waitingMs / 1000),
      other: round3(votingSeconds - (votingTime.chainMs + votingTime.waitingMs) / 1000),
    },
    chain_ballots_per_second: Math.round(ballotsSent / (votingTime.chainMs / 1000)),
    voting_gas_per_ballot: Math.round(Number(votingGas) / ballotsSent),
    chain_gas_per_second: Math.round(Number(votingGas) / (votingTime.chainMs / 1000)),
    ballots_per_second: ballotsPerSecond,
    tx_per_second: txPerSecond,
    finalize_gas_total: Number(finalizeGas),
    audit_seconds: auditSeconds,
    audit_cpu_seconds: timedAudit.cpu_seconds,
    audit_gc_seconds: timedAudit.gc_seconds,
    audit_events: auditEvents,
    audit_chunk_blocks: chunk,
    fetch_logs_seconds: timings.logsSeconds,
    fetch_state_seconds: timings.stateSeconds,
    resident_balances: RESIDENT_BALANCES,
    resident_balances_read: residentBalancesRead,
    audit_every_balance_seconds: auditEveryBalanceSeconds,
    recount_seconds: recountSeconds,
    decode_seconds: timings.decodeSeconds,
    recount_as_logs_arrive_seconds: timings.watcherSeconds,
    recount_and_checks_seconds: recountAloneSeconds,
    published_files: `${POSTINGS} participants trees and ${banks.length} metadata files, read from a local directory`,
    audit_ok: report.ok,
    checks: Object.fromEntries(report.checks.map((c) => [c.id, c.status])),
    floors,
    calibration: {
      erc20_transfers: calibration.transfers,
      seconds: calibration.seconds,
      tx_per_second: calibration.tx_per_second,
      gas_per_second: calibration.gas_per_second,
    },
    ratios: {
      audit_to_raw_fetch: round3(auditSeconds / floors.raw_fetch_seconds),
      audit_to_raw_fetch_cpu: round3(timedAudit.cpu_seconds / floors.raw_fetch_cpu_seconds),
      recount_to_decode: round3(recountSeconds / floors.decode_seconds),
      simulate_tx_per_second: round3(txPerSecond / calibration.tx_per_second),
      ballots_per_second_to_transfers: round3(ballotsPerSecond / calibration.tx_per_second),
    },
    full_size_estimate_seconds: {
      simulate: Math.round((simulateSeconds * YUGRA_BALLOTS) / BALLOTS),
      audit: Math.round((auditSeconds * YUGRA_BALLOTS) / BALLOTS),
    },
    memory: { ...memory.stop(), gc_seconds: collectingSeconds() },
    targets: { simulate_seconds: 900, audit_seconds: 180, audit_to_raw_fetch: 1.5, recount_to_decode: 3 },
    load_average: { start: loadAtStart, after_simulation: loadAfterSimulation, end: load() },
    node: process.version,
  };
  await mkdir(path.dirname(OUT), { recursive: true });
  await writeFile(OUT, JSON.stringify(result, null, 2) + "\n");
  log(`wrote ${OUT}`);
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
}

// --- helpers ---

interface SignerWorker {
  worker: Worker;
  waiting: Map<number, { resolve(answer: unknown): void; reject(error: Error): void }>;
}

function startWorker(): SignerWorker {
  // The worker is TypeScript: it needs tsx's loader, which the tsx command passes in the process's flags.
  const execArgv = [...process.execArgv];
  if (!execArgv.some((arg) => arg.includes("tsx"))) execArgv.push("--import", import.meta.resolve("tsx/esm"));
  const worker = new Worker(new URL("./scale-signer.ts", import.meta.url), { execArgv });
  const waiting: SignerWorker["waiting"] = new Map();
  worker.on("message", (answer: { id: number }) => {
    const entry = waiting.get(answer.id);
    waiting.delete(answer.id);
    entry?.resolve(answer);
  });
  const fail = (error: Error): void => {
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`a signing worker exited with code ${code}`)));
  return { worker, waiting };
}

function ask<T>(target: SignerWorker, job: PostingJob | BallotJob): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    target.waiting.set(job.id, { resolve: resolve as (answer: unknown) => void, reject });
    target.worker.postMessage(job);
  });
}
