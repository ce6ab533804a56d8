/**
 * "The resident of this browser": the key kept in IndexedDB for the round (./keyStore.ts) and where the enrollment
 * service says it stands (queued until the next posting, posted, revoked by a newer device, refused). Polled while
 * queued, so that the ballot opens as soon as the resident's list entry is published.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";

import { useEnvironment } from "../context.js";
import { enrollApi, EnrollRefusal, servicesOf, type EnrollStatus } from "./enrollApi.js";
import { loadKey, type BrowserKey } from "./keyStore.js";

/** How often a queued resident's status is asked for. */
const QUEUED_POLL_MS = 2_000;

export type BrowserResident =
  | { state: "none" }
  | { state: "loading" }
  | { state: "error"; error: unknown; retry: () => void }
  /** A key enrolled here; `status` is the service's word on it (undefined: the service did not know it). */
  | { state: "enrolled"; key: BrowserKey; status: EnrollStatus | undefined };

export const browserKeyQueryKey = (chainId: number, round: string) => ["browserKey", chainId, round.toLowerCase()];

export function useBrowserResident(): BrowserResident {
  const { config } = useEnvironment();
  const services = servicesOf(config);
  const key = useQuery({
    queryKey: browserKeyQueryKey(config.chainId, config.round),
    enabled: services !== undefined && typeof indexedDB !== "undefined",
    queryFn: async () => (await loadKey(config.chainId, config.round)) ?? null,
    staleTime: Infinity,
  });
  const enrolled = key.data?.enrolled ? key.data : undefined;
  const status = useQuery({
    queryKey: ["enrollStatus", enrolled?.account],
    enabled: enrolled !== undefined,
    queryFn: async () => {
      try {
        return await enrollApi(services!).status(enrolled!.account);
      } catch (error) {
        if (error instanceof EnrollRefusal && error.code === "not-found") return null;
        throw error;
      }
    },
    refetchInterval: (query) => (query.state.data?.status === "queued" ? QUEUED_POLL_MS : false),
  });
  if (services === undefined) return { state: "none" };
  if (key.error) return { state: "error", error: key.error, retry: () => void key.refetch() };
  if (key.data === undefined) return { state: "loading" };
  if (!enrolled) return { state: "none" };
  if (status.error) return { state: "error", error: status.error, retry: () => void status.refetch() };
  if (status.data === undefined) return { state: "loading" };
  return { state: "enrolled", key: enrolled, status: status.data ?? undefined };
}

/** After the key store changed: everything that reads it reads again. */
export function useRefreshResident(): () => Promise<void> {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: ["browserKey"] });
    await queryClient.invalidateQueries({ queryKey: ["enrollStatus"] });
    await queryClient.invalidateQueries({ queryKey: ["standing"] });
  };
}
