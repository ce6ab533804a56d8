import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { categoryName, Failure, FillBar, Loading } from "../components/common.js";
import {
  useBanks,
  useDistrict,
  useMetadata,
  useOutcomes,
  useProjects,
  useRound,
  type ProjectInfo,
} from "../data/round.js";
import { rubles } from "../format.js";

export function Project({ id }: { id: number }): ReactNode {
  const { t } = useTranslation();
  const projects = useProjects({ projectId: id });
  if (projects.error) return <Failure error={projects.error} />;
  if (!projects.data) return <Loading />;
  const project = projects.data[0];
  if (!project) return <p>{t("project.unknown")}</p>;
  return <ProjectDetails project={project} />;
}

function ProjectDetails({ project }: { project: ProjectInfo }): ReactNode {
  const { t, i18n } = useTranslation();
  const round = useRound();
  const district = useDistrict(project.district);
  const meta = useMetadata(project);
  const banks = useBanks([project.bank], round.data?.token, (round.data?.minSupporters ?? 0n) > 0n);
  const finalized = district.data?.finalized ?? false;
  const outcome = useOutcomes([project.id], finalized).data?.get(project.id);
  const bank = banks.data?.get(project.bank.toLowerCase());
  const m = meta.data?.metadata;
  return (
    <article className="project-page">
      <p>
        <Link href={`/district/${project.district}`}>
          ← {district.data?.name ?? `${t("common.district")} ${project.district}`}
        </Link>
      </p>
      <p className="category">{categoryName(project.category, i18n.language)}</p>
      <h1>{m?.title ?? `${t("common.project")} №${project.id}`}</h1>
      {m?.image && <img src={m.image} alt="" width={640} height={360} />}
      {meta.data && !meta.data.verified && m && <p className="warning">{t("common.unverified")}</p>}
      <p className="description">{m?.description ?? (meta.isLoading ? "" : t("common.noDescription"))}</p>
      <p>
        {t("common.cost")}: <strong>{rubles(project.cost)}</strong>
      </p>
      {bank && <FillBar tokens={bank.tokens} cost={project.cost} />}
      {bank?.supporters !== undefined && <p>{t("project.supporters", { count: Number(bank.supporters) })}</p>}
      {outcome && (
        <p className={outcome.funded ? "badge win" : "badge"}>
          {outcome.funded ? t("project.funded") : t("project.notFunded")}
        </p>
      )}
      {outcome?.funded && (
        <p>
          {t("results.status")}: {(t("results.statuses", { returnObjects: true }) as string[])[outcome.status]} ·{" "}
          {t("results.spent", { amount: rubles(outcome.spent) })}
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
      <p className="small muted">
        {t("project.bank")}: <span className="mono">{project.bank}</span>
      </p>
    </article>
  );
}
