import { createContext, useContext } from "react";

import type { Eip1193Provider } from "@kopilka/core/chain";

import type { ReadClient } from "./chain.js";
import type { KopilkaConfig } from "./config.js";

export interface AppEnvironment {
  config: KopilkaConfig;
  client: ReadClient;
  /** The same client as a plain EIP-1193 provider, for the core's reader and auditor. */
  rpc: Eip1193Provider;
}

export const EnvironmentContext = createContext<AppEnvironment | null>(null);

export function useEnvironment(): AppEnvironment {
  const environment = useContext(EnvironmentContext);
  if (!environment) throw new Error("useEnvironment outside EnvironmentContext");
  return environment;
}
