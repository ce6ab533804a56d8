import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { Countdown, DataAge, Failure, Loading, useReaderTimeZone } from "../components/common.js";
import { useRoundView } from "../data/views.js";
import { dateTime, rubles } from "../format.js";
import { phaseName } from "../glossary.js";

export function Overview(): ReactNode {
  const { t } = useTranslation();
  const view = useRoundView();
  const [search, setSearch] = useState("");
  const timeZone = useReaderTimeZone();
  if (!view.data) return view.error ? <Failure error={view.error} retry={view.retry} /> : <Loading />;
  const { round: r, districts } = view.data;
  const query = search.trim().toLowerCase();
  const shown = districts.filter((d) => d.name.toLowerCase().includes(query));
  return (
    <>
      <section className="hero">
        <h1>{r.name}</h1>
        <p className="lead">{t("app.tagline")}</p>
        <p className="phase">{phaseName(t, r.phase)}</p>
        <Countdown round={r} />
        <DataAge freshness={view.freshness} />
        <dl className="facts">
          <div>
            <dt>{t("overview.budget")}</dt>
            <dd>{rubles(r.budget)}</dd>
          </div>
          <div>
            <dt>{t("overview.opens")}</dt>
            <dd>{dateTime(r.opensAt, timeZone)}</dd>
          </div>
          <div>
            <dt>{t("overview.closes")}</dt>
            <dd>{dateTime(r.closesAt, timeZone)}</dd>
          </div>
        </dl>
        <p>
          {t("overview.districtCount", { count: r.districtCount })},{" "}
          {t("overview.projectCount", { count: r.projectCount })}
        </p>
      </section>
      <section aria-labelledby="how">
        <h2 id="how">{t("overview.how")}</h2>
        <ol className="steps">
          {(t("overview.steps", { returnObjects: true }) as string[]).map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="districts">
        <h2 id="districts">{t("overview.districts")}</h2>
        <label className="field">
          <span>{t("overview.findDistrict")}</span>
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        {shown.length === 0 && <p>{t("overview.nothing")}</p>}
        <ul className="districts">
          {shown.map((d) => (
            <li key={d.id}>
              <Link href={`/district/${d.id}`}>{d.name}</Link>
              <span className="small muted">
                {rubles(d.budget)} · {t("overview.projectCount", { count: d.projectCount })}
                {d.finalized && ` · ${t("overview.finalized")}`}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
