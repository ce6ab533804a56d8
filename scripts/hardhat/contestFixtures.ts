/**
 * Builds contests on a Hardhat network for the tests, the benchmarks and the demo: deploys the contest factory,
 * creates a contest, posts residents, and signs residents' and experts' messages with wallets or P-256 keys.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Signer } from "ethers";
import type { Address, Hex } from "viem";

import {
  amendTypedData,
  contestDomain,
  contestSignature,
  cosignTypedData,
  criteriaHash,
  initiativeDocument,
  initiativeNumber,
  noteDocument,
  sheetTypedData,
  signContestP256,
  submitTypedData,
  templateDocument,
  type ContestDomain,
  type ContestSignature,
  type ContestTypedData,
  type Criterion,
  type DistrictArea,
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

/** What these fixtures need of Hardhat's network helpers: the chain's clock. */
export interface ChainClock {
  time: { latest(): Promise<number>; increaseTo(timestamp: number | bigint): Promise<void> };
}

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
  networkHelpers: ChainClock,
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

/** Where a scenario keeps content files: the store writes `bytes` under their hash and returns the hash. */
export type ContentWriter = (bytes: Uint8Array) => Promise<Hex>;

export interface ScenarioOptions extends ContestOptions {
  /** How many initiatives (at least 6, so that every state appears). */
  initiatives?: number;
  districts?: string[];
  /** Each district's area on the map, written into the template; initiatives are placed inside their district's. */
  areas?: DistrictArea[];
}

export interface Scenario {
  created: CreatedContest;
  residents: PostedResidents;
  districts: string[];
  /** Each initiative's intended end state, by id. */
  states: string[];
}

/** The i-th initiative's place: near its district area's centre, or near Volgograd's when there is no area. */
function placeOf(area: DistrictArea | undefined, i: number): { lat: number; lon: number } {
  if (area === undefined) return { lat: 48.7 + i / 1000, lon: 44.5 + i / 1000 };
  const step = (i % 10) / 40;
  return {
    lat: Number(((area.minLat + area.maxLat) / 2 + (area.maxLat - area.minLat) * step).toFixed(6)),
    lon: Number(((area.minLon + area.maxLon) / 2 + (area.maxLon - area.minLon) * step).toFixed(6)),
  };
}

const TITLES = [
  "Детская площадка во дворе",
  "Освещение сквера",
  "Ремонт спортивной площадки",
  "Скамейки на набережной",
  "Библиотечный уголок",
  "Пешеходная дорожка к школе",
  "Цветники у подъезда",
  "Тренажёры в парке",
];

/**
 * A whole contest played on a Hardhat network: residents (wallets) submit initiatives with documents written by
 * `write`, co-sign them, the committee returns some (one is amended and admitted), rejects one with a published
 * reason, admits the rest; three experts score the admitted ones with comments; after the review the outcomes are
 * recorded. States cycle through: passed, failed, returned, rejected, amended-passed, submitted.
 */
export async function playContest(
  ethers: HardhatEthers,
  networkHelpers: ChainClock,
  write: ContentWriter,
  options: ScenarioOptions = {},
): Promise<Scenario> {
  const districts = options.districts ?? ["Центральный", "Краснооктябрьский"];
  const signers = await ethers.getSigners();
  const template = await write(
    templateDocument({
      name: "Конкурс инициатив",
      districts,
      ...(options.areas ? { areas: options.areas } : {}),
      categories: ["playgrounds", "street-lighting", "sport", "landscaping"],
      criteria: (options.criteria ?? DEFAULT_CRITERIA).map((criterion, i) => ({
        ...criterion,
        name: ["Польза для жителей", "Реализуемость", "Софинансирование"][i] ?? `Критерий ${i + 1}`,
      })),
    }),
  );
  const created = await createContest(ethers, networkHelpers, {
    districtCount: districts.length,
    templateHash: template,
    ...options,
  });
  const residentsSigners = signers.slice(5, 9);
  const residents = await postResidents(
    ethers,
    created,
    residentsSigners.map((signer, i) => ({ account: signer.address, district: i % districts.length, amount: 0n })),
  );
  const people: ContestSigner[] = residentsSigners.map((signer) => ({ address: signer.address, wallet: signer }));
  const experts: ContestSigner[] = (created.config.experts as string[]).map((address) => {
    const signer = signers.find((s) => s.address === address);
    if (!signer) throw new Error(`expert ${address} is not a signer of this network`);
    return { address, wallet: signer };
  });
  const committee = created.contest.connect(signers[1]);
  await networkHelpers.time.increaseTo(created.submissionsOpenAt);

  const count = Math.max(6, options.initiatives ?? 6);
  const cycle = ["passed", "failed", "returned", "rejected", "amended", "submitted"];
  const states: string[] = [];
  const fieldsOf = (i: number, amends: Hex | null, note = "") => ({
    contest: created.address,
    // The contest is new, so the i-th initiative gets id i: its title carries the number the pages show for it.
    title: `${TITLES[i % TITLES.length]} № ${initiativeNumber(i)}`,
    description: `Что сделать и зачем: ${TITLES[i % TITLES.length].toLowerCase()}.${note}`,
    district: i % districts.length,
    category: ["playgrounds", "street-lighting", "sport", "landscaping"][i % 4],
    cost: {
      totalKopecks: String(100_000_00 + i * 10_000_00),
      breakdown: [
        { item: "Материалы", kopecks: String(60_000_00 + i * 10_000_00) },
        { item: "Работы", kopecks: "4000000" },
      ],
    },
    location: placeOf(options.areas?.[i % districts.length], i),
    photos: [] as Hex[],
    cofinancingKopecks: i % 3 === 0 ? "500000" : "0",
    amends,
  });
  const admitted: { id: bigint; good: boolean }[] = [];
  for (let i = 0; i < count; i++) {
    const state = cycle[i % cycle.length];
    states.push(state);
    const author = people[i % people.length];
    const others = people.filter((p) => p !== author);
    const first = await write(initiativeDocument(fieldsOf(i, null)));
    const id = await submitInitiative(created, residents, author, i % districts.length, first);
    let version = 1;
    for (const cosigner of others.slice(0, 2)) await cosignInitiative(created, residents, cosigner, id, 1, first);
    if (state === "returned" || state === "amended") {
      const reason = await write(noteDocument("Уточните смету: не хватает стоимости доставки."));
      await (await committee.returnForChanges(id, 1, reason)).wait();
    }
    if (state === "amended") {
      const hash = await write(initiativeDocument(fieldsOf(i, first, " Смета уточнена.")));
      await (await amendInitiative(created, author, id, 1, hash)).wait();
      version = 2;
      for (const cosigner of others.slice(0, 2)) await cosignInitiative(created, residents, cosigner, id, 2, hash);
    }
    if (state === "rejected") {
      const reason = await write(noteDocument("Участок не принадлежит городу: реализовать проект нельзя."));
      await (await committee.reject(id, 1, reason)).wait();
    }
    if (state === "passed" || state === "failed" || state === "amended") {
      await (await committee.admit(id, version)).wait();
      admitted.push({ id, good: state !== "failed" });
    }
  }
  await networkHelpers.time.increaseTo(created.submissionsCloseAt);
  for (const { id, good } of admitted) {
    for (const [e, expert] of experts.entries()) {
      const scores = good ? [8 + (e % 2), 7, 4] : [3, 2 + (e % 2), 1];
      const comment = await write(noteDocument(good ? "Полезный проект, смета реалистична." : "Польза неочевидна."));
      const signed = await signedSheet(created, expert, id, scores, comment);
      await (await created.contest.submitSheet(signed.sheet, signed.scheme, signed.signature)).wait();
    }
  }
  await networkHelpers.time.increaseTo(created.reviewClosesAt);
  await (await created.contest.decide(admitted.map(({ id }) => id))).wait();
  return { created, residents, districts, states };
}
