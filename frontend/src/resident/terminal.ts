/**
 * Terminal mode (`?terminal=1`), for an officer's computer at a public office: each resident verifies by phone,
 * votes and prints the receipt, then `wipeResident` removes the key and every trace of them before the next one. A
 * resident who walks away is wiped too: after `?idle=<seconds>` (default 180) with nobody touching the terminal, with
 * a warning and a button to stay for the last part of that time (./idle.ts). The mode and its idle time are
 * remembered for the tab (session storage), so that they survive the steps' navigation.
 */
import { watchIdle } from "./idle.js";
import { wipeAllKeys } from "./keyStore.js";

const TERMINAL_KEY = "kopilka.terminal";
/** Seconds without a touch before a terminal wipes its resident, unless `?idle=` says otherwise. */
export const DEFAULT_IDLE_SECONDS = 180;

/**
 * Whether this tab is a public office's terminal; `?terminal=1` turns it on (with `?idle=<seconds>`, its inactivity
 * timeout), `?terminal=0` off. In terminal mode it starts watching for inactivity, once a page load.
 */
export function isTerminal(): boolean {
  if (typeof window === "undefined") return false;
  const search = new URLSearchParams(location.search);
  const asked = search.get("terminal");
  const idle = Number(search.get("idle"));
  let seconds: number | undefined;
  try {
    if (asked === "1") {
      const kept = Number(sessionStorage.getItem(TERMINAL_KEY));
      sessionStorage.setItem(TERMINAL_KEY, String(idle > 0 ? idle : kept > 0 ? kept : DEFAULT_IDLE_SECONDS));
    }
    if (asked === "0") sessionStorage.removeItem(TERMINAL_KEY);
    const kept = sessionStorage.getItem(TERMINAL_KEY);
    if (kept !== null) seconds = Number(kept) > 0 ? Number(kept) : DEFAULT_IDLE_SECONDS;
  } catch {
    if (asked === "1") seconds = idle > 0 ? idle : DEFAULT_IDLE_SECONDS;
  }
  if (seconds === undefined) return false;
  watchIdle(seconds, wipeResident);
  return true;
}

/**
 * Removes every trace of the resident from this browser: the key database, the ballot drafts and anything else in
 * this site's storage, then reloads the phone step afresh (which drops what the page held in memory). The terminal
 * mode and its idle time stay.
 */
export async function wipeResident(): Promise<void> {
  let mode: string | null = null;
  try {
    mode = sessionStorage.getItem(TERMINAL_KEY);
  } catch {
    // Storage unavailable: the address below keeps the mode.
  }
  await wipeAllKeys();
  try {
    localStorage.clear();
    sessionStorage.clear();
    sessionStorage.setItem(TERMINAL_KEY, mode ?? String(DEFAULT_IDLE_SECONDS));
  } catch {
    // Storage unavailable: nothing was kept there either.
  }
  location.replace("/phone?terminal=1");
}
