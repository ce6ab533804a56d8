/**
 * What an address or a transaction did in the round, from chain events alone: the airdrop's Claimed and the
 * token's Transfer events (resident -> bank is a deposit, bank -> resident a withdrawal).
 */
import { getAbiItem, isAddressEqual, numberToHex, parseEventLogs, type Address, type Hex, type Log } from "viem";
import { getLogs, getTransactionReceipt } from "viem/actions";

import type { ChainEnvironment } from "../chain.js";
import { airdropReadAbi, budgetTokenReadAbi } from "@kopilka/core/abi/reads";
/** What the steps need of the round and its projects. */
type RoundInfo = { token: Address; airdrop: Address };
type ProjectInfo = { id: number; bank: string };

export interface VoteStep {
  kind: "claim" | "deposit" | "withdrawal";
  account: Address;
  amount: bigint;
  project?: number;
  district?: number;
  tx: Hex;
  block: bigint;
  logIndex: number;
  time?: bigint;
}

const TRANSFER = getAbiItem({ abi: budgetTokenReadAbi, name: "Transfer" });
const CLAIMED = getAbiItem({ abi: airdropReadAbi, name: "Claimed" });

/** Turns the round's Claimed and Transfer logs into steps; transfers that touch no bank are left out. */
export function stepsOf(logs: Log[], round: RoundInfo, projects: readonly ProjectInfo[]): VoteStep[] {
  const projectOf = new Map(projects.map((p) => [p.bank.toLowerCase(), p]));
  const steps: VoteStep[] = [];
  const place = (log: Log) => ({ tx: log.transactionHash!, block: log.blockNumber!, logIndex: log.logIndex! });
  const tokenLogs = logs.filter((l) => isAddressEqual(l.address, round.token));
  const airdropLogs = logs.filter((l) => isAddressEqual(l.address, round.airdrop));
  for (const log of parseEventLogs({ abi: [CLAIMED], logs: airdropLogs, eventName: "Claimed" })) {
    steps.push({
      kind: "claim",
      account: log.args.account,
      amount: log.args.amount,
      district: log.args.district,
      ...place(log),
    });
  }
  for (const log of parseEventLogs({ abi: [TRANSFER], logs: tokenLogs, eventName: "Transfer" })) {
    const into = projectOf.get(log.args.to.toLowerCase());
    const outOf = projectOf.get(log.args.from.toLowerCase());
    if (into)
      steps.push({ kind: "deposit", account: log.args.from, amount: log.args.value, project: into.id, ...place(log) });
    else if (outOf)
      steps.push({
        kind: "withdrawal",
        account: log.args.to,
        amount: log.args.value,
        project: outOf.id,
        ...place(log),
      });
  }
  return steps.sort((a, b) => (a.block === b.block ? a.logIndex - b.logIndex : a.block < b.block ? -1 : 1));
}

async function withTimes(env: ChainEnvironment, steps: VoteStep[]): Promise<VoteStep[]> {
  const blocks = [...new Set(steps.map((s) => s.block))];
  const times = new Map(
    await Promise.all(
      blocks.map(async (n) => {
        const block = await env.client.request({ method: "eth_getBlockByNumber", params: [numberToHex(n), false] });
        return [n, BigInt(block!.timestamp)] as const;
      }),
    ),
  );
  return steps.map((s) => ({ ...s, time: times.get(s.block) }));
}

export async function stepsOfAddress(
  env: ChainEnvironment,
  round: RoundInfo,
  projects: readonly ProjectInfo[],
  account: Address,
): Promise<VoteStep[]> {
  const fromBlock = BigInt(env.config.fromBlock ?? 0);
  const [claims, outgoing, incoming] = await Promise.all([
    getLogs(env.client, { address: round.airdrop, event: CLAIMED, args: { account }, fromBlock }),
    getLogs(env.client, { address: round.token, event: TRANSFER, args: { from: account }, fromBlock }),
    getLogs(env.client, { address: round.token, event: TRANSFER, args: { to: account }, fromBlock }),
  ]);
  return withTimes(env, stepsOf([...claims, ...outgoing, ...incoming] as Log[], round, projects));
}

export type TxSteps = { found: false } | { found: true; success: boolean; steps: VoteStep[] };

export async function stepsOfTransaction(
  env: ChainEnvironment,
  round: RoundInfo,
  projects: readonly ProjectInfo[],
  hash: Hex,
): Promise<TxSteps> {
  const receipt = await getTransactionReceipt(env.client, { hash }).catch(() => undefined);
  if (!receipt) return { found: false };
  const steps = await withTimes(env, stepsOf(receipt.logs as Log[], round, projects));
  return { found: true, success: receipt.status === "success", steps };
}

/** What each account has in each bank after the steps (deposits minus withdrawals). */
export function holdings(steps: readonly VoteStep[]): Map<number, bigint> {
  const byProject = new Map<number, bigint>();
  for (const s of steps) {
    if (s.project === undefined) continue;
    const change = s.kind === "deposit" ? s.amount : -s.amount;
    byProject.set(s.project, (byProject.get(s.project) ?? 0n) + change);
  }
  for (const [project, amount] of byProject) if (amount === 0n) byProject.delete(project);
  return byProject;
}
