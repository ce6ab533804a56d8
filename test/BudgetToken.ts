import { expect } from "chai";
import { network } from "hardhat";

import { ANY_DISTRICT } from "@kopilka/core/participants";
import { DAY, createRound, postBatch } from "../scripts/hardhat/fixtures.js";
import { HolderKind, claimAll, openForVoting, residents } from "./helpers/unit.js";

const { ethers, networkHelpers } = await network.create();

const DISTRICTS = [
  { name: "Central", budget: 100_000n, projects: [60_000n, 40_000n] },
  { name: "Riverside", budget: 50_000n, projects: [50_000n] },
];
const ALLOWANCE = { central: 1_000n, riverside: 2_000n, anywhere: 3_000n };

/** A round set up with two districts and three banks; nothing minted yet. */
async function roundFixture() {
  return createRound(ethers, networkHelpers, { districts: DISTRICTS });
}

/** Voting is open and a batch holds three residents: one per district and one for any district. */
async function openFixture() {
  const created = await roundFixture();
  const [central, riverside, anywhere, outsider] = await residents(ethers, 4);
  const batch = await openForVoting(networkHelpers, created, [
    { account: central.address, district: 0, amount: ALLOWANCE.central },
    { account: riverside.address, district: 1, amount: ALLOWANCE.riverside },
    { account: anywhere.address, district: ANY_DISTRICT, amount: ALLOWANCE.anywhere },
  ]);
  return { ...created, batch, central, riverside, anywhere, outsider };
}

/** The three residents of `openFixture` hold their allowance. */
async function claimedFixture() {
  const opened = await openFixture();
  await claimAll(opened, opened.batch, [opened.central, opened.riverside, opened.anywhere]);
  return opened;
}

/**
 * A token whose round is a plain account. The Round checks lengths, deposits and holder kinds before it calls
 * the token, so the token's own checks of those are only reachable by calling it directly as its round.
 */
async function accountRoundFixture() {
  const [roundAccount, resident, bank, stranger] = await residents(ethers, 4);
  const closesAt = BigInt(await networkHelpers.time.latest()) + BigInt(DAY);
  const token = await ethers.deployContract("BudgetToken", [
    "Account round",
    "ACC",
    roundAccount.address,
    10_000n,
    closesAt,
  ]);
  const airdrop = await ethers.getContractAt("Airdrop", await token.airdrop());
  const asRound = token.connect(roundAccount);
  await (await asRound.mint(10_000n)).wait();
  await (await asRound.registerPiggyBank(bank.address, 0)).wait();
  await (await asRound.seal()).wait();
  // A single-leaf batch: its root is the leaf's hash and its proof is empty.
  await (
    await airdrop.connect(roundAccount).postBatch(await airdrop.leafHash(resident, 0, 1_000n, ethers.ZeroHash), 1_000n)
  ).wait();
  await (await airdrop.claim(0n, resident.address, 0, 1_000n, ethers.ZeroHash, [])).wait();
  return { token, airdrop, asRound, roundAccount, resident, bank, stranger };
}

describe("BudgetToken", function () {
  describe("metadata", function () {
    it("takes its name from the round and its symbol from the round's config", async function () {
      const { round, token } = await networkHelpers.loadFixture(roundFixture);
      expect(await token.name()).to.equal(await round.name());
      expect(await token.symbol()).to.equal("KOP");
    });

    it("counts in kopecks: 2 decimals", async function () {
      const { token } = await networkHelpers.loadFixture(roundFixture);
      expect(await token.decimals()).to.equal(2n);
    });

    it("has the round's budget and belongs to the round", async function () {
      const { round, token, budget } = await networkHelpers.loadFixture(roundFixture);
      expect(await token.budget()).to.equal(budget);
      expect(await token.budget()).to.equal(await round.budget());
      expect(await token.round()).to.equal(await round.getAddress());
    });

    it("created the round's airdrop, the one address that hands out allowances", async function () {
      const { round, token, airdrop } = await networkHelpers.loadFixture(roundFixture);
      expect(await token.airdrop()).to.equal(await round.airdrop());
      expect(await airdrop.token()).to.equal(await token.getAddress());
    });

    it("marks residents of any district with 65535", async function () {
      const { token } = await networkHelpers.loadFixture(roundFixture);
      expect(await token.ANY_DISTRICT()).to.equal(BigInt(ANY_DISTRICT));
      expect(ANY_DISTRICT).to.equal(65535);
    });

    it("has no supply before the round mints", async function () {
      const { round, token } = await networkHelpers.loadFixture(roundFixture);
      expect(await token.totalSupply()).to.equal(0n);
      expect(await token.balanceOf(round)).to.equal(0n);
    });
  });

  describe("#mint", function () {
    it("mints to the round, with a Transfer from the zero address", async function () {
      const { round, token, roles, budget } = await networkHelpers.loadFixture(roundFixture);
      const tx = round.connect(roles.minter).mint(budget);
      await expect(tx)
        .to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, await round.getAddress(), budget);
      await expect(tx).to.changeTokenBalance(ethers, token, round, budget);
      expect(await token.totalSupply()).to.equal(budget);
    });

    it("mints the budget in several parts", async function () {
      const { round, token, roles, budget } = await networkHelpers.loadFixture(roundFixture);
      await round.connect(roles.minter).mint(budget / 3n);
      await round.connect(roles.minter).mint(budget - budget / 3n);
      expect(await token.totalSupply()).to.equal(budget);
    });

    it("reverts a mint above the budget with the budget, the supply and the amount", async function () {
      const { round, token, roles, budget } = await networkHelpers.loadFixture(roundFixture);
      await expect(round.connect(roles.minter).mint(budget + 1n))
        .to.be.revertedWithCustomError(token, "BudgetTokenBudgetExceeded")
        .withArgs(budget, 0n, budget + 1n);
      await round.connect(roles.minter).mint(budget - 1n);
      await expect(round.connect(roles.minter).mint(2n))
        .to.be.revertedWithCustomError(token, "BudgetTokenBudgetExceeded")
        .withArgs(budget, budget - 1n, 2n);
    });

    it("reverts once the supply is sealed", async function () {
      const { token, asRound } = await networkHelpers.loadFixture(accountRoundFixture);
      await expect(asRound.mint(0n)).to.be.revertedWithCustomError(token, "BudgetTokenSupplySealed").withArgs();
    });

    it("refuses any caller but its round", async function () {
      const { token, roles } = await networkHelpers.loadFixture(roundFixture);
      await expect(token.connect(roles.minter).mint(1n))
        .to.be.revertedWithCustomError(token, "BudgetTokenUnauthorizedCaller")
        .withArgs(roles.minter.address);
    });
  });

  describe("#seal", function () {
    it("is sealed when the round opens, and not before", async function () {
      const created = await networkHelpers.loadFixture(roundFixture);
      await created.round.connect(created.roles.minter).mint(created.budget);
      expect(await created.token.supplySealed()).to.equal(false);
      await created.round.connect(created.roles.committee).open();
      expect(await created.token.supplySealed()).to.equal(true);
    });

    it("refuses any caller but its round", async function () {
      const { token, roles } = await networkHelpers.loadFixture(roundFixture);
      await expect(token.connect(roles.committee).seal())
        .to.be.revertedWithCustomError(token, "BudgetTokenUnauthorizedCaller")
        .withArgs(roles.committee.address);
    });
  });

  describe("#registerPiggyBank", function () {
    it("registers each project's bank with the project's district", async function () {
      const { round, token, banks } = await networkHelpers.loadFixture(roundFixture);
      for (const [projectId, bank] of banks.entries()) {
        const { district } = await round.project(projectId);
        const [kind, bound] = await token.holderOf(bank);
        expect(kind).to.equal(HolderKind.PiggyBank);
        expect(bound).to.equal(district);
      }
    });

    it("registers the bank of a project added later with that project's district", async function () {
      const { round, token, roles } = await networkHelpers.loadFixture(roundFixture);
      const asCommittee = round.connect(roles.committee);
      const args = [1n, 10_000n, 2, ethers.id("new project"), "ipfs://new"] as const;
      const [, bank] = await asCommittee.addProject.staticCall(...args);
      expect((await token.holderOf(bank)).kind).to.equal(HolderKind.None);
      await asCommittee.addProject(...args);
      const [kind, district] = await token.holderOf(bank);
      expect([kind, district]).to.deep.equal([HolderKind.PiggyBank, 1n]);
    });

    it("reverts for a bank registered twice", async function () {
      const { token, asRound, bank } = await networkHelpers.loadFixture(accountRoundFixture);
      await expect(asRound.registerPiggyBank(bank.address, 1))
        .to.be.revertedWithCustomError(token, "BudgetTokenHolderExists")
        .withArgs(bank.address);
    });

    it("reverts for an address that holds a resident's allowance", async function () {
      const { token, asRound, resident } = await networkHelpers.loadFixture(accountRoundFixture);
      await expect(asRound.registerPiggyBank(resident.address, 0))
        .to.be.revertedWithCustomError(token, "BudgetTokenHolderExists")
        .withArgs(resident.address);
    });

    it("refuses any caller but its round", async function () {
      const { token, roles } = await networkHelpers.loadFixture(roundFixture);
      await expect(token.connect(roles.committee).registerPiggyBank(roles.committee.address, 0))
        .to.be.revertedWithCustomError(token, "BudgetTokenUnauthorizedCaller")
        .withArgs(roles.committee.address);
    });
  });

  describe("#grant, through the airdrop's claims", function () {
    it("moves a resident's allowance from the round and binds it to the resident's district", async function () {
      const { round, token, airdrop, batch, central } = await networkHelpers.loadFixture(openFixture);
      const { proof } = batch.proofOf(central.address);
      const tx = airdrop.claim(batch.batchId, central.address, 0, ALLOWANCE.central, ethers.ZeroHash, proof);
      await expect(tx).to.changeTokenBalances(ethers, token, [round, central], [-ALLOWANCE.central, ALLOWANCE.central]);
      await expect(tx)
        .to.emit(token, "Transfer")
        .withArgs(await round.getAddress(), central.address, ALLOWANCE.central);
      const [kind, district] = await token.holderOf(central);
      expect([kind, district]).to.deep.equal([HolderKind.Resident, 0n]);
    });

    it("leaves the round minted minus claimed, so all balances still add up to the supply", async function () {
      const { round, token, airdrop, banks, central, riverside, anywhere } =
        await networkHelpers.loadFixture(claimedFixture);
      await round.connect(anywhere).allocate([banks[0], banks[2]], [100n, 200n]);
      const supply = await token.totalSupply();
      expect(await token.balanceOf(round)).to.equal(supply - (await airdrop.claimedTotal()));
      let sum = 0n;
      for (const holder of [await round.getAddress(), central.address, riverside.address, anywhere.address, ...banks]) {
        sum += await token.balanceOf(holder);
      }
      expect(sum).to.equal(supply);
    });

    it("binds an allowance for any district to ANY_DISTRICT", async function () {
      const { token, anywhere } = await networkHelpers.loadFixture(claimedFixture);
      const [kind, district] = await token.holderOf(anywhere);
      expect([kind, district]).to.deep.equal([HolderKind.Resident, BigInt(ANY_DISTRICT)]);
    });

    it("reverts before the round opens and seals the supply", async function () {
      const created = await networkHelpers.loadFixture(roundFixture);
      const { round, token, airdrop, roles, budget } = created;
      const [central] = await residents(ethers, 1);
      await round.connect(roles.minter).mint(budget);
      const batch = await postBatch(created, [{ account: central.address, district: 0, amount: 1n }]);
      const { proof } = batch.proofOf(central.address);
      await expect(airdrop.claim(batch.batchId, central.address, 0, 1n, ethers.ZeroHash, proof))
        .to.be.revertedWithCustomError(token, "BudgetTokenSupplyNotSealed")
        .withArgs();
      await round.connect(roles.committee).open();
      await airdrop.claim(batch.batchId, central.address, 0, 1n, ethers.ZeroHash, proof);
      expect(await token.balanceOf(central)).to.equal(1n);
    });

    it("grants one allowance per account, even from another batch", async function () {
      const created = await networkHelpers.loadFixture(claimedFixture);
      const { token, airdrop, central } = created;
      const second = await postBatch(created, [{ account: central.address, district: 0, amount: 500n }]);
      const { proof } = second.proofOf(central.address);
      await expect(airdrop.claim(second.batchId, central.address, 0, 500n, ethers.ZeroHash, proof))
        .to.be.revertedWithCustomError(token, "BudgetTokenAlreadyClaimed")
        .withArgs(central.address);
    });

    it("refuses an allowance for a piggy bank", async function () {
      const created = await networkHelpers.loadFixture(claimedFixture);
      const { token, airdrop, banks } = created;
      const batch = await postBatch(created, [{ account: banks[0], district: 0, amount: 1n }]);
      const { proof } = batch.proofOf(banks[0]);
      await expect(airdrop.claim(batch.batchId, banks[0], 0, 1n, ethers.ZeroHash, proof))
        .to.be.revertedWithCustomError(token, "BudgetTokenAlreadyClaimed")
        .withArgs(banks[0]);
    });

    it("refuses any caller but its airdrop, its round included", async function () {
      const { token, roundAccount, stranger } = await networkHelpers.loadFixture(accountRoundFixture);
      for (const caller of [roundAccount, stranger]) {
        await expect(token.connect(caller).grant(stranger.address, 0, 1n))
          .to.be.revertedWithCustomError(token, "BudgetTokenUnauthorizedCaller")
          .withArgs(caller.address);
      }
    });
  });

  describe("#revoke, through the round's registrar", function () {
    it("marks an account that has not claimed as revoked, so that its claim fails at the grant", async function () {
      const { round, token, airdrop, roles, batch, central } = await networkHelpers.loadFixture(openFixture);
      await expect(round.connect(roles.registrar).revoke(central.address))
        .to.emit(token, "AccountRevoked")
        .withArgs(central.address);
      const [kind] = await token.holderOf(central);
      expect(kind).to.equal(HolderKind.Revoked);
      const { proof } = batch.proofOf(central.address);
      await expect(airdrop.claim(batch.batchId, central.address, 0, ALLOWANCE.central, ethers.ZeroHash, proof))
        .to.be.revertedWithCustomError(token, "BudgetTokenAccountRevoked")
        .withArgs(central.address);
      expect(await airdrop.claimedTotal()).to.equal(0n);
      expect(await token.balanceOf(central)).to.equal(0n);
    });

    it("refuses an account that already claimed: its votes stand", async function () {
      const { round, token, roles, central } = await networkHelpers.loadFixture(claimedFixture);
      await expect(round.connect(roles.registrar).revoke(central.address))
        .to.be.revertedWithCustomError(token, "BudgetTokenAlreadyClaimed")
        .withArgs(central.address);
    });

    it("refuses to revoke an account twice, a piggy bank, the round or the zero address", async function () {
      const { round, token, roles, banks, outsider } = await networkHelpers.loadFixture(openFixture);
      const asRegistrar = round.connect(roles.registrar);
      await asRegistrar.revoke(outsider.address);
      await expect(asRegistrar.revoke(outsider.address))
        .to.be.revertedWithCustomError(token, "BudgetTokenAccountRevoked")
        .withArgs(outsider.address);
      for (const account of [banks[0], await round.getAddress(), ethers.ZeroAddress]) {
        await expect(asRegistrar.revoke(account))
          .to.be.revertedWithCustomError(token, "BudgetTokenInvalidResident")
          .withArgs(account);
      }
    });

    it("keeps the account's nonce: a ballot it cancelled stays cancelled", async function () {
      const { round, token, roles, outsider } = await networkHelpers.loadFixture(openFixture);
      const box = await ethers.getContractAt("BallotBox", await round.ballotBox());
      await box.connect(outsider).cancel(round, 0n);
      await round.connect(roles.registrar).revoke(outsider.address);
      expect(await token.nonceOf(outsider)).to.equal(1n);
    });

    it("is the registrar's alone, and the token's round's alone", async function () {
      const { round, token, roles, central } = await networkHelpers.loadFixture(openFixture);
      for (const caller of [roles.committee, central]) {
        await expect(round.connect(caller).revoke(central.address))
          .to.be.revertedWithCustomError(round, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, await round.REGISTRAR_ROLE());
      }
      await expect(token.connect(roles.registrar).revoke(central.address))
        .to.be.revertedWithCustomError(token, "BudgetTokenUnauthorizedCaller")
        .withArgs(roles.registrar.address);
    });
  });

  describe("#deposit", function () {
    it("moves tokens from the resident into each bank, with a Transfer per bank", async function () {
      const { round, token, banks, anywhere } = await networkHelpers.loadFixture(claimedFixture);
      const tx = round.connect(anywhere).allocate([banks[0], banks[2]], [100n, 200n]);
      await expect(tx).to.changeTokenBalances(ethers, token, [anywhere, banks[0], banks[2]], [-300n, 100n, 200n]);
      await expect(tx).to.emit(token, "Transfer").withArgs(anywhere.address, banks[0], 100n);
      await expect(tx).to.emit(token, "Transfer").withArgs(anywhere.address, banks[2], 200n);
    });

    it("reverts above the resident's balance, with what is left by then", async function () {
      const { round, token, banks, central } = await networkHelpers.loadFixture(claimedFixture);
      const first = ALLOWANCE.central - 400n;
      await expect(round.connect(central).allocate([banks[0], banks[1]], [first, 600n]))
        .to.be.revertedWithCustomError(token, "BudgetTokenInsufficientBalance")
        .withArgs(central.address, ALLOWANCE.central - first, 600n);
    });

    it("refuses an address that is not a piggy bank", async function () {
      const { round, token, central, outsider } = await networkHelpers.loadFixture(claimedFixture);
      await expect(round.connect(central).allocate([outsider.address], [1n]))
        .to.be.revertedWithCustomError(token, "BudgetTokenNotAPiggyBank")
        .withArgs(outsider.address);
    });

    it("refuses a bank of another district than the resident's", async function () {
      const { round, token, banks, central, riverside } = await networkHelpers.loadFixture(claimedFixture);
      await expect(round.connect(central).allocate([banks[2]], [1n]))
        .to.be.revertedWithCustomError(token, "BudgetTokenDistrictMismatch")
        .withArgs(central.address, 0n, 1n);
      await expect(round.connect(riverside).allocate([banks[0]], [1n]))
        .to.be.revertedWithCustomError(token, "BudgetTokenDistrictMismatch")
        .withArgs(riverside.address, 1n, 0n);
    });

    it("lets a resident of any district put tokens into every district", async function () {
      const { round, token, banks, anywhere } = await networkHelpers.loadFixture(claimedFixture);
      await round.connect(anywhere).allocate(banks, [1n, 2n, 3n]);
      expect(await token.balanceOf(anywhere)).to.equal(ALLOWANCE.anywhere - 6n);
    });

    it("reverts when banks and amounts differ in length", async function () {
      const { token, asRound, resident, bank } = await networkHelpers.loadFixture(accountRoundFixture);
      await expect(asRound.deposit(resident.address, [bank.address], []))
        .to.be.revertedWithCustomError(token, "BudgetTokenLengthMismatch")
        .withArgs(1n, 0n);
    });

    it("refuses any caller but its round", async function () {
      const { token, banks, central } = await networkHelpers.loadFixture(claimedFixture);
      await expect(token.connect(central).deposit(central.address, [banks[0]], [1n]))
        .to.be.revertedWithCustomError(token, "BudgetTokenUnauthorizedCaller")
        .withArgs(central.address);
    });
  });

  describe("#withdraw", function () {
    it("moves tokens back from each bank to the resident, with a Transfer per bank", async function () {
      const { round, token, banks, anywhere } = await networkHelpers.loadFixture(claimedFixture);
      await round.connect(anywhere).allocate([banks[0], banks[2]], [100n, 200n]);
      const tx = round.connect(anywhere).withdraw([banks[0], banks[2]], [40n, 200n]);
      await expect(tx).to.changeTokenBalances(ethers, token, [anywhere, banks[0], banks[2]], [240n, -40n, -200n]);
      await expect(tx).to.emit(token, "Transfer").withArgs(banks[0], anywhere.address, 40n);
      await expect(tx).to.emit(token, "Transfer").withArgs(banks[2], anywhere.address, 200n);
    });

    it("pays back only an account that holds a resident's allowance", async function () {
      const { token, asRound, bank, stranger } = await networkHelpers.loadFixture(accountRoundFixture);
      await expect(asRound.withdraw(stranger.address, [bank.address], [1n]))
        .to.be.revertedWithCustomError(token, "BudgetTokenTransferNotAllowed")
        .withArgs(ethers.ZeroAddress, stranger.address);
      await expect(asRound.withdraw(bank.address, [], []))
        .to.be.revertedWithCustomError(token, "BudgetTokenTransferNotAllowed")
        .withArgs(ethers.ZeroAddress, bank.address);
    });

    it("refuses an address that is not a piggy bank", async function () {
      const { token, asRound, resident, stranger } = await networkHelpers.loadFixture(accountRoundFixture);
      await expect(asRound.withdraw(resident.address, [stranger.address], [1n]))
        .to.be.revertedWithCustomError(token, "BudgetTokenNotAPiggyBank")
        .withArgs(stranger.address);
    });

    it("reverts above the bank's balance", async function () {
      const { token, asRound, resident, bank } = await networkHelpers.loadFixture(accountRoundFixture);
      await asRound.deposit(resident.address, [bank.address], [300n]);
      await expect(asRound.withdraw(resident.address, [bank.address], [301n]))
        .to.be.revertedWithCustomError(token, "BudgetTokenInsufficientBalance")
        .withArgs(bank.address, 300n, 301n);
    });

    it("reverts when banks and amounts differ in length", async function () {
      const { token, asRound, resident, bank } = await networkHelpers.loadFixture(accountRoundFixture);
      await expect(asRound.withdraw(resident.address, [bank.address, bank.address], [1n]))
        .to.be.revertedWithCustomError(token, "BudgetTokenLengthMismatch")
        .withArgs(2n, 1n);
    });

    it("refuses any caller but its round", async function () {
      const { token, banks, central } = await networkHelpers.loadFixture(claimedFixture);
      await expect(token.connect(central).withdraw(central.address, [banks[0]], [1n]))
        .to.be.revertedWithCustomError(token, "BudgetTokenUnauthorizedCaller")
        .withArgs(central.address);
    });
  });

  describe("as an ERC-20", function () {
    // A wallet sees only the ERC-20 interface, where transfer and approve send transactions.
    async function asErc20(address: string) {
      return ethers.getContractAt("IBudgetToken", address);
    }

    it("reports a zero allowance for every pair", async function () {
      const { round, token, banks, central, riverside } = await networkHelpers.loadFixture(claimedFixture);
      expect(await token.allowance(central, riverside)).to.equal(0n);
      expect(await token.allowance(round, central)).to.equal(0n);
      expect(await token.allowance(central, round)).to.equal(0n);
      expect(await token.allowance(banks[0], round)).to.equal(0n);
    });

    it("refuses transfer, even from a resident holding tokens", async function () {
      const { token, central, riverside } = await networkHelpers.loadFixture(claimedFixture);
      const erc20 = await asErc20(await token.getAddress());
      await expect(erc20.connect(central).transfer(riverside.address, 1n))
        .to.be.revertedWithCustomError(token, "BudgetTokenTransferNotAllowed")
        .withArgs(central.address, riverside.address);
      expect(await token.balanceOf(central)).to.equal(ALLOWANCE.central);
    });

    it("refuses transfer from its round", async function () {
      const { token, roundAccount, resident } = await networkHelpers.loadFixture(accountRoundFixture);
      const erc20 = await asErc20(await token.getAddress());
      await expect(erc20.connect(roundAccount).transfer(resident.address, 1n))
        .to.be.revertedWithCustomError(token, "BudgetTokenTransferNotAllowed")
        .withArgs(roundAccount.address, resident.address);
    });

    it("refuses transferFrom, naming the owner and the recipient", async function () {
      const { token, central, riverside } = await networkHelpers.loadFixture(claimedFixture);
      const erc20 = await asErc20(await token.getAddress());
      await expect(erc20.connect(riverside).transferFrom(central.address, riverside.address, 1n))
        .to.be.revertedWithCustomError(token, "BudgetTokenTransferNotAllowed")
        .withArgs(central.address, riverside.address);
    });

    it("refuses approve", async function () {
      const { token, central, riverside } = await networkHelpers.loadFixture(claimedFixture);
      const erc20 = await asErc20(await token.getAddress());
      await expect(erc20.connect(central).approve(riverside.address, 1n))
        .to.be.revertedWithCustomError(token, "BudgetTokenApprovalNotAllowed")
        .withArgs(central.address, riverside.address);
    });
  });
});
