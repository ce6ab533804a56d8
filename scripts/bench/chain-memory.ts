/**
 * What Hardhat's in-process chain (EDR, `network.create()`) keeps per transaction (not a test): transactions that
 * write no storage, that write a new storage slot each, that overwrite one slot, with and without a log, in blocks of
 * 1 and of 500, each scenario in a fresh process; and the same with EDR's cache of past states bounded
 * (`__EDR_MAX_CACHED_STATES`). Memory is read after forced garbage collections at six points of the transactions:
 * the slope of a least-squares line through them is what each transaction leaves behind. Writes bench/results/chain-memory.json. Run
 * with `npm run bench:chain-memory`; BENCH_TXS (default 10,000) sets the transactions per scenario.
 */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = path.join(ROOT, "bench", "results", "chain-memory.json");
const TXS = Number(process.env.BENCH_TXS ?? 10_000);

/** What each transaction's call does: the contract's runtime code, and the calldata of transaction `i`. */
const CONTRACTS = {
  // STOP
  nothing: { code: "00", calldata: () => "0x" },
  // SSTORE(calldata[0..32], calldata[32..64])
  "new-slot": { code: "60203560003555" + "00", calldata: (i: number) => word(i + 1) + word(1).slice(2) },
  "same-slot": { code: "60203560003555" + "00", calldata: (i: number) => word(7) + word(i + 1).slice(2) },
  // the SSTORE, then CALLDATACOPY(0, 0, 64) and LOG0(0, 64): a 64-byte log
  "new-slot+log": {
    code: "60203560003555" + "604060006000376040" + "6000a0" + "00",
    calldata: (i: number) => word(i + 1) + word(1).slice(2),
  },
  "log-only": { code: "604060006000376040" + "6000a0" + "00", calldata: (i: number) => word(i + 1) + word(1).slice(2) },
} as const;
type Kind = keyof typeof CONTRACTS;

interface Scenario {
  name: string;
  kind: Kind;
  perBlock: number;
  /** `__EDR_MAX_CACHED_STATES`, when bounded. */
  cachedStates?: number;
  /** Each transaction from a new impersonated account (as the replay's voters), not from ten funded ones. */
  newSenders?: boolean;
  describe: string;
}

const SCENARIOS: Scenario[] = [
  { name: "nothing-1", kind: "nothing", perBlock: 1, describe: "a call that writes no storage, a block each" },
  { name: "nothing-500", kind: "nothing", perBlock: 500, describe: "the same, 500 a block" },
  { name: "new-slot-1", kind: "new-slot", perBlock: 1, describe: "a new storage slot each, a block each" },
  { name: "new-slot-500", kind: "new-slot", perBlock: 500, describe: "the same, 500 a block" },
  { name: "same-slot-1", kind: "same-slot", perBlock: 1, describe: "one slot overwritten, a block each" },
  { name: "same-slot-500", kind: "same-slot", perBlock: 500, describe: "the same, 500 a block" },
  { name: "log-only-1", kind: "log-only", perBlock: 1, describe: "a 64-byte log and no storage, a block each" },
  { name: "new-slot+log-1", kind: "new-slot+log", perBlock: 1, describe: "a new slot and a 64-byte log, a block each" },
  {
    name: "nothing-1-cache-64",
    kind: "nothing",
    perBlock: 1,
    cachedStates: 64,
    describe: "writes no storage, a block each, EDR keeping 64 past states (__EDR_MAX_CACHED_STATES=64)",
  },
  {
    name: "new-slot-1-cache-64",
    kind: "new-slot",
    perBlock: 1,
    cachedStates: 64,
    describe: "a new slot each, a block each, EDR keeping 64 past states",
  },
  {
    name: "new-slot-500-cache-4",
    kind: "new-slot",
    perBlock: 500,
    cachedStates: 4,
    describe: "a new slot each, 500 a block, EDR keeping 4 past states (the run has 23 blocks)",
  },
  {
    name: "ballot-like-200",
    kind: "new-slot+log",
    perBlock: 200,
    newSenders: true,
    describe: "as a replayed ballot: a new (impersonated) account sends each, a new slot and a log, 200 a block",
  },
  {
    name: "ballot-like-200-cache-4",
    kind: "new-slot+log",
    perBlock: 200,
    newSenders: true,
    cachedStates: 4,
    describe: "the same, EDR keeping 4 past states",
  },
];

function word(n: number): string {
  return "0x" + n.toString(16).padStart(64, "0");
}

/** Creation code that returns `runtime` (under 256 bytes): CODECOPY it to memory 0, RETURN it. */
function creationCode(runtime: string): string {
  const length = (runtime.length / 2).toString(16).padStart(2, "0");
  return `0x60${length}600c60003960${length}6000f3${runtime}`;
}

const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));

async function rssBytes(): Promise<number> {
  const status = await readFile("/proc/self/status", "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** One scenario, in this process: the child's part. Prints its figures as one JSON line. */
async function runScenario(scenario: Scenario): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const { network } = await import("hardhat");
  const connection = await network.create({
    override: { initialBaseFeePerGas: 0, minGasPrice: 0, blockGasLimit: 1_000_000_000 },
  });
  const rpc = (method: string, params: unknown[] = []) => connection.provider.request({ method, params });
  const accounts = (await rpc("eth_accounts")) as string[];
  const from = accounts.slice(0, 10);
  const deployed = (await rpc("eth_sendTransaction", [
    { from: from[0], data: creationCode(CONTRACTS[scenario.kind].code), gas: "0x100000" },
  ])) as string;
  const to = ((await rpc("eth_getTransactionReceipt", [deployed])) as { contractAddress: string }).contractAddress;
  const send = async (i: number) => {
    const sender = scenario.newSenders ? "0x" + (0x10_0000 + i).toString(16).padStart(40, "0") : from[i % from.length];
    if (scenario.newSenders) await rpc("hardhat_impersonateAccount", [sender]);
    await rpc("eth_sendTransaction", [
      { from: sender, to, data: CONTRACTS[scenario.kind].calldata(i), gas: "0x30000", gasPrice: "0x0" },
    ]);
  };

  const measure = async () => {
    for (let i = 0; i < 3; i++) gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
    gc();
    const usage = process.memoryUsage();
    return { rss: await rssBytes(), heapUsed: usage.heapUsed, external: usage.external };
  };
  // A first stretch that is not counted: the chain's and the process's one-off allocations.
  const warmup = Math.min(1_000, TXS / 10);
  if (scenario.perBlock > 1) await rpc("evm_setAutomine", [false]);
  const sendAll = async (start: number, count: number) => {
    for (let i = start; i < start + count; i += scenario.perBlock) {
      const n = Math.min(scenario.perBlock, start + count - i);
      if (scenario.perBlock === 1) {
        await send(i);
      } else {
        for (let j = 0; j < n; j++) await send(i + j);
        await rpc("evm_mine");
      }
      if ((i / scenario.perBlock) % 200 === 0) gc();
    }
  };
  await sendAll(0, warmup);
  // Memory at five points; the slope of a least-squares line through them is what each transaction leaves.
  const points: { txs: number; rss: number; heapUsed: number; external: number }[] = [];
  points.push({ txs: 0, ...(await measure()) });
  const started = performance.now();
  let measuring = 0;
  for (let part = 1; part <= 5; part++) {
    const from = warmup + ((part - 1) * TXS) / 5;
    await sendAll(from, TXS / 5);
    const t = performance.now();
    points.push({ txs: (part * TXS) / 5, ...(await measure()) });
    measuring += performance.now() - t;
  }
  const seconds = (performance.now() - started - measuring) / 1000;
  const slope = (key: "rss" | "heapUsed" | "external") => {
    const mx = points.reduce((a, p) => a + p.txs, 0) / points.length;
    const my = points.reduce((a, p) => a + p[key], 0) / points.length;
    const num = points.reduce((a, p) => a + (p.txs - mx) * (p[key] - my), 0);
    const den = points.reduce((a, p) => a + (p.txs - mx) ** 2, 0);
    return Math.round(num / den);
  };
  const blocks = Number(BigInt((await rpc("eth_blockNumber")) as string));
  console.log(
    JSON.stringify({
      transactions: TXS,
      per_block: scenario.perBlock,
      blocks,
      tx_per_second: Math.round(TXS / seconds),
      rss_mib: points.map((p) => mib(p.rss)),
      bytes_per_tx: { rss: slope("rss"), v8_heap: slope("heapUsed"), v8_external: slope("external") },
      mib_per_10k_txs: mib(slope("rss") * 10_000),
    }),
  );
  await connection.close();
}

/** Runs each scenario in a fresh process, so that none inherits another's heap. */
async function main(): Promise<void> {
  const only = process.env.BENCH_SCENARIOS?.split(",");
  const results: Record<string, unknown> = {};
  const loadAtStart = loadavg().map((l) => Number(l.toFixed(2)));
  for (const scenario of SCENARIOS.filter((s) => only === undefined || only.includes(s.name))) {
    const env: NodeJS.ProcessEnv = { ...process.env, BENCH_SCENARIO: scenario.name };
    if (scenario.cachedStates !== undefined) env.__EDR_MAX_CACHED_STATES = String(scenario.cachedStates);
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
        env,
        stdio: ["ignore", "pipe", "inherit"],
      });
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`${scenario.name}: exit ${code}`))));
    });
    const figures = JSON.parse(output.trim().split("\n").at(-1)!) as Record<string, unknown>;
    results[scenario.name] = { scenario: scenario.describe, ...figures };
    console.error(`${scenario.name}: ${JSON.stringify(figures)}`);
  }
  const previous = only === undefined ? {} : await readFile(OUT, "utf8").then(JSON.parse, () => ({}));
  await writeFile(
    OUT,
    JSON.stringify(
      {
        chain: "Hardhat 3 in-process EDR (network.create()), zero base fee, 10 senders",
        transactions_per_scenario: TXS,
        // Earlier runs of the scenarios not run now stay, in SCENARIOS' order; scenarios no longer defined go.
        scenarios: Object.fromEntries(
          SCENARIOS.map((s) => [
            s.name,
            results[s.name] ?? (previous as { scenarios?: Record<string, unknown> }).scenarios?.[s.name],
          ]).filter(([, figures]) => figures !== undefined),
        ),
        load_average: { start: loadAtStart, end: loadavg().map((l) => Number(l.toFixed(2))) },
        date: new Date().toISOString(),
      },
      null,
      2,
    ) + "\n",
  );
  console.error(`Wrote ${path.relative(ROOT, OUT)}`);
}

const child = SCENARIOS.find((s) => s.name === process.env.BENCH_SCENARIO);
if (child !== undefined) await runScenario(child);
else await main();
