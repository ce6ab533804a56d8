/**
 * The auditor's library: `audit`, `exportRound` and `receipt`, each reading a round from any JSON-RPC endpoint
 * and, optionally, its published files. The committee's CLI wires them into `kopilka audit|export|receipt` and
 * `kopilka pabulib export` (scripts/cli/audit.ts).
 */
import { audit, checkRound, formatReport, loadAudited, reportJson, type AuditOptions } from "./audit.js";
import { exportFiles, type ExportFormat } from "./export.js";
import { verifiedMetadata } from "./pabulib.js";
import { buildReceipt, formatReceipt, type Receipt } from "./receipt.js";
import { destroyRpc, toRpc } from "./rpc.js";

export { audit, checkRound, formatReport, loadAudited, reportJson, formatReceipt };
export type { AuditOptions, AuditReport, CheckResult, CheckFailure, CheckStatus } from "./audit.js";
export type { ExportFormat, RoundExport, ProjectResult, BallotLine } from "./export.js";
export { exportData, exportFiles } from "./export.js";
export { pabulibElections, pabulibFiles } from "./pabulib.js";
export type { Receipt, ReceiptStep } from "./receipt.js";
export { readLogs, isRangeError, isTransientError, type LogReaderOptions, type RawLog } from "./logs.js";
export { toRpc, type Eip1193Provider, type RpcSource } from "./rpc.js";

/** Results and anonymised ballots of a round as files (name -> content). */
export async function exportRound(options: AuditOptions & { format: ExportFormat }): Promise<Record<string, string>> {
  const { data, counted, files } = await loadAudited({ ...options, residentBalances: false });
  const metadata = options.format === "pb" ? await verifiedMetadata(data, files) : undefined;
  return exportFiles(data, counted, options.format, metadata);
}

/** What `address` claimed and put where in the round, with transaction hashes and block times. */
export async function receipt(options: AuditOptions & { address: string }): Promise<Receipt> {
  const rpc = toRpc(options.rpc);
  try {
    const { data, counted } = await loadAudited({ ...options, rpc, residentBalances: false });
    return await buildReceipt(rpc, data, counted, options.address);
  } finally {
    if (typeof options.rpc === "string") destroyRpc(rpc);
  }
}
