/**
 * The ballot on a district's page: who may vote here, the amounts for each project, a review of the changes, and the
 * receipt once the ballot is in a block. The moves come from the core's planner; ./castBallot.ts sends them.
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { isAddressEqual, type Address, type Log } from "viem";
import { useConnection } from "wagmi";
import { Link } from "wouter";

import { planBallot, type BallotPlan } from "@kopilka/core/ballotPlan";
import { parseRubles } from "@kopilka/core/money";
import { Failure } from "../components/common.js";
import { useEnvironment } from "../context.js";
import { stepsOf } from "../data/events.js";
import { Phase, useDistrict, useProjectTexts, useRound, type ProjectInfo, type RoundInfo } from "../data/round.js";
import { dateTime, rubles, rublesPlain } from "../format.js";
import { StepsTable } from "../pages/Verify.js";
import { useCastBallot } from "./castBallot.js";
import { ConnectFirst } from "./connect.js";
import { ANY_DISTRICT, holdingsOf, standingOf, type Voter } from "./eligibility.js";
import { NetworkGuard } from "./network.js";
import { TxStatus, type Confirmed, type TxWords } from "./transaction.js";

/** The residents' words for their ballot's states. */
const BALLOT_WORDS: TxWords = {
  signing: "vote.signing",
  pending: "vote.pending",
  pendingHash: true,
  failed: "vote.failed",
  rejected: "vote.rejected",
  confirmed: "vote.confirmed",
  relayed: {
    signing: "vote.relaySigning",
    failed: "vote.relayFailed",
    via: "vote.viaRelayer",
    queued: "vote.relayQueued",
    submitted: "vote.relaySubmitted",
  },
};

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

/** The amount typed for each project: kopecks, or why the text is not an amount. */
type Typed = { project: ProjectInfo; amount: bigint; error?: string };

function AllocationForm({
  account,
  round,
  standing,
  projects,
  onDone,
}: {
  account: Address;
  round: RoundInfo;
  standing: Voter;
  projects: ProjectInfo[];
  onDone: () => void;
}): ReactNode {
  const { t } = useTranslation();
  const texts = useProjectTexts(projects);
  const { tx, busy, cast, reset } = useCastBallot(account);
  const holdings = useMemo(() => holdingsOf(standing, projects), [standing, projects]);
  const [inputs, setInputs] = useState<Record<number, string>>(() =>
    Object.fromEntries(holdings.banks.map((b, i) => [projects[i].id, b.deposit === 0n ? "" : rublesPlain(b.deposit)])),
  );
  const [reviewing, setReviewing] = useState(false);

  const typed: Typed[] = projects.map((project) => {
    const text = inputs[project.id]?.trim() ?? "";
    if (text === "") return { project, amount: 0n };
    const r = parseRubles(text);
    return "error" in r ? { project, amount: 0n, error: r.error } : { project, amount: r.kopecks };
  });
  const plan = planBallot(
    holdings,
    typed.map((x) => ({ bank: x.project.bank, amount: x.amount })),
  );
  const sendable = plan.problems.length === 0 && !typed.some((x) => x.error !== undefined);
  const title = (p: ProjectInfo): string => texts.get(p.id)?.title ?? `${t("common.project")} №${p.id}`;

  const submit = async (): Promise<void> => {
    const receipt = await cast(plan, standing.kind === "listed" ? standing.leaf : undefined);
    if (!receipt) return;
    setReviewing(false);
    onDone();
  };

  return (
    <div className="ballot">
      <p>
        {t("vote.allowance", { amount: rubles(plan.total) })}
        {standing.kind === "listed" && <span className="small muted"> {t("vote.unclaimed")}</span>}
      </p>
      <AmountLeft plan={plan} />
      {!reviewing ? (
        <>
          <AmountFields
            typed={typed}
            inputs={inputs}
            onInput={(id, text) => setInputs({ ...inputs, [id]: text })}
            left={plan.left}
            busy={busy}
            title={title}
          />
          <button
            type="button"
            className="primary wide"
            disabled={!sendable || busy}
            onClick={() => {
              reset();
              setReviewing(true);
            }}
          >
            {t("vote.review")}
          </button>
        </>
      ) : (
        <Review
          plan={plan}
          projects={projects}
          title={title}
          busy={busy}
          onEdit={() => setReviewing(false)}
          onConfirm={() => void submit()}
        />
      )}
      <TxStatus
        tx={tx}
        words={BALLOT_WORDS}
        receipt={(confirmed) => <BallotReceipt tx={confirmed} account={account} round={round} projects={projects} />}
      />
    </div>
  );
}

/** An amount field for each project, with "all that is left" and "clear". */
function AmountFields({
  typed,
  inputs,
  onInput,
  left,
  busy,
  title,
}: {
  typed: Typed[];
  inputs: Record<number, string>;
  onInput: (projectId: number, text: string) => void;
  left: bigint;
  busy: boolean;
  title: (p: ProjectInfo) => string;
}): ReactNode {
  const { t } = useTranslation();
  return (
    <ul className="amounts">
      {typed.map(({ project: p, amount, error }) => (
        <li key={p.id} data-project={p.id}>
          <label className="field">
            <span>{t("vote.amountFor", { title: title(p) })}</span>
            <input
              inputMode="decimal"
              autoComplete="off"
              value={inputs[p.id] ?? ""}
              aria-invalid={error !== undefined}
              onChange={(e) => onInput(p.id, e.target.value)}
              disabled={busy}
            />
          </label>
          <span className="quick">
            <button
              type="button"
              className="link"
              disabled={busy || left <= 0n}
              onClick={() => onInput(p.id, rublesPlain(amount + left))}
            >
              {t("vote.allIn")}
            </button>
            <button type="button" className="link" disabled={busy} onClick={() => onInput(p.id, "")}>
              {t("vote.clear")}
            </button>
          </span>
          {error && <p className="error small">{t("vote.badAmount", { reason: error })}</p>}
        </li>
      ))}
    </ul>
  );
}

/** The changes the ballot makes, to check before confirming. */
function Review({
  plan,
  projects,
  title,
  busy,
  onEdit,
  onConfirm,
}: {
  plan: BallotPlan;
  projects: ProjectInfo[];
  title: (p: ProjectInfo) => string;
  busy: boolean;
  onEdit: () => void;
  onConfirm: () => void;
}): ReactNode {
  const { t } = useTranslation();
  return (
    <div className="review">
      <h3>{t("vote.changes")}</h3>
      <ul>
        {plan.changes.map((c) => {
          const project = projects.find((p) => p.bank === c.bank)!;
          return (
            <li key={project.id}>
              {title(project)}:{" "}
              {c.delta > 0n ? t("vote.put", { amount: rubles(c.delta) }) : t("vote.take", { amount: rubles(-c.delta) })}
            </li>
          );
        })}
      </ul>
      <div className="buttons">
        <button type="button" onClick={onEdit} disabled={busy}>
          {t("vote.edit")}
        </button>
        <button type="button" className="primary" onClick={onConfirm} disabled={busy || plan.changes.length === 0}>
          {t("vote.confirm")}
        </button>
      </div>
    </div>
  );
}

/** How much of the allowance the amounts leave, as a bar and in words. */
function AmountLeft({ plan: { total, wanted, left } }: { plan: BallotPlan }): ReactNode {
  const { t } = useTranslation();
  return (
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
  );
}

/** The ballot's receipt: this resident's steps in the transaction, who paid for it, and where to check it. */
function BallotReceipt({
  tx,
  account,
  round,
  projects,
}: {
  tx: Confirmed;
  account: Address;
  round: RoundInfo;
  projects: ProjectInfo[];
}): ReactNode {
  const { t } = useTranslation();
  const receipt = tx.receipts[0];
  // A relayed transaction carries other residents' ballots too: the receipt is this voter's steps only.
  const steps = useMemo(
    () => stepsOf(receipt.logs as Log[], round, projects).filter((step) => isAddressEqual(step.account, account)),
    [receipt, round, projects, account],
  );
  return (
    <div className="notice ok receipt" role="status" data-tx="confirmed">
      <p>{t("vote.confirmed", { block: receipt.blockNumber.toString() })}</p>
      <p data-path={tx.relayed ? "relayer" : "direct"}>{tx.relayed ? t("vote.viaRelayer") : t("vote.paidYourself")}</p>
      <h3>{t("vote.receipt")}</h3>
      <StepsTable steps={steps} projects={projects} showNow={false} />
      <p>
        <Link href={`/verify?q=${tx.relayed ? account : receipt.transactionHash}`}>{t("vote.receiptLink")}</Link>
      </p>
    </div>
  );
}
