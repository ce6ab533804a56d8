/**
 * Who the resident is on the contest's pages: the browser's P-256 key kept for the contest (./../resident/keyStore.ts,
 * one record per chain and scope, the contest being the scope), the same kind of key they vote with. It signs the
 * resident's submissions, amendments and co-signatures; the services relay them.
 */
import { useQuery } from "@tanstack/react-query";

import { keySigner, loadKey, type BrowserKey } from "../resident/keyStore.js";
import { keyContestSigner, type Signer } from "./relayApi.js";

export const contestKeyQueryKey = (chainId: number, contest: string) => ["contestKey", chainId, contest.toLowerCase()];

export function useContestKey(chainId: number, contest: string) {
  return useQuery({
    queryKey: contestKeyQueryKey(chainId, contest),
    enabled: typeof indexedDB !== "undefined",
    queryFn: async () => (await loadKey(chainId, contest)) ?? null,
    staleTime: Infinity,
  });
}

export function residentSigner(key: BrowserKey): Signer {
  return keyContestSigner(key.account, keySigner(key));
}
