/**
 * `kopilka round create` and `kopilka round show`. Creating reads what the chain already has (a round of the
 * same name and config by the same signer, its districts and projects) and sends only what is missing.
 */
import { existsSync, readFileSync } from "node:fs";

import { isAddress } from "ethers";
import type { Address } from "viem";

import { categoryKey } from "@kopilka/core/category";
import { ContestReader, toRpc, type RoundReader } from "@kopilka/core/chain";
import {
  ContestPhase,
  ballotProjects,
  contentHash,
  readJsonContent,
  type TemplateDocument,
} from "@kopilka/core/contest";
import { implementationStatusKey } from "@kopilka/core/implementation";
import { phaseKey } from "@kopilka/core/phase";
import { ruleKey } from "@kopilka/core/rule";
import type { RoundFactory } from "../../typechain-types/index.js";
import {
  CommandError,
  deploymentBinding,
  findDeploymentBlock,
  hasCode,
  writeFileIfChanged,
} from "../hardhat/connection.js";
import { canonicalJson, hashFileText, metadataHash } from "@kopilka/core/metadata";
import { formatTime } from "@kopilka/core/display";
import { rubles } from "@kopilka/core/money";
import { ruleText } from "@kopilka/core/audit";
import { manifestPath, projectMetadataPath, projectMetadataURI, type RoundManifest } from "@kopilka/core/publication";
import { residentCapacity } from "@kopilka/core/residents";
import { InputError, roundConfigOf, type RoundSpec } from "@kopilka/core/spec";
import { loadRoundSpec, openContentFiles } from "@kopilka/core/node";
import {
  chainTime,
  checkNetwork,
  readerOf,
  setupOpen,
  useRound,
  type CommandContext,
  type RoundHandle,
  type RoundSelector,
} from "./context.js";
import { contestDirectory, passedInitiativesOf } from "./contest.js";
import { factoryRecordMismatch, factoryRecordPath, readFactoryRecord } from "./deploy.js";
import { actorFor, callOf, reportPending, roundCall, WaitingForSafe, type Actor, type Call } from "./safe.js";

export interface CreateRoundOptions {
  spec: string;
  /** Continue setting up this round instead of looking for one. */
  round?: string;
  /** Factory address; by default the one `kopilka deploy` recorded. */
  factory?: string;
  /** Create a new round even if one with the same name but another config exists. */
  newRound?: boolean;
  /** Make the projects the passed initiatives of this contest (the spec then lists none). */
  fromContest?: string;
  /** Where the contest's content files are (directory or URL holding `content/<hash>`); default its publication dir. */
  contestContent?: string;
}

export interface CreateRoundResult {
  round: string;
  manifestFile: string;
  created: boolean;
  districtsAdded: number;
  projectsAdded: number;
  /** Safe transactions (--safe) that add the districts and projects, waiting for confirmations. */
  pending: string[];
}

export async function createRound(ctx: CommandContext, options: CreateRoundOptions): Promise<CreateRoundResult> {
  const spec = loadRoundSpec(options.spec);
  if (options.fromContest === undefined) return await createRoundFromSpec(ctx, spec, options);
  return await createRoundFromSpec(ctx, await withContestProjects(ctx, spec, options), options);
}

/**
 * The spec with its projects made from the contest's passed initiatives (`round create --from-contest`): their
 * final versions' title, description, category, place and cost, each project's metadata naming its initiative.
 * The round's districts must be the contest's, in its order.
 */
async function withContestProjects(
  ctx: CommandContext,
  spec: RoundSpec,
  options: CreateRoundOptions,
): Promise<RoundSpec> {
  const contest = options.fromContest!;
  if (!isAddress(contest)) throw new CommandError(`--from-contest ${contest} is not an address`);
  if (spec.projects.length > 0) {
    throw new CommandError(`${options.spec} lists projects: with --from-contest the projects are the contest's`);
  }
  const chainId = await checkNetwork(ctx);
  const content = openContentFiles(options.contestContent ?? contestDirectory(ctx.publicationBase, chainId, contest));
  const reader = new ContestReader(toRpc(ctx.connection.provider), contest as Address);
  const settings = await reader.settings();
  if (settings.phase !== ContestPhase.Decided || settings.passedCount === 0) {
    throw new CommandError(`contest ${contest} has no recorded outcomes yet: run "kopilka contest decide" first`);
  }
  const template = await content.read(settings.templateHash);
  if (template === undefined || contentHash(template) !== settings.templateHash) {
    throw new CommandError(`the contest's template ${settings.templateHash} is not in ${content.location}`);
  }
  const districts = (readJsonContent(template) as TemplateDocument).districts;
  const names = spec.districts.map((district) => district.name);
  if (JSON.stringify(names) !== JSON.stringify(districts)) {
    throw new CommandError(
      `the round's districts (${names.join(", ")}) must be the contest's, in order: ${districts.join(", ")}`,
    );
  }
  const passed = await passedInitiativesOf(reader, (hash) => content.read(hash));
  ctx.out.info(`Contest ${contest}: ${passed.length} passed initiatives become the round's projects`);
  return { ...spec, projects: ballotProjects(contest, passed, names) };
}

/**
 * Creates the round of a checked spec (from a file, or built by another command such as `pabulib import`), or
 * continues setting it up. `options.spec` names the spec's source in messages.
 */
export async function createRoundFromSpec(
  ctx: CommandContext,
  spec: RoundSpec,
  options: CreateRoundOptions,
): Promise<CreateRoundResult> {
  const chainId = await checkNetwork(ctx);
  const { ethers } = ctx.connection;
  const actor = await actorFor(ctx, chainId);

  const found = readFactoryRecord(ctx.publicationBase, chainId);
  const stale = found && (await factoryRecordMismatch(ctx, found));
  const record = stale === undefined ? found : undefined;
  const factoryAddress = options.factory ?? record?.address;
  if (factoryAddress === undefined || !(await hasCode(ethers.provider, factoryAddress))) {
    throw new CommandError(
      `no round factory on chain ${chainId}` +
        (stale === undefined
          ? ""
          : ` (${factoryRecordPath(ctx.publicationBase, chainId)} is another chain's: ${stale})`) +
        `: run "kopilka deploy" first or pass --factory`,
    );
  }
  const factory = await ethers.getContractAt("RoundFactory", factoryAddress);
  const fromBlock =
    record?.address === factoryAddress
      ? record.deploymentBlock
      : await findDeploymentBlock(ethers.provider, factoryAddress);
  const deployment = await deploymentBinding(ctx.connection, factoryAddress, fromBlock);

  let address =
    options.round ?? (await findExistingRound(ctx, factory, fromBlock, spec, actor.address, options.newRound));
  const created = address === undefined;
  if (address === undefined) {
    if (spec.opensAt <= (await chainTime(ctx))) {
      throw new InputError([{ file: options.spec, where: "opensAt", message: "the round would open in the past" }]);
    }
    address = await sendCreateRound(ctx, factory, spec, actor);
    ctx.out.info(`Created round "${spec.name}" at ${address}`);
  } else {
    ctx.out.info(`Round "${spec.name}" is at ${address}`);
  }

  const settings = await readerOf(ctx, address).settings();
  const manifest: RoundManifest = {
    chainId: Number(chainId),
    factory: factoryAddress,
    round: address,
    token: settings.token,
    airdrop: settings.airdrop,
    fromBlock,
    name: settings.name,
    ...(spec.utcOffset === undefined ? {} : { utcOffset: spec.utcOffset }),
    deployment,
  };
  const manifestFile = manifestPath(ctx.publicationBase, chainId, address);
  writeFileIfChanged(manifestFile, JSON.stringify(manifest, null, 2) + "\n");
  const handle = await useRound(ctx, { manifest: manifestFile });

  const { districtCount, projectCount } = settings;
  await checkExistingSetup(handle.reader, spec, districtCount, projectCount);
  for (const [id, project] of spec.projects.entries()) {
    writeFileIfChanged(projectMetadataPath(ctx.publicationBase, chainId, address, id), canonicalJson(project.metadata));
  }

  const missing = spec.districts.length - districtCount + spec.projects.length - projectCount;
  if (missing > 0) {
    if (!(await setupOpen(ctx, handle))) {
      throw new CommandError(
        `round ${address} is past setup; ${missing} district(s)/project(s) can no longer be added`,
      );
    }
    const committee = await actorFor(ctx, chainId, handle, "committee");
    const calls: Call[] = [
      ...spec.districts.slice(districtCount).map((d) => roundCall(handle, "addDistrict", [d.name, d.budget])),
      ...spec.projects
        .slice(projectCount)
        .map((project, offset) =>
          roundCall(handle, "addProject", [
            project.district,
            project.cost,
            project.category,
            metadataHash(project.metadata),
            (spec.metadataBaseURI ?? "") + projectMetadataURI(projectCount + offset),
          ]),
        ),
    ];
    const what = `add ${missing} district(s)/project(s) to round ${address}`;
    const outcome = await committee.run(calls, what);
    if (!outcome.executed) {
      reportPending(ctx, outcome, what);
      return { round: address, manifestFile, created, districtsAdded: 0, projectsAdded: 0, pending: outcome.pending };
    }
  }
  const districtsAdded = spec.districts.length - districtCount;
  const projectsAdded = spec.projects.length - projectCount;
  ctx.out.info(
    `Districts: ${spec.districts.length} (${districtsAdded} added), projects: ${spec.projects.length} ` +
      `(${projectsAdded} added). Manifest: ${manifestFile}`,
  );
  return { round: address, manifestFile, created, districtsAdded, projectsAdded, pending: [] };
}

const LOG_PAGE_BLOCKS = 10_000;

/** The round this signer (or Safe) already created from this spec, found through the factory's RoundCreated events. */
async function findExistingRound(
  ctx: CommandContext,
  factory: RoundFactory,
  fromBlock: number,
  spec: RoundSpec,
  creator: string,
  newRound: boolean | undefined,
): Promise<string | undefined> {
  const filter = factory.filters.RoundCreated(undefined, undefined, undefined, undefined, creator);
  const latest = await ctx.connection.ethers.provider.getBlockNumber();
  const events = [];
  // Public RPC endpoints cap the block range of a log query.
  for (let start = fromBlock; start <= latest; start += LOG_PAGE_BLOCKS) {
    events.push(...(await factory.queryFilter(filter, start, Math.min(start + LOG_PAGE_BLOCKS - 1, latest))));
  }
  const sameName = events.filter((event) => event.args.name === spec.name);
  for (const event of sameName.reverse()) {
    const candidate = await readerOf(ctx, event.args.round).settings();
    if (
      candidate.budget === spec.budget &&
      candidate.opensAt === spec.opensAt &&
      candidate.closesAt === spec.closesAt &&
      candidate.rule === spec.rule &&
      candidate.minTokens === spec.minTokens &&
      candidate.minSupporters === BigInt(spec.minSupporters) &&
      candidate.allowance === spec.allowance &&
      candidate.residentsBound === spec.residentsBound
    ) {
      return event.args.round;
    }
  }
  if (sameName.length > 0 && !newRound) {
    throw new CommandError(
      `you already created a round named "${spec.name}" (${sameName.map((e) => e.args.round).join(", ")}) with ` +
        `another budget, schedule or rule; pass --round ADDR to continue it or --new to create another one`,
    );
  }
  return undefined;
}

/** Creates the round, its roles given to the actor; with a Safe that waits for confirmations, stops the command. */
async function sendCreateRound(
  ctx: CommandContext,
  factory: RoundFactory,
  spec: RoundSpec,
  actor: Actor,
): Promise<string> {
  const what = `create round "${spec.name}"`;
  const outcome = await actor.run([callOf(factory, "createRound", [roundConfigOf(spec, actor.address)])], what);
  if (!outcome.executed) throw new WaitingForSafe(what, outcome.pending);
  const factoryAddress = (await factory.getAddress()).toLowerCase();
  for (const log of outcome.receipts.flatMap((receipt) => receipt.logs)) {
    if (log.address.toLowerCase() !== factoryAddress) continue;
    const parsed = factory.interface.parseLog(log);
    if (parsed?.name === "RoundCreated") return parsed.args.round as string;
  }
  throw new CommandError(`${what}: the transaction created no round`);
}

/** Refuses to continue when what is on-chain is not the beginning of the spec. */
async function checkExistingSetup(
  reader: RoundReader,
  spec: RoundSpec,
  districtCount: number,
  projectCount: number,
): Promise<void> {
  const differences: string[] = [];
  if (districtCount > spec.districts.length) {
    differences.push(`the round has ${districtCount} districts, the spec ${spec.districts.length}`);
  }
  if (projectCount > spec.projects.length) {
    differences.push(`the round has ${projectCount} projects, the spec ${spec.projects.length}`);
  }
  const districts = await Promise.all(spec.districts.slice(0, districtCount).map((_, id) => reader.district(id)));
  districts.forEach((onChain, id) => {
    const wanted = spec.districts[id];
    if (onChain.name !== wanted.name || onChain.budget !== wanted.budget) {
      differences.push(
        `district ${id} is "${onChain.name}" with ${rubles(onChain.budget)} on-chain, ` +
          `"${wanted.name}" with ${rubles(wanted.budget)} in the spec`,
      );
    }
  });
  const projects = await Promise.all(
    spec.projects.slice(0, projectCount).map(async (_, id) => {
      const onChain = await reader.project(id);
      return { onChain, hash: await reader.metadataHash(onChain.bank) };
    }),
  );
  projects.forEach(({ onChain, hash }, id) => {
    const wanted = spec.projects[id];
    if (
      onChain.district !== wanted.district ||
      onChain.cost !== wanted.cost ||
      onChain.category !== wanted.category ||
      hash !== metadataHash(wanted.metadata)
    ) {
      differences.push(`project ${id} on-chain differs from the spec's project ${id} ("${wanted.metadata.title}")`);
    }
  });
  if (differences.length > 0) {
    throw new CommandError(`the round does not match the spec:\n  ${differences.join("\n  ")}`);
  }
}

// --- round show ---

export interface RoundSummary {
  address: string;
  chainId: bigint;
  name: string;
  phase: string;
  opened: boolean;
  opensAt: bigint;
  closesAt: bigint;
  /** The round's UTC offset from its manifest; times are shown in UTC without it. */
  utcOffset?: string;
  rule: string;
  budget: bigint;
  supply: bigint;
  postedTotal: bigint;
  claimedTotal: bigint;
  batches: number;
  /** The declared allowance of a resident (0: none declared) and whether phone residents are bound to a district. */
  allowance: bigint;
  residentsBound: boolean;
  /** How many more residents the round can take at its allowance: floor((supply - posted) / allowance). */
  capacity?: bigint;
  districts: {
    id: number;
    name: string;
    budget: bigint;
    funded: bigint;
    finalized: boolean;
    projects: {
      id: number;
      /** From the published metadata file, when it hashes to what the project carries on-chain. */
      title?: string;
      cost: bigint;
      category: string;
      tokens: bigint;
      funded: boolean;
      status: string;
    }[];
  }[];
}

export async function showRound(ctx: CommandContext, selector: RoundSelector): Promise<RoundSummary> {
  const handle = await useRound(ctx, selector);
  const { reader, token, airdrop } = handle;
  const [settings, supply, postedTotal, claimedTotal, batches] = await Promise.all([
    reader.settings(),
    reader.totalSupply(token),
    reader.postedTotal(airdrop),
    reader.claimedTotal(airdrop),
    reader.batchCount(airdrop),
  ]);
  const districts = await Promise.all(
    Array.from({ length: settings.districtCount }, async (_, id) => {
      const [district, ids] = await Promise.all([reader.district(id), reader.districtProjectIds(id)]);
      const projects = await Promise.all(
        ids.map(async (projectId) => {
          const [project, implementation] = await Promise.all([
            reader.project(projectId),
            reader.implementationOf(projectId),
          ]);
          return {
            id: projectId,
            title: await publishedTitle(ctx, handle, projectId, project.bank),
            cost: project.cost,
            category: categoryKey(project.category),
            tokens: await reader.balanceOf(token, project.bank),
            funded: project.funded,
            status: implementationStatusKey(implementation.status),
          };
        }),
      );
      return {
        id,
        name: district.name,
        budget: district.budget,
        funded: district.funded,
        finalized: district.finalized,
        projects,
      };
    }),
  );
  const summary: RoundSummary = {
    address: handle.address,
    chainId: handle.chainId,
    name: settings.name,
    phase: phaseKey(settings.phase),
    opened: settings.opened,
    opensAt: settings.opensAt,
    closesAt: settings.closesAt,
    utcOffset: handle.manifest?.utcOffset,
    rule: ruleKey(settings.rule),
    budget: settings.budget,
    supply,
    postedTotal,
    claimedTotal,
    batches,
    allowance: settings.allowance,
    residentsBound: settings.residentsBound,
    capacity: residentCapacity({ supply, postedTotal, allowance: settings.allowance }),
    districts,
  };
  ctx.out.info(formatSummary(summary));
  return summary;
}

/** A project's title from the publication dir, when its file hashes to the project's on-chain metadata hash. */
async function publishedTitle(
  ctx: CommandContext,
  handle: RoundHandle,
  projectId: number,
  bank: string,
): Promise<string | undefined> {
  const file = projectMetadataPath(ctx.publicationBase, handle.chainId, handle.address, projectId);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  if (hashFileText(text) !== (await handle.reader.metadataHash(bank))) return undefined;
  try {
    return (JSON.parse(text) as { title?: string }).title;
  } catch {
    return undefined;
  }
}

export function formatSummary(s: RoundSummary): string {
  const when = (seconds: bigint) => formatTime(seconds, s.utcOffset);
  const lines = [
    `Round "${s.name}" at ${s.address} (chain ${s.chainId})`,
    `  phase: ${s.phase} (${s.opened ? "opened" : "not opened"}), voting ${when(s.opensAt)} - ${when(s.closesAt)}`,
    `  rule: ${s.rule} (${ruleText(s.rule === "piggy-bank-full" ? "PiggyBankFull" : "Ranked")})`,
    `  budget ${rubles(s.budget)}, minted ${rubles(s.supply)}, ` +
      `allowances posted ${rubles(s.postedTotal)} in ${s.batches} batch(es), claimed ${rubles(s.claimedTotal)}`,
    s.capacity === undefined
      ? "  allowance per resident: none declared (each resident's amount is in the residents file)"
      : `  allowance per resident ${rubles(s.allowance)}` +
        `${s.residentsBound ? ", bound to the district chosen at enrollment" : ", any district"}; ` +
        `room for ${s.capacity} more resident(s)`,
  ];
  for (const d of s.districts) {
    const state = d.finalized ? `finalized, funded ${rubles(d.funded)}` : "not finalized";
    lines.push(`  district ${d.id} "${d.name}": budget ${rubles(d.budget)}, ${state}`);
    for (const p of d.projects) {
      const winner = p.funded ? `  WINNER, ${p.status}` : "";
      const title = p.title === undefined ? "" : ` "${p.title}"`;
      lines.push(
        `    project ${p.id}${title} [${p.category}] cost ${rubles(p.cost)}, tokens ${rubles(p.tokens)}${winner}`,
      );
    }
  }
  return lines.join("\n");
}
