import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256 } from "ethers";
import { network } from "hardhat";

import type { CommandContext } from "../../scripts/cli/context.js";
import { auditRound } from "../../scripts/cli/audit.js";
import { deploy } from "../../scripts/cli/deploy.js";
import { finalize, mint, open, setStatus } from "../../scripts/cli/lifecycle.js";
import { importParticipants, publishParticipants } from "../../scripts/cli/participants.js";
import { createRound, showRound } from "../../scripts/cli/round.js";
import { ChainIdMismatchError, CommandError } from "../../scripts/hardhat/connection.js";
import { canonicalJson, metadataHash } from "@kopilka/core/metadata";
import { LEAF_ENCODING, NO_ENROLLMENT } from "@kopilka/core/participants";
import {
  listPageFile,
  projectMetadataPath,
  proofFile,
  roundDirectory,
  type ListPage,
  type ProofFile,
} from "@kopilka/core/publication";
import type { InputError } from "@kopilka/core/spec";
import { loadRoundSpec } from "@kopilka/core/node";
import { tallyDistrict, type TallyEntry } from "@kopilka/core/tally";
import {
  claimAndAllocateAll,
  commandContext,
  recordingOutput,
  SMALL_PROJECTS,
  tempDir,
  writeResidents,
  writeSmallRound,
} from "./helpers.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const signers = await ethers.getSigners();
const committee = signers[0];
const voters = signers.slice(5, 9);

/** A fresh publication dir and spec for a round opening a day from the chain's now. */
async function prepare(chainId?: bigint) {
  const dir = tempDir();
  const files = writeSmallRound(dir, await networkHelpers.time.latest());
  return { ctx: commandContext(connection, dir, chainId), files, dir };
}

/** Every step of setup, as the committee runs them. */
async function setUp(ctx: CommandContext, spec: string, residents: string) {
  const deployed = await deploy(ctx);
  const created = await createRound(ctx, { spec });
  const minted = await mint(ctx, {});
  const imported = await importParticipants(ctx, {}, { csv: residents });
  const opened = await open(ctx, {});
  return { deployed, created, minted, imported, opened };
}

function residentsOf(dir: string) {
  return writeResidents(dir, [
    "address,district,amount",
    `${voters[0].address},Центральный,`,
    `${voters[1].address.toLowerCase()},0,`,
    `${voters[2].address},,`,
    `${voters[3].address},Красноармейский,100.25`,
  ]);
}

describe("kopilka commands", function () {
  describe("a whole small round", function () {
    it("deploys, sets up, opens, takes votes, finalizes and records implementation", async function () {
      const { ctx, files, dir } = await prepare();
      const residents = residentsOf(dir);
      const { created, imported } = await setUp(ctx, files.spec, residents);

      const round = await ethers.getContractAt("Round", created.round);
      const airdrop = await ethers.getContractAt("Airdrop", await round.airdrop());
      const spec = loadRoundSpec(files.spec);
      expect(await round.districtCount()).to.equal(2n);
      expect(await round.projectCount()).to.equal(BigInt(spec.projects.length));
      for (const [id, project] of spec.projects.entries()) {
        const file = projectMetadataPath(ctx.publicationBase, 31337, created.round, id);
        expect(readFileSync(file, "utf8")).to.equal(canonicalJson(project.metadata));
        const bank = await ethers.getContractAt("PiggyBank", (await round.project(id)).bank);
        expect(await bank.metadataHash()).to.equal(metadataHash(project.metadata));
      }
      expect(await round.opened()).to.equal(true);

      // Three residents get the declared allowance, the fourth the file's explicit 100.25.
      expect(spec.allowance).to.equal(30_000n);
      expect(imported.each).to.equal(spec.allowance);
      expect(imported.remainder).to.equal(spec.budget - 10_025n - 3n * spec.allowance);
      expect((await airdrop.batch(0)).root).to.equal(imported.root);

      await networkHelpers.time.increaseTo(files.opensAt);
      const banks = await Promise.all([0, 1, 2, 3].map(async (id) => (await round.project(id)).bank));
      // voters 0..2 vote in the centre (project 1, then 0 and 0), voter 3 in the second district.
      await claimAndAllocateAll(round, imported.file, imported.batchId, voters, (voter) =>
        voter === voters[3] ? banks[3] : voter === voters[0] ? banks[1] : banks[0],
      );

      await networkHelpers.time.increaseTo(files.closesAt);
      const { finalized } = await finalize(ctx, {});
      expect(finalized).to.deep.equal([0, 1]);

      const token = await ethers.getContractAt("BudgetToken", await round.token());
      for (const district of [0, 1]) {
        const ids = await round.districtProjectIds(district);
        const entries: TallyEntry[] = await Promise.all(
          ids.map(async (projectId) => {
            const project = await round.project(projectId);
            return { projectId, cost: project.cost, tokens: await token.balanceOf(project.bank), supporters: 0n };
          }),
        );
        const expected = tallyDistrict(entries, spec.districts[district].budget, {
          rule: spec.rule,
          minTokens: spec.minTokens,
          minSupporters: BigInt(spec.minSupporters),
        });
        const funded = (await Promise.all(ids.map((id) => round.project(id)))).map((p, i) => [ids[i], p.funded]);
        expect(funded.filter(([, f]) => f).map(([id]) => id)).to.have.members(expected.winners);
      }

      const winner = (await round.project(0)).funded ? 0 : 1;
      const document = path.join(dir, "contract.txt");
      writeFileSync(document, "Муниципальный контракт №1");
      const recorded = await setStatus(ctx, {}, { project: winner, status: "contracted", spent: "10.5", document });
      expect(recorded.sent).to.equal(true);
      const implementation = await round.implementationOf(winner);
      expect(implementation.status).to.equal(1n);
      expect(implementation.amountSpent).to.equal(1050n);
      expect(implementation.documentHash).to.equal(keccak256(readFileSync(document)));
      const nonce = await ethers.provider.getTransactionCount(committee.address);
      expect(
        (await setStatus(ctx, {}, { project: winner, status: "contracted", spent: "10.5", document })).sent,
      ).to.equal(false);
      expect((await finalize(ctx, {})).finalized).to.deep.equal([]);
      expect(await ethers.provider.getTransactionCount(committee.address)).to.equal(nonce);
      await setStatus(ctx, {}, { project: winner, status: "in-progress", spent: "20", document });
      await expectCommandError(
        setStatus(ctx, {}, { project: winner, status: "contracted", spent: "20", document }),
        /cannot go back to contracted/,
      );

      const out = recordingOutput();
      const summary = await showRound({ ...ctx, out }, {});
      expect(summary.phase).to.equal("finalized");
      expect(summary.districts.flatMap((d) => d.projects.filter((p) => p.funded).map((p) => p.id))).to.include(winner);
      expect(out.lines.join("\n")).to.contain("WINNER, in-progress");
    });
  });

  describe("residents and the declared allowance", function () {
    it("writes each resident's proof file and the list before the root goes on-chain, and shows the capacity", async function () {
      const { ctx, files, dir } = await prepare();
      await deploy(ctx);
      const { round: address } = await createRound(ctx, { spec: files.spec });
      await mint(ctx, {});
      const round = await ethers.getContractAt("Round", address);
      const airdrop = await ethers.getContractAt("Airdrop", await round.airdrop());
      const directory = roundDirectory(ctx.publicationBase, 31337, address);
      const csv = writeResidents(dir, [voters[0].address, `${voters[1].address},Красноармейский`]);
      // Files first: when they cannot be written, nothing is posted.
      mkdirSync(directory, { recursive: true });
      writeFileSync(path.join(directory, "participants"), "in the way");
      const nonce = await ethers.provider.getTransactionCount(committee.address);
      const refused = await importParticipants(ctx, {}, { csv }).catch((error: Error) => error);
      expect(String(refused)).to.match(/ENOTDIR|EEXIST/);
      expect(await airdrop.batchCount()).to.equal(0n);
      expect(await ethers.provider.getTransactionCount(committee.address)).to.equal(nonce);
      rmSync(path.join(directory, "participants"));
      const imported = await importParticipants(ctx, {}, { csv });
      expect(imported.capacity).to.equal(3n);
      const onChain = await airdrop.batch(0);
      for (const voter of voters.slice(0, 2)) {
        const proof = JSON.parse(readFileSync(path.join(directory, proofFile(voter.address)), "utf8")) as ProofFile;
        const leaf = [voter.address.toLowerCase(), proof.district, proof.amount, proof.enrollment];
        expect(StandardMerkleTree.verify(onChain.root, [...LEAF_ENCODING], leaf, proof.proof)).to.equal(true);
        expect([proof.batchId, proof.amount, proof.enrollment]).to.deep.equal([0, "30000", NO_ENROLLMENT]);
      }
      const page = JSON.parse(readFileSync(path.join(directory, listPageFile(0)), "utf8")) as ListPage;
      expect(page.leaves.map((leaf) => leaf[1])).to.have.members(
        voters.slice(0, 2).map((v) => v.address.toLowerCase()),
      );

      const out = recordingOutput();
      const summary = await showRound({ ...ctx, out }, {});
      expect([summary.allowance, summary.capacity, summary.residentsBound]).to.deep.equal([30_000n, 3n, false]);
      expect(out.lines.join("\n")).to.contain(
        "allowance per resident 300\u00a0₽, any district; room for 3 more resident(s)",
      );
    });

    it("refuses a file beyond the capacity before anything is written or sent", async function () {
      const { ctx, files, dir } = await prepare();
      await deploy(ctx);
      const { round } = await createRound(ctx, { spec: files.spec });
      await mint(ctx, {});
      const nonce = await ethers.provider.getTransactionCount(committee.address);
      // 1,500.50 at 300 a resident: room for five, not six.
      const six = signers.slice(5, 11).map((signer) => signer.address);
      const problems = await importParticipants(ctx, {}, { csv: writeResidents(dir, six) }).catch(
        (e: InputError) => e.problems,
      );
      expect(problems).to.deep.equal([
        {
          file: path.join(dir, "residents.csv"),
          code: "residents-above-unposted-room",
          values: { residents: 6, total: "1800.00", unposted: "1500.50", room: "5", each: "300.00" },
          message:
            "6 residents need 1800.00, above the 1500.50 of the budget not posted yet: room for 5 more at 300.00 each",
        },
      ]);
      expect(await ethers.provider.getTransactionCount(committee.address)).to.equal(nonce);
      expect(existsSync(roundDirectory(ctx.publicationBase, 31337, round) + "/participants")).to.equal(false);
    });

    it("publishes the proof files and the list of a batch posted from the committee's page", async function () {
      const { ctx, files, dir } = await prepare();
      await deploy(ctx);
      const { round } = await createRound(ctx, { spec: files.spec });
      await mint(ctx, {});
      await importParticipants(ctx, {}, { csv: writeResidents(dir, [voters[0].address]) });
      const directory = roundDirectory(ctx.publicationBase, 31337, round);
      // What the committee's page leaves: only the tree files.
      rmSync(path.join(directory, "participants", "proofs"), { recursive: true });
      rmSync(path.join(directory, listPageFile(0)));
      expect((await publishParticipants(ctx, {})).batches).to.deep.equal([0]);
      expect(existsSync(path.join(directory, proofFile(voters[0].address)))).to.equal(true);
      expect(existsSync(path.join(directory, listPageFile(0)))).to.equal(true);
    });
  });

  describe("re-running", function () {
    it("changes nothing once every step succeeded", async function () {
      const { ctx, files, dir } = await prepare();
      const residents = residentsOf(dir);
      const first = await setUp(ctx, files.spec, residents);
      const treeText = readFileSync(first.imported.file, "utf8");
      const nonce = await ethers.provider.getTransactionCount(committee.address);

      const again = await setUp(ctx, files.spec, residents);
      expect(again.deployed.address).to.equal(first.deployed.address);
      expect(again.deployed.deployed).to.equal(false);
      expect(again.created).to.deep.include({ round: first.created.round, created: false });
      expect(again.created.districtsAdded + again.created.projectsAdded).to.equal(0);
      expect(again.minted.minted).to.equal(0n);
      expect(again.imported).to.deep.include({ posted: false, batchId: 0n, root: first.imported.root });
      expect(again.imported.each).to.equal(first.imported.each);
      expect(readFileSync(again.imported.file, "utf8")).to.equal(treeText);
      expect(again.opened.opened).to.equal(false);
      expect(await ethers.provider.getTransactionCount(committee.address)).to.equal(nonce);
    });

    it("finds its batch among later ones and finalizes nothing twice", async function () {
      const { ctx, files, dir } = await prepare();
      await deploy(ctx);
      await createRound(ctx, { spec: files.spec });
      await mint(ctx, {});
      const firstFile = writeResidents(dir, [voters[0].address, voters[1].address], "first.csv");
      const secondFile = writeResidents(dir, [voters[2].address], "second.csv");
      const first = await importParticipants(ctx, {}, { csv: firstFile });
      const second = await importParticipants(ctx, {}, { csv: secondFile });
      expect(second.batchId).to.equal(1n);
      // 1,500.50 at 300 a resident: room for five, three posted, two left.
      expect(second.remainder).to.equal(150_050n - 3n * 30_000n);
      expect(second.capacity).to.equal(2n);
      const nonce = await ethers.provider.getTransactionCount(committee.address);
      expect(await importParticipants(ctx, {}, { csv: firstFile })).to.deep.include({
        posted: false,
        batchId: first.batchId,
      });
      expect(await importParticipants(ctx, {}, { csv: secondFile })).to.deep.include({ posted: false, batchId: 1n });
      expect(await ethers.provider.getTransactionCount(committee.address)).to.equal(nonce);

      await open(ctx, {});
      await networkHelpers.time.increaseTo(files.closesAt);
      expect((await finalize(ctx, {}, { district: 1 })).finalized).to.deep.equal([1]);
      expect((await finalize(ctx, {})).finalized).to.deep.equal([0]);
      expect((await finalize(ctx, {})).finalized).to.deep.equal([]);
    });

    it("adds only the projects missing after an interrupted setup", async function () {
      const { ctx, files, dir } = await prepare();
      await deploy(ctx);
      // The first run stopped after two projects: the same spec with its later projects not written yet.
      const partial = writeSmallRound(
        path.join(dir, "partial"),
        files.opensAt - 24 * 60 * 60,
        {},
        {
          projects: SMALL_PROJECTS.split("\n").slice(0, 3).join("\n"),
        },
      );
      const before = await createRound(ctx, { spec: partial.spec });
      expect(before).to.deep.include({ created: true, districtsAdded: 2, projectsAdded: 2 });
      const after = await createRound(ctx, { spec: files.spec });
      expect(after).to.deep.include({ round: before.round, created: false, districtsAdded: 0, projectsAdded: 2 });
      const round = await ethers.getContractAt("Round", after.round);
      expect(await round.projectCount()).to.equal(4n);
    });

    it("refuses to continue a round whose projects differ from the spec", async function () {
      const { ctx, files } = await prepare();
      await deploy(ctx);
      await createRound(ctx, { spec: files.spec });
      writeFileSync(
        path.join(files.dir, "projects.csv"),
        SMALL_PROJECTS.replace("Освещение сквера", "Освещение парка"),
      );
      const nonce = await ethers.provider.getTransactionCount(committee.address);
      await expectCommandError(createRound(ctx, { spec: files.spec }), /project 1 on-chain differs/);
      expect(await ethers.provider.getTransactionCount(committee.address)).to.equal(nonce);
    });
  });

  describe("chain id", function () {
    it("refuses to sign when --chain-id differs from the connected chain", async function () {
      const { ctx, files } = await prepare(1n);
      const nonce = await ethers.provider.getTransactionCount(committee.address);
      await expectMismatch(deploy(ctx), 1n);
      await expectMismatch(createRound(ctx, { spec: files.spec }), 1n);
      expect(await ethers.provider.getTransactionCount(committee.address)).to.equal(nonce);
    });

    it("refuses to sign when the round's manifest names another chain", async function () {
      const { ctx, files, dir } = await prepare();
      await deploy(ctx);
      const { manifestFile } = await createRound(ctx, { spec: files.spec });
      const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
      writeFileSync(manifestFile, JSON.stringify({ ...manifest, chainId: 10 }));
      const nonce = await ethers.provider.getTransactionCount(committee.address);
      await expectMismatch(mint(ctx, {}), 10n);
      await expectMismatch(importParticipants(ctx, {}, { csv: residentsOf(dir) }), 10n);
      await expectMismatch(open(ctx, {}), 10n);
      expect(await ethers.provider.getTransactionCount(committee.address)).to.equal(nonce);
    });

    it("refuses a manifest of another chain with the same id, where the same addresses hold another round", async function () {
      const fork = await networkHelpers.takeSnapshot();
      const { ctx, files } = await prepare();
      await deploy(ctx);
      const first = await createRound(ctx, { spec: files.spec });
      // Another history from the same state: the same nonces give the same addresses, the blocks other hashes.
      await fork.restore();
      await networkHelpers.mine(1);
      const elsewhere = { ...ctx, publicationBase: tempDir() };
      await deploy(elsewhere);
      const second = await createRound(elsewhere, { spec: files.spec });
      expect(second.round).to.equal(first.round);
      const nonce = await ethers.provider.getTransactionCount(committee.address);
      await expectCommandError(showRound(ctx, {}), /describes another chain .* point --rpc at the node/);
      await expectCommandError(mint(ctx, {}), /describes another chain/);
      expect(await ethers.provider.getTransactionCount(committee.address)).to.equal(nonce);
      const audited = await auditRound({ rpc: connection.provider, round: first.round }, ctx.publicationBase).catch(
        (e: unknown) => e,
      );
      expect((audited as Error).message).to.match(/the published manifest .* describes another chain/);
      // The factory record of the first history is not taken for this chain's factory either.
      const redeployed = await deploy(ctx);
      expect(redeployed.deployed).to.equal(true);
      expect((await showRound(elsewhere, {})).address).to.equal(second.round);
    });

    it("refuses when --chain-id and the manifest disagree", async function () {
      const { ctx, files } = await prepare();
      await deploy(ctx);
      await createRound(ctx, { spec: files.spec });
      await expectCommandError(mint({ ...ctx, chainId: 5n }, {}), /expects chain id 5.*expects 31337/);
    });
  });

  describe("roles and phases", function () {
    it("refuses to mint for a signer without the minter role", async function () {
      const { ctx, files } = await prepare();
      await deploy(ctx);
      writeSmallRound(files.dir, files.opensAt - 24 * 60 * 60, { roles: { minter: voters[0].address } });
      await createRound(ctx, { spec: files.spec });
      await expectCommandError(mint(ctx, {}), /does not hold the minter role/);
    });

    it("refuses to open before the budget is minted, and to finalize before the deadline", async function () {
      const { ctx, files } = await prepare();
      await deploy(ctx);
      await createRound(ctx, { spec: files.spec });
      await expectCommandError(open(ctx, {}), /minted 0\s₽ of 1\s500,50\s₽/);
      await mint(ctx, {});
      await open(ctx, {});
      await expectCommandError(finalize(ctx, {}), /too early/);
    });
  });
});

async function expectMismatch(promise: Promise<unknown>, expected: bigint) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(ChainIdMismatchError);
  expect((error as ChainIdMismatchError).expected).to.equal(expected);
  expect((error as ChainIdMismatchError).actual).to.equal(31337n);
}

async function expectCommandError(promise: Promise<unknown>, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(CommandError);
  expect((error as Error).message).to.match(message);
}
