/**
 * Casting a resident's ballot: with a wallet, their own transaction when they can pay for it, otherwise (when a
 * relayer is configured) a ballot they sign and the relayer submits; with the key this browser keeps after a phone
 * check (../resident/keyStore.ts), always a ballot the page signs and the relayer submits. All carry the moves of one
 * plan (@kopilka/core/ballotPlan).
 */
import { useQueryClient } from "@tanstack/react-query";
import { encodeFunctionData, type Address, type TransactionReceipt } from "viem";
import { useSignTypedData } from "wagmi";

import { airdropAbi, budgetTokenAbi, roundAbi } from "@kopilka/core/abi";
import { ballotMoves, directCall, type AllowanceClaim, type BallotPlan } from "@kopilka/core/ballotPlan";
import { ballotDigest } from "@kopilka/core/ballots";
import { signDigestP256, SignatureScheme } from "@kopilka/core/keys";
import { useChainEnvironment } from "../chain.js";
import { keySigner, type BrowserKey } from "../resident/keyStore.js";
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
 * failed or was refused; `tx` says where it is, until `reset`. `claim` is the airdrop leaf, for a first ballot. With
 * `key` (the browser's own, whose account is `account`) the page signs and the relayer sends, never a wallet.
 */
export function useCastBallot(account: Address, key?: BrowserKey) {
  const env = useChainEnvironment();
  const queryClient = useQueryClient();
  const { signTypedDataAsync } = useSignTypedData();
  const { tx, busy, run, sendCalls, confirm, reset } = useTransaction(VOTE_ABI, RECEIPT_POLL_MS);

  const cast = (plan: BallotPlan, claim?: AllowanceClaim): Promise<CastBallot | undefined> =>
    run(async (report) => {
      const relayer = relayerOf(env);
      if (key && !relayer) throw new TxFailure("no relayer is configured for a browser key's ballot");
      if (!key) report({ state: "signing", relayed: false });
      const call = directCall(plan, claim);
      // A wallet's ballot is relayed only when the resident cannot pay for their own transaction.
      const relayed =
        relayer !== undefined &&
        (key !== undefined || (await lacksGas(env, account, encodeFunctionData({ abi: VOTE_ABI, ...call }))));
      let receipt: TransactionReceipt;
      if (relayer !== undefined && relayed) {
        if (!key) report({ state: "signing", relayed });
        // The relayer adds the claim to a first ballot itself.
        const typed = await ballotToSign(env, relayer, account, ballotMoves(plan));
        if (key) {
          const digest = ballotDigest({ ...typed.domain, chainId: BigInt(typed.domain.chainId) }, typed.message);
          await postBallot(relayer, typed.message, await signDigestP256(keySigner(key), digest), SignatureScheme.P256);
        } else {
          await postBallot(relayer, typed.message, await signTypedDataAsync({ account, ...typed }));
        }
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
