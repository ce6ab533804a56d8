/**
 * A published snapshot of a round: what its read-only pages show, read from the chain at one block and written as
 * small static files beside the round's other published files (./publication.ts). A resident's page paints from
 * the snapshot at once, with no chain library loaded, and then holds it against the chain (the live data replaces
 * it, and each project's description is checked against the hash the round stores); offline, the snapshot is what
 * the page shows, with its age.
 *
 *   <round dir>/snapshot/round.json           the round, every district, the district of every project
 *   <round dir>/snapshot/district-<id>.json   the round again, one district, and its projects with their banks
 *
 * Amounts are kopecks as decimal strings in the files (JSON has no big integers) and bigints once decoded.
 */
import type { ProjectMetadata } from "./metadata.js";
import type { Phase } from "./phase.js";
import type { Rule } from "./rule.js";

export const SNAPSHOT_VERSION = 1;

/** An address or a hash, as viem types them (no viem import here: the read-only pages carry none of it). */
type Hex = `0x${string}`;

/** The round as a snapshot states it. */
export interface RoundFacts {
  name: string;
  token: Hex;
  airdrop: Hex;
  budget: bigint;
  opensAt: bigint;
  closesAt: bigint;
  rule: Rule;
  minTokens: bigint;
  minSupporters: bigint;
  opened: boolean;
  phase: Phase;
  districtCount: number;
  projectCount: number;
}

export interface DistrictFacts {
  id: number;
  name: string;
  budget: bigint;
  projectCount: number;
  finalized: boolean;
  /** What the finalization funded (0 before). */
  funded: bigint;
  /** Tokens in the district's piggy banks. */
  tokens: bigint;
}

/** Whether a project's published description matched the hash the round stores for it, when the snapshot was taken. */
export type MetadataState = "verified" | "mismatch" | "missing" | "unreadable";

export interface ProjectFacts {
  id: number;
  district: number;
  bank: Hex;
  cost: bigint;
  category: number;
  /** Lower case; "" when the round's events did not list the project. */
  metadataHash: string;
  metadataURI: string;
  metadataState: MetadataState;
  /** The published description, only when it matched its hash. */
  metadata?: ProjectMetadata;
  tokens: bigint;
  /** Distinct voters with tokens in the bank, when the round counts them (a minimum of supporters). */
  supporters?: bigint;
  /** Funded by the district's finalization. */
  funded: boolean;
  /** The implementation status the reporter recorded (IRound.ImplementationStatus), and the amount spent. */
  status: number;
  spent: bigint;
}

/** Where and when a snapshot was read. */
export interface SnapshotHeader {
  version: typeof SNAPSHOT_VERSION;
  chainId: number;
  /** The round's address, lower case. */
  address: string;
  block: number;
  /** The block's timestamp: chain time when read. */
  blockTime: number;
  /** The writer's clock when read, in seconds (on a test chain it may differ from `blockTime`). */
  takenAt: number;
}

export interface RoundSnapshot extends SnapshotHeader {
  round: RoundFacts;
  districts: DistrictFacts[];
  /** The district of each project, by project id. */
  projectDistricts: number[];
}

export interface DistrictSnapshot extends SnapshotHeader {
  round: RoundFacts;
  district: DistrictFacts;
  /** The district's projects, by id. */
  projects: ProjectFacts[];
}

type Json<T> = T extends bigint
  ? string
  : T extends ProjectMetadata
    ? T
    : T extends readonly (infer U)[]
      ? Json<U>[]
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

/** A snapshot as its file holds it. */
export type RoundSnapshotJson = Json<RoundSnapshot>;
export type DistrictSnapshotJson = Json<DistrictSnapshot>;

/** The file text of a snapshot (bigints as decimal strings), with a final newline. */
export function snapshotText(snapshot: RoundSnapshot | DistrictSnapshot): string {
  return JSON.stringify(snapshot, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value)) + "\n";
}

function header(json: Json<SnapshotHeader>): SnapshotHeader {
  if (json.version !== SNAPSHOT_VERSION) throw new Error(`unknown snapshot version ${String(json.version)}`);
  const { version, chainId, address, block, blockTime, takenAt } = json;
  return { version, chainId, address, block, blockTime, takenAt };
}

function roundFacts(json: Json<RoundFacts>): RoundFacts {
  return {
    ...json,
    budget: BigInt(json.budget),
    opensAt: BigInt(json.opensAt),
    closesAt: BigInt(json.closesAt),
    minTokens: BigInt(json.minTokens),
    minSupporters: BigInt(json.minSupporters),
  };
}

function districtFacts(json: Json<DistrictFacts>): DistrictFacts {
  return { ...json, budget: BigInt(json.budget), funded: BigInt(json.funded), tokens: BigInt(json.tokens) };
}

function projectFacts(json: Json<ProjectFacts>): ProjectFacts {
  return {
    ...json,
    cost: BigInt(json.cost),
    tokens: BigInt(json.tokens),
    supporters: json.supporters === undefined ? undefined : BigInt(json.supporters),
    spent: BigInt(json.spent),
  };
}

export function decodeRoundSnapshot(json: RoundSnapshotJson): RoundSnapshot {
  return {
    ...header(json),
    round: roundFacts(json.round),
    districts: json.districts.map(districtFacts),
    projectDistricts: json.projectDistricts,
  };
}

export function decodeDistrictSnapshot(json: DistrictSnapshotJson): DistrictSnapshot {
  return {
    ...header(json),
    round: roundFacts(json.round),
    district: districtFacts(json.district),
    projects: json.projects.map(projectFacts),
  };
}
