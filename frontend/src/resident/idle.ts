/**
 * A terminal's inactivity watch: after `seconds` with no touch, key or wheel, it wipes the resident (`wipe`). For the
 * last part of that time (30 s, or half of it when shorter) a warning at the foot of the screen counts down, with a
 * button to stay; any touch puts the watch back to the start. Plain DOM, so that it stays across the app's pages: it
 * starts once a page load, when the page first asks whether it is a terminal (the phone step, where every terminal
 * resident starts, after each wipe's reload).
 */
import i18n from "i18next";

/** What a person at the terminal does; not `scroll`, which the page also does by itself (a resize, a new page). */
const ACTIVITY = ["pointerdown", "keydown", "input", "wheel", "touchstart"] as const;
const WARNING_SECONDS = 30;

let watching = false;

export function watchIdle(seconds: number, wipe: () => Promise<void>): void {
  if (watching || typeof document === "undefined") return;
  watching = true;
  const warnFor = Math.min(WARNING_SECONDS, seconds / 2);
  let last = Date.now();
  let warning: HTMLElement | undefined;
  let wiping = false;

  const show = (left: number) => {
    if (!warning) {
      warning = document.createElement("div");
      warning.className = "notice terminal idle-warning no-print";
      warning.setAttribute("role", "alertdialog");
      warning.setAttribute("aria-live", "assertive");
      warning.dataset.testid = "terminal-idle";
      const text = document.createElement("p");
      const stay = document.createElement("button");
      stay.type = "button";
      stay.className = "primary";
      stay.textContent = i18n.t("phone.idleStay");
      warning.append(text, stay);
      document.body.append(warning);
      stay.focus();
    }
    warning.querySelector("p")!.textContent = i18n.t("phone.idleWarning", { count: left });
  };
  const hide = () => {
    warning?.remove();
    warning = undefined;
  };
  for (const type of ACTIVITY) {
    document.addEventListener(
      type,
      () => {
        last = Date.now();
        hide();
      },
      { capture: true, passive: true },
    );
  }
  setInterval(() => {
    if (wiping) return;
    const idle = (Date.now() - last) / 1000;
    if (idle >= seconds) {
      wiping = true;
      void wipe();
    } else if (idle >= seconds - warnFor) show(Math.ceil(seconds - idle));
  }, 250);
}
