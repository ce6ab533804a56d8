/**
 * The audit's Keccak-256 of bytes: hash-wasm's WebAssembly Keccak (the binary is inlined in the package, nothing is
 * fetched), set up once when this module loads. The tree rebuilds hash three times per leaf; @noble/hashes (viem's
 * keccak256) took 13-19 us per hash of these sizes under load, hash-wasm 0.7-2.3 us (`scripts/bench/keccak.ts`).
 * Only the auditor imports this, so the WebAssembly loads on the observers' page and not on residents' pages.
 */
import { createKeccak } from "hash-wasm";

const hasher = await createKeccak(256);

/** keccak256 of `data`, 32 bytes: the same as viem's `keccak256(data, "bytes")`. */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  return hasher.init().update(data).digest("binary");
}
