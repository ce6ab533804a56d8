/**
 * Fault injection for the crash tests: KOPILKA_RELAYER_FAULT names one point where the process kills itself with
 * SIGKILL, as kill -9 would, the first time it gets there. The tests restart it without the variable.
 */

export type FaultPoint =
  /** A ballot is stored; its answer is not sent yet (server.ts). */
  | "before-answer"
  /** The answer to a ballot has just been handed to the socket (server.ts). */
  | "after-answer"
  /** A batch's signed transaction is recorded; it is not broadcast yet (submitter.ts). */
  | "after-record"
  /** The transaction is broadcast; its receipt is not read yet (submitter.ts). */
  | "after-broadcast";

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
