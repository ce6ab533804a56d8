/**
 * The contest relay's durable queue, in the resident services' SQLite file: each signed submission, amendment,
 * co-signature or score sheet is a job, stored before the answer and sent as one transaction of its own. A job's
 * transaction is recorded (signed, with its hash and account nonce) before it is broadcast, so that after a crash it
 * is finished from what is recorded, never sent twice. The same signed message is one job: sent again, it is
 * answered with its job.
 */
import type { DatabaseSync } from "node:sqlite";

import { openDatabase } from "../database.js";

export type JobKind = "submit" | "amend" | "cosign" | "sheet";
export type JobStatus = "queued" | "submitted" | "applied" | "rejected";

export interface Job {
  id: number;
  kind: JobKind;
  /** The contract call's arguments, JSON with bigints as strings. */
  args: unknown[];
  status: JobStatus;
  reason: string | null;
  hash: string | null;
  raw: string | null;
  accountNonce: number | null;
  /** Earlier hashes of the same transaction, replaced for a higher fee. */
  previous: string[];
  /** For a submission once applied: the initiative's id. */
  initiative: string | null;
  createdAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS contest_jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  signature TEXT NOT NULL UNIQUE,
  args TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  hash TEXT,
  raw TEXT,
  account_nonce INTEGER,
  previous TEXT NOT NULL DEFAULT '[]',
  initiative TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS contest_jobs_status ON contest_jobs (status, id);
`;

interface Row {
  id: number;
  kind: JobKind;
  args: string;
  status: JobStatus;
  reason: string | null;
  hash: string | null;
  raw: string | null;
  account_nonce: number | null;
  previous: string;
  initiative: string | null;
  created_at: number;
}

const json = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

function fromRow(row: Row): Job {
  return {
    id: row.id,
    kind: row.kind,
    args: JSON.parse(row.args) as unknown[],
    status: row.status,
    reason: row.reason,
    hash: row.hash,
    raw: row.raw,
    accountNonce: row.account_nonce,
    previous: JSON.parse(row.previous) as string[],
    initiative: row.initiative,
    createdAt: row.created_at,
  };
}

export class JobStore {
  private readonly db: DatabaseSync;

  constructor(database: string) {
    this.db = openDatabase(database, SCHEMA);
  }

  /** The job a signature made, if any. */
  bySignature(signature: string): Job | undefined {
    const row = this.db.prepare("SELECT * FROM contest_jobs WHERE signature = ?").get(signature.toLowerCase()) as
      Row | undefined;
    return row && fromRow(row);
  }

  /** Stores a job; returns it, or the job the same signature made before. */
  add(kind: JobKind, signature: string, args: unknown[], now = Date.now()): { job: Job; known: boolean } {
    const known = this.db.prepare("SELECT * FROM contest_jobs WHERE signature = ?").get(signature.toLowerCase()) as
      Row | undefined;
    if (known) return { job: fromRow(known), known: true };
    const { lastInsertRowid } = this.db
      .prepare("INSERT INTO contest_jobs (kind, signature, args, status, created_at) VALUES (?, ?, ?, 'queued', ?)")
      .run(kind, signature.toLowerCase(), json(args), now);
    return { job: this.get(Number(lastInsertRowid))!, known: false };
  }

  get(id: number): Job | undefined {
    const row = this.db.prepare("SELECT * FROM contest_jobs WHERE id = ?").get(id) as Row | undefined;
    return row && fromRow(row);
  }

  nextQueued(): Job | undefined {
    const row = this.db.prepare("SELECT * FROM contest_jobs WHERE status = 'queued' ORDER BY id LIMIT 1").get() as
      Row | undefined;
    return row && fromRow(row);
  }

  submitted(): Job[] {
    return (
      this.db.prepare("SELECT * FROM contest_jobs WHERE status = 'submitted' ORDER BY id").all() as unknown as Row[]
    ).map(fromRow);
  }

  /** Records the signed transaction of a job, before it is broadcast. */
  record(id: number, hash: string, raw: string, accountNonce: number): void {
    this.db
      .prepare("UPDATE contest_jobs SET status = 'submitted', hash = ?, raw = ?, account_nonce = ? WHERE id = ?")
      .run(hash, raw, accountNonce, id);
  }

  /** Records a replacement of a job's transaction (same nonce, higher fee), before it is broadcast. */
  replace(job: Job, hash: string, raw: string): void {
    this.db
      .prepare("UPDATE contest_jobs SET hash = ?, raw = ?, previous = ? WHERE id = ?")
      .run(hash, raw, JSON.stringify([...job.previous, job.hash]), job.id);
  }

  settle(
    id: number,
    status: "applied" | "rejected" | "queued",
    reason: string | null,
    initiative: string | null = null,
  ) {
    if (status === "queued") {
      this.db
        .prepare(
          "UPDATE contest_jobs SET status = 'queued', hash = NULL, raw = NULL, account_nonce = NULL, previous = '[]' WHERE id = ?",
        )
        .run(id);
    } else {
      this.db
        .prepare("UPDATE contest_jobs SET status = ?, reason = ?, initiative = ? WHERE id = ?")
        .run(status, reason, initiative, id);
    }
  }

  counts(): Record<JobStatus, number> {
    const counts: Record<JobStatus, number> = { queued: 0, submitted: 0, applied: 0, rejected: 0 };
    for (const row of this.db.prepare("SELECT status, COUNT(*) AS n FROM contest_jobs GROUP BY status").all() as {
      status: JobStatus;
      n: number;
    }[]) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  close(): void {
    this.db.close();
  }
}
