/**
 * `npm run bench:web`: how heavy the dApp is and how soon a resident on a weak rural link sees something useful,
 * through the demo's own web server (scripts/demo/server.ts: pre-compressed brotli and gzip, /rpc on the site's
 * origin), as a visitor of the demo gets it. Writes bench/results/web.json:
 * - initial_js_gzip_bytes: gzipped JavaScript a first visit to the overview or a district loads before it paints;
 * - total_js_gzip_bytes: all of the build's JavaScript, gzipped (voting, committee and observers' chunks included);
 * - readonly_js_gzip_bytes: the JavaScript a read-only page (overview, district, one district's results) asks for
 *   before its load event, gzipped (the load event waits for every script requested until then), by page in
 *   readonly_js_gzip_bytes_by_page. The server renders these pages ahead, so this is only the boot script
 *   (frontend/src/boot.ts): the page reads without the app;
 * - readonly_deferred_js_gzip_bytes: what such a page loads after its load event until the network is idle, gzipped:
 *   the app itself (React and the rest, fetched once the page is idle or on the resident's first touch, then taking
 *   the page over) and the live figures' chain code; by page in readonly_deferred_js_gzip_bytes_by_page;
 * - served_first_list_ms: from navigation to the overview's list of districts, in Chromium throttled through CDP to
 *   400 kbit/s each way with 400 ms latency, cache off (median of 3); served_district_ms: to a district's project
 *   list with titles; served_results_ms: to one district's results with titles. slow_network_first_list_ms keeps
 *   its meaning (a district's list, the RPC on the site's origin) and _cross_origin_rpc_ms the same with the
 *   node's own URL;
 * - served_interactive_ms: on the same link, from navigation until the app has taken a district page over (its
 *   buttons and fields are the app's: `<html data-hydrated>`, set by frontend/src/main.tsx), median of 3, the runs in
 *   served_interactive_runs_ms; what the resident does before then is held and replayed (frontend/src/boot.ts);
 * - lighthouse: Lighthouse's mobile profile (simulated slow 4G, a mid-range phone) on the overview, a district and
 *   one district's results: performance, accessibility and best-practices scores (0-100), and the simulated
 *   measures behind performance (first and largest contentful paint, total blocking time, speed index, in ms; layout
 *   shift in thousandths), from the run with the median performance score of three (all three scores in
 *   lighthouse_performance_runs).
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import type { Browser } from "playwright-core";

import { launchChromium } from "./browser.js";
import { DIST, serveSite } from "./server.js";
import { ROOT, setupRound, startNode } from "./setup.js";

const KBIT = 1000 / 8;
const NETWORK = { download_kbit: 400, upload_kbit: 400, latency_ms: 400 };

const gzipSize = async (file: string): Promise<number> => gzipSync(await readFile(file), { level: 9 }).length;

const assets = path.join(DIST, "assets");
const jsFiles = (await readdir(assets)).filter((f) => f.endsWith(".js"));
const sizes = new Map(await Promise.all(jsFiles.map(async (f) => [f, await gzipSize(path.join(assets, f))] as const)));
const total = [...sizes.values()].reduce((a, b) => a + b, 0);

/** Waits, in the page, until the route's first useful list shows with its titles. */
const READY = {
  overview: () => document.querySelectorAll(".districts li a").length > 0,
  district: () => {
    const titles = [...document.querySelectorAll(".projects .project h3")].map((h) => h.textContent ?? "");
    return titles.length > 0 && titles.every((t) => !t.startsWith("Проект №"));
  },
  results: () => {
    const titles = [...document.querySelectorAll(".ranking li .row a")].map((a) => a.textContent ?? "");
    return titles.length > 0 && titles.every((t) => !t.startsWith("Проект №"));
  },
} as const;
/** Waits, in the page, until the app has taken the page over (frontend/src/main.tsx sets the attribute). */
const HYDRATED = () => document.documentElement.hasAttribute("data-hydrated");
const ROUTES = { overview: "/", district: "/district/0", results: "/results/0" } as const;
type PageName = keyof typeof ROUTES;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const node = await startNode();
  const round = await setupRound(node);
  const site = await serveSite(round.siteDir, node.url);
  const configFile = path.join(round.siteDir, "kopilka.config.json");
  const setRpcUrl = (rpcUrl: string) =>
    writeFile(configFile, JSON.stringify({ ...round.config, rpcUrl }, null, 2) + "\n");
  const browser = await launchChromium();
  try {
    await setRpcUrl("/rpc");
    const readonly = {} as Record<PageName, number>;
    const deferred = {} as Record<PageName, number>;
    const initial = {} as Record<PageName | "verify", number>;
    for (const name of Object.keys(ROUTES) as PageName[]) {
      const bytes = await scriptBytes(browser, site.url + ROUTES[name]);
      readonly[name] = initial[name] = bytes.beforeLoad;
      deferred[name] = bytes.afterLoad;
    }
    const verify = await scriptBytes(browser, site.url + "/verify");
    initial.verify = verify.beforeLoad + verify.afterLoad;

    const served = {} as Record<PageName, number[]>;
    for (const name of Object.keys(ROUTES) as PageName[]) {
      served[name] = [];
      for (let run = 0; run < 3; run++)
        served[name].push(await timeToList(browser, site.url + ROUTES[name], READY[name]));
    }
    const interactive: number[] = [];
    for (let run = 0; run < 3; run++) interactive.push(await timeToList(browser, site.url + ROUTES.district, HYDRATED));
    await setRpcUrl(round.config.rpcUrl);
    const crossOrigin: number[] = [];
    for (let run = 0; run < 3; run++)
      crossOrigin.push(await timeToList(browser, site.url + ROUTES.district, READY.district));
    await setRpcUrl("/rpc");

    // Lighthouse's simulation scales the tasks it observed, so a busy machine swings one run's score by 20 points:
    // three runs a page, and the run with the median performance score (as Lighthouse's docs advise).
    const scores = {} as Record<PageName, Awaited<ReturnType<typeof lighthouseScores>>>;
    const performanceRuns = {} as Record<PageName, number[]>;
    for (const name of Object.keys(ROUTES) as PageName[]) {
      const runs = [];
      for (let run = 0; run < 3; run++) runs.push(await lighthouseScores(site.url + ROUTES[name]));
      runs.sort((a, b) => a.performance - b.performance);
      scores[name] = runs[1];
      performanceRuns[name] = runs.map((r) => r.performance);
    }

    const result = {
      initial_js_gzip_bytes: Math.max(initial.overview, initial.district),
      total_js_gzip_bytes: total,
      slow_network_first_list_ms: median(served.district),
      slow_network_runs_ms: [...served.district].sort((a, b) => a - b),
      slow_network_first_list_cross_origin_rpc_ms: median(crossOrigin),
      rpc: "same origin (/rpc proxied to hardhat node by the demo's server); the cross-origin figure adds a CORS preflight",
      initial_js_gzip_bytes_by_page: initial,
      served_first_list_ms: median(served.overview),
      served_district_ms: median(served.district),
      served_results_ms: median(served.results),
      served_runs_ms: served,
      served_interactive_ms: median(interactive),
      served_interactive_runs_ms: [...interactive].sort((a, b) => a - b),
      readonly_js_gzip_bytes: Math.max(...Object.values(readonly)),
      readonly_js_gzip_bytes_by_page: readonly,
      readonly_deferred_js_gzip_bytes: Math.max(...Object.values(deferred)),
      readonly_deferred_js_gzip_bytes_by_page: deferred,
      lighthouse: scores,
      lighthouse_performance_runs: performanceRuns,
      lighthouse_profile: "Lighthouse 12 default mobile: simulated slow 4G and 4x CPU slowdown, Debian's Chromium",
      network: NETWORK,
      server: "scripts/demo/server.ts (the demo's): brotli/gzip files, immutable hashed files, pages rendered ahead",
      // Issue 12's targets: ceilings, and floors for Lighthouse's scores (every page). The JavaScript ceiling is on
      // what a read-only page asks for before its load event; the app it takes after that (the deferred bytes, and
      // the time until it has taken the page over) has no target of the issue's.
      targets: {
        served_first_list_ms: 2500,
        served_district_ms: 3000,
        served_results_ms: 3000,
        readonly_js_gzip_bytes: 80_000,
        performance: { min: 90 },
        accessibility: { min: 95 },
        best_practices: { min: 95 },
      },
    };
    await mkdir(path.join(ROOT, "bench/results"), { recursive: true });
    await writeFile(path.join(ROOT, "bench/results/web.json"), JSON.stringify(result, null, 2) + "\n");
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await browser.close();
    await site.close();
    node.stop();
  }
}

/**
 * Gzipped bytes of the build's JavaScript a fresh visit to `url` asks for before its load event (what the page needs
 * to show itself: the load event waits for every script requested until then) and after it until the network is idle.
 */
async function scriptBytes(browser: Browser, url: string): Promise<{ beforeLoad: number; afterLoad: number }> {
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  const before = new Set<string>();
  const after = new Set<string>();
  let loaded = false;
  page.once("load", () => (loaded = true));
  page.on("request", (r) => {
    if (r.resourceType() === "script") (loaded ? after : before).add(path.basename(new URL(r.url()).pathname));
  });
  await page.goto(url, { waitUntil: "networkidle" });
  await context.close();
  const sum = (files: Set<string>) => [...files].reduce((total, f) => total + (sizes.get(f) ?? 0), 0);
  return { beforeLoad: sum(before), afterLoad: sum(new Set([...after].filter((f) => !before.has(f)))) };
}

/** Milliseconds from navigation to `ready` in a fresh phone-sized page on the throttled link, cache off. */
async function timeToList(browser: Browser, url: string, ready: () => boolean): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, serviceWorkers: "block" });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: NETWORK.latency_ms,
    downloadThroughput: NETWORK.download_kbit * KBIT,
    uploadThroughput: NETWORK.upload_kbit * KBIT,
  });
  const start = Date.now();
  await page.goto(url, { waitUntil: "commit", timeout: 60_000 });
  await page.waitForFunction(ready, undefined, { timeout: 60_000, polling: 20 });
  const elapsed = Date.now() - start;
  await context.close();
  return elapsed;
}

/** Lighthouse's mobile profile on `url`, in a Chromium of its own (Debian's, through chrome-launcher). */
async function lighthouseScores(url: string) {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
  try {
    const run = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices"],
    });
    const categories = run!.lhr.categories;
    const score = (id: string) => Math.round((categories[id]?.score ?? 0) * 100);
    const audits = run!.lhr.audits;
    const value = (id: string) =>
      Math.round((audits[id]?.numericValue ?? 0) * (id === "cumulative-layout-shift" ? 1000 : 1));
    return {
      performance: score("performance"),
      accessibility: score("accessibility"),
      best_practices: score("best-practices"),
      // The simulated measures behind the performance score, to see what holds it back.
      first_contentful_paint_ms: value("first-contentful-paint"),
      largest_contentful_paint_ms: value("largest-contentful-paint"),
      total_blocking_time_ms: value("total-blocking-time"),
      speed_index_ms: value("speed-index"),
      cumulative_layout_shift_thousandths: value("cumulative-layout-shift"),
    };
  } finally {
    chrome.kill();
  }
}

await main();
