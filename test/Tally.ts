/**
 * The TypeScript tally (`@kopilka/core/tally`) against winners counted by hand: one case per part of the rule, each
 * built so that the part alone decides the outcome. The auditor trusts this twin of the contract's tally, and the
 * parity tests only hold the two against each other, so these expectations must not come from either of them.
 */
import { expect } from "chai";

import { Rule } from "@kopilka/core/rule";
import { tallyDistrict, type TallyEntry, type TallyRules } from "@kopilka/core/tally";

/** Project `projectId` costing `cost`, with `tokens` in its bank from `supporters` residents. */
function project(projectId: number, cost: bigint, tokens: bigint, supporters: number): TallyEntry {
  return { projectId: BigInt(projectId), cost, tokens, supporters: BigInt(supporters) };
}

function rules(overrides: Partial<TallyRules> = {}): TallyRules {
  return { rule: Rule.Ranked, minTokens: 0n, minSupporters: 0n, ...overrides };
}

/** The winners in the order they were funded, and what they cost together. */
function tally(entries: TallyEntry[], budget: bigint, withRules: TallyRules = rules()) {
  const { winners, fundedTotal } = tallyDistrict(entries, budget, withRules);
  return { winners: winners.map(Number), fundedTotal };
}

describe("The TypeScript tally", function () {
  it("funds the projects with most tokens first", function () {
    const entries = [project(0, 300n, 100n, 1), project(1, 300n, 500n, 2), project(2, 300n, 300n, 1)];
    // 500 > 300 > 100; all three fit in 1,000.
    expect(tally(entries, 1_000n)).to.deep.equal({ winners: [1, 2, 0], fundedTotal: 900n });
  });

  describe("with a minimum of tokens alone", function () {
    const minimum = rules({ minTokens: 200n });

    it("leaves out a project below it, however many residents support it and though it would fit", function () {
      const entries = [project(0, 400n, 150n, 5), project(1, 400n, 200n, 1), project(2, 100n, 300n, 1)];
      // Project 0 (150 < 200) is out although 100 + 400 + 400 would fit in 1,000; project 1 has exactly the minimum.
      expect(tally(entries, 1_000n, minimum)).to.deep.equal({ winners: [2, 1], fundedTotal: 500n });
    });
  });

  describe("with a minimum of supporters alone", function () {
    const minimum = rules({ minSupporters: 3n });

    it("leaves out a project below it, however many tokens it holds", function () {
      const entries = [project(0, 400n, 900n, 2), project(1, 400n, 100n, 3), project(2, 400n, 50n, 4)];
      // Project 0 (2 < 3 supporters) would rank first and push project 2 out; project 1 has exactly the minimum.
      expect(tally(entries, 1_000n, minimum)).to.deep.equal({ winners: [1, 2], fundedTotal: 800n });
    });
  });

  describe("with both minimums", function () {
    const minimums = rules({ minTokens: 200n, minSupporters: 3n });

    it("funds only projects that meet each of them", function () {
      const entries = [
        project(0, 300n, 500n, 2), // enough tokens, too few supporters
        project(1, 300n, 150n, 5), // enough supporters, too few tokens
        project(2, 300n, 200n, 3), // exactly both minimums
        project(3, 300n, 400n, 4), // well above both
      ];
      expect(tally(entries, 1_000n, minimums)).to.deep.equal({ winners: [3, 2], fundedTotal: 600n });
    });
  });

  describe("with equal tokens", function () {
    it("funds the lower project id first", function () {
      const entries = [project(4, 600n, 300n, 1), project(7, 600n, 300n, 1)];
      // Only one of the two fits in 1,000.
      expect(tally(entries, 1_000n)).to.deep.equal({ winners: [4], fundedTotal: 600n });
    });

    it("whatever the order the projects come in", function () {
      const entries = [project(9, 500n, 200n, 1), project(7, 500n, 300n, 1), project(5, 500n, 300n, 2)];
      // 5 and 7 tie at 300 and 5 goes first; 9 ranks last and does not fit what is left.
      expect(tally(entries, 1_000n)).to.deep.equal({ winners: [5, 7], fundedTotal: 1_000n });
      expect(tally([...entries].reverse(), 1_000n)).to.deep.equal({ winners: [5, 7], fundedTotal: 1_000n });
    });
  });

  describe("when a project does not fit what is left", function () {
    it("skips it and funds cheaper projects ranked below it, up to the last kopeck", function () {
      const entries = [
        project(0, 500n, 500n, 1),
        project(1, 800n, 400n, 1),
        project(2, 300n, 300n, 1),
        project(3, 200n, 200n, 1),
        project(4, 1n, 100n, 1),
      ];
      // 0 leaves 500; 1 (800) is skipped; 2 leaves 200; 3 costs exactly the 200 left; 4 no longer fits.
      expect(tally(entries, 1_000n)).to.deep.equal({ winners: [0, 2, 3], fundedTotal: 1_000n });
    });

    it("skips a project that costs more than the whole budget", function () {
      const entries = [project(0, 1_001n, 900n, 3), project(1, 400n, 100n, 1)];
      expect(tally(entries, 1_000n)).to.deep.equal({ winners: [1], fundedTotal: 400n });
    });
  });

  describe("under PiggyBankFull", function () {
    const entries = [
      project(0, 700n, 600n, 1), // the most tokens, but its bank is not full
      project(1, 300n, 300n, 1), // exactly full
      project(2, 400n, 400n, 1), // exactly full
      project(3, 100n, 150n, 1), // more than full
    ];

    it("funds only projects whose bank holds their cost", function () {
      const full = rules({ rule: Rule.PiggyBankFull });
      expect(tally(entries, 1_000n, full)).to.deep.equal({ winners: [2, 1, 3], fundedTotal: 800n });
    });

    it("while Ranked funds the same banks by tokens alone", function () {
      // 0 leaves 300; 2 (400) is skipped; 1 takes the 300 left; 3 no longer fits.
      expect(tally(entries, 1_000n)).to.deep.equal({ winners: [0, 1], fundedTotal: 1_000n });
    });
  });

  describe("a project with no support", function () {
    it("is never funded, even with no minimums and money to spare", function () {
      const entries = [project(0, 100n, 0n, 0), project(1, 200n, 1n, 1)];
      expect(tally(entries, 1_000n)).to.deep.equal({ winners: [1], fundedTotal: 200n });
    });
  });

  it("funds nothing in a district with no projects", function () {
    expect(tally([], 1_000n)).to.deep.equal({ winners: [], fundedTotal: 0n });
  });
});
