/** Fixtures and small text edits shared by the Pabulib tests. */
import { readFileSync } from "node:fs";

import { PabulibParseError, parsePabulib, type PabulibIssue } from "@kopilka/core/pabulib";

export function fixture(name: "approval" | "cumulative" | "oddities"): string {
  return readFileSync(new URL(`../fixtures/pabulib/${name}.pb`, import.meta.url), "utf8");
}

/** The 1-based number of the first line that starts with `start`. */
export function lineOf(text: string, start: string): number {
  const index = text.split("\n").findIndex((line) => line.startsWith(start));
  if (index < 0) throw new Error(`no line starts with ${start}`);
  return index + 1;
}

/** The text with the first line starting with `start` replaced (or removed when `replacement` is undefined). */
export function editLine(text: string, start: string, replacement?: string): string {
  const lines = text.split("\n");
  const index = lineOf(text, start) - 1;
  if (replacement === undefined) lines.splice(index, 1);
  else lines[index] = replacement;
  return lines.join("\n");
}

/** The issues the parser reports for `text`; fails when it accepts the text. */
export function issuesOf(text: string): PabulibIssue[] {
  try {
    parsePabulib(text);
  } catch (error) {
    if (error instanceof PabulibParseError) return error.issues;
    throw error;
  }
  throw new Error("the parser accepted the text");
}
