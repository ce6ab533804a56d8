/**
 * Takes a round's snapshot (../domain/snapshot.ts) from any JSON-RPC endpoint, every read at one block: settings,
 * districts, projects (their URIs from the round's ProjectAdded events), bank balances in one deployless call,
 * supporters, outcomes, and each project's published description checked against its on-chain hash.
 */
import { decodeEventLog, encodeEventTopics, type Hex } from "viem";

import { readLogs } from "../audit/logs.js";
import { hashFileText, type ProjectMetadata } from "../domain/metadata.js";
import {
  SNAPSHOT_VERSION,
  type DistrictFacts,
  type DistrictSnapshot,
  type MetadataState,
  type ProjectFacts,
  type RoundFacts,
  type RoundSnapshot,
  type SnapshotHeader,
} from "../domain/snapshot.js";
import { roundReadAbi } from "../generated/reads.js";
import { RoundReader } from "./reader.js";
import { inPool, type Eip1193Provider } from "./rpc.js";

export interface SnapshotOptions {
  rpc: Eip1193Provider;
  round: string;
  /** Where the round's logs start (its factory's deployment block); 0 when omitted. */
  fromBlock?: number;
  /** The text of a published file by its URI relative to the round's directory (or absolute), if there is one. */
  readFile: (uri: string) => Promise<string | undefined>;
  /** The writer's clock, in seconds. */
  now?: () => number;
}

export interface TakenSnapshot {
  round: RoundSnapshot;
  districts: DistrictSnapshot[];
}

const CONCURRENCY = 16;

interface Listing {
  metadataHash: string;
  metadataURI: string;
}

/** The metadata URI and hash of every project, from the round's ProjectAdded events up to `block`. */
async function listings(rpc: Eip1193Provider, round: string, fromBlock: number, block: number) {
  const [topic] = encodeEventTopics({ abi: roundReadAbi, eventName: "ProjectAdded" });
  const { logs } = await readLogs(rpc, { addresses: [round], topics: [topic], fromBlock, toBlock: block });
  const byId = new Map<number, Listing>();
  for (const log of logs) {
    const { args } = decodeEventLog({
      abi: roundReadAbi,
      eventName: "ProjectAdded",
      topics: log.topics as [Hex, ...Hex[]],
      data: log.data as Hex,
    });
    byId.set(Number(args.projectId), { metadataHash: args.metadataHash.toLowerCase(), metadataURI: args.metadataURI });
  }
  return byId;
}

async function describe(
  listing: Listing | undefined,
  readFile: SnapshotOptions["readFile"],
): Promise<{ metadataState: MetadataState; metadata?: ProjectMetadata }> {
  const text = listing && (await readFile(listing.metadataURI).catch(() => undefined));
  if (text === undefined) return { metadataState: "missing" };
  if (hashFileText(text) !== listing!.metadataHash) return { metadataState: "mismatch" };
  try {
    return { metadataState: "verified", metadata: JSON.parse(text) as ProjectMetadata };
  } catch {
    return { metadataState: "unreadable" };
  }
}

export async function takeSnapshot(options: SnapshotOptions): Promise<TakenSnapshot> {
  const { rpc, readFile } = options;
  const latest = (await rpc.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    number: string;
    timestamp: string;
  };
  const block = Number(BigInt(latest.number));
  const reader = new RoundReader(rpc, options.round, block);
  const settings = await reader.settings();
  const round: RoundFacts = {
    name: settings.name,
    token: settings.token,
    airdrop: settings.airdrop,
    budget: settings.budget,
    opensAt: settings.opensAt,
    closesAt: settings.closesAt,
    rule: settings.rule,
    minTokens: settings.minTokens,
    minSupporters: settings.minSupporters,
    opened: settings.opened,
    phase: settings.phase,
    districtCount: settings.districtCount,
    projectCount: settings.projectCount,
  };
  const [districtStates, projectStates, listed] = await Promise.all([
    inPool(settings.districtCount, CONCURRENCY, (id) => reader.district(id)),
    inPool(settings.projectCount, CONCURRENCY, (id) => reader.project(id)),
    listings(rpc, options.round, options.fromBlock ?? 0, block),
  ]);
  const banks = projectStates.map((p) => p.bank);
  const [balances, supporters, implementations, descriptions] = await Promise.all([
    reader.balancesOf(settings.token, banks),
    settings.minSupporters > 0n
      ? inPool(banks.length, CONCURRENCY, (id) => reader.supportersOf(banks[id]))
      : banks.map(() => undefined),
    inPool(banks.length, CONCURRENCY, async (id) =>
      projectStates[id].funded ? await reader.implementationOf(id) : undefined,
    ),
    inPool(banks.length, CONCURRENCY, (id) => describe(listed.get(id), readFile)),
  ]);

  const projects: ProjectFacts[] = projectStates.map((p, id) => ({
    id,
    district: p.district,
    bank: p.bank,
    cost: p.cost,
    category: p.category,
    metadataHash: listed.get(id)?.metadataHash ?? "",
    metadataURI: listed.get(id)?.metadataURI ?? "",
    ...descriptions[id],
    tokens: balances[id],
    supporters: supporters[id],
    funded: p.funded,
    status: implementations[id]?.status ?? 0,
    spent: implementations[id]?.amountSpent ?? 0n,
  }));
  const districts: DistrictFacts[] = districtStates.map((d, id) => ({
    id,
    ...d,
    tokens: projects.filter((p) => p.district === id).reduce((sum, p) => sum + p.tokens, 0n),
  }));
  const head: SnapshotHeader = {
    version: SNAPSHOT_VERSION,
    chainId: Number(BigInt((await rpc.request({ method: "eth_chainId" })) as string)),
    address: options.round.toLowerCase(),
    block,
    blockTime: Number(BigInt(latest.timestamp)),
    takenAt: Math.floor(options.now?.() ?? Date.now() / 1000),
  };
  return {
    round: { ...head, round, districts, projectDistricts: projects.map((p) => p.district) },
    districts: districts.map((district) => ({
      ...head,
      round,
      district,
      projects: projects.filter((p) => p.district === district.id),
    })),
  };
}
