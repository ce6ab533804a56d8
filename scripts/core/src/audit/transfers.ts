/**
 * The round's Transfer events, held column by column: a full-scale round has millions of them, and one object each
 * (with its place and its amount as further objects) kept the garbage collector busy for seconds of an audit, and
 * gigabytes of heap at Yugra's size. Here a transfer is six numbers in typed arrays; its addresses and transaction
 * hash are kept once each. `at(i)` and iteration give the same `TransferData` objects the events describe, made on
 * demand; the recount reads the columns.
 */
import { AddressPool, type LogPlace } from "./events.js";

/** A Transfer event, as the auditor reads it. */
export interface TransferData {
  from: string;
  to: string;
  amount: bigint;
  place: LogPlace;
}

/** Amounts above this are kept apart, as bigints (a Float64Array holds every whole number up to it exactly). */
const LARGEST_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

export class TransferList implements Iterable<TransferData> {
  /** How many transfers are held. */
  length = 0;
  private from = new Uint32Array(1024);
  private to = new Uint32Array(1024);
  private amounts = new Float64Array(1024);
  private blocks = new Uint32Array(1024);
  private logIndexes = new Uint32Array(1024);
  private txIndexes = new Uint32Array(1024);
  /** Amounts too large for `amounts` (marked NaN there), by position. */
  private readonly largeAmounts = new Map<number, bigint>();
  private readonly txs: string[] = [];

  /** `addresses` numbers the senders and recipients (the decoder shares its pool). */
  constructor(private readonly addresses: AddressPool = new AddressPool()) {}

  /** Appends a transfer; `from` and `to` lower-case addresses. */
  push(from: string, to: string, amount: bigint, block: number, logIndex: number, tx: string): void {
    this.pushIds(this.addresses.idOf(from), this.addresses.idOf(to), amount, block, logIndex, tx);
  }

  /** Appends a transfer between the addresses numbered `from` and `to` in the pool. */
  pushIds(from: number, to: number, amount: bigint, block: number, logIndex: number, tx: string): void {
    const i = this.length;
    if (i === this.from.length) this.grow();
    this.from[i] = from;
    this.to[i] = to;
    if (amount <= LARGEST_EXACT && amount >= 0n) this.amounts[i] = Number(amount);
    else {
      this.amounts[i] = NaN;
      this.largeAmounts.set(i, amount);
    }
    this.blocks[i] = block;
    this.logIndexes[i] = logIndex;
    // The logs of one transaction come together: each hash is kept once.
    const last = this.txs.length - 1;
    if (last < 0 || this.txs[last] !== tx) this.txs.push(tx);
    this.txIndexes[i] = this.txs.length - 1;
    this.length = i + 1;
  }

  /** The `i`-th transfer's sender. */
  fromAt(i: number): string {
    return this.addresses.address(this.from[i]);
  }

  /** The `i`-th transfer's recipient. */
  toAt(i: number): string {
    return this.addresses.address(this.to[i]);
  }

  /** The `i`-th transfer's amount. */
  amountAt(i: number): bigint {
    const amount = this.amounts[i];
    return amount === amount ? BigInt(amount) : this.largeAmounts.get(i)!;
  }

  /** The `i`-th transfer as an object. */
  at(i: number): TransferData {
    return {
      from: this.fromAt(i),
      to: this.toAt(i),
      amount: this.amountAt(i),
      place: { block: this.blocks[i], logIndex: this.logIndexes[i], tx: this.txs[this.txIndexes[i]] },
    };
  }

  *[Symbol.iterator](): Iterator<TransferData> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  private grow(): void {
    const size = this.from.length * 2;
    const wider = <T extends Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.from = wider(this.from, (n) => new Uint32Array(n));
    this.to = wider(this.to, (n) => new Uint32Array(n));
    this.amounts = wider(this.amounts, (n) => new Float64Array(n));
    this.blocks = wider(this.blocks, (n) => new Uint32Array(n));
    this.logIndexes = wider(this.logIndexes, (n) => new Uint32Array(n));
    this.txIndexes = wider(this.txIndexes, (n) => new Uint32Array(n));
  }
}
