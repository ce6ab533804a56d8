import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App.js";
import { loadConfig } from "./config.js";
import { EnvironmentContext } from "./context.js";
import { setupI18n } from "./i18n.js";
import { registerServiceWorker } from "./offline.js";
import "./styles.css";
import { WalletGateProvider } from "./wallet/gate.js";

const root = createRoot(document.getElementById("root")!);
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 2, refetchOnWindowFocus: false } } });
registerServiceWorker(() => void queryClient.refetchQueries({ queryKey: ["snapshot"] }));

Promise.all([loadConfig(), setupI18n()]).then(
  ([config]) => {
    root.render(
      <StrictMode>
        <EnvironmentContext.Provider value={{ config }}>
          <QueryClientProvider client={queryClient}>
            <WalletGateProvider>
              <App />
            </WalletGateProvider>
          </QueryClientProvider>
        </EnvironmentContext.Provider>
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.render(<p role="alert">{String(error)}</p>);
  },
);
