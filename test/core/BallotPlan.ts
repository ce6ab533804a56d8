/**
 * The ballot planner (scripts/core/src/domain/ballotPlan.ts): sentences for each kind of ballot and each refusal,
 * a property against the round's rules in memory, and a property on a real round, where every plan the planner lets
 * through must be accepted, directly and through the ballot box, and end exactly where the resident wanted.
 */
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import type { Address } from "viem";

import {
  ballotMoves,
  directCall,
  planBallot,
  type AllowanceClaim,
  type BallotMoves,
  type BallotPlan,
  type Holdings,
  type Wish,
} from "@kopilka/core/ballotPlan";
import { batchGasLimit, ballotCalldata, ballotDomain, signBallot, type BallotClaim } from "@kopilka/core/ballots";
import { ANY_DISTRICT, type Participant } from "@kopilka/core/participants";
import { createRound, mintAndOpen, postBatch } from "../../scripts/hardhat/fixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

/** Replay a failure with BALLOT_SEED=<seed> BALLOT_PATH=<path>, both printed by fast-check when a run fails. */
const SEED = Number(process.env.BALLOT_SEED ?? 20_260_101);
const PATH = process.env.BALLOT_PATH;

const bank = (n: number): Address => `0x${n.toString(16).padStart(40, "0")}`;
const [SCHOOL, PARK, LIBRARY, RIVER_BRIDGE] = [bank(1), bank(2), bank(3), bank(4)];
const CENTRAL = 0;
const RIVERSIDE = 1;
const LEAF: AllowanceClaim = {
  batchId: 0n,
  district: CENTRAL,
  amount: 10_000n,
  enrollment: `0x${"cd".repeat(32)}`,
  proof: [`0x${"ab".repeat(32)}`],
};

/** A Central resident who has claimed, with these deposits in School, Park and Library, and `unallocated` left. */
function resident(deposits: [bigint, bigint, bigint], unallocated: bigint, district = CENTRAL): Holdings {
  return {
    claimed: true,
    district,
    unallocated,
    banks: [
      { bank: SCHOOL, district: CENTRAL, deposit: deposits[0] },
      { bank: PARK, district: CENTRAL, deposit: deposits[1] },
      { bank: LIBRARY, district: CENTRAL, deposit: deposits[2] },
      { bank: RIVER_BRIDGE, district: RIVERSIDE, deposit: 0n },
    ],
  };
}

/** A Central resident on the participants list who has not claimed yet. */
const listed: Holdings = { ...resident([0n, 0n, 0n], LEAF.amount), claimed: false };

const wish = (bank: Address, amount: bigint): Wish => ({ bank, amount });

describe("The ballot planner", function () {
  describe("planBallot", function () {
    it("claims a first-time resident's allowance and puts it into the chosen banks in one call", function () {
      const plan = planBallot(listed, [wish(SCHOOL, 6_000n), wish(PARK, 3_000n), wish(LIBRARY, 0n)]);
      expect(plan.problems).to.deep.equal([]);
      expect(plan).to.include({ claim: true, total: 10_000n, wanted: 9_000n, left: 1_000n });
      expect(directCall(plan, LEAF)).to.deep.equal({
        functionName: "claimAndAllocate",
        args: [0n, CENTRAL, 10_000n, LEAF.enrollment, LEAF.proof, [SCHOOL, PARK], [6_000n, 3_000n]],
      });
      expect(ballotMoves(plan)).to.deep.equal({
        fromBanks: [],
        fromAmounts: [],
        toBanks: [SCHOOL, PARK],
        toAmounts: [6_000n, 3_000n],
      });
    });

    it("adds to a resident's deposits with allocate when nothing is taken out", function () {
      const plan = planBallot(resident([1_000n, 0n, 0n], 9_000n), [wish(SCHOOL, 4_000n), wish(LIBRARY, 500n)]);
      expect(plan.claim).to.equal(false);
      expect(directCall(plan)).to.deep.equal({
        functionName: "allocate",
        args: [
          [SCHOOL, LIBRARY],
          [3_000n, 500n],
        ],
      });
    });

    it("takes deposits back with withdraw when nothing is put in", function () {
      const plan = planBallot(resident([4_000n, 2_000n, 0n], 4_000n), [wish(SCHOOL, 1_000n), wish(PARK, 0n)]);
      expect(plan).to.include({ total: 10_000n, wanted: 1_000n, left: 9_000n });
      expect(directCall(plan)).to.deep.equal({
        functionName: "withdraw",
        args: [
          [SCHOOL, PARK],
          [3_000n, 2_000n],
        ],
      });
    });

    it("moves tokens between banks with one reallocate, withdrawals first", function () {
      const plan = planBallot(resident([6_000n, 3_000n, 0n], 1_000n), [
        wish(SCHOOL, 5_000n),
        wish(PARK, 3_000n),
        wish(LIBRARY, 1_000n),
      ]);
      expect(plan.changes).to.deep.equal([
        { bank: SCHOOL, delta: -1_000n },
        { bank: LIBRARY, delta: 1_000n },
      ]);
      expect(directCall(plan)).to.deep.equal({
        functionName: "reallocate",
        args: [[SCHOOL], [1_000n], [LIBRARY], [1_000n]],
      });
      expect(ballotMoves(plan)).to.deep.equal({
        fromBanks: [SCHOOL],
        fromAmounts: [1_000n],
        toBanks: [LIBRARY],
        toAmounts: [1_000n],
      });
    });

    it("leaves a bank that no wish names as it is, and counts its deposit as spent", function () {
      const plan = planBallot(resident([2_000n, 3_000n, 0n], 5_000n), [wish(SCHOOL, 7_000n)]);
      expect(plan.changes).to.deep.equal([{ bank: SCHOOL, delta: 5_000n }]);
      expect(plan).to.include({ wanted: 10_000n, left: 0n });
    });

    it("matches banks whatever the case of their addresses", function () {
      const upper = `0x${"AB".repeat(20)}` as Address;
      const holdings: Holdings = {
        claimed: true,
        district: CENTRAL,
        unallocated: 100n,
        banks: [{ bank: upper, district: CENTRAL, deposit: 0n }],
      };
      const plan = planBallot(holdings, [wish(upper.toLowerCase() as Address, 100n)]);
      expect(plan.problems).to.deep.equal([]);
      expect(plan.changes).to.deep.equal([{ bank: upper, delta: 100n }]);
    });

    it("refuses more than the resident has and says by how much", function () {
      const plan = planBallot(listed, [wish(SCHOOL, 6_000n), wish(PARK, 3_000n), wish(LIBRARY, 5_000n)]);
      expect(plan.left).to.equal(-4_000n);
      expect(plan.problems).to.deep.equal([{ kind: "overBudget", by: 4_000n }]);
    });

    it("refuses a negative amount", function () {
      const plan = planBallot(resident([1_000n, 0n, 0n], 9_000n), [wish(SCHOOL, -1n)]);
      expect(plan.problems).to.deep.equal([{ kind: "negative", bank: SCHOOL, amount: -1n }]);
    });

    it("refuses a ballot that changes nothing", function () {
      const plan = planBallot(resident([1_000n, 2_000n, 0n], 7_000n), [wish(SCHOOL, 1_000n), wish(LIBRARY, 0n)]);
      expect(plan.changes).to.deep.equal([]);
      expect(plan.problems).to.deep.equal([{ kind: "unchanged" }]);
    });

    it("refuses to put a resident's tokens into another district's bank", function () {
      const plan = planBallot(resident([0n, 0n, 0n], 10_000n), [wish(RIVER_BRIDGE, 2_000n)]);
      expect(plan.problems).to.deep.equal([
        { kind: "otherDistrict", bank: RIVER_BRIDGE, bankDistrict: RIVERSIDE, district: CENTRAL },
      ]);
    });

    it("lets a resident of any district put tokens into every district's banks", function () {
      const plan = planBallot(resident([0n, 0n, 0n], 10_000n, ANY_DISTRICT), [
        wish(SCHOOL, 2_000n),
        wish(RIVER_BRIDGE, 2_000n),
      ]);
      expect(plan.problems).to.deep.equal([]);
      expect(ballotMoves(plan).toBanks).to.deep.equal([SCHOOL, RIVER_BRIDGE]);
    });

    it("refuses a bank that is not on the ballot", function () {
      const plan = planBallot(resident([0n, 0n, 0n], 10_000n), [wish(SCHOOL, 1_000n), wish(bank(99), 1_000n)]);
      expect(plan.problems).to.deep.equal([{ kind: "unknownBank", bank: bank(99) }]);
    });

    it("derives no call and no signed ballot from a plan with problems", function () {
      const plan = planBallot(listed, [wish(SCHOOL, 20_000n)]);
      expect(() => directCall(plan, LEAF)).to.throw("the ballot cannot be sent: overBudget");
      expect(() => ballotMoves(plan)).to.throw("the ballot cannot be sent: overBudget");
    });

    it("needs the resident's leaf for a call that claims", function () {
      const plan = planBallot(listed, [wish(SCHOOL, 1_000n)]);
      expect(() => directCall(plan)).to.throw("its leaf and proof are needed");
    });

    it("throws on holdings that cannot be: a deposit before the claim, a bank listed twice, a negative balance", function () {
      expect(() => planBallot({ ...resident([1n, 0n, 0n], 0n), claimed: false }, [])).to.throw("before the claim");
      const twice = resident([0n, 0n, 0n], 1n);
      expect(() => planBallot({ ...twice, banks: [...twice.banks, twice.banks[0]] }, [])).to.throw("twice");
      expect(() => planBallot(resident([0n, 0n, 0n], -1n), [])).to.throw("cannot be negative");
      expect(() => planBallot(resident([0n, 0n, 0n], 1n), [wish(SCHOOL, 1n), wish(SCHOOL, 0n)])).to.throw("twice");
    });
  });

  describe("against the round's rules in memory", function () {
    it("sends only moves the round accepts, ending at exactly the wished deposits", function () {
      let sent = 0;
      fc.assert(
        fc.property(holdingsAndWishes(), ({ holdings, wishes }) => {
          const plan = planBallot(holdings, wishes);
          if (plan.problems.length > 0) return;
          sent++;
          const after = applyByTheRules(holdings, ballotMoves(plan));
          for (const { bank, deposit } of holdings.banks) {
            const wished = wishes.find((w) => w.bank === bank)?.amount ?? deposit;
            expect(after.deposits.get(bank), bank).to.equal(wished);
          }
          expect(after.unallocated).to.equal(plan.left);
          expectSameMoves(plan);
        }),
        { numRuns: 1_000, seed: SEED, path: PATH },
      );
      expect(sent, "ballots that could be sent").to.be.greaterThan(100);
    });

    it("finds nothing wrong with wishes the resident can reach, and names a negative amount or one kopeck too many", function () {
      fc.assert(
        fc.property(holdingsAndWishes(), fc.nat(), ({ holdings, wishes }, pick) => {
          const reachable = reachableWishes(holdings, wishes);
          const plan = planBallot(holdings, reachable);
          const changed = reachable.some((w) => w.amount !== holdings.banks.find((b) => b.bank === w.bank)!.deposit);
          expect(plan.problems).to.deep.equal(changed ? [] : [{ kind: "unchanged" }]);
          if (reachable.length === 0) return;
          const spoiled = reachable[pick % reachable.length];
          const rest = reachable.filter((w) => w !== spoiled);
          const negative = planBallot(holdings, [...rest, { ...spoiled, amount: -1n }]);
          expect(negative.problems.map((p) => p.kind)).to.include("negative");
          const over = planBallot(holdings, [...rest, { ...spoiled, amount: spoiled.amount + plan.left + 1n }]);
          expect(over.problems).to.deep.include({ kind: "overBudget", by: 1n });
        }),
        { numRuns: 1_000, seed: SEED, path: PATH },
      );
    });
  });

  describe("on a real round", function () {
    it(`carries out every plan it lets through, directly and through the ballot box (seed ${SEED})`, async function () {
      let carried = 0;
      await fc.assert(
        fc.asyncProperty(chainScenarios, async (scenario) => {
          if (await expectCarriedOut(scenario)) carried++;
        }),
        { numRuns: 24, seed: SEED, path: PATH },
      );
      expect(carried, "ballots carried out").to.be.greaterThan(12);
    });

    it("claims and allocates a first ballot through the ballot box with the relayer's claim", async function () {
      const carried = await expectCarriedOut({
        voter: "listed",
        initial: [0, 0, 0, 0, 0],
        wished: [3, 2, null, 0, 0],
        relayed: true,
      });
      expect(carried).to.equal(true);
    });

    it("moves a resident of any district from one district's bank to another's with one reallocate", async function () {
      const carried = await expectCarriedOut({
        voter: "anyDistrict",
        initial: [3, 0, 0, 0, 0],
        wished: [1, 0, 0, 2, 0],
        relayed: false,
      });
      expect(carried).to.equal(true);
    });
  });
});

/** Holdings and wishes of every shape the planner may meet, in coarse steps so that equal amounts are common. */
function holdingsAndWishes(): fc.Arbitrary<{ holdings: Holdings; wishes: Wish[] }> {
  const step = 250n;
  return fc
    .record({
      claimed: fc.boolean(),
      district: fc.constantFrom(CENTRAL, ANY_DISTRICT),
      unallocated: fc.integer({ min: 0, max: 60 }),
      // Mostly the resident's own district's banks, some of the other's.
      banks: fc.array(
        fc.record({
          district: fc.oneof(
            { weight: 4, arbitrary: fc.constant(CENTRAL) },
            { weight: 1, arbitrary: fc.constant(RIVERSIDE) },
          ),
          deposit: fc.nat(8),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      // Mostly banks on the ballot and amounts that fit; now and then a negative one or a bank not on the ballot.
      wishes: fc.array(
        fc.record({
          index: fc.nat(5),
          offBallot: fc.oneof(
            { weight: 15, arbitrary: fc.constant(false) },
            { weight: 1, arbitrary: fc.constant(true) },
          ),
          amount: fc.oneof({ weight: 20, arbitrary: fc.nat(8) }, { weight: 1, arbitrary: fc.constant(-1) }),
        }),
        { maxLength: 6 },
      ),
    })
    .map(({ claimed, district, unallocated, banks, wishes }) => ({
      holdings: {
        claimed,
        district,
        unallocated: BigInt(unallocated) * step,
        banks: banks.map((b, i) => ({
          bank: bank(i + 1),
          district: b.district,
          deposit: claimed ? BigInt(b.deposit) * step : 0n,
        })),
      },
      // One wish per bank: the first one drawn for it.
      wishes: wishes
        .map((w) => ({
          bank: w.offBallot ? bank(100 + w.index) : bank((w.index % banks.length) + 1),
          amount: BigInt(w.amount) * step,
        }))
        .filter((w, i, all) => all.findIndex((other) => other.bank === w.bank) === i),
    }));
}

/**
 * The wishes cut down to what the resident can reach: banks on the ballot only, nothing negative, no new tokens in
 * another district's bank, and no more than the resident has (the banks left out keep their deposits).
 */
function reachableWishes(holdings: Holdings, wishes: readonly Wish[]): Wish[] {
  const wished = holdings.banks.flatMap((held) => {
    const found = wishes.find((w) => w.bank === held.bank);
    return found ? [{ held, amount: found.amount }] : [];
  });
  const kept = holdings.banks.filter((b) => !wished.some((w) => w.held === b)).reduce((sum, b) => sum + b.deposit, 0n);
  let budget = holdings.unallocated + holdings.banks.reduce((sum, b) => sum + b.deposit, 0n) - kept;
  return wished.map(({ held, amount }) => {
    const open = holdings.district === ANY_DISTRICT || held.district === holdings.district;
    let reached = amount < 0n ? 0n : amount;
    if (!open && reached > held.deposit) reached = held.deposit;
    if (reached > budget) reached = budget;
    budget -= reached;
    return { bank: held.bank, amount: reached };
  });
}

/** The round's rules for one ballot (Round._withdraw, Round._recordDeposits, BudgetToken's transfer checks). */
function applyByTheRules(
  holdings: Holdings,
  moves: BallotMoves,
): { deposits: Map<string, bigint>; unallocated: bigint } {
  const deposits = new Map(holdings.banks.map((b) => [b.bank as string, b.deposit]));
  let unallocated = holdings.unallocated;
  const once = (banks: readonly string[]) => expect(new Set(banks).size, "each bank once").to.equal(banks.length);
  once(moves.fromBanks);
  once(moves.toBanks);
  moves.fromBanks.forEach((b, i) => {
    const amount = moves.fromAmounts[i];
    expect(amount > 0n, "RoundZeroAmount").to.equal(true);
    expect(amount <= deposits.get(b)!, "RoundInsufficientDeposit").to.equal(true);
    deposits.set(b, deposits.get(b)! - amount);
    unallocated += amount;
  });
  moves.toBanks.forEach((b, i) => {
    const amount = moves.toAmounts[i];
    const held = holdings.banks.find((h) => h.bank === b);
    expect(held, "a bank of this round").to.not.equal(undefined);
    expect(amount > 0n, "RoundZeroAmount").to.equal(true);
    expect(amount <= unallocated, "BudgetTokenInsufficientBalance").to.equal(true);
    if (holdings.district !== ANY_DISTRICT)
      expect(held!.district, "BudgetTokenDistrictMismatch").to.equal(holdings.district);
    deposits.set(b, deposits.get(b)! + amount);
    unallocated -= amount;
  });
  return { deposits, unallocated };
}

/** The direct call carries the very moves of the signed ballot. */
function expectSameMoves(plan: BallotPlan): void {
  const moves = ballotMoves(plan);
  const call = directCall(plan, LEAF);
  const from: [readonly Address[], readonly bigint[]] = [moves.fromBanks, moves.fromAmounts];
  const to: [readonly Address[], readonly bigint[]] = [moves.toBanks, moves.toAmounts];
  switch (call.functionName) {
    case "claimAndAllocate":
      expect(plan.claim).to.equal(true);
      expect(moves.fromBanks).to.deep.equal([]);
      expect(call.args.slice(5)).to.deep.equal(to);
      break;
    case "allocate":
      expect(moves.fromBanks).to.deep.equal([]);
      expect(call.args).to.deep.equal(to);
      break;
    case "withdraw":
      expect(moves.toBanks).to.deep.equal([]);
      expect(call.args).to.deep.equal(from);
      break;
    case "reallocate":
      expect(call.args).to.deep.equal([...from, ...to]);
  }
  expect(call.functionName === "claimAndAllocate").to.equal(plan.claim);
}

// --- on a real round ---

const ALLOWANCE = 16_000n;
/** Banks in sixteenths of the allowance: five banks at most three sixteenths each always fit in it. */
const SIXTEENTH = ALLOWANCE / 16n;

interface ChainScenario {
  /** A Central resident who has claimed, one on the list who has not, or a resident of any district. */
  voter: "central" | "listed" | "anyDistrict";
  /** Sixteenths in each of the round's five banks before the ballot (Central's three, then Riverside's two). */
  initial: number[];
  /** Sixteenths wished for each bank on the ballot; `null` leaves the bank out of the wishes. */
  wished: (number | null)[];
  relayed: boolean;
}

const chainScenarios: fc.Arbitrary<ChainScenario> = fc.record({
  voter: fc.constantFrom("central", "listed", "anyDistrict"),
  initial: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 5, maxLength: 5 }),
  wished: fc.array(fc.option(fc.integer({ min: 0, max: 3 })), { minLength: 5, maxLength: 5 }),
  relayed: fc.boolean(),
});

/** Central (three projects) and Riverside (two); Alice (Central) and Carol (any district) claimed, Bob listed. */
async function votingRound() {
  const created = await createRound(ethers, networkHelpers, {
    districts: [
      { name: "Central", budget: 600_000n, projects: [300_000n, 200_000n, 100_000n] },
      { name: "Riverside", budget: 400_000n, projects: [250_000n, 150_000n] },
    ],
  });
  await mintAndOpen(created);
  const [alice, bob, carol, relayer] = (await ethers.getSigners()).slice(5);
  const participants: Participant[] = [
    { account: alice.address, district: CENTRAL, amount: ALLOWANCE },
    { account: bob.address, district: CENTRAL, amount: ALLOWANCE },
    { account: carol.address, district: ANY_DISTRICT, amount: ALLOWANCE },
  ];
  const batch = await postBatch(created, participants);
  await time.increaseTo(created.opensAt);
  const claimOf = (account: string): BallotClaim & AllowanceClaim => {
    const { participant, proof } = batch.proofOf(account);
    return {
      batchId: batch.batchId,
      district: participant.district,
      amount: participant.amount,
      enrollment: participant.enrollment as `0x${string}`,
      proof: proof as `0x${string}`[],
    };
  };
  for (const account of [alice, carol]) {
    const claim = claimOf(account.address);
    await created.airdrop.claim(
      claim.batchId,
      account.address,
      claim.district,
      claim.amount,
      claim.enrollment,
      claim.proof,
    );
  }
  const box = await ethers.getContractAt("BallotBox", await created.round.ballotBox());
  const domain = ballotDomain((await ethers.provider.getNetwork()).chainId, await box.getAddress());
  return { created, box, domain, voters: { central: alice, listed: bob, anyDistrict: carol }, relayer, claimOf };
}

/** Plans the scenario's ballot and, unless it changes nothing, sends it and checks the deposits; true if sent. */
async function expectCarriedOut(scenario: ChainScenario): Promise<boolean> {
  const { created, box, domain, voters, relayer, claimOf } = await loadFixture(votingRound);
  const { round, token } = created;
  const voter = voters[scenario.voter];
  const claimed = scenario.voter !== "listed";
  // A Central resident's ballot lists Central's banks; a resident of any district sees them all.
  const ballotBanks = scenario.voter === "anyDistrict" ? [0, 1, 2, 3, 4] : [0, 1, 2];
  const districtOf = (i: number): number => (i < 3 ? CENTRAL : RIVERSIDE);
  const initial = ballotBanks.map((i) => (claimed ? BigInt(scenario.initial[i]) * SIXTEENTH : 0n));
  const placed = ballotBanks.filter((_, k) => initial[k] > 0n);
  if (placed.length > 0) {
    await round.connect(voter).allocate(
      placed.map((i) => created.banks[i]),
      initial.filter((a) => a > 0n),
    );
  }

  const holdings: Holdings = {
    claimed,
    district: scenario.voter === "anyDistrict" ? ANY_DISTRICT : CENTRAL,
    unallocated: claimed ? await token.balanceOf(voter.address) : ALLOWANCE,
    banks: await Promise.all(
      ballotBanks.map(async (i) => ({
        bank: created.banks[i] as Address,
        district: districtOf(i),
        deposit: await round.depositOf(created.banks[i], voter.address),
      })),
    ),
  };
  const wishes = ballotBanks.flatMap((i) => {
    const sixteenths = scenario.wished[i];
    return sixteenths === null ? [] : [{ bank: created.banks[i] as Address, amount: BigInt(sixteenths) * SIXTEENTH }];
  });
  const plan = planBallot(holdings, wishes);
  if (plan.problems.length > 0) {
    // Within budget and in the resident's own district by construction: only "nothing changes" can stop it.
    expect(plan.problems).to.deep.equal([{ kind: "unchanged" }]);
    return false;
  }

  if (scenario.relayed) {
    const message = {
      round: await round.getAddress(),
      voter: voter.address,
      nonce: await token.nonceOf(voter.address),
      deadline: BigInt(await time.latest()) + 3_600n,
      ...ballotMoves(plan),
    };
    const ballot = await signBallot(voter, domain, message);
    const claim = plan.claim ? claimOf(voter.address) : undefined;
    const submitted = [{ ballot, claim }];
    const calldata = submitted.map((s) => ballotCalldata(s.ballot, s.claim));
    await (await box.connect(relayer).submit(message.round, calldata, { gasLimit: batchGasLimit(submitted) })).wait();
  } else {
    const call = directCall(plan, plan.claim ? claimOf(voter.address) : undefined);
    await (await round.connect(voter).getFunction(call.functionName)(...call.args)).wait();
  }

  for (const held of holdings.banks) {
    const wanted = wishes.find((w) => w.bank === held.bank)?.amount ?? held.deposit;
    expect(await round.depositOf(held.bank, voter.address), held.bank).to.equal(wanted);
  }
  expect(await token.balanceOf(voter.address)).to.equal(plan.left);
  return true;
}
