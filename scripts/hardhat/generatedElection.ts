/**
 * Generated Pabulib elections, the same for the same seed: the tests and the replay benchmark need files of any
 * size, and the real ones (tens of thousands of voters) are too large to keep in the repository.
 */
import type { PabulibElection } from "@kopilka/core/pabulib";

/** A seeded generator of whole numbers below `n` (mulberry32). */
export function prng(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export interface GeneratedElectionOptions {
  voters: number;
  projects: number;
  seed?: number;
  /** The file's `unit` (the district's name once imported). */
  unit?: string;
}

/** An approval election: ballots of 1-5 projects, popular projects more often, fixed by the seed. */
export function generatedElection({ voters, projects, seed = 2_000, unit = "Generated" }: GeneratedElectionOptions) {
  const random = prng(seed);
  const ids = Array.from({ length: projects }, (_, i) => String(i + 1));
  const election: PabulibElection = {
    meta: { description: "Generated approval election", country: "Poland", unit, instance: "2024" },
    budget: 1_000_000,
    voteType: "approval",
    projectColumns: ["project_id", "cost", "name"],
    projects: ids.map((id) => ({ id, cost: 50_000 + random(20) * 10_000, name: `Project ${id}`, extra: {} })),
    voteColumns: ["voter_id", "vote"],
    votes: Array.from({ length: voters }, (_, v) => {
      const chosen = new Set<string>();
      const count = 1 + random(5);
      while (chosen.size < count) chosen.add(ids[Math.min(random(projects), random(projects))]);
      return { voterId: String(v + 1), vote: [...chosen], extra: {} };
    }),
  };
  return election;
}
