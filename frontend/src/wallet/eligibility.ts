/**
 * Where the connected account stands: already a resident (claimed), on the published participants list (with the
 * leaf and proof for its first vote), or on no list at all. The participants tree is read with the same module
 * the committee's tool builds it with (scripts/core/src/domain/participants.ts).
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Address, Hex } from "viem";

import type { Holdings } from "@kopilka/core/ballotPlan";
import { ANY_DISTRICT, findParticipant, type ParticipantLeaf } from "@kopilka/core/participants";
import { batchPath } from "@kopilka/core/publication";
import { read } from "../chain.js";
import type { ChainEnvironment } from "../chain.js";
import { publicationRoot } from "../data/files.js";
import { airdropReadAbi, budgetTokenReadAbi, roundReadAbi } from "@kopilka/core/abi/reads";

export { ANY_DISTRICT };

const RESIDENT = 1;

export interface Leaf {
  batchId: bigint;
  district: number;
  amount: bigint;
  proof: Hex[];
}

export type Standing =
  | { kind: "resident"; district: number; balance: bigint; deposits: Map<string, bigint> }
  | { kind: "listed"; leaf: Leaf }
  | { kind: "unlisted" };

/** An account that may vote: a resident, or listed and yet to claim. */
export type Voter = Exclude<Standing, { kind: "unlisted" }>;

/** The account's standing; `banks` are the banks whose deposits the caller wants (a district's, or all). */
/** What the standing needs of the round: its token and airdrop. */
export type RoundContracts = { token: Address; airdrop: Address };

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

async function findLeaf(env: ChainEnvironment, round: RoundContracts, account: Address): Promise<Leaf | undefined> {
  const count = await read(env.rpc, { address: round.airdrop, abi: airdropReadAbi, functionName: "batchCount" });
  for (let batchId = 0n; batchId < count; batchId++) {
    // batchPath starts with the chain and round directories; resolve it against the publication root.
    const response = await fetch(
      new URL(batchPath("", env.config.chainId, env.config.round, batchId), publicationRoot(env)),
    );
    if (!response.ok) continue;
    const tree = StandardMerkleTree.load<ParticipantLeaf>(await response.json());
    const found = findParticipant(tree, account);
    if (found) {
      return {
        batchId,
        district: found.participant.district,
        amount: found.participant.amount,
        proof: found.proof as Hex[],
      };
    }
  }
  return undefined;
}
