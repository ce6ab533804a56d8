import i18n from "i18next";
import { initReactI18next } from "react-i18next";

import { ru } from "./locales/ru.js";

const STORAGE_KEY = "kopilka.language";

interface MissingTranslations {
  kopilkaMissingTranslations?: string[];
}

/** English is fetched only by those who read it. */
async function loadEnglish(): Promise<void> {
  // Not hasResourceBundle: a lazily loaded page may already have added its own English strings.
  if (i18n.getResource("en", "translation", "app.name") === undefined) {
    i18n.addResourceBundle("en", "translation", (await import("./locales/en.js")).en);
  }
}

/** Russian unless the reader chose English here before; resolves when the chosen language is ready. */
export async function setupI18n(): Promise<void> {
  const saved = localStorage.getItem(STORAGE_KEY);
  await i18n.use(initReactI18next).init({
    resources: { ru: { translation: ru } },
    lng: "ru",
    fallbackLng: "ru",
    interpolation: { escapeValue: false },
    returnObjects: true,
    // A key no locale holds shows as itself ("phase.1"): each is kept where the browser tests read it on every page
    // they save (frontend/e2e/browser.ts), so a misspelt or forgotten key fails a test instead of reaching a reader.
    saveMissing: true,
    missingKeyHandler: (_languages, _namespace, key) => {
      const seen = ((globalThis as MissingTranslations).kopilkaMissingTranslations ??= []);
      if (!seen.includes(key)) seen.push(key);
    },
  });
  if (saved === "en") {
    await loadEnglish();
    await i18n.changeLanguage("en");
  }
  document.documentElement.lang = i18n.language;
}

export async function switchLanguage(): Promise<void> {
  const next = i18n.language === "en" ? "ru" : "en";
  if (next === "en") await loadEnglish();
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  await i18n.changeLanguage(next);
}
