/**
 * Loads everything the auditor knows about a round from the chain: its events (read in adaptive chunks, decoded
 * by slicing) and the contract state it compares them with, all at one block so that both describe the same
 * chain.
 */
import { gatheringCalls } from "../chain/calls.js";
import { RoundReader } from "../chain/reader.js";
import { HolderKind } from "../domain/holder.js";
import type { Eip1193Provider } from "../chain/rpc.js";
import {
  AIRDROP_EVENTS,
  AddressPool,
  blockOf,
  onlyDataUint,
  ROUND_EVENTS,
  TOKEN_EVENTS,
  TOPICS,
  dataAddress,
  dataBytes32,
  dataSmall,
  dataString,
  dataUint,
  eventName,
  placeOf,
  topicAddress,
  topicSmall,
  topicUint,
  type EventName,
  type LogPlace,
} from "./events.js";
import { readLogs, type LogReaderOptions, type LogReaderStats, type RawLog } from "./logs.js";
import { TransferList } from "./transfers.js";

export interface RoundConfigData {
  name: string;
  budget: bigint;
  opensAt: bigint;
  closesAt: bigint;
  rule: number;
  minTokens: bigint;
  minSupporters: bigint;
  /** The declared allowance of a resident (0: none declared) and whether phone residents are bound to a district. */
  allowance: bigint;
  residentsBound: boolean;
  opened: boolean;
}

export interface DistrictData {
  id: number;
  name: string;
  budget: bigint;
  place: LogPlace;
  state: { budget: bigint; funded: bigint; finalized: boolean };
  finalizedEvent?: { funded: bigint; winners: bigint; place: LogPlace };
}

export interface ProjectData {
  id: number;
  district: number;
  bank: string;
  cost: bigint;
  category: number;
  metadataHash: string;
  metadataURI: string;
  place: LogPlace;
  state: { bank: string; district: number; cost: bigint; funded: boolean };
  /** What the token says the bank is and its district. */
  holder: { kind: HolderKind; district: number };
  /** On-chain balanceOf(bank). */
  balance: bigint;
  fundedEvents: { cost: bigint; tokens: bigint; district: number; place: LogPlace }[];
  implementation: { status: number; amountSpent: bigint; documentHash: string };
  implementationEvents: { status: number; amountSpent: bigint; documentHash: string; place: LogPlace }[];
}

export interface BatchData {
  id: number;
  root: string;
  total: bigint;
  place: LogPlace;
  state: { root: string; total: bigint; claimed: bigint };
}

export interface ClaimData {
  batchId: number;
  account: string;
  district: number;
  amount: bigint;
  /** The leaf's enrollment, lower-case hex. */
  enrollment: string;
  place: LogPlace;
}

/** An account the registrar revoked (`AccountRevoked`). */
export interface RevocationData {
  account: string;
  place: LogPlace;
}

export type { TransferData } from "./transfers.js";

export interface RoundData {
  chainId: bigint;
  round: string;
  token: string;
  airdrop: string;
  factory?: string;
  fromBlock: number;
  toBlock: number;
  config: RoundConfigData;
  totalSupply: bigint;
  batchCount: number;
  districtCount: number;
  projectCount: number;
  created?: { index: bigint; token: string; airdrop: string; creator: string; name: string; place: LogPlace };
  opened?: { opensAt: bigint; closesAt: bigint; place: LogPlace };
  mints: { amount: bigint; supply: bigint; place: LogPlace }[];
  districts: DistrictData[];
  projects: ProjectData[];
  batches: BatchData[];
  claims: ClaimData[];
  revocations: RevocationData[];
  /** Every Transfer of the token, in chain order, held compactly (./transfers.ts). */
  transfers: TransferList;
  /**
   * On-chain balanceOf of the residents read (every one, or the sample `LoadOptions.residentSample` chooses), when
   * read. The events give every resident's balance; these confirm the chain agrees.
   */
  residentBalances?: Map<string, bigint>;
  /** On-chain balanceOf the round (what it has not granted), read with the residents' balances. */
  roundBalance?: bigint;
  eventCounts: Record<EventName, number>;
  readerStats: LogReaderStats;
  /**
   * Where the loading time went, in seconds (never part of a report: it would make reports differ). The logs are
   * decoded, and given to the watcher's `decoded`, while they are read; `logsSeconds` is the reading alone.
   */
  timings: { logsSeconds: number; decodeSeconds: number; watcherSeconds: number; stateSeconds: number };
}

export interface LoadOptions {
  /** The round's address. */
  round: string;
  /** The factory that created it, if known (then its RoundCreated is read too). */
  factory?: string;
  /** First block to read; by default the round's deployment block, found with eth_getCode. */
  fromBlock?: number;
  /** Last block to read; by default the latest. All state is read at this block. */
  toBlock?: number;
  /**
   * Read the residents' on-chain balances, to confirm the ones their events give: `true` (the default) reads the
   * sample `residentSample` chooses, and the round's balance, which with the banks' balances and the supply gives
   * the sum of all the residents' balances; `"all"` reads every resident's (700 a call); `false` none.
   */
  residentBalances?: boolean | "all";
  /** Which residents `residentBalances: true` reads: see `RESIDENT_SAMPLE`. */
  residentSample?: Partial<ResidentSample>;
  /** Log reader tuning (chunk sizes, result cap, retries). */
  reader?: Partial<Omit<LogReaderOptions, "addresses" | "topics" | "fromBlock" | "toBlock">>;
  /** Requests in flight for state reads (each up to 64 gathered view calls, or one call where they cannot gather). */
  concurrency?: number;
}

/**
 * The residents whose balances an audit reads: every one of the first `first` to claim, then one in `oneIn`, chosen
 * by the last three bytes of the address and the audited block (so that audits at other blocks read others). The
 * choice depends on the chain alone, never on the chunking, so the same chain gives the same report.
 */
export interface ResidentSample {
  first: number;
  oneIn: number;
}

/**
 * 2,048 and one in 32: a round of up to 2,048 residents has every balance read; Volgograd's 160,000 about 7,000 (ten
 * calls of 700), which leaves the chain's thread to the log sweep.
 */
export const RESIDENT_SAMPLE: ResidentSample = { first: 2048, oneIn: 32 };

/** Whether the `index`-th resident to claim, `account`, is in the sample of an audit at block `toBlock`. */
export function inResidentSample(sample: ResidentSample, index: number, account: string, toBlock: number): boolean {
  return index < sample.first || parseInt(account.slice(-6), 16) % sample.oneIn === toBlock % sample.oneIn;
}

/** Told of each batch and project as soon as its event is decoded, while later logs are still being read. */
export interface RoundWatcher {
  batch?(batch: BatchData): void;
  project?(project: ProjectData): void;
  /**
   * Told after each chunk of logs of every claim, project and transfer decoded so far (the same lists each time,
   * grown), once the state of what the chunk added has been asked for: the recount as the logs arrive.
   */
  decoded?(claims: readonly ClaimData[], projects: readonly ProjectData[], transfers: TransferList): void;
}

const hex = (n: number): string => "0x" + n.toString(16);

export async function chainId(rpc: Eip1193Provider): Promise<bigint> {
  return BigInt((await rpc.request({ method: "eth_chainId", params: [] })) as string);
}

export async function latestBlock(rpc: Eip1193Provider): Promise<number> {
  return Number(BigInt((await rpc.request({ method: "eth_blockNumber", params: [] })) as string));
}

/**
 * The first block at which `address` has code: a binary search over eth_getCode, about 25 calls on a long chain.
 * Returns 0 when the endpoint keeps no history (it then cannot answer for old blocks).
 */
export async function deploymentBlock(rpc: Eip1193Provider, address: string, latest: number): Promise<number> {
  const hasCode = async (block: number): Promise<boolean> =>
    ((await rpc.request({ method: "eth_getCode", params: [address, hex(block)] })) as string) !== "0x";
  try {
    if (!(await hasCode(latest))) throw new Error(`no contract at ${address}`);
    let low = 0;
    let high = latest;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (await hasCode(middle)) high = middle;
      else low = middle + 1;
    }
    return low;
  } catch (error) {
    if (/no contract/.test(String(error))) throw error;
    return 0;
  }
}

/**
 * Reads a round's events and state. `onProgress` reports the log reading, the slow part; `watcher` is told of
 * each batch and project as it is decoded.
 */
export async function loadRound(
  rpc: Eip1193Provider,
  options: LoadOptions,
  onProgress?: LogReaderOptions["onProgress"],
  watcher?: RoundWatcher,
): Promise<RoundData> {
  const round = options.round.toLowerCase();
  const [id, toBlock] = await Promise.all([
    chainId(rpc),
    options.toBlock !== undefined ? options.toBlock : latestBlock(rpc),
  ]);
  // The state's view calls (four a project, one a district and a batch) go out gathered, a few dozen requests in all
  // (at most `concurrency` in flight), so that the endpoint serves the log queries instead of a thousand calls
  // between them.
  const chain = new RoundReader(gatheringCalls(rpc, options.concurrency ?? 32), round, toBlock);
  // The settings first (one batched request): the logs are read from the token and airdrop they name.
  const settings = await chain.settings();
  const token = settings.token.toLowerCase();
  const airdrop = settings.airdrop.toLowerCase();
  const balanceMode = options.residentBalances ?? true;
  const readBalances = balanceMode !== false;
  const countsRead = Promise.all([
    chain.totalSupply(token),
    chain.batchCount(airdrop),
    readBalances ? chain.balanceOf(token, round) : undefined,
  ]);
  countsRead.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  const factory = options.factory?.toLowerCase();
  const fromBlock = options.fromBlock ?? (await deploymentBlock(rpc, round, toBlock));

  const events: EventName[] = [...ROUND_EVENTS, ...AIRDROP_EVENTS, ...TOKEN_EVENTS];
  if (factory) events.push("RoundCreated");
  const logsStarted = performance.now();
  // Decoded as they arrive, so that the raw logs (most of the heap at full scale) can go at once.
  const decoder = logDecoder({ round, token, airdrop, factory }, events);
  // Residents' balances (all, or a sample) are asked for as their claims arrive, so that the endpoint works on them
  // while later logs are decoded here, instead of after all of them.
  const sample = balanceMode === "all" ? undefined : { ...RESIDENT_SAMPLE, ...options.residentSample };
  const residents = new Set<string>();
  const balances = new Map<string, bigint>();
  const balanceReads: Promise<void>[] = [];
  let claimsSeen = 0;
  // Each district's, project's and batch's state (at toBlock) is asked for as soon as its event is decoded: all at
  // once, so that their calls gather into as few requests as they fit (the gathering holds the requests in flight to
  // `concurrency`).
  const stateReads: Promise<void>[] = [];
  const readState = (read: () => Promise<void>): void => {
    const done = read();
    done.catch(() => undefined); // awaited below
    stateReads.push(done);
  };
  let districtsSeen = 0;
  let projectsSeen = 0;
  let batchesSeen = 0;
  let watching = 0;
  const onLogs = (logs: RawLog[]): void => {
    decoder.add(logs);
    const { districts, projects, batches } = decoder.structure();
    for (; districtsSeen < districts.length; districtsSeen++) {
      const district = districts[districtsSeen];
      readState(() => readDistrictState(chain, district));
    }
    for (; projectsSeen < projects.length; projectsSeen++) {
      const project = projects[projectsSeen];
      watcher?.project?.(project);
      readState(() => readProjectState(chain, token, project));
    }
    for (; batchesSeen < batches.length; batchesSeen++) {
      const batch = batches[batchesSeen];
      watcher?.batch?.(batch);
      readState(() => readBatchState(chain, airdrop, batch));
    }
    readResidentBalances();
    if (watcher?.decoded) {
      const started = performance.now();
      watcher.decoded(decoder.claims(), projects, decoder.transfers());
      watching += performance.now() - started;
    }
  };
  const readResidentBalances = (): void => {
    const claimed = decoder.claims();
    if (!readBalances || claimed.length === claimsSeen) return;
    const fresh: string[] = [];
    for (let i = claimsSeen; i < claimed.length; i++) {
      const account = claimed[i].account;
      if (residents.has(account)) continue;
      residents.add(account);
      if (sample === undefined || inResidentSample(sample, residents.size - 1, account, toBlock)) {
        balances.set(account, 0n);
        fresh.push(account);
      }
    }
    claimsSeen = claimed.length;
    if (fresh.length === 0) return;
    const read = chain.balancesOf(token, fresh).then((found) => fresh.forEach((a, i) => balances.set(a, found[i])));
    read.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    balanceReads.push(read);
  };
  const { stats } = await readLogs(rpc, {
    ...options.reader,
    addresses: factory ? [round, token, airdrop, factory] : [round, token, airdrop],
    topics: events.map((name) => TOPICS[name]),
    fromBlock,
    toBlock,
    onProgress,
    onLogs,
  });
  const { eventCounts, districts, projects, batches, claims, revocations, transfers, mints, created, opened } =
    decoder.finish();

  const stateStarted = performance.now();
  // State, at the same block as the last log read; most of it was asked for while the logs arrived.
  const [totalSupply, batchCount, roundBalance] = await countsRead;
  await Promise.all(stateReads);
  await Promise.all(balanceReads);
  const residentBalances = readBalances ? balances : undefined;

  const since = (start: number, end = performance.now()): number => Number(((end - start) / 1000).toFixed(3));
  const watcherSeconds = Number((watching / 1000).toFixed(3));
  const timings = {
    logsSeconds: Number((since(logsStarted, stateStarted) - decoder.seconds() - watcherSeconds).toFixed(3)),
    decodeSeconds: decoder.seconds(),
    watcherSeconds,
    stateSeconds: since(stateStarted),
  };
  return {
    chainId: id,
    round,
    token,
    airdrop,
    factory,
    fromBlock,
    toBlock,
    config: {
      name: settings.name,
      budget: settings.budget,
      opensAt: settings.opensAt,
      closesAt: settings.closesAt,
      rule: settings.rule,
      minTokens: settings.minTokens,
      minSupporters: settings.minSupporters,
      allowance: settings.allowance,
      residentsBound: settings.residentsBound,
      opened: settings.opened,
    },
    totalSupply,
    batchCount,
    districtCount: settings.districtCount,
    projectCount: settings.projectCount,
    created,
    opened,
    mints,
    districts,
    projects,
    batches,
    claims,
    revocations,
    transfers,
    residentBalances,
    roundBalance,
    eventCounts,
    readerStats: stats,
    timings,
  };
}

async function readDistrictState(chain: RoundReader, district: DistrictData): Promise<void> {
  const d = await chain.district(district.id);
  district.state = { budget: d.budget, funded: d.funded, finalized: d.finalized };
}

async function readProjectState(chain: RoundReader, token: string, p: ProjectData): Promise<void> {
  const [stored, implementation, balance, holder] = await Promise.all([
    chain.project(p.id),
    chain.implementationOf(p.id),
    chain.balanceOf(token, p.bank),
    chain.holderOf(token, p.bank),
  ]);
  p.holder = holder;
  p.state = {
    bank: String(stored.bank).toLowerCase(),
    district: Number(stored.district),
    cost: stored.cost,
    funded: stored.funded,
  };
  p.implementation = {
    status: Number(implementation.status),
    amountSpent: implementation.amountSpent,
    documentHash: String(implementation.documentHash).toLowerCase(),
  };
  p.balance = balance;
}

async function readBatchState(chain: RoundReader, airdrop: string, batch: BatchData): Promise<void> {
  const b = await chain.batch(airdrop, batch.id);
  batch.state = { root: String(b.root).toLowerCase(), total: b.total, claimed: b.claimed };
}

/** The round's events, decoded from its logs; logs from other emitters or of other events are ignored. */
export type DecodedLogs = Pick<
  RoundData,
  | "eventCounts"
  | "districts"
  | "projects"
  | "batches"
  | "claims"
  | "revocations"
  | "transfers"
  | "mints"
  | "created"
  | "opened"
>;

/** A decoder fed the logs chunk by chunk, in chain order, so that the raw logs need not all be kept. */
export function logDecoder(
  emitters: { round: string; token: string; airdrop: string; factory?: string },
  events: EventName[],
): {
  add(logs: RawLog[]): void;
  finish(): DecodedLogs;
  seconds(): number;
  claims(): readonly ClaimData[];
  transfers(): TransferList;
  /** The districts, projects and batches decoded so far (their state not filled in). */
  structure(): { districts: readonly DistrictData[]; projects: readonly ProjectData[]; batches: readonly BatchData[] };
} {
  const { round, token, airdrop, factory } = emitters;
  const addresses = new AddressPool();
  const emitterOf = (name: EventName): string | undefined =>
    name === "RoundCreated"
      ? factory
      : AIRDROP_EVENTS.includes(name)
        ? airdrop
        : TOKEN_EVENTS.includes(name)
          ? token
          : round;
  const expectedEmitter = new Map(events.map((name) => [name, emitterOf(name)]));
  let busy = 0;
  const eventCounts = Object.fromEntries(events.map((name) => [name, 0])) as Record<EventName, number>;
  const districts: DistrictData[] = [];
  const projects: ProjectData[] = [];
  const batches: BatchData[] = [];
  const claims: ClaimData[] = [];
  const revocations: RevocationData[] = [];
  const transfers = new TransferList(addresses);
  const mints: RoundData["mints"] = [];
  const funded: { projectId: number; district: number; cost: bigint; tokens: bigint; place: LogPlace }[] = [];
  const finalized: { district: number; funded: bigint; winners: bigint; place: LogPlace }[] = [];
  const implementations: {
    projectId: number;
    status: number;
    amountSpent: bigint;
    documentHash: string;
    place: LogPlace;
  }[] = [];
  let created: RoundData["created"];
  let opened: RoundData["opened"];

  const add = (logs: RawLog[]): void => {
    const started = performance.now();
    for (const log of logs) decode(log);
    busy += performance.now() - started;
  };
  const decode = (log: RawLog): void => {
    const name = eventName(log);
    if (name === undefined) return;
    const expected = expectedEmitter.get(name);
    if (log.address !== expected && log.address.toLowerCase() !== expected) return;
    switch (name) {
      case "Transfer":
        transfers.pushIds(
          addresses.idOfTopic(log.topics[1]),
          addresses.idOfTopic(log.topics[2]),
          onlyDataUint(log),
          blockOf(log),
          parseInt(log.logIndex, 16),
          log.transactionHash,
        );
        break;
      case "Claimed":
        claims.push({
          batchId: topicSmall(log, 1),
          account: addresses.fromTopic(log.topics[2]),
          district: dataSmall(log, 0),
          amount: dataUint(log, 1),
          enrollment: dataBytes32(log, 2),
          place: placeOf(log),
        });
        break;
      case "AccountRevoked":
        revocations.push({ account: addresses.fromTopic(log.topics[1]), place: placeOf(log) });
        break;
      case "RoundCreated":
        if (topicAddress(log, 2) !== round) return;
        created = {
          index: topicUint(log, 1),
          token: dataAddress(log, 0),
          airdrop: dataAddress(log, 1),
          creator: topicAddress(log, 3),
          name: dataString(log, 2),
          place: placeOf(log),
        };
        break;
      case "DistrictAdded":
        districts.push({
          id: topicSmall(log, 1),
          name: dataString(log, 0),
          budget: dataUint(log, 1),
          place: placeOf(log),
          state: { budget: 0n, funded: 0n, finalized: false },
        });
        break;
      case "ProjectAdded":
        projects.push({
          id: topicSmall(log, 1),
          district: topicSmall(log, 2),
          bank: dataAddress(log, 0),
          cost: dataUint(log, 1),
          category: dataSmall(log, 2),
          metadataHash: dataBytes32(log, 3),
          metadataURI: dataString(log, 4),
          place: placeOf(log),
          state: { bank: "", district: 0, cost: 0n, funded: false },
          holder: { kind: HolderKind.None, district: 0 },
          balance: 0n,
          fundedEvents: [],
          implementation: { status: 0, amountSpent: 0n, documentHash: "" },
          implementationEvents: [],
        });
        break;
      case "BudgetMinted":
        mints.push({ amount: dataUint(log, 0), supply: dataUint(log, 1), place: placeOf(log) });
        break;
      case "RoundOpened":
        opened = { opensAt: dataUint(log, 0), closesAt: dataUint(log, 1), place: placeOf(log) };
        break;
      case "ProjectFunded":
        funded.push({
          projectId: topicSmall(log, 1),
          district: topicSmall(log, 2),
          cost: dataUint(log, 0),
          tokens: dataUint(log, 1),
          place: placeOf(log),
        });
        break;
      case "DistrictFinalized":
        finalized.push({
          district: topicSmall(log, 1),
          funded: dataUint(log, 0),
          winners: dataUint(log, 1),
          place: placeOf(log),
        });
        break;
      case "ImplementationRecorded":
        implementations.push({
          projectId: topicSmall(log, 1),
          status: dataSmall(log, 0),
          amountSpent: dataUint(log, 1),
          documentHash: dataBytes32(log, 2),
          place: placeOf(log),
        });
        break;
      case "BatchPosted":
        batches.push({
          id: topicSmall(log, 1),
          root: dataBytes32(log, 0),
          total: dataUint(log, 1),
          place: placeOf(log),
          state: { root: "", total: 0n, claimed: 0n },
        });
        break;
    }
    eventCounts[name]++;
  };

  const finish = (): DecodedLogs => {
    const started = performance.now();
    const projectById = new Map(projects.map((p) => [p.id, p]));
    for (const f of funded) projectById.get(f.projectId)?.fundedEvents.push(f);
    for (const i of implementations) projectById.get(i.projectId)?.implementationEvents.push(i);
    const districtById = new Map(districts.map((d) => [d.id, d]));
    for (const f of finalized) {
      const district = districtById.get(f.district);
      if (district) district.finalizedEvent = { funded: f.funded, winners: f.winners, place: f.place };
    }
    busy += performance.now() - started;
    return { eventCounts, districts, projects, batches, claims, revocations, transfers, mints, created, opened };
  };
  return {
    add,
    finish,
    seconds: () => Number((busy / 1000).toFixed(3)),
    claims: () => claims,
    transfers: () => transfers,
    structure: () => ({ districts, projects, batches }),
  };
}
