/**
 * wagmi for the voting code: the configured chain over plain HTTP, EIP-6963 discovery, the generic injected wallet
 * and (on the local chain only) the built-in dev wallet. One config per page load, reconnected once; each part of
 * the chunk that needs the wallet (the header's button, the ballot, my vote, the committee's pages) wraps itself in
 * `WalletScope`, which only hands that config down, so the chunk's arrival remounts nothing around it.
 */
import i18n from "i18next";
import type { ReactNode } from "react";
import { createConfig, http, injected, WagmiContext, type Config } from "wagmi";
import { reconnect } from "wagmi/actions";

import { chainOf } from "../chain.js";
import { devWalletAllowed, type KopilkaConfig } from "../config.js";
import { useEnvironment } from "../context.js";
import { devWalletProvider } from "./devWallet.js";

export const DEV_WALLET_ID = "kopilka-dev";

const configs = new Map<KopilkaConfig, Config>();

export function wagmiConfigOf(config: KopilkaConfig): Config {
  let wagmi = configs.get(config);
  if (!wagmi) {
    const chain = chainOf(config);
    const connectors = [injected()];
    if (devWalletAllowed(config)) {
      connectors.push(
        injected({
          target: {
            id: DEV_WALLET_ID,
            name: i18n.t("walletOption.dev"),
            provider: devWalletProvider(config) as never,
          },
        }),
      );
    }
    wagmi = createConfig({
      chains: [chain],
      transports: { [chain.id]: http(chain.rpcUrls.default.http[0]) },
      connectors,
      multiInjectedProviderDiscovery: true,
    });
    configs.set(config, wagmi);
    // What WagmiProvider does on mount, once for the page: reconnect a wallet used here before.
    void reconnect(wagmi);
  }
  return wagmi;
}

export function WalletScope({ children }: { children: ReactNode }): ReactNode {
  const { config } = useEnvironment();
  return <WagmiContext.Provider value={wagmiConfigOf(config)}>{children}</WagmiContext.Provider>;
}
