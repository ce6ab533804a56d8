import { Rule } from "@kopilka/core/rule";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import type { Round } from "../typechain-types/index.js";
import type { IRound } from "../typechain-types/RoundFactory.js";
import { ADMIN_TRANSFER_DELAY, deployFactory, roundConfig, roundRoles } from "../scripts/hardhat/fixtures.js";
import { Phase, residents } from "./helpers/unit.js";

const { ethers, networkHelpers } = await network.create();

/** A fresh factory, the role signers and a creator who holds no role. */
async function factoryFixture() {
  const factory = await deployFactory(ethers);
  const roles = await roundRoles(ethers);
  const [creator] = await residents(ethers, 1);
  // The round's errors are raised inside the factory's call, so the matchers need the Round ABI to decode them.
  const roundAbi = await ethers.getContractFactory("Round");
  return { factory, roles, creator, roundAbi };
}

describe("RoundFactory", function () {
  /** A valid config opening a day from the latest block, with `overrides`. */
  async function configWith(
    roles: Awaited<ReturnType<typeof roundRoles>>,
    overrides: Partial<IRound.RoundConfigStruct> = {},
  ) {
    return roundConfig(roles, BigInt(await networkHelpers.time.latest()), overrides);
  }

  /** Creates a round from `creator` and returns it with its token and airdrop. */
  async function createFrom(
    fixture: Awaited<ReturnType<typeof factoryFixture>>,
    config: IRound.RoundConfigStruct,
    creator = fixture.creator,
  ) {
    const asCreator = fixture.factory.connect(creator);
    const address = await asCreator.createRound.staticCall(config);
    const tx = await asCreator.createRound(config);
    await tx.wait();
    const round = await ethers.getContractAt("Round", address);
    return { tx, round, address };
  }

  describe("deployment", function () {
    it("deploys one piggy bank implementation and lists no round", async function () {
      const { factory } = await networkHelpers.loadFixture(factoryFixture);
      const implementation = await factory.piggyBankImplementation();
      expect(await ethers.provider.getCode(implementation)).to.not.equal("0x");
      expect(await factory.roundCount()).to.equal(0n);
    });
  });

  describe("#createRound", function () {
    it("emits RoundCreated with the index, the round, its token, its airdrop, the creator and the name", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const { factory, roles, creator } = fixture;
      // A contract's creations are numbered by its nonce, so the round's address is known before it exists.
      const expected = ethers.getCreateAddress({
        from: await factory.getAddress(),
        nonce: await ethers.provider.getTransactionCount(factory),
      });
      const config = await configWith(roles, { name: "Budget 2026" });
      const { tx, round, address } = await createFrom(fixture, config);
      expect(address).to.equal(expected);
      await expect(tx)
        .to.emit(factory, "RoundCreated")
        .withArgs(0n, expected, await round.token(), await round.airdrop(), creator.address, "Budget 2026");
    });

    it("gives the round a token and an airdrop that serve it alone", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const config = await configWith(fixture.roles, { name: "Budget 2026", tokenSymbol: "B26", budget: 12_345n });
      const { round, address } = await createFrom(fixture, config);
      const token = await ethers.getContractAt("BudgetToken", await round.token());
      const airdrop = await ethers.getContractAt("Airdrop", await round.airdrop());
      expect(await token.round()).to.equal(address);
      expect(await airdrop.round()).to.equal(address);
      expect(await airdrop.token()).to.equal(await token.getAddress());
      expect(await airdrop.closesAt()).to.equal(config.closesAt);
      expect(await token.name()).to.equal("Budget 2026");
      expect(await token.symbol()).to.equal("B26");
      expect(await token.budget()).to.equal(12_345n);
      expect(await token.getAddress()).to.not.equal(await airdrop.getAddress());
    });

    it("creates the round with its config, in setup", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const config = await configWith(fixture.roles, {
        rule: Rule.PiggyBankFull,
        minTokens: 500n,
        minSupporters: 3,
      });
      const { round } = await createFrom(fixture, config);
      expect(await round.name()).to.equal(config.name);
      expect(await round.budget()).to.equal(config.budget);
      expect(await round.opensAt()).to.equal(config.opensAt);
      expect(await round.closesAt()).to.equal(config.closesAt);
      expect(await round.rule()).to.equal(BigInt(Rule.PiggyBankFull));
      expect(await round.minTokens()).to.equal(500n);
      expect(await round.minSupporters()).to.equal(3n);
      expect(await round.piggyBankImplementation()).to.equal(await fixture.factory.piggyBankImplementation());
      expect(await round.phase()).to.equal(Phase.Setup);
      expect(await round.opened()).to.equal(false);
      expect(await round.districtCount()).to.equal(0n);
      expect(await round.defaultAdmin()).to.equal(fixture.roles.admin.address);
      expect(await round.defaultAdminDelay()).to.equal(BigInt(ADMIN_TRANSFER_DELAY));
    });

    it("grants each role to the account the config names", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const { roles } = fixture;
      const { round } = await createFrom(fixture, await configWith(roles));
      expect(await round.hasRole(await round.DEFAULT_ADMIN_ROLE(), roles.admin)).to.equal(true);
      expect(await round.hasRole(await round.COMMITTEE_ROLE(), roles.committee)).to.equal(true);
      expect(await round.hasRole(await round.MINTER_ROLE(), roles.minter)).to.equal(true);
      expect(await round.hasRole(await round.REGISTRAR_ROLE(), roles.registrar)).to.equal(true);
      expect(await round.hasRole(await round.REPORTER_ROLE(), roles.reporter)).to.equal(true);
    });

    it("gives the factory and the caller no role when the config does not name them", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const { factory, creator } = fixture;
      const { round } = await createFrom(fixture, await configWith(fixture.roles));
      for (const role of await allRoles(round)) {
        expect(await round.hasRole(role, factory)).to.equal(false);
        expect(await round.hasRole(role, creator)).to.equal(false);
      }
    });

    it("gives the caller exactly the roles the config names it for", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const { creator } = fixture;
      const { round } = await createFrom(fixture, await configWith(fixture.roles, { committee: creator.address }));
      const committeeRole = await round.COMMITTEE_ROLE();
      for (const role of await allRoles(round)) {
        expect(await round.hasRole(role, creator)).to.equal(role === committeeRole);
      }
    });
  });

  describe("#roundCount and #roundAt", function () {
    it("list the rounds in creation order", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const created: string[] = [];
      for (const name of ["First", "Second", "Third"]) {
        const { address, tx } = await createFrom(fixture, await configWith(fixture.roles, { name }));
        await expect(tx)
          .to.emit(fixture.factory, "RoundCreated")
          .withArgs(BigInt(created.length), address, anyValue, anyValue, fixture.creator.address, name);
        created.push(address);
      }
      expect(await fixture.factory.roundCount()).to.equal(BigInt(created.length));
      for (const [index, address] of created.entries()) {
        expect(await fixture.factory.roundAt(index)).to.equal(address);
      }
    });

    it("reverts roundAt past the last round, with the index and the count", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const { factory } = fixture;
      await expect(factory.roundAt(0n))
        .to.be.revertedWithCustomError(factory, "RoundFactoryIndexOutOfRange")
        .withArgs(0n, 0n);
      await createFrom(fixture, await configWith(fixture.roles));
      await createFrom(fixture, await configWith(fixture.roles));
      for (const index of [2n, 5n]) {
        await expect(factory.roundAt(index))
          .to.be.revertedWithCustomError(factory, "RoundFactoryIndexOutOfRange")
          .withArgs(index, 2n);
      }
    });
  });

  describe("config validation", function () {
    it("reverts an opening time that is not after the creating block", async function () {
      const { factory, roles, roundAbi } = await networkHelpers.loadFixture(factoryFixture);
      const at = BigInt(await networkHelpers.time.latest()) + 100n;
      for (const opensAt of [at, at - 1n]) {
        const config = await configWith(roles, { opensAt, closesAt: at + 1_000n });
        await networkHelpers.time.setNextBlockTimestamp(at);
        await expect(factory.createRound(config))
          .to.be.revertedWithCustomError(roundAbi, "RoundInvalidSchedule")
          .withArgs(opensAt, at + 1_000n);
      }
    });

    it("accepts an opening time one second after the creating block", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const at = BigInt(await networkHelpers.time.latest()) + 100n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      const config = await configWith(fixture.roles, { opensAt: at + 1n, closesAt: at + 2n });
      await fixture.factory.createRound(config);
      expect(await fixture.factory.roundCount()).to.equal(1n);
    });

    it("reverts a closing time that is not after the opening time", async function () {
      const { factory, roles, roundAbi } = await networkHelpers.loadFixture(factoryFixture);
      const valid = await configWith(roles);
      const opensAt = BigInt(valid.opensAt);
      for (const closesAt of [opensAt, opensAt - 1n]) {
        await expect(factory.createRound({ ...valid, closesAt }))
          .to.be.revertedWithCustomError(roundAbi, "RoundInvalidSchedule")
          .withArgs(opensAt, closesAt);
      }
    });

    it("reverts a zero budget and one that does not fit 128 bits", async function () {
      const { factory, roles, roundAbi } = await networkHelpers.loadFixture(factoryFixture);
      for (const budget of [0n, 2n ** 128n]) {
        await expect(factory.createRound(await configWith(roles, { budget })))
          .to.be.revertedWithCustomError(roundAbi, "RoundInvalidBudget")
          .withArgs(budget);
      }
    });

    it("accepts the largest budget that fits 128 bits", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const budget = 2n ** 128n - 1n;
      const { round } = await createFrom(fixture, await configWith(fixture.roles, { budget }));
      expect(await round.budget()).to.equal(budget);
    });

    it("keeps the declared allowance and district binding, and reverts an allowance above the budget", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const { factory, roles, roundAbi } = fixture;
      const budget = 10_000n;
      const { round } = await createFrom(
        fixture,
        await configWith(roles, { budget, allowance: 250n, residentsBound: true }),
      );
      expect([await round.allowance(), await round.residentsBound()]).to.deep.equal([250n, true]);
      const { round: whole } = await createFrom(fixture, await configWith(roles, { budget, allowance: budget }));
      expect(await whole.allowance()).to.equal(budget);
      await expect(factory.createRound(await configWith(roles, { budget, allowance: budget + 1n })))
        .to.be.revertedWithCustomError(roundAbi, "RoundInvalidAllowance")
        .withArgs(budget + 1n, budget);
    });

    it("reverts a minimum of tokens above the budget, and accepts one equal to it", async function () {
      const fixture = await networkHelpers.loadFixture(factoryFixture);
      const { factory, roles, roundAbi } = fixture;
      const budget = 10_000n;
      await expect(factory.createRound(await configWith(roles, { budget, minTokens: budget + 1n })))
        .to.be.revertedWithCustomError(roundAbi, "RoundInvalidMinimumSupport")
        .withArgs(budget + 1n);
      const { round } = await createFrom(fixture, await configWith(roles, { budget, minTokens: budget }));
      expect(await round.minTokens()).to.equal(budget);
    });

    it("reverts an empty name", async function () {
      const { factory, roles, roundAbi } = await networkHelpers.loadFixture(factoryFixture);
      await expect(factory.createRound(await configWith(roles, { name: "" })))
        .to.be.revertedWithCustomError(roundAbi, "RoundEmptyName")
        .withArgs();
    });

    it("reverts a zero address for each role, naming the role", async function () {
      const { factory, roles, roundAbi } = await networkHelpers.loadFixture(factoryFixture);
      for (const role of ["committee", "minter", "registrar", "reporter"] as const) {
        await expect(factory.createRound(await configWith(roles, { [role]: ethers.ZeroAddress })))
          .to.be.revertedWithCustomError(roundAbi, "RoundZeroAddress")
          .withArgs(role);
      }
    });

    it("reverts a zero admin", async function () {
      const { factory, roles, roundAbi } = await networkHelpers.loadFixture(factoryFixture);
      await expect(factory.createRound(await configWith(roles, { admin: ethers.ZeroAddress })))
        .to.be.revertedWithCustomError(roundAbi, "AccessControlInvalidDefaultAdmin")
        .withArgs(ethers.ZeroAddress);
    });
  });
});

/** The admin role and the four roles a config names. */
async function allRoles(round: Round): Promise<string[]> {
  return Promise.all([
    round.DEFAULT_ADMIN_ROLE(),
    round.COMMITTEE_ROLE(),
    round.MINTER_ROLE(),
    round.REGISTRAR_ROLE(),
    round.REPORTER_ROLE(),
  ]);
}
