/**
 * `kopilka mint`, `open`, `finalize` and `status set`: each reads the round's state and sends only what is
 * missing, so running it again changes nothing.
 */
import { readFileSync } from "node:fs";

import { keccak256 } from "ethers";

import { CommandError } from "../hardhat/connection.js";
import {
  IMPLEMENTATION_STATUS_KEYS,
  ImplementationStatus,
  implementationStatusKey,
  parseImplementationStatus,
} from "@kopilka/core/implementation";
import { parseRubles, rubles } from "@kopilka/core/money";
import { InputError } from "@kopilka/core/spec";
import { chainTime, roundTime, setupOpen, useRound, type CommandContext, type RoundSelector } from "./context.js";
import { actorFor, reportPending, roundCall } from "./safe.js";

/** Mints what is missing up to the budget. */
export async function mint(
  ctx: CommandContext,
  selector: RoundSelector,
): Promise<{ minted: bigint; pending: string[] }> {
  const handle = await useRound(ctx, selector);
  const [{ budget }, supply] = await Promise.all([handle.reader.settings(), handle.reader.totalSupply(handle.token)]);
  const missing = budget - supply;
  if (missing === 0n) {
    ctx.out.info(`The whole budget ${rubles(budget)} is minted already`);
    return { minted: 0n, pending: [] };
  }
  if (!(await setupOpen(ctx, handle))) throw new CommandError(`round ${handle.address} is past setup: cannot mint`);
  const actor = await actorFor(ctx, handle.chainId, handle, "minter");
  const what = `mint ${rubles(missing)} in round ${handle.address}`;
  const outcome = await actor.run([roundCall(handle, "mint", [missing])], what);
  if (!outcome.executed) {
    reportPending(ctx, outcome, what);
    return { minted: 0n, pending: outcome.pending };
  }
  ctx.out.info(`Minted ${rubles(missing)}; supply is the budget ${rubles(budget)}`);
  return { minted: missing, pending: [] };
}

/** Opens the round for voting once districts and supply add up to the budget. */
export async function open(
  ctx: CommandContext,
  selector: RoundSelector,
): Promise<{ opened: boolean; pending: string[] }> {
  const handle = await useRound(ctx, selector);
  const { reader } = handle;
  const [{ opened, budget, districtCount, opensAt, closesAt }, supply, now] = await Promise.all([
    reader.settings(),
    reader.totalSupply(handle.token),
    chainTime(ctx),
  ]);
  if (opened) {
    ctx.out.info(`Round ${handle.address} is open already`);
    return { opened: false, pending: [] };
  }
  const districts = await Promise.all(Array.from({ length: districtCount }, (_, id) => reader.district(id)));
  const districtBudgets = districts.reduce((sum, d) => sum + d.budget, 0n);
  const blockers: string[] = [];
  if (now >= closesAt) blockers.push("the round's voting period is over");
  if (districtBudgets !== budget) {
    blockers.push(`district budgets add up to ${rubles(districtBudgets)} of ${rubles(budget)}`);
  }
  if (supply !== budget) blockers.push(`minted ${rubles(supply)} of ${rubles(budget)}: run "kopilka mint"`);
  if (blockers.length > 0) throw new CommandError(`cannot open round ${handle.address}: ${blockers.join("; ")}`);
  const actor = await actorFor(ctx, handle.chainId, handle, "committee");
  const what = `open round ${handle.address}`;
  const outcome = await actor.run([roundCall(handle, "open", [])], what);
  if (!outcome.executed) {
    reportPending(ctx, outcome, what);
    return { opened: false, pending: outcome.pending };
  }
  ctx.out.info(
    `Opened round ${handle.address}; voting runs from ${roundTime(handle, opensAt)} to ${roundTime(handle, closesAt)}`,
  );
  return { opened: true, pending: [] };
}

/** Finalizes the given district, or every district not finalized yet. */
export async function finalize(
  ctx: CommandContext,
  selector: RoundSelector,
  options: { district?: number } = {},
): Promise<{ finalized: number[]; pending: string[] }> {
  const handle = await useRound(ctx, selector);
  const { reader } = handle;
  const [{ opened, closesAt, districtCount: count }, now] = await Promise.all([reader.settings(), chainTime(ctx)]);
  if (!opened) throw new CommandError(`round ${handle.address} was never opened: nothing to finalize`);
  if (now < closesAt) {
    throw new CommandError(
      `round ${handle.address} closes at ${roundTime(handle, closesAt)} (chain time ${roundTime(handle, now)}): too early`,
    );
  }
  if (options.district !== undefined && (options.district < 0 || options.district >= count)) {
    throw new CommandError(`district ${options.district} does not exist (the round has ${count})`);
  }
  const ids = options.district !== undefined ? [options.district] : Array.from({ length: count }, (_, i) => i);
  const states = await Promise.all(ids.map((id) => reader.district(id)));
  const pending = ids.filter((_, i) => !states[i].finalized);
  if (pending.length === 0) {
    ctx.out.info("Every district asked for is finalized already");
    return { finalized: [], pending: [] };
  }
  const actor = await actorFor(ctx, handle.chainId);
  const what = `finalize district(s) ${pending.join(", ")} of round ${handle.address}`;
  const outcome = await actor.run(
    pending.map((id) => roundCall(handle, "finalize", [id])),
    what,
  );
  if (!outcome.executed) {
    reportPending(ctx, outcome, what);
    return { finalized: [], pending: outcome.pending };
  }
  ctx.out.info(`Finalized district(s) ${pending.join(", ")}`);
  return { finalized: pending, pending: [] };
}

/** The statuses the reporter records: every one but None. */
export const RECORDABLE_STATUSES = IMPLEMENTATION_STATUS_KEYS.filter((key) => key !== "none");

export interface StatusOptions {
  project: number;
  status: string;
  /** Rubles spent so far. */
  spent: string;
  /** The document (contract, act of acceptance) whose keccak256 goes on-chain. */
  document: string;
}

/** Records how a funded project is being implemented, with the hash of its document. */
export async function setStatus(
  ctx: CommandContext,
  selector: RoundSelector,
  options: StatusOptions,
): Promise<{ sent: boolean; documentHash: string; pending: string[] }> {
  const problems = [];
  const status = parseImplementationStatus(options.status);
  if (status === undefined || status === ImplementationStatus.None) {
    problems.push({
      file: "--status",
      message: `unknown status "${options.status}" (${RECORDABLE_STATUSES.join(", ")})`,
    });
  }
  const spent = parseRubles(options.spent);
  if ("error" in spent) problems.push({ file: "--spent", message: spent.error });
  let documentHash = "";
  try {
    documentHash = keccak256(readFileSync(options.document));
  } catch (error) {
    problems.push({ file: options.document, message: `cannot read the document: ${(error as Error).message}` });
  }
  if (problems.length > 0 || status === undefined) throw new InputError(problems);
  const amountSpent = (spent as { kopecks: bigint }).kopecks;

  const handle = await useRound(ctx, selector);
  const { reader } = handle;
  if (
    !Number.isInteger(options.project) ||
    options.project < 0 ||
    options.project >= (await reader.settings()).projectCount
  ) {
    throw new CommandError(`project ${options.project} does not exist`);
  }
  const [project, current] = await Promise.all([
    reader.project(options.project),
    reader.implementationOf(options.project),
  ]);
  if (current.status === status && current.amountSpent === amountSpent && current.documentHash === documentHash) {
    ctx.out.info(`Project ${options.project} already has this status, amount and document`);
    return { sent: false, documentHash, pending: [] };
  }
  if (!project.funded) throw new CommandError(`project ${options.project} was not funded`);
  if (amountSpent > project.cost) {
    throw new CommandError(`spent ${rubles(amountSpent)} is above the cost ${rubles(project.cost)}`);
  }
  const currentKey = implementationStatusKey(current.status);
  if (current.status >= ImplementationStatus.Completed) {
    throw new CommandError(`project ${options.project} is ${currentKey}: closed`);
  }
  if (status < current.status) {
    throw new CommandError(
      `project ${options.project} is ${currentKey} already: a status cannot go back to ${options.status}`,
    );
  }
  const actor = await actorFor(ctx, handle.chainId, handle, "reporter");
  const what = `record project ${options.project} as ${options.status}, spent ${rubles(amountSpent)}`;
  const outcome = await actor.run(
    [roundCall(handle, "recordImplementation", [options.project, status, amountSpent, documentHash])],
    what,
  );
  if (!outcome.executed) {
    reportPending(ctx, outcome, what);
    return { sent: false, documentHash, pending: outcome.pending };
  }
  ctx.out.info(`Project ${options.project}: ${options.status}, spent ${rubles(amountSpent)}, document ${documentHash}`);
  return { sent: true, documentHash, pending: [] };
}
