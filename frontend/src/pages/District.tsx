import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { ballotActions, useBallotDraft } from "../ballot/store.js";
import { Countdown, DataAge, Failure, Loading } from "../components/common.js";
import { ProjectCard, projectTitle } from "../components/ProjectCard.js";
import { useEnvironment } from "../context.js";
import { readEmbedded, SERVER_SEED } from "../embedded.js";
import { Phase, useDistrictView, type DistrictData, type ProjectView } from "../data/views.js";
import { rubles } from "../format.js";
import { useWalletGate } from "../wallet/gate.js";

type Order = "random" | "costAsc" | "costDesc" | "fill" | "title";

/**
 * A shuffle that stays the same during a visit (so the list does not jump), and differs between visitors; a page
 * rendered ahead by the server brings the one its HTML used.
 */
function visitSeed(): number {
  if (typeof sessionStorage === "undefined") return SERVER_SEED.value;
  const saved = sessionStorage.getItem("kopilka.seed");
  if (saved) return Number(saved);
  const seed = readEmbedded()?.seed ?? Math.floor(Math.random() * 2 ** 31);
  sessionStorage.setItem("kopilka.seed", String(seed));
  return seed;
}

function shuffled<T extends { id: number }>(items: readonly T[], seed: number): T[] {
  const score = (id: number): number => Math.imul((id + 1) ^ seed, 2654435761) >>> 0;
  return [...items].sort((a, b) => score(a.id) - score(b.id));
}

export function District({ id }: { id: number }): ReactNode {
  const { t } = useTranslation();
  const view = useDistrictView(id);
  if (view.data === null) return <p>{t("district.unknown")}</p>;
  if (!view.data) return view.error ? <Failure error={view.error} retry={view.retry} /> : <Loading />;
  const { round, district } = view.data;
  return (
    <>
      <p className="back">
        <Link href="/">← {round.name}</Link>
      </p>
      <h1>{district.name}</h1>
      <p>
        {t("district.budget")}: <strong>{rubles(district.budget)}</strong>
      </p>
      <Countdown round={round} />
      <DataAge freshness={view.freshness} />
      <DistrictBallot data={view.data} />
    </>
  );
}

/** The projects, the vote button, and the ballot beside the projects once it is open. */
function DistrictBallot({ data }: { data: DistrictData }): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const gate = useWalletGate();
  const { round, district, projects } = data;
  const draft = useBallotDraft(config.round, district.id);
  const actions = ballotActions(config.round, district.id);
  const [order, setOrder] = useState<Order>("random");
  const [search, setSearch] = useState("");
  const voting = round.phase === Phase.Voting;
  const open = voting && draft.open;
  // The voting code is fetched as soon as the ballot is open (on the first click, or after a reload with it open).
  useEffect(() => {
    if (open && !gate.wallet) gate.load();
  }, [open, gate]);

  return (
    <>
      {voting && !open && (
        <button type="button" className="primary wide" onClick={() => actions.open()} data-testid="vote">
          {t("district.vote")}
        </button>
      )}
      {!voting && (
        <p>
          <Link href={`/results/${district.id}`}>{t("district.results")}</Link>
        </p>
      )}
      <section aria-labelledby="projects-heading">
        <h2 id="projects-heading">{t("district.projects")}</h2>
        <div className="controls">
          <label className="field">
            <span>{t("district.search")}</span>
            <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
          </label>
          <label className="field">
            <span>{t("district.sort")}</span>
            <select value={order} onChange={(e) => setOrder(e.target.value as Order)}>
              <option value="random">{t("district.sortRandom")}</option>
              <option value="costAsc">{t("district.sortCostAsc")}</option>
              <option value="costDesc">{t("district.sortCostDesc")}</option>
              <option value="fill">{t("district.sortFill")}</option>
              <option value="title">{t("district.sortTitle")}</option>
            </select>
          </label>
        </div>
        {order === "random" && <p className="small muted">{t("district.randomNote")}</p>}
        <ProjectList
          projects={projects}
          order={order}
          search={search}
          controls={(p) =>
            open ? (
              p.id in draft.amounts ? (
                gate.wallet ? (
                  <gate.wallet.AmountControls districtId={district.id} project={p} data={data} />
                ) : (
                  <p className="small muted">{t("ballot.loading")}</p>
                )
              ) : (
                <button
                  type="button"
                  className="secondary add"
                  onClick={() => actions.add(p.id)}
                  aria-label={t("ballot.addTitle", { title: projectTitle(p, t) })}
                >
                  + {t("ballot.add")}
                </button>
              )
            ) : null
          }
        />
      </section>
      {open && (
        <div className="ballot-bar" role="region" aria-label={t("ballot.title")} data-testid="ballot-bar">
          {gate.wallet ? (
            <gate.wallet.BallotBar districtId={district.id} data={data} />
          ) : (
            <p role="status">{t("ballot.loading")}</p>
          )}
        </div>
      )}
    </>
  );
}

function ProjectList({
  projects,
  order,
  search,
  controls,
}: {
  projects: ProjectView[];
  order: Order;
  search: string;
  controls: (project: ProjectView) => ReactNode;
}): ReactNode {
  const { t } = useTranslation();
  const [seed] = useState(visitSeed);
  const title = (p: ProjectView): string => p.metadata?.title ?? "";
  const query = search.trim().toLowerCase();
  const fill = (p: ProjectView): number => Number((p.tokens * 10000n) / (p.cost === 0n ? 1n : p.cost));
  let list = shuffled(projects, seed);
  if (order === "costAsc") list.sort((a, b) => (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : 0));
  if (order === "costDesc") list.sort((a, b) => (a.cost > b.cost ? -1 : a.cost < b.cost ? 1 : 0));
  if (order === "fill") list.sort((a, b) => fill(b) - fill(a));
  if (order === "title") list.sort((a, b) => title(a).localeCompare(title(b)));
  if (query) list = list.filter((p) => `${title(p)} ${p.metadata?.description ?? ""}`.toLowerCase().includes(query));
  if (list.length === 0) return <p>{t("district.nothing")}</p>;
  return (
    <ul className="projects" aria-label={t("district.projects")}>
      {list.map((p, i) => (
        <li key={p.id}>
          <ProjectCard project={p} eager={i === 0}>
            {controls(p)}
          </ProjectCard>
        </li>
      ))}
    </ul>
  );
}
