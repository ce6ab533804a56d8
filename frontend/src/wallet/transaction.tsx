/**
 * Sending transactions through the connected wallet, with one explicit state at every moment, and the line that
 * shows that state: shared by the residents' ballot and the committee's pages, each in its own words.
 */
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Abi, Address, Hex, TransactionReceipt } from "viem";
import { waitForTransactionReceipt } from "viem/actions";
import { useWriteContract } from "wagmi";

import { useChainEnvironment } from "../chain.js";
import { shortAddress } from "../format.js";
import { errorReason, isRejection } from "./errors.js";

/** Which of several transactions is under way, counting from 1. */
type Step = [current: number, total: number];

/** `relayed`: the person signed a ballot and a relayer sent the transaction, paying for it. */
export type TxState =
  | { state: "idle" }
  | { state: "signing"; relayed: boolean; step?: Step }
  | { state: "pending"; hash: Hex; step?: Step }
  | { state: "relaying"; status: "queued" | "submitted"; hash?: Hex }
  | { state: "confirmed"; receipts: TransactionReceipt[]; relayed: boolean }
  | { state: "failed"; reason: string; relayed: boolean }
  | { state: "rejected" };

export type Confirmed = Extract<TxState, { state: "confirmed" }>;

/** Moves the state on; the work in `run` calls it at each step. */
export type Report = (state: TxState) => void;

export interface ContractCall {
  address: Address;
  functionName: string;
  args: readonly unknown[];
}

/** A failure in the page's own words: a transaction that reverted, a ballot the relayer did not count. */
export class TxFailure extends Error {}

const IDLE: TxState = { state: "idle" };

const relayedIn = (state: TxState): boolean =>
  state.state === "relaying" || (state.state === "signing" && state.relayed);

/**
 * One transaction state machine. `abi` decodes the calls and their errors; `pollingInterval` is how often a receipt
 * is asked for, in milliseconds.
 */
export function useTransaction(abi: Abi, pollingInterval: number) {
  const env = useChainEnvironment();
  const { writeContractAsync } = useWriteContract();
  const [tx, setTx] = useState<TxState>(IDLE);

  /**
   * Runs `work`, which reports each state it reaches. A refusal in the wallet ends it as rejected; any other error
   * as failed, through the relayer if that is the path it was on. Returns what `work` returned, or undefined.
   */
  const run = async <T,>(work: (report: Report) => Promise<T>): Promise<T | undefined> => {
    let current = IDLE;
    const report: Report = (next) => {
      current = next;
      setTx(next);
    };
    try {
      return await work(report);
    } catch (error) {
      setTx(
        isRejection(error)
          ? { state: "rejected" }
          : { state: "failed", reason: errorReason(error), relayed: relayedIn(current) },
      );
      return undefined;
    }
  };

  /** The receipt of `hash`; throws when the transaction reverted. */
  const confirm = async (hash: Hex): Promise<TransactionReceipt> => {
    const receipt = await waitForTransactionReceipt(env.client, { hash, pollingInterval });
    if (receipt.status !== "success") throw new TxFailure(`reverted in block ${receipt.blockNumber}`);
    return receipt;
  };

  /** Sends `calls` one after another through the wallet, each confirmed before the next; stops at the first failure. */
  const sendCalls = async (calls: readonly ContractCall[], report: Report): Promise<TransactionReceipt[]> => {
    const receipts: TransactionReceipt[] = [];
    for (const [i, call] of calls.entries()) {
      const step: Step | undefined = calls.length > 1 ? [i + 1, calls.length] : undefined;
      report({ state: "signing", relayed: false, step });
      const hash = await writeContractAsync({ abi, chainId: env.config.chainId, ...call } as never);
      report({ state: "pending", hash, step });
      receipts.push(await confirm(hash));
    }
    return receipts;
  };

  /** Sends `calls` and ends confirmed; returns their receipts, or undefined when one failed or was refused. */
  const send = (calls: readonly ContractCall[]): Promise<TransactionReceipt[] | undefined> =>
    run(async (report) => {
      const receipts = await sendCalls(calls, report);
      report({ state: "confirmed", receipts, relayed: false });
      return receipts;
    });

  const busy = tx.state === "signing" || tx.state === "pending" || tx.state === "relaying";
  return { tx, busy, run, send, sendCalls, confirm, reset: () => setTx(IDLE) };
}

/** The i18n keys a page words each state with. */
export interface TxWords {
  signing: string;
  pending: string;
  /** With `{{reason}}`. */
  failed: string;
  rejected: string;
  /** With `{{block}}`. */
  confirmed: string;
  /** With `{{done}}` and `{{total}}`, after the line of one of several transactions. */
  progress?: string;
  /** Whether the pending line shows the transaction's hash. */
  pendingHash?: boolean;
  /** The words of the relayed path, for a signed ballot. */
  relayed?: { signing: string; failed: string; via: string; queued: string; submitted: string };
}

/**
 * The state of `tx` in one line. `receipt` replaces the confirmed line, for a page that shows more once a
 * transaction is in; without it the line carries `data-tx="done"`, as the committee's pages always have.
 */
export function TxStatus({
  tx,
  words,
  receipt,
}: {
  tx: TxState;
  words: TxWords;
  receipt?: (tx: Confirmed) => ReactNode;
}): ReactNode {
  const { t } = useTranslation();
  const step =
    (tx.state === "signing" || tx.state === "pending") && tx.step && words.progress
      ? ` ${t(words.progress, { done: tx.step[0], total: tx.step[1] })}`
      : "";
  switch (tx.state) {
    case "idle":
      return null;
    case "signing":
      return (
        <p className="notice" role="status" data-tx="signing">
          {tx.relayed && words.relayed ? t(words.relayed.signing) : t(words.signing)}
          {step}
        </p>
      );
    case "relaying":
      return (
        <div className="notice" role="status" data-tx="relaying" data-relay={tx.status}>
          <p data-path="relayer">{words.relayed && t(words.relayed.via)}</p>
          <p>
            {words.relayed && t(tx.status === "queued" ? words.relayed.queued : words.relayed.submitted)}{" "}
            {tx.hash && <span className="mono">{shortAddress(tx.hash)}</span>}
          </p>
        </div>
      );
    case "pending":
      return (
        <p className="notice" role="status" data-tx="pending">
          {t(words.pending)}
          {words.pendingHash && (
            <>
              {" "}
              <span className="mono">{shortAddress(tx.hash)}</span>
            </>
          )}
          {step}
        </p>
      );
    case "rejected":
      return (
        <p className="notice error" role="alert" data-tx="rejected">
          {t(words.rejected)}
        </p>
      );
    case "failed":
      return (
        <p className="notice error" role="alert" data-tx="failed">
          {t(tx.relayed && words.relayed ? words.relayed.failed : words.failed, { reason: tx.reason })}
        </p>
      );
    case "confirmed":
      if (receipt) return receipt(tx);
      return (
        <p className="notice ok" role="status" data-tx="done">
          {t(words.confirmed, { block: (tx.receipts.at(-1)?.blockNumber ?? 0n).toString() })}
        </p>
      );
  }
}
