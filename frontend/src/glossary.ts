/**
 * The names of the round's terms that remain on the residents' pages, in one place for every page (the committee's
 * and observers' too): the committee, each category, each implementation status and each phase. The core keeps
 * the keys (`@kopilka/core/category`, `implementation`, `phase`); the words live in the locales, under `glossary`.
 */
import type { TFunction } from "i18next";

import { CATEGORIES } from "@kopilka/core/category";
import { IMPLEMENTATION_STATUS_KEYS } from "@kopilka/core/implementation";
import { PHASE_KEYS } from "@kopilka/core/phase";

/** A project category's name; "other" for an index this version does not know. */
export function categoryName(t: TFunction, index: number): string {
  return t(`glossary.category.${CATEGORIES[index] ?? "unknown"}`);
}

/** An implementation status in words ("выполняется"). */
export function statusName(t: TFunction, status: number): string {
  const key = IMPLEMENTATION_STATUS_KEYS[status];
  return key === undefined ? String(status) : t(`glossary.status.${key}`);
}

/** Where the round is, in a sentence. */
export function phaseName(t: TFunction, phase: number): string {
  const key = PHASE_KEYS[phase];
  return key === undefined ? String(phase) : t(`glossary.phase.${key}`);
}

/** The body that runs the round: "комиссия", capitalised when it starts a sentence. */
export function committee(t: TFunction, full = false): string {
  return t(full ? "glossary.committeeFull" : "glossary.committee");
}
