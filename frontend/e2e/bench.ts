/**
 * `npm run bench:web`: how heavy the dApp is and how soon a resident on a weak rural link sees the projects.
 * Writes bench/results/web.json:
 * - initial_js_gzip_bytes: gzipped JavaScript a first visit to a district page loads (no wallet);
 * - total_js_gzip_bytes: all of the build's JavaScript, gzipped (wallet chunk included);
 * - slow_network_first_list_ms: from navigation to the district's project list with titles, in Chromium
 *   throttled through CDP to 400 kbit/s each way with 400 ms latency, cache off (median of 3), with the RPC on
 *   the site's own origin; slow_network_first_list_cross_origin_rpc_ms is the same with the node's own URL.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

import { launchChromium } from "./browser.js";
import { DIST, serveSite } from "./server.js";
import { ROOT, setupRound, startNode } from "./setup.js";

const KBIT = 1000 / 8;

const gzipSize = async (file: string): Promise<number> => gzipSync(await readFile(file), { level: 9 }).length;

const assets = path.join(DIST, "assets");
const jsFiles = (await readdir(assets)).filter((f) => f.endsWith(".js"));
const sizes = new Map(await Promise.all(jsFiles.map(async (f) => [f, await gzipSize(path.join(assets, f))] as const)));
const total = [...sizes.values()].reduce((a, b) => a + b, 0);

const node = await startNode();
const round = await setupRound(node);
const site = await serveSite(round.siteDir, node.url);
const configFile = path.join(round.siteDir, "kopilka.config.json");
const setRpcUrl = (rpcUrl: string) =>
  writeFile(configFile, JSON.stringify({ ...round.config, rpcUrl }, null, 2) + "\n");
const browser = await launchChromium();
try {
  /** Gzipped JS a fresh visit to `route` loads, by file. */
  const initialJs = async (route: string): Promise<number> => {
    const page = await browser.newPage();
    const loaded = new Set<string>();
    page.on(
      "response",
      (r) => void (r.request().resourceType() === "script" && loaded.add(path.basename(new URL(r.url()).pathname))),
    );
    await page.goto(site.url + route, { waitUntil: "networkidle" });
    await page.close();
    return [...loaded].reduce((sum, f) => sum + (sizes.get(f) ?? 0), 0);
  };
  const pages = {
    overview: await initialJs("/"),
    district: await initialJs("/district/0"),
    results: await initialJs("/results"),
    verify: await initialJs("/verify"),
  };

  const firstList = async (): Promise<number> => {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 400,
      downloadThroughput: 400 * KBIT,
      uploadThroughput: 400 * KBIT,
    });
    const start = Date.now();
    await page.goto(site.url + "/district/0", { waitUntil: "commit", timeout: 60_000 });
    await page.waitForFunction(
      () => {
        const titles = [...document.querySelectorAll(".projects .project h3")].map((h) => h.textContent ?? "");
        return titles.length > 0 && titles.every((t) => !t.startsWith("Проект №"));
      },
      undefined,
      { timeout: 60_000, polling: 20 },
    );
    const elapsed = Date.now() - start;
    await context.close();
    return elapsed;
  };
  const median = async (): Promise<number[]> =>
    [await firstList(), await firstList(), await firstList()].sort((a, b) => a - b);
  // The site serves its RPC from its own origin (/rpc), as a deployment for weak links should; the figure with
  // a cross-origin RPC (one CORS preflight more) is kept beside it.
  await setRpcUrl("/rpc");
  const runs = await median();
  await setRpcUrl(round.config.rpcUrl);
  const crossOrigin = await median();

  const result = {
    initial_js_gzip_bytes: Math.max(pages.overview, pages.district),
    total_js_gzip_bytes: total,
    slow_network_first_list_ms: runs[1],
    slow_network_runs_ms: runs,
    slow_network_first_list_cross_origin_rpc_ms: crossOrigin[1],
    rpc: "same origin (/rpc proxied to hardhat node); the cross-origin figure adds a CORS preflight",
    initial_js_gzip_bytes_by_page: pages,
    network: { download_kbit: 400, upload_kbit: 400, latency_ms: 400 },
  };
  await mkdir(path.join(ROOT, "bench/results"), { recursive: true });
  await writeFile(path.join(ROOT, "bench/results/web.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  await site.close();
  node.stop();
}
