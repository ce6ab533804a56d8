/**
 * Who is voting, behind one hook: the ballot's pages ask `useVoter` where the resident stands and `useCastBallot`
 * (./castBallot.ts) to send the ballot, and know nothing of how the resident signed in: a wallet (wagmi), or else the
 * key this browser keeps after a phone check (../resident/resident.ts), which can vote once the enrollment service
 * has published the resident's list entry.
 */
import { useQuery } from "@tanstack/react-query";
import type { Address } from "viem";
import { useChainId, useConnection } from "wagmi";

import type { AllowanceClaim, Holdings } from "@kopilka/core/ballotPlan";
import { useChainEnvironment } from "../chain.js";
import type { BrowserKey } from "../resident/keyStore.js";
import { useBrowserResident } from "../resident/resident.js";
import { ANY_DISTRICT, holdingsOf, standingOf, type RoundContracts, type Voter } from "./eligibility.js";

export type VoterState =
  | { state: "signedOut" }
  /** Signed in through a wallet that is on another network (the wallet's own screen says what to do). */
  | { state: "wrongNetwork" }
  | { state: "checking" }
  /** Signed in by phone; the list entry is being published (`expectedWaitSeconds` from the enrollment service). */
  | { state: "publishing"; expectedWaitSeconds: number }
  /**
   * Signed in by phone here, but this browser can no longer vote: the phone signed in on another device since
   * (`replaced`), or did so after voting here, and that was refused (`refused`: the vote stands; `message` says so).
   */
  | { state: "replaced" }
  | { state: "refused"; message: string }
  | { state: "error"; error: unknown; retry: () => void }
  /** On no list of verified residents. */
  | { state: "ineligible"; account: Address }
  /** A resident whose rubles are bound to another district. */
  | { state: "elsewhere"; district: number }
  | {
      state: "ready";
      account: Address;
      standing: Voter;
      holdings: Holdings;
      /** The leaf a first ballot claims, when the rubles are not claimed yet. */
      claim?: AllowanceClaim;
      /** The browser's own key, when the resident signed in by phone (else a wallet signs). */
      key?: BrowserKey;
    };

export function useVoter(
  round: RoundContracts,
  districtId: number,
  projects: readonly { bank: Address; district: number }[],
): VoterState {
  const env = useChainEnvironment();
  const connection = useConnection();
  const walletChain = useChainId();
  const wallet = connection.status === "connected" ? connection.address : undefined;
  const resident = useBrowserResident();
  // A wallet signed in here wins; else the phone's key, once its list entry is published.
  const key = wallet === undefined && resident.state === "enrolled" ? resident.key : undefined;
  const posted = key !== undefined && resident.state === "enrolled" && resident.status?.status === "posted";
  const account = wallet ?? (posted ? key.account : undefined);
  const banks = projects.map((p) => p.bank);
  const standing = useQuery({
    queryKey: ["standing", account, banks],
    enabled: account !== undefined,
    queryFn: () => standingOf(env, round, account!, banks),
  });
  if (key !== undefined && resident.state === "enrolled" && !posted) {
    const status = resident.status;
    if (status?.status === "queued") return { state: "publishing", expectedWaitSeconds: status.expectedWaitSeconds };
    if (status?.status === "refused") return { state: "refused", message: status.message };
    // Revoked, or no longer known to the service.
    return { state: "replaced" };
  }
  if (account === undefined) {
    if (wallet === undefined && (resident.state === "loading" || connection.status === "reconnecting")) {
      return { state: "checking" };
    }
    if (resident.state === "error") return { state: "error", error: resident.error, retry: resident.retry };
    return { state: "signedOut" };
  }
  if (wallet !== undefined && (connection.chainId ?? walletChain) !== env.config.chainId) {
    return { state: "wrongNetwork" };
  }
  if (standing.error) return { state: "error", error: standing.error, retry: () => void standing.refetch() };
  if (!standing.data) return { state: "checking" };
  const s = standing.data;
  // A phone's account off every list was replaced by another device's (the service says so first, as a rule).
  if (s.kind === "unlisted") return wallet === undefined ? { state: "replaced" } : { state: "ineligible", account };
  const bound = s.kind === "resident" ? s.district : s.leaf.district;
  if (bound !== ANY_DISTRICT && bound !== districtId) return { state: "elsewhere", district: bound };
  return {
    state: "ready",
    account,
    standing: s,
    holdings: holdingsOf(s, projects),
    claim: s.kind === "listed" ? s.leaf : undefined,
    key: wallet === undefined ? key : undefined,
  };
}
