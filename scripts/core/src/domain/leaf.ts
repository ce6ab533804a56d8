/**
 * The participants trees' leaf (./participants.ts), apart from the tree library: the publication layout
 * (./publication.ts) names it, and the residents' pages read that layout without loading the tree code.
 */

/** Leaf encoding, as `Airdrop.leafHash` hashes it. */
export const LEAF_ENCODING = ["address", "uint16", "uint256", "bytes32"] as const;

/** A leaf as the tree holds it: account (lower case), district, amount (decimal), enrollment (lower-case hex). */
export type ParticipantLeaf = [string, number, string, string];
