/**
 * Signed ballots (see contracts/interfaces/IBallotBox.sol): the EIP-712 domain and types a resident signs, and the
 * calldata shape the ballot box takes. The dApp signs with these, the relayer checks and submits with these, and
 * the tests use them to play both parts. A ballot is signed by a wallet (secp256k1) or by a browser's P-256 key
 * (./keys.ts); the ballot box tells them apart by the ballot's signature scheme.
 */
import {
  bytesToHex,
  concatBytes,
  hashTypedData,
  hexToBytes,
  recoverTypedDataAddress,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";

import { SignatureScheme, p256Signer, signDigestP256, keyAddress, type P256DataSigner } from "./keys.js";

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

/**
 * A ballot and its signature, hex: by a wallet (`scheme` secp256k1, the default) the 65 bytes `r ‖ s ‖ v`; by a
 * P-256 key (`scheme` P256) the 128 bytes `r ‖ s ‖ qx ‖ qy`.
 */
export interface SignedBallot extends BallotMessage {
  signature: string;
  scheme?: SignatureScheme;
}

/** The allowance claim the relayer attaches for a resident who has not claimed yet: the resident's leaf and proof. */
export interface BallotClaim {
  batchId: bigint;
  district: number;
  amount: bigint;
  /** The leaf's enrollment (NO_ENROLLMENT for a resident imported by address). */
  enrollment: string;
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

/**
 * Signs `message` with a P-256 key (a browser's WebCrypto key, or `p256KeySigner` on Node): the key signs the EIP-712
 * digest's 32 bytes as data. The message's voter must be the key's address.
 */
export async function signBallotP256(
  signer: P256DataSigner,
  domain: BallotDomain,
  message: BallotMessage,
): Promise<SignedBallot> {
  const voter = keyAddress(signer.publicKey);
  if (voter.toLowerCase() !== message.voter.toLowerCase()) {
    throw new Error(`the ballot's voter ${message.voter} is not this key's address ${voter}`);
  }
  const signature = await signDigestP256(signer, ballotDigest(domain, message));
  return { ...message, signature, scheme: SignatureScheme.P256 };
}

/**
 * The address whose key signed `ballot` under `domain`, checked as the ballot box checks it: any address for a
 * tampered wallet ballot, the zero address for a P-256 signature that does not verify. Throws on a malformed wallet
 * signature.
 */
export async function ballotSigner(domain: BallotDomain, ballot: SignedBallot): Promise<Address> {
  const { signature, scheme, ...message } = ballot;
  if (scheme === SignatureScheme.P256) {
    return p256Signer(ballotDigest(domain, message), signature as Hex) ?? zeroAddress;
  }
  if (scheme !== undefined && scheme !== SignatureScheme.Secp256k1)
    throw new Error(`unknown signature scheme ${scheme}`);
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
 * The signature as the ballot box takes it, without normalising `s`: a library's signature parser may refuse some
 * high-s values itself, and the contract must be the one to refuse them. A wallet's `v` of 0 or 1 becomes 27 or 28.
 */
export function ballotSignature(ballot: SignedBallot): Hex {
  const bytes = hexToBytes(ballot.signature as Hex);
  if ((ballot.scheme ?? SignatureScheme.Secp256k1) === SignatureScheme.P256) {
    if (bytes.length !== 128) throw new Error(`a P-256 ballot signature has 128 bytes, not ${bytes.length}`);
    return bytesToHex(bytes);
  }
  if (bytes.length !== 65) throw new Error(`a signature has 65 bytes, not ${bytes.length}`);
  const v = bytes[64] < 27 ? bytes[64] + 27 : bytes[64];
  return bytesToHex(concatBytes([bytes.subarray(0, 64), Uint8Array.of(v)]));
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
    scheme: ballot.scheme ?? SignatureScheme.Secp256k1,
    signature: ballotSignature(ballot),
    claim: claim ? [claim] : [],
  };
}

/**
 * The gas the ballot box sets aside for checking a signature and reporting its ballot (`BallotBox.signatureGas`):
 * P-256 needs more on a chain without the secp256r1 precompile. Keep equal to the contract's constants.
 */
export const SIGNATURE_GAS = {
  secp256k1: 20_000n,
  p256: 30_000n,
  p256WithoutPrecompile: 330_000n,
} as const;

/** Whether the chain of the ballot box has the secp256r1 precompile (the box looked when it was deployed). */
export interface ChainGas {
  p256Precompile?: boolean;
}

function signatureGas(scheme: SignatureScheme | undefined, chain: ChainGas): bigint {
  if (scheme !== SignatureScheme.P256) return SIGNATURE_GAS.secp256k1;
  return chain.p256Precompile === false ? SIGNATURE_GAS.p256WithoutPrecompile : SIGNATURE_GAS.p256;
}

/**
 * `BallotBox.ballotGas`: the most gas the ballot box lets one ballot use: shares for the round's call, the claim
 * and using up the nonce of a rejected ballot, and the signature's check. Keep equal to the contract's constants.
 */
export function ballotGas(
  ballot: BallotMessage & { scheme?: SignatureScheme },
  claim?: BallotClaim,
  chain: ChainGas = {},
): bigint {
  const moves = BigInt(ballot.fromBanks.length + ballot.toBanks.length);
  const cast = 40_000n + 60_000n * moves;
  const claimGas = claim ? 60_000n + 1_000n * BigInt(claim.proof.length) : 0n;
  const useNonce = 30_000n;
  return cast + claimGas + useNonce + signatureGas(ballot.scheme, chain);
}

/** The size of `ballot`'s part of `submit`'s calldata: its offset in the array, its head and its arrays. */
export function ballotCalldataBytes(ballot: BallotMessage & { scheme?: SignatureScheme }, claim?: BallotClaim): number {
  const moves = ballot.fromBanks.length + ballot.toBanks.length;
  const signatureWords = ballot.scheme === SignatureScheme.P256 ? 4 : 3;
  // 1 offset + 10 head words + 5 array lengths + the moves' banks and amounts + the signature's length and words +
  // the claim's offset, head, proof length and proof.
  const words = 1 + 10 + 5 + 2 * moves + 1 + signatureWords + (claim ? 7 + claim.proof.length : 0);
  return 32 * words;
}

/**
 * A gas limit for `submit` under which no ballot is reported `BallotBoxOutOfGas`: each ballot's share with the
 * 1/64 the EVM keeps back, plus the transaction's own cost with its calldata at 16 gas a byte, or at the EIP-7623
 * floor of 40 gas a byte if that is more. Estimating cannot find it: a batch that runs short does not revert.
 */
export function batchGasLimit(
  ballots: readonly { ballot: BallotMessage & { scheme?: SignatureScheme }; claim?: BallotClaim }[],
  chain: ChainGas = {},
): bigint {
  let shares = 0n;
  let bytes = BigInt(4 + 3 * 32);
  for (const { ballot, claim } of ballots) {
    const gas = ballotGas(ballot, claim, chain);
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
