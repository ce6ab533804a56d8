import { Rule } from "@kopilka/core/rule";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { tallyDistrict } from "@kopilka/core/tally";
import { Failure, Loading } from "../components/common.js";
import {
  useBanks,
  useDistricts,
  useOutcomes,
  useProjects,
  useProjectTexts,
  useRound,
  type BankState,
  type DistrictInfo,
  type ProjectInfo,
  type RoundInfo,
} from "../data/round.js";
import { percent, rubles } from "../format.js";

export function Results({ districtId }: { districtId?: number }): ReactNode {
  const { t } = useTranslation();
  const round = useRound();
  const districts = useDistricts();
  const projects = useProjects(districtId === undefined ? {} : { district: districtId });
  const banks = useBanks(
    projects.data?.map((p) => p.bank),
    round.data?.token,
    (round.data?.minSupporters ?? 0n) > 0n,
  );
  const anyFinalized = districts.data?.some((d) => d.finalized) ?? false;
  const outcomes = useOutcomes(
    projects.data?.map((p) => p.id),
    anyFinalized,
  );
  const error = round.error ?? districts.error ?? projects.error ?? banks.error;
  if (error) return <Failure error={error} />;
  if (!round.data || !districts.data || !projects.data || !banks.data) return <Loading />;
  const r = round.data;
  const shown = districts.data.filter((d) => districtId === undefined || d.id === districtId);
  return (
    <>
      <h1>{t("results.title")}</h1>
      <RuleText round={r} />
      {shown.map((d) => (
        <DistrictResult
          key={d.id}
          round={r}
          district={d}
          projects={projects.data.filter((p) => p.district === d.id)}
          banks={banks.data}
          outcomes={outcomes.data}
        />
      ))}
    </>
  );
}

function RuleText({ round }: { round: RoundInfo }): ReactNode {
  const { t } = useTranslation();
  return (
    <div className="rule">
      <p>{round.rule === Rule.PiggyBankFull ? t("results.rulePiggyBankFull") : t("results.ruleRanked")}</p>
      <p>
        {t("results.noSupport")}
        {round.minTokens > 0n && " " + t("results.minTokens", { amount: rubles(round.minTokens) })}
        {round.minSupporters > 0n && " " + t("results.minSupporters", { count: Number(round.minSupporters) })}
      </p>
    </div>
  );
}

type Outcomes = Map<number, { funded: boolean; status: number; spent: bigint }>;

function DistrictResult({
  round,
  district,
  projects,
  banks,
  outcomes,
}: {
  round: RoundInfo;
  district: DistrictInfo;
  projects: ProjectInfo[];
  banks: Map<string, BankState>;
  outcomes?: Outcomes;
}): ReactNode {
  const { t } = useTranslation();
  const texts = useProjectTexts(projects);
  const entries = projects.map((p) => ({
    projectId: BigInt(p.id),
    cost: p.cost,
    tokens: banks.get(p.bank.toLowerCase())?.tokens ?? 0n,
    supporters: banks.get(p.bank.toLowerCase())?.supporters ?? 0n,
  }));
  // The same rule as the contract (scripts/core/src/domain/tally.ts is held against DistrictTally.sol by the tests).
  const tally = tallyDistrict(entries, district.budget, {
    rule: round.rule,
    minTokens: round.minTokens,
    minSupporters: round.minSupporters,
  });
  const final = district.finalized;
  const winners = new Set(tally.winners.map(Number));
  const isWinner = (id: number): boolean => (final ? (outcomes?.get(id)?.funded ?? false) : winners.has(id));
  const ranked = [...entries].sort((a, b) =>
    a.tokens !== b.tokens ? (a.tokens > b.tokens ? -1 : 1) : a.projectId < b.projectId ? -1 : 1,
  );
  const max = ranked.reduce((m, e) => (e.tokens > m ? e.tokens : m), 0n);
  const scale = ranked.reduce((m, e) => (e.cost > m ? e.cost : m), max);
  // What the winners down the ranking have used of the budget so far, at each winner.
  const usedAt = new Map<number, bigint>();
  let used = 0n;
  for (const e of ranked) {
    const id = Number(e.projectId);
    if (isWinner(id)) usedAt.set(id, (used += e.cost));
  }
  const statuses = t("results.statuses", { returnObjects: true }) as string[];
  return (
    <section className="district-result" aria-labelledby={`result-${district.id}`} data-district={district.id}>
      <h2 id={`result-${district.id}`}>
        <Link href={`/district/${district.id}`}>{district.name}</Link>
      </h2>
      <p className={final ? "notice ok" : "notice provisional"}>
        {final ? t("results.final") : t("results.provisional")}
      </p>
      <p>
        {t("results.fundedTotal", {
          funded: rubles(final ? district.funded : tally.fundedTotal),
          budget: rubles(district.budget),
        })}
      </p>
      <ol className="ranking">
        {ranked.map((e) => {
          const id = Number(e.projectId);
          const win = isWinner(id);
          const outcome = outcomes?.get(id);
          return (
            <li key={id} className={win ? "win" : ""} data-project={id} data-winner={win}>
              <div className="row">
                <Link href={`/project/${id}`}>{texts.get(id)?.title ?? `${t("common.project")} №${id}`}</Link>
                <span className="badge">
                  {win ? (final ? t("results.funded") : t("results.winner")) : t("results.out")}
                </span>
              </div>
              <div className="pair" aria-hidden="true">
                <span className="tokens" style={{ width: `${percent(e.tokens, scale)}%` }} />
                <span className="cost" style={{ left: `${Math.min(100, percent(e.cost, scale))}%` }} />
              </div>
              <p className="small">
                {t("common.collected")}: {rubles(e.tokens)} · {t("common.cost")}: {rubles(e.cost)}
                {win &&
                  ` · ${t("results.budgetLine", { amount: `${rubles(usedAt.get(id) ?? 0n)} / ${rubles(district.budget)}` })}`}
              </p>
              {final && outcome?.funded && (
                <p className="small">
                  {t("results.status")}: {statuses[outcome.status]} ·{" "}
                  {t("results.spent", { amount: rubles(outcome.spent) })}
                </p>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
