/**
 * The dApp's Content-Security-Policy, in one place for the build (the `<meta>` in index.html, frontend/vite.config.ts)
 * and for the servers that send it as a header (scripts/demo/server.ts). No runtime imports: Vite's config loads it.
 */
import type { DappConfig } from "./publication.js";

/**
 * The dApp's Content-Security-Policy. A resident's browser key lives in the page's storage: whatever script runs in
 * the page can use it (never copy it), so the page runs its own scripts only: no inline script, no other origin's
 * script, no eval, no plugins, no framing. Styles may be inline (the pages drawn ahead set widths in `style`).
 * `connect` lists the origins the page may call besides its own (the RPC, the resident services, the publication
 * host): the demo's server sends exactly those in its header; the `<meta>` the build writes into index.html cannot
 * know them and allows any https origin and the local machine. `frameAncestors` only works in a header.
 */
export function dappContentSecurityPolicy({
  connect,
  frameAncestors = true,
}: {
  connect: readonly string[];
  frameAncestors?: boolean;
}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    // The observers' map tiles come from the configured tile host; pictures may be data: URIs; the contest's photos
    // come from the resident services' content store (one of `connect`, plain http on a local chain).
    `img-src ${["'self'", "data:", "https:", ...connect].join(" ")}`,
    // blob: the files the committee's and observers' pages make in the page for download.
    `connect-src ${["'self'", "blob:", ...connect].join(" ")}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    ...(frameAncestors ? ["frame-ancestors 'none'"] : []),
  ].join("; ");
}

/**
 * The origins a configured dApp calls besides its own: its RPC, services, relayer and publication host, and the map
 * tiles' host (an XYZ template; its origin is a plain URL's).
 */
export function dappOrigins(config: DappConfig): string[] {
  const origins = new Set<string>();
  const urls = [config.rpcUrl, config.servicesUrl, config.relayerUrl, config.publishedBase, config.mapTiles?.url];
  for (const url of urls) {
    if (!url || !/^https?:\/\//.test(url)) continue;
    origins.add(new URL(url).origin);
  }
  return [...origins];
}
