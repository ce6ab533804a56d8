/**
 * The audit's Keccak-256 of bytes: hash-wasm's WebAssembly Keccak (the binary is inlined in the package, nothing is
 * fetched), set up once when this module loads. The tree rebuilds hash three times per leaf; @noble/hashes (viem's
 * keccak256) took 5.7-6.4 us per hash of these sizes on an idle machine and 13-19 us under load, hash-wasm 0.75-2.3 us
 * (`scripts/bench/keccak.ts`).
 * Where the platform will not compile WebAssembly (a page whose Content-Security-Policy lacks 'wasm-unsafe-eval',
 * as the dApp's does) it hashes with @noble/hashes: the same bytes, only slower. Only the auditor imports this, so
 * the WebAssembly (about 5 kB) is in the observers' page's chunk and in no resident's page.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { createKeccak, type IHasher } from "hash-wasm";

const wasm: IHasher | undefined = await createKeccak(256).catch(() => undefined);

/** What `keccak256Bytes` hashes with here. */
export const keccakEngine: "webassembly" | "javascript" = wasm ? "webassembly" : "javascript";

/** keccak256 of `data`, 32 bytes: the same as viem's `keccak256(data, "bytes")`. */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  return wasm ? wasm.init().update(data).digest("binary") : keccak_256(data);
}
