/**
 * The part of Node's Buffer that the auditor's library (scripts/audit/merkle.ts, events.ts) uses — hex and UTF-8
 * text, alloc, write, equals, compare — on a Uint8Array, installed as a global by the observers' chunk only.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

class BufferBytes extends Uint8Array {
  write(text: string, offset: number, encoding: "hex"): number {
    if (encoding !== "hex") throw new Error("BrowserBuffer.write: hex only");
    const bytes = hexBytes(text);
    this.set(bytes, offset);
    return bytes.length;
  }

  override toString(encoding: "hex" | "utf8" = "utf8", start = 0, end = this.length): string {
    const part = this.subarray(start, end);
    if (encoding === "utf8") return new TextDecoder().decode(part);
    let out = "";
    for (const byte of part) out += HEX[byte];
    return out;
  }

  equals(other: Uint8Array): boolean {
    return this.length === other.length && this.compare(other) === 0;
  }

  compare(
    target: Uint8Array,
    targetStart = 0,
    targetEnd = target.length,
    sourceStart = 0,
    sourceEnd = this.length,
  ): number {
    const a = this.subarray(sourceStart, sourceEnd);
    const b = target.subarray(targetStart, targetEnd);
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
}

export const BrowserBuffer = {
  alloc: (size: number): BufferBytes => new BufferBytes(size),
  from(text: string, encoding: "hex" | "utf8" = "utf8"): BufferBytes {
    const bytes = encoding === "hex" ? hexBytes(text) : new TextEncoder().encode(text);
    const buffer = new BufferBytes(bytes.length);
    buffer.set(bytes);
    return buffer;
  },
};

/** Gives the page a global Buffer when it has none (browsers). */
export function installBuffer(): void {
  const scope = globalThis as { Buffer?: unknown };
  scope.Buffer ??= BrowserBuffer;
}
