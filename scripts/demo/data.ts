/**
 * The demo round, modelled on the Volgograd region's initiative budgeting of 2020: 45 districts sharing
 * 107,300,000 rubles, 277 projects over the nine categories, and as many demo residents as the demo wants.
 * Everything is derived from a seed string with a seeded PRNG, so the same seed gives byte-identical files on
 * every machine; `writeRoundSpec` writes the round spec that `kopilka round create --spec` reads.
 */
import { CATEGORIES, type Category } from "@kopilka/core/category";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { HDNodeWallet, keccak256, toUtf8Bytes, Wallet } from "ethers";

import type { DistrictArea } from "@kopilka/core/contest";
import { formatRubles, KOPECKS_PER_RUBLE } from "@kopilka/core/money";
import type { RuleKey } from "@kopilka/core/rule";
import { categoryImageURI } from "./images.js";
import { DISTRICT_SOURCES, settlementIn, VILLAGE_STREETS } from "./places.js";
import { createRng, type Rng } from "./random.js";
import { CONTRIBUTIONS, TEMPLATES } from "./templates.js";

export const DEMO_SEED = "kopilka-volgograd-2020";
export const DEMO_ROUND_NAME = "Волгоградская область: инициативное бюджетирование 2020 (демо)";
export const DEMO_TOKEN_SYMBOL = "VLG";
/** 107,300,000 rubles, in kopecks. */
export const DEMO_BUDGET = 107_300_000n * KOPECKS_PER_RUBLE;
export const DEMO_PROJECT_COUNT = 277;

/** The mnemonic of `hardhat node`'s default accounts, known to every wallet tutorial. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
export const HARDHAT_ACCOUNT_COUNT = 20;

/** Project costs stay within this range (kopecks) and never above their district's budget. */
export const MIN_PROJECT_COST = 150_000n * KOPECKS_PER_RUBLE;
export const MAX_PROJECT_COST = 2_500_000n * KOPECKS_PER_RUBLE;

/** Every district gets this much before the population share: small rural districts still need a real budget. */
const DISTRICT_BASE_BUDGET = 1_000_000n * KOPECKS_PER_RUBLE;
const BUDGET_ROUNDING = 1_000n * KOPECKS_PER_RUBLE;
const MIN_PROJECTS_PER_DISTRICT = 3;

/** How often residents file each kind of project (the regional programme's 2020 proportions, roughly). */
const CATEGORY_WEIGHTS: Record<Category, number> = {
  sport: 10,
  "education-culture": 10,
  libraries: 5,
  "housing-utilities": 9,
  "street-lighting": 15,
  landscaping: 17,
  "water-supply": 12,
  playgrounds: 14,
  "local-roads": 12,
};

/** The oblast's bounding box; every project location falls inside it. */
export const REGION_BOUNDS = { minLat: 47.5, maxLat: 51.3, minLon: 41.2, maxLon: 47.4 } as const;

export interface Location {
  lat: number;
  lon: number;
}

export interface DemoDistrict {
  name: string;
  /** Kopecks. */
  budget: bigint;
  /** Residents, thousands. */
  population: number;
  center: Location;
}

export interface DemoProject {
  /** Index into the round's districts. */
  district: number;
  title: string;
  description: string;
  category: Category;
  /** Kopecks. */
  cost: bigint;
  location: Location;
}

export interface DemoRound {
  name: string;
  tokenSymbol: string;
  /** Kopecks; equals the sum of the district budgets. */
  budget: bigint;
  districts: DemoDistrict[];
  projects: DemoProject[];
}

/**
 * The 45 districts and their budgets: a fixed base each plus a share of the rest by population, rounded down to
 * a thousand rubles; the most populous district takes the rounding remainder so the budgets add up exactly.
 */
export function demoDistricts(): DemoDistrict[] {
  const tenths = DISTRICT_SOURCES.map((d) => BigInt(Math.round(d.population * 10)));
  const totalTenths = tenths.reduce((a, b) => a + b, 0n);
  const shared = DEMO_BUDGET - DISTRICT_BASE_BUDGET * BigInt(DISTRICT_SOURCES.length);
  const budgets = tenths.map(
    (t) => DISTRICT_BASE_BUDGET + ((shared * t) / totalTenths / BUDGET_ROUNDING) * BUDGET_ROUNDING,
  );
  const largest = tenths.indexOf(tenths.reduce((a, b) => (b > a ? b : a)));
  budgets[largest] += DEMO_BUDGET - budgets.reduce((a, b) => a + b, 0n);
  return DISTRICT_SOURCES.map((source, i) => ({
    name: source.name,
    budget: budgets[i],
    population: source.population,
    center: { lat: source.center[0], lon: source.center[1] },
  }));
}

/** The whole demo round for a seed. Budgets do not depend on the seed; projects and their texts do. */
export function demoRound(seed: string = DEMO_SEED): DemoRound {
  const districts = demoDistricts();
  const rng = createRng(`${seed}/projects`);
  const counts = projectCounts(districts, DEMO_PROJECT_COUNT);
  const titles = new Set<string>();
  const projects: DemoProject[] = [];
  districts.forEach((district, index) => {
    const costs = projectCosts(rng, district.budget, counts[index]);
    for (const cost of costs) {
      const category = CATEGORIES[rng.weighted(CATEGORIES.map((c) => CATEGORY_WEIGHTS[c]))];
      const { title, description } = projectText(rng, index, category, titles);
      projects.push({ district: index, title, description, category, cost, location: projectLocation(rng, index) });
    }
  });
  return { name: DEMO_ROUND_NAME, tokenSymbol: DEMO_TOKEN_SYMBOL, budget: DEMO_BUDGET, districts, projects };
}

/** Projects per district, proportional to the budget (largest remainders), at least three each. */
function projectCounts(districts: readonly DemoDistrict[], total: number): number[] {
  const budgetTotal = districts.reduce((sum, d) => sum + Number(d.budget), 0);
  const quotas = districts.map((d) => (total * Number(d.budget)) / budgetTotal);
  const counts = quotas.map((q) => Math.max(MIN_PROJECTS_PER_DISTRICT, Math.floor(q)));
  let missing = total - counts.reduce((a, b) => a + b, 0);
  while (missing !== 0) {
    // Add where the quota is least served, take where it is most over-served; ties go to the lower index.
    let best = -1;
    for (let i = 0; i < counts.length; i++) {
      if (missing < 0 && counts[i] <= MIN_PROJECTS_PER_DISTRICT) continue;
      const gap = quotas[i] - counts[i];
      if (best < 0 || (missing > 0 ? gap > quotas[best] - counts[best] : gap < quotas[best] - counts[best])) best = i;
    }
    counts[best] += Math.sign(missing);
    missing -= Math.sign(missing);
  }
  return counts;
}

/**
 * Costs of one district's projects: together they ask for 1.3-2.2 times the budget, as real rounds are
 * oversubscribed; each is rounded to ten rubles, a third of them carry kopecks, and each fits the budget.
 */
function projectCosts(rng: Rng, budget: bigint, count: number): bigint[] {
  const demand = Number(budget) * rng.real(1.3, 2.2);
  const weights = Array.from({ length: count }, () => rng.real(0.5, 1.5));
  const weightTotal = weights.reduce((a, b) => a + b, 0);
  const cap = budget < MAX_PROJECT_COST ? budget : MAX_PROJECT_COST;
  const tenRubles = 10n * KOPECKS_PER_RUBLE;
  return weights.map((w) => {
    let cost = (BigInt(Math.round((demand * w) / weightTotal)) / tenRubles) * tenRubles;
    if (rng.chance(1 / 3)) cost += BigInt(rng.int(1, 99));
    if (cost < MIN_PROJECT_COST) cost = MIN_PROJECT_COST + BigInt(rng.int(0, 5_000)) * KOPECKS_PER_RUBLE;
    return cost > cap ? cap : cost;
  });
}

function projectText(
  rng: Rng,
  district: number,
  category: Category,
  taken: Set<string>,
): { title: string; description: string } {
  const source = DISTRICT_SOURCES[district];
  const templates = TEMPLATES[category];
  const context = () => ({
    in: settlementIn(rng.pick(source.settlements)),
    street: rng.pick(source.streets ?? VILLAGE_STREETS),
    rng,
  });
  let title = "";
  let kind = templates.kinds[0];
  for (let attempt = 0; attempt < 20 && (title === "" || taken.has(title)); attempt++) {
    kind = rng.pick(templates.kinds);
    title = kind.title(context());
  }
  // A district with few places may run out of distinct titles; real programmes number the stages then.
  for (let stage = 2; taken.has(title); stage++) title = `${title.replace(/ \(этап \d+\)$/, "")} (этап ${stage})`;
  taken.add(title);
  const sentences = [rng.pick(kind.works)(context()), rng.pick(templates.uses)];
  if (rng.chance(0.4)) sentences.push(rng.pick(CONTRIBUTIONS));
  return { title, description: sentences.join(" ") };
}

/**
 * A demo district's area on the map (`name` as places.ts names it): where its projects are placed around its centre,
 * within the oblast. The demo's contest frames its form's map with it.
 */
export function demoDistrictArea(name: string): DistrictArea {
  const source = DISTRICT_SOURCES.find((d) => d.name === name);
  if (source === undefined) throw new Error(`no demo district "${name}"`);
  const { center, spread } = source;
  return {
    minLat: round6(Math.max(center[0] - spread, REGION_BOUNDS.minLat)),
    maxLat: round6(Math.min(center[0] + spread, REGION_BOUNDS.maxLat)),
    minLon: round6(Math.max(center[1] - spread * 1.5, REGION_BOUNDS.minLon)),
    maxLon: round6(Math.min(center[1] + spread * 1.5, REGION_BOUNDS.maxLon)),
  };
}

function projectLocation(rng: Rng, district: number): Location {
  const { center, spread } = DISTRICT_SOURCES[district];
  // A degree of longitude is shorter than a degree of latitude here (cos 49° ≈ 0.66).
  const lat = clamp(center[0] + rng.real(-spread, spread), REGION_BOUNDS.minLat, REGION_BOUNDS.maxLat);
  const lon = clamp(center[1] + rng.real(-spread, spread) * 1.5, REGION_BOUNDS.minLon, REGION_BOUNDS.maxLon);
  return { lat: round6(lat), lon: round6(lon) };
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

// ---------------------------------------------------------------------------------------------------------------
// Round spec files: the format `kopilka round create --spec` reads (scripts/core/src/domain/spec.ts; described in README.md, "Run a round")

/** round.json as scripts/core/src/domain/spec.ts reads it. Amounts are ruble strings; dates are ISO 8601 in UTC. */
export interface RoundSpecFile {
  name: string;
  tokenSymbol: string;
  budget: string;
  opensAt: string;
  closesAt: string;
  rule: RuleKey;
  minTokens: string;
  minSupporters: number;
  /** Rubles each resident receives. */
  allowance: string;
  /** Residents enrolled by phone choose their district and are bound to it. */
  residentsBound: boolean;
  districts: string;
  projects: string;
}

export interface SpecOptions {
  /** When voting opens and closes, unix seconds. The spec names dates, so the caller picks them. */
  opensAt: number | bigint;
  closesAt: number | bigint;
  rule?: RuleKey;
}

/**
 * What each demo resident receives: 10,000 rubles, so that the default 3,000 residents take 30 million of the
 * 107.3 million budget and leave room for about 7,700 more (residents who enrol by phone while voting runs).
 */
export const DEMO_ALLOWANCE = 10_000n * 100n;

export const DISTRICTS_HEADER = ["name", "budget"] as const;
export const PROJECTS_HEADER = ["district", "title", "description", "category", "cost", "image", "lat", "lon"] as const;

const isoSeconds = (seconds: number | bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

/** The three files of a round spec directory, by file name. */
export function roundSpecFiles(round: DemoRound, options: SpecOptions): Record<string, string> {
  const spec: RoundSpecFile = {
    name: round.name,
    tokenSymbol: round.tokenSymbol,
    budget: formatRubles(round.budget),
    opensAt: isoSeconds(options.opensAt),
    closesAt: isoSeconds(options.closesAt),
    rule: options.rule ?? "ranked",
    minTokens: formatRubles(0n),
    minSupporters: 0,
    allowance: formatRubles(DEMO_ALLOWANCE),
    residentsBound: true,
    districts: "districts.csv",
    projects: "projects.csv",
  };
  const districts = csv([[...DISTRICTS_HEADER], ...round.districts.map((d) => [d.name, formatRubles(d.budget)])]);
  const projects = csv([
    [...PROJECTS_HEADER],
    ...round.projects.map((p) => [
      round.districts[p.district].name,
      p.title,
      p.description,
      p.category,
      formatRubles(p.cost),
      categoryImageURI(p.category),
      p.location.lat.toFixed(6),
      p.location.lon.toFixed(6),
    ]),
  ]);
  return {
    "round.json": JSON.stringify(spec, null, 2) + "\n",
    [spec.districts]: districts,
    [spec.projects]: projects,
  };
}

/** Writes round.json, districts.csv and projects.csv into `dir` (created if missing); returns their paths. */
export async function writeRoundSpec(dir: string, round: DemoRound, options: SpecOptions): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(roundSpecFiles(round, options))) {
    const file = path.join(dir, name);
    await writeFile(file, text, "utf8");
    written.push(file);
  }
  return written;
}

/** RFC 4180 text: comma separated, fields quoted when they hold a comma, a quote or a line break; LF endings. */
export function csv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(",")).join("\n") + "\n";
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// ---------------------------------------------------------------------------------------------------------------
// Demo residents

export interface DemoResident {
  address: string;
  privateKey: string;
  /** One of `hardhat node`'s default accounts (HARDHAT_MNEMONIC), which any wallet can import. */
  hardhat: boolean;
}

/** The default accounts of `hardhat node`: m/44'/60'/0'/0/i of HARDHAT_MNEMONIC. */
export function hardhatAccounts(count: number = HARDHAT_ACCOUNT_COUNT): DemoResident[] {
  const parent = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, "m/44'/60'/0'/0");
  return Array.from({ length: count }, (_, i) => {
    const child = parent.deriveChild(i);
    return { address: child.address, privateKey: child.privateKey, hardhat: true };
  });
}

/**
 * `count` demo residents: first the Hardhat accounts (so that a visitor with a wallet on the local node is a
 * resident too), then accounts whose keys are keccak256("<seed>/resident/<i>"). Deriving from a hash rather
 * than an HD path keeps thousands of residents fast and just as reproducible.
 */
export function residents(
  count: number,
  seed: string = DEMO_SEED,
  options: { includeHardhat?: boolean } = {},
): DemoResident[] {
  const known = options.includeHardhat === false ? [] : hardhatAccounts(Math.min(count, HARDHAT_ACCOUNT_COUNT));
  const generated: DemoResident[] = [];
  for (let i = 0; generated.length < count - known.length; i++) {
    const privateKey = keccak256(toUtf8Bytes(`${seed}/resident/${i}`));
    try {
      generated.push({ address: new Wallet(privateKey).address, privateKey, hardhat: false });
    } catch {
      // A hash outside the curve order is no key (probability ~2^-128); the next index is.
    }
  }
  return [...known, ...generated];
}

/** A home district for each of `count` residents, drawn by population, reproducible from the seed. */
export function residentDistricts(
  count: number,
  districts: readonly DemoDistrict[],
  seed: string = DEMO_SEED,
): number[] {
  const rng = createRng(`${seed}/homes`);
  const weights = districts.map((d) => d.population);
  return Array.from({ length: count }, () => rng.weighted(weights));
}
