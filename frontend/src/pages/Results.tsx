import type { TFunction } from "i18next";
import { memo, useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "wouter";

import { Rule } from "@kopilka/core/rule";
import { explainDistrict, type ProjectOutcome } from "@kopilka/core/tally";
import { DataAge, Failure, Loading } from "../components/common.js";
import { projectTitle } from "../components/ProjectCard.js";
import { useDistrictChoices, useDistrictView, useRoundView, type DistrictData, type RoundView } from "../data/views.js";
import { percent, rubles } from "../format.js";
import { statusName } from "../glossary.js";

/** `/results` and `/results/<district>`: a district picker, and one district's results per page. */
export function Results({ districtId }: { districtId?: number }): ReactNode {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("results.title")}</h1>
      <DistrictPicker current={districtId} />
      {districtId === undefined ? <DistrictList /> : <DistrictResult id={districtId} />}
    </>
  );
}

function DistrictPicker({ current }: { current?: number }): ReactNode {
  const { t } = useTranslation();
  const districts = useDistrictChoices();
  const [, navigate] = useLocation();
  const [chosen, setChosen] = useState(current === undefined ? "" : String(current));
  if (!districts) return null;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (chosen !== "") navigate(`/results/${chosen}`);
  };
  return (
    <form className="picker" onSubmit={submit} aria-label={t("results.pick")}>
      <div className="field">
        <label htmlFor="district-picker">
          <span>{t("results.district")}</span>
        </label>
        <select id="district-picker" value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <option value="" disabled>
            {t("results.pick")}
          </option>
          {districts.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="primary" disabled={chosen === ""}>
        {t("results.open")}
      </button>
    </form>
  );
}

function DistrictList(): ReactNode {
  const { t } = useTranslation();
  const view = useRoundView();
  if (!view.data) return view.error ? <Failure error={view.error} retry={view.retry} /> : <Loading />;
  return (
    <>
      <RuleText rule={view.data.round} />
      <DataAge freshness={view.freshness} />
      <ul className="districts">
        {view.data.districts.map((d) => (
          <li key={d.id} data-district={d.id}>
            <Link href={`/results/${d.id}`}>{d.name}</Link>
            <span className="small muted">
              {d.finalized
                ? `${t("results.summaryFinal")} · ${t("results.fundedTotal", { funded: rubles(d.funded), budget: rubles(d.budget) })}`
                : t("results.summaryProvisional")}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

type RoundRule = Pick<RoundView, "rule" | "minTokens" | "minSupporters">;

/** The round's rule in one sentence, and its minimums. */
function RuleText({ rule: round }: { rule: RoundRule }): ReactNode {
  const { t } = useTranslation();
  return (
    <div className="rule">
      <p>{round.rule === Rule.PiggyBankFull ? t("results.rulePiggyBankFull") : t("results.ruleRanked")}</p>
      {round.minTokens > 0n && <p>{t("results.minTokens", { amount: rubles(round.minTokens) })}</p>}
      {round.minSupporters > 0n && <p>{t("results.minSupporters", { count: Number(round.minSupporters) })}</p>}
    </div>
  );
}

function DistrictResult({ id }: { id: number }): ReactNode {
  const { t } = useTranslation();
  const view = useDistrictView(id);
  if (view.data === null) return <p>{t("district.unknown")}</p>;
  if (!view.data) return view.error ? <Failure error={view.error} retry={view.retry} /> : <Loading />;
  return (
    <>
      <DataAge freshness={view.freshness} />
      <Ranking district={view.data.district} projects={view.data.projects} {...ruleOf(view.data.round)} />
    </>
  );
}

/** Why a project did not win, in words. */
function reasonText(outcome: ProjectOutcome | undefined, round: RoundRule, t: TFunction): string {
  if (!outcome || outcome.funded) return t("results.reasons.unexplained");
  switch (outcome.reason) {
    case "didNotFit":
      return t("results.reasons.didNotFit", { left: rubles(outcome.budgetLeft) });
    case "noSupport":
      return t("results.reasons.noSupport");
    case "belowMinTokens":
      return t("results.reasons.belowMinTokens", { amount: rubles(round.minTokens) });
    case "belowMinSupporters":
      return t("results.reasons.belowMinSupporters", { count: Number(round.minSupporters) });
    case "notFull":
      return t("results.reasons.notFull");
  }
}

/**
 * What a project collected (the filled part) against its cost (the labelled mark), on the district's common scale; the
 * same figures are in words below it, so the drawing is hidden from screen readers.
 */
function CostScale({ tokens, cost, scale }: { tokens: bigint; cost: bigint; scale: bigint }): ReactNode {
  const { t } = useTranslation();
  const at = Math.min(100, percent(cost, scale));
  return (
    <div className="pair" aria-hidden="true">
      <span className="tokens" style={{ width: `${percent(tokens, scale)}%` }} />
      <span className="cost" style={{ left: `${at}%` }}>
        <span className={at > 50 ? "mark-label before" : "mark-label"}>{t("results.costMark")}</span>
      </span>
    </div>
  );
}

/** Only the rule's fields of the round: its clock moves at every read, the ranking does not. */
const ruleOf = ({ rule, minTokens, minSupporters }: RoundRule): RoundRule => ({ rule, minTokens, minSupporters });

/** Drawn again only when the district, its projects or the rule change (see useStable in ../data/views.ts). */
const Ranking = memo(function Ranking({
  district,
  projects,
  ...round
}: RoundRule & Pick<DistrictData, "district" | "projects">): ReactNode {
  const { t } = useTranslation();
  const entries = projects.map((p) => ({
    projectId: BigInt(p.id),
    cost: p.cost,
    tokens: p.tokens,
    supporters: p.supporters ?? 0n,
  }));
  // The same rule as the contract (@kopilka/core/tally is held against DistrictTally.sol by the tests).
  const tally = explainDistrict(entries, district.budget, {
    rule: round.rule,
    minTokens: round.minTokens,
    minSupporters: round.minSupporters,
  });
  const outcomes = new Map(tally.outcomes.map((o) => [Number(o.projectId), o]));
  const final = district.finalized;
  const isWinner = (id: number): boolean =>
    final ? (projects.find((p) => p.id === id)?.funded ?? false) : (outcomes.get(id)?.funded ?? false);
  const ranked = [...projects].sort((a, b) => (a.tokens !== b.tokens ? (a.tokens > b.tokens ? -1 : 1) : a.id - b.id));
  const scale = ranked.reduce(
    (m, p) => (p.cost > m ? p.cost : m),
    ranked.reduce((m, p) => (p.tokens > m ? p.tokens : m), 0n),
  );
  return (
    <section className="district-result" aria-labelledby={`result-${district.id}`} data-district={district.id}>
      <h2 id={`result-${district.id}`}>
        <Link href={`/district/${district.id}`}>{district.name}</Link>
      </h2>
      <p className={final ? "notice ok" : "notice provisional"}>
        {final ? t("results.final") : t("results.provisional")}
      </p>
      <RuleText rule={round} />
      <p>
        <strong>
          {t("results.fundedTotal", {
            funded: rubles(final ? district.funded : tally.fundedTotal),
            budget: rubles(district.budget),
          })}
        </strong>
      </p>
      <ol className="ranking">
        {ranked.map((p) => {
          const win = isWinner(p.id);
          const outcome = outcomes.get(p.id);
          return (
            <li key={p.id} className={win ? "card win" : "card"} data-project={p.id} data-winner={win}>
              <div className="row">
                <Link href={`/project/${p.id}`}>{projectTitle(p, t)}</Link>
                <span className={win ? "badge win" : "badge"}>
                  {win ? (final ? t("results.funded") : t("results.winner")) : t("results.out")}
                </span>
              </div>
              <CostScale tokens={p.tokens} cost={p.cost} scale={scale} />
              <p className="small">
                {t("common.collected")}: {rubles(p.tokens)} · {t("common.cost")}: {rubles(p.cost)}
              </p>
              <p
                className="small reason"
                data-reason={win ? "funded" : outcome && !outcome.funded ? outcome.reason : "unexplained"}
              >
                {win
                  ? outcome?.funded
                    ? t("results.fitted", { left: rubles(outcome.budgetLeft) })
                    : null
                  : reasonText(outcome, round, t)}
              </p>
              {final && p.funded && (
                <p className="small">
                  {t("results.status")}: {statusName(t, p.status)} · {t("results.spent", { amount: rubles(p.spent) })}
                </p>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
});
