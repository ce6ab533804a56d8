/**
 * Signing in: the header's button, the dialog that asks how to sign in, and the wallet's own optional screen, which
 * lists the wallets the browser announces (and the dev wallet on the local chain). Only that screen names the wallet.
 * Signing in by phone (when the round has resident services) is the first option and has a page of its own,
 * `/phone` (../resident/PhoneSignIn.tsx).
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useConnect, useConnection, useConnectors, useDisconnect, type Connector } from "wagmi";
import { useLocation } from "wouter";

import { devWalletAllowed } from "../config.js";
import { useEnvironment } from "../context.js";
import { shortAddress } from "../format.js";
import { servicesOf } from "../resident/enrollApi.js";
import { useBrowserResident } from "../resident/resident.js";
import { devAccounts, selectDevAccount, selectedDevAccount } from "./devWallet.js";
import { errorReason } from "./errors.js";
import { useWalletGate, WALLET_USED_KEY } from "./gate.js";
import { DEV_WALLET_ID, WalletScope } from "./provider.js";

/** The header's button: "sign in", or who is signed in and "sign out". */
export function AccountButton(): ReactNode {
  return (
    <WalletScope>
      <AccountButtonInScope />
    </WalletScope>
  );
}

function AccountButtonInScope(): ReactNode {
  const { t } = useTranslation();
  const gate = useWalletGate();
  const connection = useConnection();
  const { disconnect } = useDisconnect();
  const [chosen, setChosen] = useState(false);
  // The dialog opens when the visitor asks for it here, or when a page asked for it before this code loaded.
  const open = chosen || (gate.dialogRequested && connection.status !== "connected");
  const setOpen = (value: boolean): void => {
    setChosen(value);
    if (!value) gate.clearDialogRequest();
  };
  const resident = useBrowserResident();
  useEffect(() => {
    if (connection.status === "connected" && gate.dialogRequested) gate.clearDialogRequest();
  }, [connection.status, gate]);
  const status = resident.state === "enrolled" ? resident.status?.status : undefined;
  if (connection.status !== "connected" && (status === "queued" || status === "posted")) {
    // Signed in by phone: nothing to sign out of, since the browser's key is the resident's only way to vote here.
    return (
      <span className="account" data-testid="signed-in-phone">
        <span className="small">{t("phone.signedIn")}</span>
      </span>
    );
  }
  if (connection.status === "connected" && connection.address) {
    return (
      <span className="account">
        <span className="small">{t("nav.signedIn")}</span>
        <button
          type="button"
          className="link"
          onClick={() => {
            localStorage.removeItem(WALLET_USED_KEY);
            disconnect();
          }}
        >
          {t("nav.signOut")}
        </button>
      </span>
    );
  }
  return (
    <>
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        {connection.status === "connecting" || connection.status === "reconnecting"
          ? t("common.loading")
          : t("nav.signIn")}
      </button>
      {open && <SignInDialog onClose={() => setOpen(false)} />}
    </>
  );
}

/** Where a page needs the resident and nobody is signed in: a button that opens the sign-in dialog. */
export function SignInPrompt(): ReactNode {
  return (
    <WalletScope>
      <SignInPromptInScope />
    </WalletScope>
  );
}

function SignInPromptInScope(): ReactNode {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="primary" onClick={() => setOpen(true)} data-testid="sign-in">
        {t("nav.signIn")}
      </button>
      {open && <SignInDialog onClose={() => setOpen(false)} />}
    </>
  );
}

/** "How do you want to sign in?": one option per way (today the wallet), each leading to its own screen. */
function SignInDialog({ onClose }: { onClose: () => void }): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const [location, navigate] = useLocation();
  const [screen, setScreen] = useState<"choose" | "wallet">("choose");
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    dialog.current?.querySelector<HTMLElement>("h2")?.focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [screen, onClose]);
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="sign-in-title" ref={dialog}>
        {screen === "choose" ? (
          <>
            <h2 id="sign-in-title" tabIndex={-1}>
              {t("signin.title")}
            </h2>
            <p>{t("signin.intro")}</p>
            <ul className="options">
              {servicesOf(config) && (
                <li>
                  <button
                    type="button"
                    className="option"
                    data-testid="sign-in-phone"
                    onClick={() => {
                      onClose();
                      navigate(`/phone?next=${encodeURIComponent(location)}`);
                    }}
                  >
                    <strong>{t("phone.option")}</strong>
                    <span className="small">{t("phone.optionHint")}</span>
                  </button>
                </li>
              )}
              <li>
                <button type="button" className="option" onClick={() => setScreen("wallet")} data-wallet-option>
                  <strong>{t("walletOption.choose")}</strong>
                  <span className="small">{t("walletOption.hint")}</span>
                </button>
              </li>
            </ul>
          </>
        ) : (
          <WalletScreen onDone={onClose} onBack={() => setScreen("choose")} />
        )}
        <button type="button" className="link" onClick={onClose}>
          {t("signin.close")}
        </button>
      </div>
    </div>
  );
}

/** The wallet's own screen: the wallets this browser has, and the dev wallet on the local chain. */
function WalletScreen({ onDone, onBack }: { onDone: () => void; onBack: () => void }): ReactNode {
  return (
    <div data-wallet-option>
      <WalletChoices onDone={onDone} onBack={onBack} />
    </div>
  );
}

function WalletChoices({ onDone, onBack }: { onDone: () => void; onBack: () => void }): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const connectors = useConnectors();
  const { connectAsync, isPending, error } = useConnect();
  // EIP-6963 wallets announce themselves; the generic injected one is only worth showing when none did.
  const announced = connectors.filter((c) => c.type === "injected" && c.id !== "injected" && c.id !== DEV_WALLET_ID);
  const generic = connectors.find((c) => c.id === "injected");
  const dev = connectors.find((c) => c.id === DEV_WALLET_ID);
  const shown = [...announced, ...(announced.length === 0 && generic && "ethereum" in window ? [generic] : [])];
  const connect = async (connector: Connector): Promise<void> => {
    await connectAsync({ connector });
    localStorage.setItem(WALLET_USED_KEY, "1");
    onDone();
  };
  return (
    <>
      <h2 id="sign-in-title" tabIndex={-1}>
        {t("walletOption.title")}
      </h2>
      {shown.length === 0 && !dev && <p>{t("walletOption.none")}</p>}
      <ul className="wallets">
        {shown.map((c) => (
          <li key={c.uid}>
            <button type="button" onClick={() => void connect(c)} disabled={isPending}>
              {c.icon && <img src={c.icon} alt="" width={24} height={24} />} {c.name}
            </button>
          </li>
        ))}
      </ul>
      {dev && devWalletAllowed(config) && <DevWalletChoice onConnect={() => void connect(dev)} disabled={isPending} />}
      {isPending && <p role="status">{t("walletOption.connecting")}</p>}
      {error && <p role="alert">{errorReason(error)}</p>}
      <button type="button" className="link" onClick={onBack}>
        ← {t("walletOption.back")}
      </button>
    </>
  );
}

function DevWalletChoice({ onConnect, disabled }: { onConnect: () => void; disabled: boolean }): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const accounts = useQuery({ queryKey: ["devAccounts"], queryFn: () => devAccounts(config) });
  const [index, setIndex] = useState(selectedDevAccount);
  return (
    <div className="dev-wallet">
      <label className="field">
        <span>{t("walletOption.devAccount")}</span>
        <select value={index} onChange={(e) => setIndex(Number(e.target.value))}>
          {(accounts.data ?? []).map((a, i) => (
            <option key={a} value={i}>
              #{i} {shortAddress(a)}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        onClick={() => {
          selectDevAccount(index);
          onConnect();
        }}
        disabled={disabled || !accounts.data}
      >
        {t("walletOption.dev")}
      </button>
    </div>
  );
}

/** The committee's pages: the wallet is the only way in there, and they say so in their own words. */
export function ConnectFirst(): ReactNode {
  const { t } = useTranslation();
  return (
    <div className="notice">
      <p>{t("staff.connectFirst")}</p>
      <SignInPromptInScope />
    </div>
  );
}
