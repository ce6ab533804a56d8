/**
 * The round's published snapshot (@kopilka/core/snapshot): static files the read-only pages paint from before any
 * chain code is loaded. A missing snapshot (a host that publishes none) or one of another round is no snapshot.
 */
import { useQuery, type UseQueryResult } from "@tanstack/react-query";

import { districtSnapshotPath, roundSnapshotPath } from "@kopilka/core/publication";
import {
  decodeDistrictSnapshot,
  decodeRoundSnapshot,
  type DistrictSnapshot,
  type RoundSnapshot,
  type SnapshotHeader,
} from "@kopilka/core/snapshot";

import { useEnvironment, type AppEnvironment } from "../context.js";
import { publicationRoot } from "./files.js";

async function fetchSnapshot<T extends SnapshotHeader>(
  env: AppEnvironment,
  path: string,
  decode: (json: never) => T,
): Promise<T | null> {
  const response = await fetch(new URL(path, publicationRoot(env)));
  if (!response.ok) return null;
  const snapshot = decode((await response.json()) as never);
  const ours = snapshot.chainId === env.config.chainId && snapshot.address === env.config.round.toLowerCase();
  return ours ? snapshot : null;
}

export function roundSnapshotQuery(env: AppEnvironment) {
  const { chainId, round } = env.config;
  return {
    queryKey: ["snapshot", "round"],
    queryFn: () => fetchSnapshot(env, roundSnapshotPath("", chainId, round), decodeRoundSnapshot).catch(() => null),
    staleTime: Infinity,
    retry: false,
  };
}

export function districtSnapshotQuery(env: AppEnvironment, id: number) {
  const { chainId, round } = env.config;
  return {
    queryKey: ["snapshot", "district", id],
    queryFn: () =>
      fetchSnapshot(env, districtSnapshotPath("", chainId, round, id), decodeDistrictSnapshot).catch(() => null),
    staleTime: Infinity,
    retry: false,
  };
}

export function useRoundSnapshot(): UseQueryResult<RoundSnapshot | null> {
  return useQuery(roundSnapshotQuery(useEnvironment()));
}

export function useDistrictSnapshot(id: number, enabled = true): UseQueryResult<DistrictSnapshot | null> {
  return useQuery({ ...districtSnapshotQuery(useEnvironment(), id), enabled });
}
