/**
 * The voting code is loaded only when someone wants it: wagmi, its connectors, the ballot and the claim live in a
 * separate chunk (./wallet.tsx), fetched when the reader presses "vote" or "sign in", opens their vote, or signed in
 * on an earlier visit. Until then the read-only pages carry none of it. The chunk's parts each bring their own wallet
 * scope (./provider.tsx), so its arrival never remounts the page around them.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

export type WalletModule = typeof import("./wallet.js");

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
  const [loading, setLoading] = useState(
    () => typeof localStorage !== "undefined" && localStorage.getItem(WALLET_USED_KEY) !== null,
  );
  const [dialogRequested, setDialogRequested] = useState(false);
  const load = useCallback((openDialog = false) => {
    if (openDialog) setDialogRequested(true);
    setLoading(true);
  }, []);
  useEffect(() => {
    // Offline, the chunk may not come: the next click asks again.
    if (loading) import("./wallet.js").then(setWallet, () => setLoading(false));
  }, [loading]);
  const clearDialogRequest = useCallback(() => setDialogRequested(false), []);
  const gate = useMemo(
    () => ({ wallet, loading: loading && !wallet, load, dialogRequested, clearDialogRequest }),
    [wallet, loading, load, dialogRequested, clearDialogRequest],
  );
  return <GateContext.Provider value={gate}>{children}</GateContext.Provider>;
}

export function useWalletGate(): WalletGate {
  const gate = useContext(GateContext);
  if (!gate) throw new Error("useWalletGate outside WalletGateProvider");
  return gate;
}

/** The sign-in button before the voting chunk is loaded, and the chunk's own button after. */
export function SignInButton({ label }: { label: string }): ReactNode {
  const gate = useWalletGate();
  if (gate.wallet) return <gate.wallet.AccountButton />;
  return (
    <button type="button" className="primary" onClick={() => gate.load(true)} disabled={gate.loading}>
      {label}
    </button>
  );
}
