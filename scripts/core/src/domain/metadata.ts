/**
 * Project metadata: what residents read about a project (title, description, image, place). The committee
 * publishes one JSON file per project and puts its hash on-chain when adding the project; the dApp and the
 * auditor check the file against that hash. The hash is keccak256 of the file's exact bytes, and the committee's
 * tool writes the canonical form below so that the same metadata always gives the same file.
 */
import { keccak256, stringToBytes } from "viem";

export interface ProjectMetadata {
  title: string;
  description: string;
  /** Category key, one of CATEGORIES. */
  category: string;
  /** District name, for readers of the file alone. */
  district: string;
  /** Image URL, if any. */
  image?: string;
  /** WGS84 coordinates, if known. */
  location?: { lat: number; lon: number };
  /** The contest initiative the project comes from (`kopilka round create --from-contest`), in its final version. */
  initiative?: { contest: string; id: number; version: number; contentHash: string };
}

/** The canonical file text: keys sorted at every level, no insignificant whitespace, a final newline. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) + "\n";
}

/** The on-chain metadata hash of a project: keccak256 of its canonical file. */
export function metadataHash(metadata: ProjectMetadata): string {
  return hashFileText(canonicalJson(metadata));
}

/** keccak256 of a published file's text, as the round stores it. */
export function hashFileText(text: string): string {
  return keccak256(stringToBytes(text));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
