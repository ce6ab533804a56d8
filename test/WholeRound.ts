/**
 * A whole round, from setup to implementation reports: 3 districts, 12 projects, 50 residents in two batches,
 * claims through relayers and directly, split votes, withdrawals and moves, and a finalization anyone can
 * recount from events with the TypeScript tally.
 */
import { Rule } from "@kopilka/core/rule";
import { expect } from "chai";
import { network } from "hardhat";

import { ANY_DISTRICT, type Participant } from "@kopilka/core/participants";
import { isEligible, rank, tallyDistrict } from "@kopilka/core/tally";
import {
  DAY,
  createRound,
  mintAndOpen,
  postBatch,
  voters,
  type PostedBatch,
  type RoundOptions,
  type Voter,
} from "../scripts/hardhat/fixtures.js";
import { ascending, fundedProjects, prng, recountFromEvents, rulesOf } from "./helpers/voting.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const ROUND: RoundOptions = {
  districts: [
    { name: "Central", budget: 4_000_000n, projects: [1_500_000n, 1_200_000n, 900_000n, 2_200_000n, 400_000n] },
    { name: "Riverside", budget: 3_000_000n, projects: [2_000_000n, 800_050n, 1_100_000n, 600_000n] },
    { name: "Hills", budget: 2_000_000n, projects: [1_400_000n, 900_000n, 550_000n] },
  ],
  rule: Rule.Ranked,
  // 3,000 rubles from at least 3 residents: enough to leave some projects out of the ranking, some of them by the
  // token minimum alone.
  minTokens: 300_000n,
  minSupporters: 3,
  votingDays: 14,
};
const VOTERS = 50;
const FIRST_BATCH = 30;
const SECOND_BATCH_AFTER = 5 * DAY;

/** Every fourth resident may vote in any district; the others are bound to theirs. */
function residentOf(voter: Voter, index: number): Participant {
  return {
    account: voter.address,
    district: index % 4 === 3 ? ANY_DISTRICT : index % 3,
    // Uneven allowances, kopecks included.
    amount: 50_000n + BigInt((index * 3_701) % 150_000),
  };
}

async function wholeRound() {
  const created = await createRound(ethers, networkHelpers, ROUND);
  const { round, roles, banks, districtProjects } = created;
  const everyone = await voters(ethers, networkHelpers, VOTERS + 2);
  const residents = everyone.slice(0, VOTERS);
  const [relayer, finalizer] = everyone.slice(VOTERS);
  const participants = residents.map(residentOf);
  const random = prng(2024);

  await mintAndOpen(created);
  const first = await postBatch(created, participants.slice(0, FIRST_BATCH));
  await time.increaseTo(created.opensAt);

  /** What each resident has in each bank, as the test meant it: checked against the round's records. */
  const intended = new Map<string, bigint>();
  const note = (voter: Voter, bank: string, amount: bigint) => {
    const key = `${voter.address}/${bank}`;
    intended.set(key, (intended.get(key) ?? 0n) + amount);
  };

  const banksFor = (participant: Participant) =>
    participant.district === ANY_DISTRICT
      ? banks
      : districtProjects[participant.district].map((projectId) => banks[projectId]);

  /** Splits most of the allowance over 1..3 of the projects the resident may support. */
  const planFor = (participant: Participant) => {
    const allowed = banksFor(participant);
    const count = 1 + random(3);
    const chosen = [...new Set(Array.from({ length: count }, () => allowed[random(allowed.length)]))];
    const spend = random(5) === 0 ? (participant.amount * 9n) / 10n : participant.amount;
    const weights = chosen.map(() => BigInt(1 + random(10)));
    const totalWeight = weights.reduce((a, b) => a + b, 0n);
    const amounts = weights.map((weight) => (spend * weight) / totalWeight);
    amounts[amounts.length - 1] += spend - amounts.reduce((a, b) => a + b, 0n);
    return { banks: chosen, amounts };
  };

  const vote = async (batch: PostedBatch, voter: Voter, index: number) => {
    const { participant, proof } = batch.proofOf(voter.address);
    const plan = planFor(participant);
    if (index % 3 === 0) {
      // A relayer (the dApp's backend, a neighbour) pays the claim's gas; the tokens still go to the resident.
      await created.airdrop
        .connect(relayer)
        .claim(batch.batchId, voter.address, participant.district, participant.amount, participant.enrollment, proof);
      await round.connect(voter).allocate(plan.banks, plan.amounts);
    } else {
      await round
        .connect(voter)
        .claimAndAllocate(
          batch.batchId,
          participant.district,
          participant.amount,
          participant.enrollment,
          proof,
          plan.banks,
          plan.amounts,
        );
    }
    plan.banks.forEach((bank, i) => note(voter, bank, plan.amounts[i]));
    return plan;
  };

  /** Some residents take half of their first allocation back, some move all of it to another project. */
  const changeMinds = async (voter: Voter, index: number, plan: { banks: string[]; amounts: bigint[] }) => {
    const [bank, amount] = [plan.banks[0], plan.amounts[0]];
    if (index % 5 === 1 && amount > 1n) {
      await round.connect(voter).withdraw([bank], [amount / 2n]);
      note(voter, bank, -(amount / 2n));
    } else if (index % 7 === 2) {
      const allowed = banksFor(participants[index]).filter((other) => other !== bank);
      const target = allowed[random(allowed.length)];
      await round.connect(voter).reallocate([bank], [amount], [target], [amount]);
      note(voter, bank, -amount);
      note(voter, target, amount);
    }
  };

  const voteAll = async (batch: PostedBatch, from: number, to: number) => {
    const plans = [];
    for (let index = from; index < to; ++index) plans.push(await vote(batch, residents[index], index));
    for (let index = from; index < to; ++index) await changeMinds(residents[index], index, plans[index - from]);
  };

  await voteAll(first, 0, FIRST_BATCH);
  // The registrar verifies a second wave of residents while voting is under way.
  await time.increaseTo(created.opensAt + BigInt(SECOND_BATCH_AFTER));
  const second = await postBatch(created, participants.slice(FIRST_BATCH));
  await voteAll(second, FIRST_BATCH, VOTERS);

  await time.increaseTo(created.closesAt);
  for (let districtId = 0; districtId < ROUND.districts.length; ++districtId) {
    await round.connect(finalizer).finalize(districtId);
  }
  return { created, residents, participants, intended, roles, batches: [first, second] };
}

describe("A whole round", function () {
  it("ends Finalized, every district finalized by an outsider", async function () {
    const { created } = await loadFixture(wholeRound);
    expect(await created.round.phase()).to.equal(3n); // Phase.Finalized
    expect(await created.round.finalizedDistricts()).to.equal(BigInt(ROUND.districts.length));
    const batches = await created.airdrop.batchCount();
    expect(batches).to.equal(2n);
  });

  it("funds exactly the projects the TypeScript tally picks from the events", async function () {
    const { created } = await loadFixture(wholeRound);
    const { round } = created;
    const rules = await rulesOf(round);
    const recounted = await recountFromEvents(created);
    expect(recounted).to.have.length(ROUND.districts.length);
    const fundedEvents = await round.queryFilter(round.filters.ProjectFunded());
    let winners = 0;
    let belowMinimums = 0;
    let skippedForCost = 0;
    for (const [districtId, { budget, entries }] of recounted.entries()) {
      const expected = tallyDistrict(entries, budget, rules);
      const stored = await round.district(districtId);
      expect(await fundedProjects(round, districtId), `district ${districtId}`).to.deep.equal(
        ascending(expected.winners),
      );
      expect(stored.funded).to.equal(expected.fundedTotal);
      expect(stored.funded).to.be.lessThanOrEqual(stored.budget);
      const announced = fundedEvents.filter((event) => event.args.district === BigInt(districtId));
      expect(announced.map((event) => event.args.projectId)).to.deep.equal(ascending(expected.winners));
      // The recount agrees with the banks' balances, which the round's finalize read.
      for (const entry of entries) {
        const project = await round.project(entry.projectId);
        expect(await created.token.balanceOf(project.bank)).to.equal(entry.tokens);
        expect(await round.supportersOf(project.bank)).to.equal(entry.supporters);
      }
      winners += expected.winners.length;
      belowMinimums += entries.filter((entry) => !isEligible(entry, rules)).length;
      skippedForCost += rank(entries, rules).length - expected.winners.length;
    }
    // The data is meant to exercise every part of the rule: winners, projects below the minimums, and eligible
    // projects skipped because their cost did not fit what was left.
    expect(winners).to.be.greaterThan(0);
    expect(belowMinimums).to.be.greaterThan(0);
    expect(skippedForCost).to.be.greaterThan(0);
  });

  it("leaves out a project short of the token minimum alone, though it would fit what was left", async function () {
    // Read from the contracts, without the TypeScript tally: the minimum of tokens alone must change the outcome
    // here, or the recount above would agree with a tally that ignores it.
    const { created } = await loadFixture(wholeRound);
    const { round, token } = created;
    const [minTokens, minSupporters] = [await round.minTokens(), await round.minSupporters()];
    const belowTokenMinimumOnly = [];
    for (let districtId = 0; districtId < ROUND.districts.length; ++districtId) {
      const district = await round.district(districtId);
      for (const projectId of await round.districtProjectIds(districtId)) {
        const project = await round.project(projectId);
        const tokens = await token.balanceOf(project.bank);
        const supporters = await round.supportersOf(project.bank);
        if (tokens === 0n || tokens >= minTokens || supporters < minSupporters) continue;
        expect(project.funded, `project ${projectId} is below the token minimum`).to.equal(false);
        // Ranked funds whatever fits what is left when a project's turn comes, and what is left only shrinks: a
        // project that fits what its district left at the end would have been funded had it been eligible.
        if (project.cost <= district.budget - district.funded) belowTokenMinimumOnly.push(projectId);
      }
    }
    expect(belowTokenMinimumOnly).to.not.be.empty;
  });

  it("keeps the supply at the budget and every resident's tokens where they put them", async function () {
    const { created, residents, participants, intended } = await loadFixture(wholeRound);
    const { round, token, airdrop, banks, budget } = created;
    expect(await token.totalSupply()).to.equal(budget);

    const claimed = new Map<string, bigint>();
    for (const event of await airdrop.queryFilter(airdrop.filters.Claimed())) {
      claimed.set(event.args.account, (claimed.get(event.args.account) ?? 0n) + event.args.amount);
    }
    expect(claimed.size).to.equal(VOTERS);
    let held = await token.balanceOf(await round.getAddress());
    for (const bank of banks) held += await token.balanceOf(bank);
    for (const [index, resident] of residents.entries()) {
      expect(claimed.get(resident.address)).to.equal(participants[index].amount);
      let deposits = 0n;
      for (const bank of banks) {
        const deposit = await round.depositOf(bank, resident.address);
        expect(deposit).to.equal(intended.get(`${resident.address}/${bank}`) ?? 0n);
        deposits += deposit;
      }
      const balance = await token.balanceOf(resident.address);
      expect(balance + deposits, `resident ${index}`).to.equal(claimed.get(resident.address));
      held += balance;
    }
    expect(held).to.equal(budget);
  });

  it("records how a funded project is implemented", async function () {
    const { created, roles } = await loadFixture(wholeRound);
    const { round } = created;
    const [{ args }] = await round.queryFilter(round.filters.ProjectFunded());
    const funded = args.projectId;
    const { cost } = await round.project(funded);
    const contract = ethers.id("contract No. 17 with the builder");
    await expect(round.connect(roles.reporter).recordImplementation(funded, 1, cost / 3n, contract))
      .to.emit(round, "ImplementationRecorded")
      .withArgs(funded, 1, cost / 3n, contract);
    const report = ethers.id("acceptance report");
    await expect(round.connect(roles.reporter).recordImplementation(funded, 3, cost, report))
      .to.emit(round, "ImplementationRecorded")
      .withArgs(funded, 3, cost, report);
    const implementation = await round.implementationOf(funded);
    expect([implementation.status, implementation.amountSpent, implementation.documentHash]).to.deep.equal([
      3n,
      cost,
      report,
    ]);
  });
});
