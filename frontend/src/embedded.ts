/**
 * What a server that renders the read-only pages ahead (./server.tsx, used by the demo's server) puts in the page
 * beside their HTML, as a JSON data block (no script runs from it): the config and the snapshot the HTML was drawn
 * from, and the order of the projects, so that the app starts from exactly what the resident already sees. A plain
 * static host, or the service worker's copy of index.html, has none, and the app fetches what it needs.
 */
import type { DistrictSnapshotJson, RoundSnapshotJson } from "@kopilka/core/snapshot";

import type { KopilkaConfig } from "./config.js";

export const EMBEDDED_ID = "kopilka-prerendered";

/** The shuffle of a page rendered on the server (./server.tsx sets it for each page, the district page reads it). */
export const SERVER_SEED = { value: 0 };

export interface Embedded {
  config: KopilkaConfig;
  round?: RoundSnapshotJson;
  district?: DistrictSnapshotJson;
  /** The visit's shuffle of the projects (the district page's random order). */
  seed: number;
}

/** The page's embedded data, if a server rendered it. */
export function readEmbedded(): Embedded | undefined {
  const block = typeof document === "undefined" ? null : document.getElementById(EMBEDDED_ID);
  if (!block?.textContent) return undefined;
  try {
    return JSON.parse(block.textContent) as Embedded;
  } catch {
    return undefined;
  }
}

/** The data block's HTML: JSON with "<" escaped, so that nothing in it can close the element. */
export function embeddedHtml(data: Embedded): string {
  return `<script type="application/json" id="${EMBEDDED_ID}">${JSON.stringify(data).replace(/</g, "\\u003c")}</script>`;
}
