/**
 * The auditor on a round whose residents enrol by phone, on a real chain: one allowance per phone (no enrollment
 * claimed twice, a lost device's account revoked before the new key is posted), and leaves enrolled by phone carrying
 * the declared allowance. Each tampering is done the way a dishonest registrar could, with the round's own contracts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { audit, publishBatch, reportJson, type AuditOptions, type AuditReport } from "@kopilka/core/node";
import { ANY_DISTRICT, NO_ENROLLMENT, buildParticipantTree, type Participant } from "@kopilka/core/participants";
import { roundDirectory } from "@kopilka/core/publication";
import { createRound, mintAndOpen, type CreatedRound } from "../../scripts/hardhat/fixtures.js";

const { ethers, networkHelpers, provider } = await network.create();

const ALLOWANCE = 1_000n;
const DISTRICTS = [
  { name: "Central", budget: 60_000n, projects: [30_000n, 20_000n] },
  { name: "Riverside", budget: 40_000n, projects: [25_000n] },
];
const phone = (name: string): string => ethers.id(`enrollment of ${name}'s phone`);

const directories: string[] = [];

/** Publishes a batch's files, then posts its root, as the enrollment service does; returns its proofs. */
async function post(created: CreatedRound, directory: string, participants: Participant[]) {
  const tree = buildParticipantTree(participants);
  const batchId = Number(await created.airdrop.batchCount());
  await publishBatch(directory, batchId, tree);
  const total = participants.reduce((sum, p) => sum + p.amount, 0n);
  await (await created.round.connect(created.roles.registrar).postBatch(tree.root, total)).wait();
  return {
    claim: async (account: string) => {
      for (const [index, [leafAccount, district, amount, enrollment]] of tree.entries()) {
        if (leafAccount !== account.toLowerCase()) continue;
        const proof = tree.getProof(index);
        await (await created.airdrop.claim(batchId, account, district, amount, enrollment, proof)).wait();
        return;
      }
      throw new Error(`${account} is not in batch ${batchId}`);
    },
  };
}

/**
 * Carol was imported by address; Alice, Bob and Dave enrolled by phone. Dave lost his phone before voting: the
 * registrar revoked his first account and posted his new key with the same enrollment. Alice and Dave's new key claim.
 */
async function phoneRound() {
  const created = await createRound(ethers, networkHelpers, { districts: DISTRICTS, allowance: ALLOWANCE });
  await mintAndOpen(created);
  const base = await mkdtemp(path.join(tmpdir(), "kopilka-enrollments-"));
  directories.push(base);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const round = await created.round.getAddress();
  const directory = roundDirectory(base, chainId, round);
  const [carol, alice, bob, oldDave, newDave, eve] = (await ethers.getSigners()).slice(5).map((s) => s.address);
  const asPhone = (account: string, name: string): Participant => ({
    account,
    district: ANY_DISTRICT,
    amount: ALLOWANCE,
    enrollment: phone(name),
  });
  const first = await post(created, directory, [
    { account: carol, district: 0, amount: 500n, enrollment: NO_ENROLLMENT },
    asPhone(alice, "alice"),
    asPhone(bob, "bob"),
    asPhone(oldDave, "dave"),
  ]);
  await (await created.round.connect(created.roles.registrar).revoke(oldDave)).wait();
  const second = await post(created, directory, [asPhone(newDave, "dave")]);
  await networkHelpers.time.increaseTo(created.opensAt);
  await first.claim(alice);
  await second.claim(newDave);
  const auditNow = (options: Partial<AuditOptions> = {}): Promise<AuditReport> =>
    audit({ rpc: provider, round, published: base, treeWorker: false, proofFiles: true, ...options });
  return { created, directory, accounts: { carol, alice, bob, oldDave, newDave, eve }, asPhone, first, auditNow };
}

const statusOf = (report: AuditReport, id: string) => report.checks.find((c) => c.id === id)!;
const failuresOf = (report: AuditReport, id: string): string[] =>
  statusOf(report, id).failures.map((f) => `${f.item}: ${f.message}`);
/** The checks of the residents' lists and claims (the projects' metadata files are not published here). */
const RESIDENT_CHECKS = [
  "claims",
  "enrollments",
  "trees",
  "claim-leaves",
  "revocations",
  "phone-leaves",
  "list",
  "proofs",
];
const failing = (report: AuditReport): string[] =>
  report.checks.filter((c) => c.status === "fail" && RESIDENT_CHECKS.includes(c.id)).map((c) => c.id);

describe("Auditor, residents enrolled by phone", function () {
  after(async function () {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it("passes a round where a lost phone was revoked before the new key was posted", async function () {
    const { auditNow } = await networkHelpers.loadFixture(phoneRound);
    const report = await auditNow();
    expect(RESIDENT_CHECKS.map((id) => [id, statusOf(report, id).status])).to.deep.equal(
      RESIDENT_CHECKS.map((id) => [id, "pass"]),
    );
    expect(statusOf(report, "enrollments").checked).to.equal(2);
    expect(statusOf(report, "phone-leaves").checked).to.equal(4);
    expect(statusOf(report, "proofs").checked).to.equal(5);
    expect(report.events.AccountRevoked).to.equal(1);
  });

  it("gives the same report whether it reads every resident's balance, a sample of them or none", async function () {
    const { created, accounts, auditNow } = await networkHelpers.loadFixture(phoneRound);
    const { round, banks } = created;
    const [alice, dave] = await Promise.all([ethers.getSigner(accounts.alice), ethers.getSigner(accounts.newDave)]);
    await (await round.connect(alice).allocate([banks[0], banks[2]], [600n, 400n])).wait();
    await (await round.connect(alice).withdraw([banks[0]], [100n])).wait();
    await (await round.connect(dave).allocate([banks[1]], [ALLOWANCE])).wait();
    const every = await auditNow({ residentBalances: "all" });
    // Grants, deposits, a withdrawal and a revocation, all of it holding.
    expect(every.events.AccountRevoked).to.equal(1);
    expect(every.totals).to.include({ claims: 2, deposits: 3, withdrawals: 1 });
    expect(statusOf(every, "residents")).to.include({ status: "pass", checked: 2 });
    expect(statusOf(every, "banks").status).to.equal("pass");
    for (const residentSample of [
      { first: 1, oneIn: 2 ** 24 },
      { first: 0, oneIn: 2 ** 24 },
    ]) {
      expect(reportJson(await auditNow({ residentSample })), JSON.stringify(residentSample)).to.equal(
        reportJson(every),
      );
    }
    expect(reportJson(await auditNow())).to.equal(reportJson(every));
  });

  it("names an enrollment claimed twice: a second key posted for a phone that had voted", async function () {
    const { created, directory, accounts, asPhone, auditNow } = await networkHelpers.loadFixture(phoneRound);
    // Alice has claimed, so her account can no longer be revoked; a dishonest registrar posts a second key anyway.
    const third = await post(created, directory, [asPhone(accounts.eve, "alice")]);
    await third.claim(accounts.eve);
    const report = await auditNow();
    const [enrollment] = failuresOf(report, "enrollments");
    expect(enrollment).to.match(
      new RegExp(
        `^enrollment ${phone("alice")}: claimed by ${accounts.alice.toLowerCase()} \\(batch 0, tx 0x[0-9a-f]{64}\\) ` +
          `and again by ${accounts.eve.toLowerCase()} \\(batch 2, tx 0x[0-9a-f]{64}\\)$`,
      ),
    );
    expect(failuresOf(report, "revocations")).to.deep.equal([
      `enrollment ${phone("alice")}: ${accounts.alice.toLowerCase()} (batch 0) is not revoked, yet the enrollment has a later leaf`,
    ]);
    expect(failing(report)).to.deep.equal(["enrollments", "revocations"]);
  });

  it("names a revoked account whose enrollment was never posted again", async function () {
    const { created, accounts, auditNow } = await networkHelpers.loadFixture(phoneRound);
    await (await created.round.connect(created.roles.registrar).revoke(accounts.bob)).wait();
    const report = await auditNow();
    expect(failuresOf(report, "revocations")).to.deep.equal([
      `revoked ${accounts.bob.toLowerCase()}: enrollment ${phone("bob")} has no leaf after batch 0`,
    ]);
    expect(failing(report)).to.deep.equal(["revocations"]);
  });

  it("names a revoked resident who was imported by address: nobody enrolled again for it", async function () {
    const { created, accounts, auditNow } = await networkHelpers.loadFixture(phoneRound);
    await (await created.round.connect(created.roles.registrar).revoke(accounts.carol)).wait();
    const report = await auditNow();
    expect(failuresOf(report, "revocations")).to.deep.equal([
      `revoked ${accounts.carol.toLowerCase()}: its leaf in batch 0 has no enrollment: nobody enrolled again for it`,
    ]);
  });

  it("names a phone leaf with more than the declared allowance, and one bound to a district", async function () {
    const { created, directory, accounts, auditNow } = await networkHelpers.loadFixture(phoneRound);
    await post(created, directory, [
      { account: accounts.eve, district: ANY_DISTRICT, amount: ALLOWANCE + 1n, enrollment: phone("eve") },
      { account: ethers.Wallet.createRandom().address, district: 1, amount: ALLOWANCE, enrollment: phone("frank") },
    ]);
    const report = await auditNow();
    const failures = failuresOf(report, "phone-leaves");
    expect(failures).to.have.length(2);
    expect(failures).to.include(
      `participants/batch-2.json leaf ${accounts.eve.toLowerCase()}: amount ${ALLOWANCE + 1n}, the round declares ${ALLOWANCE} per resident`,
    );
    expect(failures.find((f) => f.includes("frank") || f.includes("bound to district 1"))).to.match(
      /: bound to district 1, but the round lets residents vote anywhere$/,
    );
    expect(failing(report)).to.deep.equal(["phone-leaves"]);
  });
});
