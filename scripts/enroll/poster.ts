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
 *
 * The residents go to a round (`roundTarget`: its airdrop's batches; a replaced account is revoked) or to a contest of
 * initiatives before the round (`contestTarget`: the contest's own batches; a contest counts a resident by their
 * enrollment, so an account replaced by a new device needs no revocation and is let go at once).
 */
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { Contract, Interface, Transaction, type Provider, type TransactionReceipt, type Wallet } from "ethers";

import { airdropAbi, contestAbi, roundAbi } from "@kopilka/core/abi";
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
  /** The directory of published files of the round or contest (`<base>/<chainId>/<address>`). */
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

/** Where the poster puts residents, and how. */
export interface PostingTarget {
  chainId: bigint;
  /** The contract every transaction goes to. */
  to: string;
  /** The number of batches posted on-chain: the next posting's batch id. */
  batchCount(): Promise<number>;
  /** The calldata posting a batch's root (`total`: the allowances it adds). */
  postCall(root: string, total: bigint): string;
  /** The batch id a posting's receipt names, if it names one. */
  postedBatch(receipt: TransactionReceipt): number | undefined;
  /**
   * How an account replaced by a new device is revoked, and what became of it after a reverted revocation; absent
   * when the target counts a resident by their enrollment, not by their account (a contest).
   */
  revocation?: {
    call(account: string): string;
    afterRevert(account: string): Promise<"voted" | "revoked" | "unknown">;
  };
}

/** A round: batches of its airdrop, posted through the round with their allowances; replaced accounts revoked. */
export function roundTarget(reader: RoundReader, contracts: RoundContracts): PostingTarget {
  const round = new Interface(roundAbi);
  const airdrop = new Interface(airdropAbi);
  return {
    chainId: contracts.chainId,
    to: contracts.round,
    batchCount: () => reader.batchCount(contracts.airdrop),
    postCall: (root, total) => round.encodeFunctionData("postBatch", [root, total]),
    postedBatch: (receipt) => batchPosted(receipt, contracts.airdrop, airdrop, "BatchPosted"),
    revocation: {
      call: (account) => round.encodeFunctionData("revoke", [account]),
      async afterRevert(account) {
        const holder = await reader.holderOf(contracts.token, account);
        if (holder.kind === HolderKind.Resident) return "voted";
        return holder.kind === HolderKind.Revoked ? "revoked" : "unknown";
      },
    },
  };
}

/** A contest of initiatives: its own batches of residents (`postResidents(root)`), no allowance, no revocation. */
export function contestTarget(provider: Provider, chainId: bigint, contest: string): PostingTarget {
  const contract = new Contract(contest, contestAbi, provider);
  return {
    chainId,
    to: contest,
    batchCount: async () => Number(await contract.getFunction("batchCount")()),
    postCall: (root) => contract.interface.encodeFunctionData("postResidents", [root]),
    postedBatch: (receipt) => batchPosted(receipt, contest, contract.interface, "ResidentsPosted"),
  };
}

function batchPosted(receipt: TransactionReceipt, emitter: string, abi: Interface, event: string): number | undefined {
  const posted = receipt.logs
    .filter((log) => log.address.toLowerCase() === emitter.toLowerCase())
    .map((log) => abi.parseLog(log))
    .find((parsed) => parsed?.name === event);
  return posted ? Number(posted.args.batchId) : undefined;
}

const RECEIPT_TIMEOUT_MS = 120_000;

export class Poster {
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
    private readonly target: PostingTarget,
    private readonly wallet: Wallet,
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
      // Never posted, or posted to a target that counts the person, not the account: nothing to revoke.
      if (replaced.batchId === null || !this.target.revocation) {
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
    const batchId = this.nextBatch ?? (await this.target.batchCount());
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
      const onChain = await this.target.batchCount();
      if (onChain !== batchId) {
        // Another batch went on-chain since this posting was prepared (the service must be the round's only
        // registrar while it runs; this covers a crash between preparing and signing).
        console.warn(`poster: batch ${batchId} is taken on-chain; posting as batch ${onChain}`);
        batchId = onChain;
        this.store.renumber(tx.id, batchId);
      }
      published = publishBatch(this.options.roundDirectory, batchId, tree);
      data = this.target.postCall(tree.root, tx.total!);
      tx = { ...tx, batchId };
    } else {
      data = this.target.revocation!.call(tx.account!);
    }
    const provider = this.wallet.provider!;
    const fields = Promise.all([
      this.accountNonce ?? this.wallet.getNonce("pending"),
      provider.getFeeData(),
      provider.estimateGas({ from: this.wallet.address, to: this.target.to, data }).catch(() => 300_000n),
    ]);
    // Nothing is signed unless the files are written.
    const [[nonce, fees, gas]] = await Promise.all([fields, published]);
    const raw = await this.wallet.signTransaction({
      type: 2,
      chainId: this.target.chainId,
      nonce,
      to: this.target.to,
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
      const batchId = this.target.postedBatch(receipt) ?? tx.batchId!;
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
    const holder = await this.target.revocation!.afterRevert(account);
    if (holder === "voted") this.store.revocationRefused(account, "already-voted");
    else if (holder === "revoked") this.store.revoked(account);
  }
}

/** Every hash the transaction was signed with, the latest first. */
function hashesOf(tx: RecordedTx): string[] {
  return [tx.hash!, ...tx.previous];
}
