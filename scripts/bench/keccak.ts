/**
 * Keccak-256 speed on the inputs the audit's tree rebuild hashes: a 128-byte leaf encoding, its 32-byte hash, and a
 * 64-byte pair of nodes, with @noble/hashes (what viem uses) and with hash-wasm. Prints microseconds per hash.
 * Run: `npx tsx scripts/bench/keccak.ts`.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { createKeccak } from "hash-wasm";

const ROUNDS = 200_000;
const hasher = await createKeccak(256);
const wasm = (data: Uint8Array): Uint8Array => hasher.init().update(data).digest("binary");

function inputs(size: number): Uint8Array[] {
  return Array.from({ length: 256 }, () => crypto.getRandomValues(new Uint8Array(size)));
}

function microsPerHash(hash: (data: Uint8Array) => Uint8Array, data: Uint8Array[]): number {
  for (let i = 0; i < 20_000; i++) hash(data[i % data.length]);
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) hash(data[i % data.length]);
  return ((performance.now() - start) * 1000) / ROUNDS;
}

for (const [name, size] of [
  ["leaf encoding", 128],
  ["leaf hash", 32],
  ["node pair", 64],
] as const) {
  const data = inputs(size);
  for (const d of data) {
    if (Buffer.compare(wasm(d), keccak_256(d)) !== 0) throw new Error(`hashes differ on ${name}`);
  }
  const noble = microsPerHash(keccak_256, data);
  const fast = microsPerHash(wasm, data);
  console.log(
    `${name} (${size} B): noble ${noble.toFixed(2)} us, hash-wasm ${fast.toFixed(2)} us, ${(noble / fast).toFixed(1)}x`,
  );
}
