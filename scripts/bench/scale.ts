/**
 * `npm run bench:scale`: a whole election on Hardhat's in-process chain, then its audit, measured against floors taken
 * on the same chain in the same run (scripts/bench/scale-measure.ts). Three profiles, each writing its own file:
 *
 *   npm run bench:scale                        # Volgograd 2020, one direct transaction a resident: scale.json
 *   npm run bench:scale -- --quick             # the same at 4,000 residents, for CI: scale-quick.json
 *   npm run bench:scale -- --residents 40000   # the same at another size: bench/results/local/scale-40000.json
 *   npm run bench:scale -- --profile yugra     # Yugra's 802,034 ballots through the ballot box: scale-yugra.json
 *   npm run bench:scale -- --profile yugra --ballots 100000   # the same mix at another size: bench/results/local/
 *
 * The direct profiles are scripts/bench/scale-direct.ts, the relayed one scripts/bench/scale-yugra.ts.
 */
import { spawnSync } from "node:child_process";

// One process holds the chain, a whole audit's events and the floors' sweeps: at Yugra's size the audit peaks near
// 2.7 GB of Node's default 4 GB heap (a run that held two audits at once died there), so the benchmark runs itself
// again with a larger one as a margin (worker threads keep theirs).
const HEAP_MB = 8192;
if (process.env.KOPILKA_SCALE_HEAP === undefined) {
  const run = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: {
      ...process.env,
      KOPILKA_SCALE_HEAP: String(HEAP_MB),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --max-old-space-size=${HEAP_MB}`.trim(),
    },
  });
  process.exit(run.status ?? 1);
}

const at = process.argv.indexOf("--profile");
const profile = at >= 0 ? process.argv[at + 1] : process.argv.includes("--quick") ? "quick" : "volgograd";
if (profile === "yugra") await import("./scale-yugra.js");
else if (profile === "volgograd" || profile === "quick") await import("./scale-direct.js");
else throw new Error(`unknown profile "${profile}": volgograd (the default), quick or yugra`);
