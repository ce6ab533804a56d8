/**
 * The worker thread that `nodeTreeWorker` starts: rebuilds published participants trees off the main thread, which
 * stays free for the chain's answers. Imported on the main thread (there is no parent port there) it does nothing.
 */
import { parentPort } from "node:worker_threads";

import { answerTreeJob, type TreeJob } from "../src/audit/tree-rebuild.js";

const port = parentPort;
if (port) {
  port.on("message", (job: TreeJob) => {
    void answerTreeJob(job).then((answer) => port.postMessage(answer));
  });
}
