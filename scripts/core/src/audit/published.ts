/**
 * Reads a round's published files for the checks: each participants tree read and rebuilt, each project's
 * metadata file read and hashed, once, from the moment its batch or project is known. The audit starts them as
 * the batches' and projects' events are decoded, so that this work runs while later logs are still arriving; the
 * checks then only compare the results with the chain.
 */
import { hashFileText } from "../domain/metadata.js";
import { LEAF_ENCODING } from "../domain/participants.js";
import { projectMetadataURI } from "../domain/publication.js";
import type { PublishedFiles } from "./files.js";
import type { RebuiltTree } from "./merkle.js";
import { inThreadRebuilder, workerRebuilder, type TreeRebuilder, type TreeWorkerFactory } from "./tree-rebuild.js";

/** A batch's published tree: not there, unreadable (with why), or rebuilt. */
export type PublishedTree = { missing: true } | { unreadable: string } | { tree: RebuiltTree };

/** A project's metadata file: its hash, or undefined when it is not published. */
export type PublishedMetadata = string | undefined;

export interface PublishedReaderOptions {
  /**
   * Rebuild the large trees (see `WORKER_TREE_CHARS`) on a worker it starts; without it, every tree on this thread,
   * between the chain's answers.
   */
  treeWorker?: TreeWorkerFactory;
}

/**
 * A tree file this long (about 290 characters a leaf: some 27,000 leaves) or longer goes to the worker; a shorter one
 * is rebuilt on this thread, in slices between the chain's answers. Starting the worker took about 0.47 s of CPU
 * (under tsx, on this machine kind), while this thread rebuilds 7-16 us a leaf: a smaller tree costs less here than
 * the worker's start, which on two busy cores takes the chain's time rather than overlapping with it. Volgograd's
 * trees (40,000 leaves) go to the worker; a 40,000-resident round's (10,000) and Yugra's rolling postings (200) stay.
 */
export const WORKER_TREE_CHARS = 8_000_000;

export class PublishedReader {
  private readonly trees = new Map<number, Promise<PublishedTree>>();
  private readonly metadata = new Map<string, Promise<PublishedMetadata>>();
  private readonly inThread: TreeRebuilder = inThreadRebuilder();
  /** Started by the first large tree. */
  private readonly onWorker?: TreeRebuilder;

  constructor(
    readonly files: PublishedFiles,
    options: PublishedReaderOptions = {},
  ) {
    this.onWorker = options.treeWorker && workerRebuilder(options.treeWorker);
  }

  /** The tree of batch `batchId`, read and rebuilt on first asking. */
  tree(batchId: number): Promise<PublishedTree> {
    return remember(this.trees, batchId, async () => {
      const text = await this.files.read(`participants/batch-${batchId}.json`);
      if (text === undefined) return { missing: true };
      try {
        const rebuilder = this.onWorker && text.length >= WORKER_TREE_CHARS ? this.onWorker : this.inThread;
        return { tree: await rebuilder.rebuild(text, LEAF_ENCODING) };
      } catch (error) {
        return { unreadable: (error as Error).message };
      }
    });
  }

  /** The hash of project `projectId`'s metadata file, read on first asking (from `uri` if not published here). */
  metadataHash(projectId: number, uri: string): Promise<PublishedMetadata> {
    return remember(this.metadata, `${projectId} ${uri}`, async () => {
      let text = await this.files.read(projectMetadataURI(projectId));
      if (text === undefined && /^https?:\/\//i.test(uri)) {
        const response = await fetch(uri);
        if (response.ok) text = await response.text();
      }
      return text === undefined ? undefined : hashFileText(text);
    });
  }

  /** Stops the tree worker, if one was started. */
  async close(): Promise<void> {
    await this.onWorker?.close();
  }
}

/**
 * The answer for `key`, started once. Read failures (an unreachable server) surface where the answer is awaited;
 * an answer never awaited (the chain could not be read) must not fail the process on its own.
 */
function remember<K, T>(answers: Map<K, Promise<T>>, key: K, start: () => Promise<T>): Promise<T> {
  let answer = answers.get(key);
  if (answer === undefined) {
    answer = start();
    answer.catch(() => undefined);
    answers.set(key, answer);
  }
  return answer;
}
