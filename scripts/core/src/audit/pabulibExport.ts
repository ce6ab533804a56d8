/**
 * A round as Pabulib elections (scripts/core/src/domain/pabulib.ts): one .pb file per district, since a Pabulib election is
 * one budget and its projects. Ballots are anonymised as in the other exports (voters numbered in claim order) and
 * are cumulative: each voter's points for a project are the tokens they left in its piggy bank, in rubles. The
 * `selected` column is what the round funded; districts not finalized yet leave it empty.
 */
import type { ProjectMetadata } from "../domain/metadata.js";
import { categoryKey } from "../domain/category.js";
import { hashFileText } from "../domain/metadata.js";
import { KOPECKS_PER_RUBLE } from "../domain/money.js";
import {
  PABULIB_SOURCE_FILE,
  parsePabulibSource,
  sourceMeta,
  writePabulib,
  type PabulibElection,
  type PabulibProject,
  type PabulibSource,
  type PabulibVote,
} from "../domain/pabulib.js";
import { projectMetadataURI } from "../domain/publication.js";
import { Rule } from "../domain/rule.js";
import type { RoundData } from "./load.js";
import { exportData } from "./export.js";
import type { PublishedFiles } from "./files.js";
import type { Recount } from "./recount.js";

export const PROJECT_COLUMNS = [
  "project_id",
  "cost",
  "votes",
  "score",
  "name",
  "category",
  "latitude",
  "longitude",
  "selected",
];
export const VOTE_COLUMNS = ["voter_id", "vote", "points"];

/** Kopecks as a number of rubles; exact, since JavaScript prints the shortest decimal that reads back. */
const rubles = (kopecks: bigint): number =>
  Number(kopecks / KOPECKS_PER_RUBLE) + Number(kopecks % KOPECKS_PER_RUBLE) / 100;

/** Published project metadata whose hash matches the chain, by project id; other files are left out. */
export async function verifiedMetadata(
  data: RoundData,
  files: PublishedFiles | undefined,
): Promise<Map<number, ProjectMetadata>> {
  const found = new Map<number, ProjectMetadata>();
  if (files === undefined) return found;
  for (const p of data.projects) {
    const text = await files.read(projectMetadataURI(p.id));
    if (text === undefined || hashFileText(text) !== p.metadataHash) continue;
    try {
      found.set(p.id, JSON.parse(text) as ProjectMetadata);
    } catch {
      // A file that hashes right but is no JSON has no name to give.
    }
  }
  return found;
}

/**
 * The round's published Pabulib source (`pabulib.json`, written by `kopilka pabulib import`), if it has one that fits
 * its districts and projects.
 */
export async function publishedPabulibSource(
  data: RoundData,
  files: PublishedFiles | undefined,
): Promise<PabulibSource | undefined> {
  const text = await files?.read(PABULIB_SOURCE_FILE);
  const projectsOf = data.districts.map((d) => data.projects.filter((p) => p.district === d.id).map((p) => p.id));
  return parsePabulibSource(text, projectsOf);
}

/**
 * One election per district, by file name: `district-<id>.pb`, or, for a round imported from Pabulib (`source`),
 * the source file's name, META and project ids.
 */
export function pabulibElections(
  data: RoundData,
  counted: Recount,
  metadata: ReadonlyMap<number, ProjectMetadata> = new Map(),
  source?: PabulibSource,
): Record<string, PabulibElection> {
  const exported = exportData(data, counted);
  const resultOf = new Map(exported.results.map((r) => [r.project, r]));
  const year = new Date(Number(data.config.opensAt) * 1000).getUTCFullYear();
  const elections: Record<string, PabulibElection> = {};
  for (const district of data.districts) {
    const projects = data.projects.filter((p) => p.district === district.id);
    const ids = new Set(projects.map((p) => p.id));
    const from = source?.districts[district.id];
    const idOf = (project: number) => from?.projects[String(project)] ?? String(project);
    const pbProjects = projects.map((p): PabulibProject => {
      const result = resultOf.get(p.id)!;
      const meta = metadata.get(p.id);
      const name = meta?.title.replace(/\s+/g, " ").trim();
      return {
        id: idOf(p.id),
        cost: rubles(p.cost),
        votes: Number(result.supporters),
        score: rubles(BigInt(result.tokens)),
        name: name === undefined || name === "" || name === "None" ? undefined : name,
        category: [categoryKey(p.category)],
        latitude: meta?.location?.lat,
        longitude: meta?.location?.lon,
        selected: district.state.finalized ? (p.state.funded ? 1 : 0) : undefined,
        extra: {},
      };
    });
    const ballots = new Map<number, PabulibVote>();
    for (const line of exported.ballots) {
      if (!ids.has(line.project)) continue;
      const vote = ballots.get(line.voter) ?? { voterId: String(line.voter), vote: [], points: [], extra: {} };
      vote.vote.push(idOf(line.project));
      vote.points!.push(rubles(BigInt(line.amount)));
      ballots.set(line.voter, vote);
    }
    const meta: Record<string, string> = from
      ? sourceMeta(from.meta)
      : {
          description: `Kopilka round ${data.round} on chain ${data.chainId}, district ${district.id}`,
          unit: data.config.name,
          subunit: district.name,
          instance: String(year),
          currency: "RUB",
        };
    if (data.config.rule === Rule.Ranked && meta.rule === undefined) meta.rule = "greedy";
    elections[from?.file ?? `district-${district.id}.pb`] = {
      meta: Object.fromEntries(
        Object.entries(meta)
          .map(([key, value]): [string, string] => [key, value.replace(/\s+/g, " ").trim()])
          .filter(([, value]) => value !== "" && value !== "None"),
      ),
      budget: rubles(district.budget),
      voteType: "cumulative",
      projectColumns: PROJECT_COLUMNS,
      projects: pbProjects,
      voteColumns: VOTE_COLUMNS,
      votes: [...ballots.values()],
    };
  }
  return elections;
}

/** The .pb files of a round, by file name. */
export function pabulibFiles(
  data: RoundData,
  counted: Recount,
  metadata?: ReadonlyMap<number, ProjectMetadata>,
  source?: PabulibSource,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(pabulibElections(data, counted, metadata, source)).map(([name, e]) => [name, writePabulib(e)]),
  );
}
