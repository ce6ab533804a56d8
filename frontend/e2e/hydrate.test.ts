/**
 * A page the server rendered ahead is read without the app: before its load event it asks only for the small boot
 * script (frontend/src/boot.ts), and the app comes after, on the resident's first sign of use or once the page is
 * idle. What the resident does before the app has taken the page over is not lost: a click on "vote" is replayed, a
 * choice in the sort box or the results' district picker and a search typed are kept. The app's chunk is held back
 * here (a route that answers it only when told) so that each action surely comes before it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Browser, BrowserContext, Page } from "playwright-core";

import { launchChromium, screenshots } from "./browser.js";
import { card, expectAccessible } from "./pages.js";
import { serveSite, type StaticSite } from "./server.js";
import { setupRound, startNode, type TestRound } from "./setup.js";

/** The app's own chunk (frontend/src/main.tsx), and React's: what a page rendered ahead must not ask for before load. */
const APP_CHUNK = /\/assets\/main-[\w-]+\.js$/;
const REACT_CHUNK = /\/assets\/react-[\w-]+\.js$/;

let round: TestRound;
let site: StaticSite;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  const node = await startNode();
  round = await setupRound(node);
  site = await serveSite(round.siteDir, node.url);
  browser = await launchChromium();
});

after(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
  await site?.close();
  round?.node.stop();
});

/** A phone-sized page with no service worker (so that every request goes through the routes set here). */
async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 360, height: 760 },
    locale: "ru-RU",
    timezoneId: "Europe/Volgograd",
    serviceWorkers: "block",
  });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  // A page taken over with what the resident changed must not make React report a mismatch.
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (e) => void errors.push(e.message));
  return { page, errors };
}

/** Holds the app's chunk back until `release` is called: until then the app surely has not taken the page over. */
async function holdApp(page: Page): Promise<{ requested: Promise<void>; release(): void }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let requested!: () => void;
  const asked = new Promise<void>((resolve) => (requested = resolve));
  await page.route(APP_CHUNK, async (route) => {
    requested();
    await released;
    await route.continue();
  });
  return { requested: asked, release };
}

const hydrated = (page: Page): Promise<boolean> =>
  page.evaluate(() => document.documentElement.hasAttribute("data-hydrated"));
const waitHydrated = (page: Page) => page.waitForFunction(() => document.documentElement.hasAttribute("data-hydrated"));
const titles = (page: Page): Promise<string[]> => page.locator(".projects .project h3").allTextContents();

describe("A page rendered ahead, before the app has taken it over", () => {
  it("asks for no app code before its load event, and takes the app once it is idle", async () => {
    const { page, errors } = await newPage();
    const beforeLoad: string[] = [];
    const afterLoad: string[] = [];
    let loaded = false;
    page.once("load", () => (loaded = true));
    page.on("request", (r) => void (r.resourceType() === "script" && (loaded ? afterLoad : beforeLoad).push(r.url())));
    await page.goto(site.url + "/district/0", { waitUntil: "load" });
    assert.ok(beforeLoad.length > 0, "the boot script is asked for before the load event");
    assert.deepEqual(
      beforeLoad.filter((url) => APP_CHUNK.test(url) || REACT_CHUNK.test(url)),
      [],
      "neither the app nor React before the load event",
    );
    // The page reads as the server drew it meanwhile.
    await page.getByRole("heading", { name: "Освещение улицы Мира" }).waitFor();
    await waitHydrated(page);
    assert.ok(
      afterLoad.some((url) => APP_CHUNK.test(url)),
      "the app came after the load event, untouched",
    );
    assert.deepEqual(errors, []);
  });

  it('replays a click on "vote" made before the app arrived: the ballot opens', async () => {
    const { page, errors } = await newPage();
    const app = await holdApp(page);
    await page.goto(site.url + "/district/0");
    await card(page, round.projectIds[0][0]).waitFor();
    await page.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await app.requested;
    assert.equal(await hydrated(page), false, "the click came before the app");
    assert.equal(await page.getByTestId("ballot-bar").count(), 0, "nothing happens before the app is there");
    app.release();
    await page.getByTestId("ballot-bar").waitFor();
    await card(page, round.projectIds[0][1]).getByRole("button", { name: "Добавить в бюллетень" }).click();
    await page.getByTestId("ballot-bar").getByText("1 проект в бюллетене").waitFor();
    assert.deepEqual(errors, []);
  });

  it("keeps the order chosen and the search typed before the app arrived", async () => {
    const { page, errors } = await newPage();
    const app = await holdApp(page);
    await page.goto(site.url + "/district/0");
    await page.getByLabel("Порядок").selectOption("costAsc");
    await app.requested;
    assert.equal(await hydrated(page), false, "the choice came before the app");
    app.release();
    await waitHydrated(page);
    await page.waitForFunction(
      () => document.querySelector(".projects .project h3")?.textContent === "Новые книги для сельской библиотеки",
    );
    assert.equal(await page.getByLabel("Порядок").inputValue(), "costAsc", "the sort box still says what was chosen");
    assert.equal((await titles(page)).length, 4);
    await screenshots(page, "district-sorted-before-app");
    await expectAccessible(page);

    const { page: other } = await newPage();
    const held = await holdApp(other);
    await other.goto(site.url + "/district/0");
    await other.getByLabel("Поиск по проектам").fill("фонар");
    await held.requested;
    assert.equal(await hydrated(other), false, "the search came before the app");
    held.release();
    await waitHydrated(other);
    await other.waitForFunction(() => document.querySelectorAll(".projects .project").length === 1);
    assert.deepEqual(await titles(other), ["Освещение улицы Мира"]);
    assert.equal(await other.getByLabel("Поиск по проектам").inputValue(), "фонар");
    assert.deepEqual(errors, []);
  });

  it("keeps the district chosen in the results' picker before the app arrived, and opens it", async () => {
    const { page, errors } = await newPage();
    const app = await holdApp(page);
    await page.goto(site.url + "/results");
    await page.getByLabel("Район", { exact: true }).selectOption({ label: "Калачёвский район" });
    await app.requested;
    assert.equal(await hydrated(page), false, "the choice came before the app");
    app.release();
    await waitHydrated(page);
    const open = page.locator("form.picker").getByRole("button");
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>("form.picker button")!.disabled);
    await open.click();
    await page.waitForURL(/\/results\/1$/);
    await page.locator('.district-result[data-district="1"] .ranking li').first().waitFor();
    assert.deepEqual(errors, []);
  });
});
