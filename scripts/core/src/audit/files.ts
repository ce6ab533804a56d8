/**
 * The published files of a round (see ../domain/publication.ts), read over HTTP from an http(s) base URL, or from a
 * directory through the file reader the platform gives (the Node entry reads the file system). The base is the
 * publication root (`<base>/<chainId>/<round>/...`); a base that already is the round's directory (it holds
 * round.json) works too.
 */
import type { RoundManifest } from "../domain/publication.js";

export interface PublishedFiles {
  /** Where the round's files were found, for the report. */
  readonly location: string;
  /** The text of a file relative to the round's directory, or undefined when it is not published. */
  read(relative: string): Promise<string | undefined>;
}

/** Reads a local file's text, or undefined when there is none. */
export type LocalFileReader = (file: string) => Promise<string | undefined>;

const isUrl = (base: string): boolean => /^https?:\/\//i.test(base);

const join = (base: string, ...parts: string[]): string => [base.replace(/\/+$/, ""), ...parts].join("/");

/** Without a file reader only URLs can be read: say so, rather than read nothing. */
const noFileSystem: LocalFileReader = (file) =>
  Promise.reject(new Error(`cannot read ${file}: no file system here; give the published files as an http(s) URL`));

function readerOf(readLocal: LocalFileReader): (location: string) => Promise<string | undefined> {
  return async (location) => {
    if (!isUrl(location)) return await readLocal(location);
    const response = await fetch(location);
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`GET ${location}: HTTP ${response.status}`);
    return await response.text();
  };
}

/** Opens the published files of `round` on chain `chainId` under `base`. */
export async function openPublished(
  base: string,
  chainId: bigint | number,
  round: string,
  readLocal: LocalFileReader = noFileSystem,
): Promise<PublishedFiles> {
  const readText = readerOf(readLocal);
  const filesAt = (directory: string): PublishedFiles => ({
    location: directory,
    read: (relative) => readText(join(directory, ...relative.split("/"))),
  });
  const candidates = [join(base, String(chainId), round.toLowerCase()), base];
  for (const directory of candidates) {
    if ((await readText(join(directory, "round.json"))) !== undefined) return filesAt(directory);
  }
  // No manifest: files may still be there; read them from the round's standard place.
  return filesAt(candidates[0]);
}

/** The round's manifest, when published. */
export async function readManifest(files: PublishedFiles): Promise<RoundManifest | undefined> {
  const text = await files.read("round.json");
  return text === undefined ? undefined : (JSON.parse(text) as RoundManifest);
}
