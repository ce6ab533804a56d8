/**
 * The citizens' dApp in a real browser (Debian's Chromium) against a real `hardhat node`: a resident browses,
 * connects an injected EIP-6963 wallet, is told to switch networks, claims and allocates in one transaction,
 * has a rejected transaction not counted, changes their mind, verifies the vote, and reads the results before
 * and after finalization; an unlisted address gets a plain explanation. Screenshots go to frontend/test-results/screenshots.
 */
import { Rule } from "@kopilka/core/rule";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { id as hashText, type HDNodeWallet } from "ethers";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { KOPECKS_PER_RUBLE } from "@kopilka/core/money";
import { tallyDistrict } from "@kopilka/core/tally";
import { launchChromium, screenshots } from "./browser.js";
import { connect, expectAccessible, openPage } from "./pages.js";
import { serveSite, type StaticSite } from "./server.js";
import { setupRound, startNode, type TestRound } from "./setup.js";

const rub = (rubles: number): bigint => BigInt(rubles) * KOPECKS_PER_RUBLE;
/** How the dApp writes an amount in Russian, from the platform's own Intl (not a hand-written string). */
const ru = (kopecks: bigint): string =>
  new Intl.NumberFormat("ru-RU", { style: "currency", currency: "RUB", minimumFractionDigits: 0 }).format(
    Number(kopecks) / 100,
  );

let round: TestRound;
let site: StaticSite;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  const node = await startNode();
  round = await setupRound(node);
  site = await serveSite(round.siteDir);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  round?.node.stop();
});

async function newPage(wallet?: HDNodeWallet, startChainId?: number): Promise<Page> {
  const { rpcUrl, chainId } = round.config;
  const page = await openPage(browser, { wallet, rpcUrl, chainId, startChainId, timeout: 20_000 });
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

const title = (page: Page, projectId: number) => page.locator(`[data-project="${projectId}"] .field input`);

describe("The citizens' dApp", () => {
  let voterPage: Page;
  const d0 = () => round.projectIds[0];

  it("shows the round, its districts and their projects without a wallet", async () => {
    const page = await newPage();
    const scripts: string[] = [];
    page.on("request", (r) => void (r.resourceType() === "script" && scripts.push(r.url())));
    await page.goto(site.url + "/");
    await page.getByRole("heading", { level: 1 }).filter({ hasText: "Волгоградская" }).waitFor();
    // Russian plurals: 3 districts, 9 projects.
    await page.getByText("3 района, 9 проектов").waitFor();
    await page.getByText("Идёт голосование").waitFor();
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
    assert.ok(!scripts.some((url) => /wallet-/.test(url)), "the wallet chunk loads only when needed");
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
      await page.getByText("не совпадает с опубликованным").count(),
      0,
      "the metadata matches its on-chain hash",
    );
  });

  it("asks to switch networks and allows no vote while the wallet is on another chain", async () => {
    voterPage = await newPage(round.voters.district0, 1);
    await voterPage.goto(site.url + "/district/0");
    await connect(voterPage);
    await voterPage.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await voterPage.getByTestId("wrong-network").waitFor();
    await voterPage.getByText("Кошелёк подключён к другой сети (1)").waitFor();
    assert.equal(await voterPage.locator(".ballot").count(), 0);
    await screenshots(voterPage, "wrong-network");
    await voterPage.getByRole("button", { name: "Переключить сеть" }).click();
    await voterPage.getByText(`Ваши токены: ${ru(round.allowance)}`).waitFor();
  });

  it("claims and allocates in one transaction, with a live amount left and a receipt", async () => {
    const page = voterPage;
    await page.getByText("Токены ещё не получены").waitFor();
    await title(page, d0()[0]).fill("6000");
    await title(page, d0()[1]).fill("3000");
    await page
      .getByTestId("left")
      .filter({ hasText: `Осталось распределить: ${ru(rub(1000))}` })
      .waitFor();
    await title(page, d0()[2]).fill("5000");
    await page
      .getByTestId("left")
      .filter({ hasText: `Больше, чем у вас есть, на ${ru(rub(4000))}` })
      .waitFor();
    assert.ok(await page.getByRole("button", { name: "Проверить выбор" }).isDisabled());
    await title(page, d0()[2]).fill("");
    await page.getByRole("button", { name: "Проверить выбор" }).click();
    await page.getByText(`положить ${ru(rub(6000))}`).waitFor();
    await page.getByRole("button", { name: "Подтвердить одной транзакцией" }).click();
    await page.locator('[data-tx="confirmed"]').waitFor();
    assert.equal(await depositOf(d0()[0], round.voters.district0.address), rub(6000));
    assert.equal(await depositOf(d0()[1], round.voters.district0.address), rub(3000));
    assert.equal(await round.token.balanceOf(round.voters.district0.address), rub(1000));
    const receiptRows = page.locator('[data-tx="confirmed"] tbody tr');
    assert.deepEqual(await receiptRows.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind"))), [
      "claim",
      "deposit",
      "deposit",
    ]);
    await screenshots(page, "receipt");
    await expectAccessible(page);
  });

  it("does not count a rejected transaction", async () => {
    const page = voterPage;
    await title(page, d0()[0]).fill("5000");
    await title(page, d0()[2]).fill("1000");
    await page.getByRole("button", { name: "Проверить выбор" }).click();
    await page.getByText(`забрать ${ru(rub(1000))}`).waitFor();
    await page.evaluate(() => ((window as unknown as { kopilkaRejectNext: boolean }).kopilkaRejectNext = true));
    await page.getByRole("button", { name: "Подтвердить одной транзакцией" }).click();
    await page.locator('[data-tx="rejected"]').waitFor();
    assert.equal(await page.locator('[data-tx="confirmed"]').count(), 0);
    assert.equal(await depositOf(d0()[0], round.voters.district0.address), rub(6000));
    assert.equal(await depositOf(d0()[2], round.voters.district0.address), 0n);
  });

  it("changes the allocation until the deadline", async () => {
    const page = voterPage;
    await page.getByRole("button", { name: "Подтвердить одной транзакцией" }).click();
    await page.locator('[data-tx="confirmed"]').waitFor();
    assert.equal(await depositOf(d0()[0], round.voters.district0.address), rub(5000));
    assert.equal(await depositOf(d0()[1], round.voters.district0.address), rub(3000));
    assert.equal(await depositOf(d0()[2], round.voters.district0.address), rub(1000));
    const kinds = await page
      .locator('[data-tx="confirmed"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")));
    assert.deepEqual(kinds, ["withdrawal", "deposit"]);
  });

  it("verifies from chain events what an address and a transaction put where", async () => {
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
  });

  it("explains to an address on no list why it cannot vote", async () => {
    const page = await newPage(round.voters.unlisted);
    await page.goto(site.url + "/district/1");
    await connect(page);
    await page.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await page.getByTestId("ineligible").filter({ hasText: round.voters.unlisted.address }).waitFor();
    assert.equal(await page.locator(".ballot").count(), 0);
    await screenshots(page, "ineligible");
  });

  it("lets a resident of any district vote in another district", async () => {
    const page = await newPage(round.voters.anyDistrict);
    await page.goto(site.url + "/district/1");
    await connect(page);
    await page.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await title(page, round.projectIds[1][1]).fill("7000,50");
    await page.getByRole("button", { name: "Проверить выбор" }).click();
    await page.getByRole("button", { name: "Подтвердить одной транзакцией" }).click();
    await page.locator('[data-tx="confirmed"]').waitFor();
    assert.equal(await depositOf(round.projectIds[1][1], round.voters.anyDistrict.address), rub(7000) + 50n);
  });

  it("shows provisional results by the round's rule, then the final winners and their implementation", async () => {
    const page = await newPage();
    const expected = await chainTally();
    await page.goto(site.url + "/results");
    await page.locator(".district-result").nth(2).waitFor();
    await page.locator(".district-result .ranking li").nth(8).waitFor();
    assert.equal(await page.getByText("Предварительные итоги").count(), 3);
    await page.getByText("Правило: проекты района выстраиваются").waitFor();
    assert.deepEqual(await shownWinners(page), expected);

    const { provider } = round.node;
    await provider.send("evm_setNextBlockTimestamp", [round.closesAt + 1]);
    await provider.send("evm_mine", []);
    for (const district of [0, 1, 2]) await (await round.round.finalize(district)).wait();
    const firstWinner = expected[0][0];
    const asReporter = round.round.connect(round.roles.reporter) as typeof round.round;
    await (
      await asReporter.getFunction("recordImplementation")(firstWinner, 2, rub(100_000), hashText("contract #1"))
    ).wait();

    await page.reload();
    await page.locator(".district-result").nth(2).waitFor();
    await page.getByText("Итоги района подведены в блокчейне").nth(2).waitFor();
    await page.getByText("Ход реализации: выполняется").waitFor();
    const funded = await Promise.all(
      expected.flat().map(async (id) => (await round.round.project(id)).funded as boolean),
    );
    assert.ok(funded.every(Boolean), "the chain funded the winners the page showed as provisional");
    assert.deepEqual(await shownWinners(page), expected);
    await screenshots(page, "results");
    await expectAccessible(page);

    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { level: 1, name: "Results" }).waitFor();
    await page.goto(site.url + "/");
    await page.getByText("3 districts, 9 projects").waitFor();
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

async function shownWinners(page: Page): Promise<number[][]> {
  return page
    .locator(".district-result")
    .evaluateAll((sections) =>
      sections.map((s) =>
        [...s.querySelectorAll('li[data-winner="true"]')].map((li) => Number(li.getAttribute("data-project"))),
      ),
    );
}
