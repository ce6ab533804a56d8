/**
 * Fault injection for the crash tests: KOPILKA_RELAYER_FAULT names one point where the process kills itself with
 * SIGKILL, as kill -9 would, the first time it gets there. The tests restart it without the variable. The resident
 * services (relayer and enrollment service in one process) share it.
 */

export type FaultPoint =
  /** A ballot is stored; its answer is not sent yet (server.ts). */
  | "before-answer"
  /** The answer to a ballot has just been handed to the socket (server.ts). */
  | "after-answer"
  /** A batch's signed transaction is recorded; it is not broadcast yet (submitter.ts). */
  | "after-record"
  /** The transaction is broadcast; its receipt is not read yet (submitter.ts). */
  | "after-broadcast"
  /** A verified resident is stored; the answer is not sent yet (enroll/routes.ts). */
  | "enroll-before-answer"
  /** The answer to a verified resident has just been handed to the socket (enroll/routes.ts). */
  | "enroll-after-answer"
  /** A posting's files are written and its signed transaction recorded; it is not broadcast yet (enroll/poster.ts). */
  | "posting-after-record"
  /** A posting's transaction is broadcast; its receipt is not read yet (enroll/poster.ts). */
  | "posting-after-broadcast"
  /** A contest job's signed transaction is recorded; it is not broadcast yet (services/contest/relay.ts). */
  | "contest-after-record"
  /** A contest job's transaction is broadcast; its receipt is not read yet (services/contest/relay.ts). */
  | "contest-after-broadcast";

/** Whether this run is to crash at `point`. */
export function faultAt(point: FaultPoint): boolean {
  return process.env.KOPILKA_RELAYER_FAULT === point;
}

/** Kills the process with SIGKILL if this run is to crash at `point`. */
export function crashIf(point: FaultPoint): void {
  if (!faultAt(point)) return;
  process.env.KOPILKA_RELAYER_FAULT = "";
  process.kill(process.pid, "SIGKILL");
}
