/**
 * The read-only commands: `kopilka audit`, `kopilka export`, `kopilka receipt` and `kopilka pabulib export`. They
 * need no key and no Hardhat network: any JSON-RPC endpoint (--rpc URL) will do, and the auditor's library
 * (@kopilka/core/node) does the work. Each returns what it prints, so tests call them directly.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { SingleBar } from "cli-progress";
import { isAddress } from "ethers";

import {
  exportRound,
  formatReceipt,
  formatReport,
  labelledAudit,
  labelledReceipt,
  openContentFiles,
  reportJson,
  toRpc,
  type AuditOptions,
  type AuditReport,
  type ContestOfRound,
  type ExportFormat,
  type Receipt,
  type RpcSource,
} from "@kopilka/core/node";
import { CommandError } from "../hardhat/connection.js";
import { manifestPath } from "@kopilka/core/publication";

/** What every read-only command takes. */
export interface ReadOptions {
  /** A JSON-RPC URL, or a provider (the Hardhat network's, when --network is used instead of --rpc). */
  rpc: RpcSource;
  round: string;
  /** Directory or URL of the published files; by default the publication dir, when it holds this round. */
  published?: string;
  fromBlock?: number;
  toBlock?: number;
  factory?: string;
  /** First and largest log query ranges, in blocks. */
  chunk?: number;
  maxChunk?: number;
  /** Log count at which the endpoint may truncate an answer; a range that reaches it is split and read again. */
  resultCap?: number;
  /** Show a progress bar on stderr while reading logs (only on a terminal). */
  progress?: boolean;
}

/** The published files to read: --published, else the publication dir if it holds the round's manifest. */
async function publishedFor(options: ReadOptions, publicationBase: string): Promise<string | undefined> {
  if (options.published !== undefined) return options.published;
  const rpc = toRpc(options.rpc);
  const chainId = BigInt((await rpc.request({ method: "eth_chainId", params: [] })) as string);
  return existsSync(manifestPath(publicationBase, chainId, options.round)) ? publicationBase : undefined;
}

async function auditOptions(options: ReadOptions, publicationBase: string): Promise<AuditOptions> {
  if (!isAddress(options.round)) throw new CommandError(`--round ${options.round} is not an address`);
  return {
    rpc: options.rpc,
    round: options.round,
    published: await publishedFor(options, publicationBase),
    fromBlock: options.fromBlock,
    toBlock: options.toBlock,
    factory: options.factory,
    reader: { initialChunk: options.chunk, maxChunk: options.maxChunk, resultCap: options.resultCap },
  };
}

/** Runs `read` with a log-reading progress bar on stderr, when asked for and stderr is a terminal. */
async function withProgress<T>(
  enabled: boolean | undefined,
  read: (onProgress: AuditOptions["onProgress"]) => Promise<T>,
): Promise<T> {
  if (!enabled || !process.stderr.isTTY) return await read(undefined);
  const bar = new SingleBar({
    format: "Reading logs [{bar}] {percentage}% | blocks {value}/{total} | {logs} logs",
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  try {
    return await read((done, total, logs) => {
      if (!started) bar.start(total, 0, { logs: 0 });
      started = true;
      bar.update(done, { logs });
    });
  } finally {
    if (started) bar.stop();
  }
}

export interface AuditResult {
  report: AuditReport;
  /** The readable summary, or the JSON when asked for. */
  text: string;
}

/** `kopilka audit`: the independent recount and every check. */
export async function auditRound(
  options: ReadOptions & {
    json?: boolean;
    skipResidentBalances?: boolean;
    everyResidentBalance?: boolean;
    proofFiles?: boolean;
    contest?: string;
    contestContent?: string;
  },
  publicationBase: string,
): Promise<AuditResult> {
  const checked = await auditOptions(options, publicationBase);
  let contest: ContestOfRound | undefined;
  if (options.contest !== undefined) {
    if (!isAddress(options.contest)) throw new CommandError(`--contest ${options.contest} is not an address`);
    const rpc = toRpc(options.rpc);
    const chainId = BigInt((await rpc.request({ method: "eth_chainId", params: [] })) as string);
    const base = options.contestContent ?? path.join(publicationBase, String(chainId), options.contest.toLowerCase());
    contest = { contest: options.contest, content: openContentFiles(base) };
  }
  const auditing = {
    ...checked,
    residentBalances: options.skipResidentBalances ? false : options.everyResidentBalance ? ("all" as const) : true,
    // A directory's proof files are read by default; over HTTP that is one request a resident, so only when asked.
    proofFiles: options.proofFiles ?? (checked.published !== undefined && !/^https?:\/\//i.test(checked.published)),
  };
  const { report, labels } = await withProgress(options.progress, (onProgress) =>
    labelledAudit({ ...auditing, onProgress, contest }),
  );
  return { report, text: options.json ? reportJson(report) : formatReport(report, labels) };
}

/** `kopilka export` and `kopilka pabulib export`: the files by name, written under `out` when given. */
export async function exportResults(
  options: ReadOptions & { format: ExportFormat; out?: string; excel?: boolean },
  publicationBase: string,
): Promise<{ files: Record<string, string>; written: string[] }> {
  const auditing = await auditOptions(options, publicationBase);
  const files = await withProgress(options.progress, (onProgress) =>
    exportRound({ ...auditing, onProgress, format: options.format, excel: options.excel }),
  );
  const written: string[] = [];
  if (options.out !== undefined) {
    await mkdir(options.out, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(options.out, name);
      await writeFile(file, content);
      written.push(file);
    }
  }
  return { files, written };
}

/** `kopilka receipt`: what one address claimed and put where. */
export async function voterReceipt(
  options: ReadOptions & { address: string; json?: boolean },
  publicationBase: string,
): Promise<{ receipt: Receipt; text: string }> {
  if (!isAddress(options.address)) throw new CommandError(`--address ${options.address} is not an address`);
  const auditing = await auditOptions(options, publicationBase);
  const { receipt: found, labels } = await withProgress(options.progress, (onProgress) =>
    labelledReceipt({ ...auditing, onProgress, address: options.address }),
  );
  return {
    receipt: found,
    text: options.json ? JSON.stringify(found, null, 2) + "\n" : formatReceipt(found, labels),
  };
}
