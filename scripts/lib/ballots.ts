/**
 * Signed ballots (see contracts/interfaces/IBallotBox.sol): the EIP-712 domain and types a resident signs, and the
 * calldata shape the ballot box takes. The dApp signs with these, the relayer checks and submits with these, and
 * the tests use them to play both parts.
 */
import { getBytes, hexlify, TypedDataEncoder, verifyTypedData, type TypedDataDomain } from "ethers";

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

/** What the resident signs. Amounts in kopecks; `deadline` in seconds since the epoch (chain time). */
export interface BallotMessage {
  round: string;
  voter: string;
  nonce: bigint;
  deadline: bigint;
  fromBanks: string[];
  fromAmounts: bigint[];
  toBanks: string[];
  toAmounts: bigint[];
}

/** A ballot and its 65-byte signature (r, s, v), hex. */
export interface SignedBallot extends BallotMessage {
  signature: string;
}

/** The allowance claim the relayer attaches for a resident who has not claimed yet. */
export interface BallotClaim {
  batchId: bigint;
  district: number;
  amount: bigint;
  proof: string[];
}

export function ballotDomain(chainId: bigint | number, ballotBox: string): TypedDataDomain {
  return {
    name: BALLOT_DOMAIN_NAME,
    version: BALLOT_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: ballotBox,
  };
}

interface TypedDataSigner {
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, { name: string; type: string }[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

export async function signBallot(
  signer: TypedDataSigner,
  domain: TypedDataDomain,
  message: BallotMessage,
): Promise<SignedBallot> {
  const signature = await signer.signTypedData(domain, mutableTypes(), { ...message });
  return { ...message, signature };
}

/** The address that signed `ballot` under `domain` (any address for a tampered ballot). */
export function ballotSigner(domain: TypedDataDomain, ballot: SignedBallot): string {
  const { signature, ...message } = ballot;
  return verifyTypedData(domain, mutableTypes(), message, signature);
}

export function ballotDigest(domain: TypedDataDomain, message: BallotMessage): string {
  return TypedDataEncoder.hash(domain, mutableTypes(), message);
}

/**
 * Splits a 65-byte signature without normalizing it: ethers' `Signature.from` refuses some high-s values itself,
 * and the contract must be the one to refuse them.
 */
export function splitSignature(signature: string): { v: number; r: string; s: string } {
  const bytes = getBytes(signature);
  if (bytes.length !== 65) throw new Error(`a signature has 65 bytes, not ${bytes.length}`);
  const v = bytes[64] < 27 ? bytes[64] + 27 : bytes[64];
  return { r: hexlify(bytes.slice(0, 32)), s: hexlify(bytes.slice(32, 64)), v };
}

/** The `IBallotBox.Ballot` tuple for `submit`. */
export function ballotCalldata(ballot: SignedBallot, claim?: BallotClaim) {
  return {
    voter: ballot.voter,
    nonce: ballot.nonce,
    fromBanks: ballot.fromBanks,
    fromAmounts: ballot.fromAmounts,
    toBanks: ballot.toBanks,
    toAmounts: ballot.toAmounts,
    deadline: ballot.deadline,
    ...splitSignature(ballot.signature),
    claim: claim ? [claim] : [],
  };
}

/** `BallotBox.ballotGas`: the most gas the ballot box lets one ballot use. Keep equal to the contract's constants. */
export function ballotGas(ballot: BallotMessage, claim?: BallotClaim): bigint {
  const moves = BigInt(ballot.fromBanks.length + ballot.toBanks.length);
  const cast = 60_000n + 60_000n * moves;
  const claimGas = claim ? 80_000n + 1_000n * BigInt(claim.proof.length) : 0n;
  return cast + claimGas + 30_000n;
}

/**
 * A gas limit for `submit` under which no ballot is reported `BallotBoxOutOfGas`: each ballot's share with the
 * 1/64 the EVM keeps back and what a rejection costs, plus the transaction's own cost with its calldata priced at
 * the EIP-7623 floor of 40 gas a byte. Estimating cannot find it: a batch that runs short does not revert.
 */
export function batchGasLimit(
  ballots: readonly { ballot: BallotMessage; claim?: BallotClaim }[],
  calldataBytes: number,
) {
  let limit = 21_000n + 40n * BigInt(calldataBytes) + 50_000n;
  for (const { ballot, claim } of ballots) {
    const gas = ballotGas(ballot, claim);
    limit += gas + gas / 63n;
  }
  return limit;
}

function mutableTypes(): Record<string, { name: string; type: string }[]> {
  return { Ballot: BALLOT_TYPES.Ballot.map((field) => ({ ...field })) };
}
