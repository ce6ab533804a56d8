/**
 * Who is voting, behind one hook: the ballot's pages ask `useVoter` where the resident stands and `useCastBallot`
 * (./castBallot.ts) to send the ballot, and know nothing of how the resident signed in. Today that is a wallet
 * (wagmi); a key kept by the browser after a phone check can stand behind the same two hooks.
 */
import { useQuery } from "@tanstack/react-query";
import type { Address } from "viem";
import { useChainId, useConnection } from "wagmi";

import type { AllowanceClaim, Holdings } from "@kopilka/core/ballotPlan";
import { useChainEnvironment } from "../chain.js";
import { ANY_DISTRICT, holdingsOf, standingOf, type RoundContracts, type Voter } from "./eligibility.js";

export type VoterState =
  | { state: "signedOut" }
  /** Signed in through a wallet that is on another network (the wallet's own screen says what to do). */
  | { state: "wrongNetwork" }
  | { state: "checking" }
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
    };

export function useVoter(
  round: RoundContracts,
  districtId: number,
  projects: readonly { bank: Address; district: number }[],
): VoterState {
  const env = useChainEnvironment();
  const connection = useConnection();
  const walletChain = useChainId();
  const account = connection.status === "connected" ? connection.address : undefined;
  const banks = projects.map((p) => p.bank);
  const standing = useQuery({
    queryKey: ["standing", account, banks],
    enabled: account !== undefined,
    queryFn: () => standingOf(env, round, account!, banks),
  });
  if (account === undefined) return { state: "signedOut" };
  if ((connection.chainId ?? walletChain) !== env.config.chainId) return { state: "wrongNetwork" };
  if (standing.error) return { state: "error", error: standing.error, retry: () => void standing.refetch() };
  if (!standing.data) return { state: "checking" };
  const s = standing.data;
  if (s.kind === "unlisted") return { state: "ineligible", account };
  const bound = s.kind === "resident" ? s.district : s.leaf.district;
  if (bound !== ANY_DISTRICT && bound !== districtId) return { state: "elsewhere", district: bound };
  return {
    state: "ready",
    account,
    standing: s,
    holdings: holdingsOf(s, projects),
    claim: s.kind === "listed" ? s.leaf : undefined,
  };
}
