/**
 * The page's only script before its load event (no React, no i18next: a few KB). A page the server rendered ahead
 * (./server.tsx) is read and browsed without the app: its links are real pages. The app (./main.tsx) is fetched on the
 * resident's first sign of use (a touch, a pointer or key press, a field focused), or once the page has loaded and is
 * idle, whichever comes first, and then takes the page over as it is (React keeps the server's elements).
 *
 * Nothing the resident does before then is lost: a click on a button (what the app handles; links are left to the
 * browser), and a form's submission, are held and replayed on the same element once the app has taken over; what
 * was typed or chosen in a field (the district page's sort box, the results' district picker) is handed to the app
 * as a change, so that it shows what the resident chose rather than what the server drew. A page the server did not
 * render ahead (voting, my votes, verify, the committee's and observers') loads the app at once.
 */
import "./styles.css";

import { EMBEDDED_ID } from "./embedded.js";
import { pageIdle } from "./idle.js";
import { registerServiceWorker } from "./offline.js";

type AppModule = typeof import("./main.js");

const container = document.getElementById("root")!;
const renderedAhead = container.firstElementChild !== null && document.getElementById(EMBEDDED_ID) !== null;

/** Elements whose click the app handles: held until it has taken the page over. Links work without it. */
const APP_CONTROLS = 'button, [role="button"], input[type="button"], input[type="submit"], input[type="checkbox"]';
const FIELDS = "input, select, textarea";

let app: Promise<AppModule> | undefined;
/** What the resident did before the app took over, in order (a field's latest value only). */
const held: { field?: Element; replay(): void }[] = [];

/** Loads the app and lets it draw or take over the page (once; again after a failure, e.g. offline). */
function startApp(): Promise<AppModule> {
  app ??= import("./main.js").then(
    async (module) => {
      await module.startApp(container);
      for (const [event, listener] of LISTENERS) window.removeEventListener(event, listener, true);
      await replay();
      return module;
    },
    (error: unknown) => {
      // The app did not come (offline before the service worker holds it): the next sign of use asks again. What
      // was held is dropped; the page stays as the server drew it.
      app = undefined;
      held.length = 0;
      throw error;
    },
  );
  return app;
}

/** Replays what was held, each in a task of its own so that the app has drawn the previous one's effect. */
async function replay(): Promise<void> {
  for (let action = held.shift(); action; action = held.shift()) {
    action.replay();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

const USE = ["pointerdown", "touchstart", "keydown", "focusin"] as const;
const onUse = (): void => void startApp().catch(() => undefined);

function holdClick(event: Event): void {
  if (!(event.target instanceof Element)) return;
  const control = event.target.closest<HTMLElement>(APP_CONTROLS);
  if (!control || !container.contains(control)) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  held.push({ replay: () => control.isConnected && control.click() });
  onUse();
}

function holdSubmit(event: Event): void {
  if (!(event.target instanceof HTMLFormElement) || !container.contains(event.target)) return;
  const form = event.target;
  event.preventDefault();
  event.stopImmediatePropagation();
  held.push({ replay: () => form.isConnected && form.requestSubmit() });
  onUse();
}

/** Keeps what the resident typed or chose in a field, to hand it to the app once it has taken the page over. */
function noteField(event: Event): void {
  if (!(event.target instanceof Element) || !event.target.matches(FIELDS)) return;
  const field = event.target as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  const value = field.value;
  if (held.at(-1)?.field === field) held.pop();
  held.push({ field, replay: () => field.isConnected && changeField(field, value) });
}

/**
 * Sets `field` to `value` the way a resident does, so that the app's change handler runs: React calls it only for a
 * value it has not seen, so the field is first set to another value through the property React watches, then to
 * `value` through the element's own setter, and then gets the event React listens to for it.
 */
function changeField(field: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string): void {
  const setValue = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(field), "value")?.set;
  field.value = value === "" ? " " : "";
  setValue?.call(field, value);
  // Not "input" on a select: React would put its own value back on it before the "change" arrives.
  if (!(field instanceof HTMLSelectElement)) field.dispatchEvent(new Event("input", { bubbles: true }));
  field.dispatchEvent(new Event("change", { bubbles: true }));
}

/** What the page listens to until the app has taken it over, each in the capture phase (before anything else). */
const LISTENERS: [string, (event: Event) => void][] = [
  ["click", holdClick],
  ["submit", holdSubmit],
  ["input", noteField],
  ["change", noteField],
  ...USE.map((event): [string, () => void] => [event, onUse]),
];

if (renderedAhead) {
  for (const [event, listener] of LISTENERS) window.addEventListener(event, listener, true);
  void pageIdle.then(onUse);
} else {
  onUse();
}

// When the service worker first takes control, the app fetches the round's snapshot once more through it, so that
// the page opens offline next time.
registerServiceWorker(() => void startApp().then((module) => module.refetchSnapshot()));
