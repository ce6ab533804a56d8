/**
 * Connecting a wallet: the account button in the header, the dialog listing the wallets the browser announces (and
 * the dev wallet on the local chain), and the prompt shown where a page needs a connected account.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useConnect, useConnection, useConnectors, useDisconnect, type Connector } from "wagmi";

import { devWalletAllowed } from "../config.js";
import { useEnvironment } from "../context.js";
import { shortAddress } from "../format.js";
import { devAccounts, selectDevAccount, selectedDevAccount } from "./devWallet.js";
import { errorReason } from "./errors.js";
import { useWalletGate, WALLET_USED_KEY } from "./gate.js";
import { DEV_WALLET_ID } from "./provider.js";

export function AccountButton(): ReactNode {
  const { t } = useTranslation();
  const gate = useWalletGate();
  const connection = useConnection();
  const { disconnect } = useDisconnect();
  const [chosen, setChosen] = useState(false);
  // The dialog opens when the visitor asks for it here, or when a page asked for it before the wallet code loaded.
  const open = chosen || (gate.dialogRequested && connection.status !== "connected");
  const setOpen = (value: boolean): void => {
    setChosen(value);
    if (!value) gate.clearDialogRequest();
  };
  useEffect(() => {
    if (connection.status === "connected" && gate.dialogRequested) gate.clearDialogRequest();
  }, [connection.status, gate]);
  if (connection.status === "connected" && connection.address) {
    return (
      <span className="account">
        <span className="mono" title={connection.address}>
          {shortAddress(connection.address)}
        </span>
        <button
          type="button"
          className="link"
          onClick={() => {
            localStorage.removeItem(WALLET_USED_KEY);
            disconnect();
          }}
        >
          {t("wallet.disconnect")}
        </button>
      </span>
    );
  }
  return (
    <>
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        {connection.status === "connecting" || connection.status === "reconnecting"
          ? t("wallet.connecting")
          : t("wallet.connect")}
      </button>
      {open && <ConnectDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function ConnectDialog({ onClose }: { onClose: () => void }): ReactNode {
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
    onClose();
  };
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="connect-title">
        <h2 id="connect-title">{t("wallet.choose")}</h2>
        {shown.length === 0 && !dev && <p>{t("wallet.none")}</p>}
        <ul className="wallets">
          {shown.map((c) => (
            <li key={c.uid}>
              <button type="button" onClick={() => void connect(c)} disabled={isPending}>
                {c.icon && <img src={c.icon} alt="" width={24} height={24} />} {c.name}
              </button>
            </li>
          ))}
        </ul>
        {dev && devWalletAllowed(config) && (
          <DevWalletChoice onConnect={() => void connect(dev)} disabled={isPending} />
        )}
        {error && <p role="alert">{errorReason(error)}</p>}
        <button type="button" className="link" onClick={onClose}>
          {t("wallet.close")}
        </button>
      </div>
    </div>
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
        <span>{t("wallet.devAccount")}</span>
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
        {t("wallet.dev")}
      </button>
    </div>
  );
}

/** Where a page needs an account and none is connected. */
export function ConnectFirst(): ReactNode {
  const { t } = useTranslation();
  return (
    <div className="notice">
      <p>{t("vote.connectFirst")}</p>
      <AccountButton />
    </div>
  );
}
