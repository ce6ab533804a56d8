/**
 * A phone number as the resident types it: Russian numbers first (`8 916 …`, `+7 916 …`, `916 …`), read with
 * libphonenumber-js. The page only checks that it is a possible number and shows it back formatted; the service
 * decides with its full metadata (mobile only, which countries) and its refusals are shown as they are.
 */
import { AsYouType, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";

export type PhoneReading = { e164: string; national: string } | { error: "empty" | "invalid" };

export function readPhone(input: string, country: string = "RU"): PhoneReading {
  if (input.trim() === "") return { error: "empty" };
  const parsed = parsePhoneNumberFromString(input, country as CountryCode);
  if (!parsed || !parsed.isValid()) return { error: "invalid" };
  return { e164: parsed.number, national: parsed.formatInternational() };
}

/** The number formatted while it is typed (`+7 916 123-45-67`). */
export function formatTyping(input: string, country: string = "RU"): string {
  return new AsYouType(country as CountryCode).input(input);
}
