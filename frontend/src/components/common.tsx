import { CATEGORIES, CATEGORY_NAMES_RU } from "@kopilka/core/category";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { useMetadata, type BankState, type ProjectInfo, type RoundInfo } from "../data/round.js";
import { dateTime, percent, rubles } from "../format.js";

export function Loading(): ReactNode {
  const { t } = useTranslation();
  return (
    <p className="muted" role="status">
      {t("common.loading")}
    </p>
  );
}

export function Failure({ error, retry }: { error: unknown; retry?: () => void }): ReactNode {
  const { t } = useTranslation();
  return (
    <div className="notice error" role="alert">
      <p>{t("common.error", { message: error instanceof Error ? error.message.split("\n")[0] : String(error) })}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}

const CATEGORY_NAMES_EN = [
  "Sport",
  "Education and culture",
  "Libraries",
  "Housing and utilities",
  "Street lighting",
  "Landscaping",
  "Water supply",
  "Playgrounds",
  "Local roads",
];

export function categoryName(index: number, language: string): string {
  const key = CATEGORIES[index];
  if (key === undefined) return "?";
  return language === "en" ? CATEGORY_NAMES_EN[index] : CATEGORY_NAMES_RU[key];
}

/** Tokens in a piggy bank against the project's cost. */
export function FillBar({ tokens, cost, label }: { tokens: bigint; cost: bigint; label?: string }): ReactNode {
  const { t } = useTranslation();
  const filled = percent(tokens, cost);
  return (
    <div className="fill">
      <div
        className="bar"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(100, Math.round(filled))}
        aria-label={label ?? t("project.fill", { percent: filled.toFixed(1) })}
      >
        <span style={{ width: `${Math.min(100, filled)}%` }} />
      </div>
      <p className="small">
        {t("common.of", { part: rubles(tokens), whole: rubles(cost) })} ·{" "}
        {t("project.fill", { percent: filled.toFixed(1) })}
      </p>
    </div>
  );
}

/**
 * Chain time now, ticking every 30 s; the chain's clock may differ from this computer's (a test chain may travel).
 * Never earlier than the chain's time when the round was last read, however long ago this component mounted.
 */
export function useChainNow(round: Pick<RoundInfo, "clockOffset" | "readAt">): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), 30_000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(now, round.readAt) + round.clockOffset;
}

export function Countdown({ round }: { round: RoundInfo }): ReactNode {
  const { t } = useTranslation();
  const now = useChainNow(round);
  const span = (seconds: number): string => {
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const parts = [];
    if (days > 0) parts.push(t("countdown.days", { count: days }));
    if (days > 0 || hours > 0) parts.push(t("countdown.hours", { count: hours }));
    if (days === 0) parts.push(t("countdown.minutes", { count: minutes }));
    return parts.join(" ");
  };
  let text: string;
  if (now < Number(round.opensAt)) text = t("countdown.opensIn", { time: span(Number(round.opensAt) - now) });
  else if (now < Number(round.closesAt)) text = t("countdown.closesIn", { time: span(Number(round.closesAt) - now) });
  else text = t("countdown.closed", { date: dateTime(round.closesAt) });
  return (
    <p className="countdown" role="timer" aria-live="off">
      {text}
    </p>
  );
}

export function ProjectCard({
  project,
  bank,
  headingLevel = 3,
}: {
  project: ProjectInfo;
  bank?: BankState;
  headingLevel?: 2 | 3;
}): ReactNode {
  const { t, i18n } = useTranslation();
  const meta = useMetadata(project);
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const title = meta.data?.metadata?.title ?? `${t("common.project")} №${project.id}`;
  return (
    <article className="card project" data-project={project.id}>
      {meta.data?.metadata?.image ? (
        <img src={meta.data.metadata.image} alt="" width={320} height={180} loading="lazy" />
      ) : (
        <div className={`placeholder c${project.category}`} aria-hidden="true" />
      )}
      <div className="body">
        <p className="category">{categoryName(project.category, i18n.language)}</p>
        <Heading>
          <Link href={`/project/${project.id}`}>{title}</Link>
        </Heading>
        {meta.data && !meta.data.verified && meta.data.metadata && (
          <p className="warning small">{t("common.unverified")}</p>
        )}
        <p className="description">
          {meta.data?.metadata?.description ?? (meta.isLoading ? "" : t("common.noDescription"))}
        </p>
        <p>
          {t("common.cost")}: <strong>{rubles(project.cost)}</strong>
        </p>
        {bank && <FillBar tokens={bank.tokens} cost={project.cost} />}
        {bank?.supporters !== undefined && (
          <p className="small">{t("project.supporters", { count: Number(bank.supporters) })}</p>
        )}
      </div>
    </article>
  );
}
