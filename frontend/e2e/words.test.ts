/**
 * The residents' words: every string of both locales of the residents' pages is free of crypto words. The wallet's
 * own optional screen (`walletOption`) may name the wallet; the committee's and observers' strings
 * (src/staff/strings.ts) may use precise terms. The browser tests also scan each citizen page's visible text.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { en } from "../src/locales/en.js";
import { ru } from "../src/locales/ru.js";
import { forbiddenIn, strings } from "./words.js";

/** The only part of the residents' strings that may name the wallet: its own optional screen. */
const WALLET_SCREEN = ["walletOption"];

describe("The residents' words", () => {
  for (const [name, locale] of [
    ["Russian", ru],
    ["English", en],
  ] as const) {
    it(`holds no crypto word in the ${name} strings of the residents' pages`, () => {
      const all = strings(locale, WALLET_SCREEN);
      assert.ok(all.length > 150, `${all.length} strings scanned`);
      const found = all.flatMap(([key, text]) => forbiddenIn(text).map((hit) => `${key}: ${hit}`));
      assert.deepEqual(found, []);
    });
  }

  it("catches each forbidden word, and not the plain words that contain one", () => {
    for (const text of [
      "Подключите кошелёк",
      "ваши токены",
      "одной транзакцией",
      "оплатили газ",
      "учтён в блоке 338",
      "хеш транзакции",
      "Адрес копилки",
      "подпишите бюллетень",
      "эфир не нужен",
      "через ретранслятор",
      "в блокчейне",
      "Connect wallet",
      "paid the gas",
      "one transaction",
      "its hash",
      "the address",
      "the relayer",
      "no ether needed",
      "on-chain",
    ]) {
      assert.notDeepEqual(forbiddenIn(text), [], text);
    }
    for (const text of ["газон у школы", "газета", "магазин", "блокнот", "whether", "together", "ethics"]) {
      assert.deepEqual(forbiddenIn(text), [], text);
    }
  });
});
