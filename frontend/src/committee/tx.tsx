/** Sending the committee's transactions through the connected wallet, with an explicit state for each. */
import { useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Abi, TransactionReceipt } from "viem";
import { waitForTransactionReceipt } from "viem/actions";
import { useWriteContract } from "wagmi";

import { useEnvironment } from "../context.js";
import { airdropAbi, budgetTokenAbi, roundAbi, roundFactoryAbi } from "@kopilka/core/abi";
import { errorReason, isRejection } from "../wallet/wallet.js";

/** Every contract's functions and errors, so that a revert from any of them is decoded by name. */
export const STAFF_ABI = [
  ...roundAbi,
  ...roundFactoryAbi.filter((item) => item.type !== "constructor"),
  ...budgetTokenAbi.filter((item) => item.type === "error"),
  ...airdropAbi.filter((item) => item.type === "error" || item.type === "event"),
] as const;

export type TxState =
  | { state: "idle" }
  | { state: "signing"; step?: [number, number] }
  | { state: "pending"; step?: [number, number] }
  | { state: "done"; block: bigint }
  | { state: "failed"; reason: string }
  | { state: "rejected" };

export interface ContractCall {
  address: `0x${string}`;
  functionName: string;
  args: readonly unknown[];
}

/** Sends calls one after another; stops at the first that fails. Returns the receipts, or undefined on failure. */
export function useSender() {
  const env = useEnvironment();
  const queryClient = useQueryClient();
  const { writeContractAsync } = useWriteContract();
  const [tx, setTx] = useState<TxState>({ state: "idle" });
  const send = async (calls: readonly ContractCall[]): Promise<TransactionReceipt[] | undefined> => {
    const receipts: TransactionReceipt[] = [];
    try {
      for (const [i, call] of calls.entries()) {
        const step: [number, number] | undefined = calls.length > 1 ? [i + 1, calls.length] : undefined;
        setTx({ state: "signing", step });
        const hash = await writeContractAsync({
          abi: STAFF_ABI as unknown as Abi,
          chainId: env.config.chainId,
          ...call,
        } as never);
        setTx({ state: "pending", step });
        const receipt = await waitForTransactionReceipt(env.client, { hash, pollingInterval: 300 });
        if (receipt.status !== "success") {
          setTx({ state: "failed", reason: `reverted in block ${receipt.blockNumber}` });
          return undefined;
        }
        receipts.push(receipt);
      }
      setTx({ state: "done", block: receipts.at(-1)?.blockNumber ?? 0n });
      return receipts;
    } catch (error) {
      setTx(isRejection(error) ? { state: "rejected" } : { state: "failed", reason: errorReason(error) });
      return undefined;
    } finally {
      await queryClient.invalidateQueries();
    }
  };
  return { tx, send, busy: tx.state === "signing" || tx.state === "pending" };
}

export function TxLine({ tx }: { tx: TxState }): ReactNode {
  const { t } = useTranslation();
  const step =
    (tx.state === "signing" || tx.state === "pending") && tx.step
      ? ` ${t("staff.tx.progress", { done: tx.step[0], total: tx.step[1] })}`
      : "";
  switch (tx.state) {
    case "idle":
      return null;
    case "signing":
    case "pending":
      return (
        <p className="notice" role="status" data-tx={tx.state}>
          {t(`staff.tx.${tx.state}`)}
          {step}
        </p>
      );
    case "done":
      return (
        <p className="notice ok" role="status" data-tx="done">
          {t("staff.tx.done", { block: tx.block.toString() })}
        </p>
      );
    case "failed":
      return (
        <p className="notice error" role="alert" data-tx="failed">
          {t("staff.tx.failed", { reason: tx.reason })}
        </p>
      );
    case "rejected":
      return (
        <p className="notice error" role="alert" data-tx="rejected">
          {t("staff.tx.rejected")}
        </p>
      );
  }
}
