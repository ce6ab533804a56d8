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
