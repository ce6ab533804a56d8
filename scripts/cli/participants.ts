/**
 * `kopilka participants import`: turns the residents file into a Merkle tree of allowances (each resident without an
 * amount of their own gets the round's declared allowance), publishes the batch's files (the tree, each resident's
 * proof file, the list pages) and then posts its root. A re-run finds its root already posted and only writes the
 * files again; a file beyond the round's capacity is refused before anything is written or sent.
 *
 * `kopilka participants publish`: writes the files of every posted batch whose tree file is published (e.g. one the
 * committee's page offered for download) and checked against its root on-chain: the proof files and the list.
 */
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { CommandError } from "../hardhat/connection.js";
import { formatRubles } from "@kopilka/core/money";
import { publishBatch, readTableFile } from "@kopilka/core/node";
import { buildParticipantTree, type ParticipantLeaf } from "@kopilka/core/participants";
import { LIST_INDEX_FILE, batchPath, roundDirectory } from "@kopilka/core/publication";
import { assignAllowances, parseResidents, residentCapacity, type Allowances } from "@kopilka/core/residents";
import { csvDelimiter, DELIMITER_NAMES } from "@kopilka/core/spec";
import { chainTime, useRound, type CommandContext, type RoundSelector } from "./context.js";
import { actorFor, reportPending, roundCall } from "./safe.js";
import { timedStep } from "./steps.js";

/** From this many residents on, building their tree takes seconds: the import says so. */
const LONG_TREE = 10_000;

export interface ImportOptions {
  csv: string;
}

export interface ImportResult {
  batchId: bigint;
  root: string;
  total: bigint;
  /** The declared allowance each resident without an amount of their own received. */
  each: bigint;
  /** What stays unposted of the budget after this batch. */
  remainder: bigint;
  /** How many more residents the round can take at its allowance (undefined: none declared). */
  capacity?: bigint;
  residents: number;
  /** The published tree; empty while a Safe's post of it waits for confirmations (a re-run then writes it). */
  file: string;
  posted: boolean;
  /** The Safe transaction (--safe) that posts the batch, while it waits for confirmations. */
  pending?: string[];
}

/** The tree file text: the StandardMerkleTree dump, identical for the same rows in any order. */
export function treeFileText(allowances: Allowances): { root: string; text: string } {
  const tree = buildParticipantTree(allowances.participants);
  return { root: tree.root, text: JSON.stringify(tree.dump(), null, 2) + "\n" };
}

export async function importParticipants(
  ctx: CommandContext,
  selector: RoundSelector,
  options: ImportOptions,
): Promise<ImportResult> {
  const handle = await useRound(ctx, selector);
  const { reader } = handle;
  const { text, encoding } = readTableFile(options.csv);
  const delimiter = csvDelimiter(text);
  if (encoding !== "utf-8" || delimiter !== ",") {
    ctx.out.info(`Read ${options.csv} as ${encoding} text separated by ${DELIMITER_NAMES[delimiter]}`);
  }
  const [{ budget, closesAt, districtCount, allowance }, postedTotal, batchCount, supply] = await Promise.all([
    reader.settings(),
    reader.postedTotal(handle.airdrop),
    reader.batchCount(handle.airdrop),
    reader.totalSupply(handle.token),
  ]);
  const names = await Promise.all(
    Array.from({ length: districtCount }, async (_, id) => (await reader.district(id)).name),
  );
  const rows = parseResidents(text, options.csv, names);
  const directory = roundDirectory(ctx.publicationBase, handle.chainId, handle.address);

  // The declared allowance does not depend on earlier batches: the same file always gives the same tree, which a
  // re-run finds among the posted ones (its residents then count in the posted total already).
  const posted = assignAllowances(rows, { unposted: budget, allowance }, options.csv);
  // Seconds for tens of thousands of residents, on the main thread: see steps.ts for why it must be followed by a turn.
  const tree = await timedStep(
    ctx.out,
    `Building the tree of ${rows.length} residents`,
    () => buildParticipantTree(posted.participants),
    rows.length >= LONG_TREE,
  );
  const root = tree.root;
  const batches = await Promise.all(Array.from({ length: batchCount }, (_, id) => reader.batch(handle.airdrop, id)));
  const done = batches.findIndex((batch) => batch.root === root);
  if (done >= 0) {
    const allowances = { ...posted, remainder: budget - postedTotal };
    const file = batchPath(ctx.publicationBase, handle.chainId, handle.address, done);
    try {
      await publishBatch(directory, done, tree);
      ctx.out.info(`These residents are batch ${done} already (root ${root}); wrote its files again in ${directory}`);
    } catch (error) {
      // Later batches are on the list already: it cannot take this one again, and needs not.
      if (!/cannot be published next/.test((error as Error).message)) throw error;
      ctx.out.info(
        `These residents are batch ${done} already (root ${root}); "kopilka participants publish" rewrites the files`,
      );
    }
    return summary(allowances, rows.length, { batchId: BigInt(done), root, file, posted: false });
  }
  // Refused, saying how many residents still fit, when the file is beyond the round's capacity.
  const allowances = assignAllowances(rows, { unposted: budget - postedTotal, allowance }, options.csv);
  const now = await chainTime(ctx);
  if (now >= closesAt) throw new CommandError(`round ${handle.address} is closed: no more residents`);
  if (postedTotal + allowances.total > supply) {
    throw new CommandError(
      `the batch needs ${formatRubles(allowances.total)} but only ${formatRubles(supply - postedTotal)} of the ` +
        `minted supply is unallocated: run "kopilka mint" first`,
    );
  }
  const actor = await actorFor(ctx, handle.chainId, handle, "registrar");
  const batchId = batchCount;
  // The files first: a resident whose root is on-chain finds the proof at once. A Safe's proposal may wait, and
  // another batch may take this id meanwhile: its files are written once it is executed (a re-run finds it posted).
  if (actor.safe === undefined) {
    await timedStep(
      ctx.out,
      `Publishing the proof files of ${rows.length} residents`,
      () => publishBatch(directory, batchId, tree),
      rows.length >= LONG_TREE,
    );
  }
  const what = `post ${rows.length} residents with ${formatRubles(allowances.total)} (root ${root})`;
  const outcome = await actor.run([roundCall(handle, "postBatch", [root, allowances.total])], what);
  if (!outcome.executed) {
    reportPending(ctx, outcome, what);
    const waiting = { batchId: BigInt(batchId), root, file: "", posted: false, pending: outcome.pending };
    return summary(allowances, rows.length, waiting);
  }
  if (actor.safe !== undefined) await publishBatch(directory, batchId, tree);
  if ((await reader.batch(handle.airdrop, batchId)).root !== root) {
    throw new CommandError(`batch ${batchId} on-chain is not the one just posted; run the import again`);
  }
  const file = batchPath(ctx.publicationBase, handle.chainId, handle.address, batchId);
  const capacity = residentCapacity({ supply, postedTotal: postedTotal + allowances.total, allowance });
  ctx.out.info(
    `Posted batch ${batchId}: ${rows.length} residents, ${formatRubles(allowances.total)} in allowances` +
      (allowance > 0n ? ` (${formatRubles(allowance)} each unless the file says otherwise)` : "") +
      `; ${formatRubles(allowances.remainder)} of the budget stays unposted` +
      (capacity !== undefined ? `, room for ${capacity} more residents` : "") +
      `. Tree: ${file}; proof files and list in ${directory}/participants`,
  );
  return summary(allowances, rows.length, { batchId: BigInt(batchId), root, file, posted: true, capacity });
}

function summary(
  allowances: Allowances,
  residents: number,
  rest: Pick<ImportResult, "batchId" | "root" | "file" | "posted" | "capacity" | "pending">,
): ImportResult {
  return { total: allowances.total, each: allowances.each, remainder: allowances.remainder, residents, ...rest };
}

export interface PublishResult {
  /** Batches whose files were written. */
  batches: number[];
}

/**
 * Writes the proof files and the list pages of every posted batch, in order, from the batch tree files published
 * under the round's directory, each checked against its root on-chain first. Stops at the first batch whose tree file
 * is missing or does not match: the list cannot skip a batch.
 */
export async function publishParticipants(ctx: CommandContext, selector: RoundSelector): Promise<PublishResult> {
  const handle = await useRound(ctx, selector);
  const { reader } = handle;
  const directory = roundDirectory(ctx.publicationBase, handle.chainId, handle.address);
  const count = await reader.batchCount(handle.airdrop);
  const written: number[] = [];
  for (let batchId = 0; batchId < count; batchId++) {
    const file = batchPath(ctx.publicationBase, handle.chainId, handle.address, batchId);
    if (!existsSync(file)) throw new CommandError(`${file} is missing: publish the tree of batch ${batchId} first`);
    const tree = StandardMerkleTree.load<ParticipantLeaf>(JSON.parse(readFileSync(file, "utf8")));
    const onChain = await reader.batch(handle.airdrop, batchId);
    if (tree.root !== onChain.root) {
      throw new CommandError(`${file} has root ${tree.root}, batch ${batchId} on-chain has ${onChain.root}`);
    }
    // Publishing from the first batch rebuilds the whole list; the index is replaced as each batch is added.
    if (batchId === 0) await removeList(directory);
    await publishBatch(directory, batchId, tree);
    written.push(batchId);
  }
  ctx.out.info(`Wrote the proof files and list of ${written.length} batch(es) in ${directory}/participants`);
  return { batches: written };
}

/** Removes the list's index, so that the list is written again from batch 0. */
async function removeList(directory: string): Promise<void> {
  await rm(path.join(directory, ...LIST_INDEX_FILE.split("/")), { force: true });
}
