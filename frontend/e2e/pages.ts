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

/** Connects the injected test wallet through the header's button (Russian interface). */
export async function connect(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Подключить кошелёк" }).first().click();
  await page.getByRole("button", { name: "Kopilka Test Wallet" }).click();
  await page.getByRole("banner").getByRole("button", { name: "Отключить" }).waitFor();
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
}

/** A page of its own browser context (axe needs that), a phone-independent 1280x900 viewport, Russian locale. */
export async function openPage(browser: Browser, options: PageOptions): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
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
