/**
 * A new contest of initiatives from the committee's page: the form becomes the contest spec that
 * `kopilka contest create --spec` reads, checked by the same core function (`parseContestSpec`), and the template
 * document and the factory's `ContestConfig` are made by the same core builders (`contestTemplateOf`,
 * `contestConfigOf`). The template is stored in the resident services' content store under its hash, then the
 * committee's wallet sends the contest factory's `createContest`.
 */
import i18n from "i18next";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import { isAddress, parseEventLogs, type Abi, type Address } from "viem";
import { getBlock, getCode } from "viem/actions";

import { contestFactoryAbi } from "@kopilka/core/abi";
import { contestConfigOf, contestTemplateOf, parseContestSpec, type ContestManifest } from "@kopilka/core/contestSpec";
import { InputError, type InputProblem } from "@kopilka/core/spec";
import { useChainEnvironment } from "../chain.js";
import "../contest/contest.css";
import { ContentRefusal, uploadContent } from "../contest/content.js";
import { servicesOf } from "../resident/enrollApi.js";
import { Download } from "../staff/download.js";
import { problemText, STAFF_TX_WORDS } from "../staff/strings.js";
import { TxStatus, useTransaction } from "../wallet/wallet.js";

const ru = {
  contestCreate: {
    title: "Новый конкурс инициатив",
    intro:
      "Правила конкурса (сроки, районы, критерии, проходной балл, эксперты) записываются в контракт конкурса при создании и больше не меняются. Шаблон конкурса (названия районов и критериев) публикуется в хранилище документов сервисов жителей; контракт хранит его хеш — отпечаток, по которому любой проверит, что файл не изменён.",
    factory: "Адрес фабрики конкурсов (контракта, который создаёт конкурсы)",
    name: "Название конкурса",
    opensAt: "Приём заявок открывается (местное время)",
    closesAt: "Приём заявок закрывается (местное время)",
    reviewAt: "Оценка экспертов заканчивается (местное время)",
    districts: "Районы, по одному в строке (те же и в том же порядке, что в голосовании)",
    minGroup: "Минимальная инициативная группа (жителей, вместе с автором)",
    minSheets: "Минимум оценочных листов экспертов на заявку",
    criteria: "Критерии оценки",
    criterionName: "Критерий {{n}}: название",
    criterionWeight: "Критерий {{n}}: вес",
    criterionMax: "Критерий {{n}}: наибольший балл",
    addCriterion: "Добавить критерий",
    removeCriterion: "Удалить критерий {{n}}",
    passMark: "Проходной балл, % от наибольшего",
    experts: "Адреса кошельков экспертов, по одному в строке",
    registrar: "Адрес регистратора жителей (необязательно; без него — ваш кошелёк)",
    open: "Заполнить правила конкурса",
    check: "Проверить",
    submit: "Создать конкурс",
    uploading: "Публикуем шаблон конкурса…",
    problems_one: "Исправьте {{count}} поле:",
    problems_few: "Исправьте {{count}} поля:",
    problems_many: "Исправьте {{count}} полей:",
    problems_other: "Исправьте {{count}} поля:",
    checked: "Всё заполнено верно. Шаблон: {{hash}}",
    noServices: "В настройках сайта нет адреса сервисов жителей (servicesUrl): шаблон негде опубликовать.",
    uploadFailed: "Хранилище не приняло шаблон: {{reason}}",
    inPast: "приём заявок должен открыться позже текущего времени сети",
    notFactory: "это не адрес контракта",
    created: "Конкурс «{{name}}» создан: {{address}}",
    next: "Дальше:",
    nextServices:
      "Запустите сервисы жителей для этого конкурса: npm run services -- --contest {{address}} (запишите contest: {{address}} и contestFromBlock: {{block}} в kopilka.config.json).",
    nextFiles: "Опубликуйте файлы конкурса в каталоге {{dir}}:",
    nextResidents:
      "Добавьте жителей: kopilka contest residents --contest {{address}} --csv residents.csv, или вход по телефону.",
    nextPages: "Страницы конкурса для жителей:",
    fields: {
      factory: "Адрес фабрики конкурсов",
      name: "Название конкурса",
      submissionsOpenAt: "Открытие приёма заявок",
      submissionsCloseAt: "Закрытие приёма заявок",
      reviewClosesAt: "Окончание оценки",
      districts: "Районы",
      categories: "Категории",
      criteria: "Критерии оценки",
      criterion: "Критерий {{n}}",
      passMarkPercent: "Проходной балл",
      minGroup: "Минимальная инициативная группа",
      minSheets: "Минимум оценочных листов",
      experts: "Эксперты",
      expert: "Эксперт {{n}}",
      registrar: "Регистратор жителей",
    },
  },
};

const en = {
  contestCreate: {
    title: "New contest of initiatives",
    intro:
      "The contest's rules (schedule, districts, criteria, pass mark, experts) are written into the contest's contract when it is created and never change. Its template (the names of districts and criteria) is published in the resident services' content store; the contract keeps its hash.",
    factory: "Contest factory address",
    name: "Contest name",
    opensAt: "Submissions open (local time)",
    closesAt: "Submissions close (local time)",
    reviewAt: "Expert review closes (local time)",
    districts: "Districts, one a line (the round's, in its order)",
    minGroup: "Minimum initiative group (residents, the author included)",
    minSheets: "Minimum expert score sheets per initiative",
    criteria: "Criteria",
    criterionName: "Criterion {{n}}: name",
    criterionWeight: "Criterion {{n}}: weight",
    criterionMax: "Criterion {{n}}: maximum score",
    addCriterion: "Add a criterion",
    removeCriterion: "Remove criterion {{n}}",
    passMark: "Pass mark, % of the maximum",
    experts: "Experts' wallet addresses, one a line",
    registrar: "Residents' registrar address (optional; your wallet without it)",
    open: "Fill in the contest's rules",
    check: "Check",
    submit: "Create the contest",
    uploading: "Publishing the template…",
    problems_one: "Fix {{count}} field:",
    problems_other: "Fix {{count}} fields:",
    checked: "Everything is filled in. Template: {{hash}}",
    noServices: "The site's config has no resident services (servicesUrl): nowhere to publish the template.",
    uploadFailed: "The content store refused the template: {{reason}}",
    inPast: "submissions must open later than the chain's current time",
    notFactory: "not a contract's address",
    created: "Contest “{{name}}” created: {{address}}",
    next: "Next:",
    nextServices:
      "Start the resident services for this contest: npm run services -- --contest {{address}} (put contest: {{address}} and contestFromBlock: {{block}} in kopilka.config.json).",
    nextFiles: "Publish the contest's files in {{dir}}:",
    nextResidents:
      "Add residents: kopilka contest residents --contest {{address}} --csv residents.csv, or the phone sign-in.",
    nextPages: "The contest's pages for residents:",
    fields: {
      factory: "Contest factory address",
      name: "Contest name",
      submissionsOpenAt: "Submissions open",
      submissionsCloseAt: "Submissions close",
      reviewClosesAt: "Review closes",
      districts: "Districts",
      categories: "Categories",
      criteria: "Criteria",
      criterion: "Criterion {{n}}",
      passMarkPercent: "Pass mark",
      minGroup: "Minimum initiative group",
      minSheets: "Minimum score sheets",
      experts: "Experts",
      expert: "Expert {{n}}",
      registrar: "Residents' registrar",
    },
  },
};

let added = false;
function addStrings(): void {
  if (added) return;
  added = true;
  i18n.addResourceBundle("ru", "translation", ru, true, false);
  i18n.addResourceBundle("en", "translation", en, true, false);
}

interface CriterionRow {
  name: string;
  weight: string;
  maxScore: string;
}

interface Created {
  manifest: ContestManifest;
  template: Uint8Array;
}

/** `datetime-local` gives the reader's local time; the spec wants unix seconds. */
const seconds = (local: string): number | string => (local === "" ? "" : Math.floor(new Date(local).getTime() / 1000));
/** A whole number as typed, else the text itself, so that the spec's checker names it. */
const whole = (text: string): number | string => (/^\s*\d+\s*$/.test(text) ? Number(text) : text);
const lines = (text: string): string[] => text.split("\n").filter((line) => line.trim() !== "");

/** The field a spec problem is about, in the committee's words ("criteria[1].weight" → "Критерий 2: вес"). */
function fieldLabel(where: string | undefined, t: TFunction): string {
  if (!where) return "";
  const criterion = /^criteria\[(\d+)\]\.(\w+)$/.exec(where);
  if (criterion) {
    const n = Number(criterion[1]) + 1;
    const key = { name: "criterionName", weight: "criterionWeight", maxScore: "criterionMax" }[criterion[2]];
    return key ? t(`contestCreate.${key}`, { n }) : t("contestCreate.fields.criterion", { n });
  }
  const expert = /^experts\[(\d+)\]$/.exec(where);
  if (expert) return t("contestCreate.fields.expert", { n: Number(expert[1]) + 1 });
  if (where === "roles.registrar") return t("contestCreate.fields.registrar");
  return t(`contestCreate.fields.${where.replace(/\[.*$/, "")}`);
}

/** The committee page's section: the form, then the created contest. */
export function CreateContest({ account }: { account: Address }): ReactNode {
  addStrings();
  const { t } = useTranslation();
  return (
    <section className="card staff" aria-labelledby="create-contest-title">
      <h2 id="create-contest-title">{t("contestCreate.title")}</h2>
      <p>{t("contestCreate.intro")}</p>
      {/* Folded until asked for: a committee creates a contest once a year, and runs its round every day. */}
      <details>
        <summary>{t("contestCreate.open")}</summary>
        <ContestForm account={account} />
      </details>
    </section>
  );
}

function ContestForm({ account }: { account: Address }): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const services = servicesOf(env.config);
  const { tx, busy, send } = useTransaction(contestFactoryAbi as unknown as Abi, 300);
  const [factory, setFactory] = useState<string>(env.config.contestFactory ?? "");
  const [name, setName] = useState("");
  const [opensAt, setOpensAt] = useState("");
  const [closesAt, setClosesAt] = useState("");
  const [reviewAt, setReviewAt] = useState("");
  const [districts, setDistricts] = useState("");
  const [minGroup, setMinGroup] = useState("3");
  const [minSheets, setMinSheets] = useState("2");
  const [criteria, setCriteria] = useState<CriterionRow[]>([{ name: "", weight: "1", maxScore: "10" }]);
  const [passMark, setPassMark] = useState("60");
  const [experts, setExperts] = useState("");
  const [registrar, setRegistrar] = useState("");
  const [problems, setProblems] = useState<InputProblem[]>();
  const [note, setNote] = useState<string>();
  const [created, setCreated] = useState<Created>();

  /** Every field checked as `kopilka contest create` checks its spec, plus the chain's clock and the factory's code. */
  const check = async () => {
    setNote(undefined);
    const raw = {
      name,
      submissionsOpenAt: seconds(opensAt),
      submissionsCloseAt: seconds(closesAt),
      reviewClosesAt: seconds(reviewAt),
      districts: lines(districts),
      criteria: criteria.map((c) => ({ name: c.name, weight: whole(c.weight), maxScore: whole(c.maxScore) })),
      passMarkPercent: whole(passMark),
      minGroup: whole(minGroup),
      minSheets: whole(minSheets),
      experts: lines(experts).map((line) => line.trim()),
      roles: registrar.trim() === "" ? {} : { registrar: registrar.trim() },
    };
    const found: InputProblem[] = [];
    let spec;
    try {
      spec = parseContestSpec(raw, "contest");
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      found.push(...error.problems);
    }
    const at = (where: string, message: string) => found.push({ file: "contest", where, message });
    if (!isAddress(factory.trim())) at("factory", t("contestCreate.notFactory"));
    else if (!(await getCode(env.client, { address: factory.trim() as Address }))) {
      at("factory", t("contestCreate.notFactory"));
    }
    if (spec) {
      const now = (await getBlock(env.client)).timestamp;
      if (spec.submissionsOpenAt <= now) at("submissionsOpenAt", t("contestCreate.inPast"));
    }
    setProblems(found);
    if (found.length > 0 || !spec) return undefined;
    const template = contestTemplateOf(spec);
    setNote(t("contestCreate.checked", { hash: template.hash }));
    return { spec, template };
  };

  const create = async (): Promise<void> => {
    const checked = await check();
    if (!checked) return;
    if (!services) {
      setNote(t("contestCreate.noServices"));
      return;
    }
    const { spec, template } = checked;
    setNote(t("contestCreate.uploading"));
    try {
      await uploadContent(services, template.bytes, "application/json");
    } catch (error) {
      setNote(
        t("contestCreate.uploadFailed", { reason: error instanceof ContentRefusal ? error.message : String(error) }),
      );
      return;
    }
    setNote(undefined);
    const address = factory.trim() as Address;
    const config = contestConfigOf(spec, account, template.hash);
    const receipts = await send([{ address, functionName: "createContest", args: [config] }]);
    if (!receipts) return;
    const [event] = parseEventLogs({ abi: contestFactoryAbi, logs: receipts[0].logs, eventName: "ContestCreated" });
    setCreated({
      template: template.bytes,
      manifest: {
        chainId: env.config.chainId,
        contest: event.args.contest,
        factory: address,
        fromBlock: Number(receipts[0].blockNumber),
        name: spec.name,
        districts: spec.districts,
        templateHash: template.hash,
      },
    });
  };

  if (created) return <CreatedContest created={created} />;
  const field = (label: string, input: ReactNode) => (
    <label className="field">
      <span>{label}</span>
      {input}
    </label>
  );
  const setCriterion = (i: number, change: Partial<CriterionRow>) =>
    setCriteria(criteria.map((c, j) => (j === i ? { ...c, ...change } : c)));
  return (
    <form
      className="staff-form"
      data-testid="create-contest"
      onSubmit={(e) => {
        e.preventDefault();
        void create();
      }}
    >
      {field(
        t("contestCreate.factory"),
        <input className="mono" value={factory} onChange={(e) => setFactory(e.target.value)} />,
      )}
      {field(t("contestCreate.name"), <input value={name} onChange={(e) => setName(e.target.value)} />)}
      {field(
        t("contestCreate.opensAt"),
        <input type="datetime-local" value={opensAt} onChange={(e) => setOpensAt(e.target.value)} />,
      )}
      {field(
        t("contestCreate.closesAt"),
        <input type="datetime-local" value={closesAt} onChange={(e) => setClosesAt(e.target.value)} />,
      )}
      {field(
        t("contestCreate.reviewAt"),
        <input type="datetime-local" value={reviewAt} onChange={(e) => setReviewAt(e.target.value)} />,
      )}
      {field(
        t("contestCreate.districts"),
        <textarea rows={4} value={districts} onChange={(e) => setDistricts(e.target.value)} />,
      )}
      {field(
        t("contestCreate.minGroup"),
        <input inputMode="numeric" value={minGroup} onChange={(e) => setMinGroup(e.target.value)} />,
      )}
      <fieldset>
        <legend>{t("contestCreate.criteria")}</legend>
        {criteria.map((c, i) => (
          <div className="district-row" key={i} data-criterion={i}>
            {field(
              t("contestCreate.criterionName", { n: i + 1 }),
              <input value={c.name} onChange={(e) => setCriterion(i, { name: e.target.value })} />,
            )}
            {field(
              t("contestCreate.criterionWeight", { n: i + 1 }),
              <input
                inputMode="numeric"
                value={c.weight}
                onChange={(e) => setCriterion(i, { weight: e.target.value })}
              />,
            )}
            {field(
              t("contestCreate.criterionMax", { n: i + 1 }),
              <input
                inputMode="numeric"
                value={c.maxScore}
                onChange={(e) => setCriterion(i, { maxScore: e.target.value })}
              />,
            )}
            {criteria.length > 1 && (
              <button type="button" className="link" onClick={() => setCriteria(criteria.filter((_, j) => j !== i))}>
                {t("contestCreate.removeCriterion", { n: i + 1 })}
              </button>
            )}
          </div>
        ))}
        <button type="button" onClick={() => setCriteria([...criteria, { name: "", weight: "1", maxScore: "10" }])}>
          {t("contestCreate.addCriterion")}
        </button>
      </fieldset>
      {field(
        t("contestCreate.passMark"),
        <input inputMode="numeric" value={passMark} onChange={(e) => setPassMark(e.target.value)} />,
      )}
      {field(
        t("contestCreate.minSheets"),
        <input inputMode="numeric" value={minSheets} onChange={(e) => setMinSheets(e.target.value)} />,
      )}
      {field(
        t("contestCreate.experts"),
        <textarea className="mono" rows={4} value={experts} onChange={(e) => setExperts(e.target.value)} />,
      )}
      {field(
        t("contestCreate.registrar"),
        <input className="mono" value={registrar} onChange={(e) => setRegistrar(e.target.value)} />,
      )}
      {problems && problems.length > 0 && (
        <div className="notice error" role="alert" data-testid="contest-problems">
          <p>{t("contestCreate.problems", { count: problems.length })}</p>
          <ul>
            {problems.map((p, i) => (
              <li key={i} data-where={p.where}>
                <strong>{fieldLabel(p.where, t)}</strong>: {problemText(p, t)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {note && (
        <p className="small" role="status" style={{ overflowWrap: "anywhere" }}>
          {note}
        </p>
      )}
      <div className="buttons">
        <button type="button" onClick={() => void check()} disabled={busy}>
          {t("contestCreate.check")}
        </button>
        <button type="submit" className="primary" disabled={busy} data-testid="create-contest-submit">
          {t("contestCreate.submit")}
        </button>
      </div>
      <TxStatus tx={tx} words={STAFF_TX_WORDS} />
    </form>
  );
}

/** The new contest: its address, the files to publish beside it, and what to start next. */
function CreatedContest({ created }: { created: Created }): ReactNode {
  const { t } = useTranslation();
  const { manifest, template } = created;
  const address = manifest.contest;
  const dir = `<publication>/${manifest.chainId}/${address.toLowerCase()}/`;
  return (
    <div className="notice ok" role="status" data-testid="contest-created" data-contest={address}>
      <p style={{ overflowWrap: "anywhere" }}>{t("contestCreate.created", { name: manifest.name, address })}</p>
      <p>{t("contestCreate.next")}</p>
      <ol style={{ overflowWrap: "anywhere" }}>
        <li>
          {t("contestCreate.nextFiles", { dir })}
          <ul className="files">
            <li>
              <Download name="contest.json" path="contest.json" content={JSON.stringify(manifest, null, 2) + "\n"} />
            </li>
            <li>
              <Download
                name={manifest.templateHash}
                path={`content/${manifest.templateHash}`}
                content={new TextDecoder().decode(template)}
              />
            </li>
          </ul>
        </li>
        <li className="mono small">{t("contestCreate.nextServices", { address, block: manifest.fromBlock })}</li>
        <li className="mono small">{t("contestCreate.nextResidents", { address })}</li>
        <li>
          {t("contestCreate.nextPages")} <span className="mono">/contest</span>,{" "}
          <span className="mono">/contest-staff/screening</span>, <span className="mono">/contest-staff/scoring</span>
        </li>
      </ol>
    </div>
  );
}
