/**
 * The read-only pages rendered ahead, on the server, from the round's snapshot: a resident on a slow link reads the
 * districts, a district's projects or its results as soon as the HTML arrives, before any JavaScript; the app then
 * starts from the same data (./embedded.ts) and draws the same page. The demo's web server (scripts/demo/server.ts)
 * calls `renderPage` for every route it answers with index.html; built by `npm run build -w frontend` into
 * frontend/dist-server/. Pages that act (voting, my vote, the committee's and observers') are not rendered here.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import i18n from "i18next";
import { StrictMode } from "react";
import { renderToString } from "react-dom/server";
import { initReactI18next } from "react-i18next";
import { Router } from "wouter";

import { districtSnapshotPath, roundSnapshotPath } from "@kopilka/core/publication";
import {
  decodeDistrictSnapshot,
  decodeRoundSnapshot,
  type DistrictSnapshotJson,
  type RoundSnapshotJson,
} from "@kopilka/core/snapshot";

import { App } from "./App.js";
import type { KopilkaConfig } from "./config.js";
import { EnvironmentContext } from "./context.js";
import { districtSnapshotQuery, roundSnapshotQuery } from "./data/snapshot.js";
import { embeddedHtml, SERVER_SEED, type Embedded } from "./embedded.js";
import { ru } from "./locales/ru.js";
import { preloadRoute } from "./routes.js";
import { WalletGateProvider } from "./wallet/gate.js";

const ready = i18n.use(initReactI18next).init({
  resources: { ru: { translation: ru } },
  lng: "ru",
  fallbackLng: "ru",
  interpolation: { escapeValue: false },
  returnObjects: true,
});

/** Which snapshot files a route is drawn from; undefined for a route not rendered ahead. */
function needs(path: string): { round: boolean; district?: number } | undefined {
  if (path === "/" || path === "/results") return { round: true };
  const match = /^\/(?:district|results)\/(\d+)$/.exec(path);
  if (match) return { round: path.startsWith("/results"), district: Number(match[1]) };
  return undefined;
}

export interface Rendered {
  /** The page's HTML, for inside `<div id="root">`. */
  html: string;
  /** The data block the app starts from, for the end of `<body>`. */
  data: string;
}

/**
 * The HTML of `url` drawn from the round's snapshot files, which `readFile` reads by their path under the
 * publication base (the same paths as in @kopilka/core/publication); undefined when the route is not rendered ahead
 * or its snapshot is missing.
 */
export async function renderPage(
  url: string,
  config: KopilkaConfig,
  readFile: (path: string) => Promise<string | undefined>,
): Promise<Rendered | undefined> {
  const { pathname, search } = new URL(url, "http://server.invalid");
  const wanted = needs(pathname);
  if (!wanted) return undefined;
  const read = async <T,>(path: string): Promise<T | undefined> => {
    const text = await readFile(path);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  };
  const [round, district] = await Promise.all([
    wanted.round ? read<RoundSnapshotJson>(roundSnapshotPath("", config.chainId, config.round)) : undefined,
    wanted.district === undefined
      ? undefined
      : read<DistrictSnapshotJson>(districtSnapshotPath("", config.chainId, config.round, wanted.district)),
  ]);
  if ((wanted.round && !round) || (wanted.district !== undefined && !district)) return undefined;

  await Promise.all([ready, preloadRoute(pathname)]);
  const env = { config };
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  if (round) queries.setQueryData(roundSnapshotQuery(env).queryKey, decodeRoundSnapshot(round));
  if (district) {
    queries.setQueryData(districtSnapshotQuery(env, wanted.district!).queryKey, decodeDistrictSnapshot(district));
  }
  const seed = Math.floor(Math.random() * 2 ** 31);
  SERVER_SEED.value = seed;
  const html = renderToString(
    <StrictMode>
      <EnvironmentContext.Provider value={env}>
        <QueryClientProvider client={queries}>
          <WalletGateProvider>
            <Router ssrPath={pathname} ssrSearch={search.replace(/^\?/, "")}>
              <App />
            </Router>
          </WalletGateProvider>
        </QueryClientProvider>
      </EnvironmentContext.Provider>
    </StrictMode>,
  );
  queries.clear();
  const data: Embedded = { config, round, district, seed };
  return { html, data: embeddedHtml(data) };
}
