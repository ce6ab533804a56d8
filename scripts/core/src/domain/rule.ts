/** How a district's winners are chosen; the numbers are the Solidity enum `IRound.Rule`. */
export enum Rule {
  /** Most tokens first (ties: lower project id), funded while each cost fits what is left of the budget. */
  Ranked = 0,
  /** Only projects whose piggy bank holds at least their cost qualify; those are then funded as in Ranked. */
  PiggyBankFull = 1,
}

/** The rules by the names a round spec and the reports use. */
export const RULE_KEYS = { ranked: Rule.Ranked, "piggy-bank-full": Rule.PiggyBankFull } as const;

export type RuleKey = keyof typeof RULE_KEYS;

/** The spec name of a rule ("ranked", "piggy-bank-full"). */
export function ruleKey(rule: Rule): RuleKey {
  return rule === Rule.PiggyBankFull ? "piggy-bank-full" : "ranked";
}
