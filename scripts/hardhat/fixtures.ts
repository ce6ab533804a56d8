/**
 * Builds rounds on a Hardhat network for the tests and the benchmarks: deploys the factory, creates a round, adds
 * districts and projects, mints, posts a batch of residents and opens voting, and makes as many funded voters as
 * a run needs. Each test file calls these inside its own fixture.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Signer } from "ethers";

import {
  buildParticipantTree,
  findParticipant,
  type Participant,
  type ParticipantLeaf,
} from "@kopilka/core/participants";
import { Rule } from "@kopilka/core/rule";
import type { Airdrop, BudgetToken, Round, RoundFactory } from "../../typechain-types/index.js";
import type { IRound } from "../../typechain-types/RoundFactory.js";

export const DAY = 24 * 60 * 60;

export const ADMIN_TRANSFER_DELAY = 3 * DAY;

export interface DistrictSpec {
  name: string;
  /** Kopecks. */
  budget: bigint;
  /** Project costs in kopecks. */
  projects: bigint[];
}

export interface RoundOptions {
  districts: DistrictSpec[];
  /** An already deployed factory; a new one is deployed when omitted. */
  factory?: RoundFactory;
  rule?: Rule;
  minTokens?: bigint;
  minSupporters?: number;
  /** The declared allowance of a resident in kopecks (0, the default: none declared). */
  allowance?: bigint;
  /** Whether residents enrolled by phone are bound to the district they chose. */
  residentsBound?: boolean;
  /** Seconds from now until voting opens / closes. */
  opensIn?: number;
  votingDays?: number;
}

export interface RoundRoles {
  admin: HardhatEthersSigner;
  committee: HardhatEthersSigner;
  minter: HardhatEthersSigner;
  registrar: HardhatEthersSigner;
  reporter: HardhatEthersSigner;
}

export interface CreatedRound {
  factory: RoundFactory;
  round: Round;
  token: BudgetToken;
  airdrop: Airdrop;
  roles: RoundRoles;
  opensAt: bigint;
  closesAt: bigint;
  budget: bigint;
  /** Bank address of each project, by project id. */
  banks: string[];
  /** Project ids of each district, by district id. */
  districtProjects: number[][];
}

export async function deployFactory(ethers: HardhatEthers): Promise<RoundFactory> {
  const factory = await ethers.deployContract("RoundFactory");
  await factory.waitForDeployment();
  return factory;
}

export async function roundRoles(ethers: HardhatEthers): Promise<RoundRoles> {
  const [admin, committee, minter, registrar, reporter] = await ethers.getSigners();
  return { admin, committee, minter, registrar, reporter };
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
    allowance: 0n,
    residentsBound: false,
    admin: roles.admin.address,
    adminTransferDelay: ADMIN_TRANSFER_DELAY,
    committee: roles.committee.address,
    minter: roles.minter.address,
    registrar: roles.registrar.address,
    reporter: roles.reporter.address,
    ...overrides,
  };
}

/** Creates a round through the factory and sets it up (districts, projects), without minting or opening. */
export async function createRound(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
  options: RoundOptions,
): Promise<CreatedRound> {
  const factory = options.factory ?? (await deployFactory(ethers));
  const roles = await roundRoles(ethers);
  const now = BigInt(await networkHelpers.time.latest());
  const opensAt = now + BigInt(options.opensIn ?? DAY);
  const closesAt = opensAt + BigInt((options.votingDays ?? 14) * DAY);
  const budget = options.districts.reduce((sum, d) => sum + d.budget, 0n);
  const config = roundConfig(roles, now, {
    budget,
    opensAt,
    closesAt,
    rule: options.rule ?? Rule.Ranked,
    minTokens: options.minTokens ?? 0n,
    minSupporters: options.minSupporters ?? 0,
    allowance: options.allowance ?? 0n,
    residentsBound: options.residentsBound ?? false,
  });
  const roundAddress = await factory.createRound.staticCall(config);
  await (await factory.createRound(config)).wait();
  const round = await ethers.getContractAt("Round", roundAddress);
  const token = await ethers.getContractAt("BudgetToken", await round.token());
  const airdrop = await ethers.getContractAt("Airdrop", await round.airdrop());

  const asCommittee = round.connect(roles.committee);
  const banks: string[] = [];
  const districtProjects: number[][] = [];
  for (const [districtId, district] of options.districts.entries()) {
    await (await asCommittee.addDistrict(district.name, district.budget)).wait();
    districtProjects.push([]);
    for (const [index, cost] of district.projects.entries()) {
      const metadataHash = ethers.id(`${district.name}/${index}`);
      const tx = await asCommittee.addProject(
        districtId,
        cost,
        index % 9,
        metadataHash,
        `ipfs://project/${banks.length}`,
      );
      await tx.wait();
      districtProjects[districtId].push(banks.length);
      banks.push((await round.project(banks.length)).bank);
    }
  }
  return { factory, round, token, airdrop, roles, opensAt, closesAt, budget, banks, districtProjects };
}

/** Mints the whole budget and opens the round; time stays before `opensAt`. */
export async function mintAndOpen(created: CreatedRound): Promise<void> {
  const { round, roles, budget } = created;
  await (await round.connect(roles.minter).mint(budget)).wait();
  await (await round.connect(roles.committee).open()).wait();
}

export interface PostedBatch {
  batchId: bigint;
  tree: StandardMerkleTree<ParticipantLeaf>;
  proofOf(account: string): { participant: Required<Participant>; proof: string[] };
}

/** Posts one batch of residents with the tree's sum as its declared total. */
export async function postBatch(created: CreatedRound, participants: readonly Participant[]): Promise<PostedBatch> {
  const tree = buildParticipantTree(participants);
  const total = participants.reduce((sum, p) => sum + p.amount, 0n);
  const batchId = await created.airdrop.batchCount();
  await (await created.round.connect(created.roles.registrar).postBatch(tree.root, total)).wait();
  return {
    batchId,
    tree,
    proofOf(account: string) {
      const found = findParticipant(tree, account);
      if (!found) throw new Error(`${account} is not in batch ${batchId}`);
      return found;
    },
  };
}

/** Signers 0..4 hold the round's roles; voters start here. */
export const FIRST_VOTER = 5;

export type Voter = Signer & { address: string };

/**
 * `count` voters: the default signers from index 5, then wallets from fixed keys, funded for gas. Fixed keys keep
 * the trees, and so every proof and every run, the same.
 */
export async function voters(ethers: HardhatEthers, networkHelpers: NetworkHelpers, count: number): Promise<Voter[]> {
  const signers = (await ethers.getSigners()).slice(FIRST_VOTER, FIRST_VOTER + count);
  const result: Voter[] = [...signers];
  for (let i = result.length; i < count; ++i) {
    const wallet = new ethers.Wallet(ethers.id(`kopilka voter ${i}`), ethers.provider);
    await networkHelpers.setBalance(wallet.address, 10n ** 20n);
    result.push(wallet);
  }
  return result;
}
