import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { DataAge, Failure, FillBar, Loading } from "../components/common.js";
import { Picture, projectTitle } from "../components/ProjectCard.js";
import { useDistrictView, useProjectDistrict } from "../data/views.js";
import { rubles } from "../format.js";
import { categoryName, statusName } from "../glossary.js";

export function Project({ id }: { id: number }): ReactNode {
  const { t } = useTranslation();
  const district = useProjectDistrict(id);
  const view = useDistrictView(district.data ?? undefined);
  if (district.data === null) return <p>{t("project.unknown")}</p>;
  if (district.error) return <Failure error={district.error} />;
  if (view.data === null) return <p>{t("project.unknown")}</p>;
  if (!view.data) return view.error ? <Failure error={view.error} retry={view.retry} /> : <Loading />;
  const project = view.data.projects.find((p) => p.id === id);
  if (!project) return <p>{t("project.unknown")}</p>;
  const m = project.metadata;
  const final = view.data.district.finalized;
  return (
    <article className="project-page">
      <p className="back">
        <Link href={`/district/${project.district}`}>← {view.data.district.name}</Link>
      </p>
      <p className="category">{categoryName(t, project.category)}</p>
      <h1>{projectTitle(project, t)}</h1>
      <DataAge freshness={view.freshness} />
      <Picture project={project} eager />
      {project.metadataState === "mismatch" && <p className="warning">{t("common.unverified")}</p>}
      <p className="description">{m?.description ?? t("common.noDescription")}</p>
      <p>
        {t("common.cost")}: <strong>{rubles(project.cost)}</strong>
      </p>
      <FillBar tokens={project.tokens} cost={project.cost} />
      {project.supporters !== undefined && <p>{t("project.supporters", { count: Number(project.supporters) })}</p>}
      {final && (
        <p className={project.funded ? "badge win" : "badge"}>
          {project.funded ? t("project.funded") : t("project.notFunded")}
        </p>
      )}
      {final && project.funded && (
        <p>
          {t("project.status")}: {statusName(t, project.status)} ·{" "}
          {t("project.spent", { amount: rubles(project.spent) })}
        </p>
      )}
      {m?.location && (
        <p>
          <a
            href={`https://www.openstreetmap.org/?mlat=${m.location.lat}&mlon=${m.location.lon}#map=16/${m.location.lat}/${m.location.lon}`}
          >
            {t("project.location")}
          </a>
        </p>
      )}
    </article>
  );
}
