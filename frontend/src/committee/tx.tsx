/** The committee's transactions: every contract's ABI (and the Safe's), the committee's words, and a sender that refreshes the page. */
import { useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { Abi, TransactionReceipt } from "viem";

import { airdropAbi, budgetTokenAbi, roundAbi, roundFactoryAbi } from "@kopilka/core/abi";
import { SAFE_ABI } from "@kopilka/core/safe";
import { STAFF_TX_WORDS } from "../staff/strings.js";
import { TxStatus, useTransaction, type ContractCall, type TxState } from "../wallet/wallet.js";

export type { ContractCall };

/** Every contract's functions and errors, so that a revert from any of them is decoded by name. */
export const STAFF_ABI = [
  ...roundAbi,
  ...roundFactoryAbi.filter((item) => item.type !== "constructor"),
  ...budgetTokenAbi.filter((item) => item.type === "error"),
  ...airdropAbi.filter((item) => item.type === "error" || item.type === "event"),
  ...SAFE_ABI,
] as const;

/** How often a receipt is asked for, in milliseconds: the committee waits at its desk. */
const RECEIPT_POLL_MS = 300;

/**
 * Sends calls one after another; stops at the first that fails. Returns the receipts, or undefined on failure.
 * Whatever happened, every query is read again.
 */
export function useSender() {
  const queryClient = useQueryClient();
  const { tx, busy, send } = useTransaction(STAFF_ABI as unknown as Abi, RECEIPT_POLL_MS);
  const sendAndRefresh = async (calls: readonly ContractCall[]): Promise<TransactionReceipt[] | undefined> => {
    try {
      return await send(calls);
    } finally {
      await queryClient.invalidateQueries();
    }
  };
  return { tx, busy, send: sendAndRefresh };
}

export function TxLine({ tx }: { tx: TxState }): ReactNode {
  return <TxStatus tx={tx} words={STAFF_TX_WORDS} />;
}
