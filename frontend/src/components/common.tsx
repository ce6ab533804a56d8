import { useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import type { Freshness } from "../data/views.js";
import { ago, dateTime, percentText, rubles, shortDateTime } from "../format.js";

export function Loading(): ReactNode {
  const { t } = useTranslation();
  return (
    <p className="muted" role="status">
      {t("common.loading")}
    </p>
  );
}

/** A failure in plain words, with the technical reason folded away for whoever helps the resident. */
export function Failure({ error, retry }: { error: unknown; retry?: () => void }): ReactNode {
  const { t } = useTranslation();
  return (
    <div className="notice error" role="alert">
      <p>{t("common.error")}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {t("common.retry")}
        </button>
      )}
      <details className="small">
        <summary>{t("common.details")}</summary>
        <p className="mono">{error instanceof Error ? error.message.split("\n")[0] : String(error)}</p>
      </details>
    </div>
  );
}

/** What a piggy bank holds against the project's cost: a bar, and the figures in words. */
export function FillBar({ tokens, cost }: { tokens: bigint; cost: bigint }): ReactNode {
  const { t } = useTranslation();
  const share = percentText(tokens, cost);
  const filled = cost === 0n ? 0 : Math.min(100, Number((tokens * 10000n) / cost) / 100);
  return (
    <div className="fill">
      <div
        className="bar"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(filled)}
        aria-label={t("project.fill", { percent: share })}
      >
        <span style={{ width: `${filled}%` }} />
      </div>
      <p className="small">
        {t("common.collected")}: {t("common.of", { part: rubles(tokens), whole: rubles(cost) })} · {share}
      </p>
    </div>
  );
}

const noSubscription = (): (() => void) => () => {};

/**
 * False while the page is drawn on the server and while the browser takes over a page drawn there (hydration), true
 * from the next render on (at once on a page the browser draws itself). What depends on the reader's clock or time
 * zone is drawn the server's way until then, so that the browser's first drawing matches the HTML it takes over;
 * the update that follows then puts in the reader's own time.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/** The zone to write times in: UTC on a page drawn ahead until the browser has taken it over, then the reader's. */
export function useReaderTimeZone(): string | undefined {
  return useHydrated() ? undefined : "UTC";
}

/**
 * Chain time now, ticking every 30 s; the chain's clock may differ from this computer's (a test chain may travel).
 * Never earlier than the chain's time when the round was last read, however long ago this component mounted.
 */
export function useChainNow(round: { clockOffset: number; readAt: number }): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  const hydrated = useHydrated();
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), 30_000);
    return () => clearInterval(timer);
  }, []);
  // A page drawn ahead counts from the moment its data was read, the same on the server and in the browser.
  return Math.max(hydrated ? now : round.readAt, round.readAt) + round.clockOffset;
}

export function Countdown({
  round,
}: {
  round: { opensAt: bigint; closesAt: bigint; clockOffset: number; readAt: number };
}): ReactNode {
  const { t } = useTranslation();
  const now = useChainNow(round);
  const timeZone = useReaderTimeZone();
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
  else text = t("countdown.closed", { date: dateTime(round.closesAt, timeZone) });
  return (
    <p className="countdown" role="timer" aria-live="off">
      {text}
    </p>
  );
}

/** How old the figures on the page are, when they are not straight from the chain. */
export function DataAge({ freshness }: { freshness: Freshness }): ReactNode {
  const { t } = useTranslation();
  const [, tick] = useState(0);
  const hydrated = useHydrated();
  const timeZone = useReaderTimeZone();
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);
  if (freshness.live || freshness.asOf === undefined) return null;
  const time = shortDateTime(freshness.asOf, timeZone);
  // Drawn ahead, "how long ago" is counted from the figures' own time, as the browser's first drawing counts it.
  const since = ago(freshness.asOf, hydrated ? undefined : freshness.asOf);
  return (
    <p
      className={freshness.failed ? "age stale" : "age"}
      role="status"
      data-freshness={freshness.failed ? "stale" : "updating"}
    >
      {freshness.failed ? t("freshness.stale", { time, ago: since }) : t("freshness.updating", { time })}
    </p>
  );
}
