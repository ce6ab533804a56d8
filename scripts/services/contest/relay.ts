/**
 * Sends the contest relay's jobs (./jobs.ts) to the `Contest` contract, one transaction each, in the order they came,
 * with the relayer's sending code (../../relayer/transactions.ts): each transaction is simulated first (a job the contract
 * would refuse is rejected with the contract's own error, no fee spent), signed and recorded before it is broadcast,
 * then settled from its receipt. On start, and after any error, recorded transactions are finished first: by their
 * receipt, by broadcasting the very same bytes again, or, when the account's nonce moved on without them, by queueing
 * the job again.
 */
import { Interface, Transaction, type TransactionReceipt, type Wallet } from "ethers";

import { contestAbi } from "@kopilka/core/abi";
import { crashIf } from "../../relayer/fault.js";
import { broadcast, minedOf, receiptOf, replacementIfUnderpriced } from "../../relayer/transactions.js";
import type { Job, JobStore } from "./jobs.js";

const FUNCTIONS = { submit: "submit", amend: "amend", cosign: "cosign", sheet: "submitSheet" } as const;
const RECEIPT_TIMEOUT_MS = 120_000;

export interface ContestRelayOptions {
  /** How long a broadcast transaction may wait before its fee is checked against the market's, ms. */
  stuckMs: number;
}

export class ContestRelay {
  readonly contest: Interface = new Interface(contestAbi);
  private accountNonce = 0;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  lastError: string | undefined;

  constructor(
    private readonly jobs: JobStore,
    readonly address: string,
    private readonly wallet: Wallet,
    private readonly options: ContestRelayOptions,
  ) {}

  private get provider() {
    return this.wallet.provider!;
  }

  async start(): Promise<void> {
    await this.reconcile();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** A job was queued: send it now rather than at the next poll. */
  poke(): void {
    this.wake?.();
  }

  /** The calldata of a job's contract call. */
  calldata(job: Pick<Job, "kind" | "args">): string {
    return this.contest.encodeFunctionData(FUNCTIONS[job.kind], job.args);
  }

  /** The contract's error as `Name(arg, ...)`, or the raw reason. */
  describe(error: unknown): string {
    const data = revertData(error);
    if (data) {
      try {
        const parsed = this.contest.parseError(data);
        if (parsed) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
      } catch {
        // not one of the contract's errors
      }
      return data;
    }
    return error instanceof Error ? error.message.split("\n")[0] : String(error);
  }

  /** A view of the contest, decoded: its first return value. */
  async read(name: string, args: unknown[] = []): Promise<unknown> {
    const data = this.contest.encodeFunctionData(name, args);
    const result = await this.provider.call({ to: this.address, data });
    return this.contest.decodeFunctionResult(name, result)[0];
  }

  /** Simulates a call; undefined when the contract takes it, else its error. */
  async simulate(job: Pick<Job, "kind" | "args">): Promise<string | undefined> {
    try {
      await this.provider.call({ from: this.wallet.address, to: this.address, data: this.calldata(job) });
      return undefined;
    } catch (error) {
      return this.describe(error);
    }
  }

  private async reconcile(): Promise<void> {
    for (const job of this.jobs.submitted()) await this.finish(job);
    this.accountNonce = await this.wallet.getNonce("pending");
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let sent = false;
      try {
        if (this.jobs.submitted().length > 0) await this.reconcile();
        sent = await this.sendNext();
        this.lastError = undefined;
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        console.error(`contest relay: ${this.lastError}`);
      }
      if (!sent && !this.stopped) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, 200);
        });
      }
    }
  }

  private async sendNext(): Promise<boolean> {
    const job = this.jobs.nextQueued();
    if (!job) return false;
    const data = this.calldata(job);
    let gas: bigint;
    try {
      gas = await this.provider.estimateGas({ from: this.wallet.address, to: this.address, data });
    } catch (error) {
      this.jobs.settle(job.id, "rejected", this.describe(error));
      return true;
    }
    const fees = await this.provider.getFeeData();
    const raw = await this.wallet.signTransaction({
      type: 2,
      chainId: (await this.provider.getNetwork()).chainId,
      nonce: this.accountNonce,
      to: this.address,
      data,
      gasLimit: (gas * 12n) / 10n + 20_000n,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    const hash = Transaction.from(raw).hash!;
    this.jobs.record(job.id, hash, raw, this.accountNonce);
    this.accountNonce += 1;
    crashIf("contest-after-record");
    await this.finish(this.jobs.get(job.id)!);
    return true;
  }

  private async finish(job: Job): Promise<void> {
    const hashes = () => [job.hash!, ...job.previous];
    const chainNonce = await this.provider.getTransactionCount(this.wallet.address, "latest");
    let receipt = await minedOf(this.provider, hashes());
    if (!receipt && chainNonce <= job.accountNonce!) {
      await broadcast(this.provider, job.raw!);
      crashIf("contest-after-broadcast");
      receipt = await receiptOf(this.provider, hashes(), this.options.stuckMs);
      if (!receipt) {
        const replaced = await replacementIfUnderpriced(this.wallet, job.raw!);
        if (replaced) {
          this.jobs.replace(job, replaced.hash, replaced.raw);
          job = this.jobs.get(job.id)!;
          await broadcast(this.provider, replaced.raw);
        }
        receipt = await receiptOf(this.provider, hashes(), RECEIPT_TIMEOUT_MS);
      }
      if (!receipt) throw new Error(`transaction ${job.hash} is not mined yet; it stays recorded`);
    }
    if (!receipt) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      receipt = await minedOf(this.provider, hashes());
    }
    if (receipt) return this.settle(job, receipt);
    // The account's nonce moved on without this transaction: it can never be mined. The job is sent again, and
    // simulated first, so one the contract now refuses is rejected with its reason.
    this.jobs.settle(job.id, "queued", null);
  }

  private settle(job: Job, receipt: TransactionReceipt): void {
    if (receipt.status !== 1) {
      this.jobs.settle(job.id, "rejected", "the transaction reverted");
      return;
    }
    let initiative: string | null = null;
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.address.toLowerCase()) continue;
      const parsed = this.contest.parseLog(log);
      if (parsed?.name === "InitiativeSubmitted") initiative = parsed.args.initiative.toString();
    }
    this.jobs.settle(job.id, "applied", null, initiative);
  }
}

/** The revert data inside an ethers error, if any. */
function revertData(error: unknown): string | undefined {
  for (let inner: unknown = error, depth = 0; inner && depth < 5; depth++) {
    const candidate = (inner as { data?: unknown }).data;
    if (typeof candidate === "string" && /^0x[0-9a-fA-F]{8}/.test(candidate)) return candidate;
    inner =
      (inner as { error?: unknown; info?: { error?: unknown } }).error ??
      (inner as { info?: { error?: unknown } }).info?.error;
  }
  return undefined;
}
