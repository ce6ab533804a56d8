/**
 * "Инициативы": every application of the contest, newest first, filtered by district and status (kept in the
 * address's query so that a filtered list can be shared), each with its title, cost, group and where it stands.
 */
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { initiativeNumber } from "@kopilka/core/contest";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useSearch } from "wouter";

import { useChainEnvironment } from "../chain.js";
import { Failure, Loading } from "../components/common.js";
import { rubles } from "../format.js";
import type { ContestContext } from "./ContestPages.js";
import { contentUrl } from "./content.js";
import { readInitiatives, type StatusKey } from "./data.js";

const STATUSES: StatusKey[] = ["submitted", "returned", "admitted", "passed", "failed", "rejected"];

export function Initiatives({ context }: { context: ContestContext }): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const { info, services } = context;
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const district = search.get("district") ?? "";
  const status = search.get("status") ?? "";
  const list = useQuery({
    queryKey: ["initiatives", info.address],
    queryFn: () => readInitiatives(env, services, info.address),
  });

  function filter(name: string, value: string) {
    const next = new URLSearchParams(search);
    if (value === "") next.delete(name);
    else next.set(name, value);
    navigate(next.size > 0 ? `/?${next}` : "/", { replace: true });
  }

  const open = info.now >= info.submissionsOpenAt && info.now < info.submissionsCloseAt;
  const shown = (list.data ?? [])
    .filter((i) => district === "" || i.district === Number(district))
    .filter((i) => status === "" || i.status === status)
    .sort((a, b) => Number(b.id - a.id));
  return (
    <section aria-labelledby="initiatives-title">
      <h1 id="initiatives-title">{t("contest.list.title")}</h1>
      <p>{t("contest.list.intro")}</p>
      {open && (
        <p>
          <Link href="/propose" className="button primary">
            {t("contest.list.propose")}
          </Link>
        </p>
      )}
      <div className="filters">
        <label className="field">
          <span>{t("contest.list.district")}</span>
          <select value={district} onChange={(e) => filter("district", e.target.value)} data-testid="filter-district">
            <option value="">{t("contest.list.all")}</option>
            {info.template.districts.map((name, id) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t("contest.list.status")}</span>
          <select value={status} onChange={(e) => filter("status", e.target.value)} data-testid="filter-status">
            <option value="">{t("contest.list.all")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`contest.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.error ? (
        <Failure error={list.error} retry={() => void list.refetch()} />
      ) : !list.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <p className="muted">{t("contest.list.empty")}</p>
      ) : (
        <ul className="initiatives" data-testid="initiatives">
          {shown.map((initiative) => (
            <li key={initiative.id.toString()} className="card" data-initiative={initiative.id.toString()}>
              {initiative.fields?.photos[0] && (
                <img
                  className="picture"
                  src={contentUrl(services, initiative.fields.photos[0])}
                  alt=""
                  loading="lazy"
                />
              )}
              <div className="body">
                <p className="small muted">
                  {t("contest.page.number", { number: initiativeNumber(initiative.id) })} ·{" "}
                  {context.districtName(initiative.district)}
                </p>
                <h2>
                  <Link href={`/initiative/${initiative.id}`}>
                    {initiative.fields?.title ?? t("contest.page.number", { number: initiativeNumber(initiative.id) })}
                  </Link>
                </h2>
                {initiative.fields && <p>{rubles(BigInt(initiative.fields.cost.totalKopecks))}</p>}
                <p className="small">
                  <span className="badge" data-testid="status">
                    {t(`contest.status.${initiative.status}`)}
                  </span>{" "}
                  {t("contest.list.group", { count: initiative.group })}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
