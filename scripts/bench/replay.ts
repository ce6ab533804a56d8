/**
 * Replay benchmark (not a test): `kopilka pabulib import --replay` of generated Pabulib files, run as a committee
 * member runs it (the real bin as a child process, output to a pipe, not a terminal) against a node on loopback.
 * Measures the whole import and each of its long steps (from the progress lines the command prints), the casting
 * speed, and the node's memory (RSS, sampled every second and after every block of ballots). Writes
 * bench/results/replay.json. Run with `npm run bench:replay`; BENCH_VOTERS (default 30,000) and BENCH_DISTRICTS
 * (default 3) set the size, BENCH_NODE the node (`hardhat` by default; see NODES), and BENCH_COMPARE=1 records the
 * run in the file's `node_comparison` under the node's name, leaving the other figures as they were.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { writePabulib } from "@kopilka/core/pabulib";
import { generatedElection } from "../hardhat/generatedElection.js";
import { startAnvil, startHardhatNode, type LocalNode } from "../hardhat/localnode.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = path.join(ROOT, "bench", "results", "replay.json");
const VOTERS = Number(process.env.BENCH_VOTERS ?? 30_000);
const DISTRICTS = Number(process.env.BENCH_DISTRICTS ?? 3);
const PROJECTS = 30;
/** A chain id of its own, so that the Ignition journal it leaves (and removes) is no one else's (BENCH_CHAIN_ID: for runs side by side). */
const CHAIN_ID = Number(process.env.BENCH_CHAIN_ID ?? 31_999);
/** Hardhat's first development account. */
const DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const SAMPLE_MS = 1_000;

const load = (): number[] => loadavg().map((l) => Number(l.toFixed(2)));
const mib = (kib: number) => Math.round(kib / 1024);

/** The resident set size of a process, in KiB, from /proc (Linux). */
async function rssKiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

const loadAtStart = load();
const work = await mkdtemp(path.join(tmpdir(), "kopilka-bench-replay-"));
const files: string[] = [];
const perDistrict = Math.ceil(VOTERS / DISTRICTS);
for (let d = 0; d < DISTRICTS; d++) {
  const voters = Math.min(perDistrict, VOTERS - d * perDistrict);
  const file = path.join(work, `district-${d + 1}.pb`);
  await writeFile(
    file,
    writePabulib(generatedElection({ voters, projects: PROJECTS, seed: 1_000 + d, unit: `District ${d + 1}` })),
  );
  files.push(file);
}

/** A JSON-RPC call to the node, for the setups that change it before the import. */
async function rpc(url: string, method: string, params: unknown[]): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const answer = (await response.json()) as { error?: { message: string } };
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
}

/**
 * The nodes a replay can run on, and the settings that could keep a node's memory down, each as it is started. A
 * periodic garbage collection in the node's process (`--expose-gc`) frees what Hardhat's answers hold (each block's
 * execution traces) as soon as possible; MALLOC_ARENA_MAX=2 keeps glibc from holding freed memory in many arenas.
 */
const NODES: Record<string, { describe: string; start(): Promise<LocalNode> }> = {
  hardhat: {
    describe: "`hardhat node` as `npx hardhat node` starts it",
    start: () => startHardhatNode({ chainId: CHAIN_ID }),
  },
  "hardhat-lean": {
    describe:
      "`hardhat node` with its logging off (hardhat_setLoggingEnabled false), a garbage collection every 2 s and " +
      "MALLOC_ARENA_MAX=2",
    start: async () => {
      const node = await startHardhatNode({
        chainId: CHAIN_ID,
        extraArgs: ["--expose-gc", "--import", "data:text/javascript,setInterval(()=>globalThis.gc(),2000).unref()"],
        env: { MALLOC_ARENA_MAX: "2" },
      });
      await rpc(node.url, "hardhat_setLoggingEnabled", [false]);
      return node;
    },
  },
  "hardhat-1000-per-block": {
    describe: "`hardhat node` with a 300M block gas limit (evm_setBlockGasLimit): 1,000 ballots a block, not ~200",
    start: async () => {
      const node = await startHardhatNode({ chainId: CHAIN_ID });
      await rpc(node.url, "evm_setBlockGasLimit", ["0x" + (300_000_000).toString(16)]);
      return node;
    },
  },
  "hardhat-8-states": {
    describe:
      "`hardhat node` with EDR caching the states of the last 8 blocks only (__EDR_MAX_CACHED_STATES=8; EDR's " +
      "default caches 100,000)",
    start: () => startHardhatNode({ chainId: CHAIN_ID, env: { __EDR_MAX_CACHED_STATES: "8" } }),
  },
  anvil: { describe: "Anvil (`anvil`)", start: () => startAnvil({ chainId: CHAIN_ID }) },
  "anvil-prune-history": {
    describe: "Anvil keeping the state of the last 64 blocks only (`anvil --prune-history 64`)",
    start: () => startAnvil({ chainId: CHAIN_ID, extraArgs: ["--prune-history", "64"] }),
  },
};
const NODE = process.env.BENCH_NODE ?? "hardhat";
if (!(NODE in NODES)) throw new Error(`BENCH_NODE: one of ${Object.keys(NODES).join(", ")}, not ${NODE}`);
/** BENCH_COMPARE=1: the run goes to the file's comparison of nodes, and its other figures stay as they were. */
const COMPARE = process.env.BENCH_COMPARE === "1";

const node = await NODES[NODE].start();
const samples: { second: number; rss_mib: number }[] = [];
const started = performance.now();
const seconds = () => Number(((performance.now() - started) / 1000).toFixed(1));
const sampler = setInterval(() => {
  void rssKiB(node.child.pid!).then((kib) => {
    if (kib !== undefined) samples.push({ second: seconds(), rss_mib: mib(kib) });
  });
}, SAMPLE_MS);
const rssAtStart = mib((await rssKiB(node.child.pid!)) ?? 0);

/** The node's memory each time the command reported ballots cast. */
const byBallots: { second: number; ballots: number; rss_mib: number }[] = [];
/** Every line the command printed, with when it came (seconds from the start). */
const lines: { second: number; stream: "stdout" | "stderr"; text: string }[] = [];
let code: number;
try {
  code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, "bin", "kopilka.mjs"),
        "--rpc",
        node.url,
        "--publication-dir",
        path.join(work, "public"),
        "pabulib",
        "import",
        ...files,
        "--replay",
      ],
      { cwd: ROOT, env: { ...process.env, KOPILKA_DEPLOYER_KEY: DEPLOYER_KEY }, stdio: ["ignore", "pipe", "pipe"] },
    );
    for (const stream of ["stdout", "stderr"] as const) {
      let rest = "";
      child[stream].on("data", (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split("\n");
        rest = parts.pop()!;
        for (const text of parts) {
          lines.push({ second: seconds(), stream, text });
          const casting = /^Casting ballots: (\d+)\/\d+/.exec(text);
          if (casting) {
            const [cast, second] = [Number(casting[1]), seconds()];
            void rssKiB(node.child.pid!).then((kib) => {
              if (kib !== undefined) byBallots.push({ second, ballots: cast, rss_mib: mib(kib) });
            });
          }
          process.stderr.write(`[${seconds().toFixed(1)} s] ${text}\n`);
        }
      });
    }
    child.once("error", reject);
    child.once("exit", (exitCode) => resolve(exitCode ?? 1));
  });
} finally {
  clearInterval(sampler);
  await node.stop();
  await rm(path.join(ROOT, "ignition", "deployments", `chain-${CHAIN_ID}`), { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
}
const totalSeconds = seconds();
if (code !== 0) {
  const tail = lines
    .slice(-15)
    .map((line) => line.text)
    .join("\n");
  throw new Error(`the import failed (exit ${code}) after ${totalSeconds} s:\n${tail}`);
}

/** The duration of each step, from its last line: "<label>: [<done>/<total> ]done in <s> s". */
const steps: Record<string, number> = {};
for (const { text } of lines) {
  const match = /^(.+?): (?:\d+\/\d+ )?done in ([\d.]+) s$/.exec(text);
  if (match) {
    // "Add 93 district(s)/project(s) to round 0x…" is "add_districts_projects"; numbers and addresses go.
    const label = match[1].replace(/ (to|of) round 0x[0-9a-fA-F]+/, "").replace(/\(s\)/g, "s");
    steps[
      label
        .toLowerCase()
        .replace(/[^a-z]+/g, "_")
        .replace(/^_|_$/g, "")
    ] = Number(match[2]);
  }
}
const cast = lines
  .map(({ text }) => /^Cast (\d+) ballots in (\d+) blocks, ([\d.]+) s/.exec(text))
  .find((match) => match !== null);
if (!cast) throw new Error('the import printed no "Cast N ballots" line');
const [ballots, blocks, castSeconds] = [Number(cast[1]), Number(cast[2]), Number(cast[3])];
const rss = samples.map((s) => s.rss_mib);
// A sample every 10 s is enough to see the shape; the maximum comes from every sample.
const series = rss.filter((_, i) => i % 10 === 0 || i === rss.length - 1);
/**
 * The node's memory while casting, against the ballots cast by then (interpolated between the command's progress
 * lines). Each block's answer holds its execution traces until the node's garbage collector frees them, so the
 * samples saw-tooth; the least-squares line through the samples of every second (from the first block on, after
 * the one-off jump it brings) is what each ballot leaves behind.
 */
const afterBlocks = byBallots.filter((sample) => sample.ballots > 0);
function ballotsAt(second: number): number {
  const next = afterBlocks.findIndex((p) => p.second >= second);
  if (next <= 0) return afterBlocks[Math.max(next, 0)].ballots;
  const [a, b] = [afterBlocks[next - 1], afterBlocks[next]];
  return a.ballots + ((b.ballots - a.ballots) * (second - a.second)) / Math.max(b.second - a.second, 1e-9);
}
const whileCasting = samples
  .filter((s) => s.second >= afterBlocks[0].second && s.second <= afterBlocks.at(-1)!.second)
  .map((s) => ({ ballots: ballotsAt(s.second), rss_mib: s.rss_mib }));
function slopePer10k(points: { ballots: number; rss_mib: number }[]): number {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.ballots, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.rss_mib, 0) / n;
  const covariance = points.reduce((sum, p) => sum + (p.ballots - meanX) * (p.rss_mib - meanY), 0);
  const variance = points.reduce((sum, p) => sum + (p.ballots - meanX) ** 2, 0);
  return Math.round((covariance / variance) * 10_000);
}
const tenths = Array.from({ length: 10 }, (_, i) => afterBlocks.find((p) => p.ballots >= ((i + 1) * ballots) / 10));
const memory = {
  start: rssAtStart,
  after_first_block: afterBlocks[0]?.rss_mib,
  max: Math.max(...rss),
  end: rss.at(-1)!,
  // Growth per 10,000 ballots over the whole import: what a longer replay adds.
  growth_per_10k_ballots: Math.round(((rss.at(-1)! - rssAtStart) * 10_000) / ballots),
  cast_slope_per_10k_ballots: slopePer10k([...afterBlocks, ...whileCasting]),
};
const machine = { cpus: cpus().length, load_average: { start: loadAtStart, end: load() } };
const date = new Date().toISOString();

const recorded = JSON.parse(await readFile(OUT, "utf8").catch(() => "{}")) as Record<string, unknown>;
const comparison = (recorded.node_comparison ?? {}) as Record<string, unknown>;
let result: Record<string, unknown>;
if (COMPARE) {
  comparison[NODE] = {
    node: NODES[NODE].describe,
    voters: VOTERS,
    ballots,
    ballots_per_block: Math.round(ballots / blocks),
    ballots_per_second: Math.round(ballots / castSeconds),
    node_rss_mib: memory,
    load_average: machine.load_average,
    date,
  };
  result = { ...recorded, node_comparison: comparison };
} else {
  result = {
    node: NODES[NODE].describe,
    voters: VOTERS,
    districts: DISTRICTS,
    projects_per_district: PROJECTS,
    ballots,
    blocks,
    ballots_per_block: Math.round(ballots / blocks),
    import_seconds: totalSeconds,
    voters_per_second: Math.round(VOTERS / totalSeconds),
    cast_seconds: castSeconds,
    ballots_per_second: Math.round(ballots / castSeconds),
    step_seconds: steps,
    node_rss_mib: memory,
    node_rss_mib_every_10s: series,
    node_rss_mib_each_tenth_of_ballots: tenths.map((p) => p?.rss_mib ?? null),
    machine,
    date,
    ...(Object.keys(comparison).length > 0 ? { node_comparison: comparison } : {}),
  };
}
await mkdir(path.dirname(OUT), { recursive: true });
await writeFile(OUT, JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify(COMPARE ? comparison[NODE] : result, null, 2));
