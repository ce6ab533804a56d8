/**
 * A contest of residents' initiatives (contracts/interfaces/IContest.sol): the statuses and phases, the EIP-712
 * typed data residents and experts sign (submit, amend, co-sign, score sheet), the scoring rule (the twin of
 * `Contest.outcomeFor`), and the content format: an initiative version is a canonical JSON document addressed by
 * keccak256 of its exact bytes, photos, screening reasons and expert comments are content files too. The dApp, the
 * resident services, the CLI and the auditor all build and check with these.
 */
import {
  bytesToHex,
  concatBytes,
  encodeAbiParameters,
  hashTypedData,
  hexToBytes,
  keccak256,
  recoverTypedDataAddress,
  zeroAddress,
  type Address,
  type Hex,
} from "viem";

import { SignatureScheme, p256Signer, signDigestP256, type P256DataSigner } from "./keys.js";
import { categoryIndex } from "./category.js";
import { canonicalJson } from "./metadata.js";
import { problem, type Problem } from "./problems.js";
import type { ProjectSpec } from "./spec.js";

// --- how a person reads an initiative's id ---

/**
 * The initiative's number as residents read it, counting from 1: the id on-chain, in URLs and in JSON counts from 0
 * (`initiativeNumber(0n)` is "1"). Every page, CLI line and published text that names an initiative to a person
 * shows this number; every machine-read place keeps the id.
 */
export function initiativeNumber(id: bigint | number): string {
  return (BigInt(id) + 1n).toString();
}

// --- the contract's enums ---

/** `IContest.Phase`. */
export const ContestPhase = { Setup: 0, Submissions: 1, Review: 2, Decided: 3 } as const;
export type ContestPhase = (typeof ContestPhase)[keyof typeof ContestPhase];

/** `IContest.Status`. */
export const InitiativeStatus = {
  None: 0,
  Submitted: 1,
  Returned: 2,
  Admitted: 3,
  Rejected: 4,
  Passed: 5,
  Failed: 6,
} as const;
export type InitiativeStatus = (typeof InitiativeStatus)[keyof typeof InitiativeStatus];

/** The status's key, e.g. "Returned", for logs and files. */
export function statusName(status: number): keyof typeof InitiativeStatus {
  const name = (Object.keys(InitiativeStatus) as (keyof typeof InitiativeStatus)[]).find(
    (key) => InitiativeStatus[key] === status,
  );
  if (name === undefined) throw new Error(`unknown initiative status ${status}`);
  return name;
}

/** `IContest.Criterion`: what the contract keeps of a criterion (its name is in the template, same order). */
export interface Criterion {
  weight: number;
  maxScore: number;
  /** The least mean score, in basis points of `maxScore`, to pass; 0 for none. */
  floorBps: number;
}

/** The rule's parameters, as the contract holds them. */
export interface ContestRule {
  criteria: readonly Criterion[];
  passMarkBps: number;
  minSheets: number;
}

export const BPS = 10_000n;
/** `Contest.MAX_CRITERIA`, `Contest.MAX_EXPERTS`. */
export const MAX_CRITERIA = 16;
export const MAX_EXPERTS = 32;

/** `Contest.criteriaHash`: `keccak256(abi.encode(criteria))`, the value a score sheet names. */
export function criteriaHash(criteria: readonly Criterion[]): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        {
          type: "tuple[]",
          components: [
            { name: "weight", type: "uint16" },
            { name: "maxScore", type: "uint16" },
            { name: "floorBps", type: "uint16" },
          ],
        },
      ],
      [criteria.map((c) => ({ weight: c.weight, maxScore: c.maxScore, floorBps: c.floorBps }))],
    ),
  );
}

/** `Contest.identityOf`: who a resident is for the group count, the enrollment or else the account. */
export function identityOf(account: string, enrollment: string): Hex {
  if (BigInt(enrollment) !== 0n) return enrollment.toLowerCase() as Hex;
  return `0x${account.slice(2).toLowerCase().padStart(64, "0")}`;
}

// --- the rule (twin of Contest._outcome) ---

export interface Outcome {
  /** The weighted mean score, basis points. */
  scoreBps: number;
  /** Each criterion's mean score, basis points of its maximum. */
  criterionBps: number[];
  passed: boolean;
}

/**
 * The outcome of an initiative from the sums, per criterion, of its sheets' scores: each criterion's mean in basis
 * points of its maximum `sum * 10000 / (maxScore * sheets)`, rounded down; the weighted score
 * `Σ weight * criterionBps / Σ weight`, rounded down; passed with at least `minSheets` sheets, the pass mark reached
 * and every floor reached. No sheet: score 0, not passed. Keep equal to `Contest._outcome`.
 */
export function contestOutcome(rule: ContestRule, sums: readonly bigint[], sheets: number): Outcome {
  if (sums.length !== rule.criteria.length) {
    throw new Error(`${sums.length} score sums for ${rule.criteria.length} criteria`);
  }
  if (sheets === 0) return { scoreBps: 0, criterionBps: rule.criteria.map(() => 0), passed: false };
  let weighted = 0n;
  let weights = 0n;
  let floorsMet = true;
  const criterionBps = rule.criteria.map((criterion, i) => {
    const bps = (sums[i] * BPS) / (BigInt(criterion.maxScore) * BigInt(sheets));
    if (bps < BigInt(criterion.floorBps)) floorsMet = false;
    weighted += BigInt(criterion.weight) * bps;
    weights += BigInt(criterion.weight);
    return Number(bps);
  });
  const scoreBps = Number(weighted / weights);
  return {
    scoreBps,
    criterionBps,
    passed: sheets >= rule.minSheets && scoreBps >= rule.passMarkBps && floorsMet,
  };
}

/** The per-criterion sums of `sheets`' scores, as the contract adds them up. */
export function scoreSumsOf(criteriaCount: number, sheets: readonly { scores: readonly number[] }[]): bigint[] {
  const sums = Array.from({ length: criteriaCount }, () => 0n);
  for (const sheet of sheets) {
    if (sheet.scores.length !== criteriaCount) {
      throw new Error(`a sheet has ${sheet.scores.length} scores for ${criteriaCount} criteria`);
    }
    sheet.scores.forEach((score, i) => (sums[i] += BigInt(score)));
  }
  return sums;
}

// --- typed data ---

export const CONTEST_DOMAIN_NAME = "Kopilka Contest";
export const CONTEST_DOMAIN_VERSION = "1";

/** The EIP-712 domain of a contest: the same shape for viem and ethers. */
export interface ContestDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: Address;
}

export function contestDomain(chainId: bigint | number, contest: string): ContestDomain {
  return {
    name: CONTEST_DOMAIN_NAME,
    version: CONTEST_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: contest as Address,
  };
}

/** The EIP-712 types (`Contest.*_TYPEHASH`), as `signTypedData` takes them. */
export const CONTEST_TYPES = {
  Submit: [
    { name: "author", type: "address" },
    { name: "district", type: "uint16" },
    { name: "contentHash", type: "bytes32" },
    { name: "deadline", type: "uint64" },
  ],
  Amend: [
    { name: "author", type: "address" },
    { name: "initiative", type: "uint256" },
    { name: "version", type: "uint32" },
    { name: "contentHash", type: "bytes32" },
    { name: "deadline", type: "uint64" },
  ],
  Cosign: [
    { name: "cosigner", type: "address" },
    { name: "initiative", type: "uint256" },
    { name: "version", type: "uint32" },
    { name: "contentHash", type: "bytes32" },
  ],
  ScoreSheet: [
    { name: "expert", type: "address" },
    { name: "initiative", type: "uint256" },
    { name: "version", type: "uint32" },
    { name: "contentHash", type: "bytes32" },
    { name: "criteriaHash", type: "bytes32" },
    { name: "scores", type: "uint16[]" },
    { name: "commentHash", type: "bytes32" },
    { name: "noConflict", type: "bool" },
  ],
} as const;

/** A new initiative: `contentHash` is its first version's document; the deadline in chain seconds. */
export interface SubmitMessage {
  author: Address;
  district: number;
  contentHash: Hex;
  deadline: bigint;
}

/** A new version: `version` is the version amended (the current one), `contentHash` the new version's document. */
export interface AmendMessage {
  author: Address;
  initiative: bigint;
  version: number;
  contentHash: Hex;
  deadline: bigint;
}

/** Joining the group of the initiative's version `version`, whose document is `contentHash`. */
export interface CosignMessage {
  cosigner: Address;
  initiative: bigint;
  version: number;
  contentHash: Hex;
}

/** An expert's score sheet (`IContest.ScoreSheet`): one score per criterion, in the criteria's order. */
export interface ScoreSheetMessage {
  expert: Address;
  initiative: bigint;
  version: number;
  contentHash: Hex;
  criteriaHash: Hex;
  scores: number[];
  /** The expert's comment's content hash (a `noteDocument`), or zero for none. */
  commentHash: Hex;
  noConflict: boolean;
}

type Typed<P extends keyof typeof CONTEST_TYPES, M> = {
  domain: ContestDomain;
  types: Pick<typeof CONTEST_TYPES, P>;
  primaryType: P;
  message: M;
};

export type ContestTypedData =
  | Typed<"Submit", SubmitMessage>
  | Typed<"Amend", AmendMessage>
  | Typed<"Cosign", CosignMessage>
  | Typed<"ScoreSheet", ScoreSheetMessage>;

/** The typed data of a submit, for viem's `signTypedData` (or ethers', with `types` as given). */
export function submitTypedData(domain: ContestDomain, message: SubmitMessage): Typed<"Submit", SubmitMessage> {
  return { domain, types: { Submit: CONTEST_TYPES.Submit }, primaryType: "Submit", message };
}

export function amendTypedData(domain: ContestDomain, message: AmendMessage): Typed<"Amend", AmendMessage> {
  return { domain, types: { Amend: CONTEST_TYPES.Amend }, primaryType: "Amend", message };
}

export function cosignTypedData(domain: ContestDomain, message: CosignMessage): Typed<"Cosign", CosignMessage> {
  return { domain, types: { Cosign: CONTEST_TYPES.Cosign }, primaryType: "Cosign", message };
}

export function sheetTypedData(
  domain: ContestDomain,
  message: ScoreSheetMessage,
): Typed<"ScoreSheet", ScoreSheetMessage> {
  return { domain, types: { ScoreSheet: CONTEST_TYPES.ScoreSheet }, primaryType: "ScoreSheet", message };
}

/** The EIP-712 digest of any contest message (`Contest.submitDigest` and the others). */
export function contestDigest(data: ContestTypedData): Hex {
  return hashTypedData(viemTypedData(data));
}

/** viem's own typed-data type is generic over each message; every `ContestTypedData` is one of its members. */
function viemTypedData(data: ContestTypedData): Parameters<typeof hashTypedData>[0] {
  return data as unknown as Parameters<typeof hashTypedData>[0];
}

/** A signed contest message: `signature` as the contract takes it (see `contestSignature`), and its scheme. */
export interface ContestSignature {
  scheme: SignatureScheme;
  signature: Hex;
}

/** Signs contest typed data with a P-256 key (a browser's WebCrypto key, or `p256KeySigner` on Node). */
export async function signContestP256(signer: P256DataSigner, data: ContestTypedData): Promise<ContestSignature> {
  return { scheme: SignatureScheme.P256, signature: await signDigestP256(signer, contestDigest(data)) };
}

/**
 * The signature as the contract takes it: P-256 128 bytes as they are; a wallet's 65 bytes with a `v` of 0 or 1 made
 * 27 or 28. The contract, not this function, refuses a high `s`.
 */
export function contestSignature(scheme: SignatureScheme, signature: Hex): Hex {
  const bytes = hexToBytes(signature);
  if (scheme === SignatureScheme.P256) {
    if (bytes.length !== 128) throw new Error(`a P-256 signature has 128 bytes, not ${bytes.length}`);
    return signature;
  }
  if (bytes.length !== 65) throw new Error(`a signature has 65 bytes, not ${bytes.length}`);
  const v = bytes[64] < 27 ? bytes[64] + 27 : bytes[64];
  return bytesToHex(concatBytes([bytes.subarray(0, 64), Uint8Array.of(v)]));
}

/**
 * Whose key signed `data`, checked as the contract checks it: the zero address for a P-256 signature that does not
 * verify; for a wallet, whatever address the signature recovers to (throws on a malformed one).
 */
export async function contestSigner(data: ContestTypedData, signed: ContestSignature): Promise<Address> {
  if (signed.scheme === SignatureScheme.P256) return p256Signer(contestDigest(data), signed.signature) ?? zeroAddress;
  if (signed.scheme !== SignatureScheme.Secp256k1) throw new Error(`unknown signature scheme ${String(signed.scheme)}`);
  return await recoverTypedDataAddress({
    ...viemTypedData(data),
    signature: signed.signature,
  });
}

// --- content ---

/** A content address: keccak256 of the file's exact bytes, `0x` + 64 lowercase hex. */
export function contentHash(bytes: Uint8Array): Hex {
  return keccak256(bytes);
}

export const CONTENT_HASH = /^0x[0-9a-f]{64}$/;

/** Whether `text` is a content address as the store and the published layout spell it. */
export function isContentHash(text: string): text is Hex {
  return CONTENT_HASH.test(text);
}

/** The path of a content file under a published directory (and of `GET /content/<hash>`). */
export function contentPath(hash: string): string {
  if (!isContentHash(hash)) throw new Error(`not a content hash: "${hash}"`);
  return `content/${hash}`;
}

/** The limits the store and the pages enforce. */
export const CONTENT_LIMITS = {
  /** An initiative document, a note or a template. */
  documentBytes: 64 * 1024,
  /** A photo, after the browser has resized it. */
  photoBytes: 2 * 1024 * 1024,
  photosPerInitiative: 8,
  titleChars: 200,
  descriptionChars: 10_000,
  breakdownItems: 50,
  noteChars: 5_000,
} as const;

export const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

/** A photo's type from its first bytes (not from a name or a header a client sent), or undefined. */
export function photoType(bytes: Uint8Array): PhotoType | undefined {
  const starts = (...magic: number[]) => magic.every((byte, i) => bytes[i] === byte);
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  const webp = [0x57, 0x45, 0x42, 0x50].every((byte, i) => bytes[8 + i] === byte);
  if (starts(0x52, 0x49, 0x46, 0x46) && webp) return "image/webp";
  return undefined;
}

export const INITIATIVE_KIND = "kopilka.initiative/1";
export const NOTE_KIND = "kopilka.note/1";
export const TEMPLATE_KIND = "kopilka.contest-template/1";

/** One line of a cost estimate. Money in kopecks, as decimal strings (exact in JSON). */
export interface CostItem {
  item: string;
  kopecks: string;
}

/** An initiative version's fields: the template's, and the version it amends. */
export interface InitiativeFields {
  /** The contest's address: a document belongs to one contest. */
  contest: Address;
  title: string;
  description: string;
  /** The district's index in the contest (as on-chain). */
  district: number;
  /** Category key (see ./category.ts). */
  category: string;
  /** The cost estimate: its total in kopecks and its breakdown, which sums to it. */
  cost: { totalKopecks: string; breakdown: CostItem[] };
  /** WGS84 coordinates of the place. */
  location: { lat: number; lon: number };
  /** Content hashes of the photos, in order. */
  photos: Hex[];
  /** What residents contribute themselves, in kopecks ("0" for nothing). */
  cofinancingKopecks: string;
  /** The content hash of the version this one amends; null for a first version. */
  amends: Hex | null;
}

/** The initiative document: `{ kind, ...fields }`. */
export interface InitiativeDocument extends InitiativeFields {
  kind: typeof INITIATIVE_KIND;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The exact bytes of an initiative version: canonical JSON (./metadata.ts `canonicalJson`: keys sorted at every
 * level, no insignificant whitespace, a final newline) of the checked fields, UTF-8. Throws on invalid fields.
 */
export function initiativeDocument(fields: InitiativeFields): Uint8Array {
  const problems = initiativeProblems(fields);
  if (problems.length > 0) throw new Error(`invalid initiative: ${problems.join("; ")}`);
  const document: InitiativeDocument = { kind: INITIATIVE_KIND, ...fields };
  return encoder.encode(canonicalJson(document));
}

/**
 * Reads an initiative document, checking that it is exactly the canonical form of valid fields (so one version
 * has one file). Returns the fields or why not.
 */
export function parseInitiativeDocument(bytes: Uint8Array): { fields: InitiativeFields } | { error: string } {
  if (bytes.length > CONTENT_LIMITS.documentBytes)
    return { error: `larger than ${CONTENT_LIMITS.documentBytes} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return { error: "not UTF-8 JSON" };
  }
  if (typeof value !== "object" || value === null || (value as { kind?: unknown }).kind !== INITIATIVE_KIND) {
    return { error: `not a ${INITIATIVE_KIND} document` };
  }
  const { kind: _kind, ...fields } = value as InitiativeDocument;
  const problems = initiativeProblems(fields);
  if (problems.length > 0) return { error: problems.join("; ") };
  const again = encoder.encode(canonicalJson({ kind: INITIATIVE_KIND, ...fields }));
  if (contentHash(again) !== contentHash(bytes)) return { error: "not in canonical form" };
  return { fields };
}

const KOPECKS = /^(0|[1-9]\d{0,17})$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** What is wrong with an initiative's fields, in plain words for the form; empty when nothing. */
export function initiativeProblems(fields: InitiativeFields): string[] {
  const problems: string[] = [];
  const known = new Set([
    "contest",
    "title",
    "description",
    "district",
    "category",
    "cost",
    "location",
    "photos",
    "cofinancingKopecks",
    "amends",
  ]);
  for (const key of Object.keys(fields)) if (!known.has(key)) problems.push(`unknown field "${key}"`);
  if (typeof fields.contest !== "string" || !ADDRESS.test(fields.contest)) problems.push("contest: not an address");
  const text = (name: string, value: unknown, max: number) => {
    if (typeof value !== "string" || value.trim() === "") problems.push(`${name}: empty`);
    else if (value.length > max) problems.push(`${name}: longer than ${max} characters`);
  };
  text("title", fields.title, CONTENT_LIMITS.titleChars);
  text("description", fields.description, CONTENT_LIMITS.descriptionChars);
  text("category", fields.category, 64);
  if (typeof fields.category === "string" && categoryIndex(fields.category) < 0) {
    problems.push(`category: "${fields.category}" is not a category`);
  }
  if (!Number.isInteger(fields.district) || fields.district < 0 || fields.district > 0xffff) {
    problems.push("district: not a district number");
  }
  const cost = fields.cost as InitiativeFields["cost"] | undefined;
  if (typeof cost !== "object" || cost === null || !Array.isArray(cost.breakdown)) {
    problems.push("cost: missing");
  } else if (typeof cost.totalKopecks !== "string" || !KOPECKS.test(cost.totalKopecks) || cost.totalKopecks === "0") {
    problems.push("cost.totalKopecks: not a positive number of kopecks");
  } else if (cost.breakdown.length === 0 || cost.breakdown.length > CONTENT_LIMITS.breakdownItems) {
    problems.push(`cost.breakdown: 1 to ${CONTENT_LIMITS.breakdownItems} items`);
  } else {
    let sum = 0n;
    for (const [i, line] of cost.breakdown.entries()) {
      if (typeof line?.item !== "string" || line.item.trim() === "") problems.push(`cost.breakdown[${i}].item: empty`);
      if (typeof line?.kopecks !== "string" || !KOPECKS.test(line.kopecks)) {
        problems.push(`cost.breakdown[${i}].kopecks: not a number of kopecks`);
      } else sum += BigInt(line.kopecks);
    }
    if (problems.length === 0 && sum !== BigInt(cost.totalKopecks)) {
      problems.push(`cost: the breakdown sums to ${sum}, not ${cost.totalKopecks}`);
    }
  }
  const location = fields.location as InitiativeFields["location"] | undefined;
  if (
    typeof location !== "object" ||
    location === null ||
    typeof location.lat !== "number" ||
    typeof location.lon !== "number" ||
    Math.abs(location.lat) > 90 ||
    Math.abs(location.lon) > 180
  ) {
    problems.push("location: not a place");
  }
  if (!Array.isArray(fields.photos) || fields.photos.length > CONTENT_LIMITS.photosPerInitiative) {
    problems.push(`photos: at most ${CONTENT_LIMITS.photosPerInitiative}`);
  } else if (!fields.photos.every((photo) => isContentHash(photo))) {
    problems.push("photos: not content hashes");
  }
  if (typeof fields.cofinancingKopecks !== "string" || !KOPECKS.test(fields.cofinancingKopecks)) {
    problems.push("cofinancingKopecks: not a number of kopecks");
  }
  if (fields.amends !== null && !isContentHash(String(fields.amends))) problems.push("amends: not a content hash");
  return problems;
}

/** A published text: a screening reason or an expert's comment. */
export interface NoteDocument {
  kind: typeof NOTE_KIND;
  text: string;
}

/** The exact bytes of a note (canonical JSON, as an initiative document). */
export function noteDocument(text: string): Uint8Array {
  if (text.trim() === "") throw new Error("a note needs a text");
  if (text.length > CONTENT_LIMITS.noteChars)
    throw new Error(`a note has at most ${CONTENT_LIMITS.noteChars} characters`);
  return encoder.encode(canonicalJson({ kind: NOTE_KIND, text } satisfies NoteDocument));
}

/** The contest's template document (its hash is `Contest.templateHash`): the districts, categories and criteria. */
export interface TemplateDocument {
  kind: typeof TEMPLATE_KIND;
  name: string;
  /** District names, by index. */
  districts: string[];
  /** Category keys an initiative may name. */
  categories: string[];
  /** The criteria with their names, in the contract's order. */
  criteria: (Criterion & { name: string; description?: string })[];
  /** Each district's area on the map, by index (null: none given); absent when the contest gives none. */
  areas?: (DistrictArea | null)[];
}

/** A district's area on the map, in degrees: what the form's map frames for a resident placing a project's pin. */
export interface DistrictArea {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

/** Why `value` is not a district area, or undefined when it is one. */
export function areaProblem(value: unknown): Problem | undefined {
  const area = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const degrees = (key: string, limit: number) =>
    typeof area[key] === "number" && Number.isFinite(area[key]) && Math.abs(area[key]) <= limit;
  if (!degrees("minLat", 90) || !degrees("maxLat", 90) || !degrees("minLon", 180) || !degrees("maxLon", 180))
    return problem("area-invalid");
  const { minLat, maxLat, minLon, maxLon } = area as unknown as DistrictArea;
  if (!(minLat < maxLat && minLon < maxLon)) return problem("area-inverted");
  return undefined;
}

/** The area a template gives district `district`, when it gives a well-formed one. */
export function districtArea(template: Pick<TemplateDocument, "areas">, district: number): DistrictArea | undefined {
  const area = template.areas?.[district];
  if (area === undefined || area === null || areaProblem(area) !== undefined) return undefined;
  return { minLat: area.minLat, maxLat: area.maxLat, minLon: area.minLon, maxLon: area.maxLon };
}

export function templateDocument(template: Omit<TemplateDocument, "kind">): Uint8Array {
  return encoder.encode(canonicalJson({ kind: TEMPLATE_KIND, ...template }));
}

/** Decodes a JSON content document (initiative, note, template) without checking it. */
export function readJsonContent(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes));
}

/** A passed initiative in its final version, with its document's fields. */
export interface PassedInitiative {
  id: number;
  version: number;
  contentHash: Hex;
  fields: InitiativeFields;
}

/**
 * The round's projects made from the contest's passed initiatives, by initiative id: each with its final version's
 * title, description, category, place and cost, in its district, and its metadata naming the initiative (contest,
 * id, version, content hash), so that the link is under the project's metadata hash on-chain.
 */
export function ballotProjects(
  contest: string,
  passed: readonly PassedInitiative[],
  districts: readonly string[],
): ProjectSpec[] {
  return [...passed]
    .sort((a, b) => a.id - b.id)
    .map(({ id, version, contentHash: hash, fields }) => {
      const district = districts[fields.district];
      if (district === undefined)
        throw new Error(`initiative ${id} names district ${fields.district}, not in the round`);
      return {
        district: fields.district,
        cost: BigInt(fields.cost.totalKopecks),
        category: categoryIndex(fields.category),
        metadata: {
          title: fields.title,
          description: fields.description,
          category: fields.category,
          district,
          location: fields.location,
          initiative: { contest: contest.toLowerCase(), id, version, contentHash: hash },
        },
      };
    });
}
