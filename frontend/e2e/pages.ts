/** What the browser test files share about pages: the accessibility check and connecting the test wallet. */
import assert from "node:assert/strict";

import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";

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
