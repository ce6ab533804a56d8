/**
 * The wallet chunk, loaded on demand by ./gate.tsx: wagmi and its connectors (./provider.tsx, ./connect.tsx), the
 * ballot (claim + allocate, change of mind) and the voter's own page (./myVotes.tsx). The read-only pages carry none
 * of it; the committee's chunk imports from here, so that the wallet stays one chunk.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { encodeFunctionData, isAddressEqual, type Address, type Hex, type Log } from "viem";
import { waitForTransactionReceipt } from "viem/actions";
import { useConnection, useSignTypedData, useWriteContract } from "wagmi";
import { Link } from "wouter";

import { parseRubles } from "@kopilka/core/money";
import { Failure } from "../components/common.js";
import { useEnvironment } from "../context.js";
import { stepsOf, type VoteStep } from "../data/events.js";
import { Phase, useDistrict, useProjectTexts, useRound, type ProjectInfo, type RoundInfo } from "../data/round.js";
import { dateTime, rubles, rublesPlain, shortAddress } from "../format.js";
import { airdropAbi, budgetTokenAbi, roundAbi } from "@kopilka/core/abi";
import { StepsTable } from "../pages/Verify.js";
import { ConnectFirst } from "./connect.js";
import { ANY_DISTRICT, standingOf, type Standing } from "./eligibility.js";
import { errorReason, isRejection } from "./errors.js";
import { NetworkGuard } from "./network.js";
import { ballotToSign, followBallot, lacksGas, postBallot, RelayError, relayerOf } from "./relay.js";

export { AccountButton, ConnectFirst } from "./connect.js";
export { MyAllocations } from "./myVotes.js";
export { NetworkGuard } from "./network.js";
export { WalletProvider } from "./provider.js";
export { TxStatus, useTransaction, type ContractCall, type TxState, type TxWords } from "./transaction.js";

/** The round's ABI with the token's and airdrop's errors, so a revert from either is decoded by name. */
const VOTE_ABI = [
  ...roundAbi,
  ...budgetTokenAbi.filter((item) => item.type === "error"),
  ...airdropAbi.filter((item) => item.type === "error"),
] as const;

/** `relayed`: the ballot was signed and a relayer paid the gas; otherwise the voter sent their own transaction. */
type BallotTxState =
  | { state: "idle" }
  | { state: "signing"; relayed: boolean }
  | { state: "pending"; hash: Hex }
  | { state: "relaying"; status: "queued" | "submitted"; hash?: Hex }
  | { state: "confirmed"; hash: Hex; block: bigint; steps: VoteStep[]; relayed: boolean; verify: string }
  | { state: "failed"; reason: string; relayed: boolean }
  | { state: "rejected" };

function useStanding(
  round: RoundInfo | undefined,
  account: Address | undefined,
  banks: readonly Address[] | undefined,
) {
  const env = useEnvironment();
  return useQuery({
    queryKey: ["standing", account, banks],
    enabled: round !== undefined && account !== undefined && banks !== undefined,
    queryFn: () => standingOf(env, round!, account!, banks!),
  });
}

export function VotePanel({ districtId, projects }: { districtId: number; projects: ProjectInfo[] }): ReactNode {
  const { t } = useTranslation();
  const connection = useConnection();
  return (
    <section className="vote card" aria-labelledby="vote-title">
      <h2 id="vote-title">{t("vote.title")}</h2>
      {connection.status !== "connected" || !connection.address ? (
        <ConnectFirst />
      ) : (
        <NetworkGuard>
          <Ballot key={connection.address} account={connection.address} districtId={districtId} projects={projects} />
        </NetworkGuard>
      )}
    </section>
  );
}

function Ballot({
  account,
  districtId,
  projects,
}: {
  account: Address;
  districtId: number;
  projects: ProjectInfo[];
}): ReactNode {
  const { t } = useTranslation();
  const round = useRound();
  const standing = useStanding(
    round.data,
    account,
    projects.map((p) => p.bank),
  );
  const bound =
    standing.data?.kind === "resident"
      ? standing.data.district
      : standing.data?.kind === "listed"
        ? standing.data.leaf.district
        : undefined;
  const home = useDistrict(bound !== undefined && bound !== ANY_DISTRICT ? bound : districtId);
  if (round.error || standing.error)
    return <Failure error={round.error ?? standing.error} retry={() => void standing.refetch()} />;
  if (!round.data || !standing.data) return <p role="status">{t("vote.checking")}</p>;
  const s = standing.data;
  if (s.kind === "unlisted") {
    return (
      <p className="notice" role="alert" data-testid="ineligible">
        {t("vote.ineligible", { address: account })}
      </p>
    );
  }
  if (bound !== undefined && bound !== ANY_DISTRICT && bound !== districtId) {
    return (
      <div className="notice" role="alert">
        <p>{t("vote.otherDistrict", { name: home.data?.name ?? `#${bound}` })}</p>
        <Link href={`/district/${bound}`}>{t("vote.goToDistrict")}</Link>
      </div>
    );
  }
  if (round.data.phase === Phase.Setup)
    return <p className="notice">{t("vote.notOpen", { date: dateTime(round.data.opensAt) })}</p>;
  if (round.data.phase !== Phase.Voting) return <p className="notice">{t("vote.closed")}</p>;
  return (
    <AllocationForm
      account={account}
      round={round.data}
      standing={s}
      projects={projects}
      onDone={() => void standing.refetch()}
    />
  );
}

function AllocationForm({
  account,
  round,
  standing,
  projects,
  onDone,
}: {
  account: Address;
  round: RoundInfo;
  standing: Exclude<Standing, { kind: "unlisted" }>;
  projects: ProjectInfo[];
  onDone: () => void;
}): ReactNode {
  const { t } = useTranslation();
  const env = useEnvironment();
  const queryClient = useQueryClient();
  const texts = useProjectTexts(projects);
  const { writeContractAsync } = useWriteContract();
  const { signTypedDataAsync } = useSignTypedData();
  const current = (p: ProjectInfo): bigint =>
    standing.kind === "resident" ? (standing.deposits.get(p.bank.toLowerCase()) ?? 0n) : 0n;
  const [inputs, setInputs] = useState<Record<number, string>>(() =>
    Object.fromEntries(projects.map((p) => [p.id, current(p) === 0n ? "" : rublesPlain(current(p))])),
  );
  const [reviewing, setReviewing] = useState(false);
  const [tx, setTx] = useState<BallotTxState>({ state: "idle" });

  const total =
    standing.kind === "resident"
      ? standing.balance + projects.reduce((sum, p) => sum + current(p), 0n)
      : standing.leaf.amount;
  const parsed = projects.map((p) => {
    const text = inputs[p.id]?.trim() ?? "";
    if (text === "") return { project: p, amount: 0n };
    const r = parseRubles(text);
    return "error" in r ? { project: p, amount: 0n, error: r.error } : { project: p, amount: r.kopecks };
  });
  const wanted = parsed.reduce((sum, x) => sum + x.amount, 0n);
  const left = total - wanted;
  const invalid = parsed.some((x) => x.error !== undefined) || left < 0n;
  const changes = parsed
    .map((x) => ({ project: x.project, delta: x.amount - current(x.project) }))
    .filter((c) => c.delta !== 0n);
  const title = (p: ProjectInfo): string => texts.get(p.id)?.title ?? `${t("common.project")} №${p.id}`;
  const busy = tx.state === "signing" || tx.state === "pending" || tx.state === "relaying";

  const submit = async (): Promise<void> => {
    const deposits = changes.filter((c) => c.delta > 0n);
    const withdrawals = changes.filter((c) => c.delta < 0n);
    const banks = (list: typeof changes): Address[] => list.map((c) => c.project.bank);
    const amounts = (list: typeof changes): bigint[] => list.map((c) => (c.delta < 0n ? -c.delta : c.delta));
    const relayer = relayerOf(env);
    let relayed = false;
    setTx({ state: "signing", relayed });
    try {
      const base = { address: env.config.round, abi: VOTE_ABI, chainId: env.config.chainId } as const;
      // The one direct call this change needs; a signed ballot carries the same moves (the relayer adds the claim).
      let direct: { functionName: "claimAndAllocate" | "allocate" | "withdraw" | "reallocate"; args: unknown[] };
      if (standing.kind === "listed") {
        const { leaf } = standing;
        direct = {
          functionName: "claimAndAllocate",
          args: [leaf.batchId, leaf.district, leaf.amount, leaf.proof, banks(deposits), amounts(deposits)],
        };
      } else if (withdrawals.length === 0) {
        direct = { functionName: "allocate", args: [banks(deposits), amounts(deposits)] };
      } else if (deposits.length === 0) {
        direct = { functionName: "withdraw", args: [banks(withdrawals), amounts(withdrawals)] };
      } else {
        direct = {
          functionName: "reallocate",
          args: [banks(withdrawals), amounts(withdrawals), banks(deposits), amounts(deposits)],
        };
      }
      relayed =
        relayer !== undefined &&
        (await lacksGas(env, account, encodeFunctionData({ abi: VOTE_ABI, ...direct } as never)));
      let hash: Hex;
      if (relayed) {
        setTx({ state: "signing", relayed });
        const typed = await ballotToSign(env, relayer!, account, {
          fromBanks: banks(withdrawals),
          fromAmounts: amounts(withdrawals),
          toBanks: banks(deposits),
          toAmounts: amounts(deposits),
        });
        const signature = await signTypedDataAsync({ account, ...typed });
        await postBallot(relayer!, typed.message, signature);
        setTx({ state: "relaying", status: "queued" });
        // Counted only once the relayer has read the receipt and the ballot box did not reject the ballot.
        const settled = await followBallot(relayer!, account, typed.message.nonce, (progress) => {
          if (progress.status === "queued" || progress.status === "submitted") {
            setTx({ state: "relaying", status: progress.status, hash: progress.transactionHash });
          }
        });
        if (settled.status === "rejected" || !settled.transactionHash) {
          setTx({ state: "failed", reason: settled.reason ?? "rejected", relayed });
          return;
        }
        hash = settled.transactionHash;
      } else {
        hash = await writeContractAsync({ ...base, ...direct } as unknown as Parameters<typeof writeContractAsync>[0]);
        setTx({ state: "pending", hash });
      }
      const receipt = await waitForTransactionReceipt(env.client, { hash, pollingInterval: 1_000 });
      if (receipt.status !== "success") {
        setTx({ state: "failed", reason: `reverted in block ${receipt.blockNumber}`, relayed });
        return;
      }
      // A relayed transaction carries other residents' ballots too: the receipt is this voter's steps only.
      const steps = stepsOf(receipt.logs as Log[], round, projects).filter((step) =>
        isAddressEqual(step.account, account),
      );
      const verify = relayed ? account : hash;
      setTx({ state: "confirmed", hash, block: receipt.blockNumber, steps, relayed, verify });
      setReviewing(false);
      await queryClient.invalidateQueries({ queryKey: ["banks"] });
      onDone();
    } catch (error) {
      setTx(
        isRejection(error)
          ? { state: "rejected" }
          : {
              state: "failed",
              reason: error instanceof RelayError ? error.message : errorReason(error),
              relayed,
            },
      );
    }
  };

  return (
    <div className="ballot">
      <p>
        {t("vote.allowance", { amount: rubles(total) })}
        {standing.kind === "listed" && <span className="small muted"> {t("vote.unclaimed")}</span>}
      </p>
      <div className="left" aria-live="polite">
        <div
          className="bar"
          role="meter"
          aria-label={t("vote.left", { amount: rubles(left < 0n ? 0n : left) })}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={total === 0n ? 0 : Math.max(0, Math.min(100, Number((wanted * 100n) / total)))}
        >
          <span style={{ width: `${total === 0n ? 0 : Math.min(100, Number((wanted * 10000n) / total) / 100)}%` }} />
        </div>
        <p data-testid="left" className={left < 0n ? "error" : ""}>
          {left < 0n ? t("vote.over", { amount: rubles(-left) }) : t("vote.left", { amount: rubles(left) })}
        </p>
      </div>
      {!reviewing ? (
        <>
          <ul className="amounts">
            {parsed.map(({ project: p, error }) => (
              <li key={p.id} data-project={p.id}>
                <label className="field">
                  <span>{t("vote.amountFor", { title: title(p) })}</span>
                  <input
                    inputMode="decimal"
                    autoComplete="off"
                    value={inputs[p.id] ?? ""}
                    aria-invalid={error !== undefined}
                    onChange={(e) => setInputs({ ...inputs, [p.id]: e.target.value })}
                    disabled={busy}
                  />
                </label>
                <span className="quick">
                  <button
                    type="button"
                    className="link"
                    disabled={busy || left <= 0n}
                    onClick={() => {
                      const mine = parsed.find((x) => x.project.id === p.id)?.amount ?? 0n;
                      setInputs({ ...inputs, [p.id]: rublesPlain(mine + left) });
                    }}
                  >
                    {t("vote.allIn")}
                  </button>
                  <button
                    type="button"
                    className="link"
                    disabled={busy}
                    onClick={() => setInputs({ ...inputs, [p.id]: "" })}
                  >
                    {t("vote.clear")}
                  </button>
                </span>
                {error && <p className="error small">{t("vote.badAmount", { reason: error })}</p>}
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="primary wide"
            disabled={invalid || changes.length === 0 || busy}
            onClick={() => {
              setTx({ state: "idle" });
              setReviewing(true);
            }}
          >
            {t("vote.review")}
          </button>
        </>
      ) : (
        <div className="review">
          <h3>{t("vote.changes")}</h3>
          <ul>
            {changes.map((c) => (
              <li key={c.project.id}>
                {title(c.project)}:{" "}
                {c.delta > 0n
                  ? t("vote.put", { amount: rubles(c.delta) })
                  : t("vote.take", { amount: rubles(-c.delta) })}
              </li>
            ))}
          </ul>
          <div className="buttons">
            <button type="button" onClick={() => setReviewing(false)} disabled={busy}>
              {t("vote.edit")}
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => void submit()}
              disabled={busy || changes.length === 0}
            >
              {t("vote.confirm")}
            </button>
          </div>
        </div>
      )}
      <BallotTxStatus tx={tx} projects={projects} />
    </div>
  );
}

function BallotTxStatus({ tx, projects }: { tx: BallotTxState; projects: ProjectInfo[] }): ReactNode {
  const { t } = useTranslation();
  switch (tx.state) {
    case "idle":
      return null;
    case "signing":
      return (
        <p className="notice" role="status" data-tx="signing">
          {tx.relayed ? t("vote.relaySigning") : t("vote.signing")}
        </p>
      );
    case "relaying":
      return (
        <div className="notice" role="status" data-tx="relaying" data-relay={tx.status}>
          <p data-path="relayer">{t("vote.viaRelayer")}</p>
          <p>
            {tx.status === "queued" ? t("vote.relayQueued") : t("vote.relaySubmitted")}{" "}
            {tx.hash && <span className="mono">{shortAddress(tx.hash)}</span>}
          </p>
        </div>
      );
    case "pending":
      return (
        <p className="notice" role="status" data-tx="pending">
          {t("vote.pending")} <span className="mono">{shortAddress(tx.hash)}</span>
        </p>
      );
    case "rejected":
      return (
        <p className="notice error" role="alert" data-tx="rejected">
          {t("vote.rejected")}
        </p>
      );
    case "failed":
      return (
        <p className="notice error" role="alert" data-tx="failed">
          {tx.relayed ? t("vote.relayFailed", { reason: tx.reason }) : t("vote.failed", { reason: tx.reason })}
        </p>
      );
    case "confirmed":
      return (
        <div className="notice ok receipt" role="status" data-tx="confirmed">
          <p>{t("vote.confirmed", { block: tx.block.toString() })}</p>
          <p data-path={tx.relayed ? "relayer" : "direct"}>
            {tx.relayed ? t("vote.viaRelayer") : t("vote.paidYourself")}
          </p>
          <h3>{t("vote.receipt")}</h3>
          <StepsTable steps={tx.steps} projects={projects} showNow={false} />
          <p>
            <Link href={`/verify?q=${tx.verify}`}>{t("vote.receiptLink")}</Link>
          </p>
        </div>
      );
  }
}
