/** The guard in front of every write: a wallet on another chain is asked to switch before anything is sent. */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useChainId, useConnection, useSwitchChain } from "wagmi";

import { useEnvironment } from "../context.js";
import { errorReason } from "./errors.js";

/** Shown instead of any write when the wallet is on another chain. */
export function NetworkGuard({ children }: { children: ReactNode }): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const connection = useConnection();
  const walletChain = useChainId();
  const chainId = connection.chainId ?? walletChain;
  const { switchChain, isPending, error } = useSwitchChain();
  if (chainId === config.chainId) return children;
  return (
    <div className="notice error" role="alert" data-testid="wrong-network" data-wallet-option>
      <p>
        {t("walletOption.wrongNetwork", { current: chainId, wanted: config.chainName ?? `Chain ${config.chainId}` })}
      </p>
      <button
        type="button"
        className="primary"
        disabled={isPending}
        onClick={() => switchChain({ chainId: config.chainId })}
      >
        {t("walletOption.switch")}
      </button>
      {error && <p>{errorReason(error)}</p>}
    </div>
  );
}
