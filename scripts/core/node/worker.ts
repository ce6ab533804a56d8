/** The auditor's tree worker on Node: a worker thread running ./tree-worker.ts. */
import { Worker } from "node:worker_threads";

import type { TreeAnswer, TreeWorker, TreeWorkerFactory } from "../src/audit/tree-rebuild.js";

/** Starts tree workers from `url` (by default ./tree-worker; tests give one that cannot load). */
export function nodeTreeWorker(url: URL = workerUrl()): TreeWorkerFactory {
  return (): TreeWorker => {
    const worker = new Worker(url, { execArgv: workerExecArgv() });
    return {
      post: (job) => worker.postMessage(job),
      onAnswer: (listener) => void worker.on("message", (answer: TreeAnswer) => listener(answer)),
      onFailure(listener) {
        let failed = false;
        const fail = (): void => {
          if (failed) return;
          failed = true;
          listener();
        };
        worker.on("error", fail);
        worker.on("exit", fail);
      },
      hold: (busy) => void (busy ? worker.ref() : worker.unref()),
      terminate: async () => void (await worker.terminate()),
    };
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
