import { createContext, useContext } from "react";

import type { KopilkaConfig } from "./config.js";

/**
 * What every page has from the start: the runtime configuration. The chain client is not here: the read-only pages
 * paint from the published snapshot, and the code that talks to the chain (./chain.ts) is loaded after them.
 */
export interface AppEnvironment {
  config: KopilkaConfig;
}

export const EnvironmentContext = createContext<AppEnvironment | null>(null);

export function useEnvironment(): AppEnvironment {
  const environment = useContext(EnvironmentContext);
  if (!environment) throw new Error("useEnvironment outside EnvironmentContext");
  return environment;
}
