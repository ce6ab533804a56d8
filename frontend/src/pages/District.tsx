import { Suspense, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { Countdown, Failure, Loading, ProjectCard } from "../components/common.js";
import {
  useBanks,
  useDistrict,
  useProjects,
  useProjectTexts,
  useRound,
  type BankState,
  type ProjectInfo,
} from "../data/round.js";
import { rubles } from "../format.js";
import { useWalletGate } from "../wallet/gate.js";

type Order = "random" | "costAsc" | "costDesc" | "fill" | "title";

/** A shuffle that stays the same during a visit (so the list does not jump), and differs between visitors. */
function visitSeed(): number {
  const saved = sessionStorage.getItem("kopilka.seed");
  if (saved) return Number(saved);
  const seed = Math.floor(Math.random() * 2 ** 31);
  sessionStorage.setItem("kopilka.seed", String(seed));
  return seed;
}

function shuffled<T extends { id: number }>(items: readonly T[], seed: number): T[] {
  const score = (id: number): number => Math.imul((id + 1) ^ seed, 2654435761) >>> 0;
  return [...items].sort((a, b) => score(a.id) - score(b.id));
}

export function District({ id }: { id: number }): ReactNode {
  const { t } = useTranslation();
  const round = useRound();
  const district = useDistrict(id);
  const projects = useProjects({ district: id });
  const banks = useBanks(
    projects.data?.map((p) => p.bank),
    round.data?.token,
    (round.data?.minSupporters ?? 0n) > 0n,
  );
  const gate = useWalletGate();
  const [voting, setVoting] = useState(false);
  const [order, setOrder] = useState<Order>("random");
  const [search, setSearch] = useState("");

  const error = round.error ?? district.error ?? projects.error;
  if (error) return <Failure error={error} />;
  if (district.data === null) return <p>{t("district.unknown")}</p>;
  if (!round.data || !district.data || !projects.data) return <Loading />;
  const d = district.data;

  const startVoting = (): void => {
    setVoting(true);
    if (!gate.wallet) gate.load();
  };
  return (
    <>
      <p>
        <Link href="/">← {round.data.name}</Link>
      </p>
      <h1>{d.name}</h1>
      <p>
        {t("district.budget")}: <strong>{rubles(d.budget)}</strong>
      </p>
      <Countdown round={round.data} />
      {voting && gate.wallet ? (
        <Suspense fallback={<Loading />}>
          <gate.wallet.VotePanel districtId={id} projects={projects.data} />
        </Suspense>
      ) : (
        <button type="button" className="primary wide" onClick={startVoting} disabled={voting}>
          {voting ? t("wallet.loading") : t("district.vote")}
        </button>
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
        <ProjectList projects={projects.data} banks={banks.data} order={order} search={search} />
      </section>
    </>
  );
}

function ProjectList({
  projects,
  banks,
  order,
  search,
}: {
  projects: ProjectInfo[];
  banks?: Map<string, BankState>;
  order: Order;
  search: string;
}): ReactNode {
  const { t } = useTranslation();
  const [seed] = useState(visitSeed);
  // Titles come from the metadata files; the cards load them, and the list reads the same cache to search and sort.
  const texts = useProjectTexts(projects);
  const title = (p: ProjectInfo): string => texts.get(p.id)?.title ?? "";
  const query = search.trim().toLowerCase();
  const tokens = (p: ProjectInfo): bigint => banks?.get(p.bank.toLowerCase())?.tokens ?? 0n;
  let list = shuffled(projects, seed);
  if (order === "costAsc") list.sort((a, b) => (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : 0));
  if (order === "costDesc") list.sort((a, b) => (a.cost > b.cost ? -1 : a.cost < b.cost ? 1 : 0));
  if (order === "fill")
    list.sort((a, b) => Number(tokens(b) * 10000n) / Number(b.cost) - Number(tokens(a) * 10000n) / Number(a.cost));
  if (order === "title") list.sort((a, b) => title(a).localeCompare(title(b)));
  if (query)
    list = list.filter((p) => `${title(p)} ${texts.get(p.id)?.description ?? ""}`.toLowerCase().includes(query));
  if (list.length === 0) return <p>{t("district.nothing")}</p>;
  return (
    <ul className="projects" aria-label={t("district.projects")}>
      {list.map((p) => (
        <li key={p.id}>
          <ProjectCard project={p} bank={banks?.get(p.bank.toLowerCase())} />
        </li>
      ))}
    </ul>
  );
}
