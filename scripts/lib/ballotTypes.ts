/**
 * The EIP-712 names and types of a signed ballot, free of any library so that the dApp's wallet chunk can import
 * them without ethers. `./ballots.ts` re-exports them with the signing and calldata helpers.
 */
export const BALLOT_DOMAIN_NAME = "Kopilka";
export const BALLOT_DOMAIN_VERSION = "1";

/** The EIP-712 types, as `signTypedData` takes them (the domain type is implied). */
export const BALLOT_TYPES = {
  Ballot: [
    { name: "round", type: "address" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint64" },
    { name: "deadline", type: "uint64" },
    { name: "fromBanks", type: "address[]" },
    { name: "fromAmounts", type: "uint256[]" },
    { name: "toBanks", type: "address[]" },
    { name: "toAmounts", type: "uint256[]" },
  ],
} as const;
