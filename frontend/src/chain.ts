import { createClient, defineChain, http, type Chain, type Client, type HttpTransport } from "viem";

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
