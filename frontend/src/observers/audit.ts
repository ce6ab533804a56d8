/**
 * The CLI's auditor (@kopilka/core/audit), run in the browser: the same loading, recount and checks as
 * `kopilka audit --json`, so the report is the same JSON byte for byte. The library reads the chain through any
 * EIP-1193 provider (here the page's batching viem client) and the published files over HTTP.
 */
import { checkRound, loadAudited, reportJson, type AuditReport, type LoadedRound } from "@kopilka/core/audit/audit";
import { exportFiles, type ExportFormat } from "@kopilka/core/audit/export";
import { publishedPabulibSource, verifiedMetadata } from "@kopilka/core/audit/pabulibExport";
import type { PabulibSource } from "@kopilka/core/pabulib";
import type { ProjectMetadata } from "@kopilka/core/metadata";
import type { ChainEnvironment } from "../chain.js";
import { publicationRoot } from "../data/round.js";

export interface Progress {
  blocksDone: number;
  blocksTotal: number;
  logs: number;
}

export interface BrowserAudit {
  loaded: LoadedRound;
  report: AuditReport;
  /** The report as `kopilka audit --json` prints it. */
  json: string;
  /** Published metadata that matches the chain, by project id. */
  metadata: Map<number, ProjectMetadata>;
  /** For a round imported from Pabulib: the source's file names, META and project ids, so exports keep them. */
  pabulibSource?: PabulibSource;
}

export async function auditInBrowser(
  env: ChainEnvironment,
  onProgress: (progress: Progress) => void,
): Promise<BrowserAudit> {
  const loaded = await loadAudited(
    {
      rpc: env.rpc,
      round: env.config.round,
      published: publicationRoot(env).toString(),
      onProgress: (blocksDone, blocksTotal, logs) => onProgress({ blocksDone, blocksTotal, logs }),
      // No worker: the trees are rebuilt on this thread, in slices between the chain's answers.
    },
    true,
  );
  const report = await checkRound(loaded);
  const metadata = await verifiedMetadata(loaded.data, loaded.files);
  const pabulibSource = await publishedPabulibSource(loaded.data, loaded.files);
  return { loaded, report, json: reportJson(report), metadata, pabulibSource };
}

/** The exports of `kopilka export` (CSV, JSON, Pabulib), from the loaded round. */
export function exportsOf(audit: BrowserAudit, format: ExportFormat): Record<string, string> {
  const { data, counted } = audit.loaded;
  return format === "pb"
    ? exportFiles(data, counted, format, audit.metadata, { pabulibSource: audit.pabulibSource })
    : exportFiles(data, counted, format);
}

export interface Participation {
  /** Distinct voters who put tokens into a bank of each district, by district id. */
  votersByDistrict: Map<number, number>;
  /** Block of each voter's first deposit, in order: the cumulative participation curve. */
  firstVotes: number[];
}

/** Who voted where and when, from the token's Transfer events (a transfer into a piggy bank is a vote). */
export function participation(audit: BrowserAudit): Participation {
  const { data } = audit.loaded;
  const districtOfBank = new Map(data.projects.map((p) => [p.bank.toLowerCase(), p.district]));
  const voters = new Map<number, Set<string>>();
  const first = new Map<string, number>();
  for (const transfer of data.transfers) {
    const district = districtOfBank.get(transfer.to.toLowerCase());
    if (district === undefined) continue;
    const voter = transfer.from.toLowerCase();
    let set = voters.get(district);
    if (!set) voters.set(district, (set = new Set()));
    set.add(voter);
    if (!first.has(voter)) first.set(voter, transfer.place.block);
  }
  return {
    votersByDistrict: new Map([...voters].map(([d, s]) => [d, s.size])),
    firstVotes: [...first.values()].sort((a, b) => a - b),
  };
}
