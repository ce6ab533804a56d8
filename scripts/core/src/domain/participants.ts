/**
 * The published participants tree: an OpenZeppelin StandardMerkleTree over `(address, uint16 district, uint256
 * amount)` leaves, the format the round's airdrop verifies. The committee's tool builds it, the dApp finds a
 * resident's proof in it, and the auditor rebuilds it to compare with the root on-chain.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

/** Leaf encoding, as `Airdrop.leafHash` hashes it. */
export const LEAF_ENCODING = ["address", "uint16", "uint256"] as const;

/** District value of a resident whose tokens may go to any district (`BudgetToken.ANY_DISTRICT`). */
export const ANY_DISTRICT = 0xffff;

export interface Participant {
  /** Checksummed or lower-case 0x address. */
  account: string;
  /** District id, or ANY_DISTRICT. */
  district: number;
  /** Allowance in kopecks. */
  amount: bigint;
}

export type ParticipantLeaf = [string, number, string];

/**
 * Builds the tree. Rows are sorted (address, then district, then amount) before building, so the same set of
 * rows in any order gives the same root and the same JSON; `sortLeaves: false` keeps that order in the dump.
 */
export function buildParticipantTree(participants: readonly Participant[]): StandardMerkleTree<ParticipantLeaf> {
  const leaves: ParticipantLeaf[] = participants
    .map((p): ParticipantLeaf => [p.account.toLowerCase(), p.district, p.amount.toString()])
    .sort((a, b) => compare(a[0], b[0]) || a[1] - b[1] || compare(BigInt(a[2]), BigInt(b[2])));
  return StandardMerkleTree.of(leaves, [...LEAF_ENCODING], { sortLeaves: false });
}

/** The leaf and proof of `account`, or undefined when the tree has none for it. */
export function findParticipant(
  tree: StandardMerkleTree<ParticipantLeaf>,
  account: string,
): { participant: Participant; proof: string[] } | undefined {
  const wanted = account.toLowerCase();
  for (const [index, leaf] of tree.entries()) {
    if (leaf[0].toLowerCase() === wanted) {
      return {
        participant: { account: leaf[0], district: Number(leaf[1]), amount: BigInt(leaf[2]) },
        proof: tree.getProof(index),
      };
    }
  }
  return undefined;
}

/** Sum of all allowances in the tree. */
export function treeTotal(tree: StandardMerkleTree<ParticipantLeaf>): bigint {
  let total = 0n;
  for (const [, leaf] of tree.entries()) total += BigInt(leaf[2]);
  return total;
}

function compare<T extends string | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
