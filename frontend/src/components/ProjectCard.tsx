import type { TFunction } from "i18next";
import { memo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { useEnvironment } from "../context.js";
import { pageHref, roundFile } from "../data/files.js";
import type { ProjectView } from "../data/views.js";
import { rubles } from "../format.js";
import { categoryName } from "../glossary.js";
import { FillBar } from "./common.js";

/** The project's title, or its number while it has no published description. */
export function projectTitle(project: ProjectView, t: TFunction): string {
  return project.metadata?.title ?? t("common.projectNumber", { id: project.id });
}

/**
 * The project's picture from its description, if it has one: sized before it loads (nothing jumps), loaded only
 * when it nears the screen, and as wide as its column.
 */
export function Picture({ project, eager = false }: { project: ProjectView; eager?: boolean }): ReactNode {
  const env = useEnvironment();
  const image = project.metadata?.image;
  const url = image === undefined ? undefined : roundFile(env, image);
  if (!url) return null;
  return (
    <img
      className="picture"
      src={pageHref(url)}
      alt=""
      width={640}
      height={360}
      loading={eager ? "eager" : "lazy"}
      decoding="async"
      sizes="(min-width: 48rem) 33vw, 100vw"
    />
  );
}

/** A card re-renders only when its project's figures change (./data/views.ts keeps unchanged projects as they were). */
export const ProjectCard = memo(function ProjectCard({
  project,
  headingLevel = 3,
  eager = false,
  children,
}: {
  project: ProjectView;
  headingLevel?: 2 | 3;
  /** The first card's picture is on the first screen: it loads at once. */
  eager?: boolean;
  /** The ballot's controls for this project, when the ballot is open. */
  children?: ReactNode;
}): ReactNode {
  const { t } = useTranslation();
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const m = project.metadata;
  return (
    <article className="card project" data-project={project.id}>
      <Picture project={project} eager={eager} />
      <div className="body">
        <p className="category">{categoryName(t, project.category)}</p>
        <Heading>
          <Link href={`/project/${project.id}`}>{projectTitle(project, t)}</Link>
        </Heading>
        {project.metadataState === "mismatch" && <p className="warning small">{t("common.unverified")}</p>}
        <p className="description">{m?.description ?? t("common.noDescription")}</p>
        <p className="cost">
          {t("common.cost")}: <strong>{rubles(project.cost)}</strong>
        </p>
        <FillBar tokens={project.tokens} cost={project.cost} />
        {project.supporters !== undefined && (
          <p className="small">{t("project.supporters", { count: Number(project.supporters) })}</p>
        )}
        {children}
      </div>
    </article>
  );
});
