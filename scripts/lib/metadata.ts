/**
 * Project metadata: what residents read about a project (title, description, image, place). The committee
 * publishes one JSON file per project and puts its hash on-chain when adding the project; the dApp and the
 * auditor check the file against that hash. The hash is keccak256 of the file's exact bytes, and the committee's
 * tool writes the canonical form below so that the same metadata always gives the same file.
 */
import { keccak256, toUtf8Bytes } from "ethers";

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
}

/** Categories of the Volgograd programme, in the order of their on-chain `uint8` index. */
export const CATEGORIES = [
  "sport",
  "education-culture",
  "libraries",
  "housing-utilities",
  "street-lighting",
  "landscaping",
  "water-supply",
  "playgrounds",
  "local-roads",
] as const;

export type Category = (typeof CATEGORIES)[number];

/** Russian names of the categories, as residents see them. */
export const CATEGORY_NAMES_RU: Record<Category, string> = {
  sport: "Физическая культура и массовый спорт",
  "education-culture": "Образование и культура",
  libraries: "Библиотечное обслуживание",
  "housing-utilities": "Объекты ЖКХ",
  "street-lighting": "Уличное освещение",
  landscaping: "Благоустройство",
  "water-supply": "Водоснабжение",
  playgrounds: "Детские площадки",
  "local-roads": "Автомобильные дороги местного значения",
};

/** The on-chain category index of a category key, or -1. */
export function categoryIndex(category: string): number {
  return (CATEGORIES as readonly string[]).indexOf(category);
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
  return keccak256(toUtf8Bytes(text));
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
