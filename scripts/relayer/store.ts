/**
 * The relayer's durable state in one SQLite file (Node's built-in `node:sqlite`, WAL journal). A ballot is written
 * here before the service answers; a submission (its signed transaction and hash) is written here before it is
 * broadcast. After a crash the file says exactly what may be on-chain: submissions still `sent` are reconciled
 * with the chain on start, and nothing else was ever broadcast.
 */
import type { DatabaseSync } from "node:sqlite";

import { inTransaction, openDatabase } from "../services/database.js";

import type { BallotClaim, SignedBallot } from "@kopilka/core/ballots";

export type BallotStatus = "queued" | "submitted" | "applied" | "rejected";

export interface StoredBallot {
  id: number;
  ballot: SignedBallot;
  claim?: BallotClaim;
  status: BallotStatus;
  submission: number | null;
  reason: string | null;
  attempts: number;
  acceptedAt: number;
}

export interface Submission {
  id: number;
  hash: string;
  /** Hashes of the same transaction signed before with lower fees (replaced while stuck): any of them may be mined. */
  previous: string[];
  raw: string;
  accountNonce: number;
  gasLimit: bigint;
  status: "sent" | "mined" | "dropped";
  gasUsed: bigint | null;
  createdAt: number;
  ballotIds: number[];
}

export interface Outcome {
  id: number;
  status: "applied" | "rejected" | "queued";
  reason?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ballots (
  id INTEGER PRIMARY KEY,
  voter TEXT NOT NULL,
  nonce TEXT NOT NULL,
  body TEXT NOT NULL,
  claim TEXT,
  status TEXT NOT NULL,
  submission INTEGER,
  reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  accepted_at INTEGER NOT NULL,
  UNIQUE (voter, nonce)
);
CREATE INDEX IF NOT EXISTS ballots_status ON ballots (status, id);
CREATE TABLE IF NOT EXISTS submissions (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  raw TEXT NOT NULL,
  account_nonce INTEGER NOT NULL,
  gas_limit TEXT NOT NULL,
  status TEXT NOT NULL,
  gas_used TEXT,
  block INTEGER,
  created_at INTEGER NOT NULL,
  settled_at INTEGER
);
`;

/** JSON with bigints as decimal strings, and back for the fields that are bigints. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

function ballotFromJson(text: string): SignedBallot {
  const b = JSON.parse(text);
  return {
    ...b,
    nonce: BigInt(b.nonce),
    deadline: BigInt(b.deadline),
    fromAmounts: b.fromAmounts.map(BigInt),
    toAmounts: b.toAmounts.map(BigInt),
  };
}

function claimFromJson(text: string | null): BallotClaim | undefined {
  if (text === null) return undefined;
  const c = JSON.parse(text);
  return { ...c, batchId: BigInt(c.batchId), amount: BigInt(c.amount) };
}

type Row = Record<string, string | number | null>;

export class RelayerStore {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = openDatabase(path, SCHEMA);
    const columns = this.db.prepare("PRAGMA table_info(submissions)").all() as Row[];
    if (!columns.some((column) => column.name === "previous")) {
      this.db.exec("ALTER TABLE submissions ADD COLUMN previous TEXT NOT NULL DEFAULT '[]'");
    }
  }

  close(): void {
    this.db.close();
  }

  /**
   * Stores an accepted ballot as queued, in place of a rejected ballot of the voter with the same nonce if there is
   * one. Returns undefined when the voter already has a ballot with this nonce that was not rejected.
   */
  accept(ballot: SignedBallot, claim: BallotClaim | undefined, now: number): number | undefined {
    const row = this.db
      .prepare(
        `INSERT INTO ballots (voter, nonce, body, claim, status, accepted_at) VALUES (?, ?, ?, ?, 'queued', ?)
         ON CONFLICT (voter, nonce) DO UPDATE SET body = excluded.body, claim = excluded.claim, status = 'queued',
           submission = NULL, reason = NULL, attempts = 0, accepted_at = excluded.accepted_at
         WHERE ballots.status = 'rejected'
         RETURNING id`,
      )
      .get(ballot.voter.toLowerCase(), ballot.nonce.toString(), toJson(ballot), claim ? toJson(claim) : null, now) as
      Row | undefined;
    return row === undefined ? undefined : Number(row.id);
  }

  find(voter: string, nonce: bigint): StoredBallot | undefined {
    const row = this.db
      .prepare("SELECT * FROM ballots WHERE voter = ? AND nonce = ?")
      .get(voter.toLowerCase(), nonce.toString()) as Row | undefined;
    return row && this.ballotOf(row);
  }

  /** Ballots of `voter` not yet settled (queued or in a submission). */
  unsettled(voter: string): StoredBallot[] {
    const rows = this.db
      .prepare("SELECT * FROM ballots WHERE voter = ? AND status IN ('queued', 'submitted') ORDER BY id")
      .all(voter.toLowerCase()) as Row[];
    return rows.map((row) => this.ballotOf(row));
  }

  queued(limit: number): StoredBallot[] {
    const rows = this.db
      .prepare("SELECT * FROM ballots WHERE status = 'queued' ORDER BY id LIMIT ?")
      .all(limit) as Row[];
    return rows.map((row) => this.ballotOf(row));
  }

  /** Records a signed transaction and marks its ballots submitted, in one transaction, before it is broadcast. */
  recordSubmission(hash: string, raw: string, accountNonce: number, gasLimit: bigint, ballotIds: number[]): number {
    return this.transaction(() => {
      const result = this.db
        .prepare(
          `INSERT INTO submissions (hash, raw, account_nonce, gas_limit, status, created_at)
           VALUES (?, ?, ?, ?, 'sent', ?)`,
        )
        .run(hash, raw, accountNonce, gasLimit.toString(), Date.now());
      const id = Number(result.lastInsertRowid);
      const mark = this.db.prepare(
        "UPDATE ballots SET status = 'submitted', submission = ?, attempts = attempts + 1 WHERE id = ? AND status = 'queued'",
      );
      for (const ballotId of ballotIds) {
        if (mark.run(id, ballotId).changes !== 1) throw new Error(`ballot ${ballotId} is not queued`);
      }
      return id;
    });
  }

  /**
   * Records the same transaction signed again with higher fees (same account nonce, same calldata), before it is
   * broadcast; the earlier hashes are kept, since whichever is mined settles the same ballots.
   */
  replaceSubmission(id: number, hash: string, raw: string): void {
    this.transaction(() => {
      const row = this.db.prepare("SELECT hash, previous FROM submissions WHERE id = ?").get(id) as Row;
      const previous = [...(JSON.parse(row.previous as string) as string[]), row.hash as string];
      this.db
        .prepare("UPDATE submissions SET hash = ?, raw = ?, previous = ? WHERE id = ? AND status = 'sent'")
        .run(hash, raw, JSON.stringify(previous), id);
    });
  }

  submissionHash(id: number): string | undefined {
    const row = this.db.prepare("SELECT hash FROM submissions WHERE id = ?").get(id) as Row | undefined;
    return row?.hash as string | undefined;
  }

  /** Submissions broadcast (or about to be) whose outcome is not recorded yet. */
  pendingSubmissions(): Submission[] {
    const rows = this.db.prepare("SELECT * FROM submissions WHERE status = 'sent' ORDER BY id").all() as Row[];
    return rows.map((row) => this.submissionOf(row));
  }

  submissionBallots(submission: number): StoredBallot[] {
    const rows = this.db.prepare("SELECT * FROM ballots WHERE submission = ? ORDER BY id").all(submission) as Row[];
    return rows.map((row) => this.ballotOf(row));
  }

  /** Records what became of a submission and of each of its ballots, in one transaction. */
  settle(
    submission: number,
    status: "mined" | "dropped",
    gasUsed: bigint | null,
    block: number | null,
    outcomes: Outcome[],
  ): void {
    this.transaction(() => {
      this.db
        .prepare("UPDATE submissions SET status = ?, gas_used = ?, block = ?, settled_at = ? WHERE id = ?")
        .run(status, gasUsed?.toString() ?? null, block, Date.now(), submission);
      const update = this.db.prepare(
        "UPDATE ballots SET status = ?, reason = ?, submission = CASE WHEN ? = 'queued' THEN NULL ELSE submission END WHERE id = ?",
      );
      for (const outcome of outcomes) update.run(outcome.status, outcome.reason ?? null, outcome.status, outcome.id);
    });
  }

  /** Settles queued ballots that will never be submitted (past their deadline). */
  reject(ids: number[], reason: string): void {
    this.transaction(() => {
      const update = this.db.prepare(
        "UPDATE ballots SET status = 'rejected', reason = ? WHERE id = ? AND status = 'queued'",
      );
      for (const id of ids) update.run(reason, id);
    });
  }

  counts(): Record<BallotStatus, number> {
    const counts: Record<BallotStatus, number> = { queued: 0, submitted: 0, applied: 0, rejected: 0 };
    const rows = this.db.prepare("SELECT status, COUNT(*) AS n FROM ballots GROUP BY status").all() as Row[];
    for (const row of rows) counts[row.status as BallotStatus] = Number(row.n);
    return counts;
  }

  lastSubmission(): (Submission & { block: number | null; settledAt: number | null }) | undefined {
    const row = this.db.prepare("SELECT * FROM submissions ORDER BY id DESC LIMIT 1").get() as Row | undefined;
    return (
      row && {
        ...this.submissionOf(row),
        block: row.block as number | null,
        settledAt: row.settled_at as number | null,
      }
    );
  }

  /** Gas spent since `since` (ms): used by settled submissions, the whole limit of unsettled ones. */
  gasSince(since: number): bigint {
    const rows = this.db
      .prepare("SELECT status, gas_limit, gas_used FROM submissions WHERE created_at >= ? OR status = 'sent'")
      .all(since) as Row[];
    return rows.reduce((sum, row) => sum + BigInt((row.status === "sent" ? row.gas_limit : row.gas_used) ?? 0), 0n);
  }

  private transaction<T>(body: () => T): T {
    return inTransaction(this.db, body);
  }

  private ballotOf(row: Row): StoredBallot {
    return {
      id: Number(row.id),
      ballot: ballotFromJson(row.body as string),
      claim: claimFromJson(row.claim as string | null),
      status: row.status as BallotStatus,
      submission: row.submission === null ? null : Number(row.submission),
      reason: row.reason as string | null,
      attempts: Number(row.attempts),
      acceptedAt: Number(row.accepted_at),
    };
  }

  private submissionOf(row: Row): Submission {
    const id = Number(row.id);
    const ids = this.db.prepare("SELECT id FROM ballots WHERE submission = ? ORDER BY id").all(id) as Row[];
    return {
      id,
      hash: row.hash as string,
      previous: JSON.parse((row.previous as string | undefined) ?? "[]") as string[],
      raw: row.raw as string,
      accountNonce: Number(row.account_nonce),
      gasLimit: BigInt(row.gas_limit as string),
      status: row.status as Submission["status"],
      gasUsed: row.gas_used === null ? null : BigInt(row.gas_used as string),
      createdAt: Number(row.created_at),
      ballotIds: ids.map((r) => Number(r.id)),
    };
  }
}
