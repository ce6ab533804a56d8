/**
 * The tally rule in TypeScript: the twin of `contracts/DistrictTally.sol`, used by the auditor and the dApp to
 * recompute a district's winners from chain data. The tests hold the two against each other; change both or
 * neither.
 */
import { Rule } from "./rule.js";

export interface TallyEntry {
  projectId: bigint;
  cost: bigint;
  tokens: bigint;
  supporters: bigint;
}

export interface TallyRules {
  rule: Rule;
  minTokens: bigint;
  minSupporters: bigint;
}

export interface TallyResult {
  /** Project ids of the winners, in the order they were funded. */
  winners: bigint[];
  fundedTotal: bigint;
}

/** Whether a project may win at all: some support, both minimums, and under PiggyBankFull a full bank. */
export function isEligible(entry: TallyEntry, rules: TallyRules): boolean {
  return (
    entry.tokens > 0n &&
    entry.tokens >= rules.minTokens &&
    entry.supporters >= rules.minSupporters &&
    (rules.rule !== Rule.PiggyBankFull || entry.tokens >= entry.cost)
  );
}

/** Ranks eligible projects: most tokens first, ties to the lower project id. */
export function rank(entries: readonly TallyEntry[], rules: TallyRules): TallyEntry[] {
  return entries
    .filter((entry) => isEligible(entry, rules))
    .sort((a, b) => {
      if (a.tokens !== b.tokens) return a.tokens > b.tokens ? -1 : 1;
      return a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0;
    });
}

/** The winners of one district with `budget` to spend. */
export function tallyDistrict(entries: readonly TallyEntry[], budget: bigint, rules: TallyRules): TallyResult {
  let remaining = budget;
  const winners: bigint[] = [];
  for (const entry of rank(entries, rules)) {
    if (entry.cost <= remaining) {
      remaining -= entry.cost;
      winners.push(entry.projectId);
    }
  }
  return { winners, fundedTotal: budget - remaining };
}
