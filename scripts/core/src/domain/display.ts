/**
 * What people read about a round, in one place for the CLI, the auditor's reports and the dApp's staff pages:
 * districts by name ("any district" for a resident free to vote anywhere), projects with their titles, and chain
 * times in the round's own time zone (the UTC offset its spec gave, recorded in the manifest). Amounts are
 * `rubles` of ./money.ts.
 */
import { ANY_DISTRICT } from "./participants.js";

/** Names to print beside ids: project titles (from verified metadata) and district names, by id. */
export interface Labels {
  projects: ReadonlyMap<number, string>;
  districts: ReadonlyMap<number, string>;
  /** The round's UTC offset ("+03:00"); UTC when unknown. */
  utcOffset?: string;
}

export const NO_LABELS: Labels = { projects: new Map(), districts: new Map() };

/** `district 3 "Центральный"`, or "any district" for a resident's ANY_DISTRICT. */
export function districtLabel(id: number, labels: Labels = NO_LABELS): string {
  if (id === ANY_DISTRICT) return "any district";
  const name = labels.districts.get(id);
  return name === undefined ? `district ${id}` : `district ${id} "${name}"`;
}

/** `project 3 "Спортплощадка у школы"`, or `project 3` when its title is not known. */
export function projectLabel(id: number, labels: Labels = NO_LABELS): string {
  const title = labels.projects.get(id);
  return title === undefined ? `project ${id}` : `project ${id} "${title}"`;
}

const OFFSET = /(?:Z|([+-])(\d\d):?(\d\d))$/;

/**
 * The UTC offset an ISO date was written with ("2027-03-01T00:00:00+03:00" gives "+03:00", "...Z" gives
 * "+00:00"); undefined for unix seconds or text without one.
 */
export function utcOffsetOf(text: unknown): string | undefined {
  if (typeof text !== "string" || /^\s*\d+\s*$/.test(text)) return undefined;
  const match = OFFSET.exec(text.trim());
  if (match === null) return undefined;
  return match[1] === undefined ? "+00:00" : `${match[1]}${match[2]}:${match[3]}`;
}

function offsetMinutes(utcOffset: string | undefined): number {
  const match = utcOffset === undefined ? null : OFFSET.exec(utcOffset);
  if (match === null || match[1] === undefined) return 0;
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/**
 * A chain time (unix seconds) in the round's time zone: "2027-03-01 00:00 (UTC+03:00)"; seconds are shown only
 * when there are any.
 */
export function formatTime(seconds: bigint | number, utcOffset?: string): string {
  const minutes = offsetMinutes(utcOffset);
  const local = new Date((Number(seconds) + minutes * 60) * 1000).toISOString();
  const clock = local.slice(11, 19).endsWith(":00") ? local.slice(11, 16) : local.slice(11, 19);
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  const zone = `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${local.slice(0, 10)} ${clock} (${zone})`;
}
