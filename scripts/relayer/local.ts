/**
 * A local chain and relayer as child processes, for the relayer's tests and its load benchmark: a `hardhat node`
 * on a free loopback port, and the relayer service itself (`node --import tsx scripts/relayer/main.ts`), so that a
 * test can kill -9 it like any crash would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { HDNodeWallet } from "ethers";

import { publishBatch as publishFiles } from "@kopilka/core/node";
import type { ParticipantLeaf } from "@kopilka/core/participants";
import { freePort, startHardhatNode, type LocalNode } from "../hardhat/localnode.js";
import { roundDirectory } from "@kopilka/core/publication";
import type { FaultPoint } from "./fault.js";

export { freePort };

/** Hardhat's default accounts; the relayer takes one the round's roles and voters never use. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
export const RELAYER_ACCOUNT = 19;

export function hardhatAccount(index: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
}

export interface Child {
  process: ChildProcess;
  url: string;
  /** Everything the child wrote, for failure messages. */
  output: string[];
  /** kill -9: no cleanup, no flush, like a crash or a power cut of the process. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `command` and resolves once its output matches `ready`. */
export function startChild(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  url: string,
): Promise<Child> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not start:\n${output.join("")}`));
    }, 60_000);
    const onData = (data: Buffer) => {
      const text = data.toString();
      // hardhat node logs every request: keep only the start of its output.
      if (output.length < 200) output.push(text);
      if (ready.test(text)) {
        clearTimeout(timer);
        resolve({ process: child, url, output, kill9: () => stopWith("SIGKILL"), stop: () => stopWith("SIGTERM") });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (data: Buffer) => output.length < 200 && output.push(data.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(" ")} exited with ${code}:\n${output.join("")}`));
    });
  });
}

/** A `hardhat node` on a free port of 127.0.0.1. */
export async function startNode(): Promise<LocalNode> {
  return await startHardhatNode();
}

export interface RelayerSettings {
  rpcUrl: string;
  round: string;
  publication: string;
  db: string;
  /** Extra command-line options, e.g. ["--batch-size", "5"]. */
  options?: string[];
  /** Test-only fault injection: the relayer kills itself there, once (see fault.ts). */
  fault?: FaultPoint;
  port?: number;
}

/** The command line of one of the resident-facing servers (`scripts/<app>/main.ts`) for a round, on a port. */
export function serverArgs(
  app: "relayer" | "services",
  settings: { round?: string; contest?: string; publication: string; db: string; options?: string[] },
  port: number,
): string[] {
  return [
    "--import",
    "tsx",
    path.join("scripts", app, "main.ts"),
    ...(settings.round ? ["--round", settings.round] : []),
    ...(settings.contest ? ["--contest", settings.contest] : []),
    "--publication",
    settings.publication,
    "--db",
    settings.db,
    "--port",
    String(port),
    ...(settings.options ?? []),
  ];
}

/** The relayer service as a child process, answering on a free port of 127.0.0.1. */
export async function startRelayer(settings: RelayerSettings): Promise<Child> {
  const port = settings.port ?? (await freePort());
  return startChild(
    process.execPath,
    serverArgs("relayer", settings, port),
    {
      KOPILKA_RELAYER_RPC_URL: settings.rpcUrl,
      KOPILKA_RELAYER_KEY: hardhatAccount(RELAYER_ACCOUNT).privateKey,
      KOPILKA_RELAYER_FAULT: settings.fault ?? "",
    },
    /listening on/,
    `http://127.0.0.1:${port}`,
  );
}

/** Publishes a batch's files (tree, proof files, list) where the relayer (and the dApp) look for them. */
export async function publishBatch(
  base: string,
  chainId: bigint,
  round: string,
  batchId: bigint,
  tree: StandardMerkleTree<ParticipantLeaf>,
): Promise<void> {
  await publishFiles(roundDirectory(base, chainId, round), Number(batchId), tree);
}
