/**
 * A `hardhat node` as a child process on a loopback port: the demo runs on one, and the tests and benchmarks that
 * must reach a chain over real JSON-RPC start their own. Anvil (Foundry's node, from the npm `@foundry-rs/anvil`
 * packages) starts the same way, for the tests that hold the tools to another client. One place for starting,
 * waiting and stopping them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether a JSON-RPC endpoint answers `eth_chainId`. */
export async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return response.ok;
  } catch {
    return false;
  }
}

export interface LocalNodeOptions {
  /** Default: a free port. */
  port?: number;
  host?: string;
  /** Default: Hardhat's 31337. */
  chainId?: number;
  /** How long to wait for the node to answer. */
  timeoutMs?: number;
  /** More arguments: Node's own before Hardhat's CLI for `hardhat node`, the binary's for Anvil. */
  extraArgs?: string[];
  /** More environment variables for the node's process. */
  env?: Record<string, string>;
}

export interface LocalNode {
  url: string;
  port: number;
  child: ChildProcess;
  /** The tail of what the node printed, for error messages. */
  output(): string;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, and wait for the exit: a crash. */
  kill9(): Promise<void>;
}

/** Starts `hardhat node` (under this process's Node) and waits until it answers JSON-RPC. */
export async function startHardhatNode(options: LocalNodeOptions = {}): Promise<LocalNode> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await freePort(host));
  const args = [
    ...(options.extraArgs ?? []),
    path.join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js"),
    "node",
    "--hostname",
    host,
  ];
  args.push("--port", String(port));
  if (options.chainId !== undefined) args.push("--chain-id", String(options.chainId));
  return await startNode("hardhat node", process.execPath, args, { ...options, host, port });
}

/** The Anvil binary of this platform, from its npm package (`@foundry-rs/anvil-<os>-<arch>`). */
export function anvilBinary(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  const platform = process.platform;
  const binary = platform === "win32" ? "anvil.exe" : "anvil";
  return createRequire(import.meta.url).resolve(`@foundry-rs/anvil-${platform}-${arch}/bin/${binary}`);
}

/**
 * Starts Anvil (the same well-known development accounts as Hardhat's, 10,000 ETH each) and waits until it
 * answers JSON-RPC. Its default chain id is 31337 too; tests give another.
 */
export async function startAnvil(options: LocalNodeOptions = {}): Promise<LocalNode> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await freePort(host));
  const args = ["--host", host, "--port", String(port), "--silent"];
  if (options.chainId !== undefined) args.push("--chain-id", String(options.chainId));
  args.push(...(options.extraArgs ?? []));
  return await startNode("anvil", anvilBinary(), args, { ...options, host, port });
}

async function startNode(
  name: string,
  command: string,
  args: string[],
  options: LocalNodeOptions & { host: string; port: number },
): Promise<LocalNode> {
  const { host, port } = options;
  const url = `http://${host}:${port}`;
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  // The node logs every request; keep only the tail.
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const node: LocalNode = {
    url,
    port,
    child,
    output: () => tail,
    stop: () => stopWith("SIGTERM"),
    kill9: () => stopWith("SIGKILL"),
  };
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}:\n${tail}`);
    if (await rpcAnswers(url)) return node;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await node.stop();
  throw new Error(`${name} did not answer at ${url} within ${options.timeoutMs ?? 90_000} ms:\n${tail}`);
}
