/**
 * Signed ballots (see contracts/interfaces/IBallotBox.sol): the EIP-712 domain and types a resident signs, and the
 * calldata shape the ballot box takes. The dApp signs with these, the relayer checks and submits with these, and
 * the tests use them to play both parts.
 */
import { getBytes, hexlify, TypedDataEncoder, verifyTypedData, type TypedDataDomain } from "ethers";

import { BALLOT_DOMAIN_NAME, BALLOT_DOMAIN_VERSION, BALLOT_TYPES } from "./ballotTypes.js";

export { BALLOT_DOMAIN_NAME, BALLOT_DOMAIN_VERSION, BALLOT_TYPES };

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

/** What a relayer calls and reads on the ballot box. */
export const BALLOT_BOX_ABI = [
  "function submit(address round, (address voter, uint64 nonce, address[] fromBanks, uint256[] fromAmounts, address[] toBanks, uint256[] toAmounts, uint64 deadline, uint8 v, bytes32 r, bytes32 s, (uint256 batchId, uint16 district, uint256 amount, bytes32[] proof)[] claim)[] ballots)",
  "event BallotRejected(address indexed round, address indexed voter, uint256 nonce, bytes reason)",
];

/** Every error a rejected ballot's reason can carry: the ballot box's, the round's and the token's. */
export const BALLOT_REJECTION_ERRORS = [
  "error BallotBoxExpired(uint256 deadline, uint256 now_)",
  "error BallotBoxInvalidSigner(address voter, address signer)",
  "error BallotBoxOutOfGas(uint256 needed, uint256 left)",
  "error ECDSAInvalidSignatureS(bytes32 s)",
  "error BudgetTokenInvalidNonce(address account, uint256 current, uint256 nonce)",
  "error BudgetTokenInsufficientBalance(address holder, uint256 balance, uint256 needed)",
  "error BudgetTokenNotAPiggyBank(address account)",
  "error BudgetTokenDistrictMismatch(address resident, uint16 residentDistrict, uint16 bankDistrict)",
  "error BudgetTokenLengthMismatch(uint256 banks, uint256 amounts)",
  "error BudgetTokenTransferNotAllowed(address from, address to)",
  "error RoundClosed(uint256 closesAt)",
  "error RoundNotOpen(uint256 now_, uint256 opensAt)",
  "error RoundZeroAmount(uint256 index)",
  "error RoundLengthMismatch(uint256 banks, uint256 amounts)",
  "error RoundInsufficientDeposit(address voter, address bank, uint256 deposit, uint256 amount)",
];

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
