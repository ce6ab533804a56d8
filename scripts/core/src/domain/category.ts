/**
 * Project categories: the on-chain `uint8` a project carries is the index of its key here. Keys are what the
 * round spec and the metadata files write; people read the names from the dApp's locales (`glossary.category`).
 */

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

/** The on-chain category index of a category key, or -1. */
export function categoryIndex(category: string): number {
  return (CATEGORIES as readonly string[]).indexOf(category);
}

/** The key of an on-chain category index ("sport"), or its number for one this version does not know. */
export function categoryKey(index: number): string {
  return CATEGORIES[index] ?? String(index);
}
