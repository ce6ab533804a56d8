/**
 * Voting helpers shared by the attack, whole-round and tally-parity tests: "nothing moved" snapshots, and the
 * auditor's recount of a district from chain events alone.
 */
import { expect } from "chai";

import { type TallyEntry, type TallyRules } from "@kopilka/core/tally";
import type { CreatedRound } from "../../scripts/hardhat/fixtures.js";
import type { Round } from "../../typechain-types/index.js";

/** A small deterministic PRNG (mulberry32), so that a "random" round is the same on every run. */
export { prng } from "../../scripts/hardhat/generatedElection.js";

/** Everything an attack could move: the balances of the given accounts, the round and every bank, and totals. */
export async function ledger(created: CreatedRound, accounts: readonly string[]) {
  const { round, token, airdrop, banks } = created;
  const holders = [...accounts, await round.getAddress(), ...banks];
  const balances = await Promise.all(holders.map((holder) => token.balanceOf(holder)));
  const deposits = await Promise.all(
    accounts.flatMap((account) => banks.map((bank) => round.depositOf(bank, account))),
  );
  return {
    balances: Object.fromEntries(holders.map((holder, i) => [holder, balances[i]])),
    deposits,
    supply: await token.totalSupply(),
    claimed: await airdrop.claimedTotal(),
    batches: await airdrop.batchCount(),
  };
}

/** Runs `attack` (which must assert its own revert) and checks that no balance, deposit or total changed. */
export async function expectNothingMoved(
  created: CreatedRound,
  accounts: readonly string[],
  attack: () => Promise<void>,
): Promise<void> {
  const before = await ledger(created, accounts);
  await attack();
  expect(await ledger(created, accounts)).to.deep.equal(before);
}

/** The round's rules as the TypeScript tally takes them. */
export async function rulesOf(round: Round): Promise<TallyRules> {
  return {
    rule: Number(await round.rule()),
    minTokens: await round.minTokens(),
    minSupporters: BigInt(await round.minSupporters()),
  };
}

export interface RecountedDistrict {
  budget: bigint;
  entries: TallyEntry[];
}

/**
 * Recounts every district the way an auditor would, from events only: districts and projects from the round's
 * `DistrictAdded` / `ProjectAdded`, bank balances and supporters from the token's `Transfer`s. No contract
 * state is read, so a bug in the round's bookkeeping cannot hide in its own views.
 */
export async function recountFromEvents(created: CreatedRound): Promise<RecountedDistrict[]> {
  const { round, token } = created;
  const districts: RecountedDistrict[] = [];
  for (const event of await round.queryFilter(round.filters.DistrictAdded())) {
    districts[Number(event.args.district)] = { budget: event.args.budget, entries: [] };
  }
  const projectOfBank = new Map<string, TallyEntry>();
  for (const event of await round.queryFilter(round.filters.ProjectAdded())) {
    const entry = { projectId: event.args.projectId, cost: event.args.cost, tokens: 0n, supporters: 0n };
    districts[Number(event.args.district)].entries.push(entry);
    projectOfBank.set(event.args.bank.toLowerCase(), entry);
  }
  // What each voter has in each bank, to count supporters.
  const deposits = new Map<string, bigint>();
  const move = (bank: string, voter: string, amount: bigint) => {
    const entry = projectOfBank.get(bank.toLowerCase());
    if (!entry) return;
    const key = `${bank.toLowerCase()}/${voter.toLowerCase()}`;
    const before = deposits.get(key) ?? 0n;
    const after = before + amount;
    deposits.set(key, after);
    entry.tokens += amount;
    if (before === 0n && after > 0n) entry.supporters += 1n;
    if (before > 0n && after === 0n) entry.supporters -= 1n;
  };
  for (const event of await token.queryFilter(token.filters.Transfer())) {
    const { from, to, value } = event.args;
    move(to, from, value);
    move(from, to, -value);
  }
  for (const district of districts) district.entries.sort((a, b) => (a.projectId < b.projectId ? -1 : 1));
  return districts;
}

/** The project ids the round marked funded in `districtId`, ascending. */
export async function fundedProjects(round: Round, districtId: number): Promise<bigint[]> {
  const funded: bigint[] = [];
  for (const id of await round.districtProjectIds(districtId)) {
    if ((await round.project(id)).funded) funded.push(id);
  }
  return funded;
}

/** Ascending copy of a list of project ids, to compare winners regardless of funding order. */
export function ascending(ids: readonly bigint[]): bigint[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
