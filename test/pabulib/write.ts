import { expect } from "chai";
import fc from "fast-check";

import {
  parsePabulib,
  type PabulibElection,
  type PabulibProject,
  type PabulibVote,
  VOTE_TYPES,
  writePabulib,
} from "@kopilka/core/pabulib";
import { fixture } from "./helpers.js";

/** Characters that exercise quoting (`;`, `"`), list separators (`,`), blanks and non-Latin text. */
const CHARS = ["a", "Z", "ł", "я", "Ё", "7", ".", "-", " ", ";", '"', ",", "'", "😀", "\t"];

const text = fc
  .string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: 12 })
  .filter((s) => s === s.trim() && s !== "" && s.toLowerCase() !== "none");
/** List items and ids: text without commas. */
const item = text.filter((s) => !s.includes(","));
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,5}$/);
/** Finite numbers as the file can hold them; -0 reads back as 0, so the generator does not make it. */
const anyNumber = fc
  .oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double({ noNaN: true, noDefaultInfinity: true }))
  .map((n) => (n === 0 ? 0 : n));
const amount = anyNumber.map(Math.abs);

const OPTIONAL_PROJECT_COLUMNS = ["name", "votes", "score", "category", "target", "latitude", "longitude", "selected"];

/** Builds an object without the keys whose value is undefined, as the parser does. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const elections: fc.Arbitrary<PabulibElection> = fc.gen().map((g) => {
  const voteType = g(fc.constantFrom, ...VOTE_TYPES);
  const meta = g(() =>
    fc.dictionary(
      fc
        .stringMatching(/^[a-z][a-z_]{0,9}$/)
        .filter((k) => !["budget", "vote_type", "num_projects", "num_votes"].includes(k)),
      text,
      { maxKeys: 6 },
    ),
  );
  const extraProjectColumns = g(() => fc.uniqueArray(fc.stringMatching(/^x_[a-z]{1,4}$/), { maxLength: 2 }));
  const projectColumns = g(() =>
    fc
      .shuffledSubarray([...OPTIONAL_PROJECT_COLUMNS, ...extraProjectColumns])
      .chain((optional) =>
        fc.shuffledSubarray(["project_id", "cost", ...optional], { minLength: optional.length + 2 }),
      ),
  );
  const has = (column: string) => projectColumns.includes(column);
  const maybe = <T>(column: string, arb: fc.Arbitrary<T>) =>
    has(column) ? g(() => fc.option(arb, { nil: undefined })) : undefined;
  const ids = g(() => fc.uniqueArray(id, { maxLength: 8 }));
  const projects = ids.map((projectId): PabulibProject => {
    const extra: Record<string, string> = {};
    for (const column of extraProjectColumns) {
      const value = maybe(column, text);
      if (value !== undefined) extra[column] = value;
    }
    return defined({
      id: projectId,
      cost: g(() => amount),
      name: maybe("name", text),
      votes: maybe("votes", anyNumber),
      score: maybe("score", anyNumber),
      category: maybe("category", fc.array(item, { minLength: 1, maxLength: 3 })),
      target: maybe("target", fc.array(item, { minLength: 1, maxLength: 3 })),
      latitude: maybe("latitude", anyNumber),
      longitude: maybe("longitude", anyNumber),
      selected: maybe("selected", fc.integer({ min: 0, max: 2 })),
      extra,
    });
  });
  const pointsRequired = voteType === "cumulative" || voteType === "scoring";
  const extraVoteColumns = g(() =>
    fc.uniqueArray(fc.constantFrom("age", "sex", "voting_method", "x_note"), { maxLength: 3 }),
  );
  const withPoints = pointsRequired || g(fc.boolean);
  const voteColumns = g(() =>
    fc.shuffledSubarray(["voter_id", "vote", ...(withPoints ? ["points"] : []), ...extraVoteColumns], {
      minLength: 2 + (withPoints ? 1 : 0) + extraVoteColumns.length,
    }),
  );
  const voterIds = g(() => fc.uniqueArray(text, { maxLength: 8 }));
  const votes = voterIds.map((voterId): PabulibVote => {
    const vote = g(() =>
      fc.shuffledSubarray(ids, { maxLength: voteType === "choose-1" ? Math.min(1, ids.length) : ids.length }),
    );
    const points =
      withPoints && vote.length > 0 && (pointsRequired || g(fc.boolean))
        ? g(() => fc.array(anyNumber, { minLength: vote.length, maxLength: vote.length }))
        : undefined;
    const extra: Record<string, string> = {};
    for (const column of extraVoteColumns) {
      const value = g(() => fc.option(text, { nil: undefined }));
      if (value !== undefined) extra[column] = value;
    }
    return defined({ voterId, vote, points, extra });
  });
  return { meta, budget: g(() => amount), voteType, projectColumns, projects, voteColumns, votes };
});

describe("Pabulib", function () {
  describe("#writePabulib", function () {
    it("writes text that parses back to the same election (generated elections)", function () {
      fc.assert(
        fc.property(elections, (election) => {
          expect(parsePabulib(writePabulib(election))).to.deep.equal(election);
        }),
        { numRuns: 200 },
      );
    });

    it("writes the fixtures back to the same elections, and writing is stable", function () {
      for (const name of ["approval", "cumulative", "oddities"] as const) {
        const election = parsePabulib(fixture(name));
        const written = writePabulib(election);
        expect(parsePabulib(written), name).to.deep.equal(election);
        expect(writePabulib(parsePabulib(written)), name).to.equal(written);
      }
    });

    it("writes META in Pabulib's order with the counts it computes", function () {
      const lines = writePabulib(parsePabulib(fixture("cumulative"))).split("\n");
      expect(lines.slice(0, 10)).to.deep.equal([
        "META",
        "key;value",
        "description;Synthetic cumulative election for Kopilka's tests",
        "country;Poland",
        "unit;Testowo",
        "instance;2022",
        "num_projects;4",
        "num_votes;5",
        "budget;5000",
        "vote_type;cumulative",
      ]);
    });

    it("quotes fields holding semicolons or quotes", function () {
      const written = writePabulib(parsePabulib(fixture("oddities")));
      expect(written).to.include('description;"Budżet obywatelski; edycja ""Zielona"" 2021"\n');
      expect(written).to.include(
        '1;2500;"Park ""Zielony""; etap 1";public space,environmental protection;50.05;19.94;1;Północ\n',
      );
    });

    describe("refuses what would not read back", function () {
      const base = () => parsePabulib(fixture("approval"));
      const cases: [string, (e: PabulibElection) => void, RegExp][] = [
        ["a line break in a name", (e) => (e.projects[0].name = "two\nlines"), /name of project 1 holds a line break/],
        ["a name with surrounding blanks", (e) => (e.projects[0].name = " Park"), /surrounding blanks/],
        ["a project id with a comma", (e) => (e.projects[0].id = "1,5"), /project id holds a comma/],
        ["a vote for an unknown project", (e) => (e.votes[0].vote = ["9"]), /voter v1 votes for unknown project 9/],
        ["a typed key in meta", (e) => (e.meta.budget = "1"), /META key budget is a typed field/],
        ["a value without its column", (e) => (e.projects[0].score = 3), /project 1 has score but no column/],
        ["a cumulative ballot without points", (e) => (e.voteType = "cumulative"), /voter v1 has no points/],
        [
          "a cost that is not finite",
          (e) => (e.projects[0].cost = Infinity),
          /cost of project 1 is not a finite number/,
        ],
        ["an empty meta value", (e) => (e.meta.rule = "None"), /META rule is empty or "None"/],
      ];
      for (const [name, edit, message] of cases) {
        it(name, function () {
          const election = base();
          edit(election);
          expect(() => writePabulib(election)).to.throw(message);
        });
      }
    });
  });
});
