/**
 * The typed reader of a contest (contracts/interfaces/IContest.sol): its rules and phase, its initiatives, and its
 * history from the logs (submissions, amendments, co-signatures, screening, score sheets, outcomes). The dApp's
 * pages, the CLI and the auditor read a contest through it.
 */
import { decodeEventLog, toEventSelector, type Address, type Hex } from "viem";

import { contestReadAbi } from "../generated/reads.js";
import {
  contentHash,
  InitiativeStatus,
  initiativeNumber,
  parseInitiativeDocument,
  type ContestPhase,
  type Criterion,
  type PassedInitiative,
} from "../domain/contest.js";
import { readLogs, type RawLog } from "../audit/logs.js";
import { read, type BlockTag } from "./reader.js";
import type { Eip1193Provider } from "./rpc.js";

export interface ContestSettings {
  address: Address;
  name: string;
  phase: ContestPhase;
  submissionsOpenAt: bigint;
  submissionsCloseAt: bigint;
  reviewClosesAt: bigint;
  districtCount: number;
  templateHash: Hex;
  passMarkBps: number;
  minGroup: number;
  minSheets: number;
  criteria: Criterion[];
  criteriaHash: Hex;
  experts: Address[];
  initiativeCount: number;
  passedCount: number;
  batchCount: number;
}

export interface InitiativeState {
  id: number;
  author: Address;
  district: number;
  status: InitiativeStatus;
  version: number;
  contentHash: Hex;
  sheets: number;
  scoreBps: number;
}

/** A contest's events, decoded, in chain order; each carries its block and transaction. */
export type ContestEvent = { block: bigint; tx: Hex } & (
  | { kind: "ResidentsPosted"; batchId: bigint; root: Hex }
  | {
      kind: "InitiativeSubmitted";
      initiative: number;
      author: Address;
      district: number;
      contentHash: Hex;
      identity: Hex;
    }
  | { kind: "InitiativeAmended"; initiative: number; version: number; contentHash: Hex }
  | { kind: "Cosigned"; initiative: number; version: number; cosigner: Address; identity: Hex; group: number }
  | { kind: "Screened"; initiative: number; version: number; status: InitiativeStatus; reasonHash: Hex }
  | {
      kind: "SheetSubmitted";
      initiative: number;
      version: number;
      expert: Address;
      scores: number[];
      commentHash: Hex;
      scheme: number;
      signature: Hex;
    }
  | { kind: "Decided"; initiative: number; version: number; sheets: number; scoreBps: number; passed: boolean }
);

const EVENT_NAMES = [
  "ResidentsPosted",
  "InitiativeSubmitted",
  "InitiativeAmended",
  "Cosigned",
  "Screened",
  "SheetSubmitted",
  "Decided",
] as const;

const TOPICS = contestReadAbi
  .filter((item) => item.type === "event" && (EVENT_NAMES as readonly string[]).includes(item.name))
  .map((item) => toEventSelector(item as Parameters<typeof toEventSelector>[0]));

type ContestView = Extract<(typeof contestReadAbi)[number], { type: "function" }>["name"];

/** Reads one contest at one block (by default the latest). */
export class ContestReader {
  constructor(
    readonly rpc: Eip1193Provider,
    readonly contest: Address,
    readonly block: BlockTag = "latest",
  ) {}

  /** A view of the contest; callers name the type its ABI gives. */
  private view(functionName: ContestView, args?: readonly unknown[]): Promise<unknown> {
    return read(
      this.rpc,
      { address: this.contest, abi: contestReadAbi, functionName, args } as Parameters<typeof read>[1],
      this.block,
    );
  }

  /** The contest's rules, phase and counts, all asked for in the same tick. */
  async settings(): Promise<ContestSettings> {
    const [
      name,
      phase,
      submissionsOpenAt,
      submissionsCloseAt,
      reviewClosesAt,
      districtCount,
      templateHash,
      passMarkBps,
      minGroup,
      minSheets,
      criteria,
      criteriaHash,
      experts,
      initiativeCount,
      passedCount,
      batchCount,
    ] = await Promise.all([
      this.view("name") as Promise<string>,
      this.view("phase") as Promise<number>,
      this.view("submissionsOpenAt") as Promise<bigint>,
      this.view("submissionsCloseAt") as Promise<bigint>,
      this.view("reviewClosesAt") as Promise<bigint>,
      this.view("districtCount") as Promise<number>,
      this.view("templateHash") as Promise<Hex>,
      this.view("passMarkBps") as Promise<number>,
      this.view("minGroup") as Promise<number>,
      this.view("minSheets") as Promise<number>,
      this.view("criteria") as Promise<readonly Criterion[]>,
      this.view("criteriaHash") as Promise<Hex>,
      this.view("experts") as Promise<readonly Address[]>,
      this.view("initiativeCount") as Promise<bigint>,
      this.view("passedCount") as Promise<bigint>,
      this.view("batchCount") as Promise<bigint>,
    ]);
    return {
      address: this.contest,
      name,
      phase: phase as ContestPhase,
      submissionsOpenAt,
      submissionsCloseAt,
      reviewClosesAt,
      districtCount,
      templateHash,
      passMarkBps,
      minGroup,
      minSheets,
      criteria: criteria.map((c) => ({ weight: c.weight, maxScore: c.maxScore, floorBps: c.floorBps })),
      criteriaHash,
      experts: [...experts],
      initiativeCount: Number(initiativeCount),
      passedCount: Number(passedCount),
      batchCount: Number(batchCount),
    };
  }

  /** Initiative `id`'s current state. */
  async initiative(id: number): Promise<InitiativeState> {
    const raw = (await this.view("initiative", [BigInt(id)])) as {
      author: Address;
      district: number;
      status: number;
      version: number;
      contentHash: Hex;
      sheets: number;
      scoreBps: number;
    };
    return {
      id,
      author: raw.author,
      district: raw.district,
      status: raw.status as InitiativeStatus,
      version: raw.version,
      contentHash: raw.contentHash,
      sheets: raw.sheets,
      scoreBps: raw.scoreBps,
    };
  }

  /** Every initiative's state. */
  async initiatives(count?: number): Promise<InitiativeState[]> {
    const total = count ?? Number((await this.view("initiativeCount")) as bigint);
    return await Promise.all(Array.from({ length: total }, (_, id) => this.initiative(id)));
  }

  /** The size of the group of the initiative's version `version`, the author included. */
  async groupSize(id: number, version: number): Promise<number> {
    return Number((await this.view("groupSize", [BigInt(id), version])) as bigint);
  }

  /** The contest's events in `[fromBlock, toBlock]` (by default, from the first block to the reader's). */
  async events(options: { fromBlock?: number; toBlock?: number } = {}): Promise<ContestEvent[]> {
    const toBlock =
      options.toBlock ??
      (typeof this.block === "bigint" || typeof this.block === "number"
        ? Number(this.block)
        : Number(BigInt((await this.rpc.request({ method: "eth_blockNumber", params: [] })) as string)));
    const { logs } = await readLogs(this.rpc, {
      addresses: [this.contest],
      topics: TOPICS,
      fromBlock: options.fromBlock ?? 0,
      toBlock,
    });
    return logs.map(decodeContestLog);
  }
}

/** Decodes one of a contest's logs. */
export function decodeContestLog(log: RawLog): ContestEvent {
  const { eventName, args } = decodeEventLog({
    abi: contestReadAbi,
    topics: log.topics as [Hex, ...Hex[]],
    data: log.data as Hex,
  });
  const at = { block: BigInt(log.blockNumber), tx: log.transactionHash as Hex };
  const a = args as Record<string, unknown>;
  const num = (key: string) => Number(a[key] as bigint | number);
  switch (eventName) {
    case "ResidentsPosted":
      return { ...at, kind: eventName, batchId: a.batchId as bigint, root: a.root as Hex };
    case "InitiativeSubmitted":
      return {
        ...at,
        kind: eventName,
        initiative: num("initiative"),
        author: a.author as Address,
        district: num("district"),
        contentHash: a.contentHash as Hex,
        identity: a.identity as Hex,
      };
    case "InitiativeAmended":
      return {
        ...at,
        kind: eventName,
        initiative: num("initiative"),
        version: num("version"),
        contentHash: a.contentHash as Hex,
      };
    case "Cosigned":
      return {
        ...at,
        kind: eventName,
        initiative: num("initiative"),
        version: num("version"),
        cosigner: a.cosigner as Address,
        identity: a.identity as Hex,
        group: num("group"),
      };
    case "Screened":
      return {
        ...at,
        kind: eventName,
        initiative: num("initiative"),
        version: num("version"),
        status: num("status") as InitiativeStatus,
        reasonHash: a.reasonHash as Hex,
      };
    case "SheetSubmitted":
      return {
        ...at,
        kind: eventName,
        initiative: num("initiative"),
        version: num("version"),
        expert: a.expert as Address,
        scores: (a.scores as readonly number[]).map(Number),
        commentHash: a.commentHash as Hex,
        scheme: num("scheme"),
        signature: a.signature as Hex,
      };
    case "Decided":
      return {
        ...at,
        kind: eventName,
        initiative: num("initiative"),
        version: num("version"),
        sheets: num("sheets"),
        scoreBps: num("scoreBps"),
        passed: a.passed as boolean,
      };
    default:
      throw new Error(`not a contest event: ${eventName}`);
  }
}

/**
 * The passed initiatives of a contest in their final versions, each document read with `readContent` and checked
 * against its on-chain hash: what a round made from the contest puts on its ballot (`ballotProjects`), from the CLI
 * (`round create --from-contest`) and from the committee's page alike.
 */
export async function passedInitiatives(
  reader: ContestReader,
  readContent: (hash: Hex) => Promise<Uint8Array | undefined>,
): Promise<PassedInitiative[]> {
  const passed = (await reader.initiatives()).filter((item) => item.status === InitiativeStatus.Passed);
  return await Promise.all(
    passed.map(async (item) => {
      const named = `initiative № ${initiativeNumber(item.id)} (id ${item.id})`;
      const bytes = await readContent(item.contentHash);
      if (bytes === undefined) throw new Error(`${named}: its document ${item.contentHash} is missing`);
      if (contentHash(bytes) !== item.contentHash) {
        throw new Error(`${named}: its document does not hash to ${item.contentHash}`);
      }
      const parsed = parseInitiativeDocument(bytes);
      if ("error" in parsed) throw new Error(`${named}: its document: ${parsed.error}`);
      return { id: item.id, version: item.version, contentHash: item.contentHash, fields: parsed.fields };
    }),
  );
}
