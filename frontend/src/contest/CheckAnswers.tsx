/**
 * "Check your answers" before the application goes: every field as it will be published, each with a way back to
 * change it, and the one button that sends it. Also the body of an initiative's page (`InitiativeBody`).
 */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { rubles } from "../format.js";
import { contentUrl, mapUrl } from "./content.js";
import type { InitiativeFields } from "./draft.js";

export function InitiativeBody({
  fields,
  services,
  districtName,
}: {
  fields: InitiativeFields;
  services: string;
  districtName: string;
}): ReactNode {
  const { t } = useTranslation();
  return (
    <dl className="answers" data-testid="initiative-body">
      <dt>{t("contest.form.title")}</dt>
      <dd data-testid="answer-title">{fields.title}</dd>
      <dt>{t("contest.form.description")}</dt>
      <dd className="prose">{fields.description}</dd>
      <dt>{t("contest.form.district")}</dt>
      <dd>{districtName}</dd>
      <dt>{t("contest.form.category")}</dt>
      <dd>{t(`glossary.category.${fields.category}`, { defaultValue: t("glossary.category.unknown") })}</dd>
      <dt>{t("contest.form.costs")}</dt>
      <dd>
        <table className="cost-table">
          <tbody>
            {fields.breakdown.map((line, index) => (
              <tr key={index}>
                <td>{line.item}</td>
                <td className="number">{rubles(line.cost)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t("contest.form.totalLabel")}</th>
              <td className="number" data-testid="answer-cost">
                {rubles(fields.cost)}
              </td>
            </tr>
          </tfoot>
        </table>
      </dd>
      <dt>{t("contest.form.cofinancing")}</dt>
      <dd>{fields.cofinancing > 0n ? rubles(fields.cofinancing) : t("contest.form.noCofinancing")}</dd>
      <dt>{t("contest.form.location")}</dt>
      <dd>
        <a href={mapUrl(fields.location.lat, fields.location.lon)} target="_blank" rel="noreferrer">
          {fields.location.lat.toFixed(5)}, {fields.location.lon.toFixed(5)}
        </a>
      </dd>
      <dt>{t("contest.form.photos")}</dt>
      <dd>
        <ul className="photo-list">
          {fields.photos.map((hash, index) => (
            <li key={hash}>
              <img src={contentUrl(services, hash)} alt={t("contest.form.photoAlt", { n: index + 1 })} loading="lazy" />
            </li>
          ))}
        </ul>
      </dd>
    </dl>
  );
}

export function CheckAnswers({
  fields,
  services,
  districtName,
  busy,
  failure,
  onBack,
  onSend,
}: {
  fields: InitiativeFields;
  services: string;
  districtName: string;
  busy: boolean;
  failure?: string;
  onBack: () => void;
  onSend: () => void;
}): ReactNode {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="check-title" data-testid="check-answers">
      <h1 id="check-title">{t("contest.check.title")}</h1>
      <p>{t("contest.check.intro")}</p>
      <InitiativeBody fields={fields} services={services} districtName={districtName} />
      <p>
        <button type="button" className="link" onClick={onBack} disabled={busy}>
          {t("contest.check.change")}
        </button>
      </p>
      <p className="small">{t("contest.check.promise")}</p>
      {failure && (
        <p className="notice error" role="alert" data-testid="send-failure">
          {failure}
        </p>
      )}
      <p className="buttons">
        <button type="button" className="primary" onClick={onSend} disabled={busy} data-testid="send">
          {busy ? t("contest.check.sending") : t("contest.check.send")}
        </button>
      </p>
    </section>
  );
}
