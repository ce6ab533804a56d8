/**
 * Budget amounts. One budget token is one ruble and has 2 decimals, so amounts on-chain are whole kopecks.
 * Off-chain, people write rubles ("1500", "1500.5", "1 500,50"); these helpers turn them into kopecks exactly,
 * never through floating point.
 */
import { problem, type Problem, type ProblemCode } from "./problems.js";

export const TOKEN_DECIMALS = 2;
export const KOPECKS_PER_RUBLE = 100n;

/** Parses a ruble amount into kopecks, or returns the reason it is not one (in English, and as a problem code). */
export function parseRubles(text: string): { kopecks: bigint } | { error: string; problem: Problem } {
  const refuse = (code: ProblemCode) => {
    const found = problem(code, code === "amount-empty" ? undefined : { text });
    return { error: found.message, problem: found };
  };
  const cleaned = text
    .trim()
    .replace(/[\s\u00a0]/g, "")
    .replace(",", ".");
  if (cleaned === "") return refuse("amount-empty");
  if (cleaned.startsWith("-")) return refuse("amount-negative");
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return refuse("amount-not-number");
  const fraction = match[2] ?? "";
  if (fraction.length > TOKEN_DECIMALS) return refuse("amount-decimals");
  return { kopecks: BigInt(match[1]) * KOPECKS_PER_RUBLE + BigInt(fraction.padEnd(TOKEN_DECIMALS, "0")) };
}

/** Formats kopecks as rubles with exactly two decimals ("1500.50"), for files and logs. */
export function formatRubles(kopecks: bigint): string {
  const sign = kopecks < 0n ? "-" : "";
  const abs = kopecks < 0n ? -kopecks : kopecks;
  return `${sign}${abs / KOPECKS_PER_RUBLE}.${(abs % KOPECKS_PER_RUBLE).toString().padStart(2, "0")}`;
}

/**
 * Kopecks as people read rubles: "1 500 ₽", "1 500,50 ₽" (ru-RU; the dApp passes its language's locale). The one
 * formatter for every amount a person reads, in the CLI's output and on the dApp's pages; exact for any amount,
 * since the number reaches Intl as a decimal string.
 */
export function rubles(kopecks: bigint, locale = "ru-RU"): string {
  return rublesFormat(locale, kopecks % KOPECKS_PER_RUBLE === 0n).format(formatRubles(kopecks) as `${number}`);
}

// One formatter per locale and kind: building an Intl.NumberFormat costs far more than using one, and a results page
// formats a few amounts per project.
const formats = new Map<string, Intl.NumberFormat>();

function rublesFormat(locale: string, whole: boolean): Intl.NumberFormat {
  const key = `${locale}/${whole}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: "currency",
      currency: "RUB",
      minimumFractionDigits: whole ? 0 : TOKEN_DECIMALS,
      maximumFractionDigits: TOKEN_DECIMALS,
    });
    formats.set(key, format);
  }
  return format;
}
