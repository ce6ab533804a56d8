/** Reads a round spec and the CSV files it names from disk, then checks it with ./spec.ts (which is pure). */
import { readFileSync } from "node:fs";
import path from "node:path";

import { InputError, parseRoundSpec, type RoundSpec } from "./spec.js";

/** Reads and checks a spec file; throws InputError listing every problem. */
export function loadRoundSpec(specFile: string): RoundSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(specFile, "utf8"));
  } catch (error) {
    throw new InputError([{ file: specFile, message: `cannot read the spec: ${(error as Error).message}` }]);
  }
  const located = (name: string) => path.join(path.dirname(specFile), name);
  return parseRoundSpec(raw, specFile, (name) => readFileSync(located(name), "utf8"), located);
}
