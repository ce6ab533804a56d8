/**
 * The TypeScript tally (scripts/core/src/domain/tally.ts) against the round: random districts are voted and finalized on
 * real contracts, and the round must fund exactly what `tallyDistrict` picks from the same votes.
 */
import { randomInt } from "node:crypto";

import { Rule } from "@kopilka/core/rule";
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import { ANY_DISTRICT, type Participant } from "@kopilka/core/participants";
import { tallyDistrict, type TallyEntry } from "@kopilka/core/tally";
import { createRound, mintAndOpen, postBatch, voters } from "../scripts/hardhat/fixtures.js";
import { ascending, fundedProjects } from "./helpers/voting.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

/**
 * A new seed every run, so that over many runs the random districts reach cases no single seed does. The seed is in
 * the test's title, and fast-check prints it with the path of the smallest counterexample when a run fails: replay
 * that run with TALLY_SEED=<seed>, and go straight to the counterexample with TALLY_PATH=<path> as well.
 */
const SEED = seedOf(process.env.TALLY_SEED);
const PATH = process.env.TALLY_PATH || undefined;
const RUNS = 25;
const VOTERS = 8;
const TESTED = 0;

function seedOf(pinned: string | undefined): number {
  if (pinned === undefined || pinned === "") return randomInt(2 ** 31);
  const seed = Number(pinned);
  if (!Number.isSafeInteger(seed)) throw new Error(`TALLY_SEED must be an integer, not ${JSON.stringify(pinned)}`);
  return seed;
}

interface Vote {
  voter: number;
  /** Index of the project in the tested district. */
  project: number;
  amount: bigint;
  /** Taken back out before the deadline. */
  withdrawn: bigint;
}

interface DistrictScenario {
  rule: Rule;
  budget: bigint;
  costs: bigint[];
  minTokens: bigint;
  minSupporters: number;
  /** Which voters may vote in any district rather than only the tested one. */
  anyDistrict: boolean[];
  votes: Vote[];
}

/** The reference's view of the scenario: tokens and supporters per project after all votes and withdrawals. */
function expectedEntries(scenario: DistrictScenario): TallyEntry[] {
  return scenario.costs.map((cost, project) => {
    const net = new Map<number, bigint>();
    for (const vote of scenario.votes.filter((v) => v.project === project)) {
      net.set(vote.voter, (net.get(vote.voter) ?? 0n) + vote.amount - vote.withdrawn);
    }
    const tokens = [...net.values()].reduce((a, b) => a + b, 0n);
    const supporters = BigInt([...net.values()].filter((amount) => amount > 0n).length);
    return { projectId: BigInt(project), cost, tokens, supporters };
  });
}

/**
 * Every run starts from this snapshot: same block, same time, same funded voters, so a seed and a path replay
 * the exact same chain. `createRound` deploys the factory itself, inside each run.
 */
async function votersOnFreshChain() {
  return voters(ethers, networkHelpers, VOTERS);
}

/** Creates the round, votes the scenario, finalizes the tested district and returns what the round decided. */
async function finalizeOnChain(scenario: DistrictScenario) {
  const residents = await loadFixture(votersOnFreshChain);
  const allowances = residents.map((_, voter) =>
    scenario.votes.filter((v) => v.voter === voter).reduce((sum, v) => sum + v.amount, 0n),
  );
  // The tested district's banks may hold more than its budget (residents of any district vote there too), and
  // every token must exist: a second district carries the rest of the supply.
  const reserve = allowances.reduce((a, b) => a + b, 1n);
  const created = await createRound(ethers, networkHelpers, {
    districts: [
      { name: "Tested", budget: scenario.budget, projects: scenario.costs },
      { name: "Reserve", budget: reserve, projects: [reserve] },
    ],
    rule: scenario.rule,
    minTokens: scenario.minTokens,
    minSupporters: scenario.minSupporters,
  });
  const { round, banks, districtProjects } = created;
  const bankOf = (project: number) => banks[districtProjects[TESTED][project]];
  await mintAndOpen(created);
  const participants: Participant[] = residents
    .map((resident, voter) => ({
      account: resident.address,
      district: scenario.anyDistrict[voter] ? ANY_DISTRICT : TESTED,
      amount: allowances[voter],
    }))
    .filter((participant) => participant.amount > 0n);
  const batch = participants.length > 0 ? await postBatch(created, participants) : undefined;
  await time.increaseTo(created.opensAt);

  for (const [voter, resident] of residents.entries()) {
    const votes = scenario.votes.filter((v) => v.voter === voter);
    if (batch === undefined || votes.length === 0) continue;
    const { participant, proof } = batch.proofOf(resident.address);
    await round.connect(resident).claimAndAllocate(
      batch.batchId,
      participant.district,
      participant.amount,
      participant.enrollment,
      proof,
      votes.map((v) => bankOf(v.project)),
      votes.map((v) => v.amount),
    );
  }
  for (const [voter, resident] of residents.entries()) {
    const withdrawals = scenario.votes.filter((v) => v.voter === voter && v.withdrawn > 0n);
    if (withdrawals.length === 0) continue;
    await round.connect(resident).withdraw(
      withdrawals.map((v) => bankOf(v.project)),
      withdrawals.map((v) => v.withdrawn),
    );
  }

  await time.increaseTo(created.closesAt);
  await round.finalize(TESTED);
  const tokens = await Promise.all(scenario.costs.map((_, project) => created.token.balanceOf(bankOf(project))));
  // Project ids of the tested district are 0..n-1: it is the first district created.
  expect(districtProjects[TESTED]).to.deep.equal(scenario.costs.map((_, project) => project));
  return {
    funded: await fundedProjects(round, TESTED),
    fundedTotal: (await round.district(TESTED)).funded,
    tokens,
  };
}

/** Finalizes the scenario on-chain and checks it against the reference; returns the reference's result. */
async function expectParity(scenario: DistrictScenario) {
  const entries = expectedEntries(scenario);
  const expected = tallyDistrict(entries, scenario.budget, {
    rule: scenario.rule,
    minTokens: scenario.minTokens,
    minSupporters: BigInt(scenario.minSupporters),
  });
  const onChain = await finalizeOnChain(scenario);
  expect(onChain.tokens, "bank balances").to.deep.equal(entries.map((entry) => entry.tokens));
  expect(onChain.funded, "winners").to.deep.equal(ascending(expected.winners));
  expect(onChain.fundedTotal, "funded total").to.equal(expected.fundedTotal);
  return expected;
}

/** A share of `whole` in sixteenths, at least one kopeck: coarse shares make equal tokens and costs common. */
function sixteenths(whole: bigint, parts: number): bigint {
  const share = (whole * BigInt(parts)) / 16n;
  return share > 0n ? share : 1n;
}

const scenarios: fc.Arbitrary<DistrictScenario> = fc
  .record({
    rule: fc.constantFrom(Rule.Ranked, Rule.PiggyBankFull),
    budget: fc.bigInt({ min: 100n, max: 10_000_000n }),
    costParts: fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 12 }),
    minTokensParts: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 })),
    minSupporters: fc.oneof(
      { weight: 2, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
    ),
    anyDistrict: fc.array(fc.boolean(), { minLength: VOTERS, maxLength: VOTERS }),
    votes: fc.array(
      fc.record({
        voter: fc.integer({ min: 0, max: VOTERS - 1 }),
        project: fc.nat(),
        // Few distinct amounts, so that equal tallies (and the tie rule) come up often.
        amountParts: fc.integer({ min: 1, max: 6 }),
        // Most votes stay; some are taken back by half or whole, a few by any share.
        withdrawnPercent: fc.oneof(
          { weight: 4, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.constantFrom(50, 100) },
          { weight: 1, arbitrary: fc.integer({ min: 1, max: 99 }) },
        ),
      }),
      { minLength: 1, maxLength: 30 },
    ),
  })
  .map(({ budget, costParts, minTokensParts, votes, ...rest }) => ({
    ...rest,
    budget,
    costs: costParts.map((parts) => sixteenths(budget, parts)),
    minTokens: minTokensParts === 0 ? 0n : sixteenths(budget, minTokensParts),
    votes: votes.map(({ voter, project, amountParts, withdrawnPercent }) => {
      const amount = sixteenths(budget, amountParts);
      return {
        voter,
        project: project % costParts.length,
        amount,
        withdrawn: (amount * BigInt(withdrawnPercent)) / 100n,
      };
    }),
  }));

/** A hand-written scenario: no minimums, voters bound to the tested district unless said otherwise. */
function example(scenario: Partial<DistrictScenario> & Pick<DistrictScenario, "budget" | "costs">): DistrictScenario {
  return {
    rule: Rule.Ranked,
    minTokens: 0n,
    minSupporters: 0,
    anyDistrict: Array<boolean>(VOTERS).fill(false),
    votes: [],
    ...scenario,
  };
}

const vote = (voter: number, project: number, amount: bigint, withdrawn = 0n): Vote => ({
  voter,
  project,
  amount,
  withdrawn,
});

describe("Tally parity", function () {
  it(`funds what tallyDistrict picks, in ${RUNS} random districts (seed ${SEED})`, async function () {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        await expectParity(scenario);
      }),
      { numRuns: RUNS, seed: SEED, path: PATH },
    );
  });

  it("breaks a tie by the lower project id", async function () {
    const result = await expectParity(
      example({
        budget: 1_000n,
        costs: [600n, 600n],
        // Project 1 receives its tokens first; the order of votes must not matter.
        votes: [vote(0, 1, 300n), vote(1, 0, 300n)],
      }),
    );
    expect(result.winners).to.deep.equal([0n]);
  });

  it("skips an expensive project that no longer fits and funds cheaper ones ranked below it", async function () {
    const result = await expectParity(
      example({
        budget: 1_000n,
        costs: [500n, 800n, 300n, 200n],
        votes: [vote(0, 0, 500n), vote(1, 1, 400n), vote(2, 2, 300n), vote(3, 3, 200n)],
      }),
    );
    expect(result.winners).to.deep.equal([0n, 2n, 3n]);
  });

  it("under PiggyBankFull, funds full banks ranked below a richer bank that is not full", async function () {
    const votes = [vote(0, 0, 600n), vote(1, 1, 300n), vote(2, 2, 400n)];
    const costs = [700n, 300n, 400n];
    const full = await expectParity(example({ rule: Rule.PiggyBankFull, budget: 1_000n, costs, votes }));
    expect(full.winners).to.deep.equal([2n, 1n]);
    // The same votes under Ranked fund the richest project first.
    const ranked = await expectParity(example({ rule: Rule.Ranked, budget: 1_000n, costs, votes }));
    expect(ranked.winners).to.deep.equal([0n, 1n]);
  });

  it("leaves out a project with many supporters but too few tokens", async function () {
    const result = await expectParity(
      example({
        budget: 1_000n,
        costs: [400n, 400n],
        minTokens: 300n,
        // Four residents put 50 each into project 0, 200 in all; one puts 300 into project 1. Both would fit.
        votes: [vote(0, 0, 50n), vote(1, 0, 50n), vote(2, 0, 50n), vote(3, 0, 50n), vote(4, 1, 300n)],
      }),
    );
    expect(result.winners).to.deep.equal([1n]);
  });

  it("leaves out a project with many tokens from too few supporters", async function () {
    const result = await expectParity(
      example({
        budget: 1_000n,
        costs: [500n, 500n],
        minSupporters: 2,
        // One resident with any-district tokens puts 900 into project 0; two put 100 each into project 1. A
        // third supporter of project 0 withdraws everything and stops counting.
        anyDistrict: [true, false, false, false, false, false, false, false],
        votes: [vote(0, 0, 900n), vote(1, 1, 100n), vote(2, 1, 100n), vote(3, 0, 50n, 50n)],
      }),
    );
    expect(result.winners).to.deep.equal([1n]);
  });
});
