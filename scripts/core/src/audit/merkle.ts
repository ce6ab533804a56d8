/**
 * Rebuilds a published participants tree from its values alone, independently of the committee's code and of
 * @openzeppelin/merkle-tree (as Uniswap's merkle-distributor checks its roots in verify-merkle-root.ts). Each leaf
 * is keccak256(keccak256(abi.encode(address, uint16, uint256, bytes32))), as `Airdrop` hashes it, placed at its dumped
 * `treeIndex`; each inner node i hashes its children 2i+1 and 2i+2 in sorted order (OpenZeppelin's commutative
 * pair hash), so node 0 is the root. Everything stays in one byte array: the library's per-node hex strings and
 * ABI coder took ~22 s for 160,000 leaves; with bytes hashed in place by `keccak256Bytes` (WebAssembly), the
 * published-file checks take 2.9 s for them (bench/results/scale.json), on a worker thread where the platform has one.
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { keccak256Bytes } from "./keccak.js";

const WORD = 32;
const MAX_UINT256 = (1n << 256n) - 1n;

/** Each hex digit's value by its character code (either case), -1 for every other character. */
const DIGIT = new Int8Array(128).fill(-1);
for (let d = 0; d < 16; d++) {
  DIGIT["0123456789abcdef".charCodeAt(d)] = d;
  DIGIT["0123456789ABCDEF".charCodeAt(d)] = d;
}
const digit = (text: string, at: number): number => {
  const code = text.charCodeAt(at);
  return code < 128 ? DIGIT[code] : -1;
};

/**
 * Writes `0x` and `bytes` bytes of hex digits (either case) from `text` into `out` at `at`, in place of a regular
 * expression and a decoded copy per value; false, with `out` partly written, when `text` is anything else.
 */
function putHex(out: Uint8Array, at: number, text: string, bytes: number): boolean {
  if (text.length !== 2 + 2 * bytes || text.charCodeAt(0) !== 48 || text.charCodeAt(1) !== 120) return false;
  for (let k = 0; k < bytes; k++) {
    const high = digit(text, 2 + 2 * k);
    const low = digit(text, 3 + 2 * k);
    if (high < 0 || low < 0) return false;
    out[at + k] = (high << 4) | low;
  }
  return true;
}

/** The parts of a StandardMerkleTree JSON dump ("standard-v1") the rebuild reads. */
export interface TreeDump {
  format?: unknown;
  leafEncoding?: unknown;
  tree?: unknown;
  values?: unknown;
}

/** A leaf of a rebuilt tree: its values (account and enrollment lower case) and where the tree holds it. */
export interface RebuiltLeaf {
  account: string;
  district: number;
  amount: bigint;
  enrollment: string;
  treeIndex: number;
}

export interface RebuiltTree {
  /** 0x-prefixed lower-case hex. */
  root: string;
  /** Sum of the leaves' amounts. */
  total: bigint;
  /** The leaves in the dump's order of values. */
  values: RebuiltLeaf[];
  /** Every node, 32 bytes each, node 0 the root: a leaf's proof is read off it without hashing. */
  nodes: Uint8Array;
  /** Index of the first node of the dump's `tree` array that differs from the rebuilt one (-1 when all agree). */
  firstDifferentNode: number;
}

/**
 * A tree's leaves by account, to look claims up: built from the leaves where they are checked (shipping a set of
 * every leaf's text from the worker cost more than this index).
 */
export class LeafIndex {
  private readonly first = new Map<string, RebuiltLeaf>();
  /** The further leaves of an account with several. */
  private readonly more = new Map<string, RebuiltLeaf[]>();

  constructor(values: readonly RebuiltLeaf[]) {
    for (const leaf of values) {
      if (this.first.get(leaf.account) === undefined) this.first.set(leaf.account, leaf);
      else this.more.set(leaf.account, [...(this.more.get(leaf.account) ?? []), leaf]);
    }
  }

  /** Whether a leaf holds exactly these values (the account and the enrollment in either case). */
  has(account: string, district: number, amount: bigint, enrollment: string): boolean {
    const key = account.toLowerCase();
    const leaf = this.first.get(key);
    if (leaf === undefined) return false;
    const phone = enrollment.toLowerCase();
    const same = (l: RebuiltLeaf): boolean => l.district === district && l.amount === amount && l.enrollment === phone;
    return same(leaf) || (this.more.get(key)?.some(same) ?? false);
  }
}

/** The proof of the leaf at `treeIndex`, as StandardMerkleTree gives it: each sibling on the way to the root. */
export function proofOf(tree: Pick<RebuiltTree, "nodes">, treeIndex: number): string[] {
  const proof: string[] = [];
  for (let i = treeIndex; i > 0; i = Math.floor((i - 1) / 2))
    proof.push(nodeHex(tree.nodes, i % 2 === 1 ? i + 1 : i - 1));
  return proof;
}

/** Leaves hashed between two pauses of `rebuildParticipantTreeSteps`. */
const LEAVES_PER_STEP = 2048;

/** Rebuilds the tree of a dump; throws, naming the value, when a value is not a valid leaf. */
export function rebuildParticipantTree(dump: TreeDump): RebuiltTree {
  const steps = rebuildParticipantTreeSteps(dump);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Parses a published tree file and rebuilds it, with `pause` awaited every few thousand leaves so that other work
 * (answers from the chain) runs in between; throws, saying why, when the text is not a dump of `leafEncoding`.
 */
export async function rebuildPublishedTree(
  text: string,
  leafEncoding: readonly string[],
  pause: () => Promise<void>,
): Promise<RebuiltTree> {
  const dump = JSON.parse(text) as TreeDump;
  if (dump.format !== "standard-v1" || JSON.stringify(dump.leafEncoding) !== JSON.stringify(leafEncoding)) {
    throw new Error(`not a StandardMerkleTree dump of ${leafEncoding.join(",")}`);
  }
  await pause();
  const steps = rebuildParticipantTreeSteps(dump);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/** The rebuild in steps: each `next()` hashes a slice of the leaves or of the inner nodes. */
export function* rebuildParticipantTreeSteps(dump: TreeDump): Generator<void, RebuiltTree, void> {
  const values = dump.values;
  if (!Array.isArray(values) || values.length === 0) throw new Error("no values");
  const count = values.length;
  const size = 2 * count - 1;
  const nodes = new Uint8Array(size * WORD);
  const placed = new Uint8Array(count);
  const encoded = new Uint8Array(4 * WORD);
  const rebuilt: RebuiltLeaf[] = [];
  let total = 0n;

  for (let i = 0; i < count; i++) {
    const { value, treeIndex } = (values[i] ?? {}) as { value?: unknown; treeIndex?: unknown };
    if (!Array.isArray(value) || value.length !== 4) {
      throw new Error(`value ${i} is not an (address, uint16, uint256, bytes32)`);
    }
    const account = value[0] as unknown;
    const district = toDistrict(value[1]);
    const amount = toAmount(value[2]);
    const enrollment = value[3] as unknown;
    // abi.encode(address, uint16, uint256, bytes32): four big-endian words, written as each value is checked.
    encoded.fill(0);
    if (typeof account !== "string" || !putHex(encoded, 12, account, 20)) {
      throw new Error(`value ${i}: bad address ${account}`);
    }
    if (district === undefined) throw new Error(`value ${i}: bad district ${String(value[1])}`);
    if (amount === undefined) throw new Error(`value ${i}: bad amount ${String(value[2])}`);
    if (typeof enrollment !== "string" || !putHex(encoded, 96, enrollment, 32)) {
      throw new Error(`value ${i}: bad enrollment ${String(enrollment)}`);
    }
    const slot = (treeIndex as number) - (count - 1);
    if (!Number.isInteger(treeIndex) || slot < 0 || slot >= count || placed[slot] === 1) {
      throw new Error(`value ${i}: tree index ${String(treeIndex)} is not a free leaf position of ${count} leaves`);
    }
    placed[slot] = 1;

    encoded[62] = district >> 8;
    encoded[63] = district & 0xff;
    const amountHex = amount.toString(16);
    const amountBytes = Math.ceil(amountHex.length / 2);
    putHex(encoded, 3 * WORD - amountBytes, (amountHex.length % 2 ? "0x0" : "0x") + amountHex, amountBytes);
    nodes.set(keccak256Bytes(keccak256Bytes(encoded)), (treeIndex as number) * WORD);

    const leaf = {
      account: account.toLowerCase(),
      district,
      amount,
      enrollment: enrollment.toLowerCase(),
      treeIndex: treeIndex as number,
    };
    rebuilt.push(leaf);
    total += amount;
    if (i % LEAVES_PER_STEP === LEAVES_PER_STEP - 1) yield;
  }

  const pair = new Uint8Array(2 * WORD);
  for (let i = count - 2; i >= 0; i--) {
    const left = 2 * i + 1;
    const [first, second] = sortsBefore(nodes, left + 1, left) ? [left + 1, left] : [left, left + 1];
    pair.set(nodes.subarray(first * WORD, first * WORD + WORD), 0);
    pair.set(nodes.subarray(second * WORD, second * WORD + WORD), WORD);
    nodes.set(keccak256Bytes(pair), i * WORD);
    if (i % LEAVES_PER_STEP === 0) yield;
  }

  const root = "0x" + bytesToHex(nodes.subarray(0, WORD));
  return { root, total, values: rebuilt, nodes, firstDifferentNode: differsAt(dump, nodes) };
}

/** Whether node `a` is below node `b` as a 32-byte big-endian number. */
function sortsBefore(nodes: Uint8Array, a: number, b: number): boolean {
  for (let i = 0; i < WORD; i++) {
    const x = nodes[a * WORD + i];
    const y = nodes[b * WORD + i];
    if (x !== y) return x < y;
  }
  return false;
}

function toDistrict(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : undefined;
}

function toAmount(value: unknown): bigint | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  try {
    const n = BigInt(value);
    return n >= 0n && n <= MAX_UINT256 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the dump's own node array (what the dApp takes proofs from) first departs from the rebuilt nodes, decoded
 * in one go rather than node by node.
 */
function differsAt(dump: TreeDump, nodes: Uint8Array): number {
  const tree = dump.tree;
  if (!Array.isArray(tree)) return 0;
  const count = nodes.length / WORD;
  for (let i = 0; i < tree.length; i++) {
    const node: unknown = tree[i];
    if (i >= count || typeof node !== "string" || !isNode(node, nodes, i)) return i;
  }
  return tree.length === count ? -1 : tree.length;
}

/** Whether `text` writes node `i` (0x and 64 hex digits, either case), compared digit by digit without a copy. */
function isNode(text: string, nodes: Uint8Array, i: number): boolean {
  if (text.length !== 2 + 2 * WORD || text.charCodeAt(0) !== 48 || (text.charCodeAt(1) | 0x20) !== 120) return false;
  for (let k = 0; k < WORD; k++) {
    const high = digit(text, 2 + 2 * k);
    const low = digit(text, 3 + 2 * k);
    if (high < 0 || low < 0 || ((high << 4) | low) !== nodes[i * WORD + k]) return false;
  }
  return true;
}

/** Node `i` as the dump writes it: 0x and 64 lower-case hex digits. */
function nodeHex(nodes: Uint8Array, i: number): string {
  return "0x" + bytesToHex(nodes.subarray(i * WORD, i * WORD + WORD));
}
