/**
 * Where the connected account stands: already a resident (claimed), on the published participants list (with the
 * leaf and proof for its first vote), or on no list at all (also a revoked account: its resident enrolled again on
 * another device, and this one can never claim).
 * The account's leaf comes from its proof file (`@kopilka/core/publication`), one small file however long the lists
 * grow, and is checked against its batch's root on-chain before it is used.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Address, Hex } from "viem";

import type { Holdings } from "@kopilka/core/ballotPlan";
import { ANY_DISTRICT, LEAF_ENCODING } from "@kopilka/core/participants";
import { proofPath, type ProofFile } from "@kopilka/core/publication";
import { read } from "../chain.js";
import type { ChainEnvironment } from "../chain.js";
import { publicationRoot } from "../data/files.js";
import { airdropReadAbi, budgetTokenReadAbi, roundReadAbi } from "@kopilka/core/abi/reads";

export { ANY_DISTRICT };

const RESIDENT = 1;
const REVOKED = 3;

export interface Leaf {
  batchId: bigint;
  district: number;
  amount: bigint;
  enrollment: Hex;
  proof: Hex[];
}

export type Standing =
  | { kind: "resident"; district: number; balance: bigint; deposits: Map<string, bigint> }
  | { kind: "listed"; leaf: Leaf }
  | { kind: "unlisted" };

/** An account that may vote: a resident, or listed and yet to claim. */
export type Voter = Exclude<Standing, { kind: "unlisted" }>;

/** What the standing needs of the round: its token and airdrop. */
export type RoundContracts = { token: Address; airdrop: Address };

/** The account's standing; `banks` are the banks whose deposits the caller wants (a district's, or all). */
export async function standingOf(
  env: ChainEnvironment,
  round: RoundContracts,
  account: Address,
  banks: readonly Address[],
): Promise<Standing> {
  const [[kind, district], balance] = await Promise.all([
    read(env.rpc, { address: round.token, abi: budgetTokenReadAbi, functionName: "holderOf", args: [account] }),
    read(env.rpc, { address: round.token, abi: budgetTokenReadAbi, functionName: "balanceOf", args: [account] }),
  ]);
  if (kind === RESIDENT) {
    const amounts = await Promise.all(
      banks.map((bank) =>
        read(env.rpc, {
          address: env.config.round,
          abi: roundReadAbi,
          functionName: "depositOf",
          args: [bank, account],
        }),
      ),
    );
    return {
      kind: "resident",
      district,
      balance,
      deposits: new Map(banks.map((b, i) => [b.toLowerCase(), amounts[i]])),
    };
  }
  if (kind === REVOKED) return { kind: "unlisted" };
  const leaf = await findLeaf(env, round, account);
  return leaf ? { kind: "listed", leaf } : { kind: "unlisted" };
}

/** What a resident or a listed account holds in `projects`' banks, as the ballot planner takes it. */
export function holdingsOf(standing: Voter, projects: readonly { bank: Address; district: number }[]): Holdings {
  const banks = projects.map((p) => ({
    bank: p.bank,
    district: p.district,
    deposit: standing.kind === "resident" ? (standing.deposits.get(p.bank.toLowerCase()) ?? 0n) : 0n,
  }));
  return standing.kind === "resident"
    ? { claimed: true, district: standing.district, unallocated: standing.balance, banks }
    : { claimed: false, district: standing.leaf.district, unallocated: standing.leaf.amount, banks };
}

/** The account's leaf from its proof file, if one is published and leads to its batch's root on-chain. */
async function findLeaf(env: ChainEnvironment, round: RoundContracts, account: Address): Promise<Leaf | undefined> {
  // proofPath starts with the chain and round directories; resolve it against the publication root.
  const response = await fetch(
    new URL(proofPath("", env.config.chainId, env.config.round, account), publicationRoot(env)),
  );
  if (!response.ok) return undefined;
  const file = (await response.json()) as ProofFile;
  const batchId = BigInt(file.batchId);
  const count = await read(env.rpc, { address: round.airdrop, abi: airdropReadAbi, functionName: "batchCount" });
  if (batchId >= count) return undefined;
  const { root } = await read(env.rpc, {
    address: round.airdrop,
    abi: airdropReadAbi,
    functionName: "batch",
    args: [batchId],
  });
  const leaf = [account.toLowerCase(), file.district, file.amount, file.enrollment];
  if (!StandardMerkleTree.verify(root, [...LEAF_ENCODING], leaf, file.proof)) return undefined;
  return {
    batchId,
    district: Number(file.district),
    amount: BigInt(file.amount),
    enrollment: file.enrollment as Hex,
    proof: file.proof as Hex[],
  };
}
