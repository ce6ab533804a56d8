/**
 * Signed ballots (see contracts/interfaces/IBallotBox.sol): the EIP-712 domain and types a resident signs, and the
 * calldata shape the ballot box takes. The dApp signs with these, the relayer checks and submits with these, and
 * the tests use them to play both parts.
 */
import { hashTypedData, hexToBytes, recoverTypedDataAddress, toHex, type Address, type Hex } from "viem";

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

/** The EIP-712 domain of a ballot box: the same shape for viem and ethers. */
export interface BallotDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

export function ballotDomain(chainId: bigint | number, ballotBox: string): BallotDomain {
  return {
    name: BALLOT_DOMAIN_NAME,
    version: BALLOT_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: ballotBox,
  };
}

/** Anything that signs typed data the way ethers' signers do. */
interface TypedDataSigner {
  signTypedData(
    domain: BallotDomain,
    types: Record<string, { name: string; type: string }[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

export async function signBallot(
  signer: TypedDataSigner,
  domain: BallotDomain,
  message: BallotMessage,
): Promise<SignedBallot> {
  const signature = await signer.signTypedData(domain, mutableTypes(), { ...message });
  return { ...message, signature };
}

/** The address that signed `ballot` under `domain` (any address for a tampered ballot). */
export async function ballotSigner(domain: BallotDomain, ballot: SignedBallot): Promise<Address> {
  const { signature, ...message } = ballot;
  return await recoverTypedDataAddress({ ...typedData(domain, message), signature: signature as Hex });
}

/** The EIP-712 digest the voter signs (`BallotBox.ballotDigest`). */
export function ballotDigest(domain: BallotDomain, message: BallotMessage): Hex {
  return hashTypedData(typedData(domain, message));
}

/** The ballot as viem's typed-data parameters. */
function typedData(domain: BallotDomain, message: BallotMessage) {
  return {
    domain: { ...domain, verifyingContract: domain.verifyingContract as Address },
    types: BALLOT_TYPES,
    primaryType: "Ballot" as const,
    message: {
      ...message,
      round: message.round as Address,
      voter: message.voter as Address,
      fromBanks: message.fromBanks as Address[],
      toBanks: message.toBanks as Address[],
    },
  };
}

/**
 * Splits a 65-byte signature without normalizing it: a library's signature parser may refuse some high-s values itself,
 * and the contract must be the one to refuse them.
 */
export function splitSignature(signature: string): { v: number; r: string; s: string } {
  const bytes = hexToBytes(signature as Hex);
  if (bytes.length !== 65) throw new Error(`a signature has 65 bytes, not ${bytes.length}`);
  const v = bytes[64] < 27 ? bytes[64] + 27 : bytes[64];
  return { r: toHex(bytes.slice(0, 32)), s: toHex(bytes.slice(32, 64)), v };
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
  const cast = 40_000n + 60_000n * moves;
  const claimGas = claim ? 60_000n + 1_000n * BigInt(claim.proof.length) : 0n;
  return cast + claimGas + 20_000n;
}

/** The size of `ballot`'s part of `submit`'s calldata: its offset in the array, its head and its arrays. */
export function ballotCalldataBytes(ballot: BallotMessage, claim?: BallotClaim): number {
  const moves = ballot.fromBanks.length + ballot.toBanks.length;
  // 1 offset + 11 head words + 5 array lengths + the moves' banks and amounts + the claim's offset, head and proof.
  const words = 1 + 11 + 5 + 2 * moves + (claim ? 6 + claim.proof.length : 0);
  return 32 * words;
}

/**
 * A gas limit for `submit` under which no ballot is reported `BallotBoxOutOfGas`: each ballot's share with the
 * 1/64 the EVM keeps back, plus the transaction's own cost with its calldata at 16 gas a byte, or at the EIP-7623
 * floor of 40 gas a byte if that is more. Estimating cannot find it: a batch that runs short does not revert.
 */
export function batchGasLimit(ballots: readonly { ballot: BallotMessage; claim?: BallotClaim }[]): bigint {
  let shares = 0n;
  let bytes = BigInt(4 + 3 * 32);
  for (const { ballot, claim } of ballots) {
    const gas = ballotGas(ballot, claim);
    shares += gas + gas / 63n;
    bytes += BigInt(ballotCalldataBytes(ballot, claim));
  }
  const standard = 16n * bytes + shares;
  const floor = 40n * bytes;
  return 21_000n + 50_000n + (standard > floor ? standard : floor);
}

function mutableTypes(): Record<string, { name: string; type: string }[]> {
  return { Ballot: BALLOT_TYPES.Ballot.map((field) => ({ ...field })) };
}
