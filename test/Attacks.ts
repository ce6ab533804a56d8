/**
 * Everything a resident, an outsider or a misconfigured role might try against a round. Each attack asserts the
 * exact custom error and that no balance, deposit or total moved.
 */
import { expect } from "chai";
import { Contract, type Signer } from "ethers";
import { network } from "hardhat";

import { ANY_DISTRICT, type Participant } from "@kopilka/core/participants";
import {
  createRound,
  mintAndOpen,
  postBatch,
  type CreatedRound,
  type RoundOptions,
} from "../scripts/hardhat/fixtures.js";
import { expectNothingMoved } from "./helpers/voting.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const ROUND: RoundOptions = {
  districts: [
    { name: "Central", budget: 600_000n, projects: [300_000n, 200_000n] },
    { name: "Riverside", budget: 400_000n, projects: [250_000n, 150_000n] },
  ],
};
const CENTRAL = 0;
const RIVERSIDE = 1;

/** What a wallet uses for any ERC-20: the standard ABI, whatever the token's own ABI says. */
const ERC20_ABI = [
  "function transfer(address to, uint256 value) returns (bool)",
  "function transferFrom(address from, address to, uint256 value) returns (bool)",
  "function approve(address spender, uint256 value) returns (bool)",
  "function allowance(address owner, address spender) view returns (uint256)",
];

async function people() {
  const signers = await ethers.getSigners();
  const [alice, bob, carol, dave, mallory, relayer] = signers.slice(5);
  return { alice, bob, carol, dave, mallory, relayer };
}

/** A created round, neither minted nor opened. */
async function roundInSetup() {
  return { created: await createRound(ethers, networkHelpers, ROUND), ...(await people()) };
}

/**
 * A round at `opensAt` with one batch: Alice (Central) and Bob (any district) have claimed, Alice has 4,000 in
 * Central's first bank; Carol (Riverside), Dave (Central) and a contract voter have not claimed. Mallory is in
 * no batch.
 */
async function votingRound() {
  const created = await createRound(ethers, networkHelpers, ROUND);
  const { alice, bob, carol, dave, mallory, relayer } = await people();
  await mintAndOpen(created);
  const contractVoter = await ethers.deployContract("ReentrantVoter", [await created.round.getAddress()]);
  const participants: Participant[] = [
    { account: alice.address, district: CENTRAL, amount: 10_000n },
    { account: bob.address, district: ANY_DISTRICT, amount: 20_000n },
    { account: carol.address, district: RIVERSIDE, amount: 15_000n },
    { account: dave.address, district: CENTRAL, amount: 12_000n },
    { account: await contractVoter.getAddress(), district: CENTRAL, amount: 8_000n },
  ];
  const batch = await postBatch(created, participants);
  await time.increaseTo(created.opensAt);
  for (const account of [alice, bob]) {
    const { participant, proof } = batch.proofOf(account.address);
    await created.airdrop.claim(
      batch.batchId,
      participant.account,
      participant.district,
      participant.amount,
      participant.enrollment,
      proof,
    );
  }
  await created.round.connect(alice).allocate([created.banks[0]], [4_000n]);
  const accounts = [...participants.map((p) => p.account), mallory.address];
  return { created, batch, contractVoter, accounts, alice, bob, carol, dave, mallory, relayer };
}

/** Two rounds voting at the same time, Alice a Central resident of the first. */
async function twoRounds() {
  const first = await createRound(ethers, networkHelpers, ROUND);
  const second = await createRound(ethers, networkHelpers, ROUND);
  const { alice } = await people();
  for (const created of [first, second]) await mintAndOpen(created);
  const batch = await postBatch(first, [{ account: alice.address, district: CENTRAL, amount: 10_000n }]);
  await time.increaseTo(second.opensAt > first.opensAt ? second.opensAt : first.opensAt);
  const { participant, proof } = batch.proofOf(alice.address);
  await first.airdrop
    .connect(alice)
    .claim(batch.batchId, alice.address, participant.district, participant.amount, participant.enrollment, proof);
  return { first, second, alice };
}

/** Fixes the next block's timestamp, so that errors carrying `block.timestamp` can be matched exactly. */
async function nextBlockAt(timestamp: bigint): Promise<bigint> {
  await time.setNextBlockTimestamp(timestamp);
  return timestamp;
}

async function nextBlock(): Promise<bigint> {
  return nextBlockAt(BigInt(await time.latest()) + 1n);
}

function asWallet(created: CreatedRound, signer: Signer): Contract {
  return new Contract(created.token.target as string, ERC20_ABI, signer);
}

/** OpenZeppelin's commutative pair hash, the one every internal node of a StandardMerkleTree is made with. */
function hashPair(a: string, b: string): string {
  return ethers.keccak256(ethers.concat(a.toLowerCase() < b.toLowerCase() ? [a, b] : [b, a]));
}

describe("Attacks", function () {
  describe("moving tokens outside the round", function () {
    it("refuses a transfer from one resident to another", async function () {
      const { created, accounts, alice, bob } = await loadFixture(votingRound);
      await expectNothingMoved(created, accounts, async () => {
        await expect(asWallet(created, alice).transfer(bob.address, 1_000n))
          .to.be.revertedWithCustomError(created.token, "BudgetTokenTransferNotAllowed")
          .withArgs(alice.address, bob.address);
      });
    });

    it("refuses an approval, and a transferFrom without one", async function () {
      const { created, accounts, alice, bob } = await loadFixture(votingRound);
      await expectNothingMoved(created, accounts, async () => {
        await expect(asWallet(created, alice).approve(bob.address, 1_000n))
          .to.be.revertedWithCustomError(created.token, "BudgetTokenApprovalNotAllowed")
          .withArgs(alice.address, bob.address);
        await expect(asWallet(created, bob).transferFrom(alice.address, bob.address, 1_000n))
          .to.be.revertedWithCustomError(created.token, "BudgetTokenTransferNotAllowed")
          .withArgs(alice.address, bob.address);
      });
      expect(await created.token.allowance(alice.address, bob.address)).to.equal(0n);
    });

    it("refuses a direct transfer into a piggy bank, which would count without a deposit record", async function () {
      const { created, accounts, alice } = await loadFixture(votingRound);
      const bank = created.banks[1];
      await expectNothingMoved(created, accounts, async () => {
        await expect(asWallet(created, alice).transfer(bank, 1_000n))
          .to.be.revertedWithCustomError(created.token, "BudgetTokenTransferNotAllowed")
          .withArgs(alice.address, bank);
      });
    });
  });

  describe("claiming", function () {
    it("pays a leaf once, whoever submits it again", async function () {
      const { created, batch, accounts, alice, relayer } = await loadFixture(votingRound);
      const { participant, proof } = batch.proofOf(alice.address);
      await expectNothingMoved(created, accounts, async () => {
        await expect(
          created.airdrop
            .connect(relayer)
            .claim(
              batch.batchId,
              alice.address,
              participant.district,
              participant.amount,
              participant.enrollment,
              proof,
            ),
        )
          .to.be.revertedWithCustomError(created.token, "BudgetTokenAlreadyClaimed")
          .withArgs(alice.address);
        await expect(
          created.round
            .connect(alice)
            .claimAndAllocate(
              batch.batchId,
              participant.district,
              participant.amount,
              participant.enrollment,
              proof,
              [],
              [],
            ),
        )
          .to.be.revertedWithCustomError(created.token, "BudgetTokenAlreadyClaimed")
          .withArgs(alice.address);
      });
    });

    it("pays an account once even when a second batch lists it again", async function () {
      const { created, accounts, alice, relayer } = await loadFixture(votingRound);
      const second = await postBatch(created, [
        { account: alice.address, district: ANY_DISTRICT, amount: 50_000n },
        { account: relayer.address, district: CENTRAL, amount: 1_000n },
      ]);
      const { participant, proof } = second.proofOf(alice.address);
      await expectNothingMoved(created, accounts, async () => {
        await expect(
          created.airdrop.claim(
            second.batchId,
            alice.address,
            participant.district,
            participant.amount,
            participant.enrollment,
            proof,
          ),
        )
          .to.be.revertedWithCustomError(created.token, "BudgetTokenAlreadyClaimed")
          .withArgs(alice.address);
      });
      expect((await created.airdrop.batch(second.batchId)).claimed).to.equal(0n);
    });

    it("does not pay another account with someone else's proof", async function () {
      const { created, batch, accounts, carol, dave, mallory } = await loadFixture(votingRound);
      const { participant: carols, proof } = batch.proofOf(carol.address);
      const { participant: daves } = batch.proofOf(dave.address);
      await expectNothingMoved(created, accounts, async () => {
        // Dave's own leaf, with Carol's proof.
        await expect(
          created.airdrop
            .connect(dave)
            .claim(batch.batchId, dave.address, daves.district, daves.amount, daves.enrollment, proof),
        )
          .to.be.revertedWithCustomError(created.airdrop, "AirdropInvalidProof")
          .withArgs(batch.batchId, dave.address, daves.district, daves.amount, daves.enrollment);
        // Carol's district and amount with Mallory's address, as if the address were not part of the leaf.
        await expect(
          created.round
            .connect(mallory)
            .claimAndAllocate(batch.batchId, carols.district, carols.amount, carols.enrollment, proof, [], []),
        )
          .to.be.revertedWithCustomError(created.airdrop, "AirdropInvalidProof")
          .withArgs(batch.batchId, mallory.address, carols.district, carols.amount, carols.enrollment);
      });
    });

    it("does not take an internal node of the tree for a leaf", async function () {
      const { created, batch, accounts, mallory } = await loadFixture(votingRound);
      // The tree is stored as a heap: node i has children 2i+1 and 2i+2, the root is node 0. The last internal
      // node has two children, and its proof is the siblings on the way up to the root.
      const nodes = batch.tree.dump().tree;
      const internal = Math.floor((nodes.length - 2) / 2);
      const [left, right] = [nodes[2 * internal + 1], nodes[2 * internal + 2]];
      const node = hashPair(left, right);
      expect(node).to.equal(nodes[internal]);
      const proof: string[] = [];
      for (let i = internal; i > 0; i = Math.floor((i - 1) / 2)) proof.push(nodes[i % 2 === 1 ? i + 1 : i - 1]);
      // The proof is genuine: from this node it reaches the root. A verifier that accepted the 64-byte pair
      // (left, right) as a leaf encoding, hashed once, would pay whatever those bytes decode to.
      expect(proof.reduce(hashPair, node)).to.equal(batch.tree.root);
      // The airdrop hashes a leaf twice, keccak256(keccak256(abi.encode(account, district, amount, enrollment))): the last
      // hash of a leaf always takes 32 bytes, the hash of an internal node always takes 64. Turning the pair into
      // a leaf would need a keccak collision between a 32-byte and a 64-byte input, so the closest reading of
      // the pair as (account, district, amount) fails like any made-up leaf.
      const account = ethers.getAddress(ethers.dataSlice(left, 12));
      const amount = BigInt(right);
      const district = 0;
      expect(await created.airdrop.leafHash(account, district, amount, ethers.ZeroHash)).to.not.equal(node);
      await expectNothingMoved(created, accounts, async () => {
        await expect(
          created.airdrop.connect(mallory).claim(batch.batchId, account, district, amount, ethers.ZeroHash, proof),
        )
          .to.be.revertedWithCustomError(created.airdrop, "AirdropInvalidProof")
          .withArgs(batch.batchId, account, district, amount, ethers.ZeroHash);
      });
    });

    // The round's own token record holds what was minted and whether the supply is sealed; a leaf for the round
    // (one bad row in a registrar's batch, which anyone may claim) must not overwrite it, nor may a leaf pay the
    // zero address.
    it("refuses a leaf for the round's own address or the zero address", async function () {
      const { created, batch, accounts, dave, relayer } = await loadFixture(votingRound);
      const roundAddress = await created.round.getAddress();
      const rogue = await postBatch(created, [
        { account: roundAddress, district: ANY_DISTRICT, amount: 1n },
        { account: ethers.ZeroAddress, district: ANY_DISTRICT, amount: 1n },
        { account: relayer.address, district: CENTRAL, amount: 1n },
      ]);
      for (const account of [roundAddress, ethers.ZeroAddress]) {
        const { participant, proof } = rogue.proofOf(account);
        await expectNothingMoved(created, accounts, async () => {
          await expect(
            created.airdrop
              .connect(relayer)
              .claim(rogue.batchId, account, participant.district, 1n, participant.enrollment, proof),
          )
            .to.be.revertedWithCustomError(created.token, "BudgetTokenInvalidResident")
            .withArgs(account);
        });
      }
      // Every posted leaf must stay payable: Dave's claim still goes through.
      const daves = batch.proofOf(dave.address);
      await created.airdrop.claim(
        batch.batchId,
        dave.address,
        daves.participant.district,
        daves.participant.amount,
        daves.participant.enrollment,
        daves.proof,
      );
    });

    it("refuses a claim before the round is opened", async function () {
      const { created, alice } = await loadFixture(roundInSetup);
      await created.round.connect(created.roles.minter).mint(created.budget);
      const batch = await postBatch(created, [{ account: alice.address, district: CENTRAL, amount: 10_000n }]);
      const { participant, proof } = batch.proofOf(alice.address);
      await expectNothingMoved(created, [alice.address], async () => {
        await expect(
          created.airdrop.claim(
            batch.batchId,
            alice.address,
            participant.district,
            participant.amount,
            participant.enrollment,
            proof,
          ),
        ).to.be.revertedWithCustomError(created.token, "BudgetTokenSupplyNotSealed");
      });
    });

    it("refuses a batch with a zero root", async function () {
      const { created, accounts } = await loadFixture(votingRound);
      await expectNothingMoved(created, accounts, async () => {
        await expect(created.round.connect(created.roles.registrar).postBatch(ethers.ZeroHash, 1_000n))
          .to.be.revertedWithCustomError(created.airdrop, "AirdropZeroRoot")
          .withArgs();
      });
    });
  });

  describe("allocating", function () {
    it("refuses more than the voter's balance, also when split across banks", async function () {
      const { created, accounts, alice } = await loadFixture(votingRound);
      const balance = await created.token.balanceOf(alice.address);
      const [first, second] = created.districtProjects[CENTRAL].map((id) => created.banks[id]);
      await expectNothingMoved(created, accounts, async () => {
        await expect(created.round.connect(alice).allocate([first], [balance + 1n]))
          .to.be.revertedWithCustomError(created.token, "BudgetTokenInsufficientBalance")
          .withArgs(alice.address, balance, balance + 1n);
        await expect(created.round.connect(alice).allocate([first, second], [balance, 1n]))
          .to.be.revertedWithCustomError(created.token, "BudgetTokenInsufficientBalance")
          .withArgs(alice.address, 0n, 1n);
      });
    });

    it("refuses district-bound tokens for another district's project", async function () {
      const { created, accounts, alice } = await loadFixture(votingRound);
      const riverside = created.banks[created.districtProjects[RIVERSIDE][0]];
      await expectNothingMoved(created, accounts, async () => {
        await expect(created.round.connect(alice).allocate([riverside], [1_000n]))
          .to.be.revertedWithCustomError(created.token, "BudgetTokenDistrictMismatch")
          .withArgs(alice.address, CENTRAL, RIVERSIDE);
      });
    });

    it("refuses district-bound tokens for another district's project through reallocate", async function () {
      const { created, accounts, alice } = await loadFixture(votingRound);
      const central = created.banks[created.districtProjects[CENTRAL][0]];
      const riverside = created.banks[created.districtProjects[RIVERSIDE][0]];
      await expectNothingMoved(created, accounts, async () => {
        await expect(created.round.connect(alice).reallocate([central], [4_000n], [riverside], [4_000n]))
          .to.be.revertedWithCustomError(created.token, "BudgetTokenDistrictMismatch")
          .withArgs(alice.address, CENTRAL, RIVERSIDE);
      });
    });

    it("does not let a voter withdraw someone else's deposit", async function () {
      const { created, accounts, alice, bob } = await loadFixture(votingRound);
      const bank = created.banks[0];
      expect(await created.round.depositOf(bank, alice.address)).to.equal(4_000n);
      await expectNothingMoved(created, accounts, async () => {
        await expect(created.round.connect(bob).withdraw([bank], [1_000n]))
          .to.be.revertedWithCustomError(created.round, "RoundInsufficientDeposit")
          .withArgs(bob.address, bank, 0n, 1_000n);
        // Bob's own deposit does not make Alice's his either.
        await created.round.connect(bob).allocate([bank], [500n]);
        await expect(created.round.connect(bob).withdraw([bank], [501n]))
          .to.be.revertedWithCustomError(created.round, "RoundInsufficientDeposit")
          .withArgs(bob.address, bank, 500n, 501n);
        await created.round.connect(bob).withdraw([bank], [500n]);
      });
    });

    it("keeps the tokens of one round out of another round's piggy banks", async function () {
      const { first, second, alice } = await loadFixture(twoRounds);
      const foreignBank = second.banks[0];
      await expectNothingMoved(first, [alice.address], async () => {
        await expectNothingMoved(second, [alice.address], async () => {
          await expect(first.round.connect(alice).allocate([foreignBank], [1_000n]))
            .to.be.revertedWithCustomError(first.token, "BudgetTokenNotAPiggyBank")
            .withArgs(foreignBank);
          // Through the second round Alice has nothing: her tokens are the first round's.
          await expect(second.round.connect(alice).allocate([foreignBank], [1_000n]))
            .to.be.revertedWithCustomError(second.token, "BudgetTokenInsufficientBalance")
            .withArgs(alice.address, 0n, 1_000n);
        });
      });
    });
  });

  describe("re-entrancy", function () {
    it("lets a contract voter claim, allocate and withdraw without ever calling it back", async function () {
      const { created, batch, contractVoter } = await loadFixture(votingRound);
      const voter = await contractVoter.getAddress();
      const { participant, proof } = batch.proofOf(voter);
      const bank = created.banks[1];
      await contractVoter.claimAndAllocate(
        batch.batchId,
        participant.district,
        participant.amount,
        participant.enrollment,
        proof,
        [bank],
        [3_000n],
      );
      await contractVoter.allocate([bank], [2_000n]);
      await contractVoter.withdraw([bank], [1_000n]);
      expect(await created.round.depositOf(bank, voter)).to.equal(4_000n);
      expect(await created.token.balanceOf(voter)).to.equal(participant.amount - 4_000n);
      expect(await contractVoter.hookCalls()).to.equal(0n);
    });

    it("refuses the voter's own address as a bank, without running its hook", async function () {
      const { created, batch, accounts, contractVoter } = await loadFixture(votingRound);
      const voter = await contractVoter.getAddress();
      const { participant, proof } = batch.proofOf(voter);
      await contractVoter.claimAndAllocate(
        batch.batchId,
        participant.district,
        participant.amount,
        participant.enrollment,
        proof,
        [],
        [],
      );
      // It claims to belong to the round, as a piggy bank would; the token only trusts its own registry.
      expect(await contractVoter.round()).to.equal(await created.round.getAddress());
      await expectNothingMoved(created, accounts, async () => {
        await expect(contractVoter.allocate([voter], [1_000n]))
          .to.be.revertedWithCustomError(created.token, "BudgetTokenNotAPiggyBank")
          .withArgs(voter);
        await expect(contractVoter.withdraw([voter], [1_000n]))
          .to.be.revertedWithCustomError(created.round, "RoundInsufficientDeposit")
          .withArgs(voter, voter, 0n, 1_000n);
      });
      expect(await contractVoter.hookCalls()).to.equal(0n);
    });

    it("has a hook that does run when something calls it, so the zero count above means something", async function () {
      const { created, batch, contractVoter, relayer } = await loadFixture(votingRound);
      const voter = await contractVoter.getAddress();
      const { participant, proof } = batch.proofOf(voter);
      const bank = created.banks[0];
      await contractVoter.claimAndAllocate(
        batch.batchId,
        participant.district,
        participant.amount,
        participant.enrollment,
        proof,
        [bank],
        [3_000n],
      );
      // Anyone sending it ether runs the hook, which withdraws and allocates again as an ordinary voter would.
      await relayer.sendTransaction({ to: voter, value: 1n });
      expect(await contractVoter.hookCalls()).to.equal(1n);
      expect(await created.round.depositOf(bank, voter)).to.equal(3_000n);
    });
  });

  describe("setup", function () {
    it("is frozen once the round is opened: no district, project or mint, and no second opening", async function () {
      const { created } = await loadFixture(roundInSetup);
      const { round, roles, opensAt } = created;
      await mintAndOpen(created);
      await expectNothingMoved(created, [], async () => {
        let now = await nextBlock();
        await expect(round.connect(roles.committee).addDistrict("Late", 1n))
          .to.be.revertedWithCustomError(round, "RoundSetupFrozen")
          .withArgs(now, opensAt, true);
        now = await nextBlock();
        await expect(round.connect(roles.committee).addProject(CENTRAL, 1n, 0, ethers.ZeroHash, ""))
          .to.be.revertedWithCustomError(round, "RoundSetupFrozen")
          .withArgs(now, opensAt, true);
        now = await nextBlock();
        await expect(round.connect(roles.minter).mint(1n))
          .to.be.revertedWithCustomError(round, "RoundSetupFrozen")
          .withArgs(now, opensAt, true);
        await expect(round.connect(roles.committee).open()).to.be.revertedWithCustomError(round, "RoundAlreadyOpened");
      });
      expect(await round.districtCount()).to.equal(2n);
      expect(await round.projectCount()).to.equal(4n);
    });

    it("is frozen from opensAt even when nobody opened the round", async function () {
      const { created } = await loadFixture(roundInSetup);
      const { round, token, roles, opensAt } = created;
      await round.connect(roles.minter).mint(1_000n);
      await time.increaseTo(opensAt - 1n);
      await expectNothingMoved(created, [], async () => {
        await nextBlockAt(opensAt);
        await expect(round.connect(roles.committee).addDistrict("Late", 1n))
          .to.be.revertedWithCustomError(round, "RoundSetupFrozen")
          .withArgs(opensAt, opensAt, false);
        let now = await nextBlock();
        await expect(round.connect(roles.committee).addProject(CENTRAL, 1n, 0, ethers.ZeroHash, ""))
          .to.be.revertedWithCustomError(round, "RoundSetupFrozen")
          .withArgs(now, opensAt, false);
        now = await nextBlock();
        await expect(round.connect(roles.minter).mint(1n))
          .to.be.revertedWithCustomError(round, "RoundSetupFrozen")
          .withArgs(now, opensAt, false);
      });
      expect(await round.opened()).to.equal(false);
      expect(await token.totalSupply()).to.equal(1_000n);
    });
  });

  describe("the deadline", function () {
    it("refuses allocating, withdrawing, claiming and new batches at exactly closesAt", async function () {
      const { created, batch, accounts, alice, dave } = await loadFixture(votingRound);
      const { round, closesAt } = created;
      const { participant, proof } = batch.proofOf(dave.address);
      await time.increaseTo(closesAt - 1n);
      await expectNothingMoved(created, accounts, async () => {
        await nextBlockAt(closesAt);
        await expect(round.connect(alice).allocate([created.banks[0]], [1_000n]))
          .to.be.revertedWithCustomError(round, "RoundClosed")
          .withArgs(closesAt);
        await expect(round.connect(alice).withdraw([created.banks[0]], [1_000n]))
          .to.be.revertedWithCustomError(round, "RoundClosed")
          .withArgs(closesAt);
        await expect(
          created.airdrop.claim(
            batch.batchId,
            dave.address,
            participant.district,
            participant.amount,
            participant.enrollment,
            proof,
          ),
        )
          .to.be.revertedWithCustomError(created.airdrop, "AirdropClosed")
          .withArgs(closesAt);
        await expect(created.round.connect(created.roles.registrar).postBatch(ethers.id("late"), 1n))
          .to.be.revertedWithCustomError(created.airdrop, "AirdropClosed")
          .withArgs(closesAt);
      });
    });

    it("still takes an allocation at closesAt - 1", async function () {
      const { created, alice } = await loadFixture(votingRound);
      const { round, token, closesAt } = created;
      const bank = created.banks[0];
      await nextBlockAt(closesAt - 1n);
      await expect(round.connect(alice).allocate([bank], [1_000n])).to.changeTokenBalances(
        ethers,
        token,
        [alice, bank],
        [-1_000n, 1_000n],
      );
      expect(await time.latest()).to.equal(Number(closesAt - 1n));
    });

    it("refuses finalizing before the deadline", async function () {
      const { created, accounts } = await loadFixture(votingRound);
      const { round, closesAt } = created;
      await expectNothingMoved(created, accounts, async () => {
        const now = await nextBlockAt(closesAt - 1n);
        await expect(round.finalize(CENTRAL))
          .to.be.revertedWithCustomError(round, "RoundNotClosed")
          .withArgs(now, closesAt);
      });
      expect((await round.district(CENTRAL)).finalized).to.equal(false);
    });

    it("finalizes a district once", async function () {
      const { created, mallory } = await loadFixture(votingRound);
      const { round, closesAt } = created;
      await time.increaseTo(closesAt);
      await round.connect(mallory).finalize(CENTRAL);
      const finalized = await round.district(CENTRAL);
      await expect(round.connect(mallory).finalize(CENTRAL))
        .to.be.revertedWithCustomError(round, "RoundDistrictAlreadyFinalized")
        .withArgs(CENTRAL);
      expect(await round.district(CENTRAL)).to.deep.equal(finalized);
      expect(await round.finalizedDistricts()).to.equal(1n);
    });
  });

  describe("roles", function () {
    it("refuses every privileged function to an account without its role", async function () {
      const { created, mallory } = await loadFixture(roundInSetup);
      const { round, roles } = created;
      const [committee, minter, registrar, reporter, admin] = await Promise.all([
        round.COMMITTEE_ROLE(),
        round.MINTER_ROLE(),
        round.REGISTRAR_ROLE(),
        round.REPORTER_ROLE(),
        round.DEFAULT_ADMIN_ROLE(),
      ]);
      // Each function is tried by an outsider and by holders of the other roles: no role stands in for another.
      const attempts: [name: string, role: string, call: (as: Signer) => Promise<unknown>][] = [
        ["addDistrict", committee, (as) => round.connect(as).addDistrict("Rogue", 1n)],
        ["addProject", committee, (as) => round.connect(as).addProject(CENTRAL, 1n, 0, ethers.ZeroHash, "")],
        ["open", committee, (as) => round.connect(as).open()],
        ["mint", minter, (as) => round.connect(as).mint(1n)],
        ["postBatch", registrar, (as) => round.connect(as).postBatch(ethers.id("rogue"), 1n)],
        ["recordImplementation", reporter, (as) => round.connect(as).recordImplementation(0, 1, 0n, ethers.ZeroHash)],
        ["grantRole", admin, (as) => round.connect(as).grantRole(minter, mallory.address)],
        ["revokeRole", admin, (as) => round.connect(as).revokeRole(minter, roles.minter.address)],
      ];
      const holders = [roles.admin, roles.committee, roles.minter, roles.registrar, roles.reporter];
      const holdersRoles = [admin, committee, minter, registrar, reporter];
      await expectNothingMoved(created, [mallory.address], async () => {
        for (const [name, role, call] of attempts) {
          const callers = [mallory, ...holders.filter((_, i) => holdersRoles[i] !== role)];
          for (const caller of callers) {
            await expect(call(caller), `${name} by ${caller.address}`)
              .to.be.revertedWithCustomError(round, "AccessControlUnauthorizedAccount")
              .withArgs(caller.address, role);
          }
        }
      });
      expect(await round.districtCount()).to.equal(2n);
      expect(await round.hasRole(minter, mallory.address)).to.equal(false);
      expect(await round.hasRole(minter, roles.minter.address)).to.equal(true);
    });

    it("leaves the token's round-only and airdrop-only functions to them", async function () {
      const { created, alice, mallory } = await loadFixture(votingRound);
      const { token, roles } = created;
      const bank = created.banks[0];
      for (const caller of [mallory, roles.admin, roles.minter]) {
        const asCaller = token.connect(caller);
        await expectNothingMoved(created, [alice.address, caller.address], async () => {
          for (const call of [
            () => asCaller.mint(1n),
            () => asCaller.seal(),
            () => asCaller.registerPiggyBank(caller.address, CENTRAL),
            // Only the airdrop grants, after checking a proof.
            () => asCaller.grant(caller.address, ANY_DISTRICT, 1n),
            () => asCaller.deposit(alice.address, [bank], [1n]),
            () => asCaller.withdraw(alice.address, [bank], [1n]),
          ]) {
            await expect(call())
              .to.be.revertedWithCustomError(token, "BudgetTokenUnauthorizedCaller")
              .withArgs(caller.address);
          }
        });
      }
    });

    it("leaves posting batches to the round, and pays a claim sent to the airdrop to the leaf's account", async function () {
      const { created, batch, accounts, dave, mallory } = await loadFixture(votingRound);
      const { airdrop, token, roles } = created;
      for (const caller of [mallory, roles.registrar]) {
        await expectNothingMoved(created, accounts, async () => {
          await expect(airdrop.connect(caller).postBatch(ethers.id("rogue"), 1n))
            .to.be.revertedWithCustomError(airdrop, "AirdropUnauthorizedCaller")
            .withArgs(caller.address);
        });
      }
      // Claims are open to anyone by design; a stranger submitting Dave's leaf only pays his gas.
      const { participant, proof } = batch.proofOf(dave.address);
      await expect(
        airdrop
          .connect(mallory)
          .claim(batch.batchId, dave.address, participant.district, participant.amount, participant.enrollment, proof),
      ).to.changeTokenBalances(ethers, token, [dave, mallory], [participant.amount, 0n]);
      expect(await token.holderOf(mallory.address)).to.deep.equal([0n, 0n]);
    });
  });
});
