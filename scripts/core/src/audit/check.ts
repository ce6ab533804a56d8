/** What every check of the audit reports, and how a check builds its result. */
export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckFailure {
  /** What failed, in words: an initiative is named by the number people read (`initiativeNumber`). */
  item: string;
  message: string;
  /** The on-chain id of the initiative the failure is about, for machines. */
  initiative?: number;
}

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** How many items the check looked at. */
  checked: number;
  failures: CheckFailure[];
  /** Why a check was skipped, or what it left out. */
  note?: string;
}

export function result(
  id: string,
  title: string,
  checked: number,
  failures: CheckFailure[],
  note?: string,
): CheckResult {
  return { id, title, status: failures.length > 0 ? "fail" : "pass", checked, failures, ...(note ? { note } : {}) };
}

export function skipped(id: string, title: string, note: string): CheckResult {
  return { id, title, status: "skip", checked: 0, failures: [], note };
}
