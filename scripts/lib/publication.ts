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
import path from "node:path";

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
}

export const DEFAULT_PUBLICATION_BASE = "published";

export function roundDirectory(base: string, chainId: number | bigint, round: string): string {
  return path.join(base, String(chainId), round.toLowerCase());
}

export function manifestPath(base: string, chainId: number | bigint, round: string): string {
  return path.join(roundDirectory(base, chainId, round), "round.json");
}

export function batchPath(base: string, chainId: number | bigint, round: string, batchId: number | bigint): string {
  return path.join(roundDirectory(base, chainId, round), "participants", `batch-${batchId}.json`);
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
  return path.join(roundDirectory(base, chainId, round), projectMetadataURI(projectId));
}
