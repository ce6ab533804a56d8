/**
 * The app: loaded by ./boot.ts, at once on a page the server did not render ahead, else on the resident's first sign
 * of use or once the page is idle. `startApp` draws the page, or takes over (hydrates) the one the server drew, and
 * resolves once that is done: ./boot.ts then replays what the resident did meanwhile.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { startTransition, StrictMode, useEffect, type ReactNode } from "react";
import { createRoot, hydrateRoot, type Root } from "react-dom/client";

import { decodeDistrictSnapshot, decodeRoundSnapshot } from "@kopilka/core/snapshot";

import { App } from "./App.js";
import { loadConfig } from "./config.js";
import { EnvironmentContext } from "./context.js";
import { districtSnapshotQuery, roundSnapshotQuery } from "./data/snapshot.js";
import { readEmbedded } from "./embedded.js";
import { markTakenOver } from "./idle.js";
import { setupI18n } from "./i18n.js";
import { preloadRoute } from "./routes.js";
import { WalletGateProvider } from "./wallet/gate.js";

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 2, refetchOnWindowFocus: false } } });

/** Fetches the round's snapshot again (through the service worker once it is in control, so that it is kept). */
export function refetchSnapshot(): void {
  void queryClient.refetchQueries({ queryKey: ["snapshot"] });
}

/**
 * Calls `done` once the page is drawn, or taken over, with its content: placed inside the pages' Suspense boundary
 * (./App.tsx), whose content React takes over after the rest of the page.
 */
function Committed({ done }: { done: () => void }): ReactNode {
  useEffect(done, [done]);
  return null;
}

/** Draws the app into `container` (or takes over what the server drew there); resolves once that is committed. */
export function startApp(container: HTMLElement): Promise<void> {
  // A page the server rendered ahead brings its config and snapshot: the app starts from what is already on screen.
  const embedded = readEmbedded();
  // The page's own code comes with the config and the language, so that a page rendered ahead is taken over as it is.
  return Promise.all([
    embedded ? Promise.resolve(embedded.config) : loadConfig(),
    setupI18n(),
    preloadRoute(location.pathname),
  ]).then(
    ([config]) =>
      new Promise<void>((resolve) => {
        const env = { config };
        if (embedded?.round)
          queryClient.setQueryData(roundSnapshotQuery(env).queryKey, decodeRoundSnapshot(embedded.round));
        if (embedded?.district) {
          const snapshot = decodeDistrictSnapshot(embedded.district);
          queryClient.setQueryData(districtSnapshotQuery(env, snapshot.district.id).queryKey, snapshot);
        }
        const committed = (): void => {
          // The sign the browser tests and `bench:web` wait for: the page's buttons and fields are the app's now.
          document.documentElement.setAttribute("data-hydrated", "");
          markTakenOver();
          resolve();
        };
        const app = (
          <StrictMode>
            <EnvironmentContext.Provider value={env}>
              <QueryClientProvider client={queryClient}>
                <WalletGateProvider>
                  <App>
                    <Committed done={committed} />
                  </App>
                </WalletGateProvider>
              </QueryClientProvider>
            </EnvironmentContext.Provider>
          </StrictMode>
        );
        // A page rendered ahead keeps its elements (its pictures do not load twice); any other is drawn here. Either
        // in a transition: React then works in slices of a few milliseconds and lets the browser handle a tap between
        // them, instead of one long task over the whole page (what a slow phone's resident would feel as a frozen
        // page).
        startTransition(() => {
          if (embedded && container.firstElementChild) hydrateRoot(container, app);
          else createRoot(container).render(app);
        });
      }),
    (error: unknown) => {
      const root: Root = createRoot(container);
      root.render(<p role="alert">{String(error)}</p>);
    },
  );
}
