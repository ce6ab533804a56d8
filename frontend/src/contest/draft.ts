/**
 * The application form of "Предложить проект" as the resident fills it in: the template's fields as text, checked
 * field by field into the initiative's fields (kopecks, coordinates, photo hashes), each problem named by its field
 * so that the error summary can link to it. Kept in sessionStorage while the resident fills it in, so that a reload
 * or a trip to the sign-in page loses nothing.
 */
import type { InitiativeFields as DocumentFields } from "@kopilka/core/contest";
import { parseRubles } from "@kopilka/core/money";

export interface CostLine {
  item: string;
  amount: string;
}

export interface Photo {
  hash: `0x${string}`;
  /** An object URL or the content URL, for the preview. */
  url: string;
  width: number;
  height: number;
}

export interface Draft {
  title: string;
  description: string;
  district: string;
  category: string;
  costs: CostLine[];
  cofinancing: string;
  lat: string;
  lon: string;
  photos: Photo[];
}

export const LIMITS = { title: 120, description: 4000, costLines: 20, photos: 6, item: 200 } as const;

export function emptyDraft(): Draft {
  return {
    title: "",
    description: "",
    district: "",
    category: "",
    costs: [{ item: "", amount: "" }],
    cofinancing: "",
    lat: "",
    lon: "",
    photos: [],
  };
}

/** The checked fields of an initiative, before the core writes them as its document. */
export interface InitiativeFields {
  title: string;
  description: string;
  district: number;
  category: string;
  /** Total, kopecks. */
  cost: bigint;
  breakdown: { item: string; cost: bigint }[];
  /** What the residents put in themselves, kopecks (0 when nothing). */
  cofinancing: bigint;
  location: { lat: number; lon: number };
  photos: `0x${string}`[];
}

/** A problem with a field: its id in the form (for the summary's link) and the locale key of the message. */
export interface FieldProblem {
  field: string;
  message: string;
  values?: Record<string, string | number>;
}

export type Checked = { fields: InitiativeFields } | { problems: FieldProblem[] };

export function checkDraft(draft: Draft, districts: number, categories: readonly string[]): Checked {
  const problems: FieldProblem[] = [];
  const title = draft.title.trim();
  const description = draft.description.trim();
  if (title === "") problems.push({ field: "title", message: "contest.form.errors.title" });
  else if (title.length > LIMITS.title) {
    problems.push({ field: "title", message: "contest.form.errors.tooLong", values: { max: LIMITS.title } });
  }
  if (description === "") problems.push({ field: "description", message: "contest.form.errors.description" });
  else if (description.length > LIMITS.description) {
    problems.push({
      field: "description",
      message: "contest.form.errors.tooLong",
      values: { max: LIMITS.description },
    });
  }
  const district = Number(draft.district);
  if (draft.district === "" || !Number.isInteger(district) || district < 0 || district >= districts) {
    problems.push({ field: "district", message: "contest.form.errors.district" });
  }
  if (!categories.includes(draft.category))
    problems.push({ field: "category", message: "contest.form.errors.category" });

  const breakdown: { item: string; cost: bigint }[] = [];
  draft.costs.forEach((line, index) => {
    const item = line.item.trim();
    if (item === "" && line.amount.trim() === "" && draft.costs.length > 1) return;
    if (item === "") problems.push({ field: `cost-item-${index}`, message: "contest.form.errors.item" });
    else if (item.length > LIMITS.item) {
      problems.push({
        field: `cost-item-${index}`,
        message: "contest.form.errors.tooLong",
        values: { max: LIMITS.item },
      });
    }
    const parsed = parseRubles(line.amount);
    if ("error" in parsed || parsed.kopecks <= 0n) {
      problems.push({ field: `cost-amount-${index}`, message: "contest.form.errors.amount" });
    } else if (item !== "") breakdown.push({ item, cost: parsed.kopecks });
  });
  if (breakdown.length === 0 && !problems.some((p) => p.field.startsWith("cost-"))) {
    problems.push({ field: "cost-item-0", message: "contest.form.errors.costs" });
  }
  const cost = breakdown.reduce((sum, line) => sum + line.cost, 0n);

  let cofinancing = 0n;
  if (draft.cofinancing.trim() !== "") {
    const parsed = parseRubles(draft.cofinancing);
    if ("error" in parsed || parsed.kopecks < 0n) {
      problems.push({ field: "cofinancing", message: "contest.form.errors.amount" });
    } else if (parsed.kopecks > cost)
      problems.push({ field: "cofinancing", message: "contest.form.errors.cofinancing" });
    else cofinancing = parsed.kopecks;
  }

  const lat = Number(draft.lat.replace(",", "."));
  const lon = Number(draft.lon.replace(",", "."));
  if (draft.lat.trim() === "" || draft.lon.trim() === "" || !(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180)) {
    problems.push({ field: "location", message: "contest.form.errors.location" });
  }
  if (draft.photos.length === 0) problems.push({ field: "photos", message: "contest.form.errors.photos" });

  if (problems.length > 0) return { problems };
  return {
    fields: {
      title,
      description,
      district,
      category: draft.category,
      cost,
      breakdown,
      cofinancing,
      location: { lat: round6(lat), lon: round6(lon) },
      photos: draft.photos.map((p) => p.hash),
    },
  };
}

/** Coordinates to about ten centimetres: the same pin always gives the same document. */
function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

const STORAGE = "kopilka.contest.draft";

export function saveDraft(key: string, draft: Draft): void {
  try {
    sessionStorage.setItem(`${STORAGE}.${key}`, JSON.stringify(draft));
  } catch {
    // Private browsing or a full storage: the form still works, it is only not kept across a reload.
  }
}

export function loadDraft(key: string): Draft | undefined {
  try {
    const saved = sessionStorage.getItem(`${STORAGE}.${key}`);
    return saved ? { ...emptyDraft(), ...(JSON.parse(saved) as Partial<Draft>) } : undefined;
  } catch {
    return undefined;
  }
}

export function forgetDraft(key: string): void {
  try {
    sessionStorage.removeItem(`${STORAGE}.${key}`);
  } catch {
    // nothing kept
  }
}

/** A published version's fields (the core's document) as the form's checked fields, to show it. */
export function documentToForm(fields: DocumentFields): InitiativeFields {
  return {
    title: fields.title,
    description: fields.description,
    district: fields.district,
    category: fields.category,
    cost: BigInt(fields.cost.totalKopecks),
    breakdown: fields.cost.breakdown.map((line) => ({ item: line.item, cost: BigInt(line.kopecks) })),
    cofinancing: BigInt(fields.cofinancingKopecks),
    location: fields.location,
    photos: fields.photos,
  };
}
