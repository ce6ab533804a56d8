/**
 * The auditor's library: `audit`, `exportRound` and `receipt`, each reading a round from any JSON-RPC endpoint
 * and, optionally, its published files. Platform neutral: on Node, `@kopilka/core/node` gives the same functions
 * with the file system and worker threads; the committee's CLI wires those into `kopilka audit|export|receipt` and
 * `kopilka pabulib export` (scripts/cli/audit.ts), and the observers' page runs these in the browser.
 */
import {
  audit,
  checkRound,
  formatReport,
  loadAudited,
  reportJson,
  ruleText,
  tieText,
  type AuditOptions,
  type AuditReport,
} from "./audit.js";
import type { Labels } from "../domain/display.js";
import { labelsOf } from "./labels.js";
import { exportFiles, type ExportFormat } from "./export.js";
import { publishedPabulibSource, verifiedMetadata } from "./pabulibExport.js";
import { buildReceipt, formatReceipt, type Receipt } from "./receipt.js";
import { toRpc } from "../chain/rpc.js";
import { checkContest, loadContest, type ContentSource } from "./contest.js";

export { audit, checkRound, formatReport, loadAudited, reportJson, formatReceipt, labelsOf, ruleText, tieText };
export type { AuditOptions, AuditReport, CheckResult, CheckFailure, CheckStatus, LoadedRound } from "./audit.js";
export type { LocalFileReader } from "./files.js";
export type { TreeWorker, TreeWorkerFactory } from "./tree-rebuild.js";
export type { ExportFormat, RoundExport, ProjectResult, BallotLine } from "./export.js";
export { exportData, exportFiles } from "./export.js";
export { pabulibElections, pabulibFiles } from "./pabulibExport.js";
export type { Receipt, ReceiptStep } from "./receipt.js";
export { readLogs, isRangeError, isTransientError, type LogReaderOptions, type RawLog } from "./logs.js";
export { toRpc, type Eip1193Provider, type RpcSource } from "../chain/rpc.js";
export {
  checkBallot,
  checkContest,
  checkContent,
  checkGroups,
  checkOutcomes,
  checkSheets,
  loadContest,
  openContent,
  type BallotProject,
  type ContentSource,
  type ContestData,
  type InitiativeLink,
  type LocalBytesReader,
} from "./contest.js";

/** Results and anonymised ballots of a round as files (name -> content). */
export async function exportRound(
  options: AuditOptions & { format: ExportFormat; excel?: boolean },
): Promise<Record<string, string>> {
  const { data, counted, files } = await loadAudited({ ...options, residentBalances: false });
  const pb = options.format === "pb";
  const metadata = pb ? await verifiedMetadata(data, files) : undefined;
  const pabulibSource = pb ? await publishedPabulibSource(data, files) : undefined;
  return exportFiles(data, counted, options.format, metadata, { excel: options.excel, pabulibSource });
}

/** What `address` claimed and put where in the round, with transaction hashes and block times. */
export async function receipt(options: AuditOptions & { address: string }): Promise<Receipt> {
  return (await labelledReceipt(options)).receipt;
}

/** The receipt, with the names and time zone to print it with. */
export async function labelledReceipt(
  options: AuditOptions & { address: string },
): Promise<{ receipt: Receipt; labels: Labels }> {
  const rpc = toRpc(options.rpc);
  const { data, counted, files } = await loadAudited({ ...options, rpc, residentBalances: false });
  const [found, labels] = await Promise.all([buildReceipt(rpc, data, counted, options.address), labelsOf(data, files)]);
  return { receipt: found, labels };
}

/** The contest a round was made from (`round create --from-contest`), and where its content files are. */
export interface ContestOfRound {
  contest: string;
  content: ContentSource;
  /** First block of the contest's logs (default 0). */
  fromBlock?: number;
}

/**
 * The whole audit, with the names and time zone to print its report with. With `contest`, the contest's checks
 * are added: its content, sheets, outcomes and groups, and that the round's projects are exactly its passed
 * initiatives (read from the projects' verified metadata).
 */
export async function labelledAudit(
  options: AuditOptions & { contest?: ContestOfRound },
): Promise<{ report: AuditReport; labels: Labels }> {
  const loaded = await loadAudited(options, true);
  const labels = await labelsOf(loaded.data, loaded.files);
  const metadata = options.contest ? await verifiedMetadata(loaded.data, loaded.files) : undefined;
  const report = await checkRound(loaded);
  if (options.contest && metadata) {
    const contest = await loadContest({
      rpc: options.rpc,
      contest: options.contest.contest,
      fromBlock: options.contest.fromBlock,
      toBlock: report.toBlock,
    });
    const ballot = loaded.data.projects.map((project) => ({
      id: project.id,
      district: project.district,
      cost: project.cost,
      initiative: metadata.get(project.id)?.initiative,
    }));
    const checks = await checkContest(contest, options.contest.content, ballot);
    report.checks.push(...checks);
    report.ok = report.ok && checks.every((check) => check.status !== "fail");
  }
  return { report, labels };
}
