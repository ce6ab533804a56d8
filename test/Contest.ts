/**
 * A contest before the round: residents submit, amend and co-sign with signed messages anyone relays, the committee
 * screens, the experts sign score sheets, and anyone records the outcome, which the TypeScript twin recomputes.
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, stringToHex, type Address, type Hex } from "viem";

import {
  ContestPhase,
  InitiativeStatus,
  contestDigest,
  contestOutcome,
  contestSigner,
  criteriaHash,
  scoreSumsOf,
  sheetTypedData,
  submitTypedData,
} from "@kopilka/core/contest";
import { P256_ORDER, SignatureScheme, p256KeySigner } from "@kopilka/core/keys";
import type { Participant } from "@kopilka/core/participants";
import {
  DEFAULT_CRITERIA,
  amendInitiative,
  cosignInitiative,
  createContest,
  postResidents,
  signContest,
  signedSheet,
  submitInitiative,
  type ContestSigner,
  type CreatedContest,
  type PostedResidents,
} from "../scripts/hardhat/contestFixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const content = (text: string): Hex => keccak256(stringToHex(text));
const reason = content("reason");
const ENROLLMENT = `0x${"e1".repeat(32)}`;

interface Setup {
  created: CreatedContest;
  residents: PostedResidents;
  alice: ContestSigner;
  bob: ContestSigner;
  carol: ContestSigner;
  /** Carol's second device: the same enrollment as `carol`. */
  carolPhone: ContestSigner;
  mallory: ContestSigner;
  experts: ContestSigner[];
  relayer: Awaited<ReturnType<typeof ethers.getSigners>>[number];
}

/** A contest in its submissions window: Alice, Bob (wallets), Carol (two P-256 keys, one enrollment) are residents. */
async function openContest(): Promise<Setup> {
  const signers = await ethers.getSigners();
  const expertKey = p256KeySigner();
  const created = await createContest(ethers, networkHelpers, {
    expertAddresses: [signers[10].address, signers[11].address, expertKey.address],
  });
  const [alice, bob, mallory, relayer] = signers.slice(5, 9);
  const carolKey = p256KeySigner();
  const carolPhoneKey = p256KeySigner();
  const participants: Participant[] = [
    { account: alice.address, district: 0, amount: 0n },
    { account: bob.address, district: 1, amount: 0n },
    { account: carolKey.address, district: 0, amount: 0n, enrollment: ENROLLMENT },
    { account: carolPhoneKey.address, district: 0, amount: 0n, enrollment: ENROLLMENT },
  ];
  const residents = await postResidents(ethers, created, participants);
  await time.increaseTo(created.submissionsOpenAt);
  return {
    created: { ...created, contest: created.contest.connect(relayer) },
    residents,
    alice: { address: alice.address, wallet: alice },
    bob: { address: bob.address, wallet: bob },
    carol: { address: carolKey.address, key: carolKey },
    carolPhone: { address: carolPhoneKey.address, key: carolPhoneKey },
    mallory: { address: mallory.address, wallet: mallory },
    experts: [
      { address: signers[10].address, wallet: signers[10] },
      { address: signers[11].address, wallet: signers[11] },
      { address: expertKey.address, key: expertKey },
    ],
    relayer,
  };
}

/** Alice's initiative with Bob and Carol in its group, admitted by the committee. */
async function admittedInitiative() {
  const setup = await openContest();
  const { created, residents, alice, bob, carol } = setup;
  const id = await submitInitiative(created, residents, alice, 0, content("v1"));
  await cosignInitiative(created, residents, bob, id, 1, content("v1"));
  await cosignInitiative(created, residents, carol, id, 1, content("v1"));
  const committee = (await ethers.getSigners())[1];
  await created.contest.connect(committee).admit(id, 1);
  return { ...setup, id, committee };
}

describe("Contest", function () {
  describe("its rules", function () {
    it("holds the rules it was created with, frozen, and names the criteria as the core hashes them", async function () {
      const { created } = await loadFixture(openContest);
      const { contest } = created;
      expect(await contest.criteriaHash()).to.equal(criteriaHash(DEFAULT_CRITERIA));
      expect((await contest.criteria()).map((c) => Number(c.maxScore))).to.deep.equal([10, 10, 5]);
      expect(await contest.experts()).to.have.length(3);
      expect(await contest.phase()).to.equal(ContestPhase.Submissions);
      const admin = (await ethers.getSigners())[0];
      const expertRole = await contest.EXPERT_ROLE();
      await expect(contest.connect(admin).grantRole(expertRole, admin.address)).to.be.revertedWithCustomError(
        contest,
        "ContestExpertsFrozen",
      );
      await expect(
        contest.connect(admin).revokeRole(expertRole, (await contest.experts())[0]),
      ).to.be.revertedWithCustomError(contest, "ContestExpertsFrozen");
    });

    it("refuses a contest with a criterion without weight, an expert listed twice or more sheets than experts", async function () {
      const { created } = await loadFixture(openContest);
      const { factory, config, contest } = created;
      await expect(
        createContest(ethers, networkHelpers, { factory, criteria: [{ weight: 0, maxScore: 10, floorBps: 0 }] }),
      )
        .to.be.revertedWithCustomError(contest, "ContestInvalidCriterion")
        .withArgs(0, 0, 10, 0);
      const expert = (config.experts as string[])[0];
      await expect(createContest(ethers, networkHelpers, { factory, expertAddresses: [expert, expert] }))
        .to.be.revertedWithCustomError(contest, "ContestInvalidExpert")
        .withArgs(1, expert);
      await expect(createContest(ethers, networkHelpers, { factory, experts: 2, minSheets: 3 }))
        .to.be.revertedWithCustomError(contest, "ContestInvalidMinSheets")
        .withArgs(3, 2);
    });
  });

  describe("submitting", function () {
    it("records a resident's relayed initiative, from a wallet or a phone's key, with the author as its group", async function () {
      const { created, residents, alice, carol } = await loadFixture(openContest);
      const { contest } = created;
      const first = await submitInitiative(created, residents, alice, 1, content("alice"));
      const second = await submitInitiative(created, residents, carol, 0, content("carol"));
      expect([first, second]).to.deep.equal([0n, 1n]);
      const state = await contest.initiative(second);
      expect(state.author).to.equal(carol.address);
      expect(state.status).to.equal(InitiativeStatus.Submitted);
      expect(state.version).to.equal(1n);
      expect(await contest.versionHash(second, 1)).to.equal(content("carol"));
      expect(await contest.groupSize(second, 1)).to.equal(1n);
      expect(await contest.inGroup(second, 1, ENROLLMENT)).to.equal(true);
    });

    it("signs what the contract checks: the core's digests are the contract's", async function () {
      const { created, alice } = await loadFixture(openContest);
      const message = { author: alice.address as Address, district: 1, contentHash: content("x"), deadline: 99n };
      expect(await created.contest.submitDigest(alice.address, 1, content("x"), 99n)).to.equal(
        contestDigest(submitTypedData(created.domain, message)),
      );
      const sheet = {
        expert: alice.address as Address,
        initiative: 3n,
        version: 2,
        contentHash: content("x"),
        criteriaHash: created.criteriaHash,
        scores: [1, 2, 3],
        commentHash: content("comment"),
        noConflict: true,
      };
      expect(await created.contest.sheetDigest(sheet)).to.equal(contestDigest(sheetTypedData(created.domain, sheet)));
      const signed = await signContest(alice, sheetTypedData(created.domain, sheet));
      expect(await contestSigner(sheetTypedData(created.domain, sheet), signed)).to.equal(alice.address);
    });

    it("refuses someone who is not a resident, a signature that is not the author's, and a replayed submit", async function () {
      const { created, residents, alice, bob, mallory } = await loadFixture(openContest);
      const { contest } = created;
      expect(() => residents.resident(mallory.address)).to.throw("is not in the batch");
      const aliceLeafForMallory = { ...residents.resident(alice.address), account: mallory.address };
      const forMallory = {
        author: mallory.address as Address,
        district: 0,
        contentHash: content("m"),
        deadline: 2n ** 40n,
      };
      const byMallory = await signContest(mallory, submitTypedData(created.domain, forMallory));
      await expect(
        contest.submit(aliceLeafForMallory, 0, content("m"), 2n ** 40n, byMallory.scheme, byMallory.signature),
      ).to.be.revertedWithCustomError(contest, "ContestNotAResident");
      const deadline = 2n ** 40n;
      const message = { author: alice.address as Address, district: 0, contentHash: content("a"), deadline };
      const byBob = await signContest(bob, submitTypedData(created.domain, message));
      await expect(
        contest.submit(residents.resident(alice.address), 0, content("a"), deadline, byBob.scheme, byBob.signature),
      )
        .to.be.revertedWithCustomError(contest, "ContestInvalidSigner")
        .withArgs(alice.address, bob.address);
      const byAlice = await signContest(alice, submitTypedData(created.domain, message));
      const args = [
        residents.resident(alice.address),
        0,
        content("a"),
        deadline,
        byAlice.scheme,
        byAlice.signature,
      ] as const;
      await contest.submit(...args);
      await expect(contest.submit(...args))
        .to.be.revertedWithCustomError(contest, "ContestContentUsed")
        .withArgs(content("a"));
      // Someone else's leaf with Alice's signature: the leaf's account is whose signature it must be.
      await expect(
        contest.submit(residents.resident(bob.address), 0, content("b"), deadline, byAlice.scheme, byAlice.signature),
      ).to.be.revertedWithCustomError(contest, "ContestInvalidSigner");
    });

    it("refuses a high-s P-256 signature, an unknown district and a submit after the window", async function () {
      const { created, residents, carol, alice } = await loadFixture(openContest);
      const { contest } = created;
      const deadline = 2n ** 40n;
      const message = { author: carol.address as Address, district: 0, contentHash: content("c"), deadline };
      const signed = await signContest(carol, submitTypedData(created.domain, message));
      const s = BigInt(`0x${signed.signature.slice(66, 130)}`);
      const highS = `0x${signed.signature.slice(2, 66)}${(P256_ORDER - s).toString(16).padStart(64, "0")}${signed.signature.slice(130)}`;
      await expect(
        contest.submit(residents.resident(carol.address), 0, content("c"), deadline, SignatureScheme.P256, highS),
      ).to.be.revertedWithCustomError(contest, "ContestInvalidSignatureS");
      await expect(submitInitiative(created, residents, alice, 2, content("d")))
        .to.be.revertedWithCustomError(contest, "ContestUnknownDistrict")
        .withArgs(2, 2);
      await time.increaseTo(created.submissionsCloseAt);
      await expect(submitInitiative(created, residents, alice, 0, content("late"))).to.be.revertedWithCustomError(
        contest,
        "ContestOutsideWindow",
      );
    });
  });

  describe("the initiative group and screening", function () {
    it("counts a resident once however many keys they enrolled, and only for the version they signed", async function () {
      const { created, residents, alice, bob, carol, carolPhone } = await loadFixture(openContest);
      const { contest } = created;
      const id = await submitInitiative(created, residents, alice, 0, content("v1"));
      await expect(cosignInitiative(created, residents, carol, id, 1, content("v1")))
        .to.emit(contest, "Cosigned")
        .withArgs(id, 1, carol.address, ENROLLMENT, 2);
      await expect(cosignInitiative(created, residents, carolPhone, id, 1, content("v1")))
        .to.be.revertedWithCustomError(contest, "ContestAlreadyInGroup")
        .withArgs(id, 1, ENROLLMENT);
      await expect(cosignInitiative(created, residents, bob, id, 1, content("other")))
        .to.be.revertedWithCustomError(contest, "ContestWrongContent")
        .withArgs(id, content("other"), content("v1"));
      const committee = (await ethers.getSigners())[1];
      await expect(contest.connect(committee).admit(id, 1))
        .to.be.revertedWithCustomError(contest, "ContestGroupTooSmall")
        .withArgs(id, 2, 3);
    });

    it("returns an initiative for changes; the author amends, the group starts again, the old version's signatures no longer count", async function () {
      const { created, residents, alice, bob, carol } = await loadFixture(openContest);
      const { contest } = created;
      const committee = (await ethers.getSigners())[1];
      const id = await submitInitiative(created, residents, alice, 0, content("v1"));
      await cosignInitiative(created, residents, bob, id, 1, content("v1"));
      await expect(contest.connect(committee).returnForChanges(id, 1, reason))
        .to.emit(contest, "Screened")
        .withArgs(id, 1, InitiativeStatus.Returned, reason);
      await time.increaseTo(created.submissionsCloseAt);
      // Returned: the author may still amend after the window, until the review closes; nobody else may.
      await expect(amendInitiative(created, bob, id, 1, content("v2")))
        .to.be.revertedWithCustomError(contest, "ContestInvalidSigner")
        .withArgs(alice.address, anyValue);
      await expect(amendInitiative(created, alice, id, 1, content("v2")))
        .to.emit(contest, "InitiativeAmended")
        .withArgs(id, 2, content("v2"));
      expect(await contest.groupSize(id, 2)).to.equal(1n);
      expect(await contest.versionHash(id, 1)).to.equal(content("v1"));
      await expect(cosignInitiative(created, residents, carol, id, 1, content("v1")))
        .to.be.revertedWithCustomError(contest, "ContestWrongVersion")
        .withArgs(id, 1, 2);
      await cosignInitiative(created, residents, bob, id, 2, content("v2"));
      await cosignInitiative(created, residents, carol, id, 2, content("v2"));
      await contest.connect(committee).admit(id, 2);
      expect((await contest.initiative(id)).status).to.equal(InitiativeStatus.Admitted);
    });

    it("rejects with a published reason, and lets only the committee screen", async function () {
      const { created, residents, alice, relayer } = await loadFixture(openContest);
      const { contest } = created;
      const id = await submitInitiative(created, residents, alice, 0, content("v1"));
      await expect(contest.connect(relayer).reject(id, 1, reason)).to.be.revertedWithCustomError(
        contest,
        "AccessControlUnauthorizedAccount",
      );
      const committee = contest.connect((await ethers.getSigners())[1]);
      await expect(committee.reject(id, 1, `0x${"00".repeat(32)}`)).to.be.revertedWithCustomError(
        contest,
        "ContestZeroReason",
      );
      await committee.reject(id, 1, reason);
      await expect(amendInitiative(created, alice, id, 1, content("v2")))
        .to.be.revertedWithCustomError(contest, "ContestWrongStatus")
        .withArgs(id, InitiativeStatus.Rejected);
    });
  });

  describe("the expert review", function () {
    it("records each listed expert's signed sheet once, from a wallet or a key, until the review closes", async function () {
      const { created, id, experts, alice } = await loadFixture(admittedInitiative);
      const { contest } = created;
      for (const [expert, scores] of [
        [experts[0], [8, 6, 4]],
        [experts[2], [9, 7, 5]],
      ] as const) {
        const { sheet, scheme, signature } = await signedSheet(created, expert, id, [...scores]);
        await expect(contest.submitSheet(sheet, scheme, signature))
          .to.emit(contest, "SheetSubmitted")
          .withArgs(id, 1, expert.address, scores, sheet.commentHash, scheme, signature);
      }
      expect(await contest.scoreSums(id)).to.deep.equal([17n, 13n, 9n]);
      const again = await signedSheet(created, experts[0], id, [1, 1, 1]);
      await expect(contest.submitSheet(again.sheet, again.scheme, again.signature))
        .to.be.revertedWithCustomError(contest, "ContestAlreadyScored")
        .withArgs(id, experts[0].address);
      const stranger = await signedSheet(created, alice, id, [1, 1, 1]);
      await expect(contest.submitSheet(stranger.sheet, stranger.scheme, stranger.signature))
        .to.be.revertedWithCustomError(contest, "ContestNotAnExpert")
        .withArgs(alice.address);
      await time.increaseTo(created.reviewClosesAt);
      const late = await signedSheet(created, experts[1], id, [1, 1, 1]);
      await expect(contest.submitSheet(late.sheet, late.scheme, late.signature)).to.be.revertedWithCustomError(
        contest,
        "ContestOutsideWindow",
      );
    });

    it("refuses a sheet with a score above its maximum, without the no-conflict statement, or forged", async function () {
      const { created, id, experts } = await loadFixture(admittedInitiative);
      const { contest } = created;
      const above = await signedSheet(created, experts[0], id, [8, 6, 6]);
      await expect(contest.submitSheet(above.sheet, above.scheme, above.signature))
        .to.be.revertedWithCustomError(contest, "ContestScoreAboveMax")
        .withArgs(2, 6, 5);
      const conflicted = await signedSheet(created, experts[0], id, [8, 6, 4]);
      conflicted.sheet.noConflict = false;
      await expect(
        contest.submitSheet(conflicted.sheet, conflicted.scheme, conflicted.signature),
      ).to.be.revertedWithCustomError(contest, "ContestConflictNotDeclared");
      const forged = await signedSheet(created, experts[0], id, [8, 6, 4]);
      forged.sheet.scores = [10, 10, 5];
      await expect(contest.submitSheet(forged.sheet, forged.scheme, forged.signature)).to.be.revertedWithCustomError(
        contest,
        "ContestInvalidSigner",
      );
    });
  });

  describe("the outcome", function () {
    it("is recorded by anyone after the review, as the core's rule computes it from the sheets", async function () {
      const { created, residents, id, experts, alice, bob, carol, committee } = await loadFixture(admittedInitiative);
      const { contest } = created;
      const low = await submitInitiative(created, residents, bob, 1, content("low"));
      await cosignInitiative(created, residents, alice, low, 1, content("low"));
      await cosignInitiative(created, residents, carol, low, 1, content("low"));
      await contest.connect(committee).admit(low, 1);
      const sheets = {
        [id.toString()]: [
          [experts[0], [8, 6, 4]],
          [experts[1], [7, 7, 3]],
        ],
        [low.toString()]: [
          [experts[0], [9, 2, 5]],
          [experts[2], [9, 3, 5]],
        ],
      } as const;
      for (const [initiative, list] of Object.entries(sheets)) {
        for (const [expert, scores] of list) {
          const signed = await signedSheet(created, expert, BigInt(initiative), [...scores]);
          await contest.submitSheet(signed.sheet, signed.scheme, signed.signature);
        }
      }
      await expect(contest.decide([id, low])).to.be.revertedWithCustomError(contest, "ContestOutsideWindow");
      await time.increaseTo(created.reviewClosesAt);
      await contest.decide([id, low]);
      const rule = { criteria: DEFAULT_CRITERIA, passMarkBps: 6000, minSheets: 2 };
      for (const [initiative, list] of Object.entries(sheets)) {
        const expected = contestOutcome(
          rule,
          scoreSumsOf(
            3,
            list.map(([, scores]) => ({ scores })),
          ),
          list.length,
        );
        const state = await contest.initiative(BigInt(initiative));
        expect(Number(state.scoreBps)).to.equal(expected.scoreBps);
        expect(state.status).to.equal(expected.passed ? InitiativeStatus.Passed : InitiativeStatus.Failed);
      }
      // The second misses the floor of the second criterion (25% of its maximum, under 30%) despite its score.
      expect((await contest.initiative(low)).status).to.equal(InitiativeStatus.Failed);
      expect((await contest.initiative(id)).status).to.equal(InitiativeStatus.Passed);
      expect(await contest.passedCount()).to.equal(1n);
      await contest.decide([id]);
      expect(await contest.passedCount()).to.equal(1n);
    });

    it("fails an initiative with fewer sheets than the minimum, whatever its scores", async function () {
      const { created, id, experts } = await loadFixture(admittedInitiative);
      const signed = await signedSheet(created, experts[0], id, [10, 10, 5]);
      await created.contest.submitSheet(signed.sheet, signed.scheme, signed.signature);
      await time.increaseTo(created.reviewClosesAt);
      await expect(created.contest.decide([id]))
        .to.emit(created.contest, "Decided")
        .withArgs(id, 1, 1, 10_000, false);
    });

    it("agrees with its TypeScript twin on random sums", async function () {
      const { created } = await loadFixture(openContest);
      const rule = { criteria: DEFAULT_CRITERIA, passMarkBps: 6000, minSheets: 2 };
      let seed = 12345;
      const next = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const calls = [];
      for (let i = 0; i < 200; i++) {
        const sheets = next(4);
        const sums = DEFAULT_CRITERIA.map((c) => BigInt(next(c.maxScore * sheets + 1)));
        calls.push(
          created.contest.outcomeFor(sums, sheets).then(([scoreBps, passed]) => {
            const twin = contestOutcome(rule, sums, sheets);
            expect([Number(scoreBps), passed], `sums ${sums} over ${sheets}`).to.deep.equal([
              twin.scoreBps,
              twin.passed,
            ]);
          }),
        );
      }
      await Promise.all(calls);
    });
  });
});
