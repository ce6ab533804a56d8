/**
 * The enrollment of a resident enrolled by phone: the keyed hash a participants leaf carries
 * (./participants.ts), `HMAC-SHA256(secret, chainId ‖ round ‖ phone)` with the chain id as 32 big-endian bytes, the
 * round's 20-byte address and the E.164 number as UTF-8. The same phone gives the same enrollment in a round
 * whatever the device (so a lost device's new key is posted with the same enrollment, and the auditor can prove it
 * was claimed once), another one in every other round, and without the secret nobody can try phone numbers
 * against it. The enrollment service computes it; the secret never leaves the service's configuration.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Hex } from "viem";

const E164 = /^\+[1-9]\d{6,14}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The enrollment of `phone` (E.164, e.g. "+79031234567") in `round` on chain `chainId`, keyed with `secret`. */
export function enrollmentOf(secret: Uint8Array, chainId: bigint | number, round: string, phone: string): Hex {
  if (secret.length < 32) throw new Error(`the enrollment secret must have at least 32 bytes, not ${secret.length}`);
  if (!E164.test(phone)) throw new Error(`not an E.164 phone number: "${phone}"`);
  if (!ADDRESS.test(round)) throw new Error(`not a round address: "${round}"`);
  const chain = hexToBytes(BigInt(chainId).toString(16).padStart(64, "0"));
  const data = concatBytes(chain, hexToBytes(round.slice(2).toLowerCase()), utf8ToBytes(phone));
  return `0x${bytesToHex(hmac(sha256, secret, data))}`;
}
