/**
 * The names a report prints beside ids: project titles from the published metadata files that hash to what the
 * chain holds (a file that does not match names nothing), district names from the chain, and the round's time zone
 * from its published manifest.
 */
import type { Labels } from "../domain/display.js";
import { readManifest, type PublishedFiles } from "./files.js";
import type { RoundData } from "./load.js";
import { verifiedMetadata } from "./pabulibExport.js";

export async function labelsOf(data: RoundData, files: PublishedFiles | undefined): Promise<Labels> {
  const [metadata, manifest] = await Promise.all([
    verifiedMetadata(data, files),
    files === undefined ? undefined : readManifest(files).catch(() => undefined),
  ]);
  const projects = new Map<number, string>();
  for (const [id, meta] of metadata) {
    const title = typeof meta.title === "string" ? meta.title.replace(/\s+/g, " ").trim() : "";
    if (title !== "") projects.set(id, title);
  }
  return {
    projects,
    districts: new Map(data.districts.map((d) => [d.id, d.name])),
    utcOffset: manifest?.utcOffset,
  };
}
