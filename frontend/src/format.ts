/** Formatting for people: rubles from kopecks, percents, dates in the reader's own time zone, how long ago. */
import i18n from "i18next";

import { rubles as formatRubles } from "@kopilka/core/money";

const locale = (): string => (i18n.language === "en" ? "en-GB" : "ru-RU");

/** Kopecks as rubles, e.g. "1 500 ₽" or "1 500,50 ₽" in Russian: the core's one formatter, in the reader's language. */
export function rubles(kopecks: bigint): string {
  return formatRubles(kopecks, locale());
}

/** A plain number of rubles for input fields ("1500,5" style is accepted back by parseRubles). */
export function rublesPlain(kopecks: bigint): string {
  const sign = kopecks < 0n ? "-" : "";
  const abs = kopecks < 0n ? -kopecks : kopecks;
  const fraction = abs % 100n;
  return `${sign}${abs / 100n}${fraction === 0n ? "" : "," + fraction.toString().padStart(2, "0")}`;
}

/**
 * A date and time, in the reader's time zone unless `timeZone` is given (a page drawn ahead on the server names a
 * zone, UTC, so that the browser taking it over draws the same words; see useReaderTimeZone).
 */
export function dateTime(seconds: bigint | number, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale(), {
    timeZone,
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(Number(seconds) * 1000));
}

/** A time of day and date without the year, for "the figures of 14:05, 12 May". */
export function shortDateTime(seconds: number, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale(), {
    timeZone,
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(seconds * 1000));
}

/** "5 минут назад", "2 часа назад": how long ago, in the largest whole unit. */
export function ago(seconds: number, now = Date.now() / 1000): string {
  const elapsed = Math.max(0, now - seconds);
  const format = new Intl.RelativeTimeFormat(locale(), { numeric: "auto" });
  if (elapsed < 60) return format.format(0, "minute");
  if (elapsed < 3600) return format.format(-Math.floor(elapsed / 60), "minute");
  if (elapsed < 86400) return format.format(-Math.floor(elapsed / 3600), "hour");
  return format.format(-Math.floor(elapsed / 86400), "day");
}

/** `part` of `whole` as a number of percent (0 when `whole` is 0), to two decimals. */
export function percent(part: bigint, whole: bigint): number {
  if (whole === 0n) return 0;
  return Number((part * 10000n) / whole) / 100;
}

/** A share as people read it: "36,0 %" in Russian, "36.0%" in English. */
export function percentText(part: bigint, whole: bigint): string {
  return new Intl.NumberFormat(locale(), {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(percent(part, whole) / 100);
}

export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** A receipt number people can read aloud: the first 8 hex digits of the record, in two groups ("7F3A-91C2"). */
export function receiptCode(hash: string): string {
  const digits = hash.replace(/^0x/, "").slice(0, 8).toUpperCase();
  return `${digits.slice(0, 4)}-${digits.slice(4)}`;
}
