/**
 * The worker thread of ./tree-rebuild.ts: rebuilds published participants trees off the main thread, which stays
 * free for the chain's answers. Imported on the main thread (there is no parent port there) it does nothing.
 */
import { parentPort } from "node:worker_threads";

import { rebuildPublishedTree, type RebuiltTree } from "./merkle.js";

/** A tree to rebuild: the file's text and the leaf encoding it must declare. */
export interface TreeJob {
  id: number;
  text: string;
  leafEncoding: readonly string[];
}

/** The rebuilt tree, or the message of what made the file unreadable. */
export type TreeAnswer = { id: number; tree: RebuiltTree } | { id: number; error: string };

const port = parentPort;
if (port) {
  // Alone on its thread: no other work needs the pauses.
  const noPause = (): Promise<void> => Promise.resolve();
  port.on("message", (job: TreeJob) => {
    rebuildPublishedTree(job.text, job.leafEncoding, noPause).then(
      (tree) => port.postMessage({ id: job.id, tree } satisfies TreeAnswer),
      (error: unknown) => port.postMessage({ id: job.id, error: (error as Error).message } satisfies TreeAnswer),
    );
  });
}
