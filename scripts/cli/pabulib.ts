/**
 * `kopilka pabulib import FILE.pb [...] [--replay]`: real elections from Pabulib (pabulib.org) as a Kopilka round,
 * one district per file. With --replay, on a local Hardhat chain, every ballot goes through the real contracts
 * (claim and allocate, as a resident would), the round is finalized, and the winners are printed next to the
 * file's `selected` column with every difference.
 */
import { type Category } from "@kopilka/core/category";
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { keccak256, toUtf8Bytes } from "ethers";

import { CommandError } from "../hardhat/connection.js";
import { advanceTimeTo, castBallots, nodeProvider, requireLocalHardhat, type Ballot } from "../hardhat/localchain.js";
import { proofOf } from "@kopilka/core/audit/merkle";
import { inThreadRebuilder } from "@kopilka/core/audit/tree-rebuild";
import { formatRubles } from "@kopilka/core/money";
import {
  ballotAllocation,
  PABULIB_SOURCE_FILE,
  PabulibParseError,
  parsePabulib,
  selectedColumn,
  toKopecks,
  sourceMeta,
  type PabulibElection,
  type PabulibSource,
} from "@kopilka/core/pabulib";
import { LEAF_ENCODING } from "@kopilka/core/participants";
import { InputError, parseRoundSpec, type InputProblem, type RoundSpec } from "@kopilka/core/spec";
import { chainTime, readerOf, type CommandContext } from "./context.js";
import { deploy } from "./deploy.js";
import { finalize, mint, open } from "./lifecycle.js";
import { importParticipants } from "./participants.js";
import { createRoundFromSpec } from "./round.js";
import { letIoRun, mapInSteps } from "./steps.js";

export interface PabulibImportOptions {
  files: string[];
  replay?: boolean;
  /** Round name; by default made from the files. */
  name?: string;
  /** When voting opens (ISO date or unix seconds); by default a day from the chain's now, or an hour with --replay. */
  opensAt?: string;
  votingDays?: number;
}

/** One project of a replayed district, as the round and the file see it. */
export interface ReplayedProject {
  /** The file's project id. */
  id: string;
  projectId: number;
  name: string;
  cost: bigint;
  tokens: bigint;
  won: boolean;
  /** The file's `selected` value, if any. */
  selected?: number;
}

export interface ReplayedDistrict {
  file: string;
  district: number;
  name: string;
  budget: bigint;
  ballots: number;
  projects: ReplayedProject[];
  /** Every disagreement between the round's winners and the file's `selected` column. */
  differences: string[];
  /** Why there is nothing to compare with, when the file has no `selected` column. */
  note?: string;
}

export interface PabulibImportResult {
  round: string;
  districts: number;
  projects: number;
  replay?: {
    ballots: number;
    blocks: number;
    seconds: number;
    ballotsPerSecond: number;
    districts: ReplayedDistrict[];
  };
}

interface LoadedFile {
  file: string;
  text: string;
  election: PabulibElection;
}

interface ProjectSource {
  file: number;
  /** The file's project id. */
  id: string;
}

/** Pabulib's categories (in English, as its files write them) as Kopilka's, by the first keyword that matches. */
const CATEGORY_KEYWORDS: [RegExp, Category][] = [
  [/sport/, "sport"],
  [/librar/, "libraries"],
  [/educat|cultur|school|\bart/, "education-culture"],
  [/light/, "street-lighting"],
  [/water/, "water-supply"],
  [/play|child/, "playgrounds"],
  [/road|transit|transport|traffic|street|bike|cycl|pedestrian/, "local-roads"],
  [/green|environment|public space|park|tree|nature/, "landscaping"],
  [/health|welfare|social|housing|senior|utilit/, "housing-utilities"],
];

export function kopilkaCategory(categories: readonly string[] | undefined): Category {
  for (const category of categories ?? []) {
    const text = category.toLowerCase();
    const found = CATEGORY_KEYWORDS.find(([pattern]) => pattern.test(text));
    if (found) return found[1];
  }
  return "landscaping";
}

/** Reads and parses every file, with a turn of the event loop after each; problems of all files are reported together. */
async function loadFiles(files: readonly string[]): Promise<LoadedFile[]> {
  const problems: InputProblem[] = [];
  const loaded: LoadedFile[] = [];
  for (const file of files) {
    try {
      const text = readFileSync(file, "utf8");
      loaded.push({ file, text, election: parsePabulib(text) });
    } catch (error) {
      if (error instanceof PabulibParseError) {
        for (const issue of error.issues) problems.push({ file, line: issue.line, message: issue.message });
      } else problems.push({ file, message: (error as Error).message });
    }
    await letIoRun();
  }
  if (files.length === 0) problems.push({ file: "pabulib import", message: "no .pb files given" });
  if (problems.length > 0) throw new InputError(problems);
  return loaded;
}

const oneLine = (text: string | undefined) => (text ?? "").replace(/\s+/g, " ").trim();

/**
 * The round spec of the files: district i is file i, with the file's budget; projects keep their order, cost,
 * name, category and coordinates. Projects that cost more than their district's budget could never be funded and
 * the round refuses them: they are left out and reported.
 */
export function pabulibRoundSpec(
  loaded: readonly LoadedFile[],
  schedule: { opensAt: bigint; closesAt: bigint },
  name?: string,
): { spec: RoundSpec; sources: ProjectSource[]; skipped: string[] } {
  const names = new Set<string>();
  const budgets = loaded.map(({ file, election }) => toKopecks(election.budget, `budget of ${file}`));
  const districts = loaded.map(({ file, election }, index) => {
    const base =
      [election.meta.unit, election.meta.subunit, election.meta.instance].map(oneLine).filter(Boolean).join(", ") ||
      path.basename(file, ".pb");
    let unique = base;
    for (let n = 2; names.has(unique.toLowerCase()); n++) unique = `${base} (${n})`;
    names.add(unique.toLowerCase());
    return { name: unique, budget: formatRubles(budgets[index]) };
  });
  const projects: Record<string, string>[] = [];
  const sources: ProjectSource[] = [];
  const skipped: string[] = [];
  loaded.forEach(({ file, election }, index) => {
    const budget = budgets[index];
    for (const project of election.projects) {
      const cost = toKopecks(project.cost, `cost of project ${project.id} in ${file}`);
      if (cost > budget || cost === 0n) {
        skipped.push(
          `${file}: project ${project.id} costs ${formatRubles(cost)}, the budget is ${formatRubles(budget)}`,
        );
        continue;
      }
      const listed = [
        project.category?.length ? `categories: ${project.category.join(", ")}` : "",
        project.target?.length ? `for: ${project.target.join(", ")}` : "",
      ].filter(Boolean);
      projects.push({
        district: districts[index].name,
        title: oneLine(project.name) || `Project ${project.id}`,
        description: `Pabulib project ${project.id} of ${path.basename(file)}${listed.length ? `; ${listed.join("; ")}` : ""}`,
        category: kopilkaCategory(project.category),
        cost: formatRubles(cost),
        lat: project.latitude === undefined || project.longitude === undefined ? "" : String(project.latitude),
        lon: project.latitude === undefined || project.longitude === undefined ? "" : String(project.longitude),
      });
      sources.push({ file: index, id: project.id });
    }
  });
  const roundName =
    name ?? `Pabulib: ${loaded.map(({ file }) => path.basename(file, ".pb")).join(", ")}`.slice(0, 120).trim();
  const raw = {
    name: roundName,
    tokenSymbol: "PB",
    budget: formatRubles(budgets.reduce((sum, b) => sum + b, 0n)),
    opensAt: Number(schedule.opensAt),
    closesAt: Number(schedule.closesAt),
    rule: "ranked",
    districts,
    projects,
  };
  return { spec: parseRoundSpec(raw, "pabulib import", () => ""), sources, skipped };
}

/** What the round's `pabulib.json` says: each district's file name, META and, by on-chain id, project ids. */
export function pabulibSource(loaded: readonly LoadedFile[], sources: readonly ProjectSource[]): PabulibSource {
  return {
    districts: loaded.map(({ file, election }, index) => ({
      file: `${path.basename(file, ".pb")}.pb`,
      meta: sourceMeta(election.meta),
      projects: Object.fromEntries(
        sources.flatMap((source, projectId) => (source.file === index ? [[String(projectId), source.id]] : [])),
      ),
    })),
  };
}

/** Publishes the source beside the round's manifest, for `kopilka pabulib export`. */
function publishSource(manifestFile: string, source: PabulibSource): void {
  writeFileSync(path.join(path.dirname(manifestFile), PABULIB_SOURCE_FILE), JSON.stringify(source, null, 2) + "\n");
}

/**
 * A voter's account: derived from the file's hash and the voter id, so a replay is the same on every run. Nobody
 * holds its key (the replay impersonates it), so it is a hash, not an address of a key: deriving 100,000 public
 * keys took minutes.
 */
export function voterAccount(fileHash: string, voterId: string): string {
  return "0x" + keccak256(toUtf8Bytes(`kopilka/pabulib/${fileHash}/${voterId}`)).slice(-40);
}

function parseWhen(text: string): bigint {
  if (/^\d+$/.test(text.trim())) return BigInt(text.trim());
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || !/(Z|[+-]\d\d:?\d\d)$/.test(text.trim())) {
    throw new InputError([{ file: "--opens-at", message: `expected unix seconds or an ISO date with a time zone` }]);
  }
  return BigInt(Math.floor(ms / 1000));
}

/** The steps of a replay after the round exists, in order, as a failure names them. */
const REPLAY_STEPS = ["mint", "post the voters", "open", "cast the ballots", "finalize", "compare"] as const;
type ReplayStep = (typeof REPLAY_STEPS)[number];

/**
 * Why a replay stopped halfway, for the person who ran it: the step, what was done before it, what is left on the
 * chain, and what to do.
 */
export function replayFailure(round: string, step: ReplayStep, error: Error): CommandError {
  const done = REPLAY_STEPS.slice(0, REPLAY_STEPS.indexOf(step));
  return new CommandError(
    `the replay stopped at step "${step}" (${REPLAY_STEPS.indexOf(step) + 1} of ${REPLAY_STEPS.length}): ` +
      `${error.message}\n` +
      `Round ${round} was created${done.length > 0 ? ` and these steps were done: ${done.join(", ")}` : ""}; ` +
      `it stays on this local chain, unused. Nothing else was changed. Run the same command again: a replay always ` +
      `starts a new round (restart the node first to drop the unused one).`,
  );
}

export async function importPabulib(ctx: CommandContext, options: PabulibImportOptions): Promise<PabulibImportResult> {
  if (ctx.safe !== undefined) {
    throw new CommandError("pabulib import sets up and replays a round in one run: it takes no --safe");
  }
  const loaded = await loadFiles(options.files);
  const provider = await nodeProvider(ctx.connection);
  // Refuse before anything is sent: a replay impersonates voters and moves the chain's clock.
  if (options.replay) await requireLocalHardhat(provider, "pabulib import --replay");

  const now = await chainTime(ctx);
  const opensAt = options.opensAt !== undefined ? parseWhen(options.opensAt) : now + (options.replay ? 3600n : 86_400n);
  const closesAt = opensAt + BigInt(Math.round((options.votingDays ?? 14) * 86_400));
  const { spec, sources, skipped } = pabulibRoundSpec(loaded, { opensAt, closesAt }, options.name);
  for (const line of skipped) ctx.out.info(`Left out (costs more than its district's budget): ${line}`);

  // Every ballot as deposits, checked before anything is sent.
  const votes = loaded.flatMap(({ text, election }, file) => {
    const fileHash = keccak256(toUtf8Bytes(text));
    return election.votes.map((vote) => ({ file, fileHash, vote }));
  });
  const problems: InputProblem[] = [];
  const read = await mapInSteps(ctx.out, "Reading the ballots", votes, ({ file, fileHash, vote }) => {
    try {
      const allocation = ballotAllocation(loaded[file].election, vote);
      if (allocation.total === 0n) return undefined;
      return { file, voterId: vote.voterId, account: voterAccount(fileHash, vote.voterId), allocation };
    } catch (error) {
      problems.push({ file: loaded[file].file, message: (error as Error).message });
      return undefined;
    }
  });
  if (problems.length > 0) throw new InputError(problems);
  if (!options.replay) {
    const created = await createRoundFromSpec(ctx, spec, { spec: "pabulib import" });
    publishSource(created.manifestFile, pabulibSource(loaded, sources));
    return { round: created.round, districts: spec.districts.length, projects: spec.projects.length };
  }
  const voters = loaded.map((_, file) =>
    read.filter((voter) => voter !== undefined && voter.file === file).map((v) => v!),
  );
  const allowanceTotal = voters.flat().reduce((sum, v) => sum + v.allocation.total, 0n);
  if (allowanceTotal > spec.budget) {
    throw new CommandError(
      `the ballots need ${formatRubles(allowanceTotal)} tokens, more than the files' budgets (${formatRubles(spec.budget)}). ` +
        `Nothing was sent.`,
    );
  }

  await deploy(ctx);
  const created = await createRoundFromSpec(ctx, spec, { spec: "pabulib import", newRound: true });
  publishSource(created.manifestFile, pabulibSource(loaded, sources));
  const result: PabulibImportResult = {
    round: created.round,
    districts: spec.districts.length,
    projects: spec.projects.length,
  };
  let step: ReplayStep = "mint";
  try {
    result.replay = await replay();
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw replayFailure(created.round, step, error as Error);
  }
  return result;

  async function replay(): Promise<NonNullable<PabulibImportResult["replay"]>> {
    const selector = { round: created.round };
    await mint(ctx, selector);

    // Residents: each voter of file i, bound to district i, with exactly what their ballot puts in.
    step = "post the voters";
    const dir = mkdtempSync(path.join(os.tmpdir(), "kopilka-pabulib-"));
    let batch;
    try {
      const csv = path.join(dir, "residents.csv");
      const rows = voters.flatMap((ballots, district) =>
        ballots.map((b) => `${b.account},${district},${formatRubles(b.allocation.total)}`),
      );
      writeFileSync(csv, ["address,district,amount", ...rows].join("\n") + "\n");
      batch = await importParticipants(ctx, selector, { csv });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    step = "open";
    await open(ctx, selector);

    step = "cast the ballots";
    const reader = readerOf(ctx, created.round);
    const { token } = await reader.settings();
    const onChain = await Promise.all(sources.map((_, id) => reader.project(id)));
    const projectIdOf = new Map(sources.map((source, id) => [`${source.file}/${source.id}`, id]));
    const depositsOf = new Map<string, { banks: string[]; amounts: bigint[] }>();
    voters.forEach((ballots, file) => {
      for (const b of ballots) {
        const banks: string[] = [];
        const amounts: bigint[] = [];
        b.allocation.projects.forEach((id, i) => {
          const projectId = projectIdOf.get(`${file}/${id}`);
          // Tokens for a project left out stay with the voter, as they would for a project not on the ballot.
          if (projectId === undefined) return;
          banks.push(onChain[projectId].bank);
          amounts.push(b.allocation.amounts[i]);
        });
        if (banks.length > 0) depositsOf.set(b.account, { banks, amounts });
      }
    });
    // The published tree, rebuilt in slices (the library's proofs took ~1.5 ms each): every voter's proof.
    const tree = await inThreadRebuilder().rebuild(readFileSync(batch.file, "utf8"), LEAF_ENCODING);
    const ballots = (
      await mapInSteps(ctx.out, "Proofs of the ballots", tree.values, (leaf): Ballot | undefined => {
        const deposits = depositsOf.get(leaf.account);
        return (
          deposits && {
            account: leaf.account,
            batchId: batch.batchId,
            district: leaf.district,
            amount: leaf.amount,
            enrollment: leaf.enrollment,
            proof: proofOf(tree, leaf.treeIndex),
            ...deposits,
          }
        );
      })
    ).filter((ballot) => ballot !== undefined);

    await advanceTimeTo(provider, opensAt);
    const progress = ctx.out.progress("Casting ballots", ballots.length);
    let shown = 0;
    let cast;
    try {
      cast = await castBallots(provider, created.round, ballots, {
        onProgress: (done) => {
          for (; shown < done; shown++) progress.increment();
        },
      });
    } finally {
      progress.stop();
    }
    if (cast.failed.length > 0) {
      throw new CommandError(
        `${cast.failed.length} ballot(s) reverted, e.g. ${cast.failed[0].account} in ${cast.failed[0].tx}`,
      );
    }
    const ballotsPerSecond = cast.seconds > 0 ? ballots.length / cast.seconds : ballots.length;
    ctx.out.info(
      `Cast ${ballots.length} ballots in ${cast.blocks} blocks, ${cast.seconds.toFixed(1)} s ` +
        `(${ballotsPerSecond.toFixed(0)} ballots/s)`,
    );

    step = "finalize";
    await advanceTimeTo(provider, closesAt);
    await finalize(ctx, selector);

    step = "compare";
    const [funded, tokens] = await Promise.all([
      Promise.all(sources.map(async (_, id) => (await reader.project(id)).funded)),
      Promise.all(onChain.map((project) => reader.balanceOf(token, project.bank))),
    ]);
    const districts = loaded.map(({ file, election }, index): ReplayedDistrict => {
      const projects = sources
        .map((source, projectId) => ({ source, projectId }))
        .filter(({ source }) => source.file === index)
        .map(({ source, projectId }): ReplayedProject => {
          const project = election.projects.find((p) => p.id === source.id)!;
          return {
            id: source.id,
            projectId,
            name: spec.projects[projectId].metadata.title,
            cost: spec.projects[projectId].cost,
            tokens: tokens[projectId],
            won: funded[projectId],
            selected: project.selected,
          };
        });
      const district: ReplayedDistrict = {
        file,
        district: index,
        name: spec.districts[index].name,
        budget: spec.districts[index].budget,
        ballots: voters[index].length,
        projects,
        differences: compareWithFile(election, projects),
      };
      if (!selectedColumn(election).present) district.note = "the file has no selected column: nothing to compare with";
      ctx.out.info(formatReplayedDistrict(district));
      return district;
    });
    return { ballots: ballots.length, blocks: cast.blocks, seconds: cast.seconds, ballotsPerSecond, districts };
  }
}

/** Every disagreement between the round's winners and the file's `selected` column. */
function compareWithFile(election: PabulibElection, projects: readonly ReplayedProject[]): string[] {
  const column = selectedColumn(election);
  if (!column.present) return [];
  const differences: string[] = [];
  const replayed = new Map(projects.map((p) => [p.id, p]));
  for (const project of election.projects) {
    const ours = replayed.get(project.id);
    const won = ours?.won ?? false;
    const selected = project.selected;
    if (selected === undefined) {
      differences.push(
        `project ${project.id}: ${won ? "funded" : "not funded"} here; the file gives no selected value`,
      );
    } else if (selected !== 0 && selected !== 1) {
      differences.push(
        `project ${project.id}: ${won ? "funded" : "not funded"} here; the file marks it selected=${selected} ` +
          `(a special case, see the file)`,
      );
    } else if (won && selected === 0) {
      differences.push(`project ${project.id}: funded here, not selected in the file`);
    } else if (!won && selected === 1) {
      differences.push(
        `project ${project.id}: selected in the file, not funded here` + (ours ? "" : " (left out: above the budget)"),
      );
    }
  }
  return differences;
}

export function formatReplayedDistrict(d: ReplayedDistrict): string {
  const lines = [
    `District ${d.district} "${d.name}" (${path.basename(d.file)}): budget ${formatRubles(d.budget)}, ${d.ballots} ballots`,
    `  ${"project".padEnd(10)} ${"cost".padStart(14)} ${"tokens".padStart(12)}  kopilka    file`,
  ];
  const byTokens = [...d.projects].sort((a, b) => (b.tokens > a.tokens ? 1 : b.tokens < a.tokens ? -1 : 0));
  for (const p of byTokens) {
    const file =
      p.selected === undefined ? "-" : p.selected === 1 ? "selected" : p.selected === 0 ? "" : `selected=${p.selected}`;
    lines.push(
      `  ${p.id.padEnd(10)} ${formatRubles(p.cost).padStart(14)} ${formatRubles(p.tokens).padStart(12)}  ` +
        `${(p.won ? "WON" : "").padEnd(9)}  ${file}  ${p.name}`,
    );
  }
  if (d.note) lines.push(`  ${d.note}`);
  else if (d.differences.length === 0) lines.push("  Same winners as the file's selected column.");
  else {
    lines.push(`  ${d.differences.length} difference(s) from the file's selected column:`);
    for (const difference of d.differences) lines.push(`    ${difference}`);
  }
  return lines.join("\n");
}
