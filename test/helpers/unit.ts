/**
 * Helpers shared by the per-contract unit tests (BudgetToken, Airdrop, PiggyBank, RoundFactory, Round): the
 * numbers of the Solidity enums as ethers returns them, and the steps that take a round created by `createRound`
 * to a state where residents hold tokens.
 */
import { HolderKind as CoreHolderKind } from "@kopilka/core/holder";
import { ImplementationStatus } from "@kopilka/core/implementation";
import { Phase as CorePhase } from "@kopilka/core/phase";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import type { Participant } from "@kopilka/core/participants";
import {
  FIRST_VOTER,
  mintAndOpen,
  postBatch,
  type CreatedRound,
  type PostedBatch,
} from "../../scripts/hardhat/fixtures.js";

/** A numeric enum's members as the bigints ethers returns for them. */
type Bigints<E> = { readonly [K in keyof E as E[K] extends number ? K : never]: bigint };

function asBigints<const E extends Record<string, string | number>>(numericEnum: E): Bigints<E> {
  const members = Object.entries(numericEnum).filter(([, value]) => typeof value === "number");
  return Object.fromEntries(members.map(([name, value]) => [name, BigInt(value)])) as Bigints<E>;
}

/** `IRound.Phase`, as the contract returns it. */
export const Phase = asBigints(CorePhase);

/** `IRound.ImplementationStatus`, as the contract returns it. */
export const Status = asBigints(ImplementationStatus);

/** `IBudgetToken.HolderKind`, as the contract returns it. */
export const HolderKind = asBigints(CoreHolderKind);

/** Signers 5 and up: the roles take 0..4. */
export async function residents(ethers: HardhatEthers, count: number): Promise<HardhatEthersSigner[]> {
  const signers = await ethers.getSigners();
  if (signers.length < FIRST_VOTER + count) throw new Error(`only ${signers.length - FIRST_VOTER} resident signers`);
  return signers.slice(FIRST_VOTER, FIRST_VOTER + count);
}

/** Mints and opens the round, posts one batch of `participants`, and moves time to `opensAt`. */
export async function openForVoting(
  networkHelpers: NetworkHelpers,
  created: CreatedRound,
  participants: readonly Participant[],
): Promise<PostedBatch> {
  await mintAndOpen(created);
  const batch = await postBatch(created, participants);
  await networkHelpers.time.increaseTo(created.opensAt);
  return batch;
}

/** Claims each resident's allowance from `batch` at the airdrop, submitted by the resident. */
export async function claimAll(
  created: Pick<CreatedRound, "airdrop">,
  batch: PostedBatch,
  claimants: readonly HardhatEthersSigner[],
): Promise<void> {
  for (const claimant of claimants) {
    const { participant, proof } = batch.proofOf(claimant.address);
    await (
      await created.airdrop
        .connect(claimant)
        .claim(batch.batchId, claimant.address, participant.district, participant.amount, participant.enrollment, proof)
    ).wait();
  }
}

/** Makes the next transaction's block carry timestamp `at` (seconds) and returns it. */
export async function atTimestamp(networkHelpers: NetworkHelpers, at: bigint | number): Promise<bigint> {
  await networkHelpers.time.setNextBlockTimestamp(at);
  return BigInt(at);
}
