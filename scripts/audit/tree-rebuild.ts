/**
 * Rebuilds published participants trees without holding up the chain reading: on a worker thread
 * (./tree-worker.ts) when one starts, otherwise on this thread in slices between which the chain's answers are
 * handled. Either way the result is the same tree, or the same message for an unreadable file.
 */
import { Worker } from "node:worker_threads";

import { rebuildPublishedTree, type RebuiltTree } from "./merkle.js";
import type { TreeAnswer, TreeJob } from "./tree-worker.js";

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
 * Rebuilds on one worker thread, started by `warm` or the first tree; if the worker cannot start (a runtime that cannot
 * load it) or dies, the trees still waiting for it and all later ones are rebuilt on this thread. `url` is the
 * worker's module (tests give one that cannot load).
 */
export function workerRebuilder(url: URL = workerUrl()): TreeRebuilder {
  const fallback = inThreadRebuilder();
  const pending = new Map<number, { job: TreeJob; resolve(tree: RebuiltTree): void; reject(error: Error): void }>();
  let worker: Worker | undefined;
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
  const start = (): Worker => {
    const started = new Worker(url, { execArgv: workerExecArgv() });
    started.on("message", (answer: TreeAnswer) => {
      const waiting = pending.get(answer.id);
      if (!waiting) return;
      pending.delete(answer.id);
      if ("tree" in answer) waiting.resolve(answer.tree);
      else waiting.reject(new Error(answer.error));
      // An idle worker must not keep the process alive.
      if (pending.size === 0) started.unref();
    });
    started.on("error", giveUp);
    started.unref();
    started.on("exit", () => {
      if (worker === started) giveUp();
    });
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
        worker!.ref();
        worker!.postMessage(job);
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

/** The worker's module, beside this one: TypeScript source when run through tsx, JavaScript once compiled. */
function workerUrl(): URL {
  return new URL(import.meta.url.endsWith(".ts") ? "./tree-worker.ts" : "./tree-worker.js", import.meta.url);
}

/**
 * A worker inherits the process's flags (with tsx's loader when started by the tsx command) but not loaders
 * registered at run time (as bin/kopilka.mjs does): TypeScript source then needs tsx's loader named here.
 */
function workerExecArgv(): string[] {
  const argv = [...process.execArgv];
  if (import.meta.url.endsWith(".ts") && !argv.some((arg) => arg.includes("tsx"))) {
    try {
      argv.push("--import", import.meta.resolve("tsx/esm"));
    } catch {
      // no tsx to be found: the worker fails to start and the trees are rebuilt on this thread
    }
  }
  return argv;
}
