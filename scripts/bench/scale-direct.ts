/**
 * The full-scale election: Volgograd 2020's 45 districts, 277 projects and 107,300,000 rubles, 160,000 verified
 * residents in four batches and 207,300 allocations (single-project and split ballots, then some withdrawals and
 * reallocations), closed, every district finalized, then audited with the round's published files (the trees as
 * the committee's tool builds them, the canonical project metadata) in a temporary directory, so the timed audit
 * includes rebuilding every tree. Writes bench/results/scale.json; `--quick` runs 4,000 residents (same
 * proportions) into bench/results/scale-quick.json for CI. Started by scripts/bench/scale.ts:
 *
 *   npm run bench:scale            # full size, several minutes
 *   npm run bench:scale -- --quick # a few thousand residents, well under a minute
 *   npm run bench:scale -- --residents 40000   # another size, into bench/results/local/scale-40000.json
 *
 * Before the round, a calibration times plain ERC-20 transfers on the same chain; after the audit, a bare log sweep
 * and a bare decode of the same range are the audit's floors (./scale-measure.ts); memory is sampled throughout.
 *
 * The chain is Hardhat's in-process EDR. Voters' transactions are sent unsigned from impersonated accounts with
 * pre-encoded calldata at a zero gas price (signing 160,000 transactions in JavaScript would dominate the run),
 * ~250 per block with automining off. The audit reads that same chain through its EIP-1193 provider.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { checkPublished, checkRound, reportJson, type AuditReport } from "@kopilka/core/audit/audit";
import { PublishedReader } from "@kopilka/core/audit/published";
import { loadAudited, nodeTreeWorker } from "@kopilka/core/node";
import { balancesOf } from "@kopilka/core/chain";
import { recount } from "@kopilka/core/audit/recount";
import { residentDistricts } from "../demo/data.js";
import { publish, setUpDemoRound } from "./scale-round.js";
import { word } from "./scale-signer.js";
import { createRng, type Rng } from "../demo/random.js";
import { NO_ENROLLMENT, type Participant } from "@kopilka/core/participants";
import { batchPath, siblings } from "@kopilka/core/publication";
import { postBatch } from "../hardhat/fixtures.js";
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

const QUICK = process.argv.includes("--quick");
/** `--residents N`: the same election at another size (same proportions), for profiling beside other work. */
const residentsAt = process.argv.indexOf("--residents");
const RESIDENTS = residentsAt >= 0 ? Number(process.argv[residentsAt + 1]) : undefined;
if (RESIDENTS !== undefined && !(Number.isInteger(RESIDENTS) && RESIDENTS >= 1_000)) {
  throw new Error(`--residents takes a whole number of at least 1000, not "${process.argv[residentsAt + 1]}"`);
}
const SEED = "kopilka-bench-scale";
/** Volgograd 2020: verified residents and allocations; the quick profile keeps the same proportions. */
const FULL_VOTERS = 160_000;
const FULL_ALLOCATIONS = 207_300;
const VOTERS = RESIDENTS ?? (QUICK ? 4_000 : FULL_VOTERS);
const PROFILE = RESIDENTS !== undefined ? `volgograd-${RESIDENTS}` : QUICK ? "quick" : "volgograd";
const ALLOCATIONS = Math.round((FULL_ALLOCATIONS * VOTERS) / FULL_VOTERS);
/** Second thoughts after voting: about 1 in 50 residents reallocates, 1 in 80 withdraws part of a deposit. */
const REALLOCATIONS = Math.round(VOTERS / 50);
const WITHDRAWALS = Math.round(VOTERS / 80);
const BATCHES = VOTERS <= 4_000 ? 2 : 4;
const TXS_PER_BLOCK = 250;
/** Enough for a three-bank claimAndAllocate with a 16-hash proof; blocks are filled by count, not by gas. */
const TX_GAS = 600_000n;
/**
 * The profile's file. Another size (`--residents`) writes under bench/results/local/, which git and the benchmarks
 * page ignore, unless `--out` names a file.
 */
const outAt = process.argv.indexOf("--out");
const OUT =
  outAt >= 0
    ? process.argv[outAt + 1]
    : RESIDENTS !== undefined
      ? path.join("bench", "results", "local", `scale-${RESIDENTS}.json`)
      : path.join("bench", "results", QUICK ? "scale-quick.json" : "scale.json");

/** Plain ERC-20 transfers timed before the round, as many a block as the votes. */
const CALIBRATION_TRANSFERS = Math.max(2_000, Math.round(VOTERS / 8));
/** The audit's chunk, in blocks (about 50,000 logs a query at full size). */
const AUDIT_CHUNK = 64;

const loadAtStart = load();
const memory = new MemoryProbe();
const connection = await network.create({
  override: {
    // A zero base fee lets impersonated accounts without ether send; the high block limit lets a block hold
    // TXS_PER_BLOCK transactions at TX_GAS each (EIP-1559 keeps the base fee at zero while blocks stay
    // under half full by gas used).
    initialBaseFeePerGas: 0,
    minGasPrice: 0,
    blockGasLimit: 1_000_000_000,
    allowBlocksWithSameTimestamp: true,
  },
});
const { ethers, networkHelpers, provider } = connection;
const rpc = (method: string, params: unknown[] = []): Promise<unknown> => provider.request({ method, params });

// --- calibration: the chain's throughput for plain ERC-20 transfers, before the round ---
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
  TXS_PER_BLOCK,
);
log(`calibration: ${calibration.transfers} ERC-20 transfers at ${calibration.tx_per_second} tx/s`);
memory.mark("calibrated", 0);

// --- setup: the demo round's districts and projects, and the round's published files ---
const started = performance.now();
const published = await mkdtemp(path.join(tmpdir(), "kopilka-bench-published-"));
const { demo, districts, created, roundAddress, chainId, fromBlock, banks, districtProjects } = await setUpDemoRound(
  ethers,
  networkHelpers,
  published,
);
const { round } = created;
log(`round set up: ${districts.length} districts, ${banks.length} projects`);

// --- residents: hash-derived addresses (never signing), home districts by population ---
const voters = Array.from({ length: VOTERS }, (_, i) => "0x" + keccak256(toUtf8Bytes(`${SEED}/voter/${i}`)).slice(-40));
const homes = residentDistricts(VOTERS, demo.districts, SEED);
const allowance = demo.budget / BigInt(VOTERS);
const treeStarted = performance.now();
const posted: { batchId: bigint; tree: string[]; treeIndex: Map<string, number> }[] = [];
const batchOf = new Array<number>(VOTERS);
const perBatch = Math.ceil(VOTERS / BATCHES);
for (let b = 0; b < BATCHES; b++) {
  const participants: Participant[] = [];
  for (let i = b * perBatch; i < Math.min(VOTERS, (b + 1) * perBatch); i++) {
    participants.push({ account: voters[i], district: homes[i], amount: allowance });
    batchOf[i] = b;
  }
  const { batchId, tree } = await postBatch(created, participants);
  await publish(batchPath(published, chainId, roundAddress, batchId), JSON.stringify(tree.dump()));
  // Proofs come straight from the dumped node array: the library's getProof re-validates each leaf first.
  const dump = tree.dump();
  const treeIndex = new Map(dump.values.map((v) => [v.value[0], v.treeIndex]));
  posted.push({ batchId, tree: dump.tree, treeIndex });
}
const treeSeconds = seconds(treeStarted);
log(`${BATCHES} batches posted, trees built in ${treeSeconds} s`);

// --- ballots: how many banks each resident splits the allowance over ---
const rng = createRng(SEED);
const extraLegs = ALLOCATIONS - VOTERS - REALLOCATIONS;
const threeBank = Math.floor(extraLegs / 20);
const twoBank = extraLegs - 2 * threeBank;
const order = shuffle(
  rng,
  Array.from({ length: VOTERS }, (_, i) => i),
);
const legsOf = new Uint8Array(VOTERS).fill(1);
order.slice(0, threeBank).forEach((i) => (legsOf[i] = 3));
order.slice(threeBank, threeBank + twoBank).forEach((i) => (legsOf[i] = 2));
// Each project's pull on its district's voters, so that some projects clearly win and others lose.
const popularity = banks.map(() => rng.real(0.2, 2) ** 2);

function pickBanks(district: number, count: number): string[] {
  const ids = [...districtProjects[district]];
  const picked: string[] = [];
  for (let k = 0; k < count; k++) {
    const at = rng.weighted(ids.map((id) => popularity[id]));
    picked.push(banks[ids[at]]);
    ids.splice(at, 1);
  }
  return picked;
}

function split(amount: bigint, parts: number): bigint[] {
  const amounts = Array.from({ length: parts }, () => amount / BigInt(parts));
  amounts[0] += amount - amounts.reduce((a, b) => a + b, 0n);
  return amounts;
}

const ballots = voters.map((_, i) => {
  const chosen = pickBanks(homes[i], legsOf[i]);
  return { banks: chosen, amounts: split(allowance, chosen.length) };
});

// --- voting ---
await networkHelpers.time.increaseTo(created.opensAt);
const impersonateStarted = performance.now();
for (const voter of voters) await rpc("hardhat_impersonateAccount", [voter]);
const impersonateSeconds = seconds(impersonateStarted);
log(`${VOTERS} accounts impersonated in ${impersonateSeconds} s`);

const iface = round.interface;
const CLAIM_AND_ALLOCATE = iface.getFunction("claimAndAllocate")!.selector;
let sentTxs = 0;
let blocks = 0;

/** Sends `count` transactions TXS_PER_BLOCK per block, each from its own voter, and mines them. */
async function sendInBlocks(count: number, tx: (k: number) => { from: string; data: string }): Promise<void> {
  for (let start = 0; start < count; start += TXS_PER_BLOCK) {
    const end = Math.min(count, start + TXS_PER_BLOCK);
    const sends: Promise<unknown>[] = [];
    for (let k = start; k < end; k++) {
      const { from, data } = tx(k);
      sends.push(rpc("eth_sendTransaction", [{ from, to: roundAddress, data, gas: hex(TX_GAS), gasPrice: "0x0" }]));
    }
    await Promise.all(sends);
    await rpc("hardhat_setNextBlockBaseFeePerGas", ["0x0"]);
    await rpc("evm_mine");
    const block = (await rpc("eth_getBlockByNumber", ["latest", false])) as { transactions: string[] };
    if (block.transactions.length !== end - start) {
      throw new Error(`a block mined ${block.transactions.length} of ${end - start} transactions`);
    }
    sentTxs += end - start;
    blocks++;
    if (blocks % 10 === 0) releaseChainAnswers();
    if (blocks % 100 === 0) log(`${sentTxs} transactions in ${blocks} blocks`);
    if (blocks % 40 === 0) memory.mark(`${sentTxs} transactions`, sentTxs);
  }
}

const encodeStarted = performance.now();
const claimCalls = voters.map((voter, i) => {
  const { batchId, tree, treeIndex } = posted[batchOf[i]];
  return encodeClaimAndAllocate(batchId, homes[i], allowance, siblings(tree, treeIndex.get(voter)!), ballots[i]);
});
// Checked against the ABI coder once: the hand encoding must be the real call.
{
  const { batchId, tree, treeIndex } = posted[batchOf[0]];
  const proof = siblings(tree, treeIndex.get(voters[0])!);
  const reference = iface.encodeFunctionData("claimAndAllocate", [
    batchId,
    homes[0],
    allowance,
    NO_ENROLLMENT,
    proof,
    ballots[0].banks,
    ballots[0].amounts,
  ]);
  if (reference !== claimCalls[0]) throw new Error("hand-encoded claimAndAllocate differs from the ABI coder's");
}
const encodeSeconds = seconds(encodeStarted);
log(`${VOTERS} claimAndAllocate calls encoded in ${encodeSeconds} s`);
memory.mark("round set up", 0);
await rpc("evm_setAutomine", [false]);
const votingStarted = performance.now();
await sendInBlocks(VOTERS, (i) => ({ from: voters[i], data: claimCalls[i] }));

// Second thoughts, from single-project voters: some move part of their deposit elsewhere, some take part back.
const single = order.slice(threeBank + twoBank);
const movers = single.slice(0, REALLOCATIONS + WITHDRAWALS);
const secondThoughts = movers.map((i, k) => {
  const bank = ballots[i].banks[0];
  const amount = allowance / 2n;
  if (k < REALLOCATIONS) {
    const others = districtProjects[homes[i]].map((id) => banks[id]).filter((b) => b !== bank);
    const to = others[rng.int(0, others.length - 1)];
    return { from: voters[i], data: iface.encodeFunctionData("reallocate", [[bank], [amount], [to], [amount]]) };
  }
  return { from: voters[i], data: iface.encodeFunctionData("withdraw", [[bank], [amount]]) };
});
await sendInBlocks(secondThoughts.length, (k) => secondThoughts[k]);
const votingSeconds = seconds(votingStarted);
const txPerSecond = Math.round(sentTxs / votingSeconds);
log(`voting done: ${sentTxs} transactions in ${blocks} blocks, ${votingSeconds} s (${txPerSecond} tx/s)`);
memory.mark("voted", sentTxs);

// --- close and finalize every district ---
await rpc("evm_setAutomine", [true]);
await networkHelpers.time.increaseTo(created.closesAt);
let finalizeGas = 0n;
for (const id of districtProjects.keys()) {
  const receipt = await (await round.finalize(id)).wait();
  finalizeGas += receipt!.gasUsed;
}
const simulateSeconds = seconds(started);
const loadAfterSimulation = load();
log(`simulated in ${simulateSeconds} s; finalize gas ${finalizeGas}`);

// --- the audit, through the in-process chain's EIP-1193 provider ---
// Counted per method, to show how few requests the audit needs (e.g. eth_call for 160,000 resident balances).
const requests: Record<string, number> = {};
const counted = {
  request: (args: { method: string; params?: unknown[] }) => {
    requests[args.method] = (requests[args.method] ?? 0) + 1;
    return provider.request(args);
  },
};
const auditOptions = {
  rpc: counted,
  round: roundAddress,
  factory: await created.factory.getAddress(),
  fromBlock,
  published,
  // An in-process chain has no result cap: read ~50,000 logs per query instead of the 10,000-log chunks (and the
  // splitting to find them) that public endpoints need.
  reader: { initialChunk: AUDIT_CHUNK, maxChunk: AUDIT_CHUNK, resultCap: Number.MAX_SAFE_INTEGER },
};
// The published trees are rebuilt (on a worker thread) and the metadata hashed while the logs arrive.
const timedAudit = await timed(async () => {
  const loaded = await loadAudited(auditOptions, true);
  return { loaded, report: await checkRound(loaded) };
});
const { loaded, report } = timedAudit.value;
const auditSeconds = timedAudit.seconds;
const auditCpuSeconds = timedAudit.cpu_seconds;
memory.mark("audited");
const timings = loaded.data.timings;
const auditRequests = Object.fromEntries(Object.entries(requests).sort(([a], [b]) => (a < b ? -1 : 1)));
// The whole audit once more with the trees rebuilt on the main thread, in slices between the chain's answers.
const inThreadStarted = performance.now();
const inThread = await checkRound(await loadAudited({ ...auditOptions, treeWorker: false }, true));
const auditInThreadSeconds = seconds(inThreadStarted);
if (reportJson(inThread) !== reportJson(report)) throw new Error("the in-thread tree rebuild gave another report");
// The published files' checks alone once more: reading and rebuilding every tree, hashing every metadata file.
const publishedStarted = performance.now();
const publishedAgain = await checkPublished(
  loaded.data,
  loaded.files,
  loaded.files && new PublishedReader(loaded.files, { treeWorker: nodeTreeWorker() }),
  { proofFiles: loaded.proofFiles ?? false },
);
const publishedChecksSeconds = seconds(publishedStarted);
// The recount and the chain's checks alone once more, from the decoded events (decoding runs while the logs
// arrive), with the published checks measured just before put back in place.
const recountStarted = performance.now();
const chainOnly = await checkRound({ ...loaded, files: undefined, counted: recount(loaded.data) });
const recountAloneSeconds = seconds(recountStarted);
const again: AuditReport = {
  ...chainOnly,
  published: true,
  checks: chainOnly.checks.map((c) => publishedAgain.find((p) => p.id === c.id) ?? c),
};
log(`audited in ${auditSeconds} s: ${report.ok ? "everything holds" : "DISCREPANCIES"}`);
// The on-chain balances the audit read (its sample of the residents) alone, then every resident's, as the audit read
// them before it took them from the events: the whole audit once more that way, which must give the same report.
const sampled = [...loaded.data.residentBalances!.keys()];
const balancesStarted = performance.now();
await balancesOf(provider, loaded.data.token, sampled, loaded.data.toBlock);
const residentBalancesSeconds = seconds(balancesStarted);
const everyStarted = performance.now();
const everyBalance = await checkRound(await loadAudited({ ...auditOptions, residentBalances: "all" }, true));
const auditEveryBalanceSeconds = seconds(everyStarted);
if (reportJson(everyBalance) !== reportJson(report)) throw new Error("reading every balance gave another report");
// The audit's floors on the same range: a bare log sweep and a bare decode of its logs.
const floors = await auditFloors(provider, { ...loaded.data, fromBlock, toBlock: loaded.data.toBlock }, AUDIT_CHUNK);
log(`floors: raw log sweep ${floors.raw_fetch_seconds} s, bare decode ${floors.decode_seconds} s`);

const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.id);
expectTotals(report);
if (!report.ok) throw new Error(`the audit failed: ${failed.join(", ")}`);
if (JSON.stringify(again) !== JSON.stringify(report)) throw new Error("a second recount gave another report");

const auditEvents = Object.values(report.events).reduce((a, b) => a + b, 0);
if (floors.logs !== auditEvents) throw new Error(`the bare sweep read ${floors.logs} logs, the audit ${auditEvents}`);
const recountSeconds = round3(auditSeconds - timings.logsSeconds - timings.stateSeconds);
const result = {
  profile: PROFILE,
  chain: "Hardhat 3 in-process EDR (network.create()), audited through its EIP-1193 provider",
  districts: districts.length,
  projects: banks.length,
  budget_rubles: (demo.budget / 100n).toString(),
  voters: VOTERS,
  batches: BATCHES,
  allocations: ALLOCATIONS,
  split_ballots: { two_projects: twoBank, three_projects: threeBank },
  reallocations: REALLOCATIONS,
  withdrawals: WITHDRAWALS,
  transactions: sentTxs,
  blocks,
  txs_per_block: TXS_PER_BLOCK,
  simulate_seconds: simulateSeconds,
  tree_seconds: treeSeconds,
  impersonate_seconds: impersonateSeconds,
  encode_seconds: encodeSeconds,
  voting_seconds: votingSeconds,
  tx_per_second: txPerSecond,
  finalize_gas_total: Number(finalizeGas),
  audit_seconds: auditSeconds,
  audit_cpu_seconds: auditCpuSeconds,
  audit_gc_seconds: timedAudit.gc_seconds,
  audit_events: auditEvents,
  fetch_seconds: round3(timings.logsSeconds + timings.stateSeconds),
  fetch_logs_seconds: timings.logsSeconds,
  fetch_state_seconds: timings.stateSeconds,
  resident_balances: RESIDENT_BALANCES,
  resident_balances_read: sampled.length,
  resident_balances_seconds: residentBalancesSeconds,
  audit_every_balance_seconds: auditEveryBalanceSeconds,
  audit_in_thread_seconds: auditInThreadSeconds,
  // What the timed audit spent beyond reading the chain: decoding and the recount as the logs arrive, then the
  // checks and any published-files work still unfinished when the chain had been read.
  recount_seconds: recountSeconds,
  decode_seconds: timings.decodeSeconds,
  recount_as_logs_arrive_seconds: timings.watcherSeconds,
  recount_and_checks_seconds: recountAloneSeconds,
  published_checks_seconds: publishedChecksSeconds,
  audit_requests: auditRequests,
  published_files: `${BATCHES} participants trees and ${banks.length} metadata files, read from a local directory`,
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
    audit_to_raw_fetch_cpu: round3(auditCpuSeconds / floors.raw_fetch_cpu_seconds),
    recount_to_decode: round3(recountSeconds / floors.decode_seconds),
    simulate_tx_per_second: round3(txPerSecond / calibration.tx_per_second),
  },
  memory: { ...memory.stop(), gc_seconds: collectingSeconds() },
  targets: {
    simulate_seconds: 600,
    recount_seconds: 2,
    audit_seconds: 10,
    audit_to_raw_fetch: 1.5,
    recount_to_decode: 3,
  },
  load_average: { start: loadAtStart, after_simulation: loadAfterSimulation, end: load() },
  node: process.version,
};
await mkdir(path.dirname(OUT), { recursive: true });
await writeFile(OUT, JSON.stringify(result, null, 2) + "\n");
log(`wrote ${OUT}`);
process.stdout.write(JSON.stringify(result, null, 2) + "\n");
await finish(async () => {
  await rm(published, { recursive: true, force: true });
  await connection.close();
});

// --- helpers ---

/**
 * claimAndAllocate calldata by hand: the ABI coder takes ~0.5 ms a call, minutes over 160,000 voters. The residents
 * are imported by address: their leaves carry no enrollment.
 */
function encodeClaimAndAllocate(
  batchId: bigint,
  district: number,
  amount: bigint,
  proof: string[],
  ballot: { banks: string[]; amounts: bigint[] },
): string {
  const proofAt = 7 * 32;
  const banksAt = proofAt + 32 * (1 + proof.length);
  const amountsAt = banksAt + 32 * (1 + ballot.banks.length);
  return [
    CLAIM_AND_ALLOCATE,
    word(batchId),
    word(district),
    word(amount),
    word(NO_ENROLLMENT),
    word(proofAt),
    word(banksAt),
    word(amountsAt),
    word(proof.length),
    ...proof.map(word),
    word(ballot.banks.length),
    ...ballot.banks.map(word),
    word(ballot.amounts.length),
    ...ballot.amounts.map(word),
  ].join("");
}

function shuffle<T>(random: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The chain must hold exactly the simulated election, or the figures measure something else. */
function expectTotals(report: AuditReport): void {
  const expected = {
    claims: VOTERS,
    deposits: ALLOCATIONS,
    withdrawals: REALLOCATIONS + WITHDRAWALS,
    batches: BATCHES,
  };
  for (const [key, value] of Object.entries(expected)) {
    const actual = report.totals[key as keyof typeof expected];
    if (actual !== value) throw new Error(`the audit counted ${actual} ${key}, the simulation sent ${value}`);
  }
  if (report.districts.some((d) => !d.finalized)) throw new Error("a district was left unfinalized");
}
