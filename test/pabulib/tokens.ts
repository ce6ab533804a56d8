import { Rule } from "@kopilka/core/rule";
import { expect } from "chai";

import { ballotAllocation, parsePabulib, type PabulibElection, selectedColumn, toKopecks } from "@kopilka/core/pabulib";
import { tallyDistrict, type TallyEntry } from "@kopilka/core/tally";
import { editLine, fixture } from "./helpers.js";

/** The district tally of an election replayed as Kopilka would: every ballot deposited, then the Ranked rule. */
function replay(election: PabulibElection): string[] {
  const tokens = new Map(election.projects.map((p) => [p.id, 0n]));
  const supporters = new Map(election.projects.map((p) => [p.id, 0n]));
  for (const vote of election.votes) {
    const allocation = ballotAllocation(election, vote);
    allocation.projects.forEach((id, i) => {
      tokens.set(id, tokens.get(id)! + allocation.amounts[i]);
      supporters.set(id, supporters.get(id)! + 1n);
    });
  }
  const entries: TallyEntry[] = election.projects.map((p, i) => ({
    projectId: BigInt(i),
    cost: toKopecks(p.cost),
    tokens: tokens.get(p.id)!,
    supporters: supporters.get(p.id)!,
  }));
  const { winners } = tallyDistrict(entries, toKopecks(election.budget), {
    rule: Rule.Ranked,
    minTokens: 0n,
    minSupporters: 0n,
  });
  return winners.map((w) => election.projects[Number(w)].id).sort();
}

const ORDINAL = `META
key;value
description;ordinal test
country;Poland
unit;Testowo
instance;2023
num_projects;4
num_votes;3
budget;1000
vote_type;ordinal
max_length;3
PROJECTS
project_id;cost
p1;500
p2;400
p3;300
p4;200
VOTES
voter_id;vote
1;p2,p1,p3
2;p4
3;p3,p4
`;

describe("Pabulib", function () {
  describe("#ballotAllocation", function () {
    it("deposits one token per approved project", function () {
      const election = parsePabulib(fixture("approval"));
      expect(ballotAllocation(election, election.votes[0])).to.deep.equal({
        projects: ["1", "2", "3"],
        amounts: [100n, 100n, 100n],
        total: 300n,
      });
    });

    it("deposits the points of cumulative ballots", function () {
      const election = parsePabulib(fixture("cumulative"));
      for (const vote of election.votes) {
        const allocation = ballotAllocation(election, vote);
        expect(allocation.projects).to.deep.equal(vote.vote);
        expect(allocation.amounts).to.deep.equal(vote.points!.map((p) => BigInt(p) * 100n));
        expect(allocation.total).to.equal(BigInt(vote.points!.reduce((a, b) => a + b, 0)) * 100n);
      }
    });

    it("gives each project the tokens the file counts for it", function () {
      for (const [name, field] of [
        ["approval", "votes"],
        ["cumulative", "score"],
      ] as const) {
        const election = parsePabulib(fixture(name));
        for (const project of election.projects) {
          const total = election.votes
            .map((vote) => ballotAllocation(election, vote))
            .reduce((sum, a) => sum + (a.amounts[a.projects.indexOf(project.id)] ?? 0n), 0n);
          expect(total, `${name} ${project.id}`).to.equal(BigInt(project[field]!) * 100n);
        }
      }
    });

    it("leaves out zero points and refuses negative points or a third decimal", function () {
      const election = parsePabulib(editLine(fixture("cumulative"), "3;", "3;a1,a3,a4;0,2.5,7.5;internet"));
      expect(ballotAllocation(election, election.votes[2])).to.deep.equal({
        projects: ["a3", "a4"],
        amounts: [250n, 750n],
        total: 1000n,
      });
      const negative = parsePabulib(editLine(fixture("cumulative"), "3;", "3;a1,a3,a4;-1,5,6;internet"));
      expect(() => ballotAllocation(negative, negative.votes[2])).to.throw(/voter 3 gives negative points/);
      const fine = parsePabulib(editLine(fixture("cumulative"), "3;", "3;a1,a3,a4;0.125,5,6;internet"));
      expect(() => ballotAllocation(fine, fine.votes[2])).to.throw(/points of voter 3 has more than two decimals/);
    });

    it("scores ordinal ballots by truncated Borda over max_length", function () {
      const election = parsePabulib(ORDINAL);
      expect(election.votes.map((v) => ballotAllocation(election, v))).to.deep.equal([
        { projects: ["p2", "p1", "p3"], amounts: [300n, 200n, 100n], total: 600n },
        { projects: ["p4"], amounts: [300n], total: 300n },
        { projects: ["p3", "p4"], amounts: [300n, 200n], total: 500n },
      ]);
    });

    it("scores ordinal ballots over the number of projects when max_length is not set", function () {
      const election = parsePabulib(editLine(editLine(ORDINAL, "max_length;"), "1;", "1;p2,p1,p3,p4"));
      expect(ballotAllocation(election, election.votes[0]).amounts).to.deep.equal([400n, 300n, 200n, 100n]);
    });

    it("refuses an ordinal ballot longer than max_length", function () {
      const election = parsePabulib(editLine(ORDINAL, "1;", "1;p2,p1,p3,p4"));
      expect(() => ballotAllocation(election, election.votes[0])).to.throw(/voter 1 ranks 4 projects, more than 3/);
    });
  });

  describe("#selectedColumn", function () {
    it("reads the selected projects and the special marks", function () {
      expect(selectedColumn(parsePabulib(fixture("oddities")))).to.deep.equal({
        present: true,
        selected: ["1", "4"],
        special: [{ id: "2", value: 2 }],
        unknown: [],
      });
    });

    it("says when the file has no selected column", function () {
      expect(selectedColumn(parsePabulib(ORDINAL))).to.deep.equal({
        present: false,
        selected: [],
        special: [],
        unknown: [],
      });
    });

    it("matches Kopilka's replayed winners for the greedy fixtures", function () {
      for (const name of ["approval", "cumulative"] as const) {
        const election = parsePabulib(fixture(name));
        expect(replay(election), name).to.deep.equal(selectedColumn(election).selected.sort());
      }
    });
  });

  describe("#toKopecks", function () {
    it("converts amounts with up to two decimals exactly", function () {
      expect(toKopecks(3000.5)).to.equal(300050n);
      expect(toKopecks(1234.56)).to.equal(123456n);
      expect(toKopecks(0.29)).to.equal(29n);
      expect(() => toKopecks(1.005)).to.throw(/more than two decimals/);
      expect(() => toKopecks(1e-7)).to.throw(/more than two decimals/);
      expect(() => toKopecks(1e21)).to.throw(/too large/);
      expect(() => toKopecks(-1)).to.throw(/not a non-negative number/);
    });
  });
});
