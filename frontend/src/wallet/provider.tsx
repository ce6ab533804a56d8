/**
 * wagmi for the dApp: the configured chain over plain HTTP, EIP-6963 discovery, the generic injected wallet and (on
 * the local chain only) the built-in dev wallet.
 */
import { useMemo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { createConfig, http, injected, WagmiProvider } from "wagmi";

import { chainOf } from "../chain.js";
import { devWalletAllowed } from "../config.js";
import { useEnvironment } from "../context.js";
import { devWalletProvider } from "./devWallet.js";

export const DEV_WALLET_ID = "kopilka-dev";

export function WalletProvider({ children }: { children: ReactNode }): ReactNode {
  const { config } = useEnvironment();
  const { t } = useTranslation();
  const wagmiConfig = useMemo(() => {
    const chain = chainOf(config);
    const connectors = [injected()];
    if (devWalletAllowed(config)) {
      connectors.push(
        injected({
          target: { id: DEV_WALLET_ID, name: t("wallet.dev"), provider: devWalletProvider(config) as never },
        }),
      );
    }
    return createConfig({
      chains: [chain],
      transports: { [chain.id]: http(chain.rpcUrls.default.http[0]) },
      connectors,
      multiInjectedProviderDiscovery: true,
    });
    // The config is built once per page load; the language of the dev wallet's label does not matter later.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [config]);
  return (
    <WagmiProvider config={wagmiConfig} reconnectOnMount>
      {children}
    </WagmiProvider>
  );
}
