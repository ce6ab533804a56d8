/**
 * Every refusal of the enrollment service: a stable code the dApp may branch on, the HTTP status, and a message in
 * plain Russian (and English) that the dApp shows as it is. Codes never change meaning; new ones may be added.
 */

export interface Refusal {
  status: number;
  ru: string;
  en: string;
}

export const REFUSALS = {
  "bad-request": {
    status: 400,
    ru: "Запрос не распознан. Обновите страницу и попробуйте ещё раз.",
    en: "The request was not understood. Reload the page and try again.",
  },
  "phone-invalid": {
    status: 400,
    ru: "Проверьте номер телефона: в нём не хватает цифр или есть лишние.",
    en: "Check the phone number: digits are missing or there are too many.",
  },
  "phone-not-mobile": {
    status: 400,
    ru: "Нужен номер мобильного телефона: на него придёт СМС с кодом.",
    en: "A mobile number is needed: the code comes by SMS.",
  },
  "phone-country": {
    status: 400,
    ru: "Номера телефонов этой страны не принимаются.",
    en: "Phone numbers of this country are not accepted.",
  },
  "code-cooldown": {
    status: 429,
    ru: "Код уже отправлен. Новый код можно запросить через {seconds} с.",
    en: "A code was just sent. You can ask for a new one in {seconds} s.",
  },
  "phone-daily-limit": {
    status: 429,
    ru: "На этот номер сегодня уже отправлено много кодов. Попробуйте завтра.",
    en: "Too many codes were sent to this number today. Try again tomorrow.",
  },
  "client-limit": {
    status: 429,
    ru: "Слишком много запросов с этого устройства или из этой сети. Попробуйте позже.",
    en: "Too many requests from this device or network. Try again later.",
  },
  "sms-budget": {
    status: 503,
    ru: "Сейчас отправляется слишком много СМС. Попробуйте через несколько минут.",
    en: "Too many SMS are being sent right now. Try again in a few minutes.",
  },
  "sms-failed": {
    status: 502,
    ru: "Не удалось отправить СМС. Попробуйте ещё раз через минуту.",
    en: "The SMS could not be sent. Try again in a minute.",
  },
  "code-missing": {
    status: 400,
    ru: "Сначала запросите код: он придёт в СМС.",
    en: "Ask for a code first: it comes by SMS.",
  },
  "code-expired": {
    status: 400,
    ru: "Срок действия кода истёк. Запросите новый код.",
    en: "The code has expired. Ask for a new one.",
  },
  "code-wrong": {
    status: 400,
    ru: "Код неверный. Осталось попыток: {attemptsLeft}.",
    en: "Wrong code. Attempts left: {attemptsLeft}.",
  },
  "code-locked": {
    status: 429,
    ru: "Слишком много неверных кодов. Попробуйте через {minutes} мин.",
    en: "Too many wrong codes. Try again in {minutes} min.",
  },
  "district-required": {
    status: 400,
    ru: "Выберите свой район.",
    en: "Choose your district.",
  },
  "district-unknown": {
    status: 400,
    ru: "Такого района нет в этом голосовании.",
    en: "This vote has no such district.",
  },
  "key-invalid": {
    status: 400,
    ru: "Этот браузер не смог подготовиться к голосованию. Обновите страницу и попробуйте ещё раз.",
    en: "This browser could not get ready to vote. Reload the page and try again.",
  },
  "key-taken": {
    status: 409,
    ru: "В этом браузере уже записан другой номер телефона.",
    en: "This browser is already enrolled with another phone number.",
  },
  "key-replaced": {
    status: 409,
    ru: "С этим номером записано другое устройство, поэтому этот браузер голосовать не может. Обновите страницу, чтобы записаться с него заново.",
    en: "This number has enrolled another device, so this browser cannot vote. Reload the page to enroll it again.",
  },
  "already-voted": {
    status: 409,
    ru: "С этим номером уже проголосовали на другом устройстве. Голос учтён; изменить его можно только там.",
    en: "This number has already voted from another device. The vote counts; it can only be changed there.",
  },
  "capacity-reached": {
    status: 409,
    ru: "Запись закончилась: бюджета голосования хватает только тем, кто уже записался.",
    en: "Enrollment is over: the budget covers only the residents already enrolled.",
  },
  "round-closed": {
    status: 409,
    ru: "Голосование завершено, запись закрыта.",
    en: "Voting has ended; enrollment is closed.",
  },
  "contest-closed": {
    status: 409,
    ru: "Конкурс инициатив завершён, вход по номеру телефона для него закрыт.",
    en: "The contest of initiatives is over; signing in by phone for it is closed.",
  },
  "not-found": {
    status: 404,
    ru: "Запись не найдена.",
    en: "No such enrollment.",
  },
  "too-many-requests": {
    status: 429,
    ru: "Слишком много запросов. Подождите немного и попробуйте снова.",
    en: "Too many requests. Wait a little and try again.",
  },
} as const satisfies Record<string, Refusal>;

export type RefusalCode = keyof typeof REFUSALS;

/** The body of a refusal: `{code, message, messageEn, ...details}`, with `{name}` in the messages filled in. */
export function refusalBody(code: RefusalCode, details: Record<string, string | number> = {}) {
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, name: string) => String(details[name] ?? ""));
  return { code, message: fill(REFUSALS[code].ru), messageEn: fill(REFUSALS[code].en), ...details };
}
