/**
 * The .pb format of Pabulib (pabulib.org/format), the open library of real participatory-budgeting elections,
 * read and written so that Kopilka can replay real elections and export its own rounds.
 *
 * A .pb file is UTF-8 text in three sections, META, PROJECTS and VOTES. Each section is a title line, a header
 * line naming its columns, and data lines; fields are separated by semicolons and follow CSV conventions: a
 * field holding a semicolon, a quote or a line break is enclosed in double quotes, with inner quotes doubled.
 * As in pabutools (the reference implementation), fields are trimmed, empty lines are skipped, `None` or an
 * empty field means "no value", `category`/`target` and `vote`/`points` hold comma-separated lists, and a
 * comma in a cost or the budget is a decimal comma. A byte order mark and CRLF or CR line ends are accepted.
 *
 * The parser reports every problem it finds with its line number, then throws; the writer refuses what it could
 * not write faithfully, so that `parsePabulib(writePabulib(x))` deep-equals every `x` it accepts.
 */

import { KOPECKS_PER_RUBLE, parseRubles } from "./money.js";

export const VOTE_TYPES = ["approval", "ordinal", "cumulative", "scoring", "choose-1"] as const;
/** `choose-1` (one project per ballot) appears in older files and pabutools reads it as approval. */
export type VoteType = (typeof VOTE_TYPES)[number];

export interface PabulibProject {
  id: string;
  cost: number;
  name?: string;
  /** Number of ballots supporting the project, as the file states it. */
  votes?: number;
  /** Total points of the project, as the file states it. */
  score?: number;
  category?: string[];
  target?: string[];
  latitude?: number;
  longitude?: number;
  /** 1 when the organisers funded the project, 0 when not; other values mark special cases (see the file). */
  selected?: number;
  /** Any other column, as text. */
  extra: Record<string, string>;
}

export interface PabulibVote {
  voterId: string;
  /** Project ids; for ordinal ballots the most preferred first. */
  vote: string[];
  /** Points given to each project of `vote`, in the same order (cumulative and scoring ballots). */
  points?: number[];
  /** Any other column (age, sex, voting_method, ...), as text. */
  extra: Record<string, string>;
}

export interface PabulibElection {
  /** META entries other than budget, vote_type, num_projects and num_votes, as text. */
  meta: Record<string, string>;
  budget: number;
  voteType: VoteType;
  /** Column names of the PROJECTS section, in file order; include `project_id` and `cost`. */
  projectColumns: string[];
  projects: PabulibProject[];
  /** Column names of the VOTES section, in file order; include `voter_id` and `vote`. */
  voteColumns: string[];
  votes: PabulibVote[];
}

export interface PabulibIssue {
  /** 1-based line of the file (the first line of a record that spans several). */
  line: number;
  message: string;
}

export class PabulibParseError extends Error {
  constructor(
    readonly issues: PabulibIssue[],
    source?: string,
  ) {
    super(issues.map((issue) => `${source ? `${source}:` : "line "}${issue.line}: ${issue.message}`).join("\n"));
    this.name = "PabulibParseError";
  }
}

/** META keys the structure holds as typed fields; the writer computes the counts. */
const TYPED_META = ["budget", "vote_type", "num_projects", "num_votes"] as const;
/** META keys written first, in this order, as Pabulib's own files do. */
const LEADING_META = ["description", "country", "unit", "subunit", "instance"] as const;

const PROJECT_NUMBERS = { votes: "votes", score: "score", latitude: "latitude", longitude: "longitude" } as const;
const PROJECT_LISTS = { category: "category", target: "target" } as const;
const PROJECT_KNOWN = new Set([
  "project_id",
  "cost",
  "name",
  "selected",
  ...Object.keys(PROJECT_NUMBERS),
  ...Object.keys(PROJECT_LISTS),
]);
const VOTE_KNOWN = new Set(["voter_id", "vote", "points"]);

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

// ---------------------------------------------------------------------------------------------------------------
// Parsing

interface RawRecord {
  line: number;
  cells: string[];
}

/** Parses the text of a .pb file; errors name the file. */
export function parsePabulibFile(text: string, file: string): PabulibElection {
  try {
    return parsePabulib(text);
  } catch (error) {
    if (error instanceof PabulibParseError) throw new PabulibParseError(error.issues, file);
    throw error;
  }
}

/** Parses .pb text; throws PabulibParseError listing every problem with its line. */
export function parsePabulib(text: string): PabulibElection {
  const issues: PabulibIssue[] = [];
  const records = tokenize(text.startsWith("\uFEFF") ? text.slice(1) : text, issues);
  const lastLine = records.length > 0 ? records[records.length - 1].line : 1;

  const sections = new Map<string, { title: number; header?: RawRecord; rows: RawRecord[] }>();
  let current: { title: number; header?: RawRecord; rows: RawRecord[] } | undefined;
  for (const record of records) {
    const title = record.cells[0].toLowerCase();
    if (
      (title === "meta" || title === "projects" || title === "votes") &&
      record.cells.slice(1).every((c) => c === "")
    ) {
      if (sections.has(title)) issues.push({ line: record.line, message: `second ${title.toUpperCase()} section` });
      current = { title: record.line, rows: [] };
      sections.set(title, current);
    } else if (!current) {
      issues.push({ line: record.line, message: "data before the first section (META, PROJECTS or VOTES)" });
    } else if (!current.header) {
      current.header = record;
    } else {
      current.rows.push(record);
    }
  }
  for (const name of ["meta", "projects", "votes"]) {
    const section = sections.get(name);
    if (!section) issues.push({ line: lastLine, message: `no ${name.toUpperCase()} section` });
    else if (!section.header) issues.push({ line: section.title, message: `${name.toUpperCase()} has no header line` });
  }
  const meta = sections.get("meta");
  const projectSection = sections.get("projects");
  const voteSection = sections.get("votes");
  if (!meta?.header || !projectSection?.header || !voteSection?.header) {
    throw new PabulibParseError(sortIssues(issues));
  }

  const { entries, budget, voteType, counts } = parseMeta(meta.header, meta.rows, meta.title, issues);
  const headerIssues = issues.length;
  const projectColumns = parseHeader(projectSection.header, ["project_id", "cost"], issues);
  const voteColumns = parseHeader(voteSection.header, ["voter_id", "vote"], issues);
  // Without its key columns a section's rows cannot be read; one error says more than one per row.
  if (issues.length > headerIssues) throw new PabulibParseError(sortIssues(issues));
  const projectIds = new Set<string>();
  const projects: PabulibProject[] = [];
  for (const row of projectSection.rows) {
    const project = parseProject(row, projectColumns, issues);
    // Rows that fail still name their project, so that votes for it do not add a second error.
    const id = project?.id ?? row.cells[projectColumns.indexOf("project_id")];
    if (id && projectIds.has(id)) issues.push({ line: row.line, message: `project ${id} appears twice` });
    else if (project) projects.push(project);
    if (id) projectIds.add(id);
  }
  const voterIds = new Set<string>();
  const votes = voteSection.rows.flatMap((row) => {
    const vote = parseVote(row, voteColumns, voteType, projectIds, issues);
    if (!vote) return [];
    if (voterIds.has(vote.voterId)) issues.push({ line: row.line, message: `voter ${vote.voterId} appears twice` });
    voterIds.add(vote.voterId);
    return [vote];
  });
  if (counts.projects && counts.projects.value !== projectSection.rows.length) {
    issues.push({
      line: counts.projects.line,
      message: `num_projects is ${counts.projects.value} but PROJECTS has ${projectSection.rows.length} rows`,
    });
  }
  if (counts.votes && counts.votes.value !== voteSection.rows.length) {
    issues.push({
      line: counts.votes.line,
      message: `num_votes is ${counts.votes.value} but VOTES has ${voteSection.rows.length} rows`,
    });
  }
  if (issues.length > 0 || budget === undefined || voteType === undefined) {
    throw new PabulibParseError(sortIssues(issues));
  }
  return { meta: entries, budget, voteType, projectColumns, projects, voteColumns, votes };
}

/**
 * Splits the text into records of trimmed cells. Quotes open a quoted field only at its start (after optional
 * blanks); inside, `""` is a quote and line breaks are kept. Blank records are dropped.
 */
function tokenize(text: string, issues: PabulibIssue[]): RawRecord[] {
  const records: RawRecord[] = [];
  let i = 0;
  let line = 1;
  const atLineEnd = () => i >= text.length || text[i] === "\n" || text[i] === "\r";
  while (i < text.length) {
    const record: RawRecord = { line, cells: [] };
    for (;;) {
      let j = i;
      while (text[j] === " " || text[j] === "\t") j++;
      let value = "";
      if (text[j] === '"') {
        const opened = line;
        i = j + 1;
        for (;;) {
          if (i >= text.length) {
            issues.push({ line: opened, message: "quoted field is never closed" });
            break;
          }
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line++;
          value += c;
          i++;
        }
        while (text[i] === " " || text[i] === "\t") i++;
        if (!atLineEnd() && text[i] !== ";") {
          issues.push({ line, message: "text after a closing quote; quote the whole field" });
          while (!atLineEnd() && text[i] !== ";") i++;
        }
      } else {
        while (!atLineEnd() && text[i] !== ";") i++;
        value = text.slice(j, i);
      }
      record.cells.push(value.trim());
      if (text[i] === ";") {
        i++;
        continue;
      }
      if (text[i] === "\r" && text[i + 1] === "\n") i++;
      if (i < text.length) {
        i++;
        line++;
      }
      break;
    }
    if (record.cells.some((c) => c !== "")) records.push(record);
  }
  return records;
}

function parseMeta(header: RawRecord, rows: RawRecord[], titleLine: number, issues: PabulibIssue[]) {
  if (
    header.cells.length !== 2 ||
    header.cells[0].toLowerCase() !== "key" ||
    header.cells[1].toLowerCase() !== "value"
  ) {
    issues.push({ line: header.line, message: `META header must be "key;value", found "${header.cells.join(";")}"` });
  }
  const entries: [string, string][] = [];
  const seen = new Map<string, number>();
  let budget: number | undefined;
  let voteType: VoteType | undefined;
  const counts: { projects?: { line: number; value: number }; votes?: { line: number; value: number } } = {};
  for (const row of rows) {
    if (row.cells.length !== 2) {
      issues.push({
        line: row.line,
        message: `META rows have 2 fields, found ${row.cells.length}; quote values holding ";"`,
      });
      continue;
    }
    const [key, value] = row.cells;
    if (key === "") {
      issues.push({ line: row.line, message: "META key is empty" });
      continue;
    }
    if (seen.has(key)) {
      issues.push({ line: row.line, message: `META key ${key} repeats line ${seen.get(key)}` });
      continue;
    }
    seen.set(key, row.line);
    if (key === "budget") {
      budget = parseNumber(value.replace(",", "."), row.line, "budget", issues, { min: 0 });
    } else if (key === "vote_type") {
      if ((VOTE_TYPES as readonly string[]).includes(value)) voteType = value as VoteType;
      else issues.push({ line: row.line, message: `vote_type "${value}" is not one of ${VOTE_TYPES.join(", ")}` });
    } else if (key === "num_projects" || key === "num_votes") {
      const n = parseNumber(value, row.line, key, issues, { min: 0, integer: true });
      if (n !== undefined) counts[key === "num_projects" ? "projects" : "votes"] = { line: row.line, value: n };
    } else if (!isAbsent(value)) {
      entries.push([key, value]);
    }
  }
  if (!seen.has("budget")) issues.push({ line: titleLine, message: "META has no budget" });
  if (!seen.has("vote_type")) issues.push({ line: titleLine, message: "META has no vote_type" });
  return { entries: Object.fromEntries(entries), budget, voteType, counts };
}

function parseHeader(header: RawRecord, required: string[], issues: PabulibIssue[]): string[] {
  const columns = header.cells;
  for (const name of required) {
    if (!columns.includes(name)) issues.push({ line: header.line, message: `header has no ${name} column` });
  }
  columns.forEach((name, i) => {
    if (name === "") issues.push({ line: header.line, message: `header column ${i + 1} has no name` });
    else if (columns.indexOf(name) !== i) issues.push({ line: header.line, message: `header names ${name} twice` });
  });
  return columns;
}

/** The row's values by column, or undefined (with an issue) when its field count is wrong. */
function rowValues(row: RawRecord, columns: string[], issues: PabulibIssue[]): Map<string, string> | undefined {
  if (row.cells.length !== columns.length) {
    issues.push({ line: row.line, message: `expected ${columns.length} fields, found ${row.cells.length}` });
    return undefined;
  }
  return new Map(columns.map((name, i) => [name, row.cells[i]]));
}

function parseProject(row: RawRecord, columns: string[], issues: PabulibIssue[]): PabulibProject | undefined {
  const values = rowValues(row, columns, issues);
  if (!values) return undefined;
  const before = issues.length;
  const id = values.get("project_id") ?? "";
  if (isAbsent(id)) issues.push({ line: row.line, message: "project_id is empty" });
  else if (id.includes(",")) issues.push({ line: row.line, message: `project_id "${id}" holds a comma` });
  const costText = values.get("cost") ?? "";
  const cost = isAbsent(costText)
    ? (issues.push({ line: row.line, message: `project ${id} has no cost` }), undefined)
    : parseNumber(costText.replace(",", "."), row.line, `cost of project ${id}`, issues, { min: 0 });
  const project: PabulibProject = { id, cost: cost ?? 0, extra: {} };
  const extra: [string, string][] = [];
  for (const [column, value] of values) {
    if (column === "project_id" || column === "cost" || isAbsent(value)) continue;
    if (column === "name") project.name = value;
    else if (column === "selected") {
      project.selected = parseNumber(value, row.line, `selected of project ${id}`, issues, { integer: true });
    } else if (column in PROJECT_NUMBERS) {
      const key = PROJECT_NUMBERS[column as keyof typeof PROJECT_NUMBERS];
      project[key] = parseNumber(value, row.line, `${column} of project ${id}`, issues);
    } else if (column in PROJECT_LISTS) {
      const items = splitList(value);
      if (items.length > 0) project[PROJECT_LISTS[column as keyof typeof PROJECT_LISTS]] = items;
    } else extra.push([column, value]);
  }
  project.extra = Object.fromEntries(extra);
  return issues.length === before ? project : undefined;
}

function parseVote(
  row: RawRecord,
  columns: string[],
  voteType: VoteType | undefined,
  projectIds: Set<string>,
  issues: PabulibIssue[],
): PabulibVote | undefined {
  const values = rowValues(row, columns, issues);
  if (!values) return undefined;
  const before = issues.length;
  const voterId = values.get("voter_id") ?? "";
  if (isAbsent(voterId)) issues.push({ line: row.line, message: "voter_id is empty" });
  const voteText = values.get("vote") ?? "";
  const vote = isAbsent(voteText) ? [] : splitList(voteText);
  const seen = new Set<string>();
  for (const id of vote) {
    if (!projectIds.has(id))
      issues.push({ line: row.line, message: `voter ${voterId} votes for unknown project ${id}` });
    if (seen.has(id)) issues.push({ line: row.line, message: `voter ${voterId} names project ${id} twice` });
    seen.add(id);
  }
  if (voteType === "choose-1" && vote.length > 1) {
    issues.push({ line: row.line, message: `voter ${voterId} chooses ${vote.length} projects in a choose-1 vote` });
  }
  const result: PabulibVote = { voterId, vote, extra: {} };
  const pointsText = values.get("points") ?? "";
  if (!isAbsent(pointsText)) {
    const points = splitList(pointsText).map((p) => parseNumber(p, row.line, `points of voter ${voterId}`, issues));
    if (points.length !== vote.length) {
      issues.push({
        line: row.line,
        message: `voter ${voterId} has ${vote.length} projects but ${points.length} points`,
      });
    }
    result.points = points.map((p) => p ?? 0);
  } else if ((voteType === "cumulative" || voteType === "scoring") && vote.length > 0) {
    issues.push({ line: row.line, message: `voter ${voterId} has no points in a ${voteType} vote` });
  }
  result.extra = Object.fromEntries(
    [...values].filter(([column, value]) => !VOTE_KNOWN.has(column) && !isAbsent(value)),
  );
  return issues.length === before ? result : undefined;
}

function parseNumber(
  text: string,
  line: number,
  what: string,
  issues: PabulibIssue[],
  rules: { min?: number; integer?: boolean } = {},
): number | undefined {
  const value = NUMBER.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) issues.push({ line, message: `${what} is not a number: "${text}"` });
  else if (rules.min !== undefined && value < rules.min) issues.push({ line, message: `${what} is negative: ${text}` });
  else if (rules.integer && !Number.isInteger(value))
    issues.push({ line, message: `${what} is not an integer: ${text}` });
  else return value;
  return undefined;
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function isAbsent(value: string): boolean {
  return value === "" || value.toLowerCase() === "none";
}

function sortIssues(issues: PabulibIssue[]): PabulibIssue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => a.issue.line - b.issue.line || a.i - b.i)
    .map((x) => x.issue);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/**
 * The .pb text of an election: META (description, country, unit, subunit and instance first, then the counts,
 * budget and vote type, then the other keys), PROJECTS and VOTES with their columns in the given order, LF line
 * ends, no byte order mark. Throws when a value could not be read back as it is.
 */
export function writePabulib(election: PabulibElection): string {
  const lines: string[] = [];
  const row = (cells: string[]) => lines.push(cells.map(quoteField).join(";"));

  for (const key of Object.keys(election.meta)) {
    checkText(key, `META key ${key}`);
    if ((TYPED_META as readonly string[]).includes(key))
      throw new Error(`META key ${key} is a typed field; set it there`);
    checkText(election.meta[key], `META ${key}`);
  }
  checkNumber(election.budget, "budget", { min: 0 });
  if (!(VOTE_TYPES as readonly string[]).includes(election.voteType))
    throw new Error(`unknown vote type ${election.voteType}`);
  const meta: [string, string][] = [
    ...LEADING_META.filter((key) => key in election.meta).map((key): [string, string] => [key, election.meta[key]]),
    ["num_projects", String(election.projects.length)],
    ["num_votes", String(election.votes.length)],
    ["budget", String(election.budget)],
    ["vote_type", election.voteType],
    ...Object.entries(election.meta).filter(([key]) => !(LEADING_META as readonly string[]).includes(key)),
  ];
  lines.push("META");
  row(["key", "value"]);
  for (const entry of meta) row(entry);

  checkColumns(election.projectColumns, ["project_id", "cost"], "PROJECTS");
  const projectIds = new Set<string>();
  lines.push("PROJECTS");
  row(election.projectColumns);
  for (const project of election.projects) {
    checkId(project.id, "project id");
    if (projectIds.has(project.id)) throw new Error(`project ${project.id} appears twice`);
    projectIds.add(project.id);
    row(election.projectColumns.map((column) => projectCell(project, column)));
    for (const key of [...Object.keys(PROJECT_NUMBERS), ...Object.keys(PROJECT_LISTS), "name", "selected"]) {
      const present = project[key as keyof PabulibProject] !== undefined;
      if (present && !election.projectColumns.includes(key))
        throw new Error(`project ${project.id} has ${key} but no column`);
    }
    for (const key of Object.keys(project.extra)) {
      if (PROJECT_KNOWN.has(key) || !election.projectColumns.includes(key)) {
        throw new Error(`project ${project.id}: extra ${key} is not an extra column`);
      }
    }
  }

  checkColumns(election.voteColumns, ["voter_id", "vote"], "VOTES");
  const voterIds = new Set<string>();
  lines.push("VOTES");
  row(election.voteColumns);
  for (const vote of election.votes) {
    checkText(vote.voterId, "voter id");
    if (voterIds.has(vote.voterId)) throw new Error(`voter ${vote.voterId} appears twice`);
    voterIds.add(vote.voterId);
    if (new Set(vote.vote).size !== vote.vote.length) throw new Error(`voter ${vote.voterId} names a project twice`);
    for (const id of vote.vote) {
      if (!projectIds.has(id)) throw new Error(`voter ${vote.voterId} votes for unknown project ${id}`);
    }
    if (vote.points !== undefined) {
      if (!election.voteColumns.includes("points")) throw new Error(`voter ${vote.voterId} has points but no column`);
      if (vote.points.length !== vote.vote.length || vote.points.length === 0) {
        throw new Error(`voter ${vote.voterId} needs one point value per project`);
      }
      vote.points.forEach((p) => checkNumber(p, `points of voter ${vote.voterId}`));
    } else if ((election.voteType === "cumulative" || election.voteType === "scoring") && vote.vote.length > 0) {
      throw new Error(`voter ${vote.voterId} has no points in a ${election.voteType} vote`);
    }
    for (const key of Object.keys(vote.extra)) {
      if (VOTE_KNOWN.has(key) || !election.voteColumns.includes(key)) {
        throw new Error(`voter ${vote.voterId}: extra ${key} is not an extra column`);
      }
    }
    row(election.voteColumns.map((column) => voteCell(vote, column)));
  }
  return lines.join("\n") + "\n";
}

function projectCell(project: PabulibProject, column: string): string {
  switch (column) {
    case "project_id":
      return project.id;
    case "cost":
      return checkNumber(project.cost, `cost of project ${project.id}`, { min: 0 });
    case "name":
      return optionalText(project.name, `name of project ${project.id}`);
    case "selected":
      if (project.selected !== undefined && !Number.isInteger(project.selected)) {
        throw new Error(`selected of project ${project.id} is not an integer`);
      }
      return project.selected === undefined ? "" : checkNumber(project.selected, "selected");
    case "category":
    case "target":
      return listCell(project[column], `${column} of project ${project.id}`);
    default:
      if (column in PROJECT_NUMBERS) {
        const value = project[PROJECT_NUMBERS[column as keyof typeof PROJECT_NUMBERS]];
        return value === undefined ? "" : checkNumber(value, `${column} of project ${project.id}`);
      }
      return optionalText(project.extra[column], `${column} of project ${project.id}`);
  }
}

function voteCell(vote: PabulibVote, column: string): string {
  switch (column) {
    case "voter_id":
      return vote.voterId;
    case "vote":
      return listCell(vote.vote, `vote of voter ${vote.voterId}`, true);
    case "points":
      return vote.points === undefined ? "" : vote.points.map(String).join(",");
    default:
      return optionalText(vote.extra[column], `${column} of voter ${vote.voterId}`);
  }
}

function listCell(items: string[] | undefined, what: string, emptyAllowed = false): string {
  if (items === undefined) return "";
  if (items.length === 0 && !emptyAllowed) throw new Error(`${what} is an empty list; leave it out`);
  items.forEach((item) => checkId(item, what));
  return items.join(",");
}

function optionalText(value: string | undefined, what: string): string {
  if (value === undefined) return "";
  checkText(value, what);
  return value;
}

function checkColumns(columns: string[], required: string[], section: string): void {
  for (const name of required) if (!columns.includes(name)) throw new Error(`${section} needs a ${name} column`);
  if (new Set(columns).size !== columns.length) throw new Error(`${section} names a column twice`);
  columns.forEach((name) => checkText(name, `${section} column`));
}

/** Text that reads back as itself: trimmed, not empty, not "None", on one line. */
function checkText(value: string, what: string): void {
  if (isAbsent(value)) throw new Error(`${what} is empty or "None"`);
  if (value !== value.trim()) throw new Error(`${what} has surrounding blanks: "${value}"`);
  if (/[\r\n]/.test(value)) throw new Error(`${what} holds a line break`);
}

/** Ids and list items also may not hold commas, which separate list items. */
function checkId(value: string, what: string): void {
  checkText(value, what);
  if (value.includes(",")) throw new Error(`${what} holds a comma: "${value}"`);
}

function checkNumber(value: number, what: string, rules: { min?: number } = {}): string {
  if (!Number.isFinite(value)) throw new Error(`${what} is not a finite number`);
  if (Object.is(value, -0)) return "0";
  if (rules.min !== undefined && value < rules.min) throw new Error(`${what} is below ${rules.min}`);
  return String(value);
}

function quoteField(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// ---------------------------------------------------------------------------------------------------------------
// From ballots to budget tokens

/** What one ballot puts into the piggy banks: project ids and amounts in kopecks, no zero amounts. */
export interface BallotAllocation {
  projects: string[];
  amounts: bigint[];
  /** The resident's allowance: the sum of `amounts`. */
  total: bigint;
}

/**
 * Turns a ballot into deposits of budget tokens (1 token = 100 kopecks), so that each project's tokens are its
 * score under the file's vote type:
 * - approval and choose-1: one token per approved project, so the tally ranks by number of approvals, which is
 *   what Pabulib's `greedy` rule does;
 * - cumulative and scoring: the points, as tokens (at most two decimals); zero points are left out, because a
 *   deposit of nothing is no support and the round rejects it; negative points cannot be deposited and throw;
 * - ordinal: truncated Borda. Piggy banks only add amounts, so a ranking must become points; the first choice
 *   gets L tokens, the second L - 1, and so on, where L is META `max_length` when the file sets it, otherwise
 *   the number of projects. Every ranked project thus gets at least one token, a higher rank always outweighs a
 *   lower one, and voters who rank the same number of projects weigh the same.
 */
export function ballotAllocation(election: PabulibElection, vote: PabulibVote): BallotAllocation {
  let amounts: bigint[];
  switch (election.voteType) {
    case "approval":
    case "choose-1":
      amounts = vote.vote.map(() => KOPECKS_PER_RUBLE);
      break;
    case "cumulative":
    case "scoring": {
      const points = vote.points ?? [];
      if (points.length !== vote.vote.length) throw new Error(`voter ${vote.voterId} has no points for every project`);
      amounts = points.map((p) => {
        if (p < 0) throw new Error(`voter ${vote.voterId} gives negative points (${p}), which cannot be deposited`);
        return toKopecks(p, `points of voter ${vote.voterId}`);
      });
      break;
    }
    case "ordinal": {
      const length = ordinalLength(election);
      if (vote.vote.length > length) {
        throw new Error(`voter ${vote.voterId} ranks ${vote.vote.length} projects, more than ${length}`);
      }
      amounts = vote.vote.map((_, rank) => BigInt(length - rank) * KOPECKS_PER_RUBLE);
      break;
    }
  }
  const kept = vote.vote.map((id, i) => ({ id, amount: amounts[i] })).filter((d) => d.amount > 0n);
  return {
    projects: kept.map((d) => d.id),
    amounts: kept.map((d) => d.amount),
    total: kept.reduce((sum, d) => sum + d.amount, 0n),
  };
}

function ordinalLength(election: PabulibElection): number {
  const text = election.meta.max_length;
  if (text === undefined) return election.projects.length;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`max_length "${text}" is not a positive integer`);
  return value;
}

/**
 * A cost, budget or points value of the file in kopecks (one unit of the file's currency is one token). The
 * number's shortest decimal form is what the file said ("1234.56"), so reading it as text is exact where
 * multiplying by 100 in floating point is not.
 */
export function toKopecks(value: number, what = "amount"): bigint {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${what} is not a non-negative number: ${value}`);
  const text = String(value);
  if (/e/i.test(text) && Number.isInteger(value)) throw new Error(`${what} is too large: ${value}`);
  const parsed = parseRubles(text);
  if ("error" in parsed) throw new Error(`${what} has more than two decimals: ${value}`);
  return parsed.kopecks;
}

/** The file's record of what the organisers funded. */
export interface SelectedColumn {
  /** False when the file has no `selected` column: nothing to compare with. */
  present: boolean;
  /** Projects marked 1. */
  selected: string[];
  /** Projects marked with another non-zero value (funded for another reason, e.g. an organiser's error). */
  special: { id: string; value: number }[];
  /** Projects with no value in the column. */
  unknown: string[];
}

export function selectedColumn(election: PabulibElection): SelectedColumn {
  const present = election.projectColumns.includes("selected");
  const result: SelectedColumn = { present, selected: [], special: [], unknown: [] };
  if (!present) return result;
  for (const project of election.projects) {
    if (project.selected === undefined) result.unknown.push(project.id);
    else if (project.selected === 1) result.selected.push(project.id);
    else if (project.selected !== 0) result.special.push({ id: project.id, value: project.selected });
  }
  return result;
}

/** The file beside a round's manifest that says which Pabulib files its districts came from. */
export const PABULIB_SOURCE_FILE = "pabulib.json";

/**
 * Where a round imported from Pabulib came from, district by district (district i is `districts[i]`): the file's
 * name, its META (the typed fields left out) and, for each of the district's projects by on-chain id, the file's
 * project id. `kopilka pabulib import` publishes it; the export writes the files back under their names, with their
 * META and project ids.
 */
export interface PabulibSource {
  districts: { file: string; meta: Record<string, string>; projects: Record<string, string> }[];
}

/**
 * META keys that describe the original ballots (their length, points, costs); an export writes cumulative ballots
 * of tokens, so it leaves them out.
 */
const BALLOT_META = /^(min|max)_(length|points|sum_points|sum_cost|project_score)$|^(scoring_fn|default_score)$/;

/** The source's META for an exported district: all of it but the keys about the original ballots. */
export function sourceMeta(meta: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(meta).filter(([key]) => !BALLOT_META.test(key) && !(TYPED_META as readonly string[]).includes(key)),
  );
}

/**
 * The source, if `text` is one that fits a round of `districts` whose district i has the projects `projectsOf[i]`
 * (on-chain ids): a file that does not fit (another round's, or edited) is not used.
 */
export function parsePabulibSource(
  text: string | undefined,
  projectsOf: readonly (readonly number[])[],
): PabulibSource | undefined {
  if (text === undefined) return undefined;
  let source: PabulibSource;
  try {
    source = JSON.parse(text) as PabulibSource;
  } catch {
    return undefined;
  }
  const ok =
    Array.isArray(source?.districts) &&
    source.districts.length === projectsOf.length &&
    source.districts.every((d, i) => {
      if (typeof d?.file !== "string" || !/^[^/\\]+\.pb$/.test(d.file) || typeof d.meta !== "object") return false;
      if (typeof d.projects !== "object" || d.projects === null) return false;
      const keys = Object.keys(d.projects).sort();
      const ids = projectsOf[i].map(String).sort();
      const values = Object.values(d.projects);
      return (
        JSON.stringify(keys) === JSON.stringify(ids) &&
        values.every((v) => typeof v === "string" && v !== "") &&
        new Set(values).size === values.length
      );
    }) &&
    new Set(source.districts.map((d) => d.file)).size === source.districts.length;
  return ok ? source : undefined;
}
