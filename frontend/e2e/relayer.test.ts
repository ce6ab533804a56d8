/**
 * Voting without ether: a resident whose account holds no wei votes through the dApp, which signs the ballot with
 * the wallet (eth_signTypedData_v4) and hands it to the real relayer service; the vote shows as counted only once
 * the relayer reports it applied, and the chain agrees. A change of mind goes the same way; a resident with ether
 * keeps paying their own gas. Screenshots go to frontend/test-results/screenshots.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { HDNodeWallet } from "ethers";
import type { Browser, Page } from "playwright-core";

import { KOPECKS_PER_RUBLE } from "@kopilka/core/money";
import { hardhatAccount, RELAYER_ACCOUNT } from "../../scripts/relayer/local.js";
import { launchChromium, screenshots } from "./browser.js";
import { emptyEtherBalance, startTestRelayer, type TestRelayer } from "./relayerSetup.js";
import { serveSite, type StaticSite } from "./server.js";
import { setupRound, startNode, type TestRound } from "./setup.js";
import { chooseTestWallet, openBallotDetails, openPage, setAmount } from "./pages.js";

const rub = (rubles: number): bigint => BigInt(rubles) * KOPECKS_PER_RUBLE;
const ru = (kopecks: bigint): string =>
  new Intl.NumberFormat("ru-RU", { style: "currency", currency: "RUB", minimumFractionDigits: 0 }).format(
    Number(kopecks) / 100,
  );

let round: TestRound;
let relayer: TestRelayer;
let site: StaticSite;
let browser: Browser;

before(async () => {
  const node = await startNode();
  round = await setupRound(node);
  relayer = await startTestRelayer(round);
  site = await serveSite(round.siteDir);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await relayer?.stop();
  round?.node.stop();
});

async function walletPage(wallet: HDNodeWallet): Promise<Page> {
  return await openPage(browser, { wallet, rpcUrl: round.config.rpcUrl, chainId: round.config.chainId });
}

/**
 * Opens a district's ballot with the test wallet connected (`connected`: it was on an earlier visit and reconnects
 * by itself); `labels` in the page's language.
 */
async function openBallot(page: Page, district: number, labels = RU, connected = false): Promise<void> {
  await page.goto(`${site.url}/district/${district}`);
  if (!connected) {
    await page.getByRole("banner").getByRole("button", { name: labels.signIn }).click();
    await chooseTestWallet(page, labels);
  }
  await page.getByRole("banner").getByRole("button", { name: labels.signOut }).waitFor();
  await page.getByRole("button", { name: labels.vote }).click();
  await page.getByTestId("ballot").waitFor();
}

const RU = {
  signIn: "Войти",
  wallet: "Через кошелёк",
  signOut: "Выйти",
  vote: "Голосовать за проекты этого района",
  add: "Добавить в бюллетень",
  confirm: "Подтвердить голос",
};
const EN = {
  signIn: "Sign in",
  wallet: "With a wallet",
  signOut: "Sign out",
  vote: "Vote for this district's projects",
  add: "Add to the ballot",
  confirm: "Confirm the vote",
};

/** Sets the amounts on the open ballot and goes to the review page. */
async function fillAndReview(page: Page, amounts: [number, string][], labels = RU): Promise<void> {
  for (const [projectId, text] of amounts) await setAmount(page, projectId, text, labels.add);
  await page.getByTestId("review").click();
  await page.getByTestId("review-page").waitFor();
}

/**
 * Confirms the reviewed ballot and returns every state the status line went through, recorded in the page as it
 * changed, so that a "counted" shown too early cannot slip between two polls of the test.
 */
async function confirmAndRecord(page: Page, labels = RU): Promise<string[]> {
  await page.evaluate(() => {
    const seen: string[] = [];
    // No named function in here: the bundler would wrap it in a helper the page does not have.
    new MutationObserver(() => {
      const status = document.querySelector("[data-tx]");
      if (!status) return;
      const relay = status.getAttribute("data-relay");
      const state = status.getAttribute("data-tx") + (relay ? `:${relay}` : "");
      if (seen[seen.length - 1] !== state) seen.push(state);
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-tx", "data-relay"],
    });
    (window as unknown as { kopilkaSeen: string[] }).kopilkaSeen = seen;
  });
  await page.getByRole("button", { name: labels.confirm }).click();
  await page.locator('[data-tx="confirmed"], [data-tx="failed"]').first().waitFor();
  return page.evaluate(() => (window as unknown as { kopilkaSeen: string[] }).kopilkaSeen);
}

/** The relayed path's states: signing, queued (maybe submitted), and only then counted. */
function assertRelayedInOrder(seen: string[]): void {
  assert.deepEqual(
    seen.filter((state) => state !== "relaying:submitted"),
    ["signing", "relaying:queued", "confirmed"],
    `states seen: ${seen.join(" -> ")}`,
  );
}

async function depositOf(projectId: number, voter: string): Promise<bigint> {
  const project = await round.round.project(projectId);
  return round.round.depositOf(project.bank, voter);
}

async function relayedBallot(voter: string, nonce: number) {
  const response = await fetch(`${relayer.url}/ballots/${voter}/${nonce}`);
  return (await response.json()) as { status: string; transactionHash?: string };
}

const receiptKinds = (page: Page) =>
  page.locator('[data-tx="confirmed"] tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.kind));

describe("Voting without ether through the relayer", () => {
  let page: Page;
  const voter = () => round.voters.district0;
  const d0 = () => round.projectIds[0];

  it("signs a resident's first vote, has the relayer pay for it, and counts it only once applied", async () => {
    await emptyEtherBalance(round, voter().address);
    page = await walletPage(voter());
    await openBallot(page, 0);
    await openBallotDetails(page);
    await page.getByText("Рубли для голосования придут вместе с первым голосом").waitFor();
    await fillAndReview(page, [
      [d0()[0], "6000"],
      [d0()[1], "3000"],
    ]);
    assertRelayedInOrder(await confirmAndRecord(page));

    await page
      .locator('[data-tx="confirmed"] [data-path="relayer"]')
      .filter({ hasText: "Запись голоса бесплатна для вас: её оплатила комиссия" })
      .waitFor();
    assert.equal(await depositOf(d0()[0], voter().address), rub(6000));
    assert.equal(await depositOf(d0()[1], voter().address), rub(3000));
    assert.equal(await round.token.balanceOf(voter().address), rub(1000));
    assert.equal(await round.node.provider.getBalance(voter().address), 0n, "the resident spent no ether");
    const ballot = await relayedBallot(voter().address, 0);
    assert.equal(ballot.status, "applied");
    const sent = await round.node.provider.getTransaction(ballot.transactionHash!);
    assert.equal(sent!.from, hardhatAccount(RELAYER_ACCOUNT).address, "the relayer sent the transaction");
    assert.deepEqual(await receiptKinds(page), ["claim", "deposit", "deposit"]);
    await screenshots(page, "relayed-receipt");
  });

  it("shows the relayed vote on the verification page", async () => {
    await page.getByRole("link", { name: "Проверить этот голос" }).click();
    await page.waitForURL(new RegExp(`/verify\\?q=${voter().address}$`, "i"));
    const rows = page.locator(".verify-result tbody tr");
    await rows.nth(2).waitFor();
    assert.deepEqual(await rows.evaluateAll((r) => r.map((x) => (x as HTMLElement).dataset.kind)), [
      "claim",
      "deposit",
      "deposit",
    ]);
    for (const projectId of d0().slice(0, 2)) {
      await page
        .locator(`.holdings [data-project="${projectId}"]`)
        .filter({ hasText: ru(await depositOf(projectId, voter().address)) })
        .waitFor();
    }
    await screenshots(page, "relayed-verify");
  });

  it("counts nothing when the resident refuses to sign, then relays a change of mind", async () => {
    await openBallot(page, 0, RU, true);
    await page.getByText(`Ваши рубли для голосования: ${ru(round.allowance)}`).waitFor();
    await fillAndReview(page, [
      [d0()[0], "5000"],
      [d0()[2], "1000"],
    ]);
    await page.getByText(`Вы забираете ${ru(rub(1000))}`).waitFor();

    await page.evaluate(() => ((window as unknown as { kopilkaRejectNext: boolean }).kopilkaRejectNext = true));
    await page.getByRole("button", { name: RU.confirm }).click();
    await page.locator('[data-tx="rejected"]').waitFor();
    assert.equal((await fetch(`${relayer.url}/ballots/${voter().address}/1`)).status, 404, "nothing was relayed");
    assert.equal(await depositOf(d0()[0], voter().address), rub(6000));

    assertRelayedInOrder(await confirmAndRecord(page));
    await page.locator('[data-tx="confirmed"] [data-path="relayer"]').waitFor();
    assert.equal(await depositOf(d0()[0], voter().address), rub(5000));
    assert.equal(await depositOf(d0()[1], voter().address), rub(3000));
    assert.equal(await depositOf(d0()[2], voter().address), rub(1000));
    assert.equal((await relayedBallot(voter().address, 1)).status, "applied");
    assert.deepEqual(await receiptKinds(page), ["withdrawal", "deposit"]);
    assert.equal(await round.node.provider.getBalance(voter().address), 0n);
    await screenshots(page, "relayed-change");
  });

  it("lets a resident who has ether pay the gas themselves, and says so in English too", async () => {
    const resident = round.voters.anyDistrict;
    const own = await walletPage(resident);
    await own.goto(site.url + "/");
    await own.getByRole("button", { name: "English" }).click();
    // The English strings load lazily and the choice is stored once they are in: wait for them before moving on.
    await own.getByRole("banner").getByRole("button", { name: EN.signIn }).waitFor();
    await openBallot(own, 1, EN);
    await fillAndReview(own, [[round.projectIds[1][0], "2500"]], EN);
    const seen = await confirmAndRecord(own, EN);
    assert.deepEqual(seen, ["signing", "pending", "confirmed"], `states seen: ${seen.join(" -> ")}`);
    await own
      .locator('[data-tx="confirmed"] [data-path="direct"]')
      .filter({ hasText: "You paid for recording the vote yourself." })
      .waitFor();
    assert.equal(await depositOf(round.projectIds[1][0], resident.address), rub(2500));
    assert.equal((await fetch(`${relayer.url}/ballots/${resident.address}/0`)).status, 404, "no ballot relayed");
    await screenshots(own, "direct-path-en");
  });
});
