/**
 * The residents file the registrar imports: one verified resident per row, `address[,district][,amount]`, with an
 * optional header row. An empty district means any district; an empty amount means the round's declared allowance.
 * Every problem is reported at once with its line. Also the capacity of a round: how many more residents its
 * unposted supply can take at the declared allowance (`residentCapacity`), the one rule the CLI, the committee page
 * and the enrollment service show and enforce.
 */
import { formatRubles, parseRubles } from "./money.js";
import { ANY_DISTRICT, type Participant } from "./participants.js";
import { problem, type Problem } from "./problems.js";
import { InputError, parseAddress, parseCsv, type InputProblem } from "./spec.js";

export interface ResidentRow {
  line: number;
  /** Checksummed address. */
  account: string;
  /** District id, or ANY_DISTRICT. */
  district: number;
  /** Kopecks, when the row gives an amount. */
  amount?: bigint;
}

const ANY_DISTRICT_WORDS = new Set(["", "any", "*", "любой"]);
/** First cells of a header row. */
const ADDRESS_HEADERS = new Set(["address", "адрес"]);

/**
 * Parses and checks the rows. `districts` are the round's district names by id: a row may name its district by id
 * or by name. Throws InputError listing every problem.
 */
export function parseResidents(text: string, file: string, districts: readonly string[]): ResidentRow[] {
  const { rows, problems } = parseCsv(text, file);
  const report = (line: number, found: Problem) => problems.push({ file, line, ...found });
  const firstLine = new Map<string, number>();
  const residents: ResidentRow[] = [];
  for (const [index, { line, cells }] of rows.entries()) {
    if (index === 0 && ADDRESS_HEADERS.has(cells[0]?.toLowerCase())) continue;
    if (cells.length > 3) {
      report(line, problem("residents-columns", { columns: cells.length }));
      continue;
    }
    const [addressCell, districtCell = "", amountCell = ""] = cells;
    let bad = false;
    const address = parseAddress(addressCell);
    if ("error" in address) {
      report(line, address.problem);
      bad = true;
    } else {
      const key = address.address.toLowerCase();
      const first = firstLine.get(key);
      if (first !== undefined) {
        report(line, problem("resident-duplicate", { address: address.address, first }));
        bad = true;
      } else firstLine.set(key, line);
    }
    const district = parseDistrict(districtCell, districts);
    if (district === undefined) {
      report(line, problem("resident-district-unknown", { district: districtCell, districts: districts.length }));
      bad = true;
    }
    let amount: bigint | undefined;
    if (amountCell !== "") {
      const parsed = parseRubles(amountCell);
      if ("error" in parsed) {
        report(line, parsed.problem);
        bad = true;
      } else if (parsed.kopecks === 0n) {
        report(line, problem("resident-amount-zero"));
        bad = true;
      } else amount = parsed.kopecks;
    }
    if (!bad) residents.push({ line, account: (address as { address: string }).address, district: district!, amount });
  }
  if (problems.length === 0 && residents.length === 0) problems.push({ file, ...problem("residents-none") });
  if (problems.length > 0) throw new InputError(problems);
  return residents;
}

function parseDistrict(cell: string, districts: readonly string[]): number | undefined {
  const text = cell.trim();
  if (ANY_DISTRICT_WORDS.has(text.toLowerCase())) return ANY_DISTRICT;
  if (/^\d+$/.test(text)) {
    const id = Number(text);
    return id < districts.length ? id : undefined;
  }
  const id = districts.findIndex((name) => name.toLowerCase() === text.toLowerCase());
  return id >= 0 ? id : undefined;
}

/**
 * How many more residents a round can take at its declared allowance: floor((supply - postedTotal) / allowance), what
 * is minted and not yet posted in batches, in whole allowances. Undefined when the round declares no allowance.
 */
export function residentCapacity(round: {
  supply: bigint;
  postedTotal: bigint;
  allowance: bigint;
}): bigint | undefined {
  if (round.allowance === 0n) return undefined;
  const unposted = round.supply > round.postedTotal ? round.supply - round.postedTotal : 0n;
  return unposted / round.allowance;
}

export interface Allowances {
  participants: Participant[];
  /** What each resident without an amount of their own receives: the declared allowance. */
  each: bigint;
  /** Sum of all allowances. */
  total: bigint;
  /** What is left unposted after this batch. */
  remainder: bigint;
}

/**
 * Gives each resident their allowance: the row's amount, else the round's declared `allowance`. Throws InputError,
 * saying how many residents the round still has room for, when the batch does not fit in what is not posted yet
 * (`unposted`: the minted supply minus the posted totals), or when a row has no amount and the round declares no
 * allowance.
 */
export function assignAllowances(
  rows: readonly ResidentRow[],
  round: { unposted: bigint; allowance: bigint },
  file: string,
): Allowances {
  const { unposted, allowance } = round;
  const problems: InputProblem[] = [];
  const explicit = rows.reduce((sum, row) => sum + (row.amount ?? 0n), 0n);
  const open = rows.filter((row) => row.amount === undefined);
  if (open.length > 0 && allowance === 0n) {
    for (const row of open) {
      problems.push({ file, line: row.line, ...problem("resident-amount-undeclared") });
    }
  }
  const total = explicit + allowance * BigInt(open.length);
  if (problems.length === 0 && total > unposted) {
    const need = { residents: rows.length, total: formatRubles(total), unposted: formatRubles(unposted) };
    problems.push({
      file,
      ...(allowance > 0n
        ? problem("residents-above-unposted-room", {
            ...need,
            room: (unposted / allowance).toString(),
            each: formatRubles(allowance),
          })
        : problem("residents-above-unposted", need)),
    });
  }
  if (problems.length > 0) throw new InputError(problems);
  return {
    participants: rows.map((row) => ({
      account: row.account,
      district: row.district,
      amount: row.amount ?? allowance,
    })),
    each: allowance,
    total,
    remainder: unposted - total,
  };
}
