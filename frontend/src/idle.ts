/**
 * Resolves once the page has loaded and the browser is idle (or after `IDLE_TIMEOUT_MS` at the latest): work a
 * read-only page can do without (the live figures' chain code, the service worker, the other pages' code) starts
 * here, so that it never competes with the first paint and with the app taking the page over. Never resolves on the
 * server.
 */
export const IDLE_TIMEOUT_MS = 2_000;

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

/** Ends the current task and continues in a new one, so that the browser can handle a tap or paint in between. */
export const yieldToMain = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
