/**
 * The runtime configuration, fetched from /kopilka.config.json: which chain, which RPC, which round, and where the
 * round's published files are. The deployment and demo scripts write it; nothing here is compiled into the build,
 * so the same build serves the local chain or any EVM network.
 */
export interface KopilkaConfig {
  chainId: number;
  /** Shown to people when their wallet is elsewhere; defaults to "Chain <id>". */
  chainName?: string;
  rpcUrl: string;
  round: `0x${string}`;
  /** The publication root (scripts/lib/publication.ts): `<publishedBase>/<chainId>/<round>/...`; may be relative. */
  publishedBase: string;
  /** Block to start reading the round's logs at (its deployment block); 0 when omitted. */
  fromBlock?: number;
  /** Offer the built-in dev wallet (the node's unlocked accounts). Only ever honoured on chain 31337. */
  devWallet?: boolean;
}

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
