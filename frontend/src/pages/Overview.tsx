import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { Countdown, Failure, Loading } from "../components/common.js";
import { useDistricts, useRound } from "../data/round.js";
import { dateTime, rubles } from "../format.js";

export function Overview(): ReactNode {
  const { t } = useTranslation();
  const round = useRound();
  const districts = useDistricts();
  const [search, setSearch] = useState("");
  if (round.error) return <Failure error={round.error} retry={() => void round.refetch()} />;
  if (!round.data) return <Loading />;
  const r = round.data;
  const shown = (districts.data ?? []).filter((d) => d.name.toLowerCase().includes(search.trim().toLowerCase()));
  return (
    <>
      <section className="hero">
        <h1>{r.name}</h1>
        <p className="lead">{t("app.tagline")}</p>
        <p className="phase">{t(`phase.${r.phase}`)}</p>
        <Countdown round={r} />
        <dl className="facts">
          <div>
            <dt>{t("overview.budget")}</dt>
            <dd>{rubles(r.budget)}</dd>
          </div>
          <div>
            <dt>{t("overview.opens")}</dt>
            <dd>{dateTime(r.opensAt)}</dd>
          </div>
          <div>
            <dt>{t("overview.closes")}</dt>
            <dd>{dateTime(r.closesAt)}</dd>
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
        {districts.error && <Failure error={districts.error} retry={() => void districts.refetch()} />}
        {!districts.data && !districts.error && <Loading />}
        <ul className="districts">
          {shown.map((d) => (
            <li key={d.id}>
              <Link href={`/district/${d.id}`}>{d.name}</Link>
              <span className="small muted">
                {rubles(d.budget)} · {t("overview.projectCount", { count: d.projectCount })}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
