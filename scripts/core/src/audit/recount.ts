/**
 * The recount: from the events alone, every claim, every voter's deposits and withdrawals, every bank's total,
 * the district totals and the winners by the reference tally (scripts/core/src/domain/tally.ts), never the contract's answer.
 */
import type { Rule } from "../domain/rule.js";
import { tallyDistrict, type TallyEntry, type TallyResult } from "../domain/tally.js";
import type { ClaimData, ProjectData, RoundData, TransferData } from "./load.js";
import type { TransferList } from "./transfers.js";

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

/** The recount of a round's events, in one pass over them all. */
export function recount(data: RoundData): Recount {
  const counting = new Recounting(data.round);
  for (const claim of data.claims) counting.claim(claim);
  for (const project of data.projects) counting.project(project);
  counting.transfers(data.transfers, 0, data.transfers.length);
  return counting.finish(data);
}

/**
 * The recount fed as the logs arrive, chunk by chunk in chain order, so that it runs while the endpoint works on the
 * next chunk instead of after the last. It gives what `recount` gives: on a chain where it could not (a transfer
 * counted before the claim or the project that would have changed how it counts), `finish` recounts from the start.
 */
export function recountAsLogsArrive(round: string): {
  /** Takes the events decoded so far (each list the same one, grown). */
  add(claims: readonly ClaimData[], projects: readonly ProjectData[], transfers: TransferList): void;
  finish(data: RoundData): Recount;
} {
  const counting = new Recounting(round.toLowerCase());
  let claimsSeen = 0;
  let projectsSeen = 0;
  let transfersSeen = 0;
  const add = (claims: readonly ClaimData[], projects: readonly ProjectData[], transfers: TransferList): void => {
    for (; claimsSeen < claims.length; claimsSeen++) counting.claim(claims[claimsSeen]);
    for (; projectsSeen < projects.length; projectsSeen++) counting.project(projects[projectsSeen]);
    counting.transfers(transfers, transfersSeen, transfers.length);
    transfersSeen = transfers.length;
  };
  return {
    add,
    finish(data) {
      if (data.round !== counting.round) return recount(data);
      add(data.claims, data.projects, data.transfers);
      return counting.inOrder() ? counting.finish(data) : recount(data);
    },
  };
}

/**
 * The recount's state: claims, banks and transfers counted as they are given. `recount` gives every claim and bank
 * before any transfer; fed in chain order instead, a transfer may come before a claim or a bank it would have been
 * counted with, which `inOrder` tells (it remembers every account a transfer looked for and did not find).
 */
class Recounting {
  private readonly batches = new Map<number, { claims: number; sum: bigint }>();
  private readonly residents = new Map<string, ResidentRecount>();
  private readonly duplicateClaims: ClaimData[] = [];
  private readonly banks = new Map<string, BankRecount>();
  private depositCount = 0;
  private withdrawalCount = 0;
  private minted = 0n;
  private granted = 0n;
  private readonly grants = new Map<string, bigint>();
  private readonly unexpectedTransfers: TransferData[] = [];
  private readonly grantMismatches: Recount["grantMismatches"] = [];
  /** Accounts a transfer looked for among the residents, and among the banks, and did not find. */
  private readonly notResidents = new Set<string>();
  private readonly notBanks = new Set<string>();
  /** A bank given twice (two projects with one bank): its later project replaces the first. */
  private bankGivenAgain = false;

  constructor(readonly round: string) {}

  claim(claim: ClaimData): void {
    const batch = this.batches.get(claim.batchId) ?? { claims: 0, sum: 0n };
    batch.claims++;
    batch.sum += claim.amount;
    this.batches.set(claim.batchId, batch);
    if (this.residents.has(claim.account)) {
      this.duplicateClaims.push(claim);
      return;
    }
    this.residents.set(claim.account, {
      account: claim.account,
      claim,
      deposited: 0n,
      withdrawn: 0n,
      deposits: new Map(),
      balance: claim.amount,
    });
  }

  project(p: ProjectData): void {
    if (this.banks.has(p.bank)) this.bankGivenAgain = true;
    this.banks.set(p.bank, { bank: p.bank, projectId: p.id, deposited: 0n, withdrawn: 0n, total: 0n, supporters: 0n });
  }

  /** Counts transfers `start` to `end` (exclusive) of `transfers`. */
  transfers(transfers: TransferList, start: number, end: number): void {
    const { residents, banks, grants, round } = this;
    // The hot loop of a full-scale recount (~370,000 transfers): one map lookup per side where possible, and a
    // transfer's object made only when it is reported.
    for (let i = start; i < end; i++) {
      const from = transfers.fromAt(i);
      const to = transfers.toAt(i);
      const amount = transfers.amountAt(i);
      if (from === round) {
        const resident = residents.get(to);
        this.granted += amount;
        if (resident === undefined || resident.claim.amount !== amount || grants.has(to)) {
          if (resident === undefined) this.notResidents.add(to);
          this.grantMismatches.push({ transfer: transfers.at(i), claimed: resident?.claim.amount });
        }
        grants.set(to, amount);
        continue;
      }
      const toBank = banks.get(to);
      if (toBank === undefined) this.notBanks.add(to);
      else {
        this.depositCount++;
        const resident = residents.get(from);
        if (resident !== undefined) {
          resident.deposited += amount;
          resident.balance -= amount;
          resident.deposits.set(to, (resident.deposits.get(to) ?? 0n) + amount);
          toBank.deposited += amount;
          toBank.total += amount;
          continue;
        }
        this.notResidents.add(from);
      }
      const fromBank = banks.get(from);
      if (fromBank === undefined) this.notBanks.add(from);
      else {
        if (toBank === undefined) this.withdrawalCount++;
        const resident = residents.get(to);
        if (resident !== undefined) {
          resident.withdrawn += amount;
          resident.balance += amount;
          resident.deposits.set(from, (resident.deposits.get(from) ?? 0n) - amount);
          fromBank.withdrawn += amount;
          fromBank.total -= amount;
          continue;
        }
        this.notResidents.add(to);
      }
      if (from === ZERO && to === round) this.minted += amount;
      else this.unexpectedTransfers.push(transfers.at(i));
    }
  }

  /** Whether every transfer was counted as it would have been after every claim and bank. */
  inOrder(): boolean {
    if (this.bankGivenAgain) return false;
    for (const account of this.notBanks) if (this.banks.has(account)) return false;
    for (const account of this.notResidents) if (this.residents.has(account)) return false;
    return true;
  }

  finish(data: RoundData): Recount {
    const { residents, banks, grants, grantMismatches } = this;
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
      batches: this.batches,
      residents,
      banks,
      districts,
      minted: this.minted,
      granted: this.granted,
      duplicateClaims: this.duplicateClaims,
      unexpectedTransfers: this.unexpectedTransfers,
      grantMismatches,
      depositCount: this.depositCount,
      withdrawalCount: this.withdrawalCount,
    };
  }
}

function missingGrant(claim: ClaimData): TransferData {
  return { from: "(none)", to: claim.account, amount: 0n, place: claim.place };
}
