/** What an address is to the budget token; the numbers are the Solidity enum `IBudgetToken.HolderKind` (`holderOf`). */
export enum HolderKind {
  /** Neither a resident nor a piggy bank: an address the token does not know. */
  None = 0,
  /** Claimed an allowance: may move its tokens into its district's piggy banks. */
  Resident = 1,
  /** A project's piggy bank. */
  PiggyBank = 2,
  /** Revoked by the registrar before it claimed (its resident enrolled again from another device): never claims. */
  Revoked = 3,
}
