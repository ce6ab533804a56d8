import { createClient, defineChain, http, type Chain, type Client, type HttpTransport } from "viem";

import type { Eip1193Provider } from "@kopilka/core/chain";

import type { KopilkaConfig } from "./config.js";

export function chainOf(config: KopilkaConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.chainName ?? `Chain ${config.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [new URL(config.rpcUrl, location.href).toString()] } },
  });
}

export type ReadClient = Client<HttpTransport, Chain>;

/** A read-only client; calls made in the same tick go out as one JSON-RPC batch (one round trip on slow links). */
export function readClient(config: KopilkaConfig): ReadClient {
  return createClient({ chain: chainOf(config), transport: http(undefined, { batch: { batchSize: 500 } }) });
}

/** The client as the core's plain EIP-1193 provider (its typed `request` narrowed to the methods viem knows). */
export function asRpc(client: ReadClient): Eip1193Provider {
  return { request: (args) => client.request(args as never) };
}

/** View calls go through the core's typed reader, one plain `eth_call` each (batched by this client's transport). */
export { read } from "@kopilka/core/chain";
