/**
 * `kopilka participants import`: turns the residents file into a Merkle tree of allowances, publishes it and
 * posts its root. A re-run finds its root already posted (even though the unallocated budget shrank by the
 * batch itself) and only rewrites the published file.
 */
import { CommandError, writeFileIfChanged } from "../hardhat/connection.js";
import { parseRubles, rubles } from "@kopilka/core/money";
import { buildParticipantTree } from "@kopilka/core/participants";
import { batchPath } from "@kopilka/core/publication";
import { assignAllowances, parseResidents, type Allowances, type ResidentRow } from "@kopilka/core/residents";
import { csvDelimiter, DELIMITER_NAMES, InputError } from "@kopilka/core/spec";
import { readTableFile } from "@kopilka/core/node";
import { chainTime, useRound, type CommandContext, type RoundSelector } from "./context.js";
import { actorFor, reportPending, roundCall } from "./safe.js";

export interface ImportOptions {
  csv: string;
  /** Rubles each resident without an amount of their own receives; by default an equal share. */
  amountPerResident?: string;
}

export interface ImportResult {
  batchId: bigint;
  root: string;
  total: bigint;
  each: bigint;
  remainder: bigint;
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
  let perResident: bigint | undefined;
  if (options.amountPerResident !== undefined) {
    const parsed = parseRubles(options.amountPerResident);
    if ("error" in parsed) throw new InputError([{ file: "--amount-per-resident", message: parsed.error }]);
    perResident = parsed.kopecks;
  }
  const { text, encoding } = readTableFile(options.csv);
  const delimiter = csvDelimiter(text);
  if (encoding !== "utf-8" || delimiter !== ",") {
    ctx.out.info(`Read ${options.csv} as ${encoding} text separated by ${DELIMITER_NAMES[delimiter]}`);
  }
  const [{ budget, closesAt, districtCount }, postedTotal, batchCount] = await Promise.all([
    reader.settings(),
    reader.postedTotal(handle.airdrop),
    reader.batchCount(handle.airdrop),
  ]);
  const names = await Promise.all(
    Array.from({ length: districtCount }, async (_, id) => (await reader.district(id)).name),
  );
  const rows = parseResidents(text, options.csv, names);

  const batches = await Promise.all(Array.from({ length: batchCount }, (_, id) => reader.batch(handle.airdrop, id)));
  const done = findPostedBatch(rows, options.csv, perResident, budget, batches);
  if (done !== undefined) {
    const file = batchPath(ctx.publicationBase, handle.chainId, handle.address, done.batchId);
    writeFileIfChanged(file, done.text);
    ctx.out.info(`These residents are batch ${done.batchId} already (root ${done.root}); wrote ${file}`);
    return { ...summary(done.allowances, rows), batchId: done.batchId, root: done.root, file, posted: false };
  }

  const allowances = assignAllowances(rows, budget - postedTotal, options.csv, perResident);
  const { root, text: treeText } = treeFileText(allowances);
  const [supply, now] = await Promise.all([reader.totalSupply(handle.token), chainTime(ctx)]);
  if (now >= closesAt) throw new CommandError(`round ${handle.address} is closed: no more residents`);
  if (postedTotal + allowances.total > supply) {
    throw new CommandError(
      `the batch needs ${rubles(allowances.total)} but only ${rubles(supply - postedTotal)} of the ` +
        `minted supply is unallocated: run "kopilka mint" first`,
    );
  }
  const actor = await actorFor(ctx, handle.chainId, handle, "registrar");
  const what = `post ${rows.length} residents with ${rubles(allowances.total)} (root ${root})`;
  const outcome = await actor.run([roundCall(handle, "postBatch", [root, allowances.total])], what);
  if (!outcome.executed) {
    reportPending(ctx, outcome, what);
    return {
      ...summary(allowances, rows),
      batchId: BigInt(batchCount),
      root,
      file: "",
      posted: false,
      pending: outcome.pending,
    };
  }
  const batchId = BigInt(batchCount);
  if ((await reader.batch(handle.airdrop, batchId)).root !== root) {
    throw new CommandError(`batch ${batchId} on-chain is not the one just posted; run the import again`);
  }
  const file = batchPath(ctx.publicationBase, handle.chainId, handle.address, batchId);
  writeFileIfChanged(file, treeText);
  ctx.out.info(
    `Posted batch ${batchId}: ${rows.length} residents, ${rubles(allowances.total)} in allowances` +
      (allowances.each > 0n ? ` (${rubles(allowances.each)} each by default)` : "") +
      `; ${rubles(allowances.remainder)} of the budget stays unallocated. Tree: ${file}`,
  );
  return { ...summary(allowances, rows), batchId, root, file, posted: true };
}

function summary(allowances: Allowances, rows: readonly ResidentRow[]) {
  return {
    total: allowances.total,
    each: allowances.each,
    remainder: allowances.remainder,
    residents: rows.length,
  };
}

/**
 * The batch these rows already became, if any. The equal share of batch k was computed from what batches 0..k-1
 * left unallocated, so each batch is tried with that.
 */
function findPostedBatch(
  rows: readonly ResidentRow[],
  csv: string,
  perResident: bigint | undefined,
  budget: bigint,
  batches: readonly { root: string; total: bigint }[],
): { batchId: bigint; root: string; text: string; allowances: Allowances } | undefined {
  let postedBefore = 0n;
  for (const [id, batch] of batches.entries()) {
    const unallocated = budget - postedBefore;
    postedBefore += batch.total;
    let allowances: Allowances;
    try {
      allowances = assignAllowances(rows, unallocated, csv, perResident);
    } catch {
      continue;
    }
    if (allowances.total !== batch.total) continue;
    const { root, text } = treeFileText(allowances);
    if (root === batch.root) return { batchId: BigInt(id), root, text, allowances };
  }
  return undefined;
}
