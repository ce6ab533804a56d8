import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { startTransition, StrictMode } from "react";
import { createRoot, hydrateRoot, type Root } from "react-dom/client";

import { decodeDistrictSnapshot, decodeRoundSnapshot } from "@kopilka/core/snapshot";

import { App } from "./App.js";
import { loadConfig } from "./config.js";
import { EnvironmentContext } from "./context.js";
import { districtSnapshotQuery, roundSnapshotQuery } from "./data/snapshot.js";
import { readEmbedded } from "./embedded.js";
import { setupI18n } from "./i18n.js";
import { registerServiceWorker } from "./offline.js";
import { preloadRoute } from "./routes.js";
import "./styles.css";
import { WalletGateProvider } from "./wallet/gate.js";

const container = document.getElementById("root")!;
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 2, refetchOnWindowFocus: false } } });
registerServiceWorker(() => void queryClient.refetchQueries({ queryKey: ["snapshot"] }));

// A page the server rendered ahead brings its config and snapshot: the app starts from what is already on screen.
const embedded = readEmbedded();

// The page's own code comes with the config and the language, so that a page rendered ahead is taken over as it is.
Promise.all([
  embedded ? Promise.resolve(embedded.config) : loadConfig(),
  setupI18n(),
  preloadRoute(location.pathname),
]).then(
  ([config]) => {
    const env = { config };
    if (embedded?.round)
      queryClient.setQueryData(roundSnapshotQuery(env).queryKey, decodeRoundSnapshot(embedded.round));
    if (embedded?.district) {
      const snapshot = decodeDistrictSnapshot(embedded.district);
      queryClient.setQueryData(districtSnapshotQuery(env, snapshot.district.id).queryKey, snapshot);
    }
    const app = (
      <StrictMode>
        <EnvironmentContext.Provider value={env}>
          <QueryClientProvider client={queryClient}>
            <WalletGateProvider>
              <App />
            </WalletGateProvider>
          </QueryClientProvider>
        </EnvironmentContext.Provider>
      </StrictMode>
    );
    // A page rendered ahead keeps its elements (its pictures do not load twice); any other is drawn here. Either in a
    // transition: React then works in slices of a few milliseconds and lets the browser handle a tap between them,
    // instead of one long task over the whole page (what a slow phone's resident would feel as a frozen page).
    startTransition(() => {
      if (embedded && container.firstElementChild) hydrateRoot(container, app);
      else createRoot(container).render(app);
    });
  },
  (error: unknown) => {
    const root: Root = createRoot(container);
    root.render(<p role="alert">{String(error)}</p>);
  },
);
