/**
 * `npm run relayer -- --round <address> [options]`: relays signed ballots of one round.
 *
 * The RPC URL and the relayer's key are configuration, never in the repository: KOPILKA_RELAYER_RPC_URL and
 * KOPILKA_RELAYER_KEY from the environment or, when unset there, from Hardhat's configuration variables (the
 * encrypted keystore: `npx hardhat keystore set KOPILKA_RELAYER_KEY`).
 */
import { Command } from "commander";
import { JsonRpcProvider } from "ethers";

import { DEFAULT_PUBLICATION_BASE } from "@kopilka/core/publication";
import { configuration } from "../services/configuration.js";
import { relayerFromOptions, withRelayerOptions, withServerOptions } from "./options.js";
import { buildServer } from "./server.js";

const program = withRelayerOptions(
  withServerOptions(
    new Command()
      .name("relayer")
      .requiredOption("--round <address>", "the round whose ballots to relay", process.env.KOPILKA_RELAYER_ROUND)
      .option("--publication <dir>", "base directory of the published round files", DEFAULT_PUBLICATION_BASE),
    "relayer.sqlite",
  ),
).parse();
const options = program.opts();

// No cache of answers (ethers keeps them 250 ms by default): a service that signs must see nonces and receipts as they are.
const provider = new JsonRpcProvider(await configuration("KOPILKA_RELAYER_RPC_URL"), undefined, { cacheTimeout: -1 });
const { wallet, store, view, submitter, server } = await relayerFromOptions(provider, options);
const app = buildServer(store, view, submitter, server);
const address = await app.listen({ host: options.host, port: Number(options.port) });
console.log(`relayer for round ${view.address} as ${wallet.address} listening on ${address}`);

async function shutdown() {
  await app.close();
  await submitter.stop();
  store.close();
  provider.destroy();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
