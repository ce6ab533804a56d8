/**
 * Safe confirmations: when a Safe multisig holds the round's roles, every committee command run with
 * `kopilka --safe ADDRESS` proposes a Safe transaction and publishes it, with its owners' signatures, in
 * `<publishedBase>/<chainId>/safe/<safe>.json` (docs/committee.md). Here an owner sees what waits and confirms it
 * on-chain with the Safe's own `approveHash`; the CLI counts that approval when it executes. Nothing here trusts the
 * file: signatures are recovered (@kopilka/core/safe) and approvals read from the Safe, and each proposal shows what
 * its transaction does, decoded (@kopilka/core/safeActions), with the proposer's note beside it and a warning when
 * the note names another action.
 */
import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
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
import type { RoundManifest } from "@kopilka/core/publication";
import {
  decodeSafeTx,
  isSuspicious,
  noteMatches,
  type DecodedCall,
  type KnownAddresses,
} from "@kopilka/core/safeActions";
import { Failure, Loading } from "../components/common.js";
import { useChainEnvironment, type ChainEnvironment } from "../chain.js";
import { publicationRoot, roundFilesUrl } from "../data/files.js";
import { dateTime, rubles, shortAddress } from "../format.js";
import { statusName } from "../glossary.js";
import { TxLine, useSender, type ContractCall } from "./tx.js";

export function SafeConfirmations({ account }: { account: Address }): ReactNode {
  const { t } = useTranslation();
  const search = new URLSearchParams(useSearch());
  const [safe, setSafe] = useState(search.get("safe") ?? "");
  // The round the page manages when it is not the configured one (`/committee?round=0x…`): calls to it are known.
  const managed = search.get("round");
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
      {isAddress(safe) && (
        <Proposals
          safe={getAddress(safe)}
          account={account}
          round={managed && isAddress(managed) ? managed : undefined}
        />
      )}
    </section>
  );
}

interface WaitingProposal {
  proposal: SafeProposal;
  /** What its transaction does, decoded; the proposal's `description` is only its proposer's note. */
  calls: DecodedCall[];
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

function useSafeState(safe: Address, round?: Address) {
  const env = useChainEnvironment();
  return useQuery({
    queryKey: ["safe", safe, round],
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
      const known = await knownAddresses(env, safe, round);
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
        waiting.push({
          proposal,
          calls: decodeSafeTx(proposal.tx, known),
          confirmed: [...confirmations.signed, ...confirmations.approved],
          confirmations,
        });
      }
      return { ...state, waiting };
    },
  });
}

function Proposals({ safe, account, round }: { safe: Address; account: Address; round?: Address }): ReactNode {
  const { t } = useTranslation();
  const state = useSafeState(safe, round);
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
        <ul className="safe-proposals">
          {waiting.map(({ proposal, calls, confirmed, confirmations }) => (
            <li key={proposal.safeTxHash} data-safe-tx={proposal.safeTxHash}>
              <p>
                <strong>{t("staff.committee.safe.nonce", { nonce: proposal.tx.nonce })}</strong>{" "}
                {t("staff.committee.safe.does")}
              </p>
              <ul className="safe-actions" data-testid="actions">
                {calls.map((call, i) => (
                  <li key={i} data-action={call.action.kind} className={isSuspicious(call) ? "warning" : undefined}>
                    {actionText(t, call)}
                    {call.action.kind !== "unknown" && call.target === "unknown" && (
                      <> {t("staff.committee.safe.unknownTarget", { to: call.to })}</>
                    )}
                    {call.value !== 0n && <> {t("staff.committee.safe.value", { value: call.value.toString() })}</>}
                  </li>
                ))}
              </ul>
              <p className="small" data-testid="note">
                {t("staff.committee.safe.note", { note: proposal.description })}
              </p>
              {!noteMatches(proposal.description, calls) && (
                <p className="notice error" role="alert" data-testid="note-mismatch">
                  {t("staff.committee.safe.noteMismatch")}
                </p>
              )}
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

/**
 * The addresses this page knows: the configured round (and the one it manages, if another), the configured round's
 * token and factory (from its manifest), the configured contest and contest factory, and a local chain's Safe
 * libraries (`safe-contracts.json`, beside the proposals), so that a batch through them is read and a call elsewhere
 * is flagged.
 */
async function knownAddresses(env: ChainEnvironment, safe: Address, round?: Address): Promise<KnownAddresses> {
  const json = async <T,>(url: URL): Promise<T | undefined> => {
    const response = await fetch(url);
    return response.ok ? ((await response.json()) as T) : undefined;
  };
  const [manifest, libraries] = await Promise.all([
    json<RoundManifest>(new URL("round.json", roundFilesUrl(env))),
    json<Record<string, string>>(new URL(`${env.config.chainId}/safe-contracts.json`, publicationRoot(env))),
  ]);
  const present = (...values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined);
  return {
    rounds: present(env.config.round, round),
    tokens: present(manifest?.token),
    factories: present(env.config.factory, manifest?.factory),
    contestFactories: present(env.config.contestFactory),
    contests: present(env.config.contest),
    safe,
    multiSend: present(libraries?.multiSendAddress, libraries?.multiSendCallOnlyAddress),
  };
}

/** A decoded call in the page's language: amounts in rubles, dates in the reader's time zone. */
function actionText(t: TFunction, call: DecodedCall): string {
  const a = call.action;
  const key = `staff.committee.safe.action.${a.kind}`;
  switch (a.kind) {
    case "createRound":
      return t(key, {
        name: a.name,
        budget: rubles(a.budget),
        opensAt: dateTime(a.opensAt),
        closesAt: dateTime(a.closesAt),
      });
    case "createContest":
      return t(key, { name: a.name });
    case "addDistrict":
      return t(key, { name: a.name, budget: rubles(a.budget) });
    case "addProjects":
      return t(key, { n: a.count, district: a.district, cost: rubles(a.cost) });
    case "mint":
      return t(key, { amount: rubles(a.amount) });
    case "postResidents":
      return a.total === undefined
        ? t("staff.committee.safe.action.postContestResidents", { root: a.root })
        : t(key, { total: rubles(a.total), root: a.root });
    case "open":
      return t(key);
    case "finalize":
      return t(key, { districts: a.districts.join(", ") });
    case "recordImplementation":
      return t(key, {
        project: a.project,
        status: statusName(t, a.status),
        spent: rubles(a.amountSpent),
      });
    case "grantRole":
    case "revokeRole": {
      const role = a.role.startsWith("0x")
        ? a.role
        : a.role === "admin"
          ? t("staff.committee.safe.roles.admin")
          : t(`staff.committee.roleNames.${a.role}`);
      return t(key, { role, account: a.account });
    }
    case "changeThreshold":
      return t(key, { threshold: a.threshold });
    case "addOwner":
    case "removeOwner":
      return t(key, { owner: a.owner, threshold: a.threshold });
    case "swapOwner":
      return t(key, { oldOwner: a.oldOwner, newOwner: a.newOwner });
    case "call":
      return t(key, { functionName: a.functionName, args: a.args.join(", "), to: call.to });
    case "unknown":
      return a.reason === "selector"
        ? t(key, { to: call.to, selector: a.selector })
        : t(`staff.committee.safe.action.${a.reason}`, { to: call.to });
  }
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
