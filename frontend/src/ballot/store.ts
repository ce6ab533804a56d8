/**
 * The resident's ballot while it is being filled in, one per district: whether it is open, and the amount typed for
 * each project on it (the projects on the ballot are its keys). It lives outside the components, in this tab's
 * session storage, so that it survives the voting code arriving, a reload, and a trip to the review page; the read-
 * only pages edit it without any of the voting code, so the first click on "vote" is never lost.
 */
import { useSyncExternalStore } from "react";

export interface BallotDraft {
  open: boolean;
  /** Amount text by project id, as typed ("" for none yet); insertion order is the order of adding. */
  amounts: Record<number, string>;
  /** The voter whose holdings were last merged in (./`merge`), so that they are merged once, not after each visit. */
  mergedFor?: string;
}

const EMPTY: BallotDraft = { open: false, amounts: {} };
const listeners = new Set<() => void>();
const cache = new Map<string, BallotDraft>();

const keyOf = (round: string, district: number): string => `kopilka.ballot.${round.toLowerCase()}.${district}`;

function load(key: string): BallotDraft {
  let draft = cache.get(key);
  if (draft === undefined) {
    try {
      draft = { ...EMPTY, ...(JSON.parse(sessionStorage.getItem(key) ?? "null") ?? {}) } as BallotDraft;
    } catch {
      draft = EMPTY;
    }
    cache.set(key, draft);
  }
  return draft;
}

function save(key: string, draft: BallotDraft): void {
  cache.set(key, draft);
  try {
    sessionStorage.setItem(key, JSON.stringify(draft));
  } catch {
    // Private browsing without storage: the ballot lives as long as the page.
  }
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface BallotActions {
  open(): void;
  close(): void;
  add(projectId: number, amount?: string): void;
  remove(projectId: number): void;
  setAmount(projectId: number, text: string): void;
  /** Sets several amounts at once (a preset). */
  setAmounts(amounts: Record<number, string>): void;
  /** Adds the projects of `amounts` that are not on the ballot yet, with these amounts (what `voter` holds). */
  merge(voter: string, amounts: Record<number, string>): void;
  /** After a vote: the ballot closes and holds what the voter now has. */
  reset(voter: string, amounts: Record<number, string>): void;
}

export function ballotActions(round: string, district: number): BallotActions {
  const key = keyOf(round, district);
  const update = (change: (draft: BallotDraft) => BallotDraft) => save(key, change(load(key)));
  return {
    open: () => update((d) => ({ ...d, open: true })),
    close: () => update((d) => ({ ...d, open: false })),
    add: (id, amount = "") => update((d) => ({ ...d, amounts: { ...d.amounts, [id]: d.amounts[id] ?? amount } })),
    remove: (id) =>
      update((d) => {
        const amounts = { ...d.amounts };
        delete amounts[id];
        return { ...d, amounts };
      }),
    setAmount: (id, text) => update((d) => ({ ...d, amounts: { ...d.amounts, [id]: text } })),
    setAmounts: (amounts) => update((d) => ({ ...d, amounts: { ...d.amounts, ...amounts } })),
    merge: (voter, amounts) => update((d) => ({ ...d, amounts: { ...amounts, ...d.amounts }, mergedFor: voter })),
    reset: (voter, amounts) => update(() => ({ open: false, amounts, mergedFor: voter })),
  };
}

/** The district's ballot draft, re-rendering on every change from any component. */
export function useBallotDraft(round: string, district: number): BallotDraft {
  const key = keyOf(round, district);
  return useSyncExternalStore(
    subscribe,
    () => load(key),
    () => EMPTY,
  );
}
