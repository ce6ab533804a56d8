/**
 * Resolves once the page has loaded and the browser is idle (or `IDLE_TIMEOUT_MS` after the load at the latest): work
 * a page rendered ahead can do without (the app itself, ./boot.ts; the live figures' chain code; the service worker)
 * starts here, so that it never competes with the first paint. The wait is short: the app should take the page over,
 * and the live figures change it, soon after it shows. Never resolves on the server.
 */
export const IDLE_TIMEOUT_MS = 300;

export const pageIdle: Promise<void> =
  typeof window === "undefined"
    ? new Promise<void>(() => undefined)
    : new Promise<void>((resolve) => {
        const idle = (): void => {
          if ("requestIdleCallback" in window) requestIdleCallback(() => resolve(), { timeout: IDLE_TIMEOUT_MS });
          else setTimeout(resolve, 200);
        };
        if (document.readyState === "complete") idle();
        else window.addEventListener("load", idle, { once: true });
      });

let takenOver: () => void = () => undefined;

/**
 * Resolves once the app has drawn the page, or taken over the one the server drew (./main.tsx calls `markTakenOver`).
 * The live figures wait for it as well as for `pageIdle`: a page the server drew is taken over from the figures it was
 * drawn with, not from newer ones that arrived meanwhile (React would find them differ from the HTML and draw the
 * page anew, dropping the elements a resident's held click is replayed on).
 */
export const pageTakenOver: Promise<void> = new Promise<void>((resolve) => (takenOver = resolve));

export function markTakenOver(): void {
  takenOver();
}

/** Ends the current task and continues in a new one, so that the browser can handle a tap or paint in between. */
export const yieldToMain = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
