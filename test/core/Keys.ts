/**
 * Browser keys (`@kopilka/core/keys`): the voter address of a P-256 key, the low-s form the ballot box accepts, and
 * checking a signature as the ballot box does, before any chain is involved.
 */
import { expect } from "chai";
import { AbiCoder, getAddress, getBytes, hexlify, id, keccak256 } from "ethers";

import { P256_ORDER, keyAddress, normalizeP256, p256KeySigner, p256Signer, signDigestP256 } from "@kopilka/core/keys";

describe("P-256 keys", function () {
  const key = p256KeySigner(getBytes(id("a browser key")));
  const digest = id("a ballot's EIP-712 digest") as `0x${string}`;

  it("derives the voter address from keccak256(abi.encode(qx, qy))", function () {
    const encoded = AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [key.publicKey.x, key.publicKey.y]);
    expect(keyAddress(key.publicKey)).to.equal(getAddress("0x" + keccak256(encoded).slice(-40)));
    expect(key.address).to.equal(keyAddress(key.publicKey));
  });

  it("takes s to the lower half, and leaves a low s alone", function () {
    const r = new Uint8Array(32).fill(7);
    const high = P256_ORDER - 5n;
    const signature = new Uint8Array([...r, ...getBytes("0x" + high.toString(16).padStart(64, "0"))]);
    const normal = normalizeP256(signature);
    expect(hexlify(normal.slice(32))).to.equal("0x" + "5".padStart(64, "0"));
    expect(normalizeP256(normal)).to.equal(normal);
  });

  it("verifies what the key signed, as the ballot box does, and nothing else", async function () {
    const signature = await signDigestP256(key, digest);
    expect(p256Signer(digest, signature)).to.equal(key.address);
    expect(p256Signer(id("another digest") as `0x${string}`, signature)).to.equal(undefined);
    // The high-s twin of the same signature verifies for ECDSA, but not for the ballot box.
    const bytes = getBytes(signature);
    const s = BigInt(hexlify(bytes.slice(32, 64)));
    const twin = hexlify(
      new Uint8Array([
        ...bytes.slice(0, 32),
        ...getBytes("0x" + (P256_ORDER - s).toString(16).padStart(64, "0")),
        ...bytes.slice(64),
      ]),
    ) as `0x${string}`;
    expect(p256Signer(digest, twin)).to.equal(undefined);
  });
});
