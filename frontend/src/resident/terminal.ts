/**
 * Terminal mode (`?terminal=1`), for an officer's computer at a public office: each resident verifies by phone,
 * votes and prints the receipt, then `wipeResident` removes the key and every trace of them before the next one.
 * The mode itself is remembered for the tab (session storage), so that it survives the steps' navigation.
 */
import { wipeAllKeys } from "./keyStore.js";

const TERMINAL_KEY = "kopilka.terminal";

/** Whether this tab is a public office's terminal; `?terminal=1` turns it on, `?terminal=0` off. */
export function isTerminal(): boolean {
  if (typeof window === "undefined") return false;
  const asked = new URLSearchParams(location.search).get("terminal");
  try {
    if (asked === "1") sessionStorage.setItem(TERMINAL_KEY, "1");
    if (asked === "0") sessionStorage.removeItem(TERMINAL_KEY);
    return sessionStorage.getItem(TERMINAL_KEY) === "1";
  } catch {
    return asked === "1";
  }
}

/**
 * Removes every trace of the resident from this browser: the key database, the ballot drafts and anything else in
 * this site's storage, then reloads the phone step afresh (which drops what the page held in memory).
 */
export async function wipeResident(): Promise<void> {
  await wipeAllKeys();
  try {
    localStorage.clear();
    sessionStorage.clear();
    sessionStorage.setItem(TERMINAL_KEY, "1");
  } catch {
    // Storage unavailable: nothing was kept there either.
  }
  location.replace("/phone?terminal=1");
}
