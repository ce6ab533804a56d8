import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { network } from "hardhat";

import {
  ANY_DISTRICT,
  LEAF_ENCODING,
  NO_ENROLLMENT,
  buildParticipantTree,
  type Participant,
  type ParticipantLeaf,
} from "@kopilka/core/participants";
import { createRound, mintAndOpen, postBatch, type CreatedRound } from "../scripts/hardhat/fixtures.js";
import { atTimestamp, claimAll, residents } from "./helpers/unit.js";

const { ethers, networkHelpers } = await network.create();

const DISTRICTS = [
  { name: "Central", budget: 100_000n, projects: [50_000n] },
  { name: "Riverside", budget: 50_000n, projects: [50_000n] },
];

/** A round set up with two districts; nothing minted, so the airdrop may post nothing yet. */
async function roundFixture() {
  return createRound(ethers, networkHelpers, { districts: DISTRICTS });
}

/** The budget is minted, so batches fit in the supply; the round is not open yet. */
async function mintedFixture() {
  const created = await roundFixture();
  await (await created.round.connect(created.roles.minter).mint(created.budget)).wait();
  const roots = [ethers.id("batch 0"), ethers.id("batch 1")];
  return { ...created, roots };
}

/** The round is open and one batch of three residents is posted. */
async function openFixture() {
  const created = await roundFixture();
  await mintAndOpen(created);
  const [central, riverside, anywhere, outsider] = await residents(ethers, 4);
  const participants: Participant[] = [
    { account: central.address, district: 0, amount: 1_000n },
    { account: riverside.address, district: 1, amount: 2_000n },
    { account: anywhere.address, district: ANY_DISTRICT, amount: 3_000n },
  ];
  const batch = await postBatch(created, participants);
  return { ...created, batch, participants, central, riverside, anywhere, outsider };
}

/** Posts a batch of `participants` declaring `total` instead of their sum. */
async function postWithTotal(created: CreatedRound, participants: Participant[], total: bigint) {
  const tree = buildParticipantTree(participants);
  const batchId = await created.airdrop.batchCount();
  await (await created.round.connect(created.roles.registrar).postBatch(tree.root, total)).wait();
  return { batchId, tree };
}

function proofIn(tree: StandardMerkleTree<ParticipantLeaf>, account: string): string[] {
  for (const [index, leaf] of tree.entries()) {
    if (leaf[0].toLowerCase() === account.toLowerCase()) return tree.getProof(index);
  }
  throw new Error(`${account} not in tree`);
}

describe("Airdrop", function () {
  describe("deployment", function () {
    it("serves its round and its token, until the round's deadline, and starts with no batch", async function () {
      const { round, token, airdrop } = await networkHelpers.loadFixture(roundFixture);
      expect(await airdrop.round()).to.equal(await round.getAddress());
      expect(await airdrop.token()).to.equal(await token.getAddress());
      expect(await airdrop.closesAt()).to.equal(await round.closesAt());
      expect(await airdrop.batchCount()).to.equal(0n);
      expect(await airdrop.postedTotal()).to.equal(0n);
      expect(await airdrop.claimedTotal()).to.equal(0n);
    });
  });

  describe("#postBatch", function () {
    it("numbers batches from zero and emits BatchPosted with the root and the total", async function () {
      const { round, airdrop, roles, roots } = await networkHelpers.loadFixture(mintedFixture);
      const asRegistrar = round.connect(roles.registrar);
      for (const [expectedId, root] of roots.entries()) {
        const total = BigInt(expectedId + 1) * 1_000n;
        expect(await asRegistrar.postBatch.staticCall(root, total)).to.equal(BigInt(expectedId));
        await expect(asRegistrar.postBatch(root, total))
          .to.emit(airdrop, "BatchPosted")
          .withArgs(BigInt(expectedId), root, total);
        const posted = await airdrop.batch(expectedId);
        expect([posted.root, posted.total, posted.claimed]).to.deep.equal([root, total, 0n]);
      }
      expect(await airdrop.batchCount()).to.equal(BigInt(roots.length));
    });

    it("adds each declared total to postedTotal", async function () {
      const { round, airdrop, roles, roots } = await networkHelpers.loadFixture(mintedFixture);
      await round.connect(roles.registrar).postBatch(roots[0], 1_234n);
      await round.connect(roles.registrar).postBatch(roots[1], 5_678n);
      expect(await airdrop.postedTotal()).to.equal(1_234n + 5_678n);
    });

    it("accepts totals that add up to the minted supply exactly", async function () {
      const { round, airdrop, roles, roots, budget } = await networkHelpers.loadFixture(mintedFixture);
      await round.connect(roles.registrar).postBatch(roots[0], budget - 1n);
      await round.connect(roles.registrar).postBatch(roots[1], 1n);
      expect(await airdrop.postedTotal()).to.equal(budget);
    });

    it("reverts a zero root", async function () {
      const { round, airdrop, roles } = await networkHelpers.loadFixture(mintedFixture);
      await expect(round.connect(roles.registrar).postBatch(ethers.ZeroHash, 1n))
        .to.be.revertedWithCustomError(airdrop, "AirdropZeroRoot")
        .withArgs();
    });

    it("reverts a zero total", async function () {
      const { round, airdrop, roles, roots } = await networkHelpers.loadFixture(mintedFixture);
      await expect(round.connect(roles.registrar).postBatch(roots[0], 0n))
        .to.be.revertedWithCustomError(airdrop, "AirdropZeroTotal")
        .withArgs();
    });

    it("reverts a total above the supply", async function () {
      const { round, airdrop, roles, roots, budget } = await networkHelpers.loadFixture(mintedFixture);
      await expect(round.connect(roles.registrar).postBatch(roots[0], budget + 1n))
        .to.be.revertedWithCustomError(airdrop, "AirdropTotalsExceedSupply")
        .withArgs(0n, budget + 1n, budget);
    });

    it("reverts totals that together exceed the supply", async function () {
      const { round, airdrop, roles, roots, budget } = await networkHelpers.loadFixture(mintedFixture);
      await round.connect(roles.registrar).postBatch(roots[0], budget - 10n);
      await expect(round.connect(roles.registrar).postBatch(roots[1], 11n))
        .to.be.revertedWithCustomError(airdrop, "AirdropTotalsExceedSupply")
        .withArgs(budget - 10n, 11n, budget);
    });

    it("reverts every batch before the budget is minted", async function () {
      const { round, airdrop, roles } = await networkHelpers.loadFixture(roundFixture);
      await expect(round.connect(roles.registrar).postBatch(ethers.id("early"), 1n))
        .to.be.revertedWithCustomError(airdrop, "AirdropTotalsExceedSupply")
        .withArgs(0n, 1n, 0n);
    });

    it("accepts a batch one second before closesAt and reverts one at exactly closesAt", async function () {
      const { round, airdrop, roles, roots, closesAt } = await networkHelpers.loadFixture(mintedFixture);
      await atTimestamp(networkHelpers, closesAt - 1n);
      await round.connect(roles.registrar).postBatch(roots[0], 1n);
      await atTimestamp(networkHelpers, closesAt);
      await expect(round.connect(roles.registrar).postBatch(roots[1], 1n))
        .to.be.revertedWithCustomError(airdrop, "AirdropClosed")
        .withArgs(closesAt);
    });

    it("refuses any caller but its round", async function () {
      const { airdrop, roles, roots } = await networkHelpers.loadFixture(mintedFixture);
      await expect(airdrop.connect(roles.registrar).postBatch(roots[0], 1n))
        .to.be.revertedWithCustomError(airdrop, "AirdropUnauthorizedCaller")
        .withArgs(roles.registrar.address);
    });
  });

  describe("#batch", function () {
    it("reverts for a batch that was never posted", async function () {
      const { airdrop } = await networkHelpers.loadFixture(openFixture);
      await expect(airdrop.batch(1n)).to.be.revertedWithCustomError(airdrop, "AirdropUnknownBatch").withArgs(1n);
    });
  });

  describe("#claim", function () {
    it("accepts a matching leaf and proof, and counts the amount against the batch", async function () {
      const { token, airdrop, batch, central } = await networkHelpers.loadFixture(openFixture);
      const { participant, proof } = batch.proofOf(central.address);
      await expect(
        airdrop.claim(
          batch.batchId,
          central.address,
          participant.district,
          participant.amount,
          participant.enrollment,
          proof,
        ),
      )
        .to.emit(airdrop, "Claimed")
        .withArgs(batch.batchId, central.address, participant.district, participant.amount, participant.enrollment);
      expect((await airdrop.batch(batch.batchId)).claimed).to.equal(participant.amount);
      expect(await airdrop.claimedTotal()).to.equal(participant.amount);
      expect(await token.balanceOf(central)).to.equal(participant.amount);
    });

    it("pays the leaf's account whoever submits the claim", async function () {
      const { token, airdrop, batch, central, outsider } = await networkHelpers.loadFixture(openFixture);
      const { participant, proof } = batch.proofOf(central.address);
      const tx = airdrop
        .connect(outsider)
        .claim(batch.batchId, central.address, participant.district, participant.amount, participant.enrollment, proof);
      await expect(tx).to.changeTokenBalances(ethers, token, [central, outsider], [participant.amount, 0n]);
    });

    it("reverts a proof of another leaf", async function () {
      const { airdrop, batch, central, riverside } = await networkHelpers.loadFixture(openFixture);
      const { participant } = batch.proofOf(central.address);
      const { proof } = batch.proofOf(riverside.address);
      await expect(
        airdrop.claim(
          batch.batchId,
          central.address,
          participant.district,
          participant.amount,
          participant.enrollment,
          proof,
        ),
      )
        .to.be.revertedWithCustomError(airdrop, "AirdropInvalidProof")
        .withArgs(batch.batchId, central.address, participant.district, participant.amount, participant.enrollment);
    });

    it("reverts an amount other than the leaf's", async function () {
      const { airdrop, batch, central } = await networkHelpers.loadFixture(openFixture);
      const { participant, proof } = batch.proofOf(central.address);
      const more = participant.amount + 1n;
      await expect(
        airdrop.claim(batch.batchId, central.address, participant.district, more, participant.enrollment, proof),
      )
        .to.be.revertedWithCustomError(airdrop, "AirdropInvalidProof")
        .withArgs(batch.batchId, central.address, participant.district, more, participant.enrollment);
    });

    it("reverts a district other than the leaf's, ANY_DISTRICT included", async function () {
      const { airdrop, batch, central } = await networkHelpers.loadFixture(openFixture);
      const { participant, proof } = batch.proofOf(central.address);
      for (const district of [1, ANY_DISTRICT]) {
        await expect(
          airdrop.claim(batch.batchId, central.address, district, participant.amount, participant.enrollment, proof),
        )
          .to.be.revertedWithCustomError(airdrop, "AirdropInvalidProof")
          .withArgs(batch.batchId, central.address, district, participant.amount, participant.enrollment);
      }
    });

    it("reverts a leaf of one batch proved against another batch", async function () {
      const created = await networkHelpers.loadFixture(openFixture);
      const { airdrop, batch, central, outsider } = created;
      const other = await postBatch(created, [{ account: outsider.address, district: 0, amount: 10n }]);
      const { participant, proof } = batch.proofOf(central.address);
      await expect(
        airdrop.claim(
          other.batchId,
          central.address,
          participant.district,
          participant.amount,
          participant.enrollment,
          proof,
        ),
      )
        .to.be.revertedWithCustomError(airdrop, "AirdropInvalidProof")
        .withArgs(other.batchId, central.address, participant.district, participant.amount, participant.enrollment);
    });

    it("reverts an unknown batch", async function () {
      const { airdrop, batch, central } = await networkHelpers.loadFixture(openFixture);
      const { participant, proof } = batch.proofOf(central.address);
      const unknown = await airdrop.batchCount();
      await expect(
        airdrop.claim(
          unknown,
          central.address,
          participant.district,
          participant.amount,
          participant.enrollment,
          proof,
        ),
      )
        .to.be.revertedWithCustomError(airdrop, "AirdropUnknownBatch")
        .withArgs(unknown);
    });

    it("stops a batch at its declared total even when its tree holds more", async function () {
      const created = await networkHelpers.loadFixture(openFixture);
      const { airdrop, outsider, roles } = created;
      const small = { account: outsider.address, district: 0, amount: 1_000n };
      const large = { account: roles.reporter.address, district: 0, amount: 2_000n };
      const declared = 2_500n;
      const { batchId, tree } = await postWithTotal(created, [small, large], declared);
      await airdrop.claim(
        batchId,
        large.account,
        large.district,
        large.amount,
        ethers.ZeroHash,
        proofIn(tree, large.account),
      );
      await expect(
        airdrop.claim(
          batchId,
          small.account,
          small.district,
          small.amount,
          ethers.ZeroHash,
          proofIn(tree, small.account),
        ),
      )
        .to.be.revertedWithCustomError(airdrop, "AirdropBatchExhausted")
        .withArgs(batchId, declared, large.amount, small.amount);
      expect((await airdrop.batch(batchId)).claimed).to.equal(large.amount);
    });

    it("accepts a single-leaf batch: its root is the leaf hash and its proof is empty", async function () {
      const created = await networkHelpers.loadFixture(openFixture);
      const { token, airdrop, outsider } = created;
      const only = { account: outsider.address, district: 1, amount: 77n };
      const { batchId, tree } = await postWithTotal(created, [only], only.amount);
      expect(tree.root).to.equal(await airdrop.leafHash(only.account, only.district, only.amount, NO_ENROLLMENT));
      await airdrop.claim(batchId, only.account, only.district, only.amount, ethers.ZeroHash, []);
      expect(await token.balanceOf(outsider)).to.equal(only.amount);
    });

    it("accepts a claim one second before closesAt and reverts one at exactly closesAt", async function () {
      const { airdrop, batch, central, riverside, closesAt } = await networkHelpers.loadFixture(openFixture);
      const claimOf = (account: string) => {
        const { participant, proof } = batch.proofOf(account);
        return airdrop.claim(
          batch.batchId,
          account,
          participant.district,
          participant.amount,
          participant.enrollment,
          proof,
        );
      };
      await atTimestamp(networkHelpers, closesAt - 1n);
      await claimOf(central.address);
      await atTimestamp(networkHelpers, closesAt);
      await expect(claimOf(riverside.address))
        .to.be.revertedWithCustomError(airdrop, "AirdropClosed")
        .withArgs(closesAt);
    });
  });

  describe("#leafHash", function () {
    it("equals the StandardMerkleTree leaf hash of every leaf of a participants tree", async function () {
      const { airdrop, batch } = await networkHelpers.loadFixture(openFixture);
      for (const [, leaf] of batch.tree.entries()) {
        expect(await airdrop.leafHash(leaf[0], leaf[1], leaf[2], leaf[3])).to.equal(batch.tree.leafHash(leaf));
      }
    });

    it("equals the StandardMerkleTree leaf hash at the edges of each field", async function () {
      const { airdrop } = await networkHelpers.loadFixture(roundFixture);
      const leaves: [string, number, bigint, string][] = [
        [ethers.ZeroAddress, 0, 0n, NO_ENROLLMENT],
        ["0xffffffffffffffffffffffffffffffffffffffff", ANY_DISTRICT, ethers.MaxUint256, `0x${"ff".repeat(32)}`],
        ["0x00000000000000000000000000000000000000aa", 1023, 1n, ethers.id("+79031234567")],
      ];
      const tree = StandardMerkleTree.of(leaves, [...LEAF_ENCODING]);
      for (const [, leaf] of tree.entries()) {
        expect(await airdrop.leafHash(leaf[0], leaf[1], leaf[2], leaf[3])).to.equal(tree.leafHash(leaf));
      }
    });
  });

  describe("#claimedTotal and #postedTotal", function () {
    it("cost the same to read after one batch and after 300, a claim too", async function () {
      const created = await networkHelpers.loadFixture(openFixture);
      const { airdrop, token, batch, central, anywhere } = created;
      await claimAll(created, batch, [central]);
      const gasOf = async () => ({
        claimed: await airdrop.claimedTotal.estimateGas(),
        posted: await airdrop.postedTotal.estimateGas(),
        roundBalance: await token.balanceOf.estimateGas(created.round),
      });
      const few = await gasOf();
      const asRegistrar = created.round.connect(created.roles.registrar);
      for (let i = 0; i < 300; i++) await asRegistrar.postBatch(ethers.id(`batch ${i}`), 1n);
      expect(await gasOf()).to.deep.equal(few);
      const { proof, participant } = batch.proofOf(anywhere.address);
      const claim = await airdrop.claim(
        batch.batchId,
        anywhere.address,
        participant.district,
        participant.amount,
        participant.enrollment,
        proof,
      );
      expect((await claim.wait())!.gasUsed).to.be.below(80_000n);
      expect(await airdrop.claimedTotal()).to.equal(1_000n + 3_000n);
    });

    it("add up claims and declared totals across batches", async function () {
      const created = await networkHelpers.loadFixture(openFixture);
      const { airdrop, batch, participants, central, anywhere, outsider } = created;
      const extra = { account: outsider.address, district: 0, amount: 500n };
      const second = await postBatch(created, [extra]);
      await claimAll(created, batch, [central, anywhere]);
      await claimAll(created, second, [outsider]);
      const firstTotal = participants.reduce((sum, p) => sum + p.amount, 0n);
      expect(await airdrop.postedTotal()).to.equal(firstTotal + extra.amount);
      const amountOf = (account: string) => batch.proofOf(account).participant.amount;
      expect(await airdrop.claimedTotal()).to.equal(
        amountOf(central.address) + amountOf(anywhere.address) + extra.amount,
      );
    });
  });
});
