/**
 * Rebuilds published participants trees without holding up the chain reading: on a worker when the platform gives
 * one (the Node entry starts a worker thread), otherwise on this thread in slices between which the chain's answers
 * are handled. Either way the result is the same tree, or the same message for an unreadable file.
 */
import { rebuildPublishedTree, type RebuiltTree } from "./merkle.js";

/** A tree to rebuild: the file's text and the leaf encoding it must declare. */
export interface TreeJob {
  id: number;
  text: string;
  leafEncoding: readonly string[];
}

/** The rebuilt tree, or the message of what made the file unreadable. */
export type TreeAnswer = { id: number; tree: RebuiltTree } | { id: number; error: string };

/** What a worker runs for each job: the rebuild, alone on its thread, so with no pauses. */
export async function answerTreeJob(job: TreeJob): Promise<TreeAnswer> {
  try {
    return { id: job.id, tree: await rebuildPublishedTree(job.text, job.leafEncoding, () => Promise.resolve()) };
  } catch (error) {
    return { id: job.id, error: (error as Error).message };
  }
}

/**
 * A worker running `answerTreeJob` (a Node worker thread, or a browser Worker): the platform's part, given to
 * `workerRebuilder` as a factory. The factory may throw when no worker can start.
 */
export interface TreeWorker {
  post(job: TreeJob): void;
  onAnswer(listener: (answer: TreeAnswer) => void): void;
  /** Called once when the worker fails to load, throws or exits. */
  onFailure(listener: () => void): void;
  /** Whether the worker should keep the process alive: only while it has work (Node; a no-op elsewhere). */
  hold(busy: boolean): void;
  terminate(): Promise<void>;
}

export type TreeWorkerFactory = () => TreeWorker;

export interface TreeRebuilder {
  /** Parses and rebuilds a tree file; rejects with why the text is not a tree dump of `leafEncoding`. */
  rebuild(text: string, leafEncoding: readonly string[]): Promise<RebuiltTree>;
  /** Gets ready for the first tree (starts the worker, whose loading then overlaps with other work). */
  warm(): void;
  /** Stops the worker, if any. */
  close(): Promise<void>;
}

/** Lets the event loop run (I/O callbacks included) before the rebuild goes on. */
// Node's setImmediate lets pending I/O run first; a browser page (the observers' panel) has only setTimeout.
const yieldToIo = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** Rebuilds on this thread, in slices. */
export function inThreadRebuilder(): TreeRebuilder {
  return {
    rebuild: (text, leafEncoding) => rebuildPublishedTree(text, leafEncoding, yieldToIo),
    warm: () => undefined,
    close: async () => undefined,
  };
}

/**
 * Rebuilds on one worker, started by `warm` or the first tree; if the worker cannot start (a runtime that cannot
 * load it) or dies, the trees still waiting for it and all later ones are rebuilt on this thread.
 */
export function workerRebuilder(startWorker: TreeWorkerFactory): TreeRebuilder {
  const fallback = inThreadRebuilder();
  const pending = new Map<number, { job: TreeJob; resolve(tree: RebuiltTree): void; reject(error: Error): void }>();
  let worker: TreeWorker | undefined;
  let failed = false;
  let nextId = 0;

  const giveUp = (): void => {
    failed = true;
    const waiting = [...pending.values()];
    pending.clear();
    worker?.terminate().catch(() => undefined);
    worker = undefined;
    for (const { job, resolve, reject } of waiting) fallback.rebuild(job.text, job.leafEncoding).then(resolve, reject);
  };
  const start = (): TreeWorker => {
    const started = startWorker();
    started.onAnswer((answer) => {
      const waiting = pending.get(answer.id);
      if (!waiting) return;
      pending.delete(answer.id);
      if ("tree" in answer) waiting.resolve(answer.tree);
      else waiting.reject(new Error(answer.error));
      // An idle worker must not keep the process alive.
      if (pending.size === 0) started.hold(false);
    });
    started.onFailure(() => {
      if (worker === started) giveUp();
    });
    started.hold(false);
    return started;
  };

  const ready = (): boolean => {
    if (failed) return false;
    try {
      worker ??= start();
      return true;
    } catch {
      failed = true;
      return false;
    }
  };

  return {
    rebuild(text, leafEncoding) {
      if (!ready()) return fallback.rebuild(text, leafEncoding);
      const job: TreeJob = { id: nextId++, text, leafEncoding: [...leafEncoding] };
      return new Promise<RebuiltTree>((resolve, reject) => {
        pending.set(job.id, { job, resolve, reject });
        worker!.hold(true);
        worker!.post(job);
      });
    },
    warm() {
      ready();
    },
    async close() {
      const stopping = worker;
      worker = undefined;
      if (stopping) await stopping.terminate();
    },
  };
}
