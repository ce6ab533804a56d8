/** A browser stand-in for `node:os`, enough for scripts/audit/keccak.ts (which checks the platform's byte order). */
export function endianness(): "LE" | "BE" {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? "LE" : "BE";
}

export default { endianness };
