/** Formatting for people: rubles from kopecks, dates in the reader's own time zone, short addresses. */
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

export function dateTime(seconds: bigint | number): string {
  return new Intl.DateTimeFormat(locale(), {
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(Number(seconds) * 1000));
}

export function percent(part: bigint, whole: bigint): number {
  if (whole === 0n) return 0;
  return Number((part * 10000n) / whole) / 100;
}

export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}
