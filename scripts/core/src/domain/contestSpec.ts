/**
 * The contest spec the committee writes for `kopilka contest create --spec contest.json`: the schedule, the
 * districts and categories of the template, the criteria with their names, the pass mark, the minimum group and
 * sheets, the experts and the roles. Checked as a whole; every problem is reported with where it is.
 */
import type { Address, Hex } from "viem";

import { CATEGORIES, categoryIndex } from "./category.js";
import {
  MAX_CRITERIA,
  MAX_EXPERTS,
  areaProblem,
  contentHash,
  templateDocument,
  type Criterion,
  type DistrictArea,
  type TemplateDocument,
} from "./contest.js";
import { problem, type Problem } from "./problems.js";
import { InputError, timeField, type InputProblem } from "./spec.js";

export interface ContestSpec {
  name: string;
  submissionsOpenAt: bigint;
  submissionsCloseAt: bigint;
  reviewClosesAt: bigint;
  districts: string[];
  /** Each district's area on the map, by index (null: none); absent when no district has one. */
  areas?: (DistrictArea | null)[];
  categories: string[];
  criteria: (Criterion & { name: string; description?: string })[];
  passMarkBps: number;
  minGroup: number;
  minSheets: number;
  experts: string[];
  roles: { admin?: string; committee?: string; registrar?: string };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Checks a parsed contest spec (`file` names it in problems); throws an InputError listing every problem. */
export function parseContestSpec(value: unknown, file: string): ContestSpec {
  const problems: InputProblem[] = [];
  const at = (where: string, found: Problem) => problems.push({ file, where, ...found });
  const spec = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const name = typeof spec.name === "string" && spec.name.trim() !== "" ? spec.name.trim() : undefined;
  if (name === undefined) at("name", problem("contest-name-missing"));
  const time = (key: string) => timeField(spec[key], (found) => at(key, found));
  const submissionsOpenAt = time("submissionsOpenAt");
  const submissionsCloseAt = time("submissionsCloseAt");
  const reviewClosesAt = time("reviewClosesAt");
  if (submissionsOpenAt && submissionsCloseAt && reviewClosesAt) {
    if (!(submissionsOpenAt < submissionsCloseAt && submissionsCloseAt < reviewClosesAt)) {
      at("submissionsCloseAt", problem("contest-times-order"));
    }
  }
  const strings = (key: string): string[] => {
    const list = spec[key];
    if (!Array.isArray(list) || list.some((item) => typeof item !== "string" || item.trim() === "")) {
      at(key, problem("names-list"));
      return [];
    }
    return list.map((item: string) => item.trim());
  };
  // A district is its name, or {name, area} with its area on the map.
  const rawDistricts = Array.isArray(spec.districts) ? (spec.districts as unknown[]) : [];
  if (!Array.isArray(spec.districts)) at("districts", problem("names-list"));
  else if (rawDistricts.length === 0) at("districts", problem("districts-none"));
  const districts: string[] = [];
  const areas: (DistrictArea | null)[] = [];
  for (const [i, raw] of rawDistricts.entries()) {
    const entry = (typeof raw === "object" && raw !== null ? raw : { name: raw }) as Record<string, unknown>;
    if (typeof entry.name !== "string" || entry.name.trim() === "") {
      at(`districts[${i}]`, problem("district-entry"));
      continue;
    }
    districts.push(entry.name.trim());
    const wrong = entry.area === undefined ? undefined : areaProblem(entry.area);
    if (wrong !== undefined) at(`districts[${i}].area`, wrong);
    const area = entry.area as DistrictArea | undefined;
    areas.push(
      area && wrong === undefined
        ? { minLat: area.minLat, maxLat: area.maxLat, minLon: area.minLon, maxLon: area.maxLon }
        : null,
    );
  }
  const categories = spec.categories === undefined ? [...CATEGORIES] : strings("categories");
  for (const [i, category] of categories.entries()) {
    if (categoryIndex(category) < 0)
      at(`categories[${i}]`, problem("category-not-listed", { category, categories: CATEGORIES.join(", ") }));
  }
  const whole = (where: string, raw: unknown, min: number, max: number): number => {
    if (typeof raw !== "number" || !Number.isInteger(raw) || raw < min || raw > max) {
      at(where, problem("whole-number", { min, max }));
      return min;
    }
    return raw;
  };
  const rawCriteria = Array.isArray(spec.criteria) ? (spec.criteria as Record<string, unknown>[]) : [];
  if (rawCriteria.length === 0 || rawCriteria.length > MAX_CRITERIA)
    at("criteria", problem("criteria-count", { max: MAX_CRITERIA }));
  const criteria = rawCriteria.map((raw, i) => {
    const where = `criteria[${i}]`;
    if (typeof raw?.name !== "string" || raw.name.trim() === "") at(`${where}.name`, problem("criterion-name-missing"));
    return {
      name: String(raw?.name ?? "").trim(),
      ...(typeof raw?.description === "string" ? { description: raw.description } : {}),
      weight: whole(`${where}.weight`, raw?.weight, 1, 1000),
      maxScore: whole(`${where}.maxScore`, raw?.maxScore, 1, 1000),
      floorBps: whole(`${where}.floorPercent`, raw?.floorPercent ?? 0, 0, 100) * 100,
    };
  });
  const passMarkBps = whole("passMarkPercent", spec.passMarkPercent, 0, 100) * 100;
  const minGroup = whole("minGroup", spec.minGroup, 1, 10_000);
  const experts = strings("experts");
  if (experts.length === 0 || experts.length > MAX_EXPERTS)
    at("experts", problem("experts-count", { max: MAX_EXPERTS }));
  for (const [i, expert] of experts.entries()) if (!ADDRESS.test(expert)) at(`experts[${i}]`, problem("not-address"));
  if (new Set(experts.map((e) => e.toLowerCase())).size !== experts.length) at("experts", problem("expert-twice"));
  const minSheets = whole("minSheets", spec.minSheets, 1, Math.max(1, experts.length));
  const roles = (typeof spec.roles === "object" && spec.roles !== null ? spec.roles : {}) as Record<string, unknown>;
  for (const [role, address] of Object.entries(roles)) {
    if (!["admin", "committee", "registrar"].includes(role)) at(`roles.${role}`, problem("role-not-contest"));
    else if (typeof address !== "string" || !ADDRESS.test(address)) at(`roles.${role}`, problem("not-address"));
  }
  if (problems.length > 0) throw new InputError(problems);
  return {
    name: name!,
    submissionsOpenAt: submissionsOpenAt!,
    submissionsCloseAt: submissionsCloseAt!,
    reviewClosesAt: reviewClosesAt!,
    districts,
    ...(areas.some((area) => area !== null) ? { areas } : {}),
    categories,
    criteria,
    passMarkBps,
    minGroup,
    minSheets,
    experts,
    roles: roles as ContestSpec["roles"],
  };
}

/** The template document of a spec: what `templateHash` commits to. */
export function templateOf(spec: ContestSpec): Omit<TemplateDocument, "kind"> {
  const { name, districts, areas, categories, criteria } = spec;
  return { name, districts, ...(areas ? { areas } : {}), categories, criteria };
}

/** The template document's bytes and hash: what the content store keeps and `templateHash` names on-chain. */
export function contestTemplateOf(spec: ContestSpec): { bytes: Uint8Array; hash: Hex } {
  const bytes = templateDocument(templateOf(spec));
  return { bytes, hash: contentHash(bytes) };
}

/** How long a contest's admin role takes to move to a new admin, in seconds. */
export const CONTEST_ADMIN_TRANSFER_DELAY = 3 * 24 * 3600;

/** The `ContestConfig` the factory's `createContest` takes; roles the spec leaves out go to `signer`. */
export function contestConfigOf(spec: ContestSpec, signer: string, templateHash: Hex) {
  return {
    name: spec.name,
    admin: (spec.roles.admin ?? signer) as Address,
    adminTransferDelay: CONTEST_ADMIN_TRANSFER_DELAY,
    committee: (spec.roles.committee ?? signer) as Address,
    registrar: (spec.roles.registrar ?? signer) as Address,
    submissionsOpenAt: spec.submissionsOpenAt,
    submissionsCloseAt: spec.submissionsCloseAt,
    reviewClosesAt: spec.reviewClosesAt,
    districtCount: spec.districts.length,
    templateHash,
    passMarkBps: spec.passMarkBps,
    minGroup: spec.minGroup,
    minSheets: spec.minSheets,
    criteria: spec.criteria.map(({ weight, maxScore, floorBps }) => ({ weight, maxScore, floorBps })),
    experts: spec.experts as Address[],
  };
}

/** What `contest create` (CLI or committee page) publishes beside the contest: how to find it again and read its logs. */
export interface ContestManifest {
  chainId: number;
  contest: string;
  factory: string;
  fromBlock: number;
  name: string;
  districts: string[];
  templateHash: string;
}
