/**
 * Takes queued ballots in batches (by count, gas and waiting time) and submits them to the ballot box, one
 * transaction at a time. Every transaction is signed and recorded, with its hash, before it is broadcast, and its
 * outcome is read back from the receipt: on start, or after any error, recorded transactions are finished first,
 * by their receipt or by broadcasting the very same signed bytes again, so no ballot is ever in two transactions.
 */
import { Interface, Transaction, type TransactionReceipt, type Wallet } from "ethers";

import { airdropAbi, ballotBoxAbi, budgetTokenAbi, roundAbi } from "@kopilka/core/abi";
import { ballotCalldata, batchGasLimit } from "@kopilka/core/ballots";
import type { RoundView } from "./chain.js";
import { crashIf } from "./fault.js";
import { broadcast, minedOf, receiptOf, replacementIfUnderpriced } from "./transactions.js";
import type { Outcome, RelayerStore, StoredBallot, Submission } from "./store.js";

export interface SubmitterOptions {
  /** Most ballots in one transaction. */
  batchSize: number;
  /** Longest a ballot waits for its batch to fill, in ms. */
  batchMs: number;
  /** Most gas one transaction may be sent with; well below the 16,777,216 cap of a transaction. */
  maxBatchGas: bigint;
  /** Most gas spent in any hour. */
  gasPerHour: bigint;
  /** Times a ballot is put back in the queue after its transaction failed, before it is given up. */
  maxAttempts: number;
  /** How long a broadcast transaction may wait for a block before its fees are checked against the market's, in ms. */
  stuckMs?: number;
}

const HOUR_MS = 3_600_000;

/**
 * Every error a rejected ballot's reason can carry: the ballot box's, the round's, the token's and the airdrop's
 * (for the claim a first ballot carries), and the signature's, which the ballot box encodes by selector.
 */
const REJECTION_ERRORS = [
  ...new Map(
    [...ballotBoxAbi, ...roundAbi, ...budgetTokenAbi, ...airdropAbi]
      .filter((item) => item.type === "error")
      .map((item) => [JSON.stringify(item), item]),
  ).values(),
  "error ECDSAInvalidSignatureS(bytes32 s)",
];

const RECEIPT_TIMEOUT_MS = 120_000;

export class Submitter {
  readonly box: Interface = new Interface(ballotBoxAbi);
  private readonly reasons = new Interface(REJECTION_ERRORS);
  private accountNonce = 0;
  private stopped = false;
  private loop?: Promise<void>;
  /** Why the last round of the loop stopped short, for /health. */
  lastError: string | undefined;
  paused = false;

  constructor(
    private readonly store: RelayerStore,
    private readonly view: RoundView,
    private readonly wallet: Wallet,
    private readonly options: SubmitterOptions,
  ) {}

  /** Finishes what a previous run left recorded, then starts the loop. */
  async start(): Promise<void> {
    await this.reconcile();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  async reconcile(): Promise<void> {
    for (const submission of this.store.pendingSubmissions()) await this.finish(submission);
    this.accountNonce = await this.wallet.getNonce("pending");
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let sent = false;
      try {
        if (this.store.pendingSubmissions().length > 0) await this.reconcile();
        sent = await this.submitNext();
        this.lastError = undefined;
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        console.error(`relayer: ${this.lastError}`);
      }
      if (!sent) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Submits one batch if one is due; returns whether it did. */
  private async submitNext(): Promise<boolean> {
    const queued = this.store.queued(this.options.batchSize);
    if (queued.length === 0) return false;
    const due = queued.length >= this.options.batchSize || Date.now() - queued[0].acceptedAt >= this.options.batchMs;
    if (!due) return false;
    // Expired ballots are rejected even while the gas budget pauses submissions: a rejected ballot frees its voter
    // to sign again, a queued one would hold the voter until the pause ends.
    const now = BigInt((await this.wallet.provider!.getBlock("latest"))!.timestamp);
    const expired = queued.filter(({ ballot }) => ballot.deadline < now);
    if (expired.length > 0) {
      this.store.reject(
        expired.map((b) => b.id),
        "expired before submission",
      );
    }
    this.paused = this.store.gasSince(Date.now() - HOUR_MS) >= this.options.gasPerHour;
    if (this.paused) return expired.length > 0;

    const batch = this.fit(queued.filter(({ ballot }) => ballot.deadline >= now));
    if (batch.length === 0) return expired.length > 0;

    const calldata = batch.map(({ ballot, claim }) => ballotCalldata(ballot, claim));
    const data = this.box.encodeFunctionData("submit", [this.view.address, calldata]);
    const gasLimit = batchGasLimit(batch);
    const fees = await this.wallet.provider!.getFeeData();
    const raw = await this.wallet.signTransaction({
      type: 2,
      chainId: this.view.chainId,
      nonce: this.accountNonce,
      to: this.view.ballotBox,
      data,
      gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    const hash = Transaction.from(raw).hash!;
    const id = this.store.recordSubmission(
      hash,
      raw,
      this.accountNonce,
      gasLimit,
      batch.map((b) => b.id),
    );
    this.accountNonce += 1;
    crashIf("after-record");
    const [submission] = this.store.pendingSubmissions().filter((s) => s.id === id);
    await this.finish(submission);
    return true;
  }

  /** The longest prefix of `queued` whose transaction stays within the gas cap. */
  private fit(queued: StoredBallot[]): StoredBallot[] {
    const batch: StoredBallot[] = [];
    for (const entry of queued) {
      if (batchGasLimit([...batch, entry]) > this.options.maxBatchGas) break;
      batch.push(entry);
    }
    return batch;
  }

  /** Brings a recorded submission to its end: mined (read its receipt) or dropped (requeue what it did not use). */
  private async finish(submission: Submission): Promise<void> {
    const provider = this.wallet.provider!;
    // The account's nonce is read before the receipt: a nonce past this transaction's with no receipt after it
    // then proves the transaction can never be mined.
    const chainNonce = await provider.getTransactionCount(this.wallet.address, "latest");
    let receipt = await minedOf(provider, hashesOf(submission));
    if (!receipt && chainNonce <= submission.accountNonce) {
      // Not mined yet: broadcasting the same signed bytes again is harmless (same hash, same account nonce).
      await broadcast(provider, submission.raw);
      crashIf("after-broadcast");
      receipt = await receiptOf(provider, hashesOf(submission), this.options.stuckMs ?? RECEIPT_TIMEOUT_MS);
      if (!receipt && (await this.replaceIfUnderpriced(submission))) {
        receipt = await receiptOf(provider, hashesOf(submission), RECEIPT_TIMEOUT_MS);
      }
      if (!receipt) throw new Error(`transaction ${submission.hash} is not mined yet; it stays recorded`);
    }
    if (!receipt) {
      // Ethers may answer a request from its cache of the last 250 ms: ask again once that has expired.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      receipt = await minedOf(provider, hashesOf(submission));
    }
    if (receipt) return this.settle(submission, receipt);
    // The account's nonce moved on without this transaction: it can never be mined. Its ballots whose nonce is
    // still unused go back to the queue.
    const ballots = this.store.submissionBallots(submission.id);
    const nonces = await Promise.all(ballots.map(({ ballot }) => this.view.nonceOf(ballot.voter)));
    const outcomes: Outcome[] = ballots.map(({ id, ballot }, i) =>
      nonces[i] > ballot.nonce ? { id, status: "rejected", reason: "nonce used elsewhere" } : { id, status: "queued" },
    );
    this.store.settle(submission.id, "dropped", null, null, outcomes);
  }

  /** Signs a submission stuck below the market's fee again with higher fees, records it, broadcasts it; or not. */
  private async replaceIfUnderpriced(submission: Submission): Promise<boolean> {
    const replacement = await replacementIfUnderpriced(this.wallet, submission.raw);
    if (!replacement) return false;
    this.store.replaceSubmission(submission.id, replacement.hash, replacement.raw);
    console.warn(`relayer: ${submission.hash} stuck below the market fee; replaced by ${replacement.hash}`);
    submission.previous = [...submission.previous, submission.hash];
    submission.hash = replacement.hash;
    submission.raw = replacement.raw;
    await broadcast(this.wallet.provider!, replacement.raw);
    return true;
  }

  private settle(submission: Submission, receipt: TransactionReceipt): void {
    const ballots = this.store.submissionBallots(submission.id);
    const outcomes: Outcome[] = [];
    if (receipt.status !== 1) {
      for (const { id, attempts } of ballots) {
        outcomes.push(
          attempts >= this.options.maxAttempts
            ? { id, status: "rejected", reason: "submission reverted" }
            : { id, status: "queued" },
        );
      }
    } else {
      const rejected = new Map<string, string>();
      for (const log of receipt.logs) {
        if (log.address.toLowerCase() !== this.view.ballotBox.toLowerCase()) continue;
        const parsed = this.box.parseLog(log);
        if (parsed?.name !== "BallotRejected") continue;
        rejected.set(`${parsed.args.voter.toLowerCase()}:${parsed.args.nonce}`, this.describe(parsed.args.reason));
      }
      for (const { id, ballot, attempts } of ballots) {
        const reason = rejected.get(`${ballot.voter.toLowerCase()}:${ballot.nonce}`);
        if (reason === undefined) outcomes.push({ id, status: "applied" });
        else if (reason.startsWith("BallotBoxOutOfGas") && attempts < this.options.maxAttempts) {
          outcomes.push({ id, status: "queued" });
        } else outcomes.push({ id, status: "rejected", reason });
      }
    }
    this.store.settle(submission.id, "mined", receipt.gasUsed, receipt.blockNumber, outcomes);
  }

  /** A rejection reason as `ErrorName(arg, ...)`, or its raw bytes when it is not one of ours. */
  describe(reason: string): string {
    const error = this.reasons.parseError(reason);
    return error ? `${error.name}(${error.args.map(String).join(", ")})` : reason;
  }
}

/** Every hash the submission was signed with, the latest first. */
function hashesOf(submission: Submission): string[] {
  return [submission.hash, ...submission.previous];
}
