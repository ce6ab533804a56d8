/**
 * A Pabulib replay over http, as a committee member runs it against `npx hardhat node`. Between the tool and the
 * node sits a proxy (a child process) that closes a connection left idle for a second, as the node does after five:
 * a step that held the event loop longer than that made the next request fail with "other side closed" (issue 14,
 * 29,162 voters). A second is short enough to see it with a few thousand voters.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { network } from "hardhat";

import { lineProgress } from "../../scripts/cli/context.js";
import { importPabulib } from "../../scripts/cli/pabulib.js";
import { generatedElection } from "../../scripts/hardhat/generatedElection.js";
import { startHardhatNode, type LocalNode } from "../../scripts/hardhat/localnode.js";
import { writePabulib } from "@kopilka/core/pabulib";
import { commandContext, tempDir } from "./helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHAIN_ID = 31_338n;
const IDLE_MS = 1_000;

/**
 * A TCP proxy to `target` that closes a connection once it has been idle for `idleMs` after an answer, the way an
 * HTTP server's keep-alive timeout does (the node's own header still promises five seconds). Prints its port.
 */
const PROXY = `
const net = require("node:net");
const [target, idleMs] = [new URL(process.argv[1]), Number(process.argv[2])];
const server = net.createServer((client) => {
  const upstream = net.connect(Number(target.port), target.hostname);
  let idle;
  const close = () => { clearTimeout(idle); client.destroy(); upstream.destroy(); };
  client.on("data", (chunk) => { clearTimeout(idle); upstream.write(chunk); });
  upstream.on("data", (chunk) => {
    client.write(chunk);
    clearTimeout(idle);
    idle = setTimeout(() => { client.end(); upstream.end(); }, idleMs);
  });
  for (const socket of [client, upstream]) { socket.on("error", close); socket.on("close", close); }
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

async function startProxy(target: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["-e", PROXY, target, String(IDLE_MS)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once("exit", (code) => reject(new Error(`the proxy exited with code ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

describe("kopilka pabulib import --replay over http", function () {
  let node: LocalNode | undefined;
  let proxy: ChildProcess | undefined;
  let connection: Awaited<ReturnType<typeof network.create>>;
  let port: number;

  before(async function () {
    node = await startHardhatNode({ chainId: Number(CHAIN_ID) });
    port = node.port;
    const started = await startProxy(node.url);
    proxy = started.child;
    connection = await network.create({ network: "localhost", override: { url: started.url } });
  });

  after(async function () {
    await connection?.close();
    if (proxy && proxy.exitCode === null) {
      const exited = new Promise((resolve) => proxy!.once("exit", resolve));
      proxy.kill();
      await exited;
    }
    await node?.stop();
    const deployments = path.join(ROOT, "ignition", "deployments");
    rmSync(path.join(deployments, `chain-${CHAIN_ID}`), { recursive: true, force: true });
    if (existsSync(deployments) && readdirSync(deployments).length === 0) rmSync(deployments, { recursive: true });
  });

  it("replays 4,000 voters through a node that drops connections idle for a second", async function () {
    const dir = tempDir("kopilka-pabulib-node-");
    const file = path.join(dir, "generated.pb");
    const election = generatedElection({ voters: 4_000, projects: 20 });
    writeFileSync(file, writePabulib(election));
    // Progress as a log gets it (stdout not a terminal): lines.
    const lines: string[] = [];
    const out = {
      info: (line: string) => lines.push(line),
      progress: (label: string, total: number) => lineProgress(label, total, (line) => lines.push(line)),
    };
    const ctx = { ...commandContext(connection, dir, CHAIN_ID), out };
    const result = await importPabulib(ctx, { files: [file], replay: true });
    expect(result.replay!.ballots).to.equal(4_000);
    expect(result.replay!.districts[0].projects.some((p) => p.won)).to.equal(true);
    // Every long step said how far it got, though the output is not a terminal.
    for (const step of ["Reading the ballots", "Proofs of the ballots", "Casting ballots"]) {
      expect(lines.filter((line) => line.startsWith(`${step}: 4000/4000 done in`))).to.have.lengthOf(1);
    }
  });
  it("deploys afresh by itself after the node restarted, though Ignition's journal names the old chain's factory", async function () {
    const dir = tempDir("kopilka-pabulib-node-");
    const ctx = commandContext(connection, dir, CHAIN_ID);
    const fixture = path.join(ROOT, "test", "fixtures", "pabulib", "approval.pb");
    await importPabulib(ctx, { files: [fixture], replay: true });
    // The same node on the same port, its chain gone: the journal and the tool's record describe contracts that
    // no longer exist.
    await node!.stop();
    node = await startHardhatNode({ chainId: Number(CHAIN_ID), port });
    const second = await importPabulib(ctx, { files: [fixture], replay: true });
    expect(second.replay!.districts[0].differences).to.deep.equal([]);
    const said = (ctx.out as { lines?: string[] }).lines!;
    expect(
      said.filter((line) => /belongs to an earlier local chain: removed, deploying afresh/.test(line)),
    ).to.have.lengthOf(1);
  });
});
