/**
 * `npm run relayer -- --round <address> [options]`: relays signed ballots of one round.
 *
 * The RPC URL and the relayer's key are configuration, never in the repository: KOPILKA_RELAYER_RPC_URL and
 * KOPILKA_RELAYER_KEY from the environment or, when unset there, from Hardhat's configuration variables (the
 * encrypted keystore: `npx hardhat keystore set KOPILKA_RELAYER_KEY`).
 */
import { Command } from "commander";
import { JsonRpcProvider, Wallet } from "ethers";

import { DEFAULT_PUBLICATION_BASE } from "@kopilka/core/publication";
import { parseTrustProxy } from "../services/app.js";
import { configuration } from "../services/configuration.js";
import { RoundView } from "./chain.js";
import { buildServer } from "./server.js";
import { RelayerStore } from "./store.js";
import { Submitter } from "./submitter.js";

const program = new Command()
  .name("relayer")
  .requiredOption("--round <address>", "the round whose ballots to relay", process.env.KOPILKA_RELAYER_ROUND)
  .option("--publication <dir>", "base directory of the published round files", DEFAULT_PUBLICATION_BASE)
  .option("--db <file>", "the relayer's database file", "relayer.sqlite")
  .option("--host <host>", "address to listen on", "127.0.0.1")
  .option("--port <port>", "port to listen on", "8787")
  .option("--batch-size <n>", "most ballots in one transaction", "100")
  .option("--batch-ms <ms>", "longest a ballot waits for its batch to fill", "2000")
  .option("--max-batch-gas <gas>", "most gas a transaction is sent with", "12000000")
  .option("--gas-per-hour <gas>", "most gas spent in any hour", "500000000")
  .option("--ip-per-minute <n>", "most reads per client address a minute", "120")
  .option("--ballots-per-ip-per-minute <n>", "most ballots per client address a minute", "30")
  .option(
    "--trust-proxy <value>",
    "proxies to believe about the client's address: false, true, hops or addresses",
    "false",
  )
  .option("--voter-per-hour <n>", "most ballots per voter an hour", "30")
  .option("--body-limit <bytes>", "largest request body", "16384")
  .option("--max-moves <n>", "most banks one ballot may name", "16")
  .option("--min-deadline <seconds>", "least time a ballot's deadline must leave", "30")
  .option("--stuck <seconds>", "wait for a block before replacing a transaction below the market fee", "30")
  .parse();
const options = program.opts();

const provider = new JsonRpcProvider(await configuration("KOPILKA_RELAYER_RPC_URL"));
const wallet = new Wallet(await configuration("KOPILKA_RELAYER_KEY"), provider);
const store = new RelayerStore(options.db);
const view = new RoundView(provider, options.round, options.publication);
await view.load();
const gasPerHour = BigInt(options.gasPerHour);
const submitter = new Submitter(store, view, wallet, {
  batchSize: Number(options.batchSize),
  batchMs: Number(options.batchMs),
  maxBatchGas: BigInt(options.maxBatchGas),
  gasPerHour,
  maxAttempts: 3,
  stuckMs: Number(options.stuck) * 1000,
});
await submitter.start();
const app = buildServer(store, view, submitter, {
  bodyLimit: Number(options.bodyLimit),
  trustProxy: parseTrustProxy(options.trustProxy),
  ipPerMinute: Number(options.ipPerMinute),
  ballotsPerIpPerMinute: Number(options.ballotsPerIpPerMinute),
  voterPerHour: Number(options.voterPerHour),
  maxMoves: Number(options.maxMoves),
  minDeadlineMargin: Number(options.minDeadline),
  gasPerHour,
});
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
