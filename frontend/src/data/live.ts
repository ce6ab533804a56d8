/**
 * The read-only pages' figures straight from the chain, loaded after the first paint (its own chunk, with viem and
 * the core's reader): the round and its districts, or one district with its projects, banks and outcomes, each set
 * of calls in one JSON-RPC batch. A description the snapshot brought is kept when it hashes to what the round
 * stores (one keccak, no download); any other is fetched and checked.
 */
import { decodeEventLog, encodeEventTopics, numberToHex, type Hex } from "viem";

import { roundReadAbi } from "@kopilka/core/abi/reads";
import { RoundReader } from "@kopilka/core/chain";
import { hashFileText, metadataHash, type ProjectMetadata } from "@kopilka/core/metadata";
import type { DistrictSnapshot, MetadataState } from "@kopilka/core/snapshot";

import { chainEnvironment, type ChainEnvironment } from "../chain.js";
import type { AppEnvironment } from "../context.js";
import { yieldToMain } from "../idle.js";
import { roundFile } from "./files.js";
import type { DistrictData, ProjectView, RoundData, RoundView } from "./views.js";

const reader = (env: ChainEnvironment): RoundReader => new RoundReader(env.rpc, env.config.round);

async function roundNow(env: ChainEnvironment): Promise<RoundView> {
  const [settings, block] = await Promise.all([
    reader(env).settings(),
    // A raw request: getBlock's formatters would add weight for one timestamp.
    env.client.request({ method: "eth_getBlockByNumber", params: ["latest", false] }),
  ]);
  const readAt = Date.now() / 1000;
  return { ...settings, clockOffset: Number(BigInt(block!.timestamp)) - readAt, readAt };
}

export async function liveRound(app: AppEnvironment): Promise<RoundData> {
  const env = chainEnvironment(app.config);
  const round = await roundNow(env);
  const districts = await Promise.all(
    Array.from({ length: round.districtCount }, async (_, id) => ({ id, ...(await reader(env).district(id)) })),
  );
  return { round, districts };
}

export async function liveProjectDistrict(app: AppEnvironment, projectId: number): Promise<number | null> {
  const env = chainEnvironment(app.config);
  return reader(env)
    .project(projectId)
    .then((p) => p.district)
    .catch(() => null);
}

/** The metadata URI and hash of a district's projects, from the round's ProjectAdded events. */
async function listings(env: ChainEnvironment, district: number) {
  const [event, , districtTopic] = encodeEventTopics({
    abi: roundReadAbi,
    eventName: "ProjectAdded",
    args: { district: BigInt(district) },
  });
  const logs = (await env.client.request({
    method: "eth_getLogs",
    params: [
      {
        address: env.config.round,
        topics: [event, null, districtTopic],
        fromBlock: numberToHex(env.config.fromBlock ?? 0),
        toBlock: "latest",
      },
    ],
  })) as { topics: Hex[]; data: Hex }[];
  return new Map(
    logs.map((log) => {
      const { args } = decodeEventLog({
        abi: roundReadAbi,
        eventName: "ProjectAdded",
        topics: log.topics as [Hex, ...Hex[]],
        data: log.data,
      });
      return [Number(args.projectId), { hash: args.metadataHash.toLowerCase(), uri: args.metadataURI }] as const;
    }),
  );
}

async function describe(
  env: ChainEnvironment,
  listing: { hash: string; uri: string } | undefined,
  known: ProjectMetadata | undefined,
): Promise<{ metadataState: MetadataState; metadata?: ProjectMetadata }> {
  if (!listing) return { metadataState: "missing" };
  // One description's hash per task: a district's worth of them in one task would hold a slow phone for a while.
  await yieldToMain();
  if (known && metadataHash(known) === listing.hash) return { metadataState: "verified", metadata: known };
  const url = roundFile(env, listing.uri);
  const response = url && (await fetch(url).catch(() => undefined));
  if (!response?.ok) return { metadataState: "missing" };
  const text = await response.text();
  if (hashFileText(text) !== listing.hash) return { metadataState: "mismatch" };
  try {
    return { metadataState: "verified", metadata: JSON.parse(text) as ProjectMetadata };
  } catch {
    return { metadataState: "unreadable" };
  }
}

export async function liveDistrict(
  app: AppEnvironment,
  id: number,
  hint: DistrictSnapshot | null,
): Promise<DistrictData | null> {
  const env = chainEnvironment(app.config);
  const [round, district, ids, listed] = await Promise.all([
    roundNow(env),
    reader(env)
      .district(id)
      .catch(() => null),
    reader(env)
      .districtProjectIds(id)
      .catch(() => []),
    listings(env, id),
  ]);
  if (district === null) return null;
  const states = await Promise.all(ids.map((projectId) => reader(env).project(projectId)));
  const counting = round.minSupporters > 0n;
  const [balances, supporters, implementations, descriptions] = await Promise.all([
    Promise.all(states.map((p) => reader(env).balanceOf(round.token, p.bank))),
    Promise.all(states.map((p) => (counting ? reader(env).supportersOf(p.bank) : undefined))),
    Promise.all(ids.map((projectId, i) => (states[i].funded ? reader(env).implementationOf(projectId) : undefined))),
    Promise.all(
      ids.map((projectId) =>
        describe(env, listed.get(projectId), hint?.projects.find((p) => p.id === projectId)?.metadata),
      ),
    ),
  ]);
  const projects: ProjectView[] = ids.map((projectId, i) => ({
    id: projectId,
    district: id,
    bank: states[i].bank,
    cost: states[i].cost,
    category: states[i].category,
    metadataHash: listed.get(projectId)?.hash ?? "",
    metadataURI: listed.get(projectId)?.uri ?? "",
    ...descriptions[i],
    tokens: balances[i],
    supporters: supporters[i],
    funded: states[i].funded,
    status: implementations[i]?.status ?? 0,
    spent: implementations[i]?.amountSpent ?? 0n,
  }));
  return {
    round,
    district: { id, ...district, tokens: balances.reduce((sum, b) => sum + b, 0n) },
    projects,
  };
}
