/** What the browser test files share about pages: opening one, the accessibility check, connecting the wallet. */
import assert from "node:assert/strict";

import AxeBuilder from "@axe-core/playwright";
import type { HDNodeWallet } from "ethers";
import type { Browser, Page } from "playwright-core";

import { installTestWallet } from "./wallet.js";

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    "axe found serious or critical violations",
  );
}

/** Signs in with the injected test wallet through the header's button and the wallet's screen (Russian interface). */
export async function connect(page: Page): Promise<void> {
  await page.getByRole("banner").getByRole("button", { name: "Войти" }).click();
  await chooseTestWallet(page);
}

/** In the open sign-in dialog: the wallet option, then the test wallet; waits until the header says who is in. */
export async function chooseTestWallet(
  page: Page,
  labels = { wallet: "Через кошелёк", signOut: "Выйти" },
): Promise<void> {
  await page.getByRole("dialog").getByRole("button", { name: labels.wallet }).click();
  await page.getByRole("button", { name: "Kopilka Test Wallet" }).click();
  await page.getByRole("banner").getByRole("button", { name: labels.signOut }).waitFor();
}

export interface PageOptions {
  /** The injected test wallet's key; no wallet when omitted. */
  wallet?: HDNodeWallet;
  rpcUrl: string;
  /** The node's chain id. */
  chainId: number;
  /** The chain the wallet starts on (another one tests the wrong-network prompt). */
  startChainId?: number;
  timezoneId?: string;
  timeout?: number;
  /** The viewport's width; 1280 when omitted (a phone is 360). */
  width?: number;
}

/** A page of its own browser context (axe needs that), 1280x900 unless told the width, Russian locale. */
export async function openPage(browser: Browser, options: PageOptions): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.width && options.width < 600 ? 760 : 900 },
    locale: "ru-RU",
    timezoneId: options.timezoneId ?? "Europe/Volgograd",
  });
  if (options.wallet) {
    await installTestWallet(context, {
      wallet: options.wallet,
      rpcUrl: options.rpcUrl,
      startChainId: options.startChainId ?? options.chainId,
      nodeChainId: options.chainId,
    });
  }
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeout ?? 30_000);
  return page;
}

/** Opens the details of the ballot's bar (one line on a phone until tapped): the allowance, the presets, closing. */
export async function openBallotDetails(page: Page): Promise<void> {
  const summary = page.getByTestId("ballot").locator("button[aria-expanded]");
  if ((await summary.getAttribute("aria-expanded")) !== "true") await summary.click();
}

/** A project's card on a district page, its amount field, and adding it to the open ballot. */
export const card = (page: Page, projectId: number) => page.locator(`.projects [data-project="${projectId}"]`);
export const amountField = (page: Page, projectId: number) => card(page, projectId).locator(".stepper input");

/** Types `text` as the amount for a project, adding the project to the ballot first if it is not on it. */
export async function setAmount(
  page: Page,
  projectId: number,
  text: string,
  add = "Добавить в бюллетень",
): Promise<void> {
  if ((await amountField(page, projectId).count()) === 0) {
    await card(page, projectId).getByRole("button", { name: add }).click();
  }
  await amountField(page, projectId).fill(text);
}
