/**
 * Residents' keys and the signature schemes of the ballot box (contracts/interfaces/IBallotBox.sol): a wallet's
 * secp256k1 key, or a P-256 key that a browser keeps with WebCrypto (non-extractable, in IndexedDB). A P-256 key's
 * voter address is derived from the public key (`keyAddress`); the key signs a ballot's 32-byte EIP-712 digest as
 * data, which WebCrypto hashes with SHA-256 first, and the ballot box verifies the signature of `sha256(digest)`.
 *
 * The dApp implements `P256DataSigner` with WebCrypto; Node (the relayer's tests, the benchmarks) uses
 * `p256KeySigner`, with @noble/curves. Both give `r ‖ s` and `normalizeP256` takes `s` to the lower half, as the
 * contract requires.
 */
import { p256 } from "@noble/curves/nist.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes, hexToBytes } from "@noble/hashes/utils.js";
import { encodeAbiParameters, getAddress, keccak256, type Address, type Hex } from "viem";

/** How a ballot is signed: the ballot box's `Ballot.scheme`. */
export const SignatureScheme = {
  /** A wallet: `signature` is `r ‖ s ‖ v`, 65 bytes. */
  Secp256k1: 0,
  /** A browser's WebCrypto key: `signature` is `r ‖ s ‖ qx ‖ qy`, 128 bytes. */
  P256: 1,
} as const;
export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];

/** A P-256 public key: its two coordinates, 32 bytes each, big-endian, as 0x hex. */
export interface P256PublicKey {
  x: Hex;
  y: Hex;
}

/** P-256's group order. */
export const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;

/**
 * Something holding a P-256 key that signs data as WebCrypto's `sign({name: "ECDSA", hash: "SHA-256"}, key, data)`
 * does: it hashes `data` with SHA-256 and returns `r ‖ s`, 64 bytes (IEEE P1363), with `s` in either half.
 */
export interface P256DataSigner {
  publicKey: P256PublicKey;
  signData(data: Uint8Array): Promise<Uint8Array>;
}

/** The voter address of a P-256 key: the last 20 bytes of `keccak256(abi.encode(qx, qy))` (`BallotBox.keyAddress`). */
export function keyAddress(key: P256PublicKey): Address {
  const hash = keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [word(key.x), word(key.y)]));
  return getAddress(`0x${hash.slice(-40)}`);
}

/** `r ‖ s` with `s` taken to the lower half of the order (`s = n - s`), the one form the ballot box accepts. */
export function normalizeP256(signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new Error(`a P-256 signature has 64 bytes (r ‖ s), not ${signature.length}`);
  const s = BigInt("0x" + bytesToHex(signature.subarray(32)));
  if (s <= HALF_ORDER) return signature;
  return concatBytes(signature.subarray(0, 32), hexToBytes((P256_ORDER - s).toString(16).padStart(64, "0")));
}

/** A ballot box P-256 signature: `r ‖ s ‖ qx ‖ qy`, with `s` normalised. */
export function p256Signature(rs: Uint8Array, key: P256PublicKey): Hex {
  return `0x${bytesToHex(concatBytes(normalizeP256(rs), hexToBytes(word(key.x).slice(2)), hexToBytes(word(key.y).slice(2))))}`;
}

/** Signs `digest` (32 bytes) as data with `signer`, as the ballot box verifies it: `r ‖ s ‖ qx ‖ qy`. */
export async function signDigestP256(signer: P256DataSigner, digest: Hex): Promise<Hex> {
  const bytes = hexToBytes(digest.slice(2));
  if (bytes.length !== 32) throw new Error(`a digest has 32 bytes, not ${bytes.length}`);
  return p256Signature(await signer.signData(bytes), signer.publicKey);
}

/**
 * The voter whose P-256 key signed `digest` with `signature` (`r ‖ s ‖ qx ‖ qy`), checked as the ballot box checks it
 * (low s, a valid signature of `sha256(digest)`), or undefined when it is no such signature.
 */
export function p256Signer(digest: Hex, signature: Hex): Address | undefined {
  const bytes = hexToBytes(signature.slice(2));
  const data = hexToBytes(digest.slice(2));
  if (bytes.length !== 128 || data.length !== 32) return undefined;
  const key: P256PublicKey = { x: `0x${bytesToHex(bytes.subarray(64, 96))}`, y: `0x${bytesToHex(bytes.subarray(96))}` };
  try {
    const publicKey = concatBytes(Uint8Array.of(4), bytes.subarray(64));
    if (!p256.verify(bytes.subarray(0, 64), sha256(data), publicKey, { prehash: false, lowS: true })) return undefined;
  } catch {
    return undefined;
  }
  return keyAddress(key);
}

/** A P-256 key in this process (Node: relayer tests, benchmarks), signing as WebCrypto does. Random by default. */
export function p256KeySigner(secretKey: Uint8Array = p256.utils.randomSecretKey()): P256DataSigner & {
  secretKey: Uint8Array;
  address: Address;
} {
  const point = p256.getPublicKey(secretKey, false);
  const publicKey: P256PublicKey = {
    x: `0x${bytesToHex(point.subarray(1, 33))}`,
    y: `0x${bytesToHex(point.subarray(33, 65))}`,
  };
  return {
    secretKey,
    publicKey,
    address: keyAddress(publicKey),
    // WebCrypto gives either half of the order: so does this signer, so that callers normalise as they must.
    signData: async (data) => p256.sign(data, secretKey, { prehash: true, lowS: false }),
  };
}

/** A 32-byte word as 0x and 64 lower-case hex digits. */
function word(value: Hex): Hex {
  const digits = value.slice(2).toLowerCase();
  if (!/^[0-9a-f]{1,64}$/.test(digits)) throw new Error(`not a 32-byte coordinate: ${value}`);
  return `0x${digits.padStart(64, "0")}`;
}
