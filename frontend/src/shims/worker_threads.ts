/**
 * A browser stand-in for `node:worker_threads`: scripts/audit/tree-rebuild.ts imports `Worker`, and the observers'
 * page asks for no worker (`treeWorker: false`); should one be started anyway, it fails and the auditor rebuilds
 * the trees on this thread, as it does whenever a worker cannot start.
 */
export class Worker {
  constructor() {
    throw new Error("no worker threads in the browser");
  }
}

export default { Worker };
