/**
 * The residents' pages in a real browser (Debian's Chromium) against a real `hardhat node`, mostly on a 360 px phone:
 * a resident browses from the published snapshot, presses "vote" once with nothing loaded, signs in with an
 * injected EIP-6963 wallet (told to switch networks first), builds the ballot beside the projects with steppers and
 * presets, reviews what each amount does to each project, confirms (claim and allocation in one transaction), has a
 * refused confirmation not counted, changes their mind, checks the vote, and reads the results district by district
 * with the reason of each project that did not win, before and after finalization; an unlisted wallet gets a plain
 * explanation; a page seen once opens offline and says how old its figures are. Every page is checked by axe, for
 * horizontal scroll at 360 px and for crypto words (./browser.ts), and saved at 360 and 1280 px.
 */
import { Rule } from "@kopilka/core/rule";
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { id as hashText, type HDNodeWallet } from "ethers";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { KOPECKS_PER_RUBLE } from "@kopilka/core/money";
import { tallyDistrict } from "@kopilka/core/tally";
import { launchChromium, screenshots, SCREENSHOTS } from "./browser.js";
import {
  amountField,
  card,
  chooseTestWallet,
  connect,
  expectAccessible,
  openBallotDetails,
  openPage,
  setAmount,
} from "./pages.js";
import { serveSite, type StaticSite } from "./server.js";
import { setupRound, startNode, type TestRound } from "./setup.js";

const rub = (rubles: number): bigint => BigInt(rubles) * KOPECKS_PER_RUBLE;
/** How the dApp writes an amount in Russian, from the platform's own Intl (not a hand-written string). */
const ru = (kopecks: bigint): string =>
  new Intl.NumberFormat("ru-RU", { style: "currency", currency: "RUB", minimumFractionDigits: 0 }).format(
    Number(kopecks) / 100,
  );
/** A share as the dApp writes it in Russian ("1,5 %"), from Intl too. */
const share = (part: bigint, whole: bigint): string =>
  new Intl.NumberFormat("ru-RU", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
    Number(part) / Number(whole),
  );

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
  await browser?.close();
  await site?.close();
  round?.node.stop();
});

async function newPage(options: { wallet?: HDNodeWallet; startChainId?: number; width?: number } = {}): Promise<Page> {
  const { rpcUrl, chainId } = round.config;
  const page = await openPage(browser, { ...options, rpcUrl, chainId, timeout: 20_000 });
  contexts.push(page.context());
  return page;
}

async function projectTitles(page: Page): Promise<string[]> {
  return page.locator(".projects .project h3").allTextContents();
}

async function depositOf(projectId: number, voter: string): Promise<bigint> {
  const project = await round.round.project(projectId);
  return round.round.depositOf(project.bank, voter);
}

/** Opens the review page from the ballot's bar. */
async function review(page: Page): Promise<void> {
  await page.getByTestId("review").click();
  await page.getByTestId("review-page").waitFor();
}

const receiptKinds = (page: Page) =>
  page.locator('[data-tx="confirmed"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")));

describe("The residents' pages", () => {
  let voterPage: Page;
  const d0 = () => round.projectIds[0];

  it("shows the round, its districts and their projects from the snapshot, with no chain code loaded", async () => {
    const page = await newPage({ width: 360 });
    const scripts: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => void (r.resourceType() === "script" && scripts.push(r.url())));
    // A page drawn ahead is taken over by the app without a hydration mismatch (React reports those as errors).
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    await page.goto(site.url + "/");
    await page.getByRole("heading", { level: 1 }).filter({ hasText: "Волгоградская" }).waitFor();
    // Russian plurals: 3 districts, 9 projects.
    await page.getByText("3 района, 9 проектов").waitFor();
    await page.getByText("Идёт голосование").waitFor();
    // The server writes the times in UTC; the app, once it has taken the page over, in the reader's zone.
    await page
      .getByText(/ г\. в \d\d:\d\d GMT\+3/)
      .first()
      .waitFor();
    assert.equal(await page.getByText(/ UTC$/).count(), 0);
    await screenshots(page, "overview");
    await expectAccessible(page);

    await page.getByRole("link", { name: "Городищенский район" }).click();
    assert.match(page.url(), /\/district\/0$/);
    await page.locator(".projects .project").nth(3).waitFor();
    await page.getByRole("heading", { name: "Освещение улицы Мира" }).waitFor();
    await page
      .getByText(ru(rub(650_000)), { exact: false })
      .first()
      .waitFor();
    assert.equal((await projectTitles(page)).length, 4);
    // Every card has its category's picture, loaded only as it nears the screen.
    const pictures = await page
      .locator(".projects .project")
      .evaluateAll((cards) =>
        cards.map((c) => [c.querySelector("img.picture")?.getAttribute("loading"), c.querySelector("img")?.src]),
      );
    assert.equal(pictures.length, 4);
    for (const [i, [loading, src]] of pictures.entries()) {
      // The first card's picture is on the first screen: it loads at once; the others as they near it.
      assert.equal(loading, i === 0 ? "eager" : "lazy");
      assert.match(src ?? "", /\/img\/[a-z-]+\.svg$/);
    }
    assert.ok(!scripts.some((url) => /wallet-/.test(url)), "the voting chunk loads only when needed");
    await screenshots(page, "district");
    await expectAccessible(page);

    await page.getByLabel("Поиск по проектам").fill("фонар");
    await page.waitForFunction(() => document.querySelectorAll(".projects .project").length === 1);
    assert.deepEqual(await projectTitles(page), ["Освещение улицы Мира"]);
    await page.getByLabel("Поиск по проектам").fill("");
    await page.getByLabel("Порядок").selectOption("costAsc");
    assert.equal((await projectTitles(page))[0], "Новые книги для сельской библиотеки");

    await page.getByRole("link", { name: "Новые книги для сельской библиотеки" }).click();
    await page.getByRole("heading", { level: 1, name: "Новые книги для сельской библиотеки" }).waitFor();
    await page.getByText("Библиотечное обслуживание").waitFor();
    assert.equal(
      await page.getByText("отличается от утверждённого").count(),
      0,
      "the metadata matches its on-chain hash",
    );
    await screenshots(page, "project");
    await expectAccessible(page);
    assert.deepEqual(errors, []);
  });

  it("sends the read-only pages' HTML drawn from the snapshot, readable with no JavaScript at all", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 760 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(site.url + "/district/0");
    assert.deepEqual([...(await projectTitles(page))].sort(), [
      "Детская площадка во дворе на Садовой",
      "Новые книги для сельской библиотеки",
      "Освещение улицы Мира",
      "Ремонт дороги к фельдшерскому пункту",
    ]);
    await page.goto(site.url + "/");
    await page.getByRole("link", { name: "Ольховский район" }).waitFor();
    await page.goto(site.url + "/results/1");
    assert.equal(await page.locator('.district-result[data-district="1"] .ranking li').count(), 3);
    await page.goto(site.url + "/verify");
    assert.equal(await page.locator("h1").count(), 0, "pages that act are not rendered ahead");
  });

  it('opens the ballot on the first click on "vote", before any of the voting code is there', async () => {
    const page = await newPage({ width: 360 });
    const scripts: string[] = [];
    page.on("request", (r) => void (r.resourceType() === "script" && scripts.push(r.url())));
    await page.goto(site.url + "/district/0");
    await card(page, d0()[0]).waitFor();
    assert.ok(!scripts.some((url) => /wallet-/.test(url)), "nothing of the voting code before the click");
    await page.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    // One click: the ballot is open, and the cards already take projects while the voting code arrives.
    await page.getByTestId("ballot-bar").waitFor();
    await card(page, d0()[1]).getByRole("button", { name: "Добавить в бюллетень" }).click();
    await page.getByTestId("ballot-bar").getByText("Войдите, чтобы узнать").waitFor();
    await page.getByTestId("ballot-bar").getByText("1 проект в бюллетене").waitFor();
    assert.ok(
      scripts.some((url) => /wallet-/.test(url)),
      "the voting code came after the click",
    );
    await screenshots(page, "ballot-signed-out");
    await expectAccessible(page);
  });

  it("asks to switch networks and allows no vote while the wallet is on another chain", async () => {
    voterPage = await newPage({ wallet: round.voters.district0, startChainId: 1, width: 360 });
    await voterPage.goto(site.url + "/district/0");
    await voterPage.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await voterPage.getByTestId("sign-in").click();
    await voterPage.getByRole("heading", { name: "Как вы хотите войти?" }).waitFor();
    await screenshots(voterPage, "sign-in");
    await expectAccessible(voterPage);
    await chooseTestWallet(voterPage);
    await voterPage.getByTestId("wrong-network").waitFor();
    await voterPage.getByText("Кошелёк подключён к другой сети (1)").waitFor();
    assert.equal(await voterPage.getByTestId("ballot").count(), 0);
    await screenshots(voterPage, "wrong-network");
    await voterPage.getByRole("button", { name: "Переключить сеть" }).click();
    await voterPage.getByText(`Ваши рубли для голосования: ${ru(round.allowance)}`).waitFor();
  });

  it("builds the ballot beside the projects on a phone: steppers, presets, a live amount left", async () => {
    const page = voterPage;
    const left = page.getByTestId("left");
    await setAmount(page, d0()[0], "6000");
    await setAmount(page, d0()[1], "3000");
    await left.filter({ hasText: `Осталось распределить: ${ru(rub(1000))}` }).waitFor();
    await setAmount(page, d0()[2], "5000");
    await left.filter({ hasText: `Больше, чем у вас есть, на ${ru(rub(4000))}` }).waitFor();
    assert.ok(await page.getByTestId("review").isDisabled(), "nothing to review while the amounts exceed the rubles");
    await screenshots(page, "ballot-over");

    // "All that is left, here": the third project takes the 1,000 rubles the first two leave.
    await amountField(page, d0()[2]).fill("");
    await card(page, d0()[2]).getByRole("button", { name: "Всё оставшееся — сюда" }).click();
    assert.equal(await amountField(page, d0()[2]).inputValue(), "1000");
    await left.filter({ hasText: `Осталось распределить: ${ru(0n)}` }).waitFor();
    // The bar stays small on a phone: what is left, the way to the review, the rest on a tap on the allowance.
    const bar = page.getByTestId("ballot-bar");
    const height = (await bar.boundingBox())!.height;
    assert.ok(height <= 120, `the ballot's bar takes ${height} px of a 360 px phone's screen`);
    assert.ok(await page.getByRole("button", { name: "Поровну между выбранными" }).isHidden());
    await openBallotDetails(page);
    await page.getByText("Рубли для голосования придут вместе с первым голосом").waitFor();
    // "Split equally between the chosen": 10,000 rubles over three projects, the odd kopeck to the first.
    await page.getByRole("button", { name: "Поровну между выбранными" }).click();
    assert.deepEqual(
      await Promise.all(
        d0()
          .slice(0, 3)
          .map((id) => amountField(page, id).inputValue()),
      ),
      ["3333,34", "3333,33", "3333,33"],
    );
    // Steppers move by a round share of the allowance: 1,000 rubles of 10,000.
    await card(page, d0()[0])
      .getByRole("button", { name: `Больше на ${ru(rub(1000))}` })
      .click();
    await left.filter({ hasText: `Больше, чем у вас есть, на ${ru(rub(1000))}` }).waitFor();
    await card(page, d0()[0])
      .getByRole("button", { name: `Меньше на ${ru(rub(1000))}` })
      .click();
    assert.equal(await amountField(page, d0()[0]).inputValue(), "3333,34");

    await setAmount(page, d0()[0], "6000");
    await setAmount(page, d0()[1], "3000");
    await card(page, d0()[2]).getByRole("button", { name: "Убрать из бюллетеня" }).click();
    assert.equal(await amountField(page, d0()[2]).count(), 0);
    await left.filter({ hasText: `Осталось распределить: ${ru(rub(1000))}` }).waitFor();
    await screenshots(page, "ballot");
    // The phone's screen as a resident sees it, the bar folded (for the README's residents' section).
    await page.getByTestId("ballot").locator("button[aria-expanded]").click();
    await card(page, d0()[0]).evaluate((element) => element.scrollIntoView());
    await page.screenshot({ path: path.join(SCREENSHOTS, "ballot-phone-screen.png") });
    await expectAccessible(page);
  });

  it("reviews what each amount does to each project, then claims and allocates in one transaction", async () => {
    const page = voterPage;
    await review(page);
    const first = page.locator(`[data-testid="review-page"] [data-project="${d0()[0]}"]`);
    await first.getByText(`Вы добавляете ${ru(rub(6000))}`).waitFor();
    await first.getByText(`сейчас ${share(0n, 1n)}, станет ${share(rub(6000), rub(400_000))}`).waitFor();
    await page.getByText(`Не распределено: ${ru(rub(1000))}`).waitFor();
    assert.equal(await page.locator(`[data-testid="review-page"] [data-project="${d0()[2]}"]`).count(), 0);
    await screenshots(page, "review");
    await expectAccessible(page);

    await page.getByRole("button", { name: "Подтвердить голос" }).click();
    await page.locator('[data-tx="confirmed"]').waitFor();
    await page.getByRole("heading", { name: "Ваш голос учтён" }).waitFor();
    await page.getByText(/Номер квитанции: [0-9A-F]{4}-[0-9A-F]{4}/).waitFor();
    assert.equal(await depositOf(d0()[0], round.voters.district0.address), rub(6000));
    assert.equal(await depositOf(d0()[1], round.voters.district0.address), rub(3000));
    assert.equal(await round.token.balanceOf(round.voters.district0.address), rub(1000));
    assert.deepEqual(await receiptKinds(page), ["claim", "deposit", "deposit"]);
    // The receipt says once when the vote was recorded; its lines have no column of dashes for a time.
    await page.getByText(/^Записан .+ г\. в \d\d:\d\d/).waitFor();
    assert.equal(await page.locator('.verify-result td[data-label="Когда"]').count(), 0);
    // Plain words first: the full codes are under "Для проверки", and on the paper when the receipt is printed.
    const receipt = page.locator('[data-tx="confirmed"]');
    await receipt.locator('[data-path="direct"]').filter({ hasText: "Запись голоса вы оплатили сами." }).waitFor();
    const fullNumber = receipt.getByTestId("receipt-full-number");
    assert.ok(await fullNumber.isHidden());
    assert.doesNotMatch(await receipt.innerText(), /0x/, "no hex code on the receipt's face");
    await screenshots(page, "receipt");
    await expectAccessible(page);
    await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
    await fullNumber.waitFor();
    const printed = (await fullNumber.textContent())!;
    const short = (await receipt.locator(".receipt-number").textContent())!.replace(/^.*: /, "").replace("-", "");
    assert.ok(printed.slice(2, 10).toUpperCase() === short, "the full number begins with the receipt's number");
    assert.equal(await receipt.getByTestId("receipt-participant").textContent(), round.voters.district0.address);
    // The check page finds the vote from the printed full number.
    const check = await newPage();
    await check.goto(`${site.url}/verify?q=${printed}`);
    await check.locator(".verify-result tbody tr").nth(2).waitFor();
    assert.deepEqual(
      await check.locator(".verify-result tbody tr").evaluateAll((r) => r.map((x) => x.getAttribute("data-kind"))),
      ["claim", "deposit", "deposit"],
    );
    await check.context().close();
  });

  it("does not count a refused confirmation", async () => {
    const page = voterPage;
    await page.goto(site.url + "/district/0");
    await page.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await page.getByText(`Ваши рубли для голосования: ${ru(round.allowance)}`).waitFor();
    // The ballot opens with what the resident holds.
    assert.equal(await amountField(page, d0()[0]).inputValue(), "6000");
    await setAmount(page, d0()[0], "5000");
    await setAmount(page, d0()[2], "1000");
    await review(page);
    await page.getByText(`Вы забираете ${ru(rub(1000))}`).waitFor();
    await page.evaluate(() => ((window as unknown as { kopilkaRejectNext: boolean }).kopilkaRejectNext = true));
    await page.getByRole("button", { name: "Подтвердить голос" }).click();
    await page.locator('[data-tx="rejected"]').waitFor();
    assert.equal(await page.locator('[data-tx="confirmed"]').count(), 0);
    assert.equal(await depositOf(d0()[0], round.voters.district0.address), rub(6000));
    assert.equal(await depositOf(d0()[2], round.voters.district0.address), 0n);
  });

  it("changes the allocation until the deadline", async () => {
    const page = voterPage;
    await page.getByRole("button", { name: "Подтвердить голос" }).click();
    await page.locator('[data-tx="confirmed"]').waitFor();
    assert.equal(await depositOf(d0()[0], round.voters.district0.address), rub(5000));
    assert.equal(await depositOf(d0()[1], round.voters.district0.address), rub(3000));
    assert.equal(await depositOf(d0()[2], round.voters.district0.address), rub(1000));
    assert.deepEqual(await receiptKinds(page), ["withdrawal", "deposit"]);
  });

  it("checks from the round's records what a participant and a receipt put where", async () => {
    const page = voterPage;
    const voter = round.voters.district0.address;
    await page.goto(`${site.url}/verify?q=${voter}`);
    const rows = page.locator(".verify-result tbody tr");
    await rows.nth(4).waitFor();
    assert.deepEqual(await rows.evaluateAll((r) => r.map((x) => x.getAttribute("data-kind"))), [
      "claim",
      "deposit",
      "deposit",
      "withdrawal",
      "deposit",
    ]);
    for (const projectId of d0().slice(0, 3)) {
      const amount = await depositOf(projectId, voter);
      await page
        .locator(`.holdings [data-project="${projectId}"]`)
        .filter({ hasText: ru(amount) })
        .waitFor();
    }
    await screenshots(page, "verify");
    await expectAccessible(page);
    await rows.nth(4).locator("td.mono a").click();
    await page.waitForURL(/verify\?q=0x[0-9a-f]{64}$/);
    await page.locator(".verify-result tbody tr").nth(1).waitFor();
    assert.equal(await page.locator(".verify-result tbody tr").count(), 2);

    await page.goto(`${site.url}/my`);
    await page.getByText(`Не распределено: ${ru(rub(1000))}`).waitFor();
    await page.getByRole("link", { name: "Изменить выбор: Городищенский район" }).waitFor();
    await screenshots(page, "my");
    await expectAccessible(page);
  });

  it("explains to a wallet on no list why it cannot vote", async () => {
    const page = await newPage({ wallet: round.voters.unlisted, width: 360 });
    await page.goto(site.url + "/district/1");
    await connect(page);
    await page.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await page.getByTestId("ineligible").filter({ hasText: round.voters.unlisted.address }).waitFor();
    assert.equal(await page.getByTestId("ballot").count(), 0);
    await screenshots(page, "ineligible");
  });

  it("lets a resident of any district vote in another district", async () => {
    const page = await newPage({ wallet: round.voters.anyDistrict });
    await page.goto(site.url + "/district/1");
    await connect(page);
    await page.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await page.getByText(`Ваши рубли для голосования: ${ru(round.allowance)}`).waitFor();
    await setAmount(page, round.projectIds[1][1], "7000,50");
    await setAmount(page, round.projectIds[1][0], "2000");
    await review(page);
    await page.getByRole("button", { name: "Подтвердить голос" }).click();
    await page.locator('[data-tx="confirmed"]').waitFor();
    assert.equal(await depositOf(round.projectIds[1][1], round.voters.anyDistrict.address), rub(7000) + 50n);
    assert.equal(await depositOf(round.projectIds[1][0], round.voters.anyDistrict.address), rub(2000));
  });

  it("opens a page seen once when offline, and says how old its figures are", async () => {
    const page = await newPage({ width: 360 });
    await page.goto(site.url + "/district/2");
    await page.getByRole("heading", { name: "Котельная для школы" }).waitFor();
    // The service worker takes over after the first visit and caches the snapshot and pictures through the page.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
    const cached = () =>
      page.evaluate(async () =>
        (await (await caches.open("kopilka-published")).keys()).some((r) =>
          r.url.endsWith("/snapshot/district-2.json"),
        ),
      );
    for (let tries = 0; !(await cached()); tries++) {
      assert.ok(tries < 100, "the snapshot is cached within 10 s of the service worker taking over");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Offline: every request that would leave the browser fails, as with no signal at all.
    await page.context().route("**/*", (route) => route.abort("internetdisconnected"));
    await page.reload();
    await page.getByRole("heading", { name: "Котельная для школы" }).waitFor();
    await page.getByRole("heading", { name: "Музыкальные инструменты для ДШИ" }).waitFor();
    await page.locator('[data-freshness="stale"]').filter({ hasText: "Нет связи. Показаны данные на" }).waitFor({
      timeout: 20_000,
    });
    await screenshots(page, "offline");
  });

  it("shows one district's results at a time, with the rule and the reason each project did not win", async () => {
    const page = await newPage({ width: 360 });
    const expected = await chainTally();
    await page.goto(site.url + "/results");
    await page.getByRole("heading", { level: 1, name: "Итоги" }).waitFor();
    await page.locator(".districts [data-district]").nth(2).waitFor();
    await screenshots(page, "results-index");
    await expectAccessible(page);
    await page.getByLabel("Район", { exact: true }).selectOption({ label: "Калачёвский район" });
    await page.getByRole("button", { name: "Показать итоги" }).click();
    await page.waitForURL(/\/results\/1$/);
    const district = page.locator('.district-result[data-district="1"]');
    await district.getByText("Предварительные итоги").waitFor();
    await district.getByText("Проекты района выстраиваются по собранным рублям").waitFor();
    // The sport ground (7,000.50) takes 700,000 of 1,000,000; the water pump (2,000) does not fit in the 300,000 left.
    const [water, sport, square] = round.projectIds[1];
    await district.locator(`[data-project="${sport}"][data-winner="true"]`).waitFor();
    await district
      .locator(`[data-project="${water}"] [data-reason="didNotFit"]`)
      .filter({ hasText: `оставалось ${ru(rub(300_000))}` })
      .waitFor();
    await district
      .locator(`[data-project="${square}"] [data-reason="noSupport"]`)
      .filter({ hasText: "Никто не отдал проекту рубли" })
      .waitFor();
    for (const id of [0, 1, 2]) assert.deepEqual(await shownWinners(page, id), expected[id]);
    await screenshots(page, "results");
    await expectAccessible(page);

    const { provider } = round.node;
    await provider.send("evm_setNextBlockTimestamp", [round.closesAt + 1]);
    await provider.send("evm_mine", []);
    for (const id of [0, 1, 2]) await (await round.round.finalize(id)).wait();
    const firstWinner = expected[0][0];
    const asReporter = round.round.connect(round.roles.reporter) as typeof round.round;
    await (
      await asReporter.getFunction("recordImplementation")(firstWinner, 2, rub(100_000), hashText("contract #1"))
    ).wait();
    const funded = await Promise.all(
      expected.flat().map(async (id) => (await round.round.project(id)).funded as boolean),
    );
    assert.ok(funded.every(Boolean), "the chain funded the winners the page showed as provisional");
    for (const id of [0, 1, 2]) {
      await page.goto(`${site.url}/results/${id}`);
      await page
        .locator(`.district-result[data-district="${id}"]`)
        .getByText("Итоги района подведены окончательно")
        .waitFor();
      assert.deepEqual(await shownWinners(page, id), expected[id]);
    }
    await page.goto(`${site.url}/results/0`);
    await page.getByText("Ход реализации: выполняется").waitFor();
    await screenshots(page, "results-final");
    await expectAccessible(page);

    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { level: 1, name: "Results" }).waitFor();
    await page.goto(site.url + "/");
    await page.getByText("3 districts, 9 projects").waitFor();
    await screenshots(page, "overview-en");
  });
});

/** Winners per district from the chain's bank balances, by the TypeScript twin of the contract's rule. */
async function chainTally(): Promise<number[][]> {
  const winners: number[][] = [];
  for (const [district, ids] of round.projectIds.entries()) {
    const entries = await Promise.all(
      ids.map(async (id) => {
        const project = await round.round.project(id);
        return {
          projectId: BigInt(id),
          cost: project.cost as bigint,
          tokens: (await round.token.balanceOf(project.bank)) as bigint,
          supporters: 0n,
        };
      }),
    );
    const budget = (await round.round.district(district)).budget as bigint;
    winners.push(
      tallyDistrict(entries, budget, { rule: Rule.Ranked, minTokens: 0n, minSupporters: 0n }).winners.map(Number),
    );
  }
  return winners;
}

/** The winners one district's results page shows, once its ranking has the live figures of every project. */
async function shownWinners(page: Page, district: number): Promise<number[]> {
  if (!page.url().endsWith(`/results/${district}`)) await page.goto(`${site.url}/results/${district}`);
  const section = page.locator(`.district-result[data-district="${district}"]`);
  await section
    .locator(".ranking li")
    .nth(round.projectIds[district].length - 1)
    .waitFor();
  await page.locator("[data-freshness]").waitFor({ state: "detached" });
  return section
    .locator('li[data-winner="true"]')
    .evaluateAll((items) => items.map((li) => Number(li.getAttribute("data-project"))));
}
