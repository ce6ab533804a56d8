/**
 * Browser keys (`@kopilka/core/keys`): the voter address of a P-256 key, the low-s form the ballot box accepts, and
 * checking a signature as the ballot box does, before any chain is involved; and the enrollment a phone gives.
 */
import { expect } from "chai";
import {
  AbiCoder,
  computeHmac,
  concat,
  getAddress,
  getBytes,
  hexlify,
  id,
  keccak256,
  toBeHex,
  toUtf8Bytes,
  zeroPadValue,
} from "ethers";

import { enrollmentOf } from "@kopilka/core/enrollment";

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

describe("Enrollments", function () {
  const secret = getBytes(id("the enrollment service's secret"));
  const round = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

  it("is HMAC-SHA256(secret, chainId ‖ round ‖ phone), the same for a phone in a round whatever the device", function () {
    const data = concat([zeroPadValue(toBeHex(31337), 32), round, toUtf8Bytes("+79031234567")]);
    expect(enrollmentOf(secret, 31337n, round, "+79031234567")).to.equal(computeHmac("sha256", secret, data));
    expect(enrollmentOf(secret, 31337, round.toUpperCase().replace("0X", "0x"), "+79031234567")).to.equal(
      enrollmentOf(secret, 31337n, round, "+79031234567"),
    );
  });

  it("differs for another phone, round, chain or secret", function () {
    const base = enrollmentOf(secret, 31337n, round, "+79031234567");
    expect(
      new Set([
        base,
        enrollmentOf(secret, 31337n, round, "+79031234568"),
        enrollmentOf(secret, 31337n, "0x" + "11".repeat(20), "+79031234567"),
        enrollmentOf(secret, 1n, round, "+79031234567"),
        enrollmentOf(getBytes(id("another secret")), 31337n, round, "+79031234567"),
      ]).size,
    ).to.equal(5);
  });

  it("refuses a number that is not E.164 and a short secret", function () {
    expect(() => enrollmentOf(secret, 1n, round, "8 903 123-45-67")).to.throw(
      'not an E.164 phone number: "8 903 123-45-67"',
    );
    expect(() => enrollmentOf(new Uint8Array(16), 1n, round, "+79031234567")).to.throw(/at least 32 bytes/);
  });
});
