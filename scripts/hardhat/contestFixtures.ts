/**
 * Builds contests on a Hardhat network for the tests, the benchmarks and the demo: deploys the contest factory,
 * creates a contest, posts residents, and signs residents' and experts' messages with wallets or P-256 keys.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Signer } from "ethers";
import type { Address, Hex } from "viem";

import {
  amendTypedData,
  contestDomain,
  contestSignature,
  cosignTypedData,
  criteriaHash,
  sheetTypedData,
  signContestP256,
  submitTypedData,
  type ContestDomain,
  type ContestSignature,
  type ContestTypedData,
  type Criterion,
  type ScoreSheetMessage,
} from "@kopilka/core/contest";
import { SignatureScheme, type P256DataSigner } from "@kopilka/core/keys";
import {
  buildParticipantTree,
  findParticipant,
  type Participant,
  type ParticipantLeaf,
} from "@kopilka/core/participants";
import type { Contest, ContestFactory } from "../../typechain-types/index.js";
import type { IContest } from "../../typechain-types/Contest.js";
import { ADMIN_TRANSFER_DELAY, DAY } from "./fixtures.js";

export const DEFAULT_CRITERIA: Criterion[] = [
  { weight: 3, maxScore: 10, floorBps: 0 },
  { weight: 2, maxScore: 10, floorBps: 3000 },
  { weight: 1, maxScore: 5, floorBps: 0 },
];

export interface ContestOptions {
  factory?: ContestFactory;
  criteria?: Criterion[];
  /** How many of the signers from the tenth are experts (3 by default). */
  experts?: number;
  /** Or the experts' addresses themselves. */
  expertAddresses?: string[];
  passMarkBps?: number;
  minGroup?: number;
  minSheets?: number;
  districtCount?: number;
  /** Seconds from now until submissions open, then the windows' lengths. */
  opensIn?: number;
  submissionDays?: number;
  reviewDays?: number;
  templateHash?: Hex;
}

export interface CreatedContest {
  factory: ContestFactory;
  contest: Contest;
  address: Address;
  domain: ContestDomain;
  config: IContest.ContestConfigStruct;
  criteria: Criterion[];
  criteriaHash: Hex;
  submissionsOpenAt: bigint;
  submissionsCloseAt: bigint;
  reviewClosesAt: bigint;
}

export async function deployContestFactory(ethers: HardhatEthers): Promise<ContestFactory> {
  const factory = await ethers.deployContract("ContestFactory");
  await factory.waitForDeployment();
  return factory;
}

/** Signers 0, 1 and 3 are the admin, the committee and the registrar (as for a round); experts from the tenth. */
export async function createContest(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
  options: ContestOptions = {},
): Promise<CreatedContest> {
  const factory = options.factory ?? (await deployContestFactory(ethers));
  const signers = await ethers.getSigners();
  const now = BigInt(await networkHelpers.time.latest());
  const submissionsOpenAt = now + BigInt(options.opensIn ?? DAY);
  const submissionsCloseAt = submissionsOpenAt + BigInt((options.submissionDays ?? 14) * DAY);
  const reviewClosesAt = submissionsCloseAt + BigInt((options.reviewDays ?? 14) * DAY);
  const criteria = options.criteria ?? DEFAULT_CRITERIA;
  const experts =
    options.expertAddresses ?? signers.slice(10, 10 + (options.experts ?? 3)).map((signer) => signer.address);
  const config: IContest.ContestConfigStruct = {
    name: "Test contest",
    admin: signers[0].address,
    adminTransferDelay: ADMIN_TRANSFER_DELAY,
    committee: signers[1].address,
    registrar: signers[3].address,
    submissionsOpenAt,
    submissionsCloseAt,
    reviewClosesAt,
    districtCount: options.districtCount ?? 2,
    templateHash: options.templateHash ?? `0x${"ab".repeat(32)}`,
    passMarkBps: options.passMarkBps ?? 6000,
    minGroup: options.minGroup ?? 3,
    minSheets: options.minSheets ?? 2,
    criteria,
    experts,
  };
  const address = (await factory.createContest.staticCall(config)) as Address;
  await (await factory.createContest(config)).wait();
  const contest = await ethers.getContractAt("Contest", address);
  const { chainId } = await ethers.provider.getNetwork();
  return {
    factory,
    contest,
    address,
    domain: contestDomain(chainId, address),
    config,
    criteria,
    criteriaHash: criteriaHash(criteria),
    submissionsOpenAt,
    submissionsCloseAt,
    reviewClosesAt,
  };
}

export interface PostedResidents {
  batchId: bigint;
  tree: StandardMerkleTree<ParticipantLeaf>;
  /** The `IContest.Resident` argument for `account`. */
  resident(account: string): IContest.ResidentStruct;
}

/** Posts a batch of residents (as the registrar, signer 3). */
export async function postResidents(
  ethers: HardhatEthers,
  created: CreatedContest,
  participants: readonly Participant[],
): Promise<PostedResidents> {
  const registrar = (await ethers.getSigners())[3];
  const tree = buildParticipantTree(participants);
  const contest = created.contest.connect(registrar);
  const batchId = await contest.postResidents.staticCall(tree.root);
  await (await contest.postResidents(tree.root)).wait();
  return {
    batchId,
    tree,
    resident(account) {
      const found = findParticipant(tree, account);
      if (!found) throw new Error(`${account} is not in the batch`);
      const { participant, proof } = found;
      return { batchId, ...participant, proof };
    },
  };
}

/** Someone who signs contest messages: a wallet or a P-256 key. */
export type ContestSigner = { address: string } & ({ wallet: Signer } | { key: P256DataSigner });

/** Signs contest typed data as the contract takes it. */
export async function signContest(signer: ContestSigner, data: ContestTypedData): Promise<ContestSignature> {
  if ("key" in signer) return await signContestP256(signer.key, data);
  const raw = await signer.wallet.signTypedData(
    data.domain,
    data.types as unknown as Record<string, { name: string; type: string }[]>,
    data.message,
  );
  return { scheme: SignatureScheme.Secp256k1, signature: contestSignature(SignatureScheme.Secp256k1, raw as Hex) };
}

const HOUR = 3600n;

/** Submits an initiative of `author`'s (relayed by whoever `contest` is connected to); returns its id. */
export async function submitInitiative(
  created: CreatedContest,
  residents: PostedResidents,
  author: ContestSigner,
  district: number,
  contentHash: Hex,
  contest: Contest = created.contest,
): Promise<bigint> {
  const deadline = BigInt(Math.floor(Date.now() / 1000)) + 1000n * HOUR;
  const message = { author: author.address as Address, district, contentHash, deadline };
  const signed = await signContest(author, submitTypedData(created.domain, message));
  const resident = residents.resident(author.address);
  const id = await contest.submit.staticCall(
    resident,
    district,
    contentHash,
    deadline,
    signed.scheme,
    signed.signature,
  );
  await (await contest.submit(resident, district, contentHash, deadline, signed.scheme, signed.signature)).wait();
  return id;
}

export async function amendInitiative(
  created: CreatedContest,
  author: ContestSigner,
  initiative: bigint,
  version: number,
  contentHash: Hex,
  contest: Contest = created.contest,
) {
  const deadline = BigInt(Math.floor(Date.now() / 1000)) + 1000n * HOUR;
  const message = { author: author.address as Address, initiative, version, contentHash, deadline };
  const signed = await signContest(author, amendTypedData(created.domain, message));
  return await contest.amend(initiative, version, contentHash, deadline, signed.scheme, signed.signature);
}

export async function cosignInitiative(
  created: CreatedContest,
  residents: PostedResidents,
  cosigner: ContestSigner,
  initiative: bigint,
  version: number,
  contentHash: Hex,
  contest: Contest = created.contest,
) {
  const message = { cosigner: cosigner.address as Address, initiative, version, contentHash };
  const signed = await signContest(cosigner, cosignTypedData(created.domain, message));
  return await contest.cosign(
    initiative,
    version,
    contentHash,
    residents.resident(cosigner.address),
    signed.scheme,
    signed.signature,
  );
}

/** An expert's signed sheet for the initiative's current version. */
export async function signedSheet(
  created: CreatedContest,
  expert: ContestSigner,
  initiative: bigint,
  scores: number[],
  commentHash: Hex = `0x${"00".repeat(32)}`,
): Promise<{ sheet: ScoreSheetMessage } & ContestSignature> {
  const state = await created.contest.initiative(initiative);
  const sheet: ScoreSheetMessage = {
    expert: expert.address as Address,
    initiative,
    version: Number(state.version),
    contentHash: state.contentHash as Hex,
    criteriaHash: created.criteriaHash,
    scores,
    commentHash,
    noConflict: true,
  };
  return { sheet, ...(await signContest(expert, sheetTypedData(created.domain, sheet))) };
}
