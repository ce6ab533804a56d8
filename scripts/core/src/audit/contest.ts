/**
 * The auditor's checks of a contest (contracts/interfaces/IContest.sol) and of the round made from it: every content
 * file hashes to its on-chain hash, each score sheet is signed by a listed expert for the version it names, each
 * recorded outcome equals the one recomputed from the sheets, each admitted version had its minimum group of distinct
 * residents, and the round's projects are exactly the passed initiatives, in their final versions.
 *
 * Loading (`loadContest`) reads the chain; checking (`checkContest`) is a pure function of what was loaded and of
 * the content files, so each check can be shown to catch a change of the data it is given.
 */
import type { Address, Hex } from "viem";

import {
  InitiativeStatus,
  contentHash,
  contestDomain,
  contestOutcome,
  contestSigner,
  initiativeNumber,
  isContentHash,
  parseInitiativeDocument,
  scoreSumsOf,
  sheetTypedData,
  type InitiativeFields,
} from "../domain/contest.js";
import { ContestReader, type ContestEvent, type ContestSettings, type InitiativeState } from "../chain/contest.js";
import { toRpc, type RpcSource } from "../chain/rpc.js";
import { result, type CheckFailure, type CheckResult } from "./check.js";

/** Content files by hash: `<base>/content/<hash>`, from a directory or over http(s). */
export interface ContentSource {
  readonly location: string;
  /** The file's bytes, or undefined when it is not there. */
  read(hash: Hex): Promise<Uint8Array | undefined>;
}

/** Reads a local file's bytes, or undefined when there is none (the Node entry gives one). */
export type LocalBytesReader = (file: string) => Promise<Uint8Array | undefined>;

/** The content files under `base` (a directory, given a reader, or an http(s) URL, e.g. the resident services). */
export function openContent(base: string, readLocal?: LocalBytesReader): ContentSource {
  const root = base.replace(/\/+$/, "");
  const isUrl = /^https?:\/\//i.test(root);
  return {
    location: `${root}/content`,
    async read(hash) {
      if (!isContentHash(hash)) return undefined;
      const location = `${root}/content/${hash}`;
      if (!isUrl) {
        if (!readLocal) throw new Error(`cannot read ${location}: no file system here; give an http(s) URL`);
        return await readLocal(location);
      }
      const response = await fetch(location);
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`GET ${location}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

/** Everything the checks need from the chain. */
export interface ContestData {
  chainId: bigint;
  settings: ContestSettings;
  initiatives: InitiativeState[];
  events: ContestEvent[];
}

export async function loadContest(options: {
  rpc: RpcSource;
  contest: string;
  fromBlock?: number;
  toBlock?: number;
}): Promise<ContestData> {
  const rpc = toRpc(options.rpc);
  const toBlock =
    options.toBlock ?? Number(BigInt((await rpc.request({ method: "eth_blockNumber", params: [] })) as string));
  const reader = new ContestReader(rpc, options.contest as Address, BigInt(toBlock));
  const [chainId, settings, events] = await Promise.all([
    rpc.request({ method: "eth_chainId", params: [] }).then((id) => BigInt(id as string)),
    reader.settings(),
    reader.events({ fromBlock: options.fromBlock, toBlock }),
  ]);
  const initiatives = await reader.initiatives(settings.initiativeCount);
  return { chainId, settings, initiatives, events };
}

/** What a round's project says of the initiative it comes from (its metadata's `initiative`). */
export interface InitiativeLink {
  contest: string;
  id: number;
  version: number;
  contentHash: string;
}

/** A project of the round made from the contest, with its verified metadata's link (if any). */
export interface BallotProject {
  id: number;
  district: number;
  cost: bigint;
  initiative?: InitiativeLink;
}

type Versions = Map<number, Map<number, Hex>>;

/** Each initiative's versions' content hashes, from the events. */
function versionsOf(events: readonly ContestEvent[]): Versions {
  const versions: Versions = new Map();
  for (const event of events) {
    if (event.kind === "InitiativeSubmitted") versions.set(event.initiative, new Map([[1, event.contentHash]]));
    if (event.kind === "InitiativeAmended") versions.get(event.initiative)?.set(event.version, event.contentHash);
  }
  return versions;
}

const sheetsOf = (events: readonly ContestEvent[]) =>
  events.filter((event): event is Extract<ContestEvent, { kind: "SheetSubmitted" }> => event.kind === "SheetSubmitted");

/** Runs every contest check; `ballot` adds the check of the round made from the contest. */
export async function checkContest(
  data: ContestData,
  content: ContentSource,
  ballot?: readonly BallotProject[],
): Promise<CheckResult[]> {
  const checks = [await checkContent(data, content), await checkSheets(data), checkOutcomes(data), checkGroups(data)];
  if (ballot) checks.push(await checkBallot(data, content, ballot));
  return checks;
}

/** An initiative as a person reads it: by its number from 1 (`initiativeNumber`), never by its on-chain id. */
function named(id: number): string {
  return `initiative № ${initiativeNumber(id)}`;
}

/** A failure about initiative `id`: its item says the number, its `initiative` field keeps the id. */
function about(id: number, item: string, message: string): CheckFailure {
  return { item, message, initiative: id };
}

/** Every content file the contest names is published and hashes to its hash; initiative versions are valid. */
export async function checkContent(data: ContestData, content: ContentSource): Promise<CheckResult> {
  const failures: CheckFailure[] = [];
  let checked = 0;
  const fetchHashed = async (item: string, hash: Hex, initiative?: number): Promise<Uint8Array | undefined> => {
    checked++;
    const fail = (message: string) =>
      failures.push(initiative === undefined ? { item, message } : about(initiative, item, message));
    let bytes: Uint8Array | undefined;
    try {
      bytes = await content.read(hash);
    } catch (error) {
      fail(`cannot read ${hash}: ${(error as Error).message}`);
      return undefined;
    }
    if (bytes === undefined) fail(`${hash} is not published`);
    else if (contentHash(bytes) !== hash.toLowerCase()) {
      fail(`the file published as ${hash} hashes to ${contentHash(bytes)}`);
      return undefined;
    }
    return bytes;
  };
  await fetchHashed("template", data.settings.templateHash);
  const districtOf = new Map(data.initiatives.map((item) => [item.id, item.district]));
  for (const [id, versions] of versionsOf(data.events)) {
    let previous: Hex | null = null;
    for (const [version, hash] of [...versions].sort(([a], [b]) => a - b)) {
      const item = `${named(id)} version ${version}`;
      const bytes = await fetchHashed(item, hash, id);
      if (bytes !== undefined) {
        const parsed = parseInitiativeDocument(bytes);
        if ("error" in parsed) failures.push(about(id, item, `not a valid initiative document: ${parsed.error}`));
        else {
          const fields = parsed.fields;
          if (fields.contest.toLowerCase() !== data.settings.address.toLowerCase()) {
            failures.push(about(id, item, `the document is for contest ${fields.contest}`));
          }
          if (fields.district !== districtOf.get(id)) {
            failures.push(
              about(id, item, `the document names district ${fields.district}, the chain ${districtOf.get(id)}`),
            );
          }
          if (fields.amends !== previous) {
            failures.push(
              about(id, item, `the document amends ${fields.amends}, not the previous version ${previous}`),
            );
          }
          for (const photo of fields.photos) await fetchHashed(`${item} photo`, photo, id);
        }
      }
      previous = hash;
    }
  }
  const zero = /^0x0{64}$/;
  for (const event of data.events) {
    if (event.kind === "Screened" && !zero.test(event.reasonHash)) {
      await fetchHashed(`${named(event.initiative)} screening reason`, event.reasonHash, event.initiative);
    }
    if (event.kind === "SheetSubmitted" && !zero.test(event.commentHash)) {
      await fetchHashed(`${named(event.initiative)} comment of ${event.expert}`, event.commentHash, event.initiative);
    }
  }
  return result("contest-content", "Every content file of the contest hashes to its on-chain hash", checked, failures);
}

/** Each sheet is signed by a listed expert, for the version and content it names, once per expert and initiative. */
export async function checkSheets(data: ContestData): Promise<CheckResult> {
  const failures: CheckFailure[] = [];
  const experts = new Set(data.settings.experts.map((expert) => expert.toLowerCase()));
  const versions = versionsOf(data.events);
  const domain = contestDomain(data.chainId, data.settings.address);
  const seen = new Set<string>();
  const sheets = sheetsOf(data.events);
  for (const sheet of sheets) {
    const item = `${named(sheet.initiative)}, sheet of ${sheet.expert}`;
    const fail = (message: string) => failures.push(about(sheet.initiative, item, message));
    if (!experts.has(sheet.expert.toLowerCase())) fail("not a listed expert");
    const key = `${sheet.initiative} ${sheet.expert.toLowerCase()}`;
    if (seen.has(key)) fail("a second sheet of the same expert");
    seen.add(key);
    const versionHash = versions.get(sheet.initiative)?.get(sheet.version);
    if (versionHash === undefined) {
      fail(`names version ${sheet.version}, which does not exist`);
      continue;
    }
    const typed = sheetTypedData(domain, {
      expert: sheet.expert,
      initiative: BigInt(sheet.initiative),
      version: sheet.version,
      contentHash: versionHash,
      criteriaHash: data.settings.criteriaHash,
      scores: sheet.scores,
      commentHash: sheet.commentHash,
      noConflict: true,
    });
    let signer: string;
    try {
      signer = await contestSigner(typed, { scheme: sheet.scheme as 0 | 1, signature: sheet.signature });
    } catch (error) {
      signer = `nobody (${(error as Error).message})`;
    }
    if (signer.toLowerCase() !== sheet.expert.toLowerCase()) {
      fail(`the signature is ${signer}'s, not the expert's, for these scores and version`);
    }
    sheet.scores.forEach((score, i) => {
      const max = data.settings.criteria[i]?.maxScore;
      if (max === undefined || score > max) fail(`score ${score} on criterion ${i} above its maximum`);
    });
  }
  return result(
    "contest-sheets",
    "Each score sheet is signed by a listed expert for the version it scores",
    sheets.length,
    failures,
  );
}

/** Each recorded outcome equals the one the rule gives from the published sheets; the passed count adds up. */
export function checkOutcomes(data: ContestData): CheckResult {
  const failures: CheckFailure[] = [];
  const rule = {
    criteria: data.settings.criteria,
    passMarkBps: data.settings.passMarkBps,
    minSheets: data.settings.minSheets,
  };
  const sheets = sheetsOf(data.events);
  const decided = new Map<number, Extract<ContestEvent, { kind: "Decided" }>>();
  for (const event of data.events) if (event.kind === "Decided") decided.set(event.initiative, event);
  let passed = 0;
  let checked = 0;
  for (const initiative of data.initiatives) {
    const isDecided = initiative.status === InitiativeStatus.Passed || initiative.status === InitiativeStatus.Failed;
    const event = decided.get(initiative.id);
    if (!isDecided && event === undefined) continue;
    checked++;
    const fail = (message: string) => failures.push(about(initiative.id, named(initiative.id), message));
    if (event === undefined) {
      fail("decided on-chain without a Decided event");
      continue;
    }
    const own = sheets.filter((sheet) => sheet.initiative === initiative.id && sheet.version === event.version);
    const outcome = contestOutcome(
      rule,
      scoreSumsOf(
        rule.criteria.length,
        own.filter((sheet) => sheet.scores.length === rule.criteria.length),
      ),
      own.length,
    );
    if (own.length !== event.sheets || own.length !== initiative.sheets) {
      fail(`${own.length} published sheets, but the outcome counts ${event.sheets} (state ${initiative.sheets})`);
    }
    if (outcome.scoreBps !== event.scoreBps || outcome.scoreBps !== initiative.scoreBps) {
      fail(`recorded score ${event.scoreBps} bp, recomputed ${outcome.scoreBps} bp`);
    }
    const recordedPassed = initiative.status === InitiativeStatus.Passed;
    if (outcome.passed !== event.passed || outcome.passed !== recordedPassed) {
      fail(`recorded ${recordedPassed ? "passed" : "failed"}, the rule says ${outcome.passed ? "passed" : "failed"}`);
    }
    if (recordedPassed) passed++;
  }
  if (passed !== data.settings.passedCount) {
    failures.push({
      item: "contest",
      message: `${passed} initiatives passed, the contest counts ${data.settings.passedCount}`,
    });
  }
  return result(
    "contest-outcomes",
    "Each recorded outcome equals the rule's, recomputed from the sheets",
    checked,
    failures,
  );
}

/** Each version the committee admitted had at least the minimum group of distinct residents. */
export function checkGroups(data: ContestData): CheckResult {
  const failures: CheckFailure[] = [];
  const members = new Map<string, Set<string>>();
  const add = (initiative: number, version: number, identity: string) => {
    const key = `${initiative} ${version}`;
    if (!members.has(key)) members.set(key, new Set());
    members.get(key)!.add(identity.toLowerCase());
  };
  const authors = new Map<number, string>();
  let checked = 0;
  for (const event of data.events) {
    if (event.kind === "InitiativeSubmitted") {
      authors.set(event.initiative, event.identity);
      add(event.initiative, 1, event.identity);
    } else if (event.kind === "InitiativeAmended") add(event.initiative, event.version, authors.get(event.initiative)!);
    else if (event.kind === "Cosigned") add(event.initiative, event.version, event.identity);
    else if (event.kind === "Screened" && event.status === InitiativeStatus.Admitted) {
      checked++;
      const size = members.get(`${event.initiative} ${event.version}`)?.size ?? 0;
      if (size < data.settings.minGroup) {
        failures.push(
          about(
            event.initiative,
            `${named(event.initiative)} version ${event.version}`,
            `admitted with ${size} distinct residents in its group, below ${data.settings.minGroup}`,
          ),
        );
      }
    }
  }
  return result("contest-groups", "Each admitted initiative had enough distinct co-signers", checked, failures);
}

/** The round's projects are exactly the passed initiatives, each in its final version, with its cost and district. */
export async function checkBallot(
  data: ContestData,
  content: ContentSource,
  ballot: readonly BallotProject[],
): Promise<CheckResult> {
  const failures: CheckFailure[] = [];
  const byId = new Map(data.initiatives.map((item) => [item.id, item]));
  const onBallot = new Map<number, number>();
  for (const project of ballot) {
    const item = `project ${project.id}`;
    const link = project.initiative;
    if (link === undefined) {
      failures.push({ item, message: "names no initiative of the contest" });
      continue;
    }
    if (link.contest.toLowerCase() !== data.settings.address.toLowerCase()) {
      failures.push({ item, message: `names contest ${link.contest}` });
      continue;
    }
    const initiative = byId.get(link.id);
    if (initiative === undefined || initiative.status !== InitiativeStatus.Passed) {
      failures.push(about(link.id, item, `${named(link.id)} did not pass`));
      continue;
    }
    const fail = (message: string) => failures.push(about(link.id, item, message));
    if (onBallot.has(link.id)) fail(`${named(link.id)} is also project ${onBallot.get(link.id)}`);
    onBallot.set(link.id, project.id);
    if (
      link.version !== initiative.version ||
      link.contentHash.toLowerCase() !== initiative.contentHash.toLowerCase()
    ) {
      fail(
        `names version ${link.version} (${link.contentHash}) of ${named(link.id)}, ` +
          `whose final version is ${initiative.version} (${initiative.contentHash})`,
      );
      continue;
    }
    if (project.district !== initiative.district) {
      fail(`in district ${project.district}, the initiative in ${initiative.district}`);
    }
    const bytes = await content.read(initiative.contentHash).catch(() => undefined);
    const parsed = bytes && contentHash(bytes) === initiative.contentHash ? parseInitiativeDocument(bytes) : undefined;
    const fields: InitiativeFields | undefined = parsed && "fields" in parsed ? parsed.fields : undefined;
    if (fields === undefined) fail("the initiative's final version is not readable");
    else if (BigInt(fields.cost.totalKopecks) !== project.cost) {
      fail(`costs ${project.cost} kopecks, the initiative ${fields.cost.totalKopecks}`);
    }
  }
  for (const initiative of data.initiatives) {
    if (initiative.status === InitiativeStatus.Passed && !onBallot.has(initiative.id)) {
      failures.push(about(initiative.id, named(initiative.id), "passed but is not on the ballot"));
    }
  }
  return result(
    "contest-ballot",
    "The round's projects are exactly the contest's passed initiatives",
    ballot.length,
    failures,
  );
}
