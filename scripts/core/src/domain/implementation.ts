/**
 * What happened to a funded project after the vote; the numbers are the Solidity enum
 * `IRound.ImplementationStatus`. A status only moves forward; Completed and Cancelled are final.
 */
export enum ImplementationStatus {
  None = 0,
  Contracted = 1,
  InProgress = 2,
  Completed = 3,
  Cancelled = 4,
}

/** The statuses by the names the committee's tool takes and the exports write, in enum order. */
export const IMPLEMENTATION_STATUS_KEYS = ["none", "contracted", "in-progress", "completed", "cancelled"] as const;

/** The name of a status ("in-progress"), or its number for one this version does not know. */
export function implementationStatusKey(status: number): string {
  return IMPLEMENTATION_STATUS_KEYS[status] ?? String(status);
}

/** The status of a name, or undefined. */
export function parseImplementationStatus(key: string): ImplementationStatus | undefined {
  const index = (IMPLEMENTATION_STATUS_KEYS as readonly string[]).indexOf(key);
  return index < 0 ? undefined : (index as ImplementationStatus);
}
