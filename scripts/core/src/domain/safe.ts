/**
 * A committee whose roles a Safe multisig holds (safe.global): no member's key alone can mint the budget, add
 * projects or post residents. Every committee command then proposes a Safe transaction instead of sending one;
 * the other owners confirm it, and it is executed once the Safe's threshold of confirmations is met.
 *
 * Where proposals live: beside the round's other public files, one file per Safe,
 * `<base>/<chainId>/safe/<safe, lower case>.json`. It holds each proposal's transaction, what it does in words,
 * and the owners' EIP-712 signatures, which only approve that one transaction of that Safe on that chain, so the
 * file may be public: it shows observers what is waiting. An owner confirms either by adding a signature to the
 * file (`kopilka safe confirm`) or on-chain with the Safe's `approveHash` (the dApp's committee page, which cannot
 * write files): both count, and execution gathers both. Nothing here trusts the file: every signature is recovered
 * and checked against the Safe's owners, and what counts is what the Safe contract itself accepts.
 */
import { concat, getAddress, hashTypedData, pad, parseAbi, recoverTypedDataAddress, type Hex } from "viem";

/** A Safe transaction, as the Safe signs and executes it (amounts as decimal strings). */
export interface SafeTxData {
  to: string;
  value: string;
  data: string;
  /** 0: call, 1: delegatecall (a MultiSend batch). */
  operation: number;
  safeTxGas: string;
  baseGas: string;
  gasPrice: string;
  gasToken: string;
  refundReceiver: string;
  nonce: number;
}

export interface SafeProposal {
  /** The EIP-712 hash the owners sign, as `Safe.getTransactionHash` computes it. */
  safeTxHash: string;
  /** What the transaction does, for the owners who confirm it. */
  description: string;
  tx: SafeTxData;
  /** Owners' EIP-712 signatures of `safeTxHash`, by owner address (lower case). */
  signatures: Record<string, string>;
  /** The block when it was proposed: where to look for its execution. */
  proposedBlock: number;
  /** Once executed: the transaction that executed it. */
  executed?: { tx: string; block: number };
}

export interface SafeProposals {
  chainId: number;
  safe: string;
  proposals: SafeProposal[];
}

export function safeProposalsPath(base: string, chainId: number | bigint, safe: string): string {
  return [base.replace(/\/+$/, ""), String(chainId), "safe", `${safe.toLowerCase()}.json`].join("/");
}

/** What of a Safe's interface Kopilka uses (Safe 1.3 and 1.4 alike). */
export const SAFE_ABI = parseAbi([
  "function nonce() view returns (uint256)",
  "function getThreshold() view returns (uint256)",
  "function getOwners() view returns (address[])",
  "function approvedHashes(address owner, bytes32 hash) view returns (uint256)",
  "function approveHash(bytes32 hashToApprove)",
  "function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool)",
  "event ExecutionSuccess(bytes32 indexed txHash, uint256 payment)",
  "event ApproveHash(bytes32 indexed approvedHash, address indexed owner)",
]);

const SAFE_TX_TYPES = {
  SafeTx: [
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "data", type: "bytes" },
    { name: "operation", type: "uint8" },
    { name: "safeTxGas", type: "uint256" },
    { name: "baseGas", type: "uint256" },
    { name: "gasPrice", type: "uint256" },
    { name: "gasToken", type: "address" },
    { name: "refundReceiver", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

/** The EIP-712 typed data of a Safe transaction (Safe 1.3+: the domain is the chain id and the Safe). */
export function safeTxTypedData(chainId: number | bigint, safe: string, tx: SafeTxData) {
  return {
    domain: { chainId: Number(chainId), verifyingContract: getAddress(safe) },
    types: SAFE_TX_TYPES,
    primaryType: "SafeTx" as const,
    message: {
      to: getAddress(tx.to),
      value: BigInt(tx.value),
      data: tx.data as Hex,
      operation: tx.operation,
      safeTxGas: BigInt(tx.safeTxGas),
      baseGas: BigInt(tx.baseGas),
      gasPrice: BigInt(tx.gasPrice),
      gasToken: getAddress(tx.gasToken),
      refundReceiver: getAddress(tx.refundReceiver),
      nonce: BigInt(tx.nonce),
    },
  };
}

export function safeTxHash(chainId: number | bigint, safe: string, tx: SafeTxData): Hex {
  return hashTypedData(safeTxTypedData(chainId, safe, tx));
}

/**
 * The owners who confirmed a proposal: those whose signature in the file recovers to them, and those who approved
 * its hash on-chain (`onChain`). Signatures of anyone but an owner, or of another transaction, count for nothing.
 */
export async function confirmationsOf(
  chainId: number | bigint,
  safe: string,
  proposal: SafeProposal,
  owners: readonly string[],
  onChain: readonly string[] = [],
): Promise<{ signed: string[]; approved: string[] }> {
  const isOwner = new Set(owners.map((o) => o.toLowerCase()));
  const typed = safeTxTypedData(chainId, safe, proposal.tx);
  const signed: string[] = [];
  for (const [owner, signature] of Object.entries(proposal.signatures)) {
    try {
      const recovered = (await recoverTypedDataAddress({ ...typed, signature: signature as Hex })).toLowerCase();
      if (recovered === owner.toLowerCase() && isOwner.has(recovered)) signed.push(recovered);
    } catch {
      // A malformed signature confirms nothing.
    }
  }
  const approved = onChain.map((o) => o.toLowerCase()).filter((o) => isOwner.has(o) && !signed.includes(o));
  return { signed, approved };
}

/**
 * The `signatures` argument of `execTransaction` for a proposal: one 65-byte entry per confirming owner, in ascending
 * owner order as the Safe requires. An owner who signed in the file gives that signature; an owner who approved the
 * hash on-chain, or the executor itself (the Safe counts `msg.sender` when it is an owner), gives the Safe's
 * "approved hash" form: r = the owner, s = 0, v = 1.
 */
export function executionSignatures(
  proposal: SafeProposal,
  confirmations: { signed: readonly string[]; approved: readonly string[] },
  executor?: string,
): Hex {
  const entries = new Map<string, Hex>();
  const approvedForm = (owner: string): Hex => concat([pad(getAddress(owner)), pad("0x"), "0x01"]);
  for (const owner of confirmations.approved) entries.set(owner.toLowerCase(), approvedForm(owner));
  if (executor !== undefined) entries.set(executor.toLowerCase(), approvedForm(executor));
  for (const owner of confirmations.signed) {
    const signature = Object.entries(proposal.signatures).find(([o]) => o.toLowerCase() === owner.toLowerCase());
    if (signature !== undefined) entries.set(owner.toLowerCase(), signature[1] as Hex);
  }
  const owners = [...entries.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return concat(owners.map((owner) => entries.get(owner)!));
}
