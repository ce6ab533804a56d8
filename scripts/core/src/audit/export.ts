/**
 * Exports a round's results from the recount: per district and project (tokens, supporters, cost, won, funded
 * amount, implementation status) and anonymised ballots, where each voter is replaced by a sequential id in the
 * order of their claims on the chain; `pb` writes one Pabulib election per district (./pabulibExport.ts).
 */
import { implementationStatusKey } from "../domain/implementation.js";
import type { ProjectMetadata } from "../domain/metadata.js";
import { formatRubles } from "../domain/money.js";
import type { RoundData } from "./load.js";
import { pabulibFiles } from "./pabulibExport.js";
import type { PabulibSource } from "../domain/pabulib.js";
import type { Recount } from "./recount.js";

export type ExportFormat = "csv" | "json" | "pb";

export interface ProjectResult {
  district: number;
  districtName: string;
  project: number;
  cost: string;
  tokens: string;
  supporters: string;
  /** Winner by the recount (the audit checks it against the contract's answer). */
  won: boolean;
  /** What the contract funded: the cost when marked funded, else 0. */
  fundedAmount: string;
  implementationStatus: string;
  amountSpent: string;
}

export interface BallotLine {
  voter: number;
  /** The district the voter's allowance is bound to (65535: any). */
  voterDistrict: number;
  project: number;
  amount: string;
}

export interface RoundExport {
  round: string;
  chainId: string;
  toBlock: number;
  results: ProjectResult[];
  ballots: BallotLine[];
}

/** Results and anonymised ballots as plain data. */
export function exportData(data: RoundData, counted: Recount): RoundExport {
  const districtNames = new Map(data.districts.map((d) => [d.id, d.name]));
  const winners = new Set(counted.districts.flatMap((d) => d.result.winners.map(Number)));
  const results = data.projects
    .map((p): ProjectResult => {
      const bank = counted.banks.get(p.bank)!;
      return {
        district: p.district,
        districtName: districtNames.get(p.district) ?? "",
        project: p.id,
        cost: p.cost.toString(),
        tokens: bank.total.toString(),
        supporters: bank.supporters.toString(),
        won: winners.has(p.id),
        fundedAmount: (p.state.funded ? p.cost : 0n).toString(),
        implementationStatus: implementationStatusKey(p.implementation.status),
        amountSpent: p.implementation.amountSpent.toString(),
      };
    })
    .sort((a, b) => a.district - b.district || a.project - b.project);

  const projectOfBank = new Map(data.projects.map((p) => [p.bank, p.id]));
  const ballots: BallotLine[] = [];
  // Residents in claim order (the Map keeps insertion order, and claims are read in chain order).
  let voter = 0;
  for (const resident of counted.residents.values()) {
    const lines = [...resident.deposits]
      .filter(([, amount]) => amount > 0n)
      .map(([bank, amount]) => ({ project: projectOfBank.get(bank)!, amount }))
      .sort((a, b) => a.project - b.project);
    if (lines.length === 0) continue;
    voter++;
    for (const line of lines) {
      ballots.push({
        voter,
        voterDistrict: resident.claim.district,
        project: line.project,
        amount: line.amount.toString(),
      });
    }
  }
  return { round: data.round, chainId: data.chainId.toString(), toBlock: data.toBlock, results, ballots };
}

/** Columns holding kopecks: in files for Excel they are rubles with a decimal comma. */
const AMOUNT_COLUMNS = new Set(["cost", "tokens", "fundedAmount", "amountSpent", "amount"]);

/**
 * The export as files, name -> content: `results.csv` and `ballots.csv`, `round.json`, or `district-<id>.pb`
 * (project names and places come from `metadata`, the published files that match the chain; a round imported from
 * Pabulib gets its source files' names, META and project ids from `pabulibSource`). With `excel`, the
 * CSV files are what Russian Excel opens as it is: UTF-8 with a byte order mark, `;` between fields, and amounts in
 * rubles with a decimal comma ("1500,50") instead of kopecks.
 */
export function exportFiles(
  data: RoundData,
  counted: Recount,
  format: ExportFormat,
  metadata?: ReadonlyMap<number, ProjectMetadata>,
  options: { excel?: boolean; pabulibSource?: PabulibSource } = {},
): Record<string, string> {
  const exported = exportData(data, counted);
  const toCsv = (rows: Record<string, unknown>[], columns: string[]) => csvText(rows, columns, options.excel ?? false);
  switch (format) {
    case "json":
      return { "round.json": JSON.stringify(exported, null, 2) + "\n" };
    case "csv":
      return {
        "results.csv": toCsv(exported.results as unknown as Record<string, unknown>[], [
          "district",
          "districtName",
          "project",
          "cost",
          "tokens",
          "supporters",
          "won",
          "fundedAmount",
          "implementationStatus",
          "amountSpent",
        ]),
        "ballots.csv": toCsv(exported.ballots as unknown as Record<string, unknown>[], [
          "voter",
          "voterDistrict",
          "project",
          "amount",
        ]),
      };
    case "pb":
      return pabulibFiles(data, counted, metadata, options.pabulibSource);
  }
}

function csvText(rows: Record<string, unknown>[], columns: string[], excel: boolean): string {
  const separator = excel ? ";" : ",";
  const cell = (column: string, value: unknown): string => {
    const text =
      excel && AMOUNT_COLUMNS.has(column) ? formatRubles(BigInt(String(value))).replace(".", ",") : String(value);
    return /["\n\r]/.test(text) || text.includes(separator) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.join(separator), ...rows.map((row) => columns.map((c) => cell(c, row[c])).join(separator))];
  return (excel ? "\uFEFF" : "") + lines.join(excel ? "\r\n" : "\n") + (excel ? "\r\n" : "\n");
}
