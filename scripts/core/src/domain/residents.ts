/**
 * The residents file the registrar imports: one verified resident per row, `address[,district][,amount]`, with an
 * optional header row. An empty district means any district; an empty amount means the equal allowance
 * (or the amount given on the command line). Every problem is reported at once with its line.
 */
import { parseRubles, rubles } from "./money.js";
import { ANY_DISTRICT, type Participant } from "./participants.js";
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
  const report = (line: number, message: string) => problems.push({ file, line, message });
  const firstLine = new Map<string, number>();
  const residents: ResidentRow[] = [];
  for (const [index, { line, cells }] of rows.entries()) {
    if (index === 0 && ADDRESS_HEADERS.has(cells[0]?.toLowerCase())) continue;
    if (cells.length > 3) {
      report(line, `expected address[,district][,amount], got ${cells.length} columns`);
      continue;
    }
    const [addressCell, districtCell = "", amountCell = ""] = cells;
    let bad = false;
    const address = parseAddress(addressCell);
    if ("error" in address) {
      report(line, address.error);
      bad = true;
    } else {
      const key = address.address.toLowerCase();
      const first = firstLine.get(key);
      if (first !== undefined) {
        report(line, `duplicate address ${address.address} (first on line ${first})`);
        bad = true;
      } else firstLine.set(key, line);
    }
    const district = parseDistrict(districtCell, districts);
    if (district === undefined) {
      report(line, `unknown district "${districtCell}" (the round has ${districts.length})`);
      bad = true;
    }
    let amount: bigint | undefined;
    if (amountCell !== "") {
      const parsed = parseRubles(amountCell);
      if ("error" in parsed) {
        report(line, parsed.error);
        bad = true;
      } else if (parsed.kopecks === 0n) {
        report(line, "zero allowance");
        bad = true;
      } else amount = parsed.kopecks;
    }
    if (!bad) residents.push({ line, account: (address as { address: string }).address, district: district!, amount });
  }
  if (problems.length === 0 && residents.length === 0) problems.push({ file, message: "no residents" });
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

export interface Allowances {
  participants: Participant[];
  /** What each resident without an amount of their own receives. */
  each: bigint;
  /** Sum of all allowances. */
  total: bigint;
  /** What is left unallocated after this batch. */
  remainder: bigint;
}

/**
 * Gives each resident their allowance: the row's amount, else `perResident`, else an equal share
 * floor((unallocated - explicit amounts) / residents without an amount). Throws InputError when the batch does not
 * fit in what is unallocated.
 */
export function assignAllowances(
  rows: readonly ResidentRow[],
  unallocated: bigint,
  file: string,
  perResident?: bigint,
): Allowances {
  const problems: InputProblem[] = [];
  const explicit = rows.reduce((sum, row) => sum + (row.amount ?? 0n), 0n);
  const open = BigInt(rows.filter((row) => row.amount === undefined).length);
  let each = perResident ?? 0n;
  if (explicit > unallocated) {
    problems.push({
      file,
      message: `the rows' amounts add up to ${rubles(explicit)}, above the unallocated ${rubles(unallocated)}`,
    });
  } else if (perResident === undefined && open > 0n) {
    each = (unallocated - explicit) / open;
    if (each === 0n) {
      problems.push({
        file,
        message: `${rubles(unallocated - explicit)} cannot give ${open} residents 0,01 ₽ each`,
      });
    }
  }
  const total = explicit + each * open;
  if (problems.length === 0 && total > unallocated) {
    problems.push({
      file,
      message: `the allowances add up to ${rubles(total)}, above the unallocated ${rubles(unallocated)}`,
    });
  }
  if (problems.length > 0) throw new InputError(problems);
  return {
    participants: rows.map((row) => ({ account: row.account, district: row.district, amount: row.amount ?? each })),
    each,
    total,
    remainder: unallocated - total,
  };
}
