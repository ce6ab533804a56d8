/**
 * What the read-only pages show, from two sources: the published snapshot (./snapshot.ts), fetched first and
 * painted at once, and the chain itself (./live.ts, a chunk of its own with viem), read once the snapshot is in and
 * every 15 s after. The live answer replaces the snapshot's; until it arrives, or when it cannot (offline), the page
 * says how old what it shows is.
 */
import { replaceEqualDeep, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { useState } from "react";

import type { DistrictFacts, DistrictSnapshot, ProjectFacts, RoundFacts, RoundSnapshot } from "@kopilka/core/snapshot";

import { useEnvironment, type AppEnvironment } from "../context.js";
import { pageIdle, pageTakenOver, yieldToMain } from "../idle.js";
import { useDistrictSnapshot, useRoundSnapshot } from "./snapshot.js";

export { Phase } from "@kopilka/core/phase";

export interface RoundView extends RoundFacts {
  /** Chain time minus this computer's clock, in seconds (a test chain may have travelled in time). */
  clockOffset: number;
  /** This computer's time when the round was read, in seconds. */
  readAt: number;
}

/** A district; `tokens` (what its banks hold) only where it was read. */
export type DistrictView = Omit<DistrictFacts, "tokens"> & { tokens?: bigint };

export type ProjectView = ProjectFacts;

export interface RoundData {
  round: RoundView;
  districts: DistrictView[];
}

export interface DistrictData {
  round: RoundView;
  district: DistrictView;
  projects: ProjectView[];
}

/** Where the figures on the page come from: the chain just now, or a snapshot (or an earlier read) of `asOf`. */
export interface Freshness {
  live: boolean;
  /** The chain could not be read (offline, or the node is down). */
  failed: boolean;
  /** This computer's time of the figures shown, in seconds. */
  asOf?: number;
}

export interface View<T> {
  data?: T;
  freshness: Freshness;
  /** Set only when there is nothing to show. */
  error?: unknown;
  retry(): void;
}

export const REFRESH_MS = 15_000;

/**
 * The chain code, fetched once the page is idle and the app has taken it over (on a slow link and a slow phone the
 * snapshot shows first), and used in a task after the one that evaluated it (viem's evaluation alone is a long task on
 * a slow phone).
 */
const live = async () => {
  await Promise.all([pageIdle, pageTakenOver]);
  const module = await import("./live.js");
  await yieldToMain();
  return module;
};

function roundOfSnapshot(s: RoundSnapshot | DistrictSnapshot): RoundView {
  return { ...s.round, clockOffset: s.blockTime - s.takenAt, readAt: s.takenAt };
}

function combine<S, T>(
  snapshot: UseQueryResult<S | null>,
  chain: UseQueryResult<T>,
  fromSnapshot: (s: S) => T,
  takenAt: (s: S) => number,
): View<T> {
  const retry = () => void chain.refetch();
  if (chain.data !== undefined) {
    return {
      data: chain.data,
      freshness: { live: !chain.isError, failed: chain.isError, asOf: chain.dataUpdatedAt / 1000 },
      retry,
    };
  }
  const s = snapshot.data ?? undefined;
  const freshness = { live: false, failed: chain.isError, asOf: s === undefined ? undefined : takenAt(s) };
  if (s !== undefined) return { data: fromSnapshot(s), freshness, retry };
  return { freshness, error: chain.error ?? undefined, retry };
}

/**
 * The view with every part of its data that equals what the page showed before kept as the same object (TanStack
 * Query's structural sharing, across the snapshot and the chain), so that the chain's answer replacing the snapshot,
 * or a refresh every 15 s, re-renders only the cards whose figures changed.
 */
function useStable<T>(view: View<T>): View<T> {
  // What the page showed, kept as React's documented "information from previous renders": set during the render
  // only when the data changed, which React applies before drawing any child.
  const [shown, setShown] = useState<T | undefined>(undefined);
  const data = view.data === undefined ? undefined : replaceEqualDeep(shown, view.data);
  if (data !== undefined && data !== shown) setShown(data);
  return data === view.data ? view : { ...view, data };
}

const liveRoundQuery = (env: AppEnvironment) => ({
  queryKey: ["live", "round"],
  queryFn: async () => (await live()).liveRound(env),
  refetchInterval: REFRESH_MS,
});

/** The round and its districts. */
export function useRoundView(): View<RoundData> {
  const env = useEnvironment();
  const snapshot = useRoundSnapshot();
  // The snapshot first: on a slow link the chain's code and answers would only slow its arrival.
  const chain = useQuery({ ...liveRoundQuery(env), enabled: !snapshot.isPending });
  return useStable(
    combine(
      snapshot,
      chain,
      (s) => ({ round: roundOfSnapshot(s), districts: s.districts }),
      (s) => s.takenAt,
    ),
  );
}

/**
 * The round's districts for choosing one (their names and numbers do not change): from the snapshot, and from the
 * chain only when there is no snapshot, so that a page showing one district reads no other district's figures.
 */
export function useDistrictChoices(): { id: number; name: string }[] | undefined {
  const env = useEnvironment();
  const snapshot = useRoundSnapshot();
  const chain = useQuery({ ...liveRoundQuery(env), enabled: snapshot.data === null });
  return (snapshot.data ?? chain.data)?.districts;
}

/** One district with its projects and their banks; null when the round has no such district. */
export function useDistrictView(id: number | undefined): View<DistrictData | null> {
  const env = useEnvironment();
  const known = id !== undefined;
  const snapshot = useDistrictSnapshot(id ?? -1, known);
  const chain = useQuery({
    queryKey: ["live", "district", id],
    queryFn: async () => (await live()).liveDistrict(env, id!, snapshot.data ?? null),
    enabled: known && !snapshot.isPending,
    refetchInterval: REFRESH_MS,
  });
  return useStable(
    combine(
      snapshot,
      chain,
      (s) => ({ round: roundOfSnapshot(s), district: s.district, projects: s.projects }),
      (s) => s.takenAt,
    ),
  );
}

/** The district a project belongs to (from the snapshot, or the chain when there is none); null for no project. */
export function useProjectDistrict(projectId: number): { data?: number | null; error?: unknown } {
  const env = useEnvironment();
  const snapshot = useRoundSnapshot();
  const fromSnapshot = snapshot.data?.projectDistricts[projectId];
  const chain = useQuery({
    queryKey: ["live", "projectDistrict", projectId],
    queryFn: async () => (await live()).liveProjectDistrict(env, projectId),
    enabled: !snapshot.isPending && fromSnapshot === undefined,
    staleTime: Infinity,
  });
  if (fromSnapshot !== undefined) return { data: fromSnapshot };
  return { data: chain.data, error: chain.error ?? undefined };
}
