/**
 * A voter's receipt: what one address claimed and where it put its tokens, each step with its transaction hash
 * and block time, and what it has in each bank now - the voter's own proof that the vote counted.
 */
import { districtLabel, formatTime, NO_LABELS, projectLabel, type Labels } from "../domain/display.js";
import { rubles } from "../domain/money.js";
import type { RoundData } from "./load.js";
import type { LogPlace } from "./events.js";
import type { Recount } from "./recount.js";
import { inPool, type Eip1193Provider } from "../chain/rpc.js";

export interface ReceiptStep {
  kind: "claim" | "deposit" | "withdrawal";
  amount: string;
  /** Project id of the bank, for deposits and withdrawals. */
  project?: number;
  /** Batch and district of a claim. */
  batch?: number;
  district?: number;
  block: number;
  /** Block time, seconds since the epoch. */
  time: number;
  tx: string;
}

export interface Receipt {
  round: string;
  address: string;
  claimed: string;
  /** Tokens the address holds, not in any bank. */
  balance: string;
  /** What the address has in each project's bank now. */
  allocations: {
    project: number;
    district: number;
    amount: string;
    projectTokens: string;
    /** Whether the project wins by the recount; provisional until its district is finalized. */
    projectWon: boolean;
    /** Whether the project's district is finalized, so that `projectWon` is the result. */
    finalized: boolean;
  }[];
  steps: ReceiptStep[];
}

/** Builds the receipt of `address`; block times come from eth_getBlockByNumber. */
export async function buildReceipt(
  rpc: Eip1193Provider,
  data: RoundData,
  counted: Recount,
  address: string,
): Promise<Receipt> {
  const account = address.toLowerCase();
  const projectOfBank = new Map(data.projects.map((p) => [p.bank, p]));
  const winners = new Set(counted.districts.flatMap((d) => d.result.winners.map(Number)));
  const finalized = new Set(data.districts.filter((d) => d.state.finalized).map((d) => d.id));
  const steps: (Omit<ReceiptStep, "time"> & { place: LogPlace })[] = [];
  for (const claim of data.claims) {
    if (claim.account !== account) continue;
    steps.push({
      kind: "claim",
      amount: claim.amount.toString(),
      batch: claim.batchId,
      district: claim.district,
      block: claim.place.block,
      tx: claim.place.tx,
      place: claim.place,
    });
  }
  for (const t of data.transfers) {
    const deposit = t.from === account && projectOfBank.has(t.to);
    const withdrawal = t.to === account && projectOfBank.has(t.from);
    if (!deposit && !withdrawal) continue;
    steps.push({
      kind: deposit ? "deposit" : "withdrawal",
      amount: t.amount.toString(),
      project: projectOfBank.get(deposit ? t.to : t.from)!.id,
      block: t.place.block,
      tx: t.place.tx,
      place: t.place,
    });
  }
  steps.sort((a, b) => a.place.block - b.place.block || a.place.logIndex - b.place.logIndex);

  const blocks = [...new Set(steps.map((s) => s.block))];
  const times = await inPool(blocks.length, 8, async (i) => {
    const block = (await rpc.request({
      method: "eth_getBlockByNumber",
      params: ["0x" + blocks[i].toString(16), false],
    })) as { timestamp: string };
    return Number(BigInt(block.timestamp));
  });
  const timeOf = new Map(blocks.map((b, i) => [b, times[i]]));

  const resident = counted.residents.get(account);
  const allocations = [...(resident?.deposits ?? new Map<string, bigint>())]
    .filter(([, amount]) => amount > 0n)
    .map(([bank, amount]) => {
      const project = projectOfBank.get(bank)!;
      return {
        project: project.id,
        district: project.district,
        amount: amount.toString(),
        projectTokens: counted.banks.get(bank)!.total.toString(),
        projectWon: winners.has(project.id),
        finalized: finalized.has(project.district),
      };
    })
    .sort((a, b) => a.project - b.project);

  return {
    round: data.round,
    address: account,
    claimed: (resident?.claim.amount ?? 0n).toString(),
    balance: (resident?.balance ?? 0n).toString(),
    allocations,
    steps: steps.map(({ place: _place, ...step }) => ({ ...step, time: timeOf.get(step.block)! })),
  };
}

/** The receipt for people: rubles, projects and districts by name, times in the round's time zone. */
export function formatReceipt(receipt: Receipt, labels: Labels = NO_LABELS): string {
  const lines = [
    `Receipt of ${receipt.address} in round ${receipt.round}`,
    `Claimed ${rubles(BigInt(receipt.claimed))}, not in any piggy bank ${rubles(BigInt(receipt.balance))}`,
  ];
  for (const step of receipt.steps) {
    const when = formatTime(step.time, labels.utcOffset);
    const amount = rubles(BigInt(step.amount));
    const what =
      step.kind === "claim"
        ? `claimed ${amount} (batch ${step.batch}, ${districtLabel(step.district!, labels)})`
        : step.kind === "deposit"
          ? `put ${amount} into ${projectLabel(step.project!, labels)}`
          : `took back ${amount} from ${projectLabel(step.project!, labels)}`;
    lines.push(`  ${when} block ${step.block} ${what} - tx ${step.tx}`);
  }
  for (const a of receipt.allocations) {
    const outcome = a.finalized
      ? a.projectWon
        ? "; the project wins"
        : "; the project does not win"
      : a.projectWon
        ? "; provisional: the project would win if voting ended now (its district is not finalized)"
        : "; provisional: its district is not finalized";
    lines.push(
      `Now in ${projectLabel(a.project, labels)} (${districtLabel(a.district, labels)}): ` +
        `${rubles(BigInt(a.amount))} of its ${rubles(BigInt(a.projectTokens))}${outcome}`,
    );
  }
  return lines.join("\n") + "\n";
}
