/**
 * Node's file reading for the core's pure parsers: round specs with their CSV files, residents' tables, Pabulib
 * files, published files.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { parsePabulibFile, type PabulibElection } from "../src/domain/pabulib.js";
import { decodeTableFile, InputError, parseRoundSpec, type DecodedTable, type RoundSpec } from "../src/domain/spec.js";

/** Reads and checks a spec file and the CSV files it names; throws InputError listing every problem. */
export function loadRoundSpec(specFile: string): RoundSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(specFile, "utf8"));
  } catch (error) {
    throw new InputError([{ file: specFile, message: `cannot read the spec: ${(error as Error).message}` }]);
  }
  const located = (name: string) => path.join(path.dirname(specFile), name);
  return parseRoundSpec(raw, specFile, (name) => readTableFile(located(name)).text, located);
}

/** Reads a CSV file as people save it (UTF-8, or Excel's Windows-1251 or UTF-16); see `decodeTableFile`. */
export function readTableFile(file: string): DecodedTable {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError([{ file, message: `cannot read: ${(error as Error).message}` }]);
  }
  return decodeTableFile(bytes, file);
}

/** Reads a .pb file; errors name the file. */
export async function readPabulibFile(file: string): Promise<PabulibElection> {
  return parsePabulibFile(await readFile(file, "utf8"), file);
}

/** A local file's text, or undefined when there is none: how the auditor reads a published directory. */
export async function readLocalFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Reads a local file's bytes, or undefined when there is none (content files: photos, documents). */
export async function readLocalBytes(file: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
