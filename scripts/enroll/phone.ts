/**
 * Which number is "the same resident": the E.164 form of a mobile number of an accepted country, after
 * libphonenumber-js with its full metadata (`/max`, the only one that tells mobile numbers from fixed lines,
 * toll-free and premium ones). `8 (903) 123-45-67`, `+7 903 123 45 67` and `89031234567` are all `+79031234567`;
 * `8 (701) ...` is a Kazakh number and refused unless KZ is accepted.
 */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";

export type PhoneRefusal = "phone-invalid" | "phone-not-mobile" | "phone-country";

/** The E.164 number of `input`, read with the first of `countries` as the default, or why it is refused. */
export function normalizePhone(
  input: string,
  countries: readonly string[],
): { phone: string } | { refusal: PhoneRefusal } {
  const parsed = parsePhoneNumberFromString(input, countries[0] as CountryCode);
  if (!parsed || !parsed.isValid()) return { refusal: "phone-invalid" };
  if (!parsed.country || !countries.includes(parsed.country)) return { refusal: "phone-country" };
  const type = parsed.getType();
  if (type !== "MOBILE" && type !== "FIXED_LINE_OR_MOBILE") return { refusal: "phone-not-mobile" };
  return { phone: parsed.number };
}
