/**
 * Project categories: the on-chain `uint8` a project carries is the index of its key here. Keys are what the
 * round spec and the metadata files write; people read the names from the dApp's locales.
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

/** The key of an on-chain category index ("sport"), or its number for one this version does not know. */
export function categoryKey(index: number): string {
  return CATEGORIES[index] ?? String(index);
}
