import { expect } from "chai";
import { bytesToHex, keccak256 } from "viem";

import { keccak256Bytes, keccakEngine } from "@kopilka/core/audit/keccak";

/** Every length up to three Keccak blocks (136 bytes each), then inputs hash-wasm feeds its memory in pieces. */
const LENGTHS = [...Array.from({ length: 3 * 136 + 2 }, (_, n) => n), 1000, 16_383, 16_384, 16_385, 65_536];

describe("Auditor's keccak256Bytes", function () {
  it("hashes with WebAssembly in Node", function () {
    expect(keccakEngine).to.equal("webassembly");
  });

  it("hashes random inputs of every length as viem's keccak256 does, 0 and over a block included", function () {
    for (const length of LENGTHS) {
      for (let sample = 0; sample < 3; sample++) {
        const data = crypto.getRandomValues(new Uint8Array(length));
        expect(bytesToHex(keccak256Bytes(data)), `${length} bytes`).to.equal(keccak256(data));
      }
    }
  });

  it("gives each hash its own bytes, which the next hash leaves as they were", function () {
    const first = keccak256Bytes(new Uint8Array([1]));
    const kept = bytesToHex(first);
    keccak256Bytes(new Uint8Array([2]));
    expect(bytesToHex(first)).to.equal(kept);
    expect(first.length).to.equal(32);
  });
});
