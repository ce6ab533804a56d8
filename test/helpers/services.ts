/**
 * The resident services as the service tests start them: one child process per call on the file's node, with the
 * per-client limits lifted (every request of a test comes from 127.0.0.1; the tests of those limits set their own)
 * and no resend wait. Each test's services are stopped after it, and the node and the published files after the file.
 */
import { rm } from "node:fs/promises";

import type { FaultPoint } from "../../scripts/relayer/fault.js";
import type { Child } from "../../scripts/relayer/local.js";
import { startServices } from "../../scripts/services/local.js";

/** What the services need of a test's round. */
export interface ServicesRound {
  /** The round (enrollment and the relayer) or the contest (its relay); with neither, the content store alone. */
  round?: string;
  contest?: string;
  publication: string;
  db: string;
}

/** Call inside a `describe`: registers the clean-up hooks and gives the starter. */
export function servicesForTests(node: { url: string; stop(): Promise<void> }, defaults: string[] = []) {
  const started: Child[] = [];
  const directories: string[] = [];

  afterEach(async function () {
    for (const services of started.splice(0)) await services.stop();
  });

  after(async function () {
    await node.stop();
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  return {
    async servicesFor(setup: ServicesRound, options: string[] = [], fault?: FaultPoint, env?: NodeJS.ProcessEnv) {
      const services = await startServices({
        rpcUrl: node.url,
        round: setup.round,
        contest: setup.contest,
        publication: setup.publication,
        db: setup.db,
        options: [
          ...defaults,
          "--enroll-per-client-per-minute",
          "100000",
          "--codes-per-client-per-hour",
          "100000",
          "--resend",
          "0",
          ...options,
        ],
        fault,
        env,
      });
      started.push(services);
      if (!directories.includes(setup.publication)) directories.push(setup.publication);
      return services;
    },
    /** Leaves a killed process out of the clean-up. */
    forget(services: Child) {
      started.splice(started.indexOf(services), 1);
    },
  };
}
