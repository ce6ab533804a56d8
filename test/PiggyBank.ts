import { expect } from "chai";
import { network } from "hardhat";

import { createRound, roundConfig } from "../scripts/hardhat/fixtures.js";
import { claimAll, openForVoting, residents } from "./helpers/unit.js";

const { ethers, networkHelpers } = await network.create();

const DISTRICTS = [
  { name: "Central", budget: 100_000n, projects: [60_000n, 40_000n] },
  { name: "Riverside", budget: 50_000n, projects: [50_000n] },
];

// EIP-1167 minimal proxy runtime code around the implementation address; OpenZeppelin's
// `cloneWithImmutableArgs` appends the arguments after it, here packed: round, uint32 project id, metadata hash.
const CLONE_PREFIX = "0x363d3d373d3d3d363d73";
const CLONE_SUFFIX = "5af43d82803e903d91602b57fd5bf3";

/** Two residents have put tokens into the banks of an open round. */
async function depositedFixture() {
  const created = await createRound(ethers, networkHelpers, { districts: DISTRICTS });
  const [alice, bob, carol] = await residents(ethers, 3);
  const batch = await openForVoting(networkHelpers, created, [
    { account: alice.address, district: 0, amount: 1_000n },
    { account: bob.address, district: 0, amount: 2_000n },
  ]);
  await claimAll(created, batch, [alice, bob]);
  const { round, banks } = created;
  await (await round.connect(alice).allocate([banks[0], banks[1]], [300n, 700n])).wait();
  await (await round.connect(bob).allocate([banks[0]], [1_500n])).wait();
  const added = await round.queryFilter(round.filters.ProjectAdded());
  const metadataHashes = added.map((event) => event.args.metadataHash);
  const piggyBanks = await Promise.all(banks.map((bank) => ethers.getContractAt("PiggyBank", bank)));
  return { ...created, alice, bob, carol, metadataHashes, piggyBanks };
}

describe("PiggyBank", function () {
  describe("views", function () {
    it("name the bank's round, project and metadata hash as the round added them", async function () {
      const { round, piggyBanks, metadataHashes } = await networkHelpers.loadFixture(depositedFixture);
      for (const [projectId, piggyBank] of piggyBanks.entries()) {
        expect(await piggyBank.round()).to.equal(await round.getAddress());
        expect(await piggyBank.projectId()).to.equal(BigInt(projectId));
        expect(await piggyBank.metadataHash()).to.equal(metadataHashes[projectId]);
        expect((await round.project(projectId)).bank).to.equal(await piggyBank.getAddress());
      }
    });

    it("report the bank's token balance", async function () {
      const { token, piggyBanks } = await networkHelpers.loadFixture(depositedFixture);
      for (const piggyBank of piggyBanks) {
        expect(await piggyBank.balance()).to.equal(await token.balanceOf(piggyBank));
      }
      expect(await piggyBanks[0].balance()).to.equal(300n + 1_500n);
      expect(await piggyBanks[2].balance()).to.equal(0n);
    });

    it("report each depositor's deposit as the round records it", async function () {
      const { round, piggyBanks, alice, bob, carol } = await networkHelpers.loadFixture(depositedFixture);
      for (const piggyBank of piggyBanks) {
        for (const depositor of [alice, bob, carol]) {
          expect(await piggyBank.depositOf(depositor)).to.equal(await round.depositOf(piggyBank, depositor));
        }
      }
      expect(await piggyBanks[0].depositOf(alice)).to.equal(300n);
      expect(await piggyBanks[1].depositOf(bob)).to.equal(0n);
    });

    it("follow a withdrawal", async function () {
      const { round, banks, piggyBanks, alice } = await networkHelpers.loadFixture(depositedFixture);
      await round.connect(alice).withdraw([banks[0]], [100n]);
      expect(await piggyBanks[0].depositOf(alice)).to.equal(200n);
      expect(await piggyBanks[0].balance()).to.equal(200n + 1_500n);
    });
  });

  describe("clones", function () {
    it("give each project a bank of its own", async function () {
      const { banks } = await networkHelpers.loadFixture(depositedFixture);
      expect(new Set(banks.map((bank) => bank.toLowerCase())).size).to.equal(banks.length);
    });

    it("are EIP-1167 clones of the factory's implementation carrying their 56 bytes of packed arguments", async function () {
      const { factory, round, banks, metadataHashes } = await networkHelpers.loadFixture(depositedFixture);
      const implementation = await factory.piggyBankImplementation();
      expect(await round.piggyBankImplementation()).to.equal(implementation);
      for (const [projectId, bank] of banks.entries()) {
        const args = ethers.solidityPacked(
          ["address", "uint32", "bytes32"],
          [await round.getAddress(), projectId, metadataHashes[projectId]],
        );
        expect(ethers.dataLength(args)).to.equal(56);
        const expected = CLONE_PREFIX + implementation.slice(2) + CLONE_SUFFIX + args.slice(2);
        expect((await ethers.provider.getCode(bank)).toLowerCase()).to.equal(expected.toLowerCase());
      }
    });

    it("of two rounds from one factory share the implementation and name their own round", async function () {
      const { factory, roles, piggyBanks } = await networkHelpers.loadFixture(depositedFixture);
      const now = BigInt(await networkHelpers.time.latest());
      const config = roundConfig(roles, now, { budget: 1_000n });
      const otherAddress = await factory.createRound.staticCall(config);
      await factory.createRound(config);
      const other = (await ethers.getContractAt("Round", otherAddress)).connect(roles.committee);
      await other.addDistrict("Only", 1_000n);
      await other.addProject(0, 1_000n, 0, ethers.id("other"), "ipfs://other");
      const otherBank = await ethers.getContractAt("PiggyBank", (await other.project(0)).bank);

      const implementation = (await factory.piggyBankImplementation()).slice(2).toLowerCase();
      for (const bank of [piggyBanks[0], otherBank]) {
        expect((await ethers.provider.getCode(bank)).toLowerCase()).to.contain(implementation);
      }
      expect(await otherBank.round()).to.equal(otherAddress);
      expect(await otherBank.projectId()).to.equal(await piggyBanks[0].projectId());
      expect(await otherBank.getAddress()).to.not.equal(await piggyBanks[0].getAddress());
    });
  });
});
