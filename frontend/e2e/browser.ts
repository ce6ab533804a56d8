/** Debian's Chromium under playwright-core, with the flags that work as root in CI. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";

import { chromium, type Browser, type Page } from "playwright-core";

import { ROOT } from "./setup.js";
import { forbiddenIn } from "./words.js";

// Git-ignored (frontend/.gitignore); CI keeps them as artifacts.
export const SCREENSHOTS = path.join(ROOT, "frontend/test-results/screenshots");

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(
      `The browser tests need Chromium at ${executablePath}: install Debian's (apt-get install chromium) or set ` +
        "CHROMIUM_PATH to another Chromium binary.",
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Saves the page at 360 px and 1280 px wide, then restores the viewport; on the way, checks that nothing is wider
 * than a 360 px phone (no horizontal scroll) and, on a residents' page (`citizen`), that its visible text holds no
 * crypto word outside the wallet's own optional screen (elements marked `data-wallet-option`).
 */
export async function screenshots(page: Page, name: string, { citizen = true } = {}): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    if (width === 360) {
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= 360, `${name}: ${scrollWidth} px wide at 360 px (horizontal scroll)`);
    }
    await scrollThrough(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
  const missing = await page.evaluate(
    () => (globalThis as { kopilkaMissingTranslations?: string[] }).kopilkaMissingTranslations ?? [],
  );
  assert.deepEqual(missing, [], `${name}: the page asked for strings no locale holds (shown as their keys)`);
  if (citizen) await expectPlainWords(page, name);
}

/**
 * Scrolls down the page a screen at a time, as a resident would, so that the pictures that load only as they near
 * the screen are in the full-page screenshot; gives them two seconds at most, then goes back to the top.
 */
async function scrollThrough(page: Page): Promise<void> {
  // No named functions inside: the page cannot see the helpers tsx adds around them.
  await page.evaluate(async () => {
    for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight) {
      window.scrollTo(0, y);
      await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    }
    await Promise.race([
      Promise.all(
        [...document.images].map((img) =>
          img.complete ? undefined : new Promise((done) => img.addEventListener("load", done, { once: true })),
        ),
      ),
      new Promise((done) => setTimeout(done, 2000)),
    ]);
    window.scrollTo(0, 0);
  });
}

/** The page's visible text, less the wallet's own optional screen, holds no crypto word (./words.ts). */
export async function expectPlainWords(page: Page, name: string): Promise<void> {
  const text = await page.evaluate(() => {
    let visible = document.body.innerText;
    for (const element of document.querySelectorAll<HTMLElement>("[data-wallet-option]")) {
      visible = visible.replace(element.innerText, " ");
    }
    return visible;
  });
  assert.deepEqual(forbiddenIn(text), [], `${name}: crypto words on a residents' page`);
}
