/**
 * The round read straight from the chain (views and the round's own events) and from the published files, for the
 * pages that act on it: the wallet's ballot and votes, the committee's and the observers' pages, verification (the
 * read-only pages use ./views.ts, which paints from the snapshot first). Queries that a page needs together are
 * issued in the same tick, so the batching transport sends them as one JSON-RPC request: on a slow rural link every
 * round trip counts.
 */
import { roundReadAbi } from "@kopilka/core/abi/reads";
import { RoundReader, type DistrictState, type RoundSettings } from "@kopilka/core/chain";
import { hashFileText, type ProjectMetadata } from "@kopilka/core/metadata";
import { useQueries, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { getAbiItem, type Address, type Hex } from "viem";
import { getLogs } from "viem/actions";

import { useChainEnvironment, type ChainEnvironment } from "../chain.js";
import { publicationRoot, roundFilesUrl } from "./files.js";

export { Phase } from "@kopilka/core/phase";

export interface RoundInfo extends RoundSettings {
  /** Chain time minus this computer's clock, in seconds (a test chain may have travelled in time). */
  clockOffset: number;
  /** This computer's time when the round was read, in seconds. */
  readAt: number;
}

export interface DistrictInfo extends DistrictState {
  id: number;
}

export interface ProjectInfo {
  id: number;
  district: number;
  bank: Address;
  cost: bigint;
  category: number;
  metadataHash: Hex;
  metadataURI: string;
}

const PROJECT_ADDED = getAbiItem({ abi: roundReadAbi, name: "ProjectAdded" });
const REFRESH_MS = 15_000;

export const roundReader = (env: ChainEnvironment): RoundReader => new RoundReader(env.rpc, env.config.round);

async function loadRound(env: ChainEnvironment): Promise<RoundInfo> {
  const [settings, block] = await Promise.all([
    roundReader(env).settings(),
    // A raw request: getBlock's formatters would add weight to every page for one timestamp.
    env.client.request({ method: "eth_getBlockByNumber", params: ["latest", false] }),
  ]);
  const readAt = Date.now() / 1000;
  return { ...settings, clockOffset: Number(BigInt(block!.timestamp)) - readAt, readAt };
}

export function useRound(): UseQueryResult<RoundInfo> {
  const env = useChainEnvironment();
  return useQuery({ queryKey: ["round"], queryFn: () => loadRound(env), refetchInterval: REFRESH_MS });
}

async function loadDistrict(env: ChainEnvironment, id: number): Promise<DistrictInfo> {
  return { id, ...(await roundReader(env).district(id)) };
}

async function loadDistricts(env: ChainEnvironment, count: number): Promise<DistrictInfo[]> {
  return Promise.all(Array.from({ length: count }, (_, id) => loadDistrict(env, id)));
}

export function useDistricts(): UseQueryResult<DistrictInfo[]> {
  const env = useChainEnvironment();
  const round = useRound();
  const count = round.data?.districtCount;
  return useQuery({
    queryKey: ["districts", count],
    queryFn: () => loadDistricts(env, count!),
    enabled: count !== undefined,
    refetchInterval: REFRESH_MS,
  });
}

/** One district's row, read alone so that its page needs no district count first; null when there is none. */
export function useDistrict(id: number): UseQueryResult<DistrictInfo | null> {
  const env = useChainEnvironment();
  return useQuery({
    queryKey: ["district", id],
    queryFn: () => loadDistrict(env, id).catch(() => null),
    refetchInterval: REFRESH_MS,
  });
}

/** Projects from the round's ProjectAdded events: the only place that holds the metadata URI. */
async function loadProjects(
  env: ChainEnvironment,
  filter: { district?: number; projectId?: number },
): Promise<ProjectInfo[]> {
  const logs = await getLogs(env.client, {
    address: env.config.round,
    event: PROJECT_ADDED,
    args: {
      district: filter.district === undefined ? undefined : BigInt(filter.district),
      projectId: filter.projectId === undefined ? undefined : BigInt(filter.projectId),
    },
    fromBlock: BigInt(env.config.fromBlock ?? 0),
    toBlock: "latest",
    strict: true,
  });
  return logs
    .map((log) => ({
      id: Number(log.args.projectId),
      district: Number(log.args.district),
      bank: log.args.bank,
      cost: log.args.cost,
      category: log.args.category,
      metadataHash: log.args.metadataHash,
      metadataURI: log.args.metadataURI,
    }))
    .sort((a, b) => a.id - b.id);
}

export function useProjects(filter: { district?: number; projectId?: number } = {}): UseQueryResult<ProjectInfo[]> {
  const env = useChainEnvironment();
  return useQuery({
    queryKey: ["projects", filter.district, filter.projectId],
    queryFn: () => loadProjects(env, filter),
    staleTime: Infinity,
  });
}

export interface BankState {
  tokens: bigint;
  /** Distinct supporters, when the round counts them (minimum support), else undefined. */
  supporters?: bigint;
}

/** Balances of the given banks (and supporters when the round keeps them). */
export function useBanks(banks: readonly Address[] | undefined, token: Address | undefined, countSupporters: boolean) {
  const env = useChainEnvironment();
  return useQuery({
    queryKey: ["banks", token, countSupporters, banks],
    enabled: banks !== undefined && token !== undefined,
    refetchInterval: REFRESH_MS,
    queryFn: async (): Promise<Map<string, BankState>> => {
      const states = await Promise.all(
        banks!.map(async (bank) => {
          const [tokens, supporters] = await Promise.all([
            roundReader(env).balanceOf(token!, bank),
            countSupporters ? roundReader(env).supportersOf(bank) : Promise.resolve(undefined),
          ]);
          return [bank.toLowerCase(), { tokens, supporters }] as const;
        }),
      );
      return new Map(states);
    },
  });
}

/** Whether each project was funded and how its implementation goes (meaningful once its district is finalized). */
export function useOutcomes(projectIds: readonly number[] | undefined, enabled: boolean) {
  const env = useChainEnvironment();
  return useQuery({
    queryKey: ["outcomes", projectIds],
    enabled: enabled && projectIds !== undefined,
    queryFn: async () => {
      const rows = await Promise.all(
        projectIds!.map(async (id) => {
          const project = await roundReader(env).project(id);
          const implementation = project.funded ? await roundReader(env).implementationOf(id) : undefined;
          return [
            id,
            { funded: project.funded, status: implementation?.status ?? 0, spent: implementation?.amountSpent ?? 0n },
          ] as const;
        }),
      );
      return new Map(rows);
    },
  });
}

export { publicationRoot, roundFilesUrl };

export interface LoadedMetadata {
  metadata?: ProjectMetadata;
  /** The file's keccak256 equals the hash the round stored for the project. */
  verified: boolean;
}

function metadataQuery(env: ChainEnvironment, project: ProjectInfo) {
  return {
    queryKey: ["metadata", project.id],
    staleTime: Infinity,
    queryFn: async (): Promise<LoadedMetadata> => {
      const url = new URL(project.metadataURI, roundFilesUrl(env));
      if (url.protocol !== "http:" && url.protocol !== "https:") return { verified: false };
      const response = await fetch(url);
      if (!response.ok) return { verified: false };
      const text = await response.text();
      const verified = hashFileText(text) === project.metadataHash.toLowerCase();
      return { metadata: JSON.parse(text) as ProjectMetadata, verified };
    },
  };
}

export function useMetadata(project: ProjectInfo): UseQueryResult<LoadedMetadata> {
  return useQuery(metadataQuery(useChainEnvironment(), project));
}

/** Title and description of each project, as far as loaded (for search and sorting). */
export function useProjectTexts(projects: readonly ProjectInfo[]): Map<number, ProjectMetadata> {
  const env = useChainEnvironment();
  const results = useQueries({ queries: projects.map((p) => metadataQuery(env, p)) });
  const texts = new Map<number, ProjectMetadata>();
  results.forEach((r, i) => r.data?.metadata && texts.set(projects[i].id, r.data.metadata));
  return texts;
}
