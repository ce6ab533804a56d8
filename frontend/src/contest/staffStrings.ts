/**
 * Strings of the committee's screening page and the experts' scoring page, added to i18next when that chunk loads.
 * Staff pages may use precise terms (wallet, signature); the residents' words test does not scan them.
 */
import i18n from "i18next";

const ru = {
  contestStaff: {
    screening: {
      title: "Отбор заявок",
      intro:
        "Комиссия допускает заявку к оценке экспертов, возвращает её на доработку или отклоняет. Причина публикуется, её хеш записывается в контракт конкурса.",
      notCommittee: "У подключённого кошелька нет роли комиссии в этом конкурсе.",
      none: "Нет заявок, ждущих решения.",
      reason: "Причина (для возврата или отклонения)",
      admit: "Допустить к оценке",
      return: "Вернуть на доработку",
      reject: "Отклонить",
      needReason: "Напишите причину: она будет опубликована.",
      group: "Группа: {{count}} из {{needed}}",
      decide: "Записать итоги оценки",
      decideHint: "После окончания оценки любой может записать итоги допущенных заявок.",
    },
    scoring: {
      title: "Оценка заявок",
      intro:
        "Эксперт оценивает каждую допущенную заявку по каждому критерию и подписывает оценочный лист кошельком. Лист записывается в контракт конкурса; оценить заявку можно один раз.",
      notExpert: "Подключённый кошелёк не входит в список экспертов конкурса.",
      none: "Нет заявок, ждущих вашей оценки.",
      criterion: "{{name}} (0–{{max}}, вес {{weight}})",
      comment: "Комментарий",
      noConflict: "Заявляю об отсутствии конфликта интересов",
      sign: "Подписать оценочный лист",
      signing: "Подтвердите подпись в кошельке…",
      sent: "Оценочный лист записан.",
      scored: "Вы уже оценили эту заявку.",
    },
    round: {
      title: "Голосование по итогам конкурса",
      intro:
        "Итоги записаны. Создайте раунд голосования: его районы — районы конкурса, его проекты — ровно прошедшие отбор заявки, в их последних редакциях. Каждый проект ссылается на свою заявку, и проверка (kopilka audit --contest) это сверяет.",
      none: "Ни одна заявка не прошла отбор: проектов для голосования нет.",
      passed_one: "Проекты голосования: {{count}} прошедшая отбор заявка",
      passed_few: "Проекты голосования: {{count}} прошедшие отбор заявки",
      passed_many: "Проекты голосования: {{count}} прошедших отбор заявок",
      passed_other: "Проекты голосования: {{count}} прошедшей отбор заявки",
      initiative: "Заявка № {{number}}: {{title}} ({{district}}, {{cost}})",
    },
    failed: "Не получилось: {{reason}}",
  },
};

const en: typeof ru = {
  contestStaff: {
    screening: {
      title: "Screening",
      intro:
        "The committee admits an application to the experts' review, returns it for changes or rejects it. The reason is published and its hash recorded in the contest contract.",
      notCommittee: "The connected wallet does not hold the contest's committee role.",
      none: "No application is waiting for a decision.",
      reason: "Reason (to return or reject)",
      admit: "Admit to review",
      return: "Return for changes",
      reject: "Reject",
      needReason: "Write the reason: it will be published.",
      group: "Group: {{count}} of {{needed}}",
      decide: "Record the review's outcomes",
      decideHint: "Once the review has closed, anyone may record the outcomes of the admitted applications.",
    },
    scoring: {
      title: "Scoring",
      intro:
        "An expert scores each admitted application on every criterion and signs the score sheet with their wallet. The sheet is recorded in the contest contract; an application is scored once.",
      notExpert: "The connected wallet is not one of the contest's experts.",
      none: "No application is waiting for your score.",
      criterion: "{{name}} (0–{{max}}, weight {{weight}})",
      comment: "Comment",
      noConflict: "I declare that I have no conflict of interest",
      sign: "Sign the score sheet",
      signing: "Confirm the signature in your wallet…",
      sent: "The score sheet is recorded.",
      scored: "You have scored this application.",
    },
    round: {
      title: "The vote from the contest's outcome",
      intro:
        "The outcomes are recorded. Create the round: its districts are the contest's, its projects exactly the applications that passed, in their final versions. Each project names its application, which the audit (kopilka audit --contest) checks.",
      none: "No application passed: there are no projects to vote on.",
      passed_one: "The round's projects: {{count}} application that passed",
      passed_few: "The round's projects: {{count}} applications that passed",
      passed_many: "The round's projects: {{count}} applications that passed",
      passed_other: "The round's projects: {{count}} applications that passed",
      initiative: "Application No. {{number}}: {{title}} ({{district}}, {{cost}})",
    },
    failed: "That did not work: {{reason}}",
  },
};

let added = false;

export function addContestStaffStrings(): void {
  if (added) return;
  added = true;
  i18n.addResourceBundle("ru", "translation", ru, true, false);
  i18n.addResourceBundle("en", "translation", en, true, false);
}
