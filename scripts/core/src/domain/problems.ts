/**
 * The problems the spec checkers report (the round spec and its CSV files, ./spec.ts; the contest spec,
 * ./contestSpec.ts; the residents' file and the allowances it asks for, ./residents.ts), each by a stable code with
 * its values, and the English words for each: the CLI prints those, and the dApp's English pages use them as they
 * are. The Russian words are the dApp's (frontend/src/staff/strings.ts); `{{name}}` marks a value, as i18next writes
 * it.
 */

const SAVE_AS_CSV =
  'Save it as CSV: in Excel, File > Save As > "CSV UTF-8 (comma delimited)" (or "CSV (разделители - запятые)"); ' +
  'in LibreOffice, "Text CSV" with the UTF-8 character set';

export const PROBLEM_TEXTS = {
  "table-workbook": `this is an Excel workbook (.xlsx, a zip archive), not a CSV file. ${SAVE_AS_CSV}`,
  "table-not-text": `the file is neither UTF-8 nor Windows-1251 text (byte 0x{{byte}} on line {{line}}). ${SAVE_AS_CSV}`,
  "csv-invalid": "not valid CSV: {{reason}}",
  "file-unreadable": "cannot read {{file}}: {{reason}}",
  "columns-missing": "missing column(s): {{columns}}",
  "records-not-list": "{{key}} must be a list or the name of a CSV file",
  "address-malformed": 'malformed address "{{text}}"',
  "address-checksum": 'address "{{text}}" fails its EIP-55 checksum',
  "address-zero": "zero address",
  "amount-missing": "missing amount",
  "amount-empty": "empty amount",
  "amount-negative": 'negative amount "{{text}}"',
  "amount-not-number": 'not a number: "{{text}}"',
  "amount-decimals": 'more than two decimals: "{{text}}"',
  "integer-range": 'expected a whole number from {{min}} to {{max}}, got "{{value}}"',
  "time-invalid": 'expected unix seconds or an ISO date with a time zone, got "{{value}}"',
  "not-boolean": 'expected true or false, got "{{value}}"',
  "spec-not-object": "the spec must be a JSON object",
  "round-name-empty": "empty round name",
  "token-symbol-empty": "empty token symbol",
  "budget-zero": "the budget must be above zero",
  "round-closes-before-opens": "the round must close after it opens",
  "rule-unknown": 'unknown rule "{{rule}}" ({{rules}})',
  "min-tokens-above-budget": "the minimum support is above the budget",
  "allowance-zero": "the allowance must be above zero",
  "allowance-above-budget": "the allowance {{allowance}} is above the budget {{budget}}",
  "role-unknown": "unknown role ({{roles}})",
  "district-budgets-sum": "district budgets add up to {{sum}}, not to the round budget {{budget}}",
  "district-name-empty": "empty district name",
  "district-duplicate": 'duplicate district "{{name}}"',
  "district-budget-zero": "a district budget must be above zero",
  "districts-none": "no districts",
  "districts-too-many": "more than {{max}} districts",
  "project-district-unknown": 'district "{{district}}" does not exist',
  "project-title-empty": "empty title",
  "category-unknown": 'unknown category "{{category}}" ({{categories}})',
  "project-cost-zero": "a project cost must be above zero",
  "project-cost-above-budget": 'cost {{cost}} is above the budget of district "{{district}}" ({{budget}})',
  "projects-too-many": 'more than {{max}} projects in district "{{district}}"',
  "location-not-numeric": 'location needs numeric lat and lon, got "{{lat}}", "{{lon}}"',
  "location-off-globe": "location {{lat}}, {{lon}} is off the globe",
  "residents-columns": "expected address[,district][,amount], got {{columns}} columns",
  "resident-duplicate": "duplicate address {{address}} (first on line {{first}})",
  "resident-district-unknown": 'unknown district "{{district}}" (the round has {{districts}})',
  "resident-amount-zero": "zero allowance",
  "residents-none": "no residents",
  "resident-amount-undeclared": "no amount, and the round declares no allowance per resident",
  "residents-above-unposted":
    "{{residents}} residents need {{total}}, above the {{unposted}} of the budget not posted yet",
  "residents-above-unposted-room":
    "{{residents}} residents need {{total}}, above the {{unposted}} of the budget not posted yet: " +
    "room for {{room}} more at {{each}} each",
  "contest-name-missing": "a contest needs a name",
  "contest-times-order": "submissions open, then close, then the review closes: the times must be in that order",
  "names-list": "expected a list of names",
  "district-entry": "expected a name, or {name, area}",
  "area-invalid": "expected {minLat, maxLat, minLon, maxLon} in degrees",
  "area-inverted": "the minimum must be below the maximum",
  "category-not-listed": '"{{category}}" is not a category ({{categories}})',
  "whole-number": "expected a whole number from {{min}} to {{max}}",
  "criteria-count": "1 to {{max}} criteria",
  "criterion-name-missing": "a criterion needs a name",
  "experts-count": "1 to {{max}} experts",
  "expert-twice": "an expert is listed twice",
  "not-address": "not an address",
  "role-not-contest": "not a contest role",
} as const;

export type ProblemCode = keyof typeof PROBLEM_TEXTS;
export type ProblemValues = Record<string, string | number>;

/** A problem's code and values, with its English words. */
export interface Problem {
  code: ProblemCode;
  values?: ProblemValues;
  message: string;
}

/** `text` with each `{{name}}` replaced by its value. */
export function fillText(text: string, values: ProblemValues = {}): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** A problem by its code and values, with its English words. */
export function problem(code: ProblemCode, values?: ProblemValues): Problem {
  return { code, ...(values ? { values } : {}), message: fillText(PROBLEM_TEXTS[code], values) };
}
