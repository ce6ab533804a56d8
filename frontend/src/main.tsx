import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App.js";
import { asRpc, readClient } from "./chain.js";
import { loadConfig } from "./config.js";
import { EnvironmentContext } from "./context.js";
import { setupI18n } from "./i18n.js";
import "./styles.css";
import { WalletGateProvider } from "./wallet/gate.js";

const root = createRoot(document.getElementById("root")!);
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 2, refetchOnWindowFocus: false } } });

Promise.all([loadConfig(), setupI18n()]).then(
  ([config]) => {
    const client = readClient(config);
    const environment = { config, client, rpc: asRpc(client) };
    root.render(
      <StrictMode>
        <EnvironmentContext.Provider value={environment}>
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
