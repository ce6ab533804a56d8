import type { DappConfig } from "@kopilka/core/publication";

/** The runtime configuration, fetched from /kopilka.config.json (its fields: scripts/core/src/domain/publication.ts). */
export type KopilkaConfig = DappConfig;

export const LOCAL_CHAIN_ID = 31337;

export async function loadConfig(): Promise<KopilkaConfig> {
  const response = await fetch("/kopilka.config.json");
  if (!response.ok) throw new Error(`/kopilka.config.json: HTTP ${response.status}`);
  const config = (await response.json()) as KopilkaConfig;
  for (const key of ["chainId", "rpcUrl", "round", "publishedBase"] as const) {
    if (config[key] === undefined) throw new Error(`/kopilka.config.json has no "${key}"`);
  }
  return config;
}

/** The built-in wallet exists only on the local development chain, whatever the file says. */
export function devWalletAllowed(config: KopilkaConfig): boolean {
  return config.chainId === LOCAL_CHAIN_ID && config.devWallet !== false;
}
