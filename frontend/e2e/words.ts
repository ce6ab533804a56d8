/**
 * The words a resident must never meet on the residents' pages: crypto terms in Russian and English. A pattern
 * matches at the start of a word (any ending: "токены", "транзакцией"), or the whole word where a stem would also hit
 * plain words ("газ" but not "газон", "ether" but not "whether").
 */
export const FORBIDDEN: readonly { word: string; pattern: RegExp }[] = [
  ["кошелёк", /(?<!\p{L})кошел[её]к|(?<!\p{L})кошельк/iu],
  ["токен", /(?<!\p{L})токен/iu],
  ["транзакция", /(?<!\p{L})транзакц/iu],
  ["газ", /(?<!\p{L})газ(а|у|ом|е)?(?!\p{L})/iu],
  ["блок", /(?<!\p{L})блок(а|у|ом|е|и|ов|ам|ах|чейн\p{L}*)?(?!\p{L})/iu],
  ["хеш", /(?<!\p{L})х[еэ]ш/iu],
  ["адрес", /(?<!\p{L})адрес/iu],
  ["подпись", /(?<!\p{L})подпи[сш]/iu],
  ["эфир", /(?<!\p{L})эфир/iu],
  ["ретранслятор", /(?<!\p{L})ретранслятор/iu],
  ["блокчейн", /блокчейн/iu],
  ["смарт-контракт", /смарт-?контракт/iu],
  ["крипто", /(?<!\p{L})крипт/iu],
  ["майнинг", /(?<!\p{L})майн/iu],
  ["wallet", /\bwallets?\b/i],
  ["token", /\btokens?\b/i],
  ["transaction", /\btransactions?\b/i],
  ["gas", /\bgas\b/i],
  ["block", /\bblocks?\b/i],
  ["hash", /\bhash/i],
  ["address", /\baddress(es)?\b/i],
  ["signature", /\bsignatures?\b|\bsign (the|this) (ballot|message)/i],
  ["ether", /\bether\b|\beth\b|\bgwei\b|\bwei\b/i],
  ["relayer", /\brelayers?\b/i],
  ["blockchain", /blockchain/i],
  ["on-chain", /\bon-?chain\b/i],
  ["crypto", /\bcrypto/i],
  ["nonce", /\bnonce\b/i],
  ["merkle", /\bmerkle\b/i],
  ["smart contract", /smart contract/i],
].map(([word, pattern]) => ({ word: word as string, pattern: pattern as RegExp }));

/** Each forbidden word `text` holds, with the text around it. */
export function forbiddenIn(text: string): string[] {
  const found: string[] = [];
  for (const { word, pattern } of FORBIDDEN) {
    const match = pattern.exec(text);
    if (match) found.push(`${word}: "…${text.slice(Math.max(0, match.index - 30), match.index + 30)}…"`);
  }
  return found;
}

/** Every string of a locale object with its key path, leaving out the keys in `except`. */
export function strings(value: unknown, except: readonly string[] = [], at = ""): [string, string][] {
  if (except.includes(at)) return [];
  if (typeof value === "string") return [[at, value]];
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, inner]) => strings(inner, except, at === "" ? key : `${at}.${key}`));
  }
  return [];
}
