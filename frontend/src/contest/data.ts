/**
 * What the contest's pages read: the contest's rules and template, its initiatives with their status and group,
 * and each initiative's history from the contest's events (versions, screening, sheets, outcome). Documents come
 * from the resident services' content store and are checked against the hash the contest keeps.
 */
import { useQuery } from "@tanstack/react-query";
import type { Address, Hex } from "viem";
import { getContractEvents, readContract } from "viem/actions";

import { contestAbi } from "@kopilka/core/abi";
import {
  parseInitiativeDocument,
  readJsonContent,
  statusName,
  type InitiativeFields,
  type NoteDocument,
  type TemplateDocument,
} from "@kopilka/core/contest";

import { useChainEnvironment, type ChainEnvironment } from "../chain.js";
import { servicesOf } from "../resident/enrollApi.js";
import { fetchContent } from "./content.js";

export interface ContestInfo {
  address: Address;
  name: string;
  submissionsOpenAt: bigint;
  submissionsCloseAt: bigint;
  reviewClosesAt: bigint;
  /** IContest.Phase. */
  phase: number;
  minGroup: number;
  minSheets: number;
  passMarkBps: number;
  criteriaHash: Hex;
  experts: Address[];
  template: TemplateDocument;
  /** The chain's time when this was read, seconds. */
  now: bigint;
}

export type StatusKey = "submitted" | "returned" | "admitted" | "rejected" | "passed" | "failed";

export interface InitiativeSummary {
  id: bigint;
  author: Address;
  district: number;
  status: StatusKey;
  version: number;
  contentHash: Hex;
  group: number;
  scoreBps: number;
  sheets: number;
  /** The current version's document, or why it cannot be shown. */
  fields?: InitiativeFields;
  problem?: string;
}

const contestRead = <T>(env: ChainEnvironment, contest: Address, functionName: string, args: unknown[] = []) =>
  readContract(env.client, { address: contest, abi: contestAbi, functionName, args } as never) as Promise<T>;

export async function readContest(env: ChainEnvironment, services: string, contest: Address): Promise<ContestInfo> {
  const [
    name,
    opens,
    closes,
    review,
    phase,
    minGroup,
    minSheets,
    passMark,
    criteriaHash,
    experts,
    templateHash,
    block,
  ] = await Promise.all([
    contestRead<string>(env, contest, "name"),
    contestRead<bigint>(env, contest, "submissionsOpenAt"),
    contestRead<bigint>(env, contest, "submissionsCloseAt"),
    contestRead<bigint>(env, contest, "reviewClosesAt"),
    contestRead<number>(env, contest, "phase"),
    contestRead<number>(env, contest, "minGroup"),
    contestRead<number>(env, contest, "minSheets"),
    contestRead<number>(env, contest, "passMarkBps"),
    contestRead<Hex>(env, contest, "criteriaHash"),
    contestRead<Address[]>(env, contest, "experts"),
    contestRead<Hex>(env, contest, "templateHash"),
    env.client.request({ method: "eth_getBlockByNumber", params: ["latest", false] }),
  ]);
  const template = readJsonContent(await fetchContent(services, templateHash)) as TemplateDocument;
  return {
    address: contest,
    name,
    submissionsOpenAt: BigInt(opens),
    submissionsCloseAt: BigInt(closes),
    reviewClosesAt: BigInt(review),
    phase: Number(phase),
    minGroup: Number(minGroup),
    minSheets: Number(minSheets),
    passMarkBps: Number(passMark),
    criteriaHash,
    experts,
    template,
    now: BigInt(block!.timestamp),
  };
}

/** The configured contest and its rules, as every contest page reads them (once, shared through the query cache). */
export function useContestInfo() {
  const env = useChainEnvironment();
  const services = servicesOf(env.config);
  const contest = env.config.contest;
  const info = useQuery({
    queryKey: ["contest", contest, services],
    enabled: contest !== undefined && services !== undefined,
    queryFn: () => readContest(env, services!, contest!),
  });
  return { env, services, contest, info };
}

export function statusKey(status: number): StatusKey {
  return statusName(status).toLowerCase() as StatusKey;
}

/** A version's document, checked against its hash and read as an initiative's fields. */
export async function readInitiativeDocument(services: string, hash: Hex): Promise<InitiativeFields> {
  const parsed = parseInitiativeDocument(await fetchContent(services, hash));
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed.fields;
}

export async function readNote(services: string, hash: Hex): Promise<string> {
  return (readJsonContent(await fetchContent(services, hash)) as NoteDocument).text;
}

interface OnChainInitiative {
  author: Address;
  district: number;
  status: number;
  version: number;
  contentHash: Hex;
  sheets: number;
  scoreBps: number;
}

export async function readInitiative(
  env: ChainEnvironment,
  services: string,
  contest: Address,
  id: bigint,
): Promise<InitiativeSummary> {
  const onChain = await contestRead<OnChainInitiative>(env, contest, "initiative", [id]);
  const group = await contestRead<bigint>(env, contest, "groupSize", [id, onChain.version]);
  const summary: InitiativeSummary = {
    id,
    author: onChain.author,
    district: Number(onChain.district),
    status: statusKey(Number(onChain.status)),
    version: Number(onChain.version),
    contentHash: onChain.contentHash,
    group: Number(group),
    scoreBps: Number(onChain.scoreBps),
    sheets: Number(onChain.sheets),
  };
  try {
    summary.fields = await readInitiativeDocument(services, onChain.contentHash);
  } catch (error) {
    summary.problem = error instanceof Error ? error.message : String(error);
  }
  return summary;
}

export async function readInitiatives(
  env: ChainEnvironment,
  services: string,
  contest: Address,
): Promise<InitiativeSummary[]> {
  const count = Number(await contestRead<bigint>(env, contest, "initiativeCount"));
  // Initiatives are numbered from 0.
  return Promise.all(Array.from({ length: count }, (_, i) => readInitiative(env, services, contest, BigInt(i))));
}

export type HistoryEntry =
  | { kind: "submitted" | "amended"; version: number; contentHash: Hex; block: bigint }
  | { kind: "screened"; version: number; status: StatusKey; reasonHash: Hex; block: bigint }
  | { kind: "sheet"; version: number; expert: Address; scores: number[]; commentHash: Hex; block: bigint }
  | { kind: "decided"; version: number; scoreBps: number; passed: boolean; block: bigint };

/** An initiative's history from the contest's events, in the order they happened. */
export async function readHistory(
  env: ChainEnvironment,
  contest: Address,
  id: bigint,
  fromBlock: bigint,
): Promise<HistoryEntry[]> {
  const events = (await getContractEvents(env.client, {
    address: contest,
    abi: contestAbi,
    args: { initiative: id },
    fromBlock,
  } as never)) as unknown as {
    eventName: string;
    args: Record<string, unknown>;
    blockNumber: bigint;
    logIndex: number;
  }[];
  const entries: HistoryEntry[] = [];
  for (const event of events) {
    const a = event.args;
    if (a.initiative !== id) continue;
    const block = event.blockNumber;
    if (event.eventName === "InitiativeSubmitted") {
      entries.push({ kind: "submitted", version: 1, contentHash: a.contentHash as Hex, block });
    } else if (event.eventName === "InitiativeAmended") {
      entries.push({ kind: "amended", version: Number(a.version), contentHash: a.contentHash as Hex, block });
    } else if (event.eventName === "Screened") {
      entries.push({
        kind: "screened",
        version: Number(a.version),
        status: statusKey(Number(a.status)),
        reasonHash: a.reasonHash as Hex,
        block,
      });
    } else if (event.eventName === "SheetSubmitted") {
      entries.push({
        kind: "sheet",
        version: Number(a.version),
        expert: a.expert as Address,
        scores: (a.scores as number[]).map(Number),
        commentHash: a.commentHash as Hex,
        block,
      });
    } else if (event.eventName === "Decided") {
      entries.push({
        kind: "decided",
        version: Number(a.version),
        scoreBps: Number(a.scoreBps),
        passed: Boolean(a.passed),
        block,
      });
    }
  }
  return entries;
}
