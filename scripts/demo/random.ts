/**
 * A small seeded PRNG for the demo data. The demo must come out byte-identical on every machine and every run,
 * so nothing here touches Math.random or the clock. sfc32 (Chris Doty-Humphrey's small fast counting generator)
 * is well distributed, tiny, and its 32-bit state words survive JavaScript's number arithmetic exactly.
 */
import { keccak256, toUtf8Bytes } from "ethers";

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** Uniform real in [min, max). */
  real(min: number, max: number): number;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** An index chosen with probability proportional to its weight. */
  weighted(weights: readonly number[]): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

/** A generator seeded by any string: the seed is hashed so that nearby seeds give unrelated streams. */
export function createRng(seed: string): Rng {
  const digest = keccak256(toUtf8Bytes(seed));
  let a = parseInt(digest.slice(2, 10), 16) >>> 0;
  let b = parseInt(digest.slice(10, 18), 16) >>> 0;
  let c = parseInt(digest.slice(18, 26), 16) >>> 0;
  let d = parseInt(digest.slice(26, 34), 16) >>> 0;

  function nextUint32(): number {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  }
  // The first outputs of sfc32 still echo the seed; the reference implementation discards a dozen.
  for (let i = 0; i < 12; i++) nextUint32();

  const rng: Rng = {
    next: () => nextUint32() / 0x1_0000_0000,
    int: (min, max) => min + Math.floor(rng.next() * (max - min + 1)),
    real: (min, max) => min + rng.next() * (max - min),
    pick: (items) => {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[rng.int(0, items.length - 1)];
    },
    weighted: (weights) => {
      const total = weights.reduce((sum, w) => sum + w, 0);
      let point = rng.next() * total;
      for (let i = 0; i < weights.length; i++) {
        point -= weights[i];
        if (point < 0) return i;
      }
      return weights.length - 1;
    },
    chance: (p) => rng.next() < p,
  };
  return rng;
}
