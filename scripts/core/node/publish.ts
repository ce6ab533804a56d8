/**
 * Publishes a batch of residents into a round's directory on this machine (the layout and the files' contents are
 * `@kopilka/core/publication`'s): the batch's tree, each resident's proof file, the list pages and the list's index.
 * The committee's CLI calls it for every CSV import and the enrollment service for every posting, each before the
 * batch's root goes on-chain. Each file is written whole (a temporary file renamed over it), the index last, so that
 * a crash leaves the previous list or the new one, and publishing the same batch again finishes the job.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import type { ParticipantLeaf } from "../src/domain/participants.js";
import {
  LIST_INDEX_FILE,
  batchFile,
  emptyListIndex,
  listPageFile,
  proofFile,
  publishBatchFiles,
  type ListIndex,
  type ListPage,
  type ProofFile,
} from "../src/domain/publication.js";

export interface PublishedBatch {
  /** Every file written, relative to the round's directory. */
  written: string[];
  index: ListIndex;
}

/**
 * Publishes batch `batchId` (`tree`) under `roundDirectory` (`<base>/<chainId>/<round>`): the next batch of the list,
 * or the last one again while its root is not on-chain. A proof file an earlier batch wrote for the same account is
 * kept; proof files of residents the batch had when published before, and no longer has, are removed.
 */
export async function publishBatch(
  roundDirectory: string,
  batchId: number,
  tree: StandardMerkleTree<ParticipantLeaf>,
): Promise<PublishedBatch> {
  const at = (relative: string) => path.join(roundDirectory, ...relative.split("/"));
  const index = (await readJson<ListIndex>(at(LIST_INDEX_FILE))) ?? emptyListIndex();
  const start = batchId === index.batches ? index.leaves : index.lastBatchStart;
  const page = await readJson<ListPage>(at(listPageFile(Math.floor(start / index.pageSize))));
  const publication = publishBatchFiles(batchId, tree, index, page);
  // Published before (and not on-chain yet): its residents who are no longer in it must not keep a proof of it.
  const before =
    batchId < index.batches
      ? await readJson<{ values: { value: ParticipantLeaf }[] }>(at(batchFile(batchId)))
      : undefined;

  // The files are independent of each other until the index: they are written concurrently (a batch has a proof
  // file per resident; one after the other, each waiting behind the server's other work, a posting of 200 residents
  // took seconds), each directory made once.
  for (const directory of new Set([...publication.files.keys()].map((relative) => path.dirname(at(relative))))) {
    await mkdir(directory, { recursive: true });
  }
  const accounts = new Set<string>();
  const writes = [...publication.files].filter(([relative]) => relative !== LIST_INDEX_FILE);
  const wrote = await inParallel(writes, async ([relative, text]) => {
    if (relative.startsWith("participants/proofs/")) {
      accounts.add(relative);
      const earlier = await readJson<ProofFile>(at(relative));
      if (earlier !== undefined && earlier.batchId < batchId) return undefined;
    }
    await writeWhole(at(relative), text);
    return relative;
  });
  const written = wrote.filter((relative) => relative !== undefined);
  const gone = (before?.values ?? []).map(({ value }) => proofFile(value[0])).filter((file) => !accounts.has(file));
  await inParallel(gone, async (relative) => {
    const stale = await readJson<ProofFile>(at(relative));
    if (stale?.batchId === batchId) await rm(at(relative), { force: true });
  });
  for (const stale of publication.stalePages) await rm(at(stale), { force: true });
  await writeWhole(at(LIST_INDEX_FILE), publication.files.get(LIST_INDEX_FILE)!);
  written.push(LIST_INDEX_FILE);
  return { written, index: publication.index };
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Files worked on at once: enough to keep the thread pool busy, few enough to stay far from the open-file limit. */
const CONCURRENT_FILES = 32;

/** `work` on every item, at most CONCURRENT_FILES at a time; the results in the items' order. */
async function inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_FILES, items.length) }, worker));
  return results;
}

/**
 * Writes `text` to `file` (its directory exists) through a temporary file in the same directory, so that no reader
 * sees half of it.
 */
async function writeWhole(file: string, text: string): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}
