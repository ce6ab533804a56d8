/**
 * The contest's part of the resident services (`--contest <address>`): its relay's queue in the services' SQLite
 * file, the relay sending with KOPILKA_CONTEST_RELAYER_KEY (a key of its own, so that its transactions never race
 * the ballots' relayer for an account nonce), and its routes under `/contest`.
 */
import type { OptionValues } from "commander";
import type { FastifyInstance } from "fastify";
import { Wallet, type JsonRpcProvider } from "ethers";

import { roundDirectory } from "@kopilka/core/publication";
import { configuration } from "../configuration.js";
import type { ContentStore } from "./content.js";
import { JobStore } from "./jobs.js";
import { ContestRelay } from "./relay.js";
import { contestRelayRoutes } from "./relayRoutes.js";

export interface ContestServices {
  relay: ContestRelay & { address: string };
  stop(): Promise<void>;
}

export async function contestServices(
  app: FastifyInstance,
  provider: JsonRpcProvider,
  content: ContentStore,
  options: OptionValues,
): Promise<ContestServices> {
  const network = await provider.getNetwork();
  if ((await provider.getCode(options.contest)) === "0x") throw new Error(`no contract at contest ${options.contest}`);
  const wallet = new Wallet(await configuration("KOPILKA_CONTEST_RELAYER_KEY"), provider);
  const jobs = new JobStore(options.db);
  const relay = new ContestRelay(jobs, options.contest, wallet, { stuckMs: Number(options.stuck) * 1000 });
  await relay.start();
  let clock = { at: 0, timestamp: 0n };
  app.register(contestRelayRoutes, {
    prefix: "/contest",
    chainId: network.chainId,
    relay,
    jobs,
    content,
    directory: roundDirectory(options.publication, network.chainId, options.contest),
    now: async () => {
      if (Date.now() - clock.at > 1_000) {
        const block = (await provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
        clock = { at: Date.now(), timestamp: BigInt(block.timestamp) };
      }
      return clock.timestamp;
    },
    options: {
      readsPerClientPerMinute: Number(options.contestReadsPerClientPerMinute),
      messagesPerClientPerMinute: Number(options.contestMessagesPerClientPerMinute),
      minDeadlineMargin: Number(options.minDeadline),
    },
  });
  return {
    relay,
    async stop() {
      await relay.stop();
      jobs.close();
    },
  };
}
