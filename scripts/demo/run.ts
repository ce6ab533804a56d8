/**
 * `npm run demo`: a realistic round running on this machine with one command. It starts a local `hardhat node`,
 * deploys the factory, creates the Volgograd demo round (45 districts, 277 projects) with the committee's own
 * command functions, registers a few thousand demo residents (the node's 20 well-known accounts among them, free
 * to vote in any district), opens voting, casts a few thousand ballots so the numbers move, writes the dApp's
 * runtime config, and serves the dApp and the published files over HTTP. Ctrl-C stops everything it started.
 *
 * Every run starts from a fresh chain, so the previous run's Ignition journal and published files for chain 31337
 * are removed first: they describe a chain that no longer exists.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { Command, InvalidArgumentError } from "commander";
import { HDNodeWallet } from "ethers";

import { consoleOutput, readerOf, type CommandContext, type Output } from "../cli/context.js";
import { deploy } from "../cli/deploy.js";
import { mint, open } from "../cli/lifecycle.js";
import { importParticipants } from "../cli/participants.js";
import { createRound } from "../cli/round.js";
import { CommandError, type Connection } from "../hardhat/connection.js";
import { advanceTimeTo, ballotsFromTree, castBallots, nodeProvider } from "../hardhat/localchain.js";
import { startHardhatNode } from "../hardhat/localnode.js";
import type { Child } from "../relayer/local.js";
import { startServices } from "../services/local.js";
import { Round__factory } from "../../typechain-types/index.js";
import { writeSnapshot } from "@kopilka/core/node";
import type { ParticipantLeaf } from "@kopilka/core/participants";
import { DAPP_CONFIG_FILE, manifestPath, roundDirectory, type DappConfig } from "@kopilka/core/publication";
import {
  DEMO_SEED,
  demoRound,
  HARDHAT_ACCOUNT_COUNT,
  HARDHAT_MNEMONIC,
  residentDistricts,
  residents as demoResidents,
  writeRoundSpec,
  type DemoRound,
} from "./data.js";
import { playDemoContest, storeDemoContent, type DemoContest } from "./contest.js";
import { publishCategoryImages } from "./images.js";
import { createRng } from "./random.js";
import { serveSite, type Site } from "./server.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHAIN_ID = 31337;
const VOTING_SECONDS = 14 * 24 * 60 * 60;
/** Setup (322 transactions) must finish before voting opens; the chain's clock then jumps to the opening. */
const SETUP_SECONDS = 600;
/** Hardhat's account that the resident services post residents with (granted the registrar role alone). */
const SERVICES_REGISTRAR = 18;
/** A posting at least every 10 s: a demo visitor waits seconds, not a minute, to vote after the code. */
const DEMO_POST_EVERY_SECONDS = 10;
/** How often the demo rewrites the round's snapshot while it runs (the pages' live figures do not wait for it). */
const SNAPSHOT_EVERY_MS = 30_000;

export interface DemoOptions {
  /** Repository root: where hardhat, ignition/deployments and frontend/ are. */
  root?: string;
  host?: string;
  /** JSON-RPC port of the node. */
  rpcPort?: number;
  /** Port of the dApp and published files; 0 picks a free one. */
  webPort?: number;
  residents?: number;
  /** Residents who vote during setup. */
  voters?: number;
  publicationBase?: string;
  /** Ignition deployment id (its journal is removed first). */
  deploymentId?: string;
  /** Where the dApp's runtime config is also written (for `vite dev`); null for nowhere. */
  configFile?: string | null;
  /** Build frontend/ when frontend/dist is missing. */
  buildFrontend?: boolean;
  out?: Output;
  /** Initiatives of the contest played before the round (at least 6; 36 by default). */
  contestInitiatives?: number;
}

export interface RunningDemo {
  rpcUrl: string;
  webUrl: string;
  /** The resident services: enrollment by phone (`/enroll/...`, codes printed in this terminal) and the relayer. */
  servicesUrl: string;
  round: string;
  /** The contest played before the round. */
  contest: DemoContest;
  config: DappConfig;
  /** Whether the dApp is served (frontend/dist exists), or only the published files and a notice. */
  dappServed: boolean;
  residents: number;
  ballots: number;
  castSeconds: number;
  readySeconds: number;
  /** Stops the web server and the node; safe to call twice. */
  stop(): Promise<void>;
}

export async function portIsFree(host: string, port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createNetServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** frontend/dist if it exists or can be built now; undefined (with the reason) otherwise. */
function frontendDist(root: string, build: boolean, out: Output): { dist?: string; reason?: string } {
  const frontend = path.join(root, "frontend");
  const dist = path.join(frontend, "dist");
  if (existsSync(path.join(dist, "index.html"))) return { dist };
  if (!existsSync(path.join(frontend, "package.json"))) return { reason: "this checkout has no frontend/ yet" };
  if (!build) return { reason: "frontend/dist is missing: npm run web:build" };
  out.info("Building the dApp (frontend/dist is missing)...");
  const built = spawnSync("npm", ["run", "build", "-w", "frontend"], { cwd: root, stdio: "inherit" });
  return built.status === 0 && existsSync(path.join(dist, "index.html"))
    ? { dist }
    : { reason: "its build failed (npm run web:build shows why)" };
}

/** The ballots of the demo voters: most put their whole allowance into one project, some split it. */
function demoAllocations(
  round: DemoRound,
  banks: readonly string[],
  voters: readonly { account: string; district: number; amount: bigint }[],
  seed: string,
): Map<string, { banks: string[]; amounts: bigint[] }> {
  const rng = createRng(`${seed}/votes`);
  // Some projects are far more popular than others, as in every real round.
  const popularity = round.projects.map(() => rng.real(0.2, 3) ** 2);
  const inDistrict = round.districts.map((_, d) => round.projects.flatMap((p, id) => (p.district === d ? [id] : [])));
  const allocations = new Map<string, { banks: string[]; amounts: bigint[] }>();
  for (const voter of voters) {
    const candidates = [...inDistrict[voter.district]];
    const count = Math.min(candidates.length, rng.chance(0.65) ? 1 : rng.int(2, 3));
    const chosen: number[] = [];
    while (chosen.length < count) {
      const pick = rng.weighted(candidates.map((id) => popularity[id]));
      chosen.push(candidates.splice(pick, 1)[0]);
    }
    const share = voter.amount / BigInt(count);
    const amounts = chosen.map((_, i) => (i === 0 ? voter.amount - share * BigInt(count - 1) : share));
    allocations.set(voter.account.toLowerCase(), { banks: chosen.map((id) => banks[id]), amounts });
  }
  return allocations;
}

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const started = performance.now();
  const root = options.root ?? ROOT;
  const host = options.host ?? "127.0.0.1";
  const rpcPort = options.rpcPort ?? 8545;
  const out = options.out ?? consoleOutput;
  const publicationBase = options.publicationBase ?? path.join(root, "published");
  const deploymentId = options.deploymentId ?? `chain-${CHAIN_ID}`;
  const residentCount = options.residents ?? 3_000;
  const voterCount = Math.min(options.voters ?? 2_500, residentCount - HARDHAT_ACCOUNT_COUNT);

  if (!(await portIsFree(host, rpcPort))) {
    throw new CommandError(
      `${host}:${rpcPort} is busy: is another \`hardhat node\` or demo running? Stop it, or run the demo on ` +
        `another port: npm run demo -- --port ${rpcPort + 1}`,
    );
  }
  if (options.webPort && !(await portIsFree(host, options.webPort))) {
    throw new CommandError(
      `${host}:${options.webPort} is busy: stop what uses it, or pass --web-port ${options.webPort + 1}`,
    );
  }
  // A fresh chain: the last run's journal and files describe contracts that no longer exist.
  rmSync(path.join(root, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  rmSync(path.join(publicationBase, String(CHAIN_ID)), { recursive: true, force: true });

  out.info(`Starting hardhat node at http://${host}:${rpcPort} ...`);
  const node = await startHardhatNode({ host, port: rpcPort });
  let connection: Connection | undefined;
  let site: Site | undefined;
  let snapshots: NodeJS.Timeout | undefined;
  let services: Child | undefined;
  const servicesDir = mkdtempSync(path.join(os.tmpdir(), "kopilka-demo-services-"));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(snapshots);
    await site?.close();
    await services?.stop();
    rmSync(servicesDir, { recursive: true, force: true });
    await connection?.close().catch(() => {});
    await node.stop();
  };
  try {
    const { network } = await import("hardhat");
    connection = await network.create({ network: "localhost", override: { url: node.url } });
    const ctx: CommandContext = { connection, chainId: BigInt(CHAIN_ID), publicationBase, out };
    const provider = await nodeProvider(connection);

    await deploy(ctx, { deploymentId });
    // The stage before the vote: a contest of residents' initiatives, decided before the round is set up.
    out.info("Playing the contest of initiatives before the round ...");
    const contest = await playDemoContest(connection, publicationBase, options.contestInitiatives ?? 36);
    out.info(
      `Contest at ${contest.contest}: ${contest.initiatives} initiatives, ${contest.passed} passed ` +
        `(kopilka contest show --contest ${contest.contest})`,
    );
    const round = demoRound(DEMO_SEED);
    const now = BigInt((await connection.ethers.provider.getBlock("latest"))!.timestamp);
    const opensAt = now + BigInt(SETUP_SECONDS);
    const specDir = mkdtempSync(path.join(os.tmpdir(), "kopilka-demo-spec-"));
    let created;
    try {
      await writeRoundSpec(specDir, round, { opensAt, closesAt: opensAt + BigInt(VOTING_SECONDS) });
      created = await createRound(ctx, { spec: path.join(specDir, "round.json") });
    } finally {
      rmSync(specDir, { recursive: true, force: true });
    }
    const selector = { round: created.round };
    // Each project's metadata names its category's picture, beside the round's other published files.
    await publishCategoryImages(roundDirectory(publicationBase, CHAIN_ID, created.round));
    await mint(ctx, selector);

    // Residents: the node's accounts may vote anywhere (they are the visitor's); the others live somewhere.
    const people = demoResidents(residentCount, DEMO_SEED);
    const homes = residentDistricts(people.length, round.districts, DEMO_SEED);
    const csvDir = mkdtempSync(path.join(os.tmpdir(), "kopilka-demo-residents-"));
    let batch;
    try {
      const csv = path.join(csvDir, "residents.csv");
      const rows = people.map((p, i) => `${p.address},${p.hardhat ? "any" : homes[i]}`);
      writeFileSync(csv, ["address,district", ...rows].join("\n") + "\n");
      batch = await importParticipants(ctx, selector, { csv });
    } finally {
      rmSync(csvDir, { recursive: true, force: true });
    }
    await open(ctx, selector);
    await advanceTimeTo(provider, opensAt);

    // A few thousand ballots, so the piggy banks are not empty when the visitor arrives.
    const reader = readerOf(ctx, created.round);
    const banks = await Promise.all(round.projects.map(async (_, id) => (await reader.project(id)).bank));
    const voting = people
      .slice(HARDHAT_ACCOUNT_COUNT, HARDHAT_ACCOUNT_COUNT + voterCount)
      .map((p, i) => ({ account: p.address, district: homes[HARDHAT_ACCOUNT_COUNT + i], amount: batch.each }));
    const allocations = demoAllocations(round, banks, voting, DEMO_SEED);
    const tree = StandardMerkleTree.load<ParticipantLeaf>(JSON.parse(readFileSync(batch.file, "utf8")));
    const ballots = ballotsFromTree(tree, batch.batchId, (account) => allocations.get(account.toLowerCase()));
    const progress = out.progress("Casting demo ballots", ballots.length);
    let shown = 0;
    const cast = await castBallots(provider, created.round, ballots, {
      onProgress: (done) => {
        for (; shown < done; shown++) progress.increment();
      },
    });
    progress.stop();
    if (cast.failed.length > 0) throw new CommandError(`${cast.failed.length} demo ballot(s) reverted`);
    out.info(`Cast ${cast.cast} ballots in ${cast.blocks} blocks (${cast.seconds.toFixed(1)} s)`);

    // The resident services: phone enrollment (the console gateway prints each code here), the relayer, and the
    // contest's content store and relay. Their registrar key holds the registrar role alone, as the services demand.
    const registrar = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${SERVICES_REGISTRAR}`);
    const roundContract = Round__factory.connect(created.round, (await connection.ethers.getSigners())[0]);
    await (await roundContract.grantRole(await roundContract.REGISTRAR_ROLE(), registrar.address)).wait();
    out.info("Starting the resident services (enrollment by phone, relayer, the contest's content and relay) ...");
    await storeDemoContent(contest.manifestFile, path.join(servicesDir, "services.sqlite"));
    services = await startServices({
      rpcUrl: node.url,
      round: created.round,
      contest: contest.contest,
      publication: publicationBase,
      db: path.join(servicesDir, "services.sqlite"),
      registrarKey: registrar.privateKey,
      options: ["--post-every", String(DEMO_POST_EVERY_SECONDS), "--host", host],
    });
    services.process.stdout!.on("data", (data: Buffer) => {
      for (const line of data.toString().split("\n"))
        if (line.startsWith("SMS to ")) out.info(`[demo SMS] ${line.slice(7)}`);
    });

    const manifest = JSON.parse(readFileSync(manifestPath(publicationBase, CHAIN_ID, created.round), "utf8"));
    // The snapshot the read-only pages paint from, rewritten while the demo runs.
    const snapshot = () =>
      writeSnapshot({ rpc: node.url, round: created.round, published: publicationBase, fromBlock: manifest.fromBlock });
    await snapshot();
    snapshots = setInterval(() => void snapshot().catch(() => undefined), SNAPSHOT_EVERY_MS);
    const config: DappConfig = {
      chainId: CHAIN_ID,
      chainName: "Hardhat (local demo)",
      rpcUrl: node.url,
      round: created.round as `0x${string}`,
      publishedBase: "/published",
      fromBlock: manifest.fromBlock,
      devWallet: true,
      servicesUrl: services.url,
      relayerUrl: services.url,
      contest: contest.contest as `0x${string}`,
      contestFromBlock: contest.fromBlock,
    };
    const configFile =
      options.configFile === undefined
        ? existsSync(path.join(root, "frontend", "package.json"))
          ? path.join(root, "frontend", "public", DAPP_CONFIG_FILE)
          : null
        : options.configFile;
    if (configFile !== null) {
      mkdirSync(path.dirname(configFile), { recursive: true });
      writeFileSync(configFile, JSON.stringify(config, null, 2) + "\n");
    }

    const { dist, reason } = frontendDist(root, options.buildFrontend ?? true, out);
    const prerenderer = path.join(root, "frontend", "dist-server", "server.js");
    const roundFiles = `/published/${CHAIN_ID}/${created.round.toLowerCase()}`;
    // The served site reaches the node at /rpc, on its own origin (no CORS preflight before each first request);
    // the config written for `npm run web:dev` above keeps the node's own URL.
    site = await serveSite({
      host,
      port: options.webPort ?? 8080,
      dist,
      publicationBase,
      config: { ...config, rpcUrl: "/rpc" },
      rpcUrl: node.url,
      prerender: dist && existsSync(prerenderer) ? prerenderer : undefined,
      notBuiltPage: notBuiltPage(reason ?? "", node.url, roundFiles),
    });
    return {
      rpcUrl: node.url,
      webUrl: site.url,
      servicesUrl: services.url,
      round: created.round as `0x${string}`,
      contest,
      config,
      dappServed: dist !== undefined,
      residents: people.length,
      ballots: cast.cast,
      castSeconds: cast.seconds,
      readySeconds: (performance.now() - started) / 1000,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function notBuiltPage(reason: string, rpcUrl: string, roundFiles: string): string {
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kopilka demo</title></head>
<body style="font-family: sans-serif; max-width: 42rem; margin: 3rem auto; line-height: 1.5">
<h1>Kopilka demo</h1>
<p>The round is running, but the dApp is not built: ${escape(reason)}.</p>
<ul>
<li>JSON-RPC: <code>${escape(rpcUrl)}</code> (chain id ${CHAIN_ID})</li>
<li>Round manifest: <a href="${roundFiles}/round.json">${roundFiles}/round.json</a></li>
<li>Residents' Merkle tree: <a href="${roundFiles}/participants/batch-0.json">${roundFiles}/participants/batch-0.json</a></li>
<li>Project metadata: <a href="${roundFiles}/projects/0.json">${roundFiles}/projects/0.json</a> ...</li>
<li>Runtime config: <a href="/kopilka.config.json">/kopilka.config.json</a></li>
</ul>
</body></html>
`;
}

/** What to tell the person who ran the demo. */
export function readyMessage(demo: RunningDemo, publicationBase: string): string {
  const accounts = demoResidents(HARDHAT_ACCOUNT_COUNT, DEMO_SEED);
  const voter = demoResidents(HARDHAT_ACCOUNT_COUNT + 1, DEMO_SEED)[HARDHAT_ACCOUNT_COUNT];
  const rpc = demo.rpcUrl;
  return [
    "",
    `Kopilka demo ready in ${demo.readySeconds.toFixed(0)} s: round ${demo.round}`,
    `  ${demo.residents} residents, ${demo.ballots} ballots cast, voting open for 14 days of chain time.`,
    "",
    demo.dappServed
      ? `  dApp:            ${demo.webUrl}`
      : `  dApp:            not built; ${demo.webUrl} lists the published files instead`,
    ...(demo.dappServed
      ? [
          `  Initiatives:     ${demo.webUrl}/contest  (${demo.contest.initiatives} of them, ${demo.contest.passed} passed)`,
        ]
      : []),
    `  JSON-RPC:        ${rpc}  (chain id ${CHAIN_ID})`,
    `  Resident services (enrollment by phone, relayer, the contest's content and relay): ${demo.servicesUrl}`,
    `    the demo SMS codes are printed here ("[demo SMS]") and listed at ${demo.servicesUrl}/enroll/demo/inbox`,
    `  Published files: ${demo.webUrl}/published/${CHAIN_ID}/${demo.round.toLowerCase()}/  (on disk: ${path.relative(process.cwd(), roundDirectory(publicationBase, CHAIN_ID, demo.round)) || "."})`,
    "",
    "Test accounts (residents of any district, 10,000 ETH each for gas). Import one into your wallet, with the",
    `network "Hardhat" at ${rpc}, chain id ${CHAIN_ID}; or the whole mnemonic: ${HARDHAT_MNEMONIC}`,
    ...accounts.slice(1, 6).map((a, i) => `  #${i + 1} ${a.address}  key ${a.privateKey}`),
    `  (#0 ${accounts[0].address} is the committee; #6..#19 follow the mnemonic)`,
    "",
    "Next:",
    "  - open the dApp, connect a test account, claim your allowance and put it into piggy banks;",
    `  - npx kopilka --rpc ${rpc} round show`,
    `  - npx kopilka audit --rpc ${rpc} --round ${demo.round}`,
    `  - npx kopilka receipt --rpc ${rpc} --round ${demo.round} --address ${voter.address}`,
    `  - npx kopilka export --rpc ${rpc} --round ${demo.round} --format csv --out results/`,
    "",
    "  (every command takes --rpc: the demo's node, not whatever else listens on 8545)",
    "",
    "Ctrl-C stops the node, the resident services and the web server.",
  ].join("\n");
}

async function main(): Promise<void> {
  const port = (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError("expected a port number");
    return Number(value);
  };
  const count = (value: string) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number");
    return Number(value);
  };
  const program = new Command("demo")
    .description("start a local chain with the Volgograd demo round and serve the dApp")
    .option("--port <port>", "JSON-RPC port of the local node", port, 8545)
    .option("--web-port <port>", "port of the dApp and the published files", port, 8080)
    .option("--residents <count>", "demo residents", count, 3_000)
    .option("--votes <count>", "ballots cast before you arrive", count, 2_500)
    .parse();
  const flags = program.opts<{ port: number; webPort: number; residents: number; votes: number }>();
  let demo: RunningDemo | undefined;
  const shutdown = async (signal: string) => {
    console.log(`\n${signal}: stopping the demo...`);
    await demo?.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  try {
    demo = await startDemo({
      rpcPort: flags.port,
      webPort: flags.webPort,
      residents: flags.residents,
      voters: flags.votes,
    });
  } catch (error) {
    console.error(`Error: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(readyMessage(demo, path.join(ROOT, "published")));
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
