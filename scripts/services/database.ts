/**
 * The resident services' SQLite files (`node:sqlite`): how one is opened and how a write is made atomic. The relayer
 * and the enrollment service keep their tables in the same file when they run as one process.
 */
import { DatabaseSync } from "node:sqlite";

/** Opens (or creates) a database file and applies a schema of `CREATE ... IF NOT EXISTS` statements. */
export function openDatabase(path: string, schema: string): DatabaseSync {
  const db = new DatabaseSync(path);
  // WAL with synchronous=NORMAL survives the process being killed at any point (the OS keeps what was written);
  // FULL would also survive a power cut, at an fsync per write.
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  db.exec(schema);
  return db;
}

/** Runs `body` as one write transaction: all of it is stored, or none of it. */
export function inTransaction<T>(db: DatabaseSync, body: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = body();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
