import { createContext, useContext } from "react";

import type { ReadClient } from "./chain.js";
import type { KopilkaConfig } from "./config.js";

export interface AppEnvironment {
  config: KopilkaConfig;
  client: ReadClient;
}

export const EnvironmentContext = createContext<AppEnvironment | null>(null);

export function useEnvironment(): AppEnvironment {
  const environment = useContext(EnvironmentContext);
  if (!environment) throw new Error("useEnvironment outside EnvironmentContext");
  return environment;
}
