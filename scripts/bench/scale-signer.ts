/**
 * The Yugra profile's residents, off the chain's thread (a worker thread of scripts/bench/scale-yugra.ts): each
 * resident's key comes from the run's seed and the resident's number, so a posting's job and a ballot's job derive
 * the same key without sending it. Most residents hold a phone's P-256 key (their leaves carry an enrollment, as the
 * enrollment service posts them); every WALLET_EVERY-th holds a wallet's secp256k1 key (imported by address).
 *
 * - a posting job builds a rolling posting's participants tree (the poster's batch) from the residents' keys;
 * - a ballot job signs a relayer batch of ballots and encodes its `BallotBox.submit` calldata and gas limit.
 *
 * Imported on the main thread (there is no parent port there) it only exports the shared derivations.
 */
import { createECDH, createPrivateKey, sign as signData, type KeyObject } from "node:crypto";
import { parentPort } from "node:worker_threads";

import { encodeFunctionData, hexToBytes, keccak256, stringToBytes, type Address, type Hex } from "viem";
import { privateKeyToAddress, sign } from "viem/accounts";

import { ballotBoxAbi } from "@kopilka/core/abi";
import {
  ballotCalldata,
  ballotDigest,
  ballotSignature,
  batchGasLimit,
  type BallotClaim,
  type BallotDomain,
  type BallotMessage,
  type SignedBallot,
} from "@kopilka/core/ballots";
import { enrollmentOf } from "@kopilka/core/enrollment";
import { keyAddress, P256_ORDER, signDigestP256, SignatureScheme, type P256DataSigner } from "@kopilka/core/keys";
import {
  buildParticipantTree,
  LEAF_ENCODING,
  NO_ENROLLMENT,
  participantLeaf,
  type Participant,
} from "@kopilka/core/participants";

/** One resident in this many votes with a wallet; the others with a phone's P-256 key. */
export const WALLET_EVERY = 10;

export interface PostingJob {
  kind: "posting";
  id: number;
  seed: string;
  /** The first resident's number; the posting holds residents `first .. first + districts.length - 1`. */
  first: number;
  districts: number[];
  amount: string;
  chainId: string;
  round: string;
}

export interface PostingAnswer {
  id: number;
  /** The residents' voter addresses (lower case), in number order. */
  accounts: string[];
  root: string;
  /** The tree dump as the poster publishes it (`participants/batch-<id>.json`). */
  dump: string;
  /** The dump's node array (root at 0), for the proofs. */
  tree: string[];
  /** Each resident's leaf index in `tree`, in number order. */
  leafIndex: number[];
  /** Each resident's enrollment, in number order. */
  enrollments: string[];
  /** Milliseconds this worker spent on the keys and the tree. */
  ms: number;
}

export interface BallotSpec {
  /** The resident's number. */
  resident: number;
  nonce: string;
  fromBanks: string[];
  fromAmounts: string[];
  toBanks: string[];
  toAmounts: string[];
  claim?: { batchId: string; district: number; amount: string; enrollment: string; proof: string[] };
}

export interface BallotJob {
  kind: "ballots";
  id: number;
  seed: string;
  domain: { name: string; version: string; chainId: string; verifyingContract: string };
  round: string;
  deadline: string;
  /** Whether the chain has the secp256r1 precompile (the ballot box's P-256 gas share depends on it). */
  p256Precompile: boolean;
  ballots: BallotSpec[];
}

export interface BallotAnswer {
  id: number;
  data: Hex;
  gasLimit: string;
  ballots: number;
  /** Milliseconds this worker spent signing (the digests and signatures) and encoding. */
  signMs: number;
  encodeMs: number;
}

/** A resident's scheme: every WALLET_EVERY-th resident votes with a wallet. */
export function schemeOf(resident: number): SignatureScheme {
  return resident % WALLET_EVERY === 0 ? SignatureScheme.Secp256k1 : SignatureScheme.P256;
}

/** A resident's secret key: a hash of the seed and the number, reduced into both curves' range. */
function secretOf(seed: string, resident: number): Uint8Array {
  const hash = BigInt(keccak256(stringToBytes(`${seed}/resident/${resident}`)));
  // Below both group orders (P-256's is the smaller), never zero.
  const scalar = (hash % (P256_ORDER - 1n)) + 1n;
  return hexToBytes(`0x${scalar.toString(16).padStart(64, "0")}`);
}

const hexOf = (bytes: Uint8Array): Hex => `0x${Buffer.from(bytes).toString("hex")}`;

/**
 * The keys this worker derived for its postings, kept until their residents' first ballots are signed (a posting's
 * ballots go to the worker that built its tree).
 */
const derived = new Map<number, ReturnType<typeof deriveKey>>();

/** A resident's key and voter address: the wallet's, or the P-256 key's (`BallotBox.keyAddress`). */
function keyOf(seed: string, resident: number, keep: boolean): ReturnType<typeof deriveKey> {
  const known = derived.get(resident);
  if (known) {
    derived.delete(resident);
    return known;
  }
  const key = deriveKey(seed, resident);
  if (keep) derived.set(resident, key);
  return key;
}

function deriveKey(seed: string, resident: number) {
  const secret = secretOf(seed, resident);
  if (schemeOf(resident) === SignatureScheme.P256) {
    const signer = opensslP256Signer(secret);
    return { secret, signer, address: keyAddress(signer.publicKey) };
  }
  return { secret, signer: undefined, address: privateKeyToAddress(hexOf(secret)) };
}

/**
 * A phone's P-256 key signing as WebCrypto does (SHA-256 of the data, `r ‖ s`, `s` in either half), with Node's
 * OpenSSL: some twenty times faster than `p256KeySigner` (@noble/curves), which made the keys the run's bottleneck.
 */
function opensslP256Signer(secret: Uint8Array): P256DataSigner {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(secret);
  const point = ecdh.getPublicKey();
  const x = point.subarray(1, 33);
  const y = point.subarray(33, 65);
  let key: KeyObject | undefined;
  return {
    publicKey: { x: hexOf(x), y: hexOf(y) },
    signData: async (data) => {
      key ??= createPrivateKey({
        key: {
          kty: "EC",
          crv: "P-256",
          d: Buffer.from(secret).toString("base64url"),
          x: x.toString("base64url"),
          y: y.toString("base64url"),
        },
        format: "jwk",
      });
      return new Uint8Array(signData("sha256", data, { key, dsaEncoding: "ieee-p1363" }));
    },
  };
}

/** The enrollment service's secret in this run (a fixed test value: the leaves need a keyed hash, not a secret). */
const ENROLLMENT_SECRET = stringToBytes("kopilka-bench-scale enrollment secret, 32 bytes+");

export function phoneOf(resident: number): string {
  return `+7900${String(resident).padStart(7, "0")}`;
}

export function answerPosting(job: PostingJob): PostingAnswer {
  const started = performance.now();
  const participants: Participant[] = job.districts.map((district, k) => {
    const resident = job.first + k;
    return {
      account: keyOf(job.seed, resident, true).address.toLowerCase(),
      district,
      amount: BigInt(job.amount),
      enrollment:
        schemeOf(resident) === SignatureScheme.P256
          ? enrollmentOf(ENROLLMENT_SECRET, BigInt(job.chainId), job.round, phoneOf(resident))
          : NO_ENROLLMENT,
    };
  });
  const dump = participantDump(participants);
  const text = JSON.stringify(dump);
  // The hand-built tree must be the library's: checked on a worker's first postings and every 50th.
  if (postingsChecked++ < 2 || job.id % 50 === 0) {
    if (JSON.stringify(buildParticipantTree(participants).dump()) !== text) {
      throw new Error("the hand-built participants tree differs from the library's");
    }
  }
  const leafOf = new Map(dump.values.map((v) => [v.value[0], v.treeIndex]));
  return {
    id: job.id,
    accounts: participants.map((p) => p.account),
    root: dump.tree[0],
    dump: text,
    tree: dump.tree,
    leafIndex: participants.map((p) => leafOf.get(p.account)!),
    enrollments: participants.map((p) => p.enrollment!),
    ms: performance.now() - started,
  };
}

export async function answerBallots(job: BallotJob): Promise<BallotAnswer> {
  const signStarted = performance.now();
  const domain: BallotDomain = { ...job.domain, chainId: BigInt(job.domain.chainId) };
  const signed: { ballot: SignedBallot; claim?: BallotClaim }[] = [];
  for (const spec of job.ballots) {
    const { secret, signer, address } = keyOf(job.seed, spec.resident, false);
    const message: BallotMessage = {
      round: job.round,
      voter: address,
      nonce: BigInt(spec.nonce),
      deadline: BigInt(job.deadline),
      fromBanks: spec.fromBanks,
      fromAmounts: spec.fromAmounts.map(BigInt),
      toBanks: spec.toBanks,
      toAmounts: spec.toAmounts.map(BigInt),
    };
    const digest = fastDigest(domain, message);
    let ballot: SignedBallot;
    if (signer) {
      // As a phone's WebCrypto key signs: SHA-256 of the digest, either half of the order (normalised after).
      ballot = { ...message, signature: await signDigestP256(signer, digest), scheme: SignatureScheme.P256 };
    } else {
      ballot = { ...message, signature: await sign({ hash: digest, privateKey: hexOf(secret), to: "hex" }) };
    }
    const claim = spec.claim && {
      batchId: BigInt(spec.claim.batchId),
      district: spec.claim.district,
      amount: BigInt(spec.claim.amount),
      enrollment: spec.claim.enrollment,
      proof: spec.claim.proof,
    };
    signed.push({ ballot, claim });
  }
  const encodeStarted = performance.now();
  const data = encodeSubmit(job.round, signed);
  // The hand-made digest and calldata must be the library's: checked on a worker's first jobs and every 50th.
  if (checked++ < 2 || job.id % 50 === 0) {
    const reference = encodeFunctionData({
      abi: ballotBoxAbi,
      functionName: "submit",
      args: [job.round as Address, signed.map(({ ballot, claim }) => ballotCalldata(ballot, claim)) as never],
    });
    if (reference !== data) throw new Error("the hand-encoded submit calldata differs from viem's");
    const { signature: _, scheme: __, ...message } = signed[0].ballot;
    if (ballotDigest(domain, message) !== fastDigest(domain, message)) {
      throw new Error("the hand-made ballot digest differs from viem's");
    }
  }
  const gasLimit = batchGasLimit(signed, { p256Precompile: job.p256Precompile });
  return {
    id: job.id,
    data,
    gasLimit: gasLimit.toString(),
    ballots: signed.length,
    signMs: encodeStarted - signStarted,
    encodeMs: performance.now() - encodeStarted,
  };
}

let checked = 0;
let postingsChecked = 0;

/**
 * `buildParticipantTree(participants).dump()` by hand: the same sorted rows, leaves `keccak(keccak(abi.encode(row)))`
 * in row order, nodes hashed in sorted pairs (OpenZeppelin's StandardMerkleTree without `sortLeaves`), some five
 * times faster than the library, whose checks and general ABI coder made the postings the workers' largest cost.
 */
function participantDump(participants: readonly Participant[]) {
  const rows = participants
    .map(participantLeaf)
    .sort((a, b) => compare(a[0], b[0]) || a[1] - b[1] || compare(BigInt(a[2]), BigInt(b[2])) || compare(a[3], b[3]));
  const tree = new Array<string>(2 * rows.length - 1);
  rows.forEach((row, i) => {
    const encoded = word(row[0]) + word(row[1]) + word(BigInt(row[2])) + word(row[3]);
    tree[tree.length - 1 - i] = keccak256(keccak256(`0x${encoded}`));
  });
  for (let i = tree.length - 1 - rows.length; i >= 0; i--) {
    const [a, b] = [tree[2 * i + 1], tree[2 * i + 2]];
    tree[i] = keccak256(`0x${a < b ? a.slice(2) + b.slice(2) : b.slice(2) + a.slice(2)}`);
  }
  return {
    format: "standard-v1",
    leafEncoding: [...LEAF_ENCODING],
    tree,
    values: rows.map((value, i) => ({ value, treeIndex: tree.length - 1 - i })),
  };
}

function compare<T extends string | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A 32-byte word of a number, an address or a 32-byte hex value: 64 lower-case hex digits. */
export function word(value: bigint | number | string): string {
  return typeof value === "string"
    ? value.slice(2).toLowerCase().padStart(64, "0")
    : value.toString(16).padStart(64, "0");
}

const keccakHex = (hex: string): string => keccak256(`0x${hex}`).slice(2);
const BALLOT_TYPEHASH = keccakHex(
  Buffer.from(
    "Ballot(address round,address voter,uint64 nonce,uint64 deadline,address[] fromBanks,uint256[] fromAmounts,address[] toBanks,uint256[] toAmounts)",
  ).toString("hex"),
);
const DOMAIN_TYPEHASH = keccakHex(
  Buffer.from("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)").toString("hex"),
);
const separators = new Map<string, string>();

/** `ballotDigest` by hand (EIP-712 for the one Ballot type): viem's general typed-data hashing took most of a job. */
function fastDigest(domain: BallotDomain, message: BallotMessage): Hex {
  const key = `${domain.chainId}/${domain.verifyingContract}`;
  let separator = separators.get(key);
  if (separator === undefined) {
    separator = keccakHex(
      DOMAIN_TYPEHASH +
        keccakHex(Buffer.from(domain.name).toString("hex")) +
        keccakHex(Buffer.from(domain.version).toString("hex")) +
        word(domain.chainId) +
        word(domain.verifyingContract),
    );
    separators.set(key, separator);
  }
  const list = (items: readonly (string | bigint)[]): string => keccakHex(items.map(word).join(""));
  const struct = keccakHex(
    BALLOT_TYPEHASH +
      word(message.round) +
      word(message.voter) +
      word(message.nonce) +
      word(message.deadline) +
      list(message.fromBanks) +
      list(message.fromAmounts) +
      list(message.toBanks) +
      list(message.toAmounts),
  );
  return `0x${keccakHex("1901" + separator + struct)}`;
}

const SUBMIT = keccak256(
  stringToBytes(
    "submit(address,(address,uint64,address[],uint256[],address[],uint256[],uint64,uint8,bytes,(uint256,uint16,uint256,bytes32,bytes32[])[])[])",
  ),
).slice(0, 10);

/** `BallotBox.submit(round, ballots)` calldata by hand (the ABI's head-and-tail layout); viem's coder took ~1 ms a ballot. */
function encodeSubmit(round: string, signed: readonly { ballot: SignedBallot; claim?: BallotClaim }[]): Hex {
  const array = (items: readonly (string | bigint)[]): string[] => [word(items.length), ...items.map(word)];
  const tuples = signed.map(({ ballot, claim }) => {
    const signature = ballotSignature(ballot).slice(2);
    const signatureWords = Math.ceil(signature.length / 64);
    const tails: string[][] = [
      array(ballot.fromBanks),
      array(ballot.fromAmounts),
      array(ballot.toBanks),
      array(ballot.toAmounts),
      [word(signature.length / 2), signature.padEnd(signatureWords * 64, "0")],
      claim
        ? [
            word(1),
            word(32),
            word(claim.batchId),
            word(claim.district),
            word(claim.amount),
            word(claim.enrollment),
            word(5 * 32),
            ...array(claim.proof),
          ]
        : [word(0)],
    ];
    const lengths = tails.map((t, k) => (k === 4 ? 1 + signatureWords : t.length) * 32);
    const offsets: number[] = [];
    let at = 10 * 32;
    for (const length of lengths) {
      offsets.push(at);
      at += length;
    }
    const head = [
      word(ballot.voter),
      word(ballot.nonce),
      word(offsets[0]),
      word(offsets[1]),
      word(offsets[2]),
      word(offsets[3]),
      word(ballot.deadline),
      word(ballot.scheme ?? SignatureScheme.Secp256k1),
      word(offsets[4]),
      word(offsets[5]),
    ];
    return { text: head.join("") + tails.map((t) => t.join("")).join(""), bytes: at };
  });
  const offsets: string[] = [];
  let at = 32 * tuples.length;
  for (const tuple of tuples) {
    offsets.push(word(at));
    at += tuple.bytes;
  }
  return `${SUBMIT}${word(round)}${word(64)}${word(tuples.length)}${offsets.join("")}${tuples.map((t) => t.text).join("")}` as Hex;
}

const port = parentPort;
if (port) {
  port.on("message", (job: PostingJob | BallotJob) => {
    if (job.kind === "posting") port.postMessage(answerPosting(job));
    else void answerBallots(job).then((answer) => port.postMessage(answer));
  });
}
