/** Where a round is in its life; the numbers are the Solidity enum `IRound.Phase` (`round.phase()`). */
export enum Phase {
  /** Districts, projects and the budget are being set up; nothing can be voted yet. */
  Setup = 0,
  /** Opened and between `opensAt` and `closesAt`: residents claim and move their tokens. */
  Voting = 1,
  /** Past `closesAt`: tokens are frozen; districts wait to be finalized. */
  Closed = 2,
  /** Every district has its winners. */
  Finalized = 3,
}

/** The phases by the names the committee's tool prints, in enum order. */
export const PHASE_KEYS = ["setup", "voting", "closed", "finalized"] as const;

/** The name of a phase ("voting"), or its number for one this version does not know. */
export function phaseKey(phase: number): string {
  return PHASE_KEYS[phase] ?? String(phase);
}
