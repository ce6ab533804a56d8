/**
 * The ballot beside the projects (the voting chunk's part of it): the amount controls on each chosen project's card,
 * the bar at the bottom of the screen with what is left to distribute, and the review page with the receipt. The
 * draft lives in ../ballot/store.ts (the read-only pages add projects to it without this chunk); the resident is
 * `useVoter` (./voter.ts); the moves come from the core's planner, and ./castBallot.ts sends them.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState, type ReactNode } from "react";
import { flushSync } from "react-dom";
import { useTranslation } from "react-i18next";
import { isAddressEqual, type Address, type Log } from "viem";
import { Link } from "wouter";

import { planBallot, type BallotPlan, type Holdings } from "@kopilka/core/ballotPlan";
import { parseRubles } from "@kopilka/core/money";
import { ballotActions, useBallotDraft, type BallotActions, type BallotDraft } from "../ballot/store.js";
import { DataAge, Failure, Loading } from "../components/common.js";
import { Picture, projectTitle } from "../components/ProjectCard.js";
import { useEnvironment } from "../context.js";
import { stepsOf } from "../data/events.js";
import { Phase, useDistrictView, useRoundView, type DistrictData, type ProjectView } from "../data/views.js";
import { dateTime, percentText, receiptCode, rubles, rublesPlain } from "../format.js";
import { StepsTable } from "../pages/Verify.js";
import { TerminalFinish } from "../resident/TerminalFinish.js";
import { isTerminal } from "../resident/terminal.js";
import { useCastBallot, type CastBallot } from "./castBallot.js";
import { SignInPrompt } from "./connect.js";
import { NetworkGuard } from "./network.js";
import { WalletScope } from "./provider.js";
import type { TxState } from "./transaction.js";
import { useVoter, type VoterState } from "./voter.js";

/** One project on the ballot: the amount typed, in kopecks, or why the text is not an amount. */
interface Line {
  project: ProjectView;
  text: string;
  amount: bigint;
  invalid: boolean;
}

interface DistrictBallot {
  draft: BallotDraft;
  actions: BallotActions;
  voter: VoterState;
  lines: Line[];
  /** Only once the resident is known. */
  plan?: BallotPlan;
  /** What one press of a stepper adds or takes, in kopecks. */
  step: bigint;
}

/** A round number of rubles near a tenth of the allowance (1, 2 or 5 times a power of ten), at least 100 ₽. */
function stepFor(total: bigint): bigint {
  const tenth = Number(total / 1000n);
  if (tenth < 100) return 10_000n;
  const power = 10 ** Math.floor(Math.log10(tenth));
  const nice = [5, 2, 1].map((m) => m * power).find((v) => v <= tenth)!;
  return BigInt(nice) * 100n;
}

function useDistrictBallot(districtId: number, data: DistrictData): DistrictBallot {
  const { config } = useEnvironment();
  const draft = useBallotDraft(config.round, districtId);
  const actions = useMemo(() => ballotActions(config.round, districtId), [config.round, districtId]);
  const voter = useVoter(data.round, districtId, data.projects);
  const holdings = voter.state === "ready" ? voter.holdings : undefined;
  const account = voter.state === "ready" ? voter.account : undefined;
  // What the resident already holds in this district's banks joins the ballot once, when they are first known.
  useEffect(() => {
    if (!holdings || !account || draft.mergedFor === account) return;
    actions.merge(account, depositsByProject(holdings, data.projects));
  }, [holdings, account, draft.mergedFor, actions, data.projects]);

  const lines: Line[] = data.projects
    .filter((p) => p.id in draft.amounts)
    .map((project) => {
      const text = draft.amounts[project.id].trim();
      if (text === "") return { project, text, amount: 0n, invalid: false };
      const parsed = parseRubles(text);
      return "error" in parsed
        ? { project, text, amount: 0n, invalid: true }
        : { project, text, amount: parsed.kopecks, invalid: false };
    });
  const plan = holdings
    ? planBallot(
        holdings,
        // A project taken off the ballot gets nothing: what the resident had in it comes back.
        data.projects.map((p) => ({
          bank: p.bank as Address,
          amount: lines.find((l) => l.project === p)?.amount ?? 0n,
        })),
      )
    : undefined;
  return { draft, actions, voter, lines, plan, step: stepFor(plan?.total ?? 1_000_000n) };
}

function depositsByProject(holdings: Holdings, projects: readonly ProjectView[]): Record<number, string> {
  const amounts: Record<number, string> = {};
  holdings.banks.forEach((b, i) => {
    if (b.deposit > 0n) amounts[projects[i].id] = rublesPlain(b.deposit);
  });
  return amounts;
}

/** The amount for one project on its card: the field, the steppers, "all that is left", and "remove". */
export function AmountControls({
  districtId,
  project,
  data,
}: {
  districtId: number;
  project: ProjectView;
  data: DistrictData;
}) {
  return (
    <WalletScope>
      <AmountControlsInScope districtId={districtId} project={project} data={data} />
    </WalletScope>
  );
}

function AmountControlsInScope({
  districtId,
  project,
  data,
}: {
  districtId: number;
  project: ProjectView;
  data: DistrictData;
}): ReactNode {
  const { t } = useTranslation();
  const ballot = useDistrictBallot(districtId, data);
  const line = ballot.lines.find((l) => l.project.id === project.id);
  if (!line) return null;
  const title = projectTitle(project, t);
  const left = ballot.plan?.left ?? 0n;
  const set = (amount: bigint) => ballot.actions.setAmount(project.id, amount <= 0n ? "" : rublesPlain(amount));
  const inputId = `amount-${project.id}`;
  return (
    <div className="amount" data-testid="amount">
      <label className="field" htmlFor={inputId}>
        <span>{t("ballot.amountFor", { title })}</span>
      </label>
      <div className="stepper">
        <button
          type="button"
          className="step"
          onClick={() => set(line.amount - ballot.step)}
          disabled={line.amount <= 0n}
          aria-label={t("ballot.less", { step: rubles(ballot.step) })}
        >
          −
        </button>
        <input
          id={inputId}
          inputMode="decimal"
          autoComplete="off"
          value={line.text}
          aria-invalid={line.invalid}
          aria-describedby={line.invalid ? `${inputId}-error` : undefined}
          onChange={(e) => ballot.actions.setAmount(project.id, e.target.value)}
        />
        <span className="unit" aria-hidden="true">
          ₽
        </span>
        <button
          type="button"
          className="step"
          onClick={() => set(line.amount + ballot.step)}
          aria-label={t("ballot.more", { step: rubles(ballot.step) })}
        >
          +
        </button>
      </div>
      {line.invalid && (
        <p className="error small" id={`${inputId}-error`}>
          {t("ballot.badAmount")}
        </p>
      )}
      <p className="quick">
        <button
          type="button"
          className="link"
          disabled={!ballot.plan || left <= 0n}
          onClick={() => set(line.amount + left)}
        >
          {t("ballot.allHere")}
        </button>
        <button
          type="button"
          className="link"
          onClick={() => ballot.actions.remove(project.id)}
          aria-label={t("ballot.removeTitle", { title })}
        >
          {t("ballot.remove")}
        </button>
      </p>
    </div>
  );
}

/** The bar at the bottom of the screen: who is voting, what is left to distribute, and the way to the review. */
export function BallotBar({ districtId, data }: { districtId: number; data: DistrictData }): ReactNode {
  return (
    <WalletScope>
      <BallotBarInScope districtId={districtId} data={data} />
    </WalletScope>
  );
}

function BallotBarInScope({ districtId, data }: { districtId: number; data: DistrictData }): ReactNode {
  const { t } = useTranslation();
  const ballot = useDistrictBallot(districtId, data);
  const roundView = useRoundView();
  const { voter, plan, lines, actions } = ballot;
  const [details, setDetails] = useState(false);
  const detailsId = useId();
  const chosen = <p className="small">{t("ballot.chosen", { count: lines.length })}</p>;
  const close = (
    <button type="button" className="link" onClick={() => actions.close()}>
      {t("ballot.close")}
    </button>
  );
  switch (voter.state) {
    case "signedOut":
      return (
        <div className="bar-content">
          <p>{t("ballot.signIn")}</p>
          {chosen}
          <SignInPrompt />
          {close}
        </div>
      );
    case "wrongNetwork":
      return (
        <div className="bar-content">
          <NetworkGuard>{null}</NetworkGuard>
        </div>
      );
    case "checking":
      return <p role="status">{t("ballot.checking")}</p>;
    case "publishing":
    case "replaced":
    case "refused":
      return (
        <div className="bar-content">
          <ResidentNotice voter={voter} />
          {chosen}
          {close}
        </div>
      );
    case "error":
      return <Failure error={voter.error} retry={voter.retry} />;
    case "ineligible":
      return (
        <div className="bar-content">
          <p className="notice" role="alert" data-testid="ineligible" data-wallet-option>
            {t("walletOption.ineligible", { address: voter.account })}
          </p>
          {close}
        </div>
      );
    case "elsewhere":
      return (
        <div className="bar-content" role="alert">
          <p>
            {t("ballot.otherDistrict", {
              name: roundView.data?.districts[voter.district]?.name ?? `№ ${voter.district + 1}`,
            })}
          </p>
          <Link href={`/district/${voter.district}`}>{t("ballot.goToDistrict")}</Link> {close}
        </div>
      );
    case "ready":
      break;
  }
  const p = plan!;
  const sendable = p.problems.length === 0 && !lines.some((l) => l.invalid);
  const split = (): void => {
    if (lines.length === 0) return;
    const each = p.total / BigInt(lines.length);
    const first = p.total - each * BigInt(lines.length - 1);
    actions.setAmounts(Object.fromEntries(lines.map((l, i) => [l.project.id, rublesPlain(i === 0 ? first : each)])));
  };
  // Compact on a phone: the allowance (a tap on it shows the rest), then on one line what is left and the review.
  return (
    <div className="bar-content ballot" data-testid="ballot">
      <AmountMeter plan={p} />
      <button
        type="button"
        className="bar-summary"
        aria-expanded={details}
        aria-controls={detailsId}
        onClick={() => setDetails(!details)}
      >
        {t("ballot.yours", { amount: rubles(p.total) })} <span aria-hidden="true">{details ? "▴" : "▾"}</span>
      </button>
      <div className="bar-line">
        <AmountLeft plan={p} />
        {sendable ? (
          <Link
            href={`/district/${districtId}/review`}
            className="button primary"
            data-testid="review"
            aria-label={t("ballot.review")}
          >
            {t("ballot.reviewShort")}
          </Link>
        ) : (
          <button type="button" className="primary" disabled data-testid="review" aria-label={t("ballot.review")}>
            {t("ballot.reviewShort")}
          </button>
        )}
      </div>
      <div id={detailsId} className="bar-details" hidden={!details}>
        {voter.standing.kind === "listed" && <p className="small muted">{t("ballot.firstVote")}</p>}
        <div className="bar-row">
          {lines.length === 0 ? <p className="small">{t("ballot.empty")}</p> : chosen}
          {close}
        </div>
        <div className="buttons">
          <button type="button" onClick={split} disabled={lines.length < 2}>
            {t("ballot.splitEqually")}
          </button>
        </div>
      </div>
    </div>
  );
}

/** How much of the allowance the amounts take, as a thin bar along the top of the ballot's bar. */
function AmountMeter({ plan: { total, wanted, left } }: { plan: BallotPlan }): ReactNode {
  const { t } = useTranslation();
  const share = total === 0n ? 0 : Math.max(0, Math.min(100, Number((wanted * 10000n) / total) / 100));
  return (
    <div
      className="bar"
      role="meter"
      aria-label={t("ballot.left", { amount: rubles(left < 0n ? 0n : left) })}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(share)}
    >
      <span style={{ width: `${share}%` }} />
    </div>
  );
}

/** What the amounts leave to distribute, or by how much they exceed the allowance, in words. */
function AmountLeft({ plan: { left } }: { plan: BallotPlan }): ReactNode {
  const { t } = useTranslation();
  return (
    <strong data-testid="left" className={left < 0n ? "left error" : "left"} aria-live="polite">
      {left < 0n ? t("ballot.over", { amount: rubles(-left) }) : t("ballot.left", { amount: rubles(left) })}
    </strong>
  );
}

/** `/district/<id>/review`: the ballot to check, one project a row, then the confirmation and the receipt. */
export function ReviewPage({ districtId }: { districtId: number }): ReactNode {
  const { t } = useTranslation();
  const view = useDistrictView(districtId);
  if (view.data === null) return <p>{t("district.unknown")}</p>;
  if (!view.data) return view.error ? <Failure error={view.error} retry={view.retry} /> : <Loading />;
  return (
    <WalletScope>
      <p className="back">
        <Link href={`/district/${districtId}`}>← {view.data.district.name}</Link>
      </p>
      <DataAge freshness={view.freshness} />
      <Review districtId={districtId} data={view.data} />
    </WalletScope>
  );
}

function Review({ districtId, data }: { districtId: number; data: DistrictData }): ReactNode {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const ballot = useDistrictBallot(districtId, data);
  const { voter, plan, lines } = ballot;
  const account = voter.state === "ready" ? voter.account : undefined;
  const { tx, busy, cast, reset } = useCastBallot(
    account ?? "0x0000000000000000000000000000000000000000",
    voter.state === "ready" ? voter.key : undefined,
  );
  const [done, setDone] = useState<(CastBallot & { at: number }) | undefined>();

  if (done && account) {
    return <BallotReceipt done={done} account={account} data={data} />;
  }
  if (data.round.phase !== Phase.Voting) {
    return (
      <p className="notice">
        {data.round.phase === Phase.Setup
          ? t("ballot.notOpen", { date: dateTime(data.round.opensAt) })
          : t("ballot.closed")}
      </p>
    );
  }
  if (voter.state !== "ready" || !plan) {
    return (
      <>
        <h1>{t("review.title")}</h1>
        {voter.state === "signedOut" ? (
          <SignInPrompt />
        ) : voter.state === "wrongNetwork" ? (
          <NetworkGuard>{null}</NetworkGuard>
        ) : voter.state === "publishing" || voter.state === "replaced" || voter.state === "refused" ? (
          <ResidentNotice voter={voter} />
        ) : (
          <p role="status">{t("ballot.checking")}</p>
        )}
      </>
    );
  }
  const changes = new Map(plan.changes.map((c) => [c.bank.toLowerCase(), c.delta]));
  const deposits = new Map(voter.holdings.banks.map((b) => [b.bank.toLowerCase(), b.deposit]));
  const shown = data.projects.filter((p) => lines.some((l) => l.project === p) || changes.has(p.bank.toLowerCase()));
  const submit = async (): Promise<void> => {
    const sent = await cast(plan, voter.claim);
    if (!sent) return;
    setDone({ ...sent, at: Date.now() / 1000 });
    await queryClient.invalidateQueries({ queryKey: ["standing"] });
    void queryClient.invalidateQueries({ queryKey: ["live"] });
  };
  return (
    <section className="review" aria-labelledby="review-title" data-testid="review-page">
      <h1 id="review-title">{t("review.title")}</h1>
      <p>{t("review.intro")}</p>
      <ul className="review-list">
        {shown.map((p) => {
          const key = p.bank.toLowerCase();
          const delta = changes.get(key) ?? 0n;
          const wanted = (deposits.get(key) ?? 0n) + delta;
          return (
            <li key={p.id} className="card review-item" data-project={p.id}>
              <Picture project={p} />
              <div className="body">
                <h2>{projectTitle(p, t)}</h2>
                <p className="amount-line">
                  <strong>{rubles(wanted)}</strong>{" "}
                  <span className="small">
                    {delta > 0n
                      ? t("review.put", { amount: rubles(delta) })
                      : delta < 0n
                        ? t("review.take", { amount: rubles(-delta) })
                        : t("review.unchanged")}
                  </span>
                </p>
                <p className="small">
                  {t("review.fill", {
                    before: percentText(p.tokens, p.cost),
                    after: percentText(p.tokens + delta, p.cost),
                  })}
                </p>
              </div>
            </li>
          );
        })}
      </ul>
      {plan.left > 0n && <p className="notice">{t("review.leftover", { amount: rubles(plan.left) })}</p>}
      {plan.changes.length === 0 && <p className="notice">{t("review.nothingChanges")}</p>}
      <div className="buttons">
        <Link href={`/district/${districtId}`} className="button" aria-disabled={busy}>
          {t("review.edit")}
        </Link>
        <button
          type="button"
          className="primary"
          onClick={() => {
            reset();
            void submit();
          }}
          disabled={busy || plan.problems.length > 0}
        >
          {t("review.confirm")}
        </button>
      </div>
      <BallotStatus tx={tx} />
    </section>
  );
}

/** Why a resident signed in by phone cannot vote from here (yet), in plain words. */
function ResidentNotice({
  voter,
}: {
  voter: Extract<VoterState, { state: "publishing" | "replaced" | "refused" }>;
}): ReactNode {
  const { t } = useTranslation();
  if (voter.state === "publishing") {
    return (
      <p className="notice" role="status" data-testid="publishing">
        {t("phone.publishing", { count: Math.max(1, Math.ceil(voter.expectedWaitSeconds / 60)) })}
      </p>
    );
  }
  if (voter.state === "refused") {
    return (
      <p className="notice" role="alert" data-testid="vote-stands">
        {voter.message}
      </p>
    );
  }
  return (
    <div className="notice" role="alert" data-testid="replaced">
      <p>{t("phone.replaced")}</p>
      <Link href={`/phone?next=${encodeURIComponent(location.pathname)}`}>{t("phone.again")}</Link>
    </div>
  );
}

/** Where the ballot is, in the resident's words; the technical reason of a failure is folded away. */
function BallotStatus({ tx }: { tx: TxState }): ReactNode {
  const { t } = useTranslation();
  switch (tx.state) {
    case "idle":
    case "confirmed":
      return null;
    case "signing":
      return (
        <p className="notice" role="status" data-tx="signing" data-wallet-option>
          {t("walletOption.signing")}
        </p>
      );
    case "pending":
      return (
        <p className="notice" role="status" data-tx="pending">
          {t("vote.pending")}
        </p>
      );
    case "relaying":
      return (
        <p className="notice" role="status" data-tx="relaying" data-relay={tx.status}>
          {t("vote.queued")}
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
        <div className="notice error" role="alert" data-tx="failed">
          <p>{t("vote.failed")}</p>
          <details className="small">
            <summary>{t("common.details")}</summary>
            <p className="mono">{tx.reason}</p>
          </details>
        </div>
      );
  }
}

/** The receipt: when, its number, what this resident's ballot did, who paid for recording it, and how to check it. */
function BallotReceipt({
  done,
  account,
  data,
}: {
  done: CastBallot & { at: number };
  account: Address;
  data: DistrictData;
}): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const { receipt, relayed } = done;
  // A relayed record carries other residents' ballots too: the receipt is this voter's steps only.
  const steps = useMemo(
    () =>
      stepsOf(receipt.logs as Log[], data.round as never, data.projects).filter((step) =>
        isAddressEqual(step.account, account),
      ),
    [receipt, data, account],
  );
  const titles = new Map(data.projects.map((p) => [p.id, projectTitle(p, t)]));
  const [codesOpen, setCodesOpen] = useState(false);
  useEffect(() => {
    // A printed receipt carries the full codes, whichever way it is printed (the button or the browser's menu).
    const open = (): void => setCodesOpen(true);
    window.addEventListener("beforeprint", open);
    return () => window.removeEventListener("beforeprint", open);
  }, []);
  const print = (): void => {
    flushSync(() => setCodesOpen(true));
    window.print();
  };
  useEffect(() => {
    // The ballot closes, holding what the resident now has (its amounts are the ones just voted).
    ballotActions(config.round, data.district.id).close();
  }, [config.round, data.district.id]);
  return (
    <section className="notice ok receipt" role="status" data-tx="confirmed" aria-labelledby="receipt-title">
      <h1 id="receipt-title">{t("receipt.title")}</h1>
      <p>{t("receipt.when", { date: dateTime(done.at) })}</p>
      <p className="receipt-number">{t("receipt.number", { code: receiptCode(receipt.transactionHash) })}</p>
      {relayed ? <p data-path="relayer">{t("receipt.free")}</p> : <p data-path="direct">{t("receipt.paidYourself")}</p>}
      <h2>{t("receipt.chosen")}</h2>
      <StepsTable
        steps={steps}
        title={(id) => titles.get(id) ?? t("common.projectNumber", { id })}
        showNow={false}
        showAccount={false}
        showReceipt={false}
      />
      {/* At a public office's terminal the resident's key is wiped next: no change from here. */}
      {!isTerminal() && <p>{t("receipt.change", { date: dateTime(data.round.closesAt) })}</p>}
      <p className="buttons">
        <Link href={`/verify?q=${relayed ? account : receipt.transactionHash}`} className="button">
          {t("receipt.verify")}
        </Link>
        <button type="button" onClick={print}>
          {t("receipt.print")}
        </button>
      </p>
      {/* The full codes the verification page takes, out of the way on screen, on the paper when printed. */}
      <details className="receipt-codes" open={codesOpen} onToggle={(e) => setCodesOpen(e.currentTarget.open)}>
        <summary>{t("receipt.forChecking")}</summary>
        <p className="small">{t("receipt.codesIntro")}</p>
        <dl className="small">
          <dt>{t("receipt.fullNumber")}</dt>
          <dd className="mono" data-testid="receipt-full-number">
            {receipt.transactionHash}
          </dd>
          <dt>{t("receipt.participantCode")}</dt>
          <dd className="mono" data-testid="receipt-participant">
            {account}
          </dd>
        </dl>
      </details>
      {isTerminal() && <TerminalFinish />}
    </section>
  );
}
