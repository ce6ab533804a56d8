/**
 * The poster: puts verified residents on-chain in rolling batches, every `postEveryMs` or as soon as `postSize` are
 * queued, whichever comes first; a posting takes every queued resident up to `postMax`, so that a poster that fell
 * behind (enrollments faster than its postings) catches up in larger postings. For each posting it records the batch
 * (its residents marked `posting`), writes the batch's files (tree, proof files, list pages) before the root goes
 * on-chain, signs `postBatch(root, total)` with the registrar key and records the signed transaction before
 * broadcasting it, then reads the receipt and marks the residents posted: from then on they can vote. A resident re-enrolled from a new device waits until the account
 * it replaces is revoked on-chain (a recorded transaction too), so that one phone never has two claimable accounts.
 * After a crash, whatever is recorded is finished first (the relayer's submitter pattern): the same signed bytes
 * broadcast again, or the posting prepared again when it was never signed.
 */
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { Interface, Transaction, type TransactionReceipt, type Wallet } from "ethers";

import { airdropAbi, roundAbi } from "@kopilka/core/abi";
import type { RoundReader } from "@kopilka/core/chain";
import { HolderKind } from "@kopilka/core/holder";
import { publishBatch } from "@kopilka/core/node";
import { buildParticipantTree, type ParticipantLeaf } from "@kopilka/core/participants";
import { crashIf } from "../relayer/fault.js";
import { broadcast, minedOf, receiptOf, replacementIfUnderpriced } from "../relayer/transactions.js";
import type { EnrollStore, RecordedTx } from "./store.js";

export interface PosterOptions {
  /** Longest a verified resident waits for a posting, in ms. */
  postEveryMs: number;
  /** Residents that make a posting due at once. */
  postSize: number;
  /** Most residents in one posting (at least `postSize`). */
  postMax: number;
  /** The round's directory of published files (`<base>/<chainId>/<round>`). */
  roundDirectory: string;
  /** How long a broadcast transaction may wait for a block before its fees are checked against the market's, in ms. */
  stuckMs?: number;
}

export interface RoundContracts {
  chainId: bigint;
  round: string;
  airdrop: string;
  token: string;
}

const RECEIPT_TIMEOUT_MS = 120_000;

export class Poster {
  private readonly roundInterface = new Interface(roundAbi);
  private readonly airdropInterface = new Interface(airdropAbi);
  private stopped = false;
  private loop?: Promise<void>;
  /** The tree of the posting being prepared, so that signing it does not build it again. */
  private prepared?: { id: number; tree: StandardMerkleTree<ParticipantLeaf> };
  /** The batch id the next posting takes, as last seen on-chain (read again before signing). */
  private nextBatch?: number;
  /**
   * The registrar account's next nonce, kept here after the first read, as the relayer's submitter keeps its own: a
   * node asked again right after a posting may answer the nonce it just used (ethers answers a repeated request from
   * its cache of the last 250 ms), and a transaction signed with a used nonce is never mined.
   */
  private accountNonce?: number;
  /** Why the last round of the loop stopped short, for /enroll/health. */
  lastError: string | undefined;
  /** Called after every posting that went on-chain (the capacity changed). */
  onPosted: () => void = () => {};

  constructor(
    private readonly store: EnrollStore,
    private readonly reader: RoundReader,
    private readonly wallet: Wallet,
    private readonly contracts: RoundContracts,
    readonly options: PosterOptions,
  ) {}

  async start(): Promise<void> {
    await this.finishRecorded();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Seconds a resident verified at `verifiedAt` can still expect to wait for the next posting. */
  expectedWait(now: number): number {
    const oldest = this.store.oldestQueued() ?? now;
    return Math.max(0, Math.ceil((oldest + this.options.postEveryMs - now) / 1000)) + 5;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let busy = false;
      try {
        await this.finishRecorded();
        busy = (await this.revokeReplaced()) || (await this.postDue());
        this.lastError = undefined;
      } catch (error) {
        // Read the nonce from the chain again: what went wrong may have left the one kept here behind or ahead.
        this.accountNonce = undefined;
        this.lastError = error instanceof Error ? error.message : String(error);
        console.error(`poster: ${this.lastError}`);
      }
      if (!busy) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Finishes every recorded transaction, oldest first. */
  private async finishRecorded(): Promise<void> {
    for (const tx of this.store.unfinished()) await this.finish(tx);
  }

  /** Sends the revocation of one account that a waiting resident replaces; returns whether it did anything. */
  private async revokeReplaced(): Promise<boolean> {
    for (const resident of this.store.waiting()) {
      const replaced = resident.replaces === null ? undefined : this.store.resident(resident.replaces);
      if (!replaced) continue;
      // Its posting is still under way: it is revoked once posted, or needs no revocation if it never is.
      if (replaced.posting !== null && replaced.batchId === null) continue;
      if (replaced.batchId === null) {
        this.store.revoked(replaced.account);
        return true;
      }
      if (this.store.revocationUnderway(replaced.account)) continue;
      const id = this.store.prepareRevocation(replaced.account, Date.now());
      await this.finish(this.store.unfinished().find((tx) => tx.id === id)!);
      return true;
    }
    return false;
  }

  /** Prepares and sends a posting when one is due; returns whether it did. */
  private async postDue(): Promise<boolean> {
    const queued = this.store.queued(Math.max(this.options.postMax, this.options.postSize));
    if (queued.length === 0) return false;
    const due = queued.length >= this.options.postSize || Date.now() - queued[0].verifiedAt >= this.options.postEveryMs;
    if (!due) return false;
    const tree = buildParticipantTree(queued);
    const total = queued.reduce((sum, r) => sum + r.amount, 0n);
    const batchId = this.nextBatch ?? (await this.reader.batchCount(this.contracts.airdrop));
    const id = this.store.preparePosting(
      batchId,
      tree.root,
      total,
      queued.map((r) => r.account),
      Date.now(),
    );
    this.prepared = { id, tree };
    await this.finish(this.store.unfinished().find((tx) => tx.id === id)!);
    return true;
  }

  /** Brings a recorded transaction to its end: signs and sends a prepared one, finishes a sent one. */
  private async finish(tx: RecordedTx): Promise<void> {
    const provider = this.wallet.provider!;
    // A prepared transaction was never signed, so never sent: it needs no look for its receipt before it is.
    const fresh = tx.status === "prepared";
    if (fresh) tx = await this.sign(tx);
    // The account's nonce is read before the receipt: a nonce past this transaction's with no receipt proves it can
    // never be mined.
    const chainNonce = fresh ? undefined : await provider.getTransactionCount(this.wallet.address, "latest");
    let receipt = fresh ? null : await minedOf(provider, hashesOf(tx));
    if (!receipt && (chainNonce === undefined || chainNonce <= tx.accountNonce!)) {
      await broadcast(provider, tx.raw!);
      crashIf("posting-after-broadcast");
      receipt = await receiptOf(provider, hashesOf(tx), this.options.stuckMs ?? RECEIPT_TIMEOUT_MS);
      if (!receipt) {
        const replaced = await this.replaceIfUnderpriced(tx);
        if (replaced) receipt = await receiptOf(provider, hashesOf((tx = replaced)), RECEIPT_TIMEOUT_MS);
      }
      if (!receipt) throw new Error(`transaction ${tx.hash} is not mined yet; it stays recorded`);
    }
    if (!receipt) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      receipt = await minedOf(provider, hashesOf(tx));
    }
    if (!receipt) {
      // Never mined and never will be: a posting's residents are queued again; a revocation is prepared again.
      this.accountNonce = undefined;
      if (tx.kind === "post") {
        this.store.notPosted(tx.id, "dropped", Date.now());
        this.nextBatch = undefined;
      } else this.store.settleTx(tx.id, "dropped", null, Date.now());
      return;
    }
    await this.settle(tx, receipt);
  }

  /** A transaction stuck below the market's fee, signed again with higher fees, recorded and broadcast; or not. */
  private async replaceIfUnderpriced(tx: RecordedTx): Promise<RecordedTx | undefined> {
    const replacement = await replacementIfUnderpriced(this.wallet, tx.raw!);
    if (!replacement) return undefined;
    this.store.replaceTx(tx.id, replacement.hash, replacement.raw);
    console.warn(`poster: ${tx.hash} stuck below the market fee; replaced by ${replacement.hash}`);
    await broadcast(this.wallet.provider!, replacement.raw);
    return { ...tx, hash: replacement.hash, raw: replacement.raw, previous: [...tx.previous, tx.hash!] };
  }

  /**
   * Writes a posting's files (again, after a crash) and signs and records its transaction, before any broadcast. The
   * account's nonce, the fees and the gas are asked for while the files are written.
   */
  private async sign(tx: RecordedTx): Promise<RecordedTx> {
    let data: string;
    let published: Promise<unknown> = Promise.resolve();
    if (tx.kind === "post") {
      const tree =
        this.prepared?.id === tx.id ? this.prepared.tree : buildParticipantTree(this.store.postingResidents(tx.id));
      this.prepared = undefined;
      let batchId = tx.batchId!;
      const onChain = await this.reader.batchCount(this.contracts.airdrop);
      if (onChain !== batchId) {
        // Another batch went on-chain since this posting was prepared (the service must be the round's only
        // registrar while it runs; this covers a crash between preparing and signing).
        console.warn(`poster: batch ${batchId} is taken on-chain; posting as batch ${onChain}`);
        batchId = onChain;
        this.store.renumber(tx.id, batchId);
      }
      published = publishBatch(this.options.roundDirectory, batchId, tree);
      data = this.roundInterface.encodeFunctionData("postBatch", [tree.root, tx.total!]);
      tx = { ...tx, batchId };
    } else {
      data = this.roundInterface.encodeFunctionData("revoke", [tx.account!]);
    }
    const provider = this.wallet.provider!;
    const fields = Promise.all([
      this.accountNonce ?? this.wallet.getNonce("pending"),
      provider.getFeeData(),
      provider.estimateGas({ from: this.wallet.address, to: this.contracts.round, data }).catch(() => 300_000n),
    ]);
    // Nothing is signed unless the files are written.
    const [[nonce, fees, gas]] = await Promise.all([fields, published]);
    const raw = await this.wallet.signTransaction({
      type: 2,
      chainId: this.contracts.chainId,
      nonce,
      to: this.contracts.round,
      data,
      gasLimit: (gas * 6n) / 5n,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    const hash = Transaction.from(raw).hash!;
    this.store.recordSigned(tx.id, hash, raw, nonce);
    this.accountNonce = nonce + 1;
    crashIf("posting-after-record");
    return { ...tx, status: "sent", hash, raw, accountNonce: nonce };
  }

  private async settle(tx: RecordedTx, receipt: TransactionReceipt): Promise<void> {
    const now = Date.now();
    if (tx.kind === "post") {
      if (receipt.status !== 1) {
        console.error(`poster: posting ${tx.hash} reverted; its residents are queued again`);
        this.store.notPosted(tx.id, "reverted", now);
        this.nextBatch = undefined;
        return;
      }
      const posted = receipt.logs
        .filter((log) => log.address.toLowerCase() === this.contracts.airdrop.toLowerCase())
        .map((log) => this.airdropInterface.parseLog(log))
        .find((parsed) => parsed?.name === "BatchPosted");
      const batchId = posted ? Number(posted.args.batchId) : tx.batchId!;
      if (batchId !== tx.batchId) console.error(`poster: posted as batch ${batchId}, published as ${tx.batchId}`);
      this.store.posted(tx.id, batchId, receipt.gasUsed, now);
      this.nextBatch = batchId + 1;
      this.onPosted();
      return;
    }
    const account = tx.account!;
    this.store.settleTx(tx.id, receipt.status === 1 ? "mined" : "reverted", receipt.gasUsed, now);
    if (receipt.status === 1) return this.store.revoked(account);
    // Reverted: claimed first (the resident voted from the old device), or revoked by an earlier attempt.
    const holder = await this.reader.holderOf(this.contracts.token, account);
    if (holder.kind === HolderKind.Resident) this.store.revocationRefused(account, "already-voted");
    else if (holder.kind === HolderKind.Revoked) this.store.revoked(account);
  }
}

/** Every hash the transaction was signed with, the latest first. */
function hashesOf(tx: RecordedTx): string[] {
  return [tx.hash!, ...tx.previous];
}
