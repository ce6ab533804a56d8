/**
 * A resident's ballot as moves: from what the resident holds and what they want in each piggy bank, the withdrawals
 * and deposits that get them there, whether the allowance must be claimed first, and what stands in the way. The
 * dApp's direct transaction (`claimAndAllocate`, `allocate`, `withdraw`, `reallocate` on the round) and its signed
 * ballot for a relayer (`fromBanks`/`fromAmounts`/`toBanks`/`toAmounts`, see ./ballots.ts) are both derived from one
 * plan, so the two paths cannot disagree.
 */
import type { Address, Hex } from "viem";

import { ANY_DISTRICT } from "./participants.js";

/** A piggy bank on the ballot and what the resident has in it now, in kopecks. */
export interface BankHolding {
  bank: Address;
  /** The district the bank belongs to. */
  district: number;
  deposit: bigint;
}

/** What the resident holds before this ballot. */
export interface Holdings {
  /** False while the allowance is only on the participants list: the ballot then claims it first. */
  claimed: boolean;
  /** The district the resident's tokens may go to, or ANY_DISTRICT. */
  district: number;
  /** Tokens in no piggy bank: the balance, or the whole allowance before the claim. */
  unallocated: bigint;
  /** The piggy banks on the ballot (all zero before the claim). */
  banks: readonly BankHolding[];
}

/** What the resident wants in one bank after the ballot, in kopecks. A bank no wish names keeps its deposit. */
export interface Wish {
  bank: Address;
  amount: bigint;
}

/** One bank's change: positive puts tokens in, negative takes them out. Never zero. */
export interface BankChange {
  bank: Address;
  delta: bigint;
}

/** Why a ballot cannot be sent as it stands. */
export type BallotProblem =
  | { kind: "negative"; bank: Address; amount: bigint }
  | { kind: "unknownBank"; bank: Address }
  | { kind: "otherDistrict"; bank: Address; bankDistrict: number; district: number }
  | { kind: "overBudget"; by: bigint }
  | { kind: "unchanged" };

export interface BallotPlan {
  /** The allowance must be claimed in the same transaction (the resident's first ballot). */
  claim: boolean;
  /** Everything the resident has on this ballot: unallocated plus the deposits in its banks. */
  total: bigint;
  /** What the resident wants in the ballot's banks, all together. */
  wanted: bigint;
  /** `total - wanted`: left unallocated after the ballot, negative when the wishes exceed what there is. */
  left: bigint;
  /** The changes, in the order of `Holdings.banks`. */
  changes: readonly BankChange[];
  /** Empty when the ballot can be sent. */
  problems: readonly BallotProblem[];
}

/** The moves of a signed ballot (`IBallotBox.Ballot`): withdrawals first, then deposits; amounts positive. */
export interface BallotMoves {
  fromBanks: Address[];
  fromAmounts: bigint[];
  toBanks: Address[];
  toAmounts: bigint[];
}

/** The airdrop leaf a first ballot claims, as `claimAndAllocate` takes it. */
export interface AllowanceClaim {
  batchId: bigint;
  district: number;
  amount: bigint;
  enrollment: Hex;
  proof: readonly Hex[];
}

/** The one call on the round that carries out a plan when the resident pays for it. */
export type DirectCall =
  | {
      functionName: "claimAndAllocate";
      args: readonly [bigint, number, bigint, Hex, readonly Hex[], readonly Address[], readonly bigint[]];
    }
  | { functionName: "allocate" | "withdraw"; args: readonly [readonly Address[], readonly bigint[]] }
  | {
      functionName: "reallocate";
      args: readonly [readonly Address[], readonly bigint[], readonly Address[], readonly bigint[]];
    };

const key = (bank: string): string => bank.toLowerCase();

/**
 * Plans the ballot that takes `holdings` to `wishes`. Throws on holdings that cannot be (a negative amount, a bank
 * listed twice, a deposit before the claim) or a bank wished for twice: those are the caller's mistakes, not the
 * resident's. The resident's mistakes are in `problems`.
 */
export function planBallot(holdings: Holdings, wishes: readonly Wish[]): BallotPlan {
  const held = new Map<string, BankHolding>();
  if (holdings.unallocated < 0n) throw new Error(`unallocated tokens cannot be negative: ${holdings.unallocated}`);
  for (const holding of holdings.banks) {
    if (held.has(key(holding.bank))) throw new Error(`bank ${holding.bank} is on the ballot twice`);
    if (holding.deposit < 0n) throw new Error(`a deposit cannot be negative: ${holding.deposit} in ${holding.bank}`);
    if (!holdings.claimed && holding.deposit > 0n) {
      throw new Error(`nothing can be deposited before the claim, yet ${holding.bank} holds ${holding.deposit}`);
    }
    held.set(key(holding.bank), holding);
  }
  const wanted = new Map<string, bigint>();
  const problems: BallotProblem[] = [];
  for (const wish of wishes) {
    if (wanted.has(key(wish.bank))) throw new Error(`bank ${wish.bank} is wished for twice`);
    wanted.set(key(wish.bank), wish.amount);
    if (wish.amount < 0n) problems.push({ kind: "negative", bank: wish.bank, amount: wish.amount });
    if (!held.has(key(wish.bank))) problems.push({ kind: "unknownBank", bank: wish.bank });
  }

  const changes: BankChange[] = [];
  let total = holdings.unallocated;
  let wantedTotal = 0n;
  for (const { bank, district, deposit } of holdings.banks) {
    const target = wanted.get(key(bank)) ?? deposit;
    total += deposit;
    wantedTotal += target;
    if (target === deposit || target < 0n) continue;
    changes.push({ bank, delta: target - deposit });
    if (target > deposit && holdings.district !== ANY_DISTRICT && district !== holdings.district) {
      problems.push({ kind: "otherDistrict", bank, bankDistrict: district, district: holdings.district });
    }
  }
  const left = total - wantedTotal;
  if (left < 0n) problems.push({ kind: "overBudget", by: -left });
  if (changes.length === 0 && problems.length === 0) problems.push({ kind: "unchanged" });
  return { claim: !holdings.claimed, total, wanted: wantedTotal, left, changes, problems };
}

function sendable(plan: BallotPlan): void {
  if (plan.problems.length > 0) {
    throw new Error(`the ballot cannot be sent: ${plan.problems.map((p) => p.kind).join(", ")}`);
  }
}

/** The plan as a signed ballot's moves (the relayer attaches the claim itself). Throws on a plan with problems. */
export function ballotMoves(plan: BallotPlan): BallotMoves {
  sendable(plan);
  const from = plan.changes.filter((c) => c.delta < 0n);
  const to = plan.changes.filter((c) => c.delta > 0n);
  return {
    fromBanks: from.map((c) => c.bank),
    fromAmounts: from.map((c) => -c.delta),
    toBanks: to.map((c) => c.bank),
    toAmounts: to.map((c) => c.delta),
  };
}

/**
 * The plan as one call on the round, with the same moves as `ballotMoves`. `claim` is the resident's airdrop leaf,
 * needed when the plan claims. Throws on a plan with problems.
 */
export function directCall(plan: BallotPlan, claim?: AllowanceClaim): DirectCall {
  const { fromBanks, fromAmounts, toBanks, toAmounts } = ballotMoves(plan);
  if (plan.claim) {
    if (!claim) throw new Error("the first ballot claims the allowance: its leaf and proof are needed");
    return {
      functionName: "claimAndAllocate",
      args: [claim.batchId, claim.district, claim.amount, claim.enrollment, claim.proof, toBanks, toAmounts],
    };
  }
  if (fromBanks.length === 0) return { functionName: "allocate", args: [toBanks, toAmounts] };
  if (toBanks.length === 0) return { functionName: "withdraw", args: [fromBanks, fromAmounts] };
  return { functionName: "reallocate", args: [fromBanks, fromAmounts, toBanks, toAmounts] };
}
