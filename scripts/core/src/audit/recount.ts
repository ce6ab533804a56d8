/**
 * The recount: from the events alone, every claim, every voter's deposits and withdrawals, every bank's total,
 * the district totals and the winners by the reference tally (scripts/core/src/domain/tally.ts), never the contract's answer.
 */
import type { Rule } from "../domain/rule.js";
import { tallyDistrict, type TallyEntry, type TallyResult } from "../domain/tally.js";
import type { ClaimData, RoundData, TransferData } from "./load.js";

export interface ResidentRecount {
  account: string;
  claim: ClaimData;
  deposited: bigint;
  withdrawn: bigint;
  /** What the resident has in each bank now, by bank address (zero entries removed). */
  deposits: Map<string, bigint>;
  /** claimed - deposited + withdrawn: what the resident should hold. */
  balance: bigint;
}

export interface BankRecount {
  bank: string;
  projectId: number;
  deposited: bigint;
  withdrawn: bigint;
  total: bigint;
  /** Voters with a positive deposit now. */
  supporters: bigint;
}

export interface DistrictRecount {
  id: number;
  tokens: bigint;
  entries: TallyEntry[];
  result: TallyResult;
}

export interface Recount {
  /** Sum and count of claims per batch id. */
  batches: Map<number, { claims: number; sum: bigint }>;
  residents: Map<string, ResidentRecount>;
  banks: Map<string, BankRecount>;
  districts: DistrictRecount[];
  minted: bigint;
  granted: bigint;
  /** Claims by an account that had claimed before (the token refuses them; seen only on a broken chain). */
  duplicateClaims: ClaimData[];
  /** Transfers that are none of mint, grant, deposit or withdrawal. */
  unexpectedTransfers: TransferData[];
  /** Grants (round -> account) whose amount does not match the account's Claimed event. */
  grantMismatches: { transfer: TransferData; claimed?: bigint }[];
  /** Transfers into a bank and out of one. */
  depositCount: number;
  withdrawalCount: number;
}

const ZERO = "0x0000000000000000000000000000000000000000";

export function recount(data: RoundData): Recount {
  const batches = new Map<number, { claims: number; sum: bigint }>();
  const residents = new Map<string, ResidentRecount>();
  const duplicateClaims: ClaimData[] = [];
  for (const claim of data.claims) {
    const batch = batches.get(claim.batchId) ?? { claims: 0, sum: 0n };
    batch.claims++;
    batch.sum += claim.amount;
    batches.set(claim.batchId, batch);
    if (residents.has(claim.account)) {
      duplicateClaims.push(claim);
      continue;
    }
    residents.set(claim.account, {
      account: claim.account,
      claim,
      deposited: 0n,
      withdrawn: 0n,
      deposits: new Map(),
      balance: claim.amount,
    });
  }

  const banks = new Map<string, BankRecount>();
  let depositCount = 0;
  let withdrawalCount = 0;
  for (const p of data.projects) {
    banks.set(p.bank, { bank: p.bank, projectId: p.id, deposited: 0n, withdrawn: 0n, total: 0n, supporters: 0n });
  }

  let minted = 0n;
  let granted = 0n;
  const grants = new Map<string, bigint>();
  const unexpectedTransfers: TransferData[] = [];
  const grantMismatches: Recount["grantMismatches"] = [];
  // The hot loop of a full-scale recount (~370,000 transfers): one map lookup per side where possible, and a
  // transfer's object made only when it is reported.
  const transfers = data.transfers;
  for (let i = 0; i < transfers.length; i++) {
    const from = transfers.fromAt(i);
    const to = transfers.toAt(i);
    const amount = transfers.amountAt(i);
    if (from === data.round) {
      const resident = residents.get(to);
      granted += amount;
      if (resident === undefined || resident.claim.amount !== amount || grants.has(to)) {
        grantMismatches.push({ transfer: transfers.at(i), claimed: resident?.claim.amount });
      }
      grants.set(to, amount);
      continue;
    }
    const toBank = banks.get(to);
    if (toBank !== undefined) {
      depositCount++;
      const resident = residents.get(from);
      if (resident !== undefined) {
        resident.deposited += amount;
        resident.balance -= amount;
        resident.deposits.set(to, (resident.deposits.get(to) ?? 0n) + amount);
        toBank.deposited += amount;
        toBank.total += amount;
        continue;
      }
    }
    const fromBank = banks.get(from);
    if (fromBank !== undefined) {
      if (toBank === undefined) withdrawalCount++;
      const resident = residents.get(to);
      if (resident !== undefined) {
        resident.withdrawn += amount;
        resident.balance += amount;
        resident.deposits.set(from, (resident.deposits.get(from) ?? 0n) - amount);
        fromBank.withdrawn += amount;
        fromBank.total -= amount;
        continue;
      }
    }
    if (from === ZERO && to === data.round) minted += amount;
    else unexpectedTransfers.push(transfers.at(i));
  }
  for (const resident of residents.values()) {
    resident.deposits.forEach((amount, bank, deposits) => {
      if (amount === 0n) deposits.delete(bank);
      else if (amount > 0n) banks.get(bank)!.supporters++;
    });
  }
  for (const claim of data.claims) {
    if (!grants.has(claim.account)) grantMismatches.push({ transfer: missingGrant(claim), claimed: claim.amount });
  }

  const rules = {
    rule: data.config.rule as Rule,
    minTokens: data.config.minTokens,
    minSupporters: data.config.minSupporters,
  };
  const districts = data.districts.map((d): DistrictRecount => {
    const entries = data.projects
      .filter((p) => p.district === d.id)
      .map((p): TallyEntry => {
        const bank = banks.get(p.bank)!;
        return { projectId: BigInt(p.id), cost: p.cost, tokens: bank.total, supporters: bank.supporters };
      });
    const tokens = entries.reduce((sum, e) => sum + e.tokens, 0n);
    return { id: d.id, tokens, entries, result: tallyDistrict(entries, d.budget, rules) };
  });

  return {
    batches,
    residents,
    banks,
    districts,
    minted,
    granted,
    duplicateClaims,
    unexpectedTransfers,
    grantMismatches,
    depositCount,
    withdrawalCount,
  };
}

function missingGrant(claim: ClaimData): TransferData {
  return { from: "(none)", to: claim.account, amount: 0n, place: claim.place };
}
