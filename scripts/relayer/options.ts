/**
 * The relayer's command-line options and its start-up, shared by `npm run relayer` (the relayer alone) and
 * `npm run services` (the relayer beside the enrollment service): one list of options, one way to start it.
 */
import type { Command } from "commander";
import { Wallet, type JsonRpcProvider } from "ethers";

import { parseTrustProxy } from "../services/app.js";
import { configuration } from "../services/configuration.js";
import { RoundView } from "./chain.js";
import type { ServerOptions } from "./server.js";
import { RelayerStore } from "./store.js";
import { Submitter } from "./submitter.js";

/** The options every resident-facing server takes: where it listens and what it believes of its clients. */
export function withServerOptions(command: Command, database: string): Command {
  return command
    .option("--db <file>", "the database file", database)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on", "8787")
    .option(
      "--trust-proxy <value>",
      "proxies to believe about the client's address: false, true, hops or addresses",
      "false",
    )
    .option("--body-limit <bytes>", "largest request body", "16384");
}

/** The relayer's own options: batching, the gas budget and the limits on ballots. */
export function withRelayerOptions(command: Command): Command {
  return command
    .option("--batch-size <n>", "most ballots in one transaction", "100")
    .option("--batch-ms <ms>", "longest a ballot waits for its batch to fill", "2000")
    .option("--max-batch-gas <gas>", "most gas a transaction is sent with", "12000000")
    .option("--gas-per-hour <gas>", "most gas spent in any hour", "500000000")
    .option("--ip-per-minute <n>", "most relayer reads per client address a minute", "120")
    .option("--ballots-per-ip-per-minute <n>", "most ballots per client address a minute", "30")
    .option("--voter-per-hour <n>", "most ballots per voter an hour", "30")
    .option("--max-moves <n>", "most banks one ballot may name", "16")
    .option("--min-deadline <seconds>", "least time a ballot's deadline must leave", "30")
    .option("--stuck <seconds>", "wait for a block before replacing a transaction below the market fee", "30");
}

export interface StartedRelayer {
  wallet: Wallet;
  store: RelayerStore;
  view: RoundView;
  submitter: Submitter;
  /** What the relayer's routes take. */
  server: ServerOptions;
}

/**
 * Opens the relayer's store, reads its round and starts its submitter, from parsed options (`withServerOptions` and
 * `withRelayerOptions`, plus `--round` and `--publication`). The key comes from KOPILKA_RELAYER_KEY.
 */
export async function relayerFromOptions(
  provider: JsonRpcProvider,
  options: Record<string, string>,
): Promise<StartedRelayer> {
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
  const server: ServerOptions = {
    bodyLimit: Number(options.bodyLimit),
    trustProxy: parseTrustProxy(options.trustProxy),
    ipPerMinute: Number(options.ipPerMinute),
    ballotsPerIpPerMinute: Number(options.ballotsPerIpPerMinute),
    voterPerHour: Number(options.voterPerHour),
    maxMoves: Number(options.maxMoves),
    minDeadlineMargin: Number(options.minDeadline),
    gasPerHour,
  };
  return { wallet, store, view, submitter, server };
}
