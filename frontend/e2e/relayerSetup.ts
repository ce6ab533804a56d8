/**
 * The relayer beside the browser tests' round: the real service (`scripts/relayer/main.ts`) as a child process on
 * the test node, reading the round's published participants from the site's directory, with a database of its own
 * in a temporary directory; and the dApp's config pointed at it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { startRelayer, type Child } from "../../scripts/relayer/local.js";
import type { KopilkaConfig } from "../src/config.js";
import type { TestRound } from "./setup.js";

export interface TestRelayer {
  url: string;
  child: Child;
  stop(): Promise<void>;
}

/** Starts the relayer for `round` and names it in the site's kopilka.config.json. */
export async function startTestRelayer(round: TestRound): Promise<TestRelayer> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "kopilka-web-relayer-"));
  const child = await startRelayer({
    rpcUrl: round.node.url,
    round: round.config.round,
    publication: path.join(round.siteDir, "published"),
    db: path.join(directory, "relayer.sqlite"),
    // Short batches keep the test quick; every request comes from 127.0.0.1, so the per-address limit is lifted.
    options: ["--batch-ms", "300", "--ip-per-minute", "100000"],
  });
  const config: KopilkaConfig = { ...round.config, relayerUrl: child.url };
  await writeFile(path.join(round.siteDir, "kopilka.config.json"), JSON.stringify(config, null, 2) + "\n");
  return {
    url: child.url,
    child,
    stop: async () => {
      await child.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Takes every wei from `address`, as if the resident never bought ether. */
export async function emptyEtherBalance(round: TestRound, address: string): Promise<void> {
  await round.node.provider.send("hardhat_setBalance", [address, "0x0"]);
}
