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

/** Why a project cannot win, whatever the budget: the first rule it fails, in the order the rules are checked. */
export type Ineligibility = "noSupport" | "belowMinTokens" | "belowMinSupporters" | "notFull";

/** What became of one project: funded, or the reason it was not. */
export type ProjectOutcome =
  | { projectId: bigint; funded: true; /** What was left of the budget before it was funded. */ budgetLeft: bigint }
  | { projectId: bigint; funded: false; reason: Ineligibility }
  | {
      projectId: bigint;
      funded: false;
      reason: "didNotFit";
      /** What was left of the budget when its turn came: less than its cost. */
      budgetLeft: bigint;
    };

/** The tally with the outcome of every project, for people who ask why. */
export interface TallyExplanation extends TallyResult {
  /** One outcome per entry, in the order of the entries given. */
  outcomes: ProjectOutcome[];
}

/** The first rule `entry` fails, or undefined when it may win. */
export function ineligibility(entry: TallyEntry, rules: TallyRules): Ineligibility | undefined {
  if (entry.tokens === 0n) return "noSupport";
  if (entry.tokens < rules.minTokens) return "belowMinTokens";
  if (entry.supporters < rules.minSupporters) return "belowMinSupporters";
  if (rules.rule === Rule.PiggyBankFull && entry.tokens < entry.cost) return "notFull";
  return undefined;
}

/** Whether a project may win at all: some support, both minimums, and under PiggyBankFull a full bank. */
export function isEligible(entry: TallyEntry, rules: TallyRules): boolean {
  return ineligibility(entry, rules) === undefined;
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

/** The winners of one district with `budget` to spend, and why each other project did not win. */
export function explainDistrict(entries: readonly TallyEntry[], budget: bigint, rules: TallyRules): TallyExplanation {
  let remaining = budget;
  const winners: bigint[] = [];
  const decided = new Map<TallyEntry, ProjectOutcome>();
  for (const entry of rank(entries, rules)) {
    if (entry.cost <= remaining) {
      decided.set(entry, { projectId: entry.projectId, funded: true, budgetLeft: remaining });
      remaining -= entry.cost;
      winners.push(entry.projectId);
    } else {
      decided.set(entry, { projectId: entry.projectId, funded: false, reason: "didNotFit", budgetLeft: remaining });
    }
  }
  const outcomes = entries.map(
    (entry): ProjectOutcome =>
      decided.get(entry) ?? { projectId: entry.projectId, funded: false, reason: ineligibility(entry, rules)! },
  );
  return { winners, fundedTotal: budget - remaining, outcomes };
}

/** The winners of one district with `budget` to spend. */
export function tallyDistrict(entries: readonly TallyEntry[], budget: bigint, rules: TallyRules): TallyResult {
  const { winners, fundedTotal } = explainDistrict(entries, budget, rules);
  return { winners, fundedTotal };
}

/** Funds projects in this order while each cost fits what is left of the budget (as explainDistrict does). */
function fundInOrder(ranked: readonly TallyEntry[], budget: bigint): { winners: bigint[] } {
  let remaining = budget;
  const winners: bigint[] = [];
  for (const entry of ranked) {
    if (entry.cost <= remaining) {
      remaining -= entry.cost;
      winners.push(entry.projectId);
    }
  }
  return { winners };
}

/** Eligible projects with equal tokens whose order, which the tie-break alone decided, changed the winners. */
export interface DecidingTie {
  tokens: bigint;
  /** The tied projects, in the order the rule took them: the lower project id first. */
  projects: bigint[];
  /** Winners that would not have won had the tie gone the other way (the higher id first)... */
  won: bigint[];
  /** ...and the projects that would have won instead. */
  lost: bigint[];
}

/**
 * Every tie that decided the outcome: for each group of eligible projects with the same tokens, the winners are
 * recomputed with that group taken in the opposite order, and the tie is reported when they differ.
 */
export function decidingTies(entries: readonly TallyEntry[], budget: bigint, rules: TallyRules): DecidingTie[] {
  const ranked = rank(entries, rules);
  const winners = new Set(fundInOrder(ranked, budget).winners);
  const ties: DecidingTie[] = [];
  for (let start = 0; start < ranked.length;) {
    let end = start + 1;
    while (end < ranked.length && ranked[end].tokens === ranked[start].tokens) end++;
    if (end - start > 1) {
      const reversed = [...ranked.slice(0, start), ...ranked.slice(start, end).reverse(), ...ranked.slice(end)];
      const otherwise = new Set(fundInOrder(reversed, budget).winners);
      const won = [...winners].filter((id) => !otherwise.has(id));
      const lost = [...otherwise].filter((id) => !winners.has(id));
      if (won.length > 0 || lost.length > 0) {
        ties.push({
          tokens: ranked[start].tokens,
          projects: ranked.slice(start, end).map((e) => e.projectId),
          won,
          lost,
        });
      }
    }
    start = end;
  }
  return ties;
}
