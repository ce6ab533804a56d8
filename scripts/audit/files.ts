/**
 * The published files of a round (see scripts/lib/publication.ts), read from a directory or an http(s) base URL.
 * The base is the publication root (`<base>/<chainId>/<round>/...`); a base that already is the round's directory
 * (it holds round.json) works too.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import type { RoundManifest } from "../lib/publication.js";

export interface PublishedFiles {
  /** Where the round's files were found, for the report. */
  readonly location: string;
  /** The text of a file relative to the round's directory, or undefined when it is not published. */
  read(relative: string): Promise<string | undefined>;
}

const isUrl = (base: string): boolean => /^https?:\/\//i.test(base);

function join(base: string, ...parts: string[]): string {
  if (isUrl(base)) return [base.replace(/\/+$/, ""), ...parts].join("/");
  return path.join(base, ...parts);
}

async function readText(location: string): Promise<string | undefined> {
  if (isUrl(location)) {
    const response = await fetch(location);
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`GET ${location}: HTTP ${response.status}`);
    return await response.text();
  }
  try {
    return await readFile(location, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Opens the published files of `round` on chain `chainId` under `base`. */
export async function openPublished(base: string, chainId: bigint | number, round: string): Promise<PublishedFiles> {
  const candidates = [join(base, String(chainId), round.toLowerCase()), base];
  for (const directory of candidates) {
    if ((await readText(join(directory, "round.json"))) !== undefined) return filesAt(directory);
  }
  // No manifest: files may still be there; read them from the round's standard place.
  return filesAt(candidates[0]);
}

function filesAt(directory: string): PublishedFiles {
  return { location: directory, read: (relative) => readText(join(directory, ...relative.split("/"))) };
}

/** The round's manifest, when published. */
export async function readManifest(files: PublishedFiles): Promise<RoundManifest | undefined> {
  const text = await files.read("round.json");
  return text === undefined ? undefined : (JSON.parse(text) as RoundManifest);
}
