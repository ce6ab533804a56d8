/**
 * Helpers shared by the per-contract unit tests (BudgetToken, Airdrop, PiggyBank, RoundFactory, Round): the
 * numbers of the Solidity enums, a round config built from the role signers, and the steps that take a round
 * created by `createRound` to a state where residents hold tokens.
 */
import { HolderKind as CoreHolderKind } from "@kopilka/core/holder";
import { ImplementationStatus } from "@kopilka/core/implementation";
import { Phase as CorePhase } from "@kopilka/core/phase";
import { Rule } from "@kopilka/core/rule";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import type { IRound } from "../../typechain-types/RoundFactory.js";
import type { Participant } from "@kopilka/core/participants";
import { DAY, mintAndOpen, postBatch, type CreatedRound, type PostedBatch, type RoundRoles } from "./round.js";

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

export const ADMIN_TRANSFER_DELAY = 3 * DAY;

/** Signers 5 and up: the roles take 0..4. */
export async function residents(ethers: HardhatEthers, count: number): Promise<HardhatEthersSigner[]> {
  const signers = await ethers.getSigners();
  if (signers.length < 5 + count) throw new Error(`only ${signers.length - 5} resident signers`);
  return signers.slice(5, 5 + count);
}

/** A valid round config naming the role signers, opening a day after `now` for two weeks. */
export function roundConfig(
  roles: RoundRoles,
  now: bigint,
  overrides: Partial<IRound.RoundConfigStruct> = {},
): IRound.RoundConfigStruct {
  const opensAt = now + BigInt(DAY);
  return {
    name: "Test round",
    tokenSymbol: "KOP",
    budget: 150_000n,
    opensAt,
    closesAt: opensAt + BigInt(14 * DAY),
    rule: Rule.Ranked,
    minTokens: 0n,
    minSupporters: 0,
    admin: roles.admin.address,
    adminTransferDelay: ADMIN_TRANSFER_DELAY,
    committee: roles.committee.address,
    minter: roles.minter.address,
    registrar: roles.registrar.address,
    reporter: roles.reporter.address,
    ...overrides,
  };
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
        .claim(batch.batchId, claimant.address, participant.district, participant.amount, proof)
    ).wait();
  }
}

/** Makes the next transaction's block carry timestamp `at` (seconds) and returns it. */
export async function atTimestamp(networkHelpers: NetworkHelpers, at: bigint | number): Promise<bigint> {
  await networkHelpers.time.setNextBlockTimestamp(at);
  return BigInt(at);
}
