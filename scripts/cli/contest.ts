/**
 * `kopilka contest ...`: the committee's side of a contest of initiatives. `contest deploy` deploys the contest
 * factory, `contest create --spec` creates a contest and publishes its template, `contest residents --csv` posts a
 * batch of residents who may submit and co-sign, `contest admit|return|reject` screens an initiative (a reason is
 * published as a content file and its hash goes on-chain), `contest decide` records the outcomes after the review,
 * and `contest show` lists the initiatives. The contest's files live in `<publication dir>/<chainId>/<contest>/`:
 * `contest.json` (its manifest), `content/<hash>` (template, reasons; the resident services hold the residents'
 * documents and photos in the same layout), `participants/batch-<id>.json` (the posted trees).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { Address, Hex } from "viem";

import { ContestReader, passedInitiatives, toRpc, type InitiativeState } from "@kopilka/core/chain";
import {
  InitiativeStatus,
  contentHash,
  noteDocument,
  initiativeNumber,
  statusName,
  type PassedInitiative,
} from "@kopilka/core/contest";
import { contestConfigOf, contestTemplateOf, parseContestSpec, type ContestManifest } from "@kopilka/core/contestSpec";
import { readTableFile } from "@kopilka/core/node";
import { buildParticipantTree, type Participant } from "@kopilka/core/participants";
import { parseResidents } from "@kopilka/core/residents";
import ContestFactoryModule from "../../ignition/modules/ContestFactory.js";
import { CommandError, findDeploymentBlock, hasCode, sendAndWait } from "../hardhat/connection.js";
import { chainTime, checkNetwork, signerFor, type CommandContext } from "./context.js";

export type { ContestManifest };

export interface ContestSelector {
  contest: string;
}

export function contestDirectory(base: string, chainId: bigint | number, contest: string): string {
  return path.join(base, String(chainId), contest.toLowerCase());
}

const contestFactoryRecord = (base: string, chainId: bigint | number) =>
  path.join(base, String(chainId), "contest-factory.json");

/** Writes `bytes` as a content file under `dir`; returns its hash. */
export function writeContent(dir: string, bytes: Uint8Array): Hex {
  const hash = contentHash(bytes);
  mkdirSync(path.join(dir, "content"), { recursive: true });
  writeFileSync(path.join(dir, "content", hash), bytes);
  return hash;
}

/** `kopilka contest deploy`: the contest factory, with Ignition, once per chain. */
export async function deployContestFactory(ctx: CommandContext): Promise<{ address: string; deploymentBlock: number }> {
  const chainId = await checkNetwork(ctx);
  const file = contestFactoryRecord(ctx.publicationBase, chainId);
  if (existsSync(file)) {
    const record = JSON.parse(readFileSync(file, "utf8")) as { address: string; deploymentBlock: number };
    if (await hasCode(ctx.connection.ethers.provider, record.address)) {
      ctx.out.info(`Contest factory already deployed at ${record.address}`);
      return record;
    }
  }
  const signer = await signerFor(ctx);
  const { factory } = await ctx.connection.ignition.deploy(ContestFactoryModule, {
    deploymentId: `chain-${chainId}`,
    defaultSender: signer.address,
  });
  const address = await factory.getAddress();
  const record = { address, deploymentBlock: await findDeploymentBlock(ctx.connection.ethers.provider, address) };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ chainId: Number(chainId), ...record }, null, 2) + "\n");
  ctx.out.info(`Contest factory at ${address}`);
  return record;
}

/** `kopilka contest create --spec contest.json`: creates the contest and publishes its template and manifest. */
export async function createContest(
  ctx: CommandContext,
  options: { spec: string; factory?: string },
): Promise<{ contest: string; manifestFile: string }> {
  const chainId = await checkNetwork(ctx);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(options.spec, "utf8"));
  } catch (error) {
    throw new CommandError(`cannot read the contest spec ${options.spec}: ${(error as Error).message}`);
  }
  const spec = parseContestSpec(raw, options.spec);
  const factoryAddress =
    options.factory ??
    (existsSync(contestFactoryRecord(ctx.publicationBase, chainId))
      ? (JSON.parse(readFileSync(contestFactoryRecord(ctx.publicationBase, chainId), "utf8")) as { address: string })
          .address
      : undefined);
  if (factoryAddress === undefined || !(await hasCode(ctx.connection.ethers.provider, factoryAddress))) {
    throw new CommandError(`no contest factory on chain ${chainId}: run "kopilka contest deploy" or pass --factory`);
  }
  if (spec.submissionsOpenAt <= (await chainTime(ctx))) {
    throw new CommandError("the contest's submissions would open in the past: move submissionsOpenAt later");
  }
  const signer = await signerFor(ctx);
  const factory = await ctx.connection.ethers.getContractAt("ContestFactory", factoryAddress, signer);
  const { bytes: template, hash: templateHash } = contestTemplateOf(spec);
  const config = contestConfigOf(spec, signer.address, templateHash);
  const contest = await factory.createContest.staticCall(config);
  const receipt = await sendAndWait(() => factory.createContest(config));
  const dir = contestDirectory(ctx.publicationBase, chainId, contest);
  writeContent(dir, template);
  const manifest: ContestManifest = {
    chainId: Number(chainId),
    contest,
    factory: factoryAddress,
    fromBlock: receipt.blockNumber,
    name: spec.name,
    districts: spec.districts,
    templateHash,
  };
  const manifestFile = path.join(dir, "contest.json");
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n");
  ctx.out.info(`Created contest "${spec.name}" at ${contest}. Manifest: ${manifestFile}`);
  return { contest, manifestFile };
}

/** The contest's manifest, written by `contest create`. */
export function readContestManifest(base: string, chainId: bigint | number, contest: string): ContestManifest {
  const file = path.join(contestDirectory(base, chainId, contest), "contest.json");
  if (!existsSync(file)) throw new CommandError(`no contest manifest at ${file}: was the contest created here?`);
  return JSON.parse(readFileSync(file, "utf8")) as ContestManifest;
}

async function contestOf(ctx: CommandContext, selector: ContestSelector) {
  const chainId = await checkNetwork(ctx);
  const manifest = readContestManifest(ctx.publicationBase, chainId, selector.contest);
  const reader = new ContestReader(toRpc(ctx.connection.provider), manifest.contest as Address);
  return { chainId, manifest, reader, dir: contestDirectory(ctx.publicationBase, chainId, manifest.contest) };
}

/**
 * `kopilka contest residents --csv residents.csv`: posts a batch of residents (rows `address[,district]`) who may
 * submit and co-sign, and publishes its tree. Residents enrolled by phone are posted by the enrollment service.
 */
export async function postContestResidents(
  ctx: CommandContext,
  options: ContestSelector & { csv: string },
): Promise<{ batchId: number; residents: number }> {
  const { manifest, dir } = await contestOf(ctx, options);
  const { text } = readTableFile(options.csv);
  const rows = parseResidents(text, options.csv, manifest.districts);
  const participants: Participant[] = rows.map((row) => ({ account: row.account, district: row.district, amount: 0n }));
  const tree = buildParticipantTree(participants);
  const signer = await signerFor(ctx);
  const contest = await ctx.connection.ethers.getContractAt("Contest", manifest.contest, signer);
  const batchId = Number(await contest.postResidents.staticCall(tree.root));
  await sendAndWait(() => contest.postResidents(tree.root));
  mkdirSync(path.join(dir, "participants"), { recursive: true });
  writeFileSync(path.join(dir, "participants", `batch-${batchId}.json`), JSON.stringify(tree.dump()));
  ctx.out.info(`Posted ${participants.length} residents as batch ${batchId}`);
  return { batchId, residents: participants.length };
}

export type ScreeningAction = "admit" | "return" | "reject";

/** The on-chain id the committee means: `--number` as the pages show it (from 1), or `--id` as it is (from 0). */
export function initiativeIdOf(options: { id?: number; number?: number }): number {
  if (options.number !== undefined) {
    if (options.number < 1) throw new CommandError("--number counts from 1, as the pages show it");
    return options.number - 1;
  }
  if (options.id !== undefined) return options.id;
  throw new CommandError("name the initiative: --number N (as the pages show it) or --id N (on-chain, from 0)");
}

/** How a CLI line names an initiative: its number as residents read it, and its id on-chain. */
function named(id: number | bigint): string {
  return `№ ${initiativeNumber(id)} (id ${id})`;
}

/** `kopilka contest admit|return|reject --number N | --id N [--reason TEXT]`: screens the initiative's current version. */
export async function screenInitiative(
  ctx: CommandContext,
  options: ContestSelector & { id?: number; number?: number; action: ScreeningAction; reason?: string },
): Promise<{ version: number; reasonHash?: Hex }> {
  const id = initiativeIdOf(options);
  const { manifest, reader, dir } = await contestOf(ctx, options);
  const initiative = await reader.initiative(id).catch(() => {
    throw new CommandError(`the contest has no initiative ${named(id)}`);
  });
  const signer = await signerFor(ctx);
  const contest = await ctx.connection.ethers.getContractAt("Contest", manifest.contest, signer);
  const version = initiative.version;
  if (options.action === "admit") {
    await sendAndWait(() => contest.admit(id, version));
    ctx.out.info(`Admitted initiative ${named(id)}, version ${version}, to the expert review`);
    return { version };
  }
  if (options.reason === undefined || options.reason.trim() === "") {
    throw new CommandError(`--reason is required to ${options.action} an initiative: residents read it`);
  }
  const reasonHash = writeContent(dir, noteDocument(options.reason));
  if (options.action === "return") await sendAndWait(() => contest.returnForChanges(id, version, reasonHash));
  else await sendAndWait(() => contest.reject(id, version, reasonHash));
  ctx.out.info(
    `${options.action === "return" ? "Returned for changes" : "Rejected"} initiative ${named(id)}, version ` +
      `${version}; the reason is published as content/${reasonHash}`,
  );
  return { version, reasonHash };
}

/** `kopilka contest decide`: records the outcome of every admitted initiative, after the review, 50 a transaction. */
export async function decideContest(
  ctx: CommandContext,
  options: ContestSelector,
): Promise<{ decided: number; passed: number }> {
  const { manifest, reader } = await contestOf(ctx, options);
  const settings = await reader.settings();
  if ((await chainTime(ctx)) < settings.reviewClosesAt) {
    throw new CommandError("the expert review is still open: the outcomes are recorded after it closes");
  }
  const admitted = (await reader.initiatives(settings.initiativeCount))
    .filter((item) => item.status === InitiativeStatus.Admitted)
    .map((item) => item.id);
  const signer = await signerFor(ctx);
  const contest = await ctx.connection.ethers.getContractAt("Contest", manifest.contest, signer);
  for (let i = 0; i < admitted.length; i += 50) {
    const ids = admitted.slice(i, i + 50);
    await sendAndWait(() => contest.decide(ids));
  }
  const passed = Number((await reader.settings()).passedCount);
  ctx.out.info(`Recorded ${admitted.length} outcomes; ${passed} initiatives passed`);
  return { decided: admitted.length, passed };
}

/** `kopilka contest show`: the contest's phase and each initiative's status, version, group and score. */
export async function showContest(ctx: CommandContext, options: ContestSelector): Promise<InitiativeState[]> {
  const { manifest, reader } = await contestOf(ctx, options);
  const settings = await reader.settings();
  const initiatives = await reader.initiatives(settings.initiativeCount);
  ctx.out.info(
    `Contest "${settings.name}" at ${manifest.contest}: ${initiatives.length} initiatives, ` +
      `${settings.passedCount} passed`,
  );
  for (const item of initiatives) {
    const group = await reader.groupSize(item.id, item.version);
    ctx.out.info(
      `  ${named(item.id)} ${statusName(item.status)} v${item.version} district ${manifest.districts[item.district]} ` +
        `group ${group}` +
        (item.status >= InitiativeStatus.Passed ? ` score ${(item.scoreBps / 100).toFixed(2)}%` : ""),
    );
  }
  return initiatives;
}

/** The contest's passed initiatives (`passedInitiatives` of the core), a missing or changed document refused. */
export async function passedInitiativesOf(
  reader: ContestReader,
  readContent: (hash: Hex) => Promise<Uint8Array | undefined>,
): Promise<PassedInitiative[]> {
  return await passedInitiatives(reader, readContent).catch((error: Error) => {
    throw new CommandError(error.message);
  });
}
