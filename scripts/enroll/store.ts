/**
 * The enrollment service's durable state, in the resident services' one SQLite file (`node:sqlite`, WAL). It holds
 * no phone number and no client address: a phone is known only by its enrollment (`HMAC(secret, chainId ‖ round ‖
 * phone)`), a client address only by `HMAC(secret, address)`, a code only by `HMAC(secret, enrollment ‖ code)`.
 * One phone has one allowance per round: a unique index lets an enrollment have one live account at a time; an
 * account it replaced (a lost device) is kept as `replaced`.
 *
 * A resident's life: `waiting` (a replaced account is to be revoked on-chain first) -> `queued` -> `posting` (in a
 * posting being sent) -> `posted` (its batch is on-chain, its proof file published: it can vote). `replaced` and
 * `refused` are ends. Postings and revocations are transactions recorded (signed, with their hash) before they are
 * broadcast, and finished after a crash from what is recorded, as the relayer's submitter does.
 */
import type { DatabaseSync } from "node:sqlite";

import { inTransaction, openDatabase } from "../services/database.js";

export type ResidentStatus = "waiting" | "queued" | "posting" | "posted" | "replaced" | "refused";

export interface Resident {
  account: string;
  enrollment: string;
  district: number;
  amount: bigint;
  status: ResidentStatus;
  /** The account this one replaces, revoked on-chain before this one is posted. */
  replaces: string | null;
  posting: number | null;
  batchId: number | null;
  reason: string | null;
  verifiedAt: number;
  postedAt: number | null;
}

export type TxKind = "post" | "revoke";
export type TxStatus = "prepared" | "sent" | "mined" | "reverted" | "dropped";

export interface RecordedTx {
  id: number;
  kind: TxKind;
  status: TxStatus;
  /** post: the batch id its files were written for; its root and total. */
  batchId: number | null;
  root: string | null;
  total: bigint | null;
  /** revoke: the account revoked. */
  account: string | null;
  hash: string | null;
  /** Hashes it was signed with before with lower fees (replaced while stuck): any of them may be mined. */
  previous: string[];
  raw: string | null;
  accountNonce: number | null;
  createdAt: number;
}

export interface Code {
  code: string;
  sentAt: number;
  expiresAt: number;
  attempts: number;
  lockedUntil: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS enroll_codes (
  enrollment TEXT PRIMARY KEY,
  code TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS enroll_sends (
  id INTEGER PRIMARY KEY,
  enrollment TEXT NOT NULL,
  client TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS enroll_sends_phone ON enroll_sends (enrollment, at);
CREATE INDEX IF NOT EXISTS enroll_sends_client ON enroll_sends (client, at);
CREATE INDEX IF NOT EXISTS enroll_sends_at ON enroll_sends (at);
CREATE TABLE IF NOT EXISTS enroll_residents (
  account TEXT PRIMARY KEY,
  enrollment TEXT NOT NULL,
  district INTEGER NOT NULL,
  amount TEXT NOT NULL,
  status TEXT NOT NULL,
  replaces TEXT,
  posting INTEGER,
  batch_id INTEGER,
  reason TEXT,
  verified_at INTEGER NOT NULL,
  posted_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS enroll_one_account_per_phone
  ON enroll_residents (enrollment) WHERE status NOT IN ('replaced', 'refused');
CREATE INDEX IF NOT EXISTS enroll_residents_status ON enroll_residents (status, verified_at);
CREATE INDEX IF NOT EXISTS enroll_residents_posting ON enroll_residents (posting);
CREATE TABLE IF NOT EXISTS enroll_txs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  batch_id INTEGER,
  root TEXT,
  total TEXT,
  account TEXT,
  hash TEXT,
  previous TEXT NOT NULL DEFAULT '[]',
  raw TEXT,
  account_nonce INTEGER,
  gas_used TEXT,
  created_at INTEGER NOT NULL,
  settled_at INTEGER
);
`;

type Row = Record<string, string | number | null>;

const DAY_MS = 86_400_000;

export class EnrollStore {
  readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = openDatabase(path, SCHEMA);
    const columns = this.db.prepare("PRAGMA table_info(enroll_txs)").all() as Row[];
    if (!columns.some((column) => column.name === "previous")) {
      this.db.exec("ALTER TABLE enroll_txs ADD COLUMN previous TEXT NOT NULL DEFAULT '[]'");
    }
  }

  close(): void {
    this.db.close();
  }

  // --- codes and their limits ---

  code(enrollment: string): Code | undefined {
    const row = this.db.prepare("SELECT * FROM enroll_codes WHERE enrollment = ?").get(enrollment) as Row | undefined;
    return (
      row && {
        code: row.code as string,
        sentAt: Number(row.sent_at),
        expiresAt: Number(row.expires_at),
        attempts: Number(row.attempts),
        lockedUntil: Number(row.locked_until),
      }
    );
  }

  /** SMS sent to this phone since `since`. */
  sendsToPhone(enrollment: string, since: number): number {
    const row = this.db
      .prepare("SELECT COUNT(*) AS n FROM enroll_sends WHERE enrollment = ? AND at >= ?")
      .get(enrollment, since) as Row;
    return Number(row.n);
  }

  sendsFromClient(client: string, since: number): number {
    const row = this.db
      .prepare("SELECT COUNT(*) AS n FROM enroll_sends WHERE client = ? AND at >= ?")
      .get(client, since) as Row;
    return Number(row.n);
  }

  sendsSince(since: number): number {
    return Number((this.db.prepare("SELECT COUNT(*) AS n FROM enroll_sends WHERE at >= ?").get(since) as Row).n);
  }

  /**
   * Records a code about to be sent, and the send itself (for the limits), in one transaction; forgets sends older
   * than a day, so the table stays as large as a day's sends. A lock of earlier wrong codes stays.
   */
  recordCode(enrollment: string, client: string, code: string, now: number, expiresAt: number): void {
    this.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO enroll_codes (enrollment, code, sent_at, expires_at, attempts, locked_until) VALUES (?, ?, ?, ?, 0, 0)
           ON CONFLICT (enrollment) DO UPDATE SET code = excluded.code, sent_at = excluded.sent_at,
             expires_at = excluded.expires_at, attempts = 0`,
        )
        .run(enrollment, code, now, expiresAt);
      this.db
        .prepare("INSERT INTO enroll_sends (enrollment, client, at) VALUES (?, ?, ?)")
        .run(enrollment, client, now);
      this.db.prepare("DELETE FROM enroll_sends WHERE at < ?").run(now - DAY_MS);
    });
  }

  /** Forgets a code the gateway could not send (its send still counts against the limits). */
  dropCode(enrollment: string, code: string): void {
    this.db.prepare("DELETE FROM enroll_codes WHERE enrollment = ? AND code = ?").run(enrollment, code);
  }

  /** Counts a wrong code; locks the phone until `lockUntil` when it was the last attempt. */
  wrongCode(enrollment: string, maxAttempts: number, lockUntil: number): number {
    const row = this.db
      .prepare(
        `UPDATE enroll_codes SET attempts = attempts + 1,
           locked_until = CASE WHEN attempts + 1 >= ? THEN ? ELSE locked_until END
         WHERE enrollment = ? RETURNING attempts`,
      )
      .get(maxAttempts, lockUntil, enrollment) as Row | undefined;
    return Number(row?.attempts ?? maxAttempts);
  }

  // --- residents ---

  resident(account: string): Resident | undefined {
    const row = this.db.prepare("SELECT * FROM enroll_residents WHERE account = ?").get(account.toLowerCase()) as
      Row | undefined;
    return row && residentOf(row);
  }

  /** The live account of an enrollment (not replaced or refused), if any. */
  liveResident(enrollment: string): Resident | undefined {
    const row = this.db
      .prepare("SELECT * FROM enroll_residents WHERE enrollment = ? AND status NOT IN ('replaced', 'refused')")
      .get(enrollment) as Row | undefined;
    return row && residentOf(row);
  }

  /** Residents not posted yet, that will take an allowance when they are. */
  unpostedCount(postedBatches: number): number {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM enroll_residents WHERE status IN ('waiting', 'queued')
           OR (status = 'posting' AND NOT EXISTS
                 (SELECT 1 FROM enroll_txs t WHERE t.id = posting AND t.batch_id IS NOT NULL AND t.batch_id < ?))`,
      )
      .get(postedBatches) as Row;
    return Number(row.n);
  }

  /**
   * Enrolls `account` for `enrollment` after its code checked out, in one transaction with using up the code: a new
   * resident is queued; one whose earlier account is live is re-enrolled, the earlier account `replaced` (and, when
   * it was posted or is being posted, to be revoked on-chain before this one is posted: `waiting`).
   */
  enroll(resident: { account: string; enrollment: string; district: number; amount: bigint }, now: number): Resident {
    return this.transaction(() => {
      this.db.prepare("DELETE FROM enroll_codes WHERE enrollment = ?").run(resident.enrollment);
      const account = resident.account.toLowerCase();
      const earlier = this.liveResident(resident.enrollment);
      let status: ResidentStatus = "queued";
      let replaces: string | null = null;
      if (earlier) {
        this.db
          .prepare("UPDATE enroll_residents SET status = 'replaced', reason = 'enrolled again' WHERE account = ?")
          .run(earlier.account);
        if (earlier.status === "posting" || earlier.status === "posted") {
          status = "waiting";
          replaces = earlier.account;
        } else if (earlier.status === "waiting") {
          // The account before the earlier one still has to be revoked first.
          status = "waiting";
          replaces = earlier.replaces;
        }
      }
      this.db
        .prepare(
          `INSERT INTO enroll_residents (account, enrollment, district, amount, status, replaces, verified_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(account, resident.enrollment, resident.district, resident.amount.toString(), status, replaces, now);
      return this.resident(account)!;
    });
  }

  /** Residents waiting for an account they replace to be revoked. */
  waiting(): Resident[] {
    const rows = this.db
      .prepare("SELECT * FROM enroll_residents WHERE status = 'waiting' ORDER BY verified_at")
      .all() as Row[];
    return rows.map(residentOf);
  }

  /** The revocation of `account` is on-chain: the residents waiting for it are queued. */
  revoked(account: string): void {
    this.db
      .prepare(
        "UPDATE enroll_residents SET status = 'queued', replaces = NULL WHERE status = 'waiting' AND replaces = ?",
      )
      .run(account);
  }

  /**
   * The revocation of `account` failed because its resident claimed (voted) with it first: the resident waiting for
   * it is refused and the account is live again, in one transaction.
   */
  revocationRefused(account: string, reason: string): void {
    this.transaction(() => {
      this.db
        .prepare("UPDATE enroll_residents SET status = 'refused', reason = ? WHERE status = 'waiting' AND replaces = ?")
        .run(reason, account);
      this.db
        .prepare(
          "UPDATE enroll_residents SET status = 'posted', reason = NULL WHERE account = ? AND status = 'replaced'",
        )
        .run(account);
    });
  }

  queued(limit: number): Resident[] {
    const rows = this.db
      .prepare("SELECT * FROM enroll_residents WHERE status = 'queued' ORDER BY verified_at, account LIMIT ?")
      .all(limit) as Row[];
    return rows.map(residentOf);
  }

  oldestQueued(): number | undefined {
    const row = this.db
      .prepare("SELECT MIN(verified_at) AS at FROM enroll_residents WHERE status = 'queued'")
      .get() as Row;
    return row.at === null ? undefined : Number(row.at);
  }

  postingResidents(posting: number): Resident[] {
    const rows = this.db
      .prepare("SELECT * FROM enroll_residents WHERE posting = ? ORDER BY account")
      .all(posting) as Row[];
    return rows.map(residentOf);
  }

  /** Residents of batch `batchId`, live or replaced since, as the batch was posted. */
  batchResidents(batchId: number): Resident[] {
    const rows = this.db
      .prepare("SELECT * FROM enroll_residents WHERE batch_id = ? ORDER BY account")
      .all(batchId) as Row[];
    return rows.map(residentOf);
  }

  counts(): Record<ResidentStatus, number> {
    const counts: Record<ResidentStatus, number> = {
      waiting: 0,
      queued: 0,
      posting: 0,
      posted: 0,
      replaced: 0,
      refused: 0,
    };
    const rows = this.db.prepare("SELECT status, COUNT(*) AS n FROM enroll_residents GROUP BY status").all() as Row[];
    for (const row of rows) counts[row.status as ResidentStatus] = Number(row.n);
    return counts;
  }

  // --- transactions (postings and revocations) ---

  /** Records a posting of `accounts` as batch `batchId` and marks them `posting`, in one transaction. */
  preparePosting(batchId: number, root: string, total: bigint, accounts: string[], now: number): number {
    return this.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            "INSERT INTO enroll_txs (kind, status, batch_id, root, total, created_at) VALUES ('post', 'prepared', ?, ?, ?, ?)",
          )
          .run(batchId, root, total.toString(), now).lastInsertRowid,
      );
      const mark = this.db.prepare(
        "UPDATE enroll_residents SET status = 'posting', posting = ? WHERE account = ? AND status = 'queued'",
      );
      for (const account of accounts) {
        if (mark.run(id, account).changes !== 1) throw new Error(`resident ${account} is not queued`);
      }
      return id;
    });
  }

  prepareRevocation(account: string, now: number): number {
    return Number(
      this.db
        .prepare("INSERT INTO enroll_txs (kind, status, account, created_at) VALUES ('revoke', 'prepared', ?, ?)")
        .run(account, now).lastInsertRowid,
    );
  }

  /** A posting prepared again for another batch id (another batch went on-chain first). */
  renumber(id: number, batchId: number): void {
    this.db.prepare("UPDATE enroll_txs SET batch_id = ? WHERE id = ? AND status = 'prepared'").run(batchId, id);
  }

  /** Records the signed transaction before it is broadcast. */
  recordSigned(id: number, hash: string, raw: string, accountNonce: number): void {
    this.db
      .prepare("UPDATE enroll_txs SET status = 'sent', hash = ?, raw = ?, account_nonce = ? WHERE id = ?")
      .run(hash, raw, accountNonce, id);
  }

  /** The transaction signed again with higher fees (stuck below the market's), before it is broadcast. */
  replaceTx(id: number, hash: string, raw: string): void {
    this.transaction(() => {
      const row = this.db.prepare("SELECT hash, previous FROM enroll_txs WHERE id = ?").get(id) as Row;
      const previous = [...(JSON.parse(row.previous as string) as string[]), row.hash as string];
      this.db
        .prepare("UPDATE enroll_txs SET hash = ?, raw = ?, previous = ? WHERE id = ? AND status = 'sent'")
        .run(hash, raw, JSON.stringify(previous), id);
    });
  }

  /** Transactions not finished: prepared (maybe signed, never broadcast) or sent. */
  unfinished(): RecordedTx[] {
    const rows = this.db
      .prepare("SELECT * FROM enroll_txs WHERE status IN ('prepared', 'sent') ORDER BY id")
      .all() as Row[];
    return rows.map(txOf);
  }

  /** Whether a revocation of `account` is recorded and not finished. */
  revocationUnderway(account: string): boolean {
    return (
      this.db
        .prepare("SELECT 1 FROM enroll_txs WHERE kind = 'revoke' AND account = ? AND status IN ('prepared', 'sent')")
        .get(account) !== undefined
    );
  }

  /** A posting is on-chain: its residents are posted (and those replaced meanwhile keep their batch), together. */
  posted(id: number, batchId: number, gasUsed: bigint, now: number): void {
    this.transaction(() => {
      this.settleTx(id, "mined", gasUsed, now);
      this.db
        .prepare("UPDATE enroll_residents SET batch_id = ?, posted_at = ? WHERE posting = ?")
        .run(batchId, now, id);
      this.db.prepare("UPDATE enroll_residents SET status = 'posted' WHERE posting = ? AND status = 'posting'").run(id);
    });
  }

  /** A posting that never went on-chain (dropped or reverted): its residents are queued again. */
  notPosted(id: number, status: "dropped" | "reverted", now: number): void {
    this.transaction(() => {
      this.settleTx(id, status, null, now);
      this.db
        .prepare(
          "UPDATE enroll_residents SET status = 'queued', posting = NULL WHERE posting = ? AND status = 'posting'",
        )
        .run(id);
      // Replaced while being posted, and now never posted: nothing to revoke on-chain.
      const replaced = this.db
        .prepare("SELECT account FROM enroll_residents WHERE posting = ? AND status = 'replaced'")
        .all(id) as Row[];
      for (const { account } of replaced) this.revoked(account as string);
      this.db.prepare("UPDATE enroll_residents SET posting = NULL WHERE posting = ?").run(id);
    });
  }

  settleTx(id: number, status: TxStatus, gasUsed: bigint | null, now: number): void {
    this.db
      .prepare("UPDATE enroll_txs SET status = ?, gas_used = ?, settled_at = ? WHERE id = ?")
      .run(status, gasUsed?.toString() ?? null, now, id);
  }

  /** Gas used by every mined posting, and how many there were. */
  postingGas(): { postings: number; gas: bigint } {
    const rows = this.db
      .prepare("SELECT gas_used FROM enroll_txs WHERE kind = 'post' AND status = 'mined'")
      .all() as Row[];
    return { postings: rows.length, gas: rows.reduce((sum, row) => sum + BigInt(row.gas_used ?? 0), 0n) };
  }

  private transaction<T>(body: () => T): T {
    return inTransaction(this.db, body);
  }
}

function residentOf(row: Row): Resident {
  return {
    account: row.account as string,
    enrollment: row.enrollment as string,
    district: Number(row.district),
    amount: BigInt(row.amount as string),
    status: row.status as ResidentStatus,
    replaces: row.replaces as string | null,
    posting: row.posting === null ? null : Number(row.posting),
    batchId: row.batch_id === null ? null : Number(row.batch_id),
    reason: row.reason as string | null,
    verifiedAt: Number(row.verified_at),
    postedAt: row.posted_at === null ? null : Number(row.posted_at),
  };
}

function txOf(row: Row): RecordedTx {
  return {
    id: Number(row.id),
    kind: row.kind as TxKind,
    status: row.status as TxStatus,
    batchId: row.batch_id === null ? null : Number(row.batch_id),
    root: row.root as string | null,
    total: row.total === null ? null : BigInt(row.total as string),
    account: row.account as string | null,
    hash: row.hash as string | null,
    previous: JSON.parse((row.previous as string | undefined) ?? "[]") as string[],
    raw: row.raw as string | null,
    accountNonce: row.account_nonce === null ? null : Number(row.account_nonce),
    createdAt: Number(row.created_at),
  };
}
