/**
 * The chain client: viem over HTTP with JSON-RPC batching. Only the chunks loaded after the first paint import this
 * module (the live data, verification, the wallet, the committee's and observers' pages), so that a read-only page
 * shows its projects before any of viem arrives.
 */
import { createClient, defineChain, http, type Chain, type Client, type HttpTransport } from "viem";

import type { Eip1193Provider } from "@kopilka/core/chain";

import type { KopilkaConfig } from "./config.js";
import { useEnvironment, type AppEnvironment } from "./context.js";

export function chainOf(config: KopilkaConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.chainName ?? `Chain ${config.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [new URL(config.rpcUrl, location.href).toString()] } },
  });
}

export type ReadClient = Client<HttpTransport, Chain>;

/** The environment with the chain client, for the code that reads the chain or writes to it. */
export interface ChainEnvironment extends AppEnvironment {
  client: ReadClient;
  /** The same client as a plain EIP-1193 provider, for the core's reader and auditor. */
  rpc: Eip1193Provider;
}

const clients = new Map<KopilkaConfig, ChainEnvironment>();

/**
 * One client per configuration; calls made in the same tick go out as one JSON-RPC batch (one round trip on slow
 * links).
 */
export function chainEnvironment(config: KopilkaConfig): ChainEnvironment {
  let environment = clients.get(config);
  if (!environment) {
    const client = createClient({ chain: chainOf(config), transport: http(undefined, { batch: { batchSize: 500 } }) });
    environment = { config, client, rpc: { request: (args) => client.request(args as never) } };
    clients.set(config, environment);
  }
  return environment;
}

export function useChainEnvironment(): ChainEnvironment {
  return chainEnvironment(useEnvironment().config);
}

/** View calls go through the core's typed reader, one plain `eth_call` each (batched by this client's transport). */
export { read } from "@kopilka/core/chain";
