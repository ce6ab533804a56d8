/**
 * The core on Node: the auditor with the file system (published directories) and worker threads (tree rebuilds
 * off the main thread), and file readers for the pure parsers. Everything else is imported from the platform
 * neutral modules (`@kopilka/core/audit`, `@kopilka/core/spec`, ...).
 */
import * as core from "../src/audit/index.js";
import type { AuditOptions, AuditReport, LoadedRound, Receipt } from "../src/audit/index.js";
import type { ExportFormat } from "../src/audit/export.js";
import type { TreeWorkerFactory } from "../src/audit/tree-rebuild.js";
import { readLocalBytes, readLocalFile } from "./files.js";
import { nodeTreeWorker } from "./worker.js";

// Everything of the auditor's library; the functions below replace their platform-neutral namesakes.
export * from "../src/audit/index.js";
export { loadRoundSpec, readLocalBytes, readLocalFile, readPabulibFile, readTableFile } from "./files.js";
export { nodeTreeWorker } from "./worker.js";
export { publishBatch, type PublishedBatch } from "./publish.js";
export { writeSnapshot, type WriteSnapshotOptions } from "./snapshot.js";

/** The auditor's options on Node: `treeWorker: false` rebuilds the trees on the main thread. */
export type NodeAuditOptions = Omit<AuditOptions, "treeWorker"> & { treeWorker?: boolean | TreeWorkerFactory };

/** Fills in Node's file reader and, unless told otherwise, worker threads. */
export function withNodeIo<T extends NodeAuditOptions>(options: T): T & AuditOptions {
  const { treeWorker } = options;
  return {
    readFile: readLocalFile,
    ...options,
    treeWorker: treeWorker === false ? undefined : typeof treeWorker === "function" ? treeWorker : nodeTreeWorker(),
  };
}

/** `audit` with Node's file system and worker threads. */
export const audit = (options: NodeAuditOptions): Promise<AuditReport> => core.audit(withNodeIo(options));

/** `loadAudited` with Node's file system and worker threads. */
export const loadAudited = (options: NodeAuditOptions, forChecks = false): Promise<LoadedRound> =>
  core.loadAudited(withNodeIo(options), forChecks);

/** `exportRound` with Node's file system. */
export const exportRound = (
  options: NodeAuditOptions & { format: ExportFormat; excel?: boolean },
): Promise<Record<string, string>> => core.exportRound(withNodeIo(options));

/** `labelledAudit` with Node's file system and worker threads. */
export const labelledAudit = (options: NodeAuditOptions & { contest?: core.ContestOfRound }) =>
  core.labelledAudit(withNodeIo(options));

/** `labelledReceipt` with Node's file system. */
export const labelledReceipt = (options: NodeAuditOptions & { address: string }) =>
  core.labelledReceipt(withNodeIo(options));

/** `receipt` with Node's file system. */
export const receipt = (options: NodeAuditOptions & { address: string }): Promise<Receipt> =>
  core.receipt(withNodeIo(options));

/** The content files of a contest under a directory or an http(s) base (`<base>/content/<hash>`). */
export const openContentFiles = (base: string) => core.openContent(base, readLocalBytes);
