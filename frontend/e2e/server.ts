/**
 * The browser tests serve the built dApp with the demo's own web server (scripts/demo/server.ts: pre-compressed
 * assets, immutable caching, the read-only pages rendered ahead from the snapshot, the SPA fallback, /rpc on the
 * site's origin), so that they test what residents get.
 * `siteDir` holds the deployment's files: kopilka.config.json (read on every request) and published/.
 */
import path from "node:path";

import { serveSite as serveDemoSite } from "../../scripts/demo/server.js";
import { ROOT } from "./setup.js";

export const DIST = path.join(ROOT, "frontend/dist");
/** The server renderer of the read-only pages, built beside dist/ (src/server.tsx). */
export const PRERENDER = path.join(ROOT, "frontend/dist-server/server.js");

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

/** `rpcUrl`, when given, is also proxied at /rpc, as the demo does. */
export async function serveSite(siteDir: string, rpcUrl?: string): Promise<StaticSite> {
  const site = await serveDemoSite({
    dist: DIST,
    publicationBase: path.join(siteDir, "published"),
    config: { file: path.join(siteDir, "kopilka.config.json") },
    rpcUrl,
    prerender: PRERENDER,
  });
  return { url: site.url, close: site.close };
}
