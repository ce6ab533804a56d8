/**
 * Casting a resident's ballot: their own transaction when they can pay for it, otherwise (when a relayer is
 * configured) a ballot they sign and the relayer submits. Both carry the moves of one plan (@kopilka/core/ballotPlan).
 */
import { useQueryClient } from "@tanstack/react-query";
import { encodeFunctionData, type Address, type TransactionReceipt } from "viem";
import { useSignTypedData } from "wagmi";

import { airdropAbi, budgetTokenAbi, roundAbi } from "@kopilka/core/abi";
import { ballotMoves, directCall, type AllowanceClaim, type BallotPlan } from "@kopilka/core/ballotPlan";
import { useChainEnvironment } from "../chain.js";
import { ballotToSign, followBallot, lacksGas, postBallot, relayerOf } from "./relay.js";
import { TxFailure, useTransaction } from "./transaction.js";

/** The round's ABI with the token's and airdrop's errors, so a revert from either is decoded by name. */
const VOTE_ABI = [
  ...roundAbi,
  ...budgetTokenAbi.filter((item) => item.type === "error"),
  ...airdropAbi.filter((item) => item.type === "error"),
] as const;

/** How often a ballot's receipt is asked for, in milliseconds. */
const RECEIPT_POLL_MS = 1_000;

/** A ballot in a block, and whether a relayer sent it (the resident signed and paid nothing). */
export interface CastBallot {
  receipt: TransactionReceipt;
  relayed: boolean;
}

/**
 * `cast(plan, claim)` sends `account`'s ballot and returns its receipt once it is in a block, or undefined when it
 * failed or was refused; `tx` says where it is, until `reset`. `claim` is the airdrop leaf, for a first ballot.
 */
export function useCastBallot(account: Address) {
  const env = useChainEnvironment();
  const queryClient = useQueryClient();
  const { signTypedDataAsync } = useSignTypedData();
  const { tx, busy, run, sendCalls, confirm, reset } = useTransaction(VOTE_ABI, RECEIPT_POLL_MS);

  const cast = (plan: BallotPlan, claim?: AllowanceClaim): Promise<CastBallot | undefined> =>
    run(async (report) => {
      report({ state: "signing", relayed: false });
      const call = directCall(plan, claim);
      const relayer = relayerOf(env);
      // Relayed only when the resident cannot pay for their own transaction.
      const relayed =
        relayer !== undefined && (await lacksGas(env, account, encodeFunctionData({ abi: VOTE_ABI, ...call })));
      let receipt: TransactionReceipt;
      if (relayer !== undefined && relayed) {
        report({ state: "signing", relayed });
        // The relayer adds the claim to a first ballot itself.
        const typed = await ballotToSign(env, relayer, account, ballotMoves(plan));
        const signature = await signTypedDataAsync({ account, ...typed });
        await postBallot(relayer, typed.message, signature);
        report({ state: "relaying", status: "queued" });
        // Counted only once the relayer has read the receipt and the ballot box did not reject the ballot.
        const settled = await followBallot(relayer, account, typed.message.nonce, (progress) => {
          if (progress.status === "queued" || progress.status === "submitted") {
            report({ state: "relaying", status: progress.status, hash: progress.transactionHash });
          }
        });
        if (settled.status === "rejected" || !settled.transactionHash) {
          throw new TxFailure(settled.reason ?? "rejected");
        }
        receipt = await confirm(settled.transactionHash);
      } else {
        [receipt] = await sendCalls([{ address: env.config.round, ...call }], report);
      }
      report({ state: "confirmed", receipts: [receipt], relayed });
      void queryClient.invalidateQueries({ queryKey: ["banks"] });
      void queryClient.invalidateQueries({ queryKey: ["live"] });
      return { receipt, relayed };
    });

  return { tx, busy, cast, reset };
}
