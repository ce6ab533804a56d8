/**
 * Voting with only a phone number, in Debian's Chromium on a 360 px phone with an empty profile each time, against
 * the real resident services (enrollment with the console SMS gateway, and the relayer: ./servicesSetup.ts) on a
 * round that binds residents to a district: the number, the code read from the page's demo SMS inbox, the district,
 * a short wait while the resident's list entry is published, the ballot signed with the browser's own key and sent
 * through the relayer, the receipt; a change of vote; wrong codes until the phone is locked; a lost device (a second
 * profile enrolls the same phone before the first voted, and the first can no longer vote; after voting, a third is
 * told the vote stands); the public office's terminal, which wipes the resident after the receipt and after a warned
 * inactivity; and enrollment refused once the budget has no room. Every screen is checked for crypto words and
 * horizontal scroll, and saved at 360 and 1280 px.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { Wallet } from "ethers";
import type { Browser, Page } from "playwright-core";

import { KOPECKS_PER_RUBLE } from "@kopilka/core/money";
import { publishBatch } from "@kopilka/core/node";
import { ANY_DISTRICT, buildParticipantTree, treeTotal } from "@kopilka/core/participants";
import { roundDirectory } from "@kopilka/core/publication";
import { launchChromium, screenshots } from "./browser.js";
import { expectAccessible, openPage, setAmount } from "./pages.js";
import { serveSite, type StaticSite } from "./server.js";
import { startTestServices, type TestServices } from "./servicesSetup.js";
import { setupRound, startNode, type TestRound } from "./setup.js";

const rub = (rubles: number): bigint => BigInt(rubles) * KOPECKS_PER_RUBLE;
const MAX_ATTEMPTS = 3;

let round: TestRound;
let services: TestServices;
let site: StaticSite;
let browser: Browser;

before(async () => {
  const node = await startNode();
  round = await setupRound(node, { residentsBound: true });
  services = await startTestServices(round, ["--attempts", String(MAX_ATTEMPTS)]);
  site = await serveSite(round.siteDir, node.url);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await services?.stop();
  round?.node.stop();
});

/** What the browser refused under the page's Content-Security-Policy, on any page of these tests. */
const violations: string[] = [];

/** A new, empty browser profile on a 360 px phone. */
async function phonePage(): Promise<Page> {
  const page = await openPage(browser, { rpcUrl: round.config.rpcUrl, chainId: round.config.chainId, width: 360 });
  page.on("console", (m) => void (/Content Security Policy/i.test(m.text()) && violations.push(m.text())));
  return page;
}

/** From a district's page: "vote", then "sign in" in the ballot's bar, then the phone option of the dialog. */
async function startFromDistrict(page: Page, district: number): Promise<void> {
  await page.goto(`${site.url}/district/${district}`);
  await page.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
  await page.getByTestId("sign-in").click();
  await page.getByTestId("sign-in-phone").click();
  await page.getByRole("heading", { name: "Вход по номеру телефона" }).waitFor();
}

async function askForCode(page: Page, phone: string): Promise<void> {
  await page.getByLabel("Номер мобильного телефона").fill(phone);
  await page.getByRole("button", { name: "Получить код" }).click();
  await page.getByRole("heading", { name: "Введите код из СМС" }).waitFor();
}

async function typeCode(page: Page, code: string): Promise<void> {
  await page.getByLabel(/Код из СМС/).fill(code);
  await page.getByRole("button", { name: "Подтвердить" }).click();
}

/** The number, the code (from the service's demo inbox), the district; then back on the district's ballot. */
async function enroll(page: Page, phone: string, district: number, districtName: string): Promise<void> {
  await askForCode(page, phone);
  const code = await services.codeFor(phone);
  assert.ok(code, `a code was sent to ${phone}`);
  await typeCode(page, code);
  await page.getByRole("heading", { name: "Выберите свой район" }).waitFor();
  await page.getByLabel(districtName).check();
  await page.getByRole("button", { name: "Продолжить" }).click();
  await page.waitForURL(`${site.url}/district/${district}`);
}

/** Confirms the ballot on the review page and waits for the receipt; returns the resident's account from it. */
async function confirmAndReceipt(page: Page): Promise<string> {
  await page.getByTestId("review").click();
  await page.getByTestId("review-page").waitFor();
  await page.getByRole("button", { name: "Подтвердить голос" }).click();
  const receipt = page.locator('[data-tx="confirmed"]');
  await receipt.waitFor({ timeout: 60_000 });
  // Sent by the relayer: the page signed with its own key and paid nothing.
  await receipt.locator('[data-path="relayer"]').waitFor();
  const href = await receipt.getByRole("link", { name: "Проверить этот голос" }).getAttribute("href");
  const account = new URL(href!, site.url).searchParams.get("q");
  assert.match(account ?? "", /^0x[0-9a-fA-F]{40}$/);
  return account!;
}

/** What this browser keeps of a resident: keys in the key database, local and session storage. */
async function residentTraces(page: Page) {
  return page.evaluate(async () => {
    const databases = await indexedDB.databases();
    const keys: unknown[] = [];
    if (databases.some((d) => d.name === "kopilka-resident")) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open("kopilka-resident");
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      if (db.objectStoreNames.contains("keys")) {
        keys.push(
          ...(await new Promise<unknown[]>((resolve) => {
            const request = db.transaction("keys").objectStore("keys").getAll();
            request.onsuccess = () => resolve(request.result);
          })),
        );
      }
      db.close();
    }
    // The fresh page's own wagmi state is all that local storage may hold, and it names nobody.
    const local = Object.entries(localStorage).filter(([name, value]) => name !== "wagmi.store" || /0x/.test(value));
    return { keys: keys.length, local, session: Object.keys(sessionStorage) };
  });
}

async function depositOf(projectId: number, account: string): Promise<bigint> {
  const project = await round.round.project(projectId);
  return round.round.depositOf(project.bank, account);
}

describe("Voting with a phone number", () => {
  it("takes a resident from the number to the receipt: code, district, a short wait, the ballot, the receipt", async () => {
    const [first, second] = round.projectIds[0];
    const page = await phonePage();
    await startFromDistrict(page, 0);
    assert.match(page.url(), /\/phone\?next=%2Fdistrict%2F0$/);
    await page.getByTestId("consent").getByText("152-ФЗ").waitFor();
    await screenshots(page, "phone-number");
    await expectAccessible(page);

    // A number that cannot be one is refused on the page, before any SMS.
    await page.getByLabel("Номер мобильного телефона").fill("8 916 12");
    await page.getByRole("button", { name: "Получить код" }).click();
    await page.getByText("Проверьте номер телефона: в нём не хватает цифр или есть лишние.").waitFor();

    // Russian numbers as people write them: "8 (916) ..." is +7 916 ...
    await askForCode(page, "8 (916) 100-00-01");
    await page.getByText("Мы отправили СМС с кодом на номер +7 916 100 00 01.").waitFor();
    // The demo's SMS inbox, on the local chain only, shows what the service "sent".
    const message = page.getByTestId("demo-inbox").locator("li[data-code]").first();
    await message.waitFor();
    const code = await message.getAttribute("data-code");
    assert.match(code ?? "", /^\d{6}$/);
    assert.equal(code, await services.codeFor("+79161000001"));
    await screenshots(page, "phone-code");
    await expectAccessible(page);

    await typeCode(page, code!);
    await page.getByRole("heading", { name: "Выберите свой район" }).waitFor();
    await screenshots(page, "phone-district");
    await expectAccessible(page);
    await page.getByLabel("Городищенский район").check();
    await page.getByRole("button", { name: "Продолжить" }).click();
    await page.waitForURL(`${site.url}/district/0`);
    await page.getByTestId("signed-in-phone").waitFor();

    // Until the list entry is published the page says so in plain words; then the ballot opens by itself.
    const publishing = page.getByTestId("publishing");
    const ballot = page.getByTestId("ballot");
    await publishing.or(ballot).first().waitFor();
    if (await publishing.isVisible()) await screenshots(page, "phone-publishing");
    await ballot.waitFor({ timeout: 30_000 });
    await page.getByText(`Ваши рубли для голосования`, { exact: false }).first().waitFor();

    await setAmount(page, first, "6000");
    await setAmount(page, second, "4000");
    await screenshots(page, "phone-ballot");
    const account = await confirmAndReceipt(page);
    await screenshots(page, "phone-receipt");
    assert.equal(await depositOf(first, account), rub(6_000));
    assert.equal(await depositOf(second, account), rub(4_000));
    // The account is the browser's key's, posted in district 0.
    const [, district] = await round.token.holderOf(account);
    assert.equal(Number(district), 0);

    // A change of mind, from the same browser: the same key signs again, nothing else is asked.
    await page.goto(`${site.url}/district/0`);
    await page.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await page.getByTestId("ballot").waitFor();
    await setAmount(page, first, "1000");
    await setAmount(page, second, "9000");
    assert.equal(await confirmAndReceipt(page), account);
    assert.equal(await depositOf(first, account), rub(1_000));
    assert.equal(await depositOf(second, account), rub(9_000));

    // "My vote" shows where the resident's rubles are, for the phone's account too.
    await page.getByRole("link", { name: "Мой голос" }).click();
    await page.getByRole("heading", { name: "Мой голос" }).waitFor();
    await page
      .getByText(/9\s000\s₽/)
      .first()
      .waitFor();
    await screenshots(page, "phone-my-vote");
    await page.context().close();
  });

  it("shows each wrong code's refusal as the service words it, and locks the phone after the last attempt", async () => {
    const page = await phonePage();
    await page.goto(`${site.url}/phone`);
    await askForCode(page, "+7 916 100-00-02");
    const right = await services.codeFor("+79161000002");
    const wrong = right === "000000" ? "111111" : "000000";
    const refusal = page.getByTestId("refusal");
    // A new code only after the cooldown: the page counts it down, and the service refuses one asked for sooner.
    const resend = page.getByRole("button", { name: /Новый код можно запросить через \d+ с/ });
    assert.equal(await resend.isDisabled(), true);
    await page.getByRole("button", { name: "Указать другой номер" }).click();
    await page.getByLabel("Номер мобильного телефона").fill("+7 916 100-00-02");
    await page.getByRole("button", { name: "Получить код" }).click();
    await refusal.getByText(/Код уже отправлен. Новый код можно запросить через \d+ с\./).waitFor();
    // The code already sent still holds: the page is back at the code step.
    await page.getByRole("heading", { name: "Введите код из СМС" }).waitFor();
    for (let left = MAX_ATTEMPTS - 1; left > 0; left--) {
      await typeCode(page, wrong);
      await refusal.getByText(`Код неверный. Осталось попыток: ${left}.`).waitFor();
    }
    await typeCode(page, wrong);
    await refusal.getByText(/Слишком много неверных кодов. Попробуйте через \d+ мин\./).waitFor();
    await screenshots(page, "phone-locked");
    // Locked: even the right code is refused now.
    await typeCode(page, right!);
    await refusal.getByText(/Слишком много неверных кодов/).waitFor();
    assert.equal(new URL(page.url()).pathname, "/phone");
    await page.context().close();
  });

  it("lets a resident who lost the device re-enroll before voting; the old one can then no longer vote", async () => {
    const phone = "+79161000003";
    const lost = await phonePage();
    await startFromDistrict(lost, 1);
    await enroll(lost, phone, 1, "Калачёвский район");
    await lost.getByTestId("ballot").waitFor({ timeout: 30_000 });

    const found = await phonePage();
    await startFromDistrict(found, 1);
    await enroll(found, phone, 1, "Калачёвский район");
    await found.getByTestId("ballot").waitFor({ timeout: 30_000 });

    // The first device, back on the page (its ballot still open), is told plainly and has no ballot.
    await lost.reload();
    await lost.getByTestId("replaced").waitFor({ timeout: 30_000 });
    assert.equal(await lost.getByTestId("ballot").count(), 0);
    assert.equal(await lost.getByTestId("signed-in-phone").count(), 0);
    await screenshots(lost, "phone-replaced");

    // The new device votes.
    await setAmount(found, round.projectIds[1][0], "10000");
    const account = await confirmAndReceipt(found);
    assert.equal(await depositOf(round.projectIds[1][0], account), rub(10_000));

    // After that vote, a third device with the same phone is told the vote stands, in the service's words.
    const third = await phonePage();
    await third.goto(`${site.url}/phone`);
    await askForCode(third, phone);
    await typeCode(third, (await services.codeFor(phone))!);
    // The service checks the code, then the earlier device: the resident hears that the vote stands, and is never
    // asked for a district first.
    await third
      .getByTestId("refusal")
      .getByText("С этим номером уже проголосовали на другом устройстве. Голос учтён; изменить его можно только там.")
      .waitFor();
    assert.equal(await third.getByRole("heading", { name: "Выберите свой район" }).count(), 0);
    await screenshots(third, "phone-vote-stands");
    for (const page of [lost, found, third]) await page.context().close();
  });

  it("runs a public office's terminal: verify, vote, print, then wipe every trace of the resident", async () => {
    const page = await phonePage();
    await page.goto(`${site.url}/phone?terminal=1&next=%2Fdistrict%2F2`);
    await page.getByTestId("terminal").waitFor();
    await enroll(page, "+79161000004", 2, "Ольховский район");
    await page.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await page.getByTestId("ballot").waitFor({ timeout: 30_000 });
    await setAmount(page, round.projectIds[2][0], "10000");
    const account = await confirmAndReceipt(page);
    assert.equal(await depositOf(round.projectIds[2][0], account), rub(10_000));
    await page.getByRole("button", { name: "Распечатать квитанцию" }).waitFor();
    await screenshots(page, "phone-terminal-receipt");

    await page.getByRole("button", { name: "Завершить и стереть данные" }).click();
    await page.waitForURL(`${site.url}/phone?terminal=1`);
    await page.getByRole("heading", { name: "Вход по номеру телефона" }).waitFor();
    const traces = await residentTraces(page);
    assert.deepEqual(traces, { keys: 0, local: [], session: ["kopilka.terminal"] });
    // Nobody is signed in for the next resident.
    assert.equal(await page.getByTestId("signed-in-phone").count(), 0);
    await page.context().close();
  });

  it("wipes a resident who leaves the terminal idle, after a warning that lets them stay", async () => {
    const page = await phonePage();
    // An idle time of 20 s (the officer's choice in the address; 180 s by default): the warning shows for the last 10.
    await page.goto(`${site.url}/phone?terminal=1&idle=20&next=%2Fdistrict%2F1`);
    await page.getByTestId("terminal").waitFor();
    await enroll(page, "+79161000005", 1, "Калачёвский район");
    const warning = page.getByTestId("terminal-idle");
    await warning.waitFor({ timeout: 30_000 });
    assert.match(
      (await warning.textContent()) ?? "",
      /Вы ещё здесь\? Через \d+ секунд[уы]? данные жителя будут стёрты/,
    );
    await screenshots(page, "phone-terminal-idle");
    await page.getByRole("button", { name: "Я здесь, продолжить" }).click();
    await warning.waitFor({ state: "detached" });
    assert.equal(new URL(page.url()).pathname, "/district/1", "the resident stays");
    assert.equal((await residentTraces(page)).keys, 1, "the resident's key stays");

    // Walked away: the warning again, then the wipe.
    await warning.waitFor({ timeout: 30_000 });
    await page.waitForURL(`${site.url}/phone?terminal=1`, { timeout: 30_000 });
    await page.getByRole("heading", { name: "Вход по номеру телефона" }).waitFor();
    assert.deepEqual(await residentTraces(page), { keys: 0, local: [], session: ["kopilka.terminal"] });
    assert.equal(await page.getByTestId("signed-in-phone").count(), 0);
    await page.context().close();
  });

  it("refuses enrollment in plain words once the budget has no room for another resident", async () => {
    // The services post every resident they enrolled; then the committee imports one resident holding all the rest.
    for (let i = 0; i < 300; i++) {
      const { residents } = (await (await fetch(`${services.url}/enroll/health`)).json()) as {
        residents: Record<string, number>;
      };
      if (residents.queued + residents.waiting + residents.posting === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const config = (await (await fetch(`${services.url}/enroll/config`)).json()) as { room: string };
    assert.ok(BigInt(config.room) > 0n, "room before");
    const tree = buildParticipantTree([
      { account: Wallet.createRandom().address, district: ANY_DISTRICT, amount: BigInt(config.room) * round.allowance },
    ]);
    const published = roundDirectory(path.join(round.siteDir, "published"), round.config.chainId, round.config.round);
    await publishBatch(published, Number(await round.airdrop.batchCount()), tree);
    await (
      await round.round.connect(round.roles.registrar).getFunction("postBatch")(tree.root, treeTotal(tree))
    ).wait();
    // The services read the chain's room at most once a second: wait until they see the posting, as a page would.
    for (let i = 0; i < 100; i++) {
      const after = (await (await fetch(`${services.url}/enroll/config`)).json()) as { room: string };
      if (BigInt(after.room) <= 0n) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const page = await phonePage();
    await page.goto(`${site.url}/phone`);
    const full = "Запись закончилась: бюджета голосования хватает только тем, кто уже записался.";
    await page.getByRole("status").filter({ hasText: full }).waitFor();
    // Asked anyway: the service refuses, and the page says so in its words.
    await page.getByLabel("Номер мобильного телефона").fill("+79161000006");
    await page.getByRole("button", { name: "Получить код" }).click();
    const refusal = page.getByTestId("refusal");
    await refusal.waitFor();
    assert.equal((await refusal.textContent())?.trim(), full);
    assert.equal(await services.codeFor("+79161000006"), undefined, "no code was sent");
    await screenshots(page, "phone-capacity-reached");
    await page.context().close();
  });

  it("serves its pages with a strict Content-Security-Policy, which none of the pages above broke", async () => {
    const response = await fetch(`${site.url}/phone`);
    const header = response.headers.get("content-security-policy") ?? "";
    assert.match(header, /script-src 'self';/);
    assert.match(header, /frame-ancestors 'none'/);
    // Calls go to the page's own origin, the node and the resident services, nowhere else.
    const connect = header.match(/connect-src ([^;]+)/)![1].split(" ");
    assert.deepEqual(connect.sort(), ["'self'", "blob:", new URL(round.config.rpcUrl).origin, services.url].sort());
    const html = await response.text();
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self';/);
    assert.deepEqual(violations, []);
  });
});
