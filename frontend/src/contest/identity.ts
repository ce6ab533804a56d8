/**
 * Who the resident is on the contest's pages: the browser's P-256 key kept for the contest (./../resident/keyStore.ts,
 * one record per chain and scope, the contest being the scope), the same kind of key they vote with. It signs the
 * resident's submissions, amendments and co-signatures; the services relay them. A resident without one signs in by
 * phone (`/phone`, `SignInByPhone`): the services, run for the contest, enroll the key into the contest's residents.
 */
import { useQuery } from "@tanstack/react-query";

import { enrollApi, EnrollRefusal } from "../resident/enrollApi.js";
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

/** Where a resident without a key for the contest goes: the phone sign-in, and back to `next` (this page) after it. */
export function phoneSignInPath(next: string): string {
  return `/phone?next=${encodeURIComponent(next)}`;
}

/**
 * Waits until the services have put the key's resident in the contest's published list (a resident signed in by
 * phone a moment ago waits for the next posting, about a minute): the relay takes a resident's message only then. A
 * key the services did not enroll (posted by the registrar's tool) is not theirs to wait for.
 */
export async function untilPosted(services: string, key: BrowserKey, timeoutMs = 180_000): Promise<void> {
  if (!key.enrolled) return;
  const api = enrollApi(services);
  const until = Date.now() + timeoutMs;
  for (;;) {
    let status;
    try {
      status = await api.status(key.account);
    } catch (error) {
      if (error instanceof EnrollRefusal && error.code === "not-found") return;
      throw error;
    }
    // Posted, or no longer the services' to post: the relay answers in its own words.
    if (status.status !== "queued" || Date.now() > until) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
