/**
 * The content store of a contest's initiatives: documents (canonical JSON) and photos (JPEG, PNG, WebP), addressed
 * by keccak256 of their exact bytes and kept as the published layout fixes it, one file per hash under the
 * content directory (`<dir>/<hash>`), so that what the store serves is what an auditor reads. The SQLite table keeps
 * what each file is and when it came, and nothing about who sent it.
 *
 * A file is written under a temporary name and renamed into place: a reader never sees half a file, and a crash
 * leaves at worst a temporary file. A file already stored is not written again (same hash, same bytes).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DatabaseSync } from "node:sqlite";

import {
  CONTENT_HASH,
  contentHash,
  INITIATIVE_KIND,
  NOTE_KIND,
  parseInitiativeDocument,
  photoType,
  TEMPLATE_KIND,
  type PhotoType,
} from "@kopilka/core/contest";
import { canonicalJson } from "@kopilka/core/metadata";
import { openDatabase } from "../database.js";

export type ContentKind = "json" | "jpeg" | "png" | "webp";

export const MEDIA_TYPES: Record<ContentKind, string> = {
  json: "application/json; charset=utf-8",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

/** `CONTENT_HASH` of the core, as a JSON schema pattern. */
export const HASH_PATTERN = CONTENT_HASH.source;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS contest_content (
  hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL,
  stored_at INTEGER NOT NULL
);
`;

/** What the bytes are, read from the bytes themselves (the core's photo signatures), never from a header. */
export function sniffKind(bytes: Uint8Array): ContentKind | undefined {
  const photo = photoType(bytes);
  if (photo) return PHOTO_KINDS[photo];
  if (bytes.length >= 2 && bytes[0] === 0x7b) return "json";
  return undefined;
}

const PHOTO_KINDS: Record<PhotoType, ContentKind> = { "image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp" };

/** The documents the store keeps: the contest's, by their `kind`. */
const DOCUMENT_KINDS = [INITIATIVE_KIND, NOTE_KIND, TEMPLATE_KIND] as const;

/** Why a document is not one the store keeps, or undefined when it is: UTF-8 canonical JSON holding an object. */
export function documentProblem(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return "the document is not UTF-8 text";
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "the document is not JSON";
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "the document is not a JSON object";
  if (canonicalJson(value) !== text) {
    return "the document is not canonical JSON (keys sorted, no spaces, one final newline)";
  }
  const kind = (value as { kind?: unknown }).kind;
  if (!(DOCUMENT_KINDS as readonly unknown[]).includes(kind)) {
    return `the document's kind is not one of ${DOCUMENT_KINDS.join(", ")}`;
  }
  if (kind === INITIATIVE_KIND) {
    const parsed = parseInitiativeDocument(bytes);
    if ("error" in parsed) return `the initiative is not valid: ${parsed.error}`;
  }
  return undefined;
}

export interface StoredContent {
  hash: string;
  kind: ContentKind;
  size: number;
  storedAt: number;
}

export class ContentStore {
  private readonly db: DatabaseSync;

  /** `directory` is the published content directory (created if missing); `database` the services' SQLite file. */
  constructor(
    readonly directory: string,
    database: string,
  ) {
    mkdirSync(directory, { recursive: true });
    this.db = openDatabase(database, SCHEMA);
  }

  /** keccak256 of the exact bytes, as `0x` + 64 lower-case hex digits. */
  static hashOf(bytes: Uint8Array): string {
    return contentHash(bytes);
  }

  find(hash: string): StoredContent | undefined {
    const row = this.db.prepare("SELECT hash, kind, size, stored_at FROM contest_content WHERE hash = ?").get(hash) as
      { hash: string; kind: ContentKind; size: number; stored_at: number } | undefined;
    return row && { hash: row.hash, kind: row.kind, size: row.size, storedAt: row.stored_at };
  }

  /**
   * Stores checked bytes under their hash; returns whether they were new. The file is in place before its row: a
   * row always names a whole file.
   */
  async put(hash: string, kind: ContentKind, bytes: Uint8Array, now = Date.now()): Promise<boolean> {
    if (this.find(hash)) return false;
    const file = this.pathOf(hash);
    const temporary = `${file}.${randomBytes(6).toString("hex")}.part`;
    await writeFile(temporary, bytes);
    try {
      await rename(temporary, file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    this.db
      .prepare("INSERT OR IGNORE INTO contest_content (hash, kind, size, stored_at) VALUES (?, ?, ?, ?)")
      .run(hash, kind, bytes.length, now);
    return true;
  }

  /** The stored bytes, read back from the published file. */
  async read(hash: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.pathOf(hash)));
  }

  /** Whether the published file is there with the size recorded (a file removed by hand is not served). */
  async present(content: StoredContent): Promise<boolean> {
    try {
      return (await stat(this.pathOf(content.hash))).size === content.size;
    } catch {
      return false;
    }
  }

  pathOf(hash: string): string {
    return path.join(this.directory, hash);
  }

  close(): void {
    this.db.close();
  }
}
