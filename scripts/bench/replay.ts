/**
 * Replay benchmark (not a test): `kopilka pabulib import --replay` of generated Pabulib files, run as a committee
 * member runs it (the real bin as a child process, output to a pipe, not a terminal) against a `hardhat node` on
 * loopback. Measures the whole import and each of its long steps (from the progress lines the command prints),
 * the casting speed, and the node's memory (RSS, sampled every second). Writes bench/results/replay.json. Run with
 * `npm run bench:replay`; BENCH_VOTERS (default 30,000) and BENCH_DISTRICTS (default 3) set the size.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { writePabulib } from "@kopilka/core/pabulib";
import { generatedElection } from "../hardhat/generatedElection.js";
import { startHardhatNode } from "../hardhat/localnode.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = path.join(ROOT, "bench", "results", "replay.json");
const VOTERS = Number(process.env.BENCH_VOTERS ?? 30_000);
const DISTRICTS = Number(process.env.BENCH_DISTRICTS ?? 3);
const PROJECTS = 30;
/** A chain id of its own, so that the Ignition journal it leaves (and removes) is no one else's. */
const CHAIN_ID = 31_999;
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

const node = await startHardhatNode({ chainId: CHAIN_ID });
const samples: { second: number; rss_mib: number }[] = [];
const started = performance.now();
const seconds = () => Number(((performance.now() - started) / 1000).toFixed(1));
const sampler = setInterval(() => {
  void rssKiB(node.child.pid!).then((kib) => {
    if (kib !== undefined) samples.push({ second: seconds(), rss_mib: mib(kib) });
  });
}, SAMPLE_MS);
const rssAtStart = mib((await rssKiB(node.child.pid!)) ?? 0);

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

const result = {
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
  node_rss_mib: {
    start: rssAtStart,
    max: Math.max(...rss),
    end: rss.at(-1),
    // Growth per 10,000 ballots: what a longer replay adds.
    growth_per_10k_ballots: Math.round(((rss.at(-1)! - rssAtStart) * 10_000) / ballots),
  },
  node_rss_mib_every_10s: series,
  machine: { cpus: cpus().length, load_average: { start: loadAtStart, end: load() } },
  date: new Date().toISOString(),
};
await mkdir(path.dirname(OUT), { recursive: true });
await writeFile(OUT, JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify(result, null, 2));
