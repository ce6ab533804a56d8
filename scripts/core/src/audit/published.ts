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
  /** Rebuild the trees on workers it starts; without it, on this thread, between the chain's answers. */
  treeWorker?: TreeWorkerFactory;
}

export class PublishedReader {
  private readonly trees = new Map<number, Promise<PublishedTree>>();
  private readonly metadata = new Map<string, Promise<PublishedMetadata>>();
  private readonly rebuilder: TreeRebuilder;

  constructor(
    readonly files: PublishedFiles,
    options: PublishedReaderOptions = {},
  ) {
    this.rebuilder = options.treeWorker ? workerRebuilder(options.treeWorker) : inThreadRebuilder();
    this.rebuilder.warm();
  }

  /** The tree of batch `batchId`, read and rebuilt on first asking. */
  tree(batchId: number): Promise<PublishedTree> {
    return remember(this.trees, batchId, async () => {
      const text = await this.files.read(`participants/batch-${batchId}.json`);
      if (text === undefined) return { missing: true };
      try {
        return { tree: await this.rebuilder.rebuild(text, LEAF_ENCODING) };
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
  close(): Promise<void> {
    return this.rebuilder.close();
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
