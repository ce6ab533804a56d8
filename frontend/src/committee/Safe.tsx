/**
 * Safe confirmations: when a Safe multisig holds the round's roles, every committee command run with
 * `kopilka --safe ADDRESS` proposes a Safe transaction and publishes it, with its owners' signatures, in
 * `<publishedBase>/<chainId>/safe/<safe>.json` (docs/committee.md). Here an owner sees what waits and confirms it
 * on-chain with the Safe's own `approveHash`; the CLI counts that approval when it executes. Nothing here trusts the
 * file: signatures are recovered (@kopilka/core/safe) and approvals read from the Safe.
 */
import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { readContract } from "viem/actions";
import { useSearch } from "wouter";

import {
  confirmationsOf,
  executionSignatures,
  SAFE_ABI,
  safeProposalsPath,
  type SafeProposal,
  type SafeProposals,
} from "@kopilka/core/safe";
import { Failure, Loading } from "../components/common.js";
import { useChainEnvironment } from "../chain.js";
import { publicationRoot } from "../data/files.js";
import { shortAddress } from "../format.js";
import { TxLine, useSender, type ContractCall } from "./tx.js";

export function SafeConfirmations({ account }: { account: Address }): ReactNode {
  const { t } = useTranslation();
  const [safe, setSafe] = useState(new URLSearchParams(useSearch()).get("safe") ?? "");
  return (
    <section className="card staff" aria-labelledby="safe-title">
      <h2 id="safe-title">{t("staff.committee.safe.title")}</h2>
      <p>{t("staff.committee.safe.intro")}</p>
      <label className="field">
        <span>{t("staff.committee.safe.address")}</span>
        <input
          type="text"
          className="mono"
          name="safe"
          value={safe}
          placeholder="0x…"
          onChange={(e) => setSafe(e.target.value.trim())}
        />
      </label>
      {isAddress(safe) && <Proposals safe={getAddress(safe)} account={account} />}
    </section>
  );
}

interface WaitingProposal {
  proposal: SafeProposal;
  /** Owners who confirmed, lower case: valid signatures in the file and approvals on-chain. */
  confirmed: string[];
  /** The same, apart: whose signature is in the file, whose approval is on-chain (what execution sends). */
  confirmations: { signed: string[]; approved: string[] };
}

interface SafeState {
  owners: string[];
  threshold: number;
  /** The Safe's next transaction number: only the proposal with this nonce can be executed now. */
  nonce: number;
  /** Proposals not executed yet, from the Safe's nonce on; undefined when the Safe has no proposals file. */
  waiting?: WaitingProposal[];
}

function useSafeState(safe: Address) {
  const env = useChainEnvironment();
  return useQuery({
    queryKey: ["safe", safe],
    queryFn: async (): Promise<SafeState> => {
      const read = <T,>(functionName: "getOwners" | "getThreshold" | "nonce") =>
        readContract(env.client, { address: safe, abi: SAFE_ABI, functionName }) as Promise<T>;
      const [owners, threshold, nonce] = await Promise.all([
        read<readonly Address[]>("getOwners"),
        read<bigint>("getThreshold"),
        read<bigint>("nonce"),
      ]);
      const path = safeProposalsPath("", env.config.chainId, safe).replace(/^\/+/, "");
      const response = await fetch(new URL(path, publicationRoot(env)));
      const state = { owners: owners.map((o) => o.toLowerCase()), threshold: Number(threshold), nonce: Number(nonce) };
      if (response.status === 404) return state;
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      const file = (await response.json()) as SafeProposals;
      const waiting: WaitingProposal[] = [];
      for (const proposal of file.proposals) {
        if (proposal.executed !== undefined || BigInt(proposal.tx.nonce) < nonce) continue;
        const approvals = await Promise.all(
          owners.map((owner) =>
            readContract(env.client, {
              address: safe,
              abi: SAFE_ABI,
              functionName: "approvedHashes",
              args: [owner, proposal.safeTxHash as Hex],
            }),
          ),
        );
        const onChain = owners.filter((_, i) => approvals[i] !== 0n);
        const confirmations = await confirmationsOf(env.config.chainId, safe, proposal, owners, onChain);
        waiting.push({ proposal, confirmed: [...confirmations.signed, ...confirmations.approved], confirmations });
      }
      return { ...state, waiting };
    },
  });
}

function Proposals({ safe, account }: { safe: Address; account: Address }): ReactNode {
  const { t } = useTranslation();
  const state = useSafeState(safe);
  const { tx, send, busy } = useSender();
  if (state.error) return <Failure error={state.error} />;
  if (!state.data) return <Loading />;
  const { owners, threshold, nonce, waiting } = state.data;
  const me = account.toLowerCase();
  const owner = owners.includes(me);
  return (
    <div className="step" data-step="safe">
      <p>{t("staff.committee.safe.owners", { threshold, owners: owners.length })}</p>
      {!owner && <p>{t("staff.committee.safe.notOwner", { account: shortAddress(account) })}</p>}
      {waiting === undefined || waiting.length === 0 ? (
        <p>{t("staff.committee.safe.none")}</p>
      ) : (
        <ul className="plain">
          {waiting.map(({ proposal, confirmed, confirmations }) => (
            <li key={proposal.safeTxHash} data-safe-tx={proposal.safeTxHash}>
              <p>
                <strong>{t("staff.committee.safe.nonce", { nonce: proposal.tx.nonce })}</strong> {proposal.description}
              </p>
              <p className="small mono">{proposal.safeTxHash}</p>
              <p data-testid="confirmations">
                {t("staff.committee.safe.confirmations", { n: confirmed.length, threshold })}
              </p>
              {confirmed.length >= threshold ? (
                proposal.tx.nonce === nonce ? (
                  // Anyone may send the execution: the Safe checks the owners' confirmations, not the sender.
                  <button
                    type="button"
                    className="primary"
                    disabled={busy}
                    onClick={() => void send([execution(safe, proposal, confirmations)])}
                  >
                    {t("staff.committee.safe.execute")}
                  </button>
                ) : (
                  <p className="small">{t("staff.committee.safe.ready")}</p>
                )
              ) : confirmed.includes(me) ? (
                <p className="small">{t("staff.committee.safe.confirmed")}</p>
              ) : (
                owner && (
                  <button
                    type="button"
                    className="primary"
                    disabled={busy}
                    onClick={() =>
                      void send([{ address: safe, functionName: "approveHash", args: [proposal.safeTxHash] }])
                    }
                  >
                    {t("staff.committee.safe.confirm")}
                  </button>
                )
              )}
            </li>
          ))}
        </ul>
      )}
      <TxLine tx={tx} />
    </div>
  );
}

/** The Safe's `execTransaction` call for a proposal with enough confirmations. */
function execution(
  safe: Address,
  proposal: SafeProposal,
  confirmations: { signed: string[]; approved: string[] },
): ContractCall {
  const { tx } = proposal;
  return {
    address: safe,
    functionName: "execTransaction",
    args: [
      getAddress(tx.to),
      BigInt(tx.value),
      tx.data as Hex,
      tx.operation,
      BigInt(tx.safeTxGas),
      BigInt(tx.baseGas),
      BigInt(tx.gasPrice),
      getAddress(tx.gasToken),
      getAddress(tx.refundReceiver),
      executionSignatures(proposal, confirmations),
    ],
  };
}
