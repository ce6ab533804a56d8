/**
 * Where a round's public files live, and what the participants' files hold. The committee's tool and the
 * enrollment service write them, the dApp and the relayer read them, and the auditor checks them (from a directory
 * or over HTTP). Static files, on any host:
 *
 *   <base>/<chainId>/<round address, lower case>/round.json                manifest (addresses, deployment block)
 *   <base>/<chainId>/<round>/participants/batch-<batchId>.json             StandardMerkleTree dump of a batch
 *   <base>/<chainId>/<round>/participants/proofs/<account, lower case>.json  one resident's leaf and proof
 *   <base>/<chainId>/<round>/participants/list-<page>.json                 the list of every posted leaf, in pages
 *   <base>/<chainId>/<round>/participants/list.json                        where the list ends
 *   <base>/<chainId>/<round>/projects/<projectId>.json                     project metadata (canonical JSON)
 *   <base>/<chainId>/<round>/snapshot/round.json, district-<id>.json       what the read-only pages show first
 *                                                                          (./snapshot.ts)
 *
 * Residents are posted in batches, each batch's root immutable once on-chain, so the lists only grow. A resident's
 * proof file is written once, when the resident's batch is published (its root stays valid for ever, so the proof
 * never changes): the dApp and the relayer fetch that one small file, never a whole list. The list pages
 * (`LIST_PAGE_SIZE` leaves each, in batch order, each leaf with its batch id) are for auditors, who check that they
 * are the union of the batches. A batch's files are all written before its root goes on-chain; while the root is
 * not on-chain yet they may be written again (the batch changed before it was posted).
 *
 * A project's on-chain `metadataURI` is the path relative to the round's directory (`projects/<id>.json`)
 * unless the round spec gives absolute URIs (https://, ipfs://).
 */
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { LEAF_ENCODING, type ParticipantLeaf } from "./leaf.js";

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
  return join(roundDirectory(base, chainId, round), batchFile(batchId));
}

export function proofPath(base: string, chainId: number | bigint, round: string, account: string): string {
  return join(roundDirectory(base, chainId, round), proofFile(account));
}

/** A batch's tree file, relative to the round's directory. */
export function batchFile(batchId: number | bigint): string {
  return `participants/batch-${batchId}.json`;
}

/** A resident's proof file, relative to the round's directory. */
export function proofFile(account: string): string {
  return `participants/proofs/${account.toLowerCase()}.json`;
}

/** Page `page` of the list of residents, relative to the round's directory. */
export function listPageFile(page: number): string {
  return `participants/list-${page}.json`;
}

/** The list's index, relative to the round's directory. */
export const LIST_INDEX_FILE = "participants/list.json";

/** Leaves in a page of the list: 4,096 leaves make about 700 KB; a 160,000-resident round has 40 pages. */
export const LIST_PAGE_SIZE = 4096;

/** What a resident's proof file holds: the resident's leaf in batch `batchId` and its proof to the batch's root. */
export interface ProofFile {
  batchId: number;
  district: number;
  /** Kopecks, decimal. */
  amount: string;
  enrollment: string;
  proof: string[];
}

/** A leaf of the list: the batch it was posted in, then the leaf's four values (account lower case). */
export type ListLeaf = [batchId: number, account: string, district: number, amount: string, enrollment: string];

export const LIST_FORMAT = "kopilka-participants-list-v1";

/** A page of the list: the leaves from `page * pageSize` on. */
export interface ListPage {
  format: typeof LIST_FORMAT;
  page: number;
  pageSize: number;
  leafEncoding: readonly string[];
  leaves: ListLeaf[];
}

/** Where the list ends: how many batches and leaves it holds, and where its last batch starts. */
export interface ListIndex {
  format: typeof LIST_FORMAT;
  pageSize: number;
  batches: number;
  leaves: number;
  pages: number;
  /** The first leaf of the last batch, so that the batch can be published again while it is not on-chain. */
  lastBatchStart: number;
}

/** An empty list. */
export function emptyListIndex(): ListIndex {
  return { format: LIST_FORMAT, pageSize: LIST_PAGE_SIZE, batches: 0, leaves: 0, pages: 0, lastBatchStart: 0 };
}

/** The files of batch `batchId` and what they replace. Paths are relative to the round's directory. */
export interface BatchPublication {
  /** path -> text: the tree, each resident's proof file, the list pages from the batch's first leaf on, the index. */
  files: Map<string, string>;
  /** List pages the batch no longer reaches (it was published before, larger, and not posted). */
  stalePages: string[];
  index: ListIndex;
}

/**
 * The files that publish batch `batchId` (its tree `tree`) after the list `index`: the next batch, or the last one
 * again while it is not on-chain. `page` is the list page holding the batch's first leaf as published before
 * (undefined when that page does not exist yet). Each resident's proof file is included; the caller keeps a proof
 * file an earlier batch already wrote for the same account (the account can only claim once).
 */
export function publishBatchFiles(
  batchId: number,
  tree: StandardMerkleTree<ParticipantLeaf>,
  index: ListIndex,
  page: ListPage | undefined,
): BatchPublication {
  if (batchId !== index.batches && batchId !== index.batches - 1) {
    throw new Error(`the list holds batches 0..${index.batches - 1}: batch ${batchId} cannot be published next`);
  }
  const start = batchId === index.batches ? index.leaves : index.lastBatchStart;
  const files = new Map<string, string>();
  const dump = tree.dump();
  files.set(batchFile(batchId), JSON.stringify(dump, null, 2) + "\n");

  // Each proof is read off the tree just built (a leaf's siblings up to the root), as StandardMerkleTree.getProof
  // does after checking the leaf again by hashing it and its proof: ~2 ms a leaf, seconds for a posting on a loaded
  // server. The auditor checks every proof file against the batch it rebuilds itself.
  const fresh: ListLeaf[] = [];
  for (const { value, treeIndex } of dump.values) {
    const [account, district, amount, enrollment] = value;
    const proof: ProofFile = {
      batchId,
      district: Number(district),
      amount,
      enrollment,
      proof: siblings(dump.tree, treeIndex),
    };
    files.set(proofFile(account), JSON.stringify(proof) + "\n");
    // The list keeps the dump's order of values, which is the order the tree was built from.
    fresh.push([batchId, account.toLowerCase(), Number(district), amount, enrollment.toLowerCase()]);
  }

  const pageSize = index.pageSize;
  const first = Math.floor(start / pageSize);
  const kept = (page?.leaves ?? []).slice(0, start - first * pageSize);
  if (kept.length !== start - first * pageSize) {
    throw new Error(
      `list page ${first} holds ${page?.leaves.length ?? 0} leaves, not the ${start - first * pageSize} before batch ${batchId}`,
    );
  }
  const leaves = [...kept, ...fresh];
  const end = start + fresh.length;
  const pages = Math.ceil(end / pageSize);
  for (let p = first; p < pages; p++) {
    const slice = leaves.slice((p - first) * pageSize, (p - first + 1) * pageSize);
    const content: ListPage = {
      format: LIST_FORMAT,
      page: p,
      pageSize,
      leafEncoding: LIST_LEAF_ENCODING,
      leaves: slice,
    };
    files.set(listPageFile(p), JSON.stringify(content) + "\n");
  }
  const stalePages: string[] = [];
  for (let p = pages; p < index.pages; p++) stalePages.push(listPageFile(p));
  const next: ListIndex = {
    format: LIST_FORMAT,
    pageSize,
    batches: batchId + 1,
    leaves: end,
    pages,
    lastBatchStart: start,
  };
  files.set(LIST_INDEX_FILE, JSON.stringify(next, null, 2) + "\n");
  return { files, stalePages, index: next };
}

/** The proof of the node at `index` of a tree's nodes (node 0 the root, node i's children 2i+1 and 2i+2). */
export function siblings(nodes: readonly string[], index: number): string[] {
  const proof: string[] = [];
  for (let i = index; i > 0; i = Math.floor((i - 1) / 2)) proof.push(nodes[i % 2 === 1 ? i + 1 : i - 1]);
  return proof;
}

/** What a list leaf's fields are. */
export const LIST_LEAF_ENCODING = ["uint256 batchId", ...LEAF_ENCODING] as const;

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

/** The round's snapshot for its read-only pages (./snapshot.ts): the round and every district. */
export function roundSnapshotPath(base: string, chainId: number | bigint, round: string): string {
  return join(roundDirectory(base, chainId, round), "snapshot", "round.json");
}

/** One district's snapshot, with its projects. */
export function districtSnapshotPath(
  base: string,
  chainId: number | bigint,
  round: string,
  district: number | bigint,
): string {
  return join(roundDirectory(base, chainId, round), "snapshot", `district-${district}.json`);
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
  /**
   * The resident services (`npm run services`: the relayer and the enrollment service, `<servicesUrl>/enroll/...`),
   * e.g. `https://services.example.org`. Residents enroll by phone there; the same base serves as `relayerUrl`.
   */
  servicesUrl?: string;
  /** The committee's page on how residents' phone numbers are handled (152-FZ), linked from the phone step. */
  termsUrl?: string;
  /** The round factory, for the committee's "new round" page; else read from the round's published manifest. */
  factory?: `0x${string}`;
  /**
   * Map tiles for the observers' map and the contest form's place map, as an XYZ template
   * ("https://tile.example.org/{z}/{x}/{y}.png"), with the attribution the tile provider requires; the demo's server
   * allows its host in the pages' Content-Security-Policy. Without it the maps are drawn on a plain background.
   */
  mapTiles?: { url: string; attribution: string };
  /**
   * A contest of residents' initiatives before the round (`/contest` pages): its address, and the block to start
   * reading its events at. Its documents and relay are the resident services' (`servicesUrl`).
   */
  contest?: `0x${string}`;
  contestFromBlock?: number;
  /** The contest factory, for the committee's "new contest" form (the committee may also type it there). */
  contestFactory?: `0x${string}`;
}

export const DAPP_CONFIG_FILE = "kopilka.config.json";
