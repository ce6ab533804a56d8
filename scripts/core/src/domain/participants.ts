/**
 * The published participants trees: an OpenZeppelin StandardMerkleTree per posted batch, over
 * `(address account, uint16 district, uint256 amount, bytes32 enrollment)` leaves, the format the round's airdrop
 * verifies. The committee's tool and the enrollment service build them, the dApp and the relayer take a resident's
 * proof from the resident's proof file (./publication.ts), and the auditor rebuilds them to compare with the roots
 * on-chain.
 *
 * `enrollment` names the verification a leaf comes from: for a resident enrolled by phone, the keyed hash
 * `enrollmentOf(secret, chainId, round, phone)` (./enrollment.ts), the same for every key the resident enrols from
 * in this round; for a resident the committee imports by address (CSV), `NO_ENROLLMENT`.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex } from "viem";

import { LEAF_ENCODING, type ParticipantLeaf } from "./leaf.js";

export { LEAF_ENCODING, type ParticipantLeaf };

/** District value of a resident whose tokens may go to any district (`BudgetToken.ANY_DISTRICT`). */
export const ANY_DISTRICT = 0xffff;

/** The enrollment of a resident the committee imported by address. */
export const NO_ENROLLMENT: Hex = `0x${"00".repeat(32)}`;

export interface Participant {
  /** Checksummed or lower-case 0x address. */
  account: string;
  /** District id, or ANY_DISTRICT. */
  district: number;
  /** Allowance in kopecks. */
  amount: bigint;
  /** 0x and 64 hex digits; NO_ENROLLMENT (the default) for a resident imported by address. */
  enrollment?: string;
}

/** The tree leaf of a participant. */
export function participantLeaf(p: Participant): ParticipantLeaf {
  return [p.account.toLowerCase(), p.district, p.amount.toString(), (p.enrollment ?? NO_ENROLLMENT).toLowerCase()];
}

/** The participant of a tree leaf. */
export function leafParticipant(leaf: readonly [string, number | string, string, string]): Required<Participant> {
  return { account: leaf[0], district: Number(leaf[1]), amount: BigInt(leaf[2]), enrollment: leaf[3] };
}

/**
 * Builds the tree. Rows are sorted (address, then district, amount and enrollment) before building, so the same set
 * of rows in any order gives the same root and the same JSON; `sortLeaves: false` keeps that order in the dump.
 */
export function buildParticipantTree(participants: readonly Participant[]): StandardMerkleTree<ParticipantLeaf> {
  const leaves = participants
    .map(participantLeaf)
    .sort((a, b) => compare(a[0], b[0]) || a[1] - b[1] || compare(BigInt(a[2]), BigInt(b[2])) || compare(a[3], b[3]));
  return StandardMerkleTree.of(leaves, [...LEAF_ENCODING], { sortLeaves: false });
}

/** The leaf and proof of `account`, or undefined when the tree has none for it. */
export function findParticipant(
  tree: StandardMerkleTree<ParticipantLeaf>,
  account: string,
): { participant: Required<Participant>; proof: string[] } | undefined {
  const wanted = account.toLowerCase();
  for (const [index, leaf] of tree.entries()) {
    if (leaf[0].toLowerCase() === wanted) return { participant: leafParticipant(leaf), proof: tree.getProof(index) };
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
