/**
 * The tally's explanation (scripts/core/src/domain/tally.ts): the reason each project did not win, in sentences for
 * each rule, and a property that the explanation always agrees with the winners `tallyDistrict` picks.
 */
import { expect } from "chai";
import fc from "fast-check";

import { Rule } from "@kopilka/core/rule";
import { explainDistrict, tallyDistrict, type TallyEntry, type TallyRules } from "@kopilka/core/tally";

const SEED = Number(process.env.TALLY_SEED ?? 20_260_112);

const RANKED: TallyRules = { rule: Rule.Ranked, minTokens: 0n, minSupporters: 0n };

const entry = (id: number, cost: bigint, tokens: bigint, supporters = tokens > 0n ? 1n : 0n): TallyEntry => ({
  projectId: BigInt(id),
  cost,
  tokens,
  supporters,
});

describe("Tally explanation", function () {
  it("funds down the ranking and says a project did not fit what was left of the budget", function () {
    const entries = [entry(0, 600n, 500n), entry(1, 500n, 400n), entry(2, 300n, 100n)];
    const { winners, fundedTotal, outcomes } = explainDistrict(entries, 1_000n, RANKED);
    expect(winners).to.deep.equal([0n, 2n]);
    expect(fundedTotal).to.equal(900n);
    expect(outcomes).to.deep.equal([
      { projectId: 0n, funded: true, budgetLeft: 1_000n },
      { projectId: 1n, funded: false, reason: "didNotFit", budgetLeft: 400n },
      { projectId: 2n, funded: true, budgetLeft: 400n },
    ]);
  });

  it("says a project without a single vote had no support", function () {
    const { outcomes } = explainDistrict([entry(0, 100n, 0n)], 1_000n, RANKED);
    expect(outcomes).to.deep.equal([{ projectId: 0n, funded: false, reason: "noSupport" }]);
  });

  it("says a project stayed below the minimum of tokens, then of supporters", function () {
    const rules = { rule: Rule.Ranked, minTokens: 50n, minSupporters: 3n };
    const { outcomes } = explainDistrict([entry(0, 100n, 40n, 5n), entry(1, 100n, 60n, 2n)], 1_000n, rules);
    expect(outcomes.map((o) => !o.funded && o.reason)).to.deep.equal(["belowMinTokens", "belowMinSupporters"]);
  });

  it("says a bank was not full under the piggy-bank-full rule", function () {
    const rules = { rule: Rule.PiggyBankFull, minTokens: 0n, minSupporters: 0n };
    const { winners, outcomes } = explainDistrict([entry(0, 100n, 99n), entry(1, 100n, 100n)], 1_000n, rules);
    expect(winners).to.deep.equal([1n]);
    expect(outcomes[0]).to.deep.equal({ projectId: 0n, funded: false, reason: "notFull" });
  });

  it(`agrees with tallyDistrict and gives every other project a true reason (seed ${SEED})`, function () {
    const entries = fc
      .uniqueArray(
        fc.record({
          projectId: fc.bigInt({ min: 0n, max: 40n }),
          cost: fc.bigInt({ min: 1n, max: 1_000n }),
          tokens: fc.bigInt({ min: 0n, max: 1_200n }),
          supporters: fc.bigInt({ min: 0n, max: 5n }),
        }),
        { selector: (e) => e.projectId, maxLength: 12 },
      )
      .map((list) => list.map((e) => ({ ...e, supporters: e.tokens === 0n ? 0n : e.supporters || 1n })));
    const rules = fc.record({
      rule: fc.constantFrom(Rule.Ranked, Rule.PiggyBankFull),
      minTokens: fc.bigInt({ min: 0n, max: 300n }),
      minSupporters: fc.bigInt({ min: 0n, max: 3n }),
    });
    fc.assert(
      fc.property(entries, fc.bigInt({ min: 0n, max: 3_000n }), rules, (list, budget, r) => {
        const explained = explainDistrict(list, budget, r);
        const plain = tallyDistrict(list, budget, r);
        expect({ winners: explained.winners, fundedTotal: explained.fundedTotal }).to.deep.equal(plain);
        expect(explained.outcomes.map((o) => o.projectId)).to.deep.equal(list.map((e) => e.projectId));
        const funded = new Set(plain.winners);
        for (const [i, outcome] of explained.outcomes.entries()) {
          const e = list[i];
          expect(outcome.funded).to.equal(funded.has(e.projectId));
          if (outcome.funded) continue;
          if (outcome.reason === "didNotFit") expect(outcome.budgetLeft < e.cost).to.equal(true);
          if (outcome.reason === "noSupport") expect(e.tokens).to.equal(0n);
          if (outcome.reason === "belowMinTokens") expect(e.tokens < r.minTokens).to.equal(true);
          if (outcome.reason === "belowMinSupporters") expect(e.supporters < r.minSupporters).to.equal(true);
          if (outcome.reason === "notFull") expect(e.tokens < e.cost).to.equal(true);
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
