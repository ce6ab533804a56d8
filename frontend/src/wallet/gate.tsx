/**
 * The wallet is loaded only when someone wants it: wagmi, its connectors and the claim code live in a separate
 * chunk (./wallet.tsx), fetched when the reader presses "connect", opens their votes, or had a wallet connected on
 * an earlier visit. Until then the read-only pages carry none of it.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

type WalletModule = typeof import("./wallet.js");

interface WalletGate {
  wallet: WalletModule | null;
  loading: boolean;
  /** Loads the wallet chunk; `openDialog` asks it to show the wallet chooser once it is there. */
  load(openDialog?: boolean): void;
  dialogRequested: boolean;
  clearDialogRequest(): void;
}

const GateContext = createContext<WalletGate | null>(null);

export const WALLET_USED_KEY = "kopilka.wallet";

export function WalletGateProvider({ children }: { children: ReactNode }): ReactNode {
  const [wallet, setWallet] = useState<WalletModule | null>(null);
  // A visitor who used a wallet here before gets its code at once.
  const [loading, setLoading] = useState(() => localStorage.getItem(WALLET_USED_KEY) !== null);
  const [dialogRequested, setDialogRequested] = useState(false);
  const load = useCallback((openDialog = false) => {
    if (openDialog) setDialogRequested(true);
    setLoading(true);
  }, []);
  useEffect(() => {
    if (loading) void import("./wallet.js").then(setWallet);
  }, [loading]);
  const clearDialogRequest = useCallback(() => setDialogRequested(false), []);
  const gate = { wallet, loading: loading && !wallet, load, dialogRequested, clearDialogRequest };
  return (
    <GateContext.Provider value={gate}>
      {wallet ? <wallet.WalletProvider>{children}</wallet.WalletProvider> : children}
    </GateContext.Provider>
  );
}

export function useWalletGate(): WalletGate {
  const gate = useContext(GateContext);
  if (!gate) throw new Error("useWalletGate outside WalletGateProvider");
  return gate;
}

/** The connect button before the wallet chunk is loaded, and the chunk's own button after. */
export function WalletButton({ label }: { label: string }): ReactNode {
  const gate = useWalletGate();
  if (gate.wallet) return <gate.wallet.AccountButton />;
  return (
    <button type="button" className="primary" onClick={() => gate.load(true)} disabled={gate.loading}>
      {label}
    </button>
  );
}
