/**
 * The round spec: what the committee writes to create a round (name, budget, dates, rule, roles, districts and
 * projects), as JSON with districts and projects inline or in CSV files the spec names. Everything is checked
 * before anything is sent, and every problem is reported at once with its file and line. Pure (no file system):
 * the dApp's committee pages run the same checks in the browser; `loadRoundSpec` (./specFile.ts) reads files.
 */
// The browser build: it carries its own small Buffer, so the same parser runs in the dApp and on Node.
import { parse as parseCsvText } from "csv-parse/browser/esm/sync";
import { getAddress, zeroAddress } from "viem";

import { CATEGORIES, categoryIndex } from "./category.js";
import { utcOffsetOf } from "./display.js";
import type { ProjectMetadata } from "./metadata.js";
import { formatRubles, parseRubles, rubles } from "./money.js";
import { problem, type Problem, type ProblemCode, type ProblemValues } from "./problems.js";
import { RULE_KEYS, type Rule } from "./rule.js";

/** One thing wrong with the input: where it is (file, line or JSON path) and why. */
export interface InputProblem {
  file: string;
  /** 1-based line, for CSV rows. */
  line?: number;
  /** JSON path, for entries of a JSON file ("districts[2].budget"). */
  where?: string;
  /** What is wrong, as a stable code and its values (./problems.ts), for pages that say it in their language. */
  code?: ProblemCode;
  values?: ProblemValues;
  /** What is wrong, in English. */
  message: string;
}

/** A problem as the CLI prints it; `message` in another language, for pages. */
export function formatProblem(found: InputProblem, message = found.message): string {
  const place = found.line !== undefined ? `:${found.line}` : found.where ? ` (${found.where})` : "";
  return `${found.file}${place}: ${message}`;
}

/** Bad input, with every problem found; thrown before anything is sent. */
export class InputError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(`${problems.length} problem(s) in the input:\n${problems.map((p) => "  " + formatProblem(p)).join("\n")}`);
    this.name = "InputError";
  }
}

/** Rounds cannot hold more, see `Round.MAX_DISTRICTS` and `Round.MAX_PROJECTS_PER_DISTRICT`. */
export const MAX_DISTRICTS = 1024;
export const MAX_PROJECTS_PER_DISTRICT = 128;

export interface CsvRow {
  line: number;
  cells: string[];
}

/** How a table file was written: what `decodeTableFile` found. */
export interface DecodedTable {
  text: string;
  /** "utf-8", or what Excel writes: "windows-1251" (Russian Excel's "CSV"), "utf-16le" ("Unicode text"). */
  encoding: "utf-8" | "windows-1251" | "utf-16le" | "utf-16be";
}

/** Bytes of Windows-1251 that Russian text uses: the letters А-я, Ё, ё, and the usual typographic signs. */
const CP1251_TEXT = new Set([
  ...Array.from({ length: 64 }, (_, i) => 0xc0 + i),
  0xa8, // Ё
  0xb8, // ё
  0xa0, // no-break space
  0xab, // «
  0xbb, // »
  0xb9, // №
  0x96, // –
  0x97, // —
  0x84, // „
  0x93, // “
  0x94, // ”
  0x85, // …
  0xb0, // °
]);

/**
 * The text of a CSV file as people save it: UTF-8 (with or without a byte order mark), UTF-16 with a byte order
 * mark (Excel's "Unicode text"), or Windows-1251, which Russian Excel writes for "CSV"; Windows-1251 is taken only
 * when every byte above ASCII is a Russian letter or sign. Anything else is refused with one problem that says
 * what was found and how to save the file. The decoders are the platform's (TextDecoder), in Node and browsers.
 */
export function decodeTableFile(bytes: Uint8Array, file: string): DecodedTable {
  const refuse = (found: Problem): never => {
    throw new InputError([{ file, ...found }]);
  };
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder("utf-8").decode(bytes.subarray(3)), encoding: "utf-8" };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder("utf-16le").decode(bytes.subarray(2)), encoding: "utf-16le" };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder("utf-16be").decode(bytes.subarray(2)), encoding: "utf-16be" };
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    refuse(problem("table-workbook"));
  }
  // Text has no control characters but tabs and line ends; UTF-16 without its mark has a zero in every ASCII letter.
  const control = (byte: number) => byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d;
  let utf8: string | undefined;
  try {
    utf8 = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: perhaps Russian Excel's Windows-1251.
  }
  let line = 1;
  for (const byte of bytes) {
    if (byte === 0x0a) line++;
    else if (control(byte) || (utf8 === undefined && byte >= 0x80 && !CP1251_TEXT.has(byte))) {
      const hex = byte.toString(16).toUpperCase().padStart(2, "0");
      refuse(problem("table-not-text", { byte: hex, line }));
    }
  }
  if (utf8 !== undefined) return { text: utf8, encoding: "utf-8" };
  return { text: new TextDecoder("windows-1251").decode(bytes), encoding: "windows-1251" };
}

/**
 * The separator of CSV text: the one of `,`, `;` and tab that appears most often outside quotes in its first
 * non-empty line (Russian Excel separates with `;`, since its decimal separator is the comma); `,` otherwise.
 */
export function csvDelimiter(text: string): "," | ";" | "\t" {
  const first =
    text
      .replace(/^\uFEFF/, "")
      .split(/\r?\n|\r/)
      .find((line) => line.trim() !== "") ?? "";
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const char of first) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char in counts) counts[char as keyof typeof counts]++;
  }
  if (counts["\t"] > counts[","] && counts["\t"] > counts[";"]) return "\t";
  return counts[";"] > counts[","] ? ";" : ",";
}

/** The separator by name, for messages. */
export const DELIMITER_NAMES: Record<string, string> = { ",": "commas", ";": "semicolons", "\t": "tabs" };

/** Reads CSV text into trimmed rows with their line numbers; blank lines are skipped; the separator is detected. */
export function parseCsv(text: string, file: string): { rows: CsvRow[]; problems: InputProblem[] } {
  try {
    const records = parseCsvText(text.replace(/^\uFEFF/, ""), {
      delimiter: csvDelimiter(text),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return { rows: records.map(({ record, info }) => ({ line: info.lines, cells: record })), problems: [] };
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    return { rows: [], problems: [{ file, line, ...problem("csv-invalid", { reason: (error as Error).message }) }] };
  }
}

/**
 * Checks an Ethereum address: well formed, not zero, and when written in mixed case, with a valid EIP-55
 * checksum (all-lower or all-upper case addresses carry no checksum). Returns the checksummed address.
 */
export function parseAddress(text: string): { address: string } | { error: string; problem: Problem } {
  const refuse = (code: ProblemCode) => {
    const found = problem(code, code === "address-zero" ? undefined : { text });
    return { error: found.message, problem: found };
  };
  const trimmed = text.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(trimmed)) return refuse("address-malformed");
  const address = getAddress(trimmed);
  const digits = trimmed.slice(2);
  const mixedCase = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixedCase && address !== trimmed) return refuse("address-checksum");
  if (address === zeroAddress) return refuse("address-zero");
  return { address };
}

// --- the spec ---

export interface DistrictSpec {
  name: string;
  /** Kopecks. */
  budget: bigint;
}

export interface ProjectSpec {
  /** Index of the district in the spec, which is its on-chain id. */
  district: number;
  /** Kopecks. */
  cost: bigint;
  category: number;
  metadata: ProjectMetadata;
}

export interface RoleAddresses {
  admin?: string;
  committee?: string;
  minter?: string;
  registrar?: string;
  reporter?: string;
}

export interface RoundSpec {
  name: string;
  tokenSymbol: string;
  /** Kopecks. */
  budget: bigint;
  /** Unix seconds. */
  opensAt: bigint;
  closesAt: bigint;
  /** The UTC offset `opensAt` was written with ("+03:00"): the round's time zone for people. */
  utcOffset?: string;
  rule: Rule;
  minTokens: bigint;
  minSupporters: number;
  /**
   * The declared allowance of a resident, kopecks: what every resident enrolled by phone receives, and what a resident
   * imported without an amount of their own receives. 0 when the spec declares none (every imported row then names
   * its amount, as in a replayed election).
   */
  allowance: bigint;
  /** Whether a resident enrolled by phone chooses a district at enrollment and is bound to it. */
  residentsBound: boolean;
  adminTransferDelay: number;
  /** Addresses of the roles; the signer takes the ones left out. */
  roles: RoleAddresses;
  /** Prefix of projects' metadata URIs (e.g. "https://example.org/round/"); relative URIs when absent. */
  metadataBaseURI?: string;
  districts: DistrictSpec[];
  projects: ProjectSpec[];
}

/** The factory's `RoundConfig` for a checked spec; `signer` takes every role the spec leaves out. */
export function roundConfigOf(spec: RoundSpec, signer: string) {
  const role = (name: (typeof ROLE_NAMES)[number]) => spec.roles[name] ?? signer;
  return {
    name: spec.name,
    tokenSymbol: spec.tokenSymbol,
    budget: spec.budget,
    opensAt: spec.opensAt,
    closesAt: spec.closesAt,
    rule: spec.rule,
    minTokens: spec.minTokens,
    minSupporters: spec.minSupporters,
    allowance: spec.allowance,
    residentsBound: spec.residentsBound,
    admin: role("admin"),
    adminTransferDelay: spec.adminTransferDelay,
    committee: role("committee"),
    minter: role("minter"),
    registrar: role("registrar"),
    reporter: role("reporter"),
  };
}

export const ROLE_NAMES = ["admin", "committee", "minter", "registrar", "reporter"] as const;
const DEFAULT_ADMIN_TRANSFER_DELAY = 3 * 24 * 60 * 60;

/**
 * Checks a parsed spec. `readFile` reads the CSV files the spec names (relative to the spec); `located` names
 * them in problems. Throws InputError listing every problem.
 */
export function parseRoundSpec(
  raw: unknown,
  specFile: string,
  readFile: (name: string) => string,
  located: (name: string) => string = (name) => name,
): RoundSpec {
  const problems: InputProblem[] = [];
  const at = (where: string, found: Problem) => problems.push({ file: specFile, where, ...found });
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InputError([{ file: specFile, ...problem("spec-not-object") }]);
  }
  const spec = raw as Record<string, unknown>;

  const name = typeof spec.name === "string" ? spec.name.trim() : "";
  if (name === "") at("name", problem("round-name-empty"));
  const tokenSymbol = spec.tokenSymbol === undefined ? "KOP" : String(spec.tokenSymbol).trim();
  if (tokenSymbol === "") at("tokenSymbol", problem("token-symbol-empty"));

  const budget = amountField(spec.budget, (m) => at("budget", m));
  if (budget === 0n) at("budget", problem("budget-zero"));
  const opensAt = timeField(spec.opensAt, (m) => at("opensAt", m));
  const closesAt = timeField(spec.closesAt, (m) => at("closesAt", m));
  if (opensAt !== undefined && closesAt !== undefined && closesAt <= opensAt) {
    at("closesAt", problem("round-closes-before-opens"));
  }
  const ruleName = spec.rule === undefined ? "ranked" : String(spec.rule);
  const rule = (RULE_KEYS as Record<string, Rule | undefined>)[ruleName];
  if (rule === undefined)
    at("rule", problem("rule-unknown", { rule: ruleName, rules: Object.keys(RULE_KEYS).join(", ") }));
  const minTokens = spec.minTokens === undefined ? 0n : amountField(spec.minTokens, (m) => at("minTokens", m));
  if (minTokens !== undefined && budget !== undefined && minTokens > budget) {
    at("minTokens", problem("min-tokens-above-budget"));
  }
  const minSupporters = integerField(spec.minSupporters ?? 0, 2 ** 32 - 1, (m) => at("minSupporters", m));
  const allowance = spec.allowance === undefined ? 0n : amountField(spec.allowance, (m) => at("allowance", m));
  if (spec.allowance !== undefined && allowance === 0n) at("allowance", problem("allowance-zero"));
  if (allowance !== undefined && budget !== undefined && allowance > budget) {
    at(
      "allowance",
      problem("allowance-above-budget", { allowance: formatRubles(allowance), budget: formatRubles(budget) }),
    );
  }
  const residentsBound = spec.residentsBound ?? false;
  if (typeof residentsBound !== "boolean")
    at("residentsBound", problem("not-boolean", { value: String(residentsBound) }));
  const adminTransferDelay = integerField(spec.adminTransferDelay ?? DEFAULT_ADMIN_TRANSFER_DELAY, 2 ** 48 - 1, (m) =>
    at("adminTransferDelay", m),
  );

  const roles: RoleAddresses = {};
  const rawRoles = (spec.roles ?? {}) as Record<string, unknown>;
  for (const [role, value] of Object.entries(rawRoles)) {
    if (!(ROLE_NAMES as readonly string[]).includes(role)) {
      at(`roles.${role}`, problem("role-unknown", { roles: ROLE_NAMES.join(", ") }));
      continue;
    }
    const parsed = parseAddress(String(value));
    if ("error" in parsed) at(`roles.${role}`, parsed.problem);
    else roles[role as keyof RoleAddresses] = parsed.address;
  }
  const metadataBaseURI = spec.metadataBaseURI === undefined ? undefined : String(spec.metadataBaseURI);

  const source: Source = { specFile, readFile, located, problems };
  const districts = parseDistricts(spec.districts, source);
  if (budget !== undefined && districts.length > 0) {
    const sum = districts.reduce((total, d) => total + d.budget, 0n);
    if (sum !== budget) {
      at("districts", problem("district-budgets-sum", { sum: rubles(sum), budget: rubles(budget) }));
    }
  }
  const projects = parseProjects(spec.projects, source, districts);

  if (problems.length > 0) throw new InputError(problems);
  return {
    name,
    tokenSymbol,
    budget: budget!,
    opensAt: opensAt!,
    closesAt: closesAt!,
    utcOffset: utcOffsetOf(spec.opensAt),
    rule: rule!,
    minTokens: minTokens!,
    minSupporters: minSupporters!,
    allowance: allowance!,
    residentsBound: residentsBound === true,
    adminTransferDelay: adminTransferDelay!,
    roles,
    metadataBaseURI,
    districts,
    projects,
  };
}

/** A source of records: inline JSON objects, or a CSV file with a header row. */
interface SourceRecord {
  file: string;
  line?: number;
  where?: string;
  fields: Record<string, string>;
}

interface Source {
  specFile: string;
  readFile: (name: string) => string;
  located: (name: string) => string;
  problems: InputProblem[];
}

function readRecords(value: unknown, key: string, source: Source, required: readonly string[]): SourceRecord[] {
  const { specFile, readFile, problems } = source;
  if (typeof value === "string") {
    const file = source.located(value);
    let text: string;
    try {
      text = readFile(value);
    } catch (error) {
      if (error instanceof InputError) problems.push(...error.problems);
      else
        problems.push({
          file: specFile,
          where: key,
          ...problem("file-unreadable", { file: value, reason: (error as Error).message }),
        });
      return [];
    }
    const { rows, problems: csvProblems } = parseCsv(text, file);
    problems.push(...csvProblems);
    if (rows.length === 0) return [];
    const header = rows[0].cells.map((cell) => cell.toLowerCase());
    const missing = required.filter((column) => !header.includes(column));
    if (missing.length > 0) {
      problems.push({ file, line: rows[0].line, ...problem("columns-missing", { columns: missing.join(", ") }) });
      return [];
    }
    return rows.slice(1).map((row) => ({
      file,
      line: row.line,
      fields: Object.fromEntries(header.map((column, i) => [column, row.cells[i] ?? ""])),
    }));
  }
  if (Array.isArray(value)) {
    return value.map((entry, i) => ({
      file: specFile,
      where: `${key}[${i}]`,
      fields: Object.fromEntries(
        Object.entries((entry ?? {}) as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), String(v ?? "")]),
      ),
    }));
  }
  problems.push({ file: specFile, where: key, ...problem("records-not-list", { key }) });
  return [];
}

function recordProblem(problems: InputProblem[], record: SourceRecord, found: Problem) {
  problems.push({ file: record.file, line: record.line, where: record.where, ...found });
}

function parseDistricts(value: unknown, source: Source): DistrictSpec[] {
  const { specFile, problems } = source;
  const records = readRecords(value, "districts", source, ["name", "budget"]);
  const districts: DistrictSpec[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const name = (record.fields.name ?? "").trim();
    if (name === "") recordProblem(problems, record, problem("district-name-empty"));
    else if (seen.has(name.toLowerCase())) recordProblem(problems, record, problem("district-duplicate", { name }));
    seen.add(name.toLowerCase());
    const budget = amountField(record.fields.budget, (m) => recordProblem(problems, record, m));
    if (budget === 0n) recordProblem(problems, record, problem("district-budget-zero"));
    districts.push({ name, budget: budget ?? 0n });
  }
  if (districts.length === 0 && records.length === 0 && value !== undefined) {
    problems.push({ file: specFile, where: "districts", ...problem("districts-none") });
  }
  if (districts.length > MAX_DISTRICTS) {
    problems.push({ file: specFile, where: "districts", ...problem("districts-too-many", { max: MAX_DISTRICTS }) });
  }
  return districts;
}

function parseProjects(value: unknown, source: Source, districts: readonly DistrictSpec[]): ProjectSpec[] {
  const { problems } = source;
  if (value === undefined) return [];
  const required = ["district", "title", "category", "cost"];
  const records = readRecords(value, "projects", source, required);
  const projects: ProjectSpec[] = [];
  const perDistrict = new Map<number, number>();
  for (const record of records) {
    const f = record.fields;
    const report = (found: Problem) => recordProblem(problems, record, found);
    const districtName = (f.district ?? "").trim();
    const district = districts.findIndex((d) => d.name.toLowerCase() === districtName.toLowerCase());
    if (district < 0) report(problem("project-district-unknown", { district: districtName }));
    const title = (f.title ?? "").trim();
    if (title === "") report(problem("project-title-empty"));
    const categoryKey = (f.category ?? "").trim();
    const category = categoryIndex(categoryKey);
    if (category < 0) report(problem("category-unknown", { category: categoryKey, categories: CATEGORIES.join(", ") }));
    const cost = amountField(f.cost, report);
    if (cost === 0n) report(problem("project-cost-zero"));
    if (cost !== undefined && district >= 0 && cost > districts[district].budget) {
      report(
        problem("project-cost-above-budget", {
          cost: rubles(cost),
          district: districts[district].name,
          budget: rubles(districts[district].budget),
        }),
      );
    }
    const location = parseLocation(f.lat, f.lon, report);
    if (district >= 0) {
      const count = (perDistrict.get(district) ?? 0) + 1;
      perDistrict.set(district, count);
      if (count === MAX_PROJECTS_PER_DISTRICT + 1) {
        report(problem("projects-too-many", { max: MAX_PROJECTS_PER_DISTRICT, district: districtName }));
      }
    }
    const image = (f.image ?? "").trim();
    projects.push({
      district,
      cost: cost ?? 0n,
      category,
      metadata: {
        title,
        description: (f.description ?? "").trim(),
        category: categoryKey,
        district: district >= 0 ? districts[district].name : districtName,
        image: image === "" ? undefined : image,
        location,
      },
    });
  }
  return projects;
}

function parseLocation(
  lat: string | undefined,
  lon: string | undefined,
  report: (found: Problem) => void,
): { lat: number; lon: number } | undefined {
  const latText = (lat ?? "").trim();
  const lonText = (lon ?? "").trim();
  if (latText === "" && lonText === "") return undefined;
  // Russian spreadsheets write a decimal comma.
  const latitude = Number(latText.replace(",", "."));
  const longitude = Number(lonText.replace(",", "."));
  if (latText === "" || lonText === "" || !Number.isFinite(latitude) || !Number.isFinite(longitude)) {
    report(problem("location-not-numeric", { lat: latText, lon: lonText }));
    return undefined;
  }
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
    report(problem("location-off-globe", { lat: latitude, lon: longitude }));
    return undefined;
  }
  return { lat: latitude, lon: longitude };
}

function amountField(value: unknown, report: (found: Problem) => void): bigint | undefined {
  if (value === undefined || value === null) {
    report(problem("amount-missing"));
    return undefined;
  }
  const parsed = parseRubles(String(value));
  if ("error" in parsed) {
    report(parsed.problem);
    return undefined;
  }
  return parsed.kopecks;
}

function integerField(value: unknown, max: number, report: (found: Problem) => void): number | undefined {
  const number = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isInteger(number) || number < 0 || number > max) {
    report(problem("integer-range", { min: 0, max, value: String(value) }));
    return undefined;
  }
  return number;
}

/** Accepts unix seconds or an ISO 8601 date with a time zone ("2026-06-01T00:00:00+03:00"). */
export function timeField(value: unknown, report: (found: Problem) => void): bigint | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return BigInt(value);
  if (typeof value === "string") {
    if (/^\d+$/.test(value.trim())) return BigInt(value.trim());
    if (/(Z|[+-]\d\d:?\d\d)$/.test(value.trim())) {
      const ms = Date.parse(value);
      if (Number.isFinite(ms)) return BigInt(Math.floor(ms / 1000));
    }
  }
  report(problem("time-invalid", { value: String(value) }));
  return undefined;
}
