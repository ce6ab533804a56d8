/**
 * The resident services beside the browser tests' round: the real process (`scripts/services/main.ts`: enrollment by
 * phone with the console SMS gateway, and the relayer) as a child process on the test node, posting to the site's
 * published directory, with a database of its own in a temporary directory; and the dApp's config pointed at it
 * (`servicesUrl`, and `relayerUrl` at the same base). The tests read each code from `/enroll/demo/inbox`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import type { Child } from "../../scripts/relayer/local.js";
import { inboxCode } from "../../scripts/services/client.js";
import { startServices } from "../../scripts/services/local.js";
import type { KopilkaConfig } from "../src/config.js";
import type { TestRound } from "./setup.js";

export interface TestServices {
  url: string;
  child: Child;
  /** The last code the console gateway "sent" to `phone` (any way of writing the number). */
  codeFor(phone: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

/**
 * Starts the resident services for `round` (its registrar, Hardhat's account 3, posts the residents) and names them
 * in the site's kopilka.config.json. `options` adds or overrides command-line options (e.g. `["--attempts", "3"]`).
 */
export async function startTestServices(round: TestRound, options: string[] = []): Promise<TestServices> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "kopilka-web-services-"));
  const child = await startServices({
    rpcUrl: round.node.url,
    round: round.config.round,
    publication: path.join(round.siteDir, "published"),
    db: path.join(directory, "services.sqlite"),
    // A posting every second keeps the test quick; every request comes from 127.0.0.1, so the per-address limits
    // are lifted.
    options: [
      "--post-every",
      "1",
      "--batch-ms",
      "300",
      "--ip-per-minute",
      "100000",
      "--ballots-per-ip-per-minute",
      "100000",
      "--codes-per-client-per-hour",
      "100000",
      "--enroll-per-client-per-minute",
      "100000",
      ...options,
    ],
  });
  const config: KopilkaConfig = { ...round.config, servicesUrl: child.url, relayerUrl: child.url };
  await writeFile(path.join(round.siteDir, "kopilka.config.json"), JSON.stringify(config, null, 2) + "\n");
  return {
    url: child.url,
    child,
    codeFor: (phone) => inboxCode(child.url, phone),
    stop: async () => {
      await child.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
