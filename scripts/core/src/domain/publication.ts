/**
 * Where a round's public files live. The committee's tool writes them, the dApp serves them, and the auditor
 * reads them (from a directory or over HTTP):
 *
 *   <base>/<chainId>/<round address, lower case>/round.json                manifest (addresses, deployment block)
 *   <base>/<chainId>/<round>/participants/batch-<batchId>.json             StandardMerkleTree dump of a batch
 *   <base>/<chainId>/<round>/projects/<projectId>.json                     project metadata (canonical JSON)
 *
 * A project's on-chain `metadataURI` is the path relative to the round's directory (`projects/<id>.json`)
 * unless the round spec gives absolute URIs (https://, ipfs://).
 */
/** The manifest that lets anyone find a round's contracts and where to start reading logs. */
export interface RoundManifest {
  chainId: number;
  factory: string;
  round: string;
  token: string;
  airdrop: string;
  /** Block of the factory's deployment, where an auditor starts reading logs. */
  fromBlock: number;
  name: string;
  /** The round's time zone as its spec's dates were written ("+03:00"); times are shown in UTC without it. */
  utcOffset?: string;
  /**
   * What binds the manifest to one chain and one deployment, beyond the chain id: the hash of block `fromBlock`
   * and keccak256 of the factory's code. Another node with the same chain id (a local chain restarted, another
   * developer's node) has other block hashes, so a tool refuses to act on a round the manifest does not describe.
   */
  deployment?: DeploymentBinding;
}

/** A chain and a deployment on it, as a manifest or a factory record names them. */
export interface DeploymentBinding {
  /** Hash of the block the factory was deployed in. */
  blockHash: string;
  /** keccak256 of the factory's runtime code. */
  factoryCodeHash: string;
}

export const DEFAULT_PUBLICATION_BASE = "published";

/** Joins path parts with "/", which both file systems and URLs take. */
function join(...parts: string[]): string {
  return parts
    .filter((part) => part !== "")
    .join("/")
    .replace(/(?<!:)\/{2,}/g, "/");
}

export function roundDirectory(base: string, chainId: number | bigint, round: string): string {
  return join(base, String(chainId), round.toLowerCase());
}

export function manifestPath(base: string, chainId: number | bigint, round: string): string {
  return join(roundDirectory(base, chainId, round), "round.json");
}

export function batchPath(base: string, chainId: number | bigint, round: string, batchId: number | bigint): string {
  return join(roundDirectory(base, chainId, round), "participants", `batch-${batchId}.json`);
}

export function projectMetadataURI(projectId: number | bigint): string {
  return `projects/${projectId}.json`;
}

export function projectMetadataPath(
  base: string,
  chainId: number | bigint,
  round: string,
  projectId: number | bigint,
): string {
  return join(roundDirectory(base, chainId, round), projectMetadataURI(projectId));
}

/**
 * The dApp's runtime configuration, served as `/kopilka.config.json` beside the built app: which chain, which RPC,
 * which round, and where the round's published files are. The deployment and demo scripts write it; nothing of it
 * is compiled into the build, so the same build serves the local chain or any EVM network.
 */
export interface DappConfig {
  chainId: number;
  /** Shown to people when their wallet is elsewhere; defaults to "Chain <id>". */
  chainName?: string;
  rpcUrl: string;
  round: `0x${string}`;
  /** The publication root: `<publishedBase>/<chainId>/<round>/...`; may be relative to the app. */
  publishedBase: string;
  /** Block to start reading the round's logs at (its deployment block); 0 when omitted. */
  fromBlock?: number;
  /** Offer the built-in dev wallet (the node's unlocked accounts). Only ever honoured on chain 31337. */
  devWallet?: boolean;
  /**
   * A relayer of this round (`npm run relayer`), e.g. `https://relayer.example.org` or `/relayer` behind the site's
   * own proxy. When set, a voter with too little ether for gas signs the ballot and the relayer submits it.
   */
  relayerUrl?: string;
  /** The round factory, for the committee's "new round" page; else read from the round's published manifest. */
  factory?: `0x${string}`;
  /**
   * Map tiles for the observers' map, as an XYZ template ("https://tile.example.org/{z}/{x}/{y}.png"), with the
   * attribution the tile provider requires. Without it the map draws districts and pins on a plain background.
   */
  mapTiles?: { url: string; attribution: string };
}

export const DAPP_CONFIG_FILE = "kopilka.config.json";
