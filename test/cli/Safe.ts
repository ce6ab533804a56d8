/**
 * A committee whose roles a 2-of-3 Safe holds: each committee command proposes, another owner confirms (with
 * `kopilka safe confirm`, or on-chain with the Safe's approveHash), and a re-run sends nothing new.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

import { expect } from "chai";
import { network } from "hardhat";

import { auditRound } from "../../scripts/cli/audit.js";
import type { CommandContext } from "../../scripts/cli/context.js";
import { deploy } from "../../scripts/cli/deploy.js";
import { finalize, mint, open } from "../../scripts/cli/lifecycle.js";
import { importParticipants } from "../../scripts/cli/participants.js";
import { createRound } from "../../scripts/cli/round.js";
import { confirmSafe, createSafeAccount, knownAddresses, listSafe, WaitingForSafe } from "../../scripts/cli/safe.js";
import { CommandError } from "../../scripts/hardhat/connection.js";
import {
  confirmationsOf,
  safeProposalsPath,
  SAFE_ABI,
  safeTxHash,
  safeTxTypedData,
  type SafeProposal,
  type SafeProposals,
} from "@kopilka/core/safe";
import { decodeSafeTx } from "@kopilka/core/safeActions";
import {
  claimAndAllocateAll,
  commandContext,
  recordingOutput,
  tempDir,
  writeResidents,
  writeSmallRound,
} from "./helpers.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const [deployer, alice, bob, carol, stranger] = await ethers.getSigners();
const voters = (await ethers.getSigners()).slice(5, 8);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("the command did not stop");
}

describe("kopilka with a Safe committee", function () {
  it("a 2-of-3 Safe creates, mints, populates, opens and finalizes a round, and the audit passes", async function () {
    const dir = tempDir("kopilka-safe-");
    const files = writeSmallRound(dir, await networkHelpers.time.latest());
    const base = commandContext(connection, dir);
    // The Safe itself comes from the CLI (`kopilka safe create`), which deploys Safe's contracts on this local chain.
    const { address: safe } = await createSafeAccount(base, {
      owners: [alice.address, bob.address, carol.address],
      threshold: 2,
    });
    const as = (signer: { address: string }): CommandContext => ({ ...base, from: signer.address, safe });
    const proposals = () =>
      JSON.parse(readFileSync(safeProposalsPath(base.publicationBase, 31337, safe), "utf8")) as SafeProposals;
    await deploy(base);

    // Creating the round is one Safe transaction: alice proposes, and her re-run finds it proposed.
    const aliceNonce = await ethers.provider.getTransactionCount(alice.address);
    expect(await rejection(createRound(as(alice), { spec: files.spec }))).to.be.instanceOf(WaitingForSafe);
    expect(await rejection(createRound(as(alice), { spec: files.spec }))).to.be.instanceOf(WaitingForSafe);
    expect(proposals().proposals).to.have.length(1);
    expect(await ethers.provider.getTransactionCount(alice.address)).to.equal(aliceNonce);
    const confirmedCreation = await confirmSafe(as(bob));
    expect(confirmedCreation.executed).to.have.length(1);

    // The round exists with the Safe as its committee; districts and projects are the next proposal.
    const populating = await createRound(as(alice), { spec: files.spec });
    expect(populating.created).to.equal(false);
    expect(populating.pending).to.have.length(1);
    const round = await ethers.getContractAt("Round", populating.round);
    expect(await round.hasRole(await round.COMMITTEE_ROLE(), safe)).to.equal(true);
    expect(await round.hasRole(await round.COMMITTEE_ROLE(), alice.address)).to.equal(false);
    expect(await round.districtCount()).to.equal(0n);
    await confirmSafe(as(carol));
    const populated = await createRound(as(alice), { spec: files.spec });
    expect(populated.pending).to.deep.equal([]);
    expect(await round.districtCount()).to.equal(2n);
    expect(await round.projectCount()).to.equal(4n);

    // Minting: carol approves the proposal's hash on-chain (as the committee page would), alice's re-run executes.
    const minting = await mint(as(alice), {});
    expect(minting.minted).to.equal(0n);
    expect((await mint(as(alice), {})).pending).to.deep.equal(minting.pending);
    const safeContract = new ethers.Contract(safe, SAFE_ABI as never, carol);
    await (await safeContract.approveHash(minting.pending[0])).wait();
    const minted = await mint(as(alice), {});
    expect(minted.minted).to.equal(await round.budget());

    // A stranger can neither propose nor confirm for the Safe.
    expect(await rejection(confirmSafe(as(stranger)))).to.be.instanceOf(CommandError);
    expect((await rejection(open(as(stranger), {}))).message).to.match(/is not an owner of Safe/);

    const residents = writeResidents(dir, [
      "address,district,amount",
      `${voters[0].address},Центральный,`,
      `${voters[1].address},Центральный,`,
      `${voters[2].address},Красноармейский,`,
    ]);
    const posting = await importParticipants(as(alice), {}, { csv: residents });
    expect(posting.posted).to.equal(false);
    expect(posting.pending).to.have.length(1);
    await confirmSafe(as(bob), { tx: posting.pending![0] });
    const imported = await importParticipants(as(alice), {}, { csv: residents });
    expect(imported.batchId).to.equal(0n);
    expect(existsSync(imported.file)).to.equal(true);

    expect((await open(as(bob), {})).pending).to.have.length(1);
    await confirmSafe(as(alice));
    expect(await round.opened()).to.equal(true);
    expect((await open(as(bob), {})).opened).to.equal(false);

    await networkHelpers.time.increaseTo(files.opensAt);
    const banks = await Promise.all([0, 3].map(async (id) => (await round.project(id)).bank));
    await claimAndAllocateAll(round, imported.file, imported.batchId, voters, (voter) =>
      voter === voters[2] ? banks[1] : banks[0],
    );
    await networkHelpers.time.increaseTo(files.closesAt);

    const finalizing = await finalize(as(carol), {});
    expect(finalizing.finalized).to.deep.equal([]);
    // Bob running the same command is his confirmation: it finds carol's proposal and executes it.
    const finalized = await finalize(as(bob), {});
    expect(finalized.finalized).to.deep.equal([0, 1]);
    expect((await round.district(0)).finalized).to.equal(true);
    expect((await finalize(as(carol), {})).finalized).to.deep.equal([]);

    const listed = await listSafe(as(alice));
    expect(listed.map((entry) => entry.state.startsWith("executed"))).to.deep.equal(listed.map(() => true));
    expect(listed).to.have.length(6);

    // What each proposal does, decoded from the transactions protocol-kit built (a MultiSend batch for the districts
    // and projects), and where each call goes, by the addresses the publication directory records.
    const known = knownAddresses(base.publicationBase, 31337n, safe);
    const decoded = proposals().proposals.map((p) => decodeSafeTx(p.tx, known));
    expect(decoded.map((calls) => calls.map((c) => c.action.kind))).to.deep.equal([
      ["createRound"],
      ["addDistrict", "addDistrict", "addProjects", "addProjects"],
      ["mint"],
      ["postResidents"],
      ["open"],
      ["finalize"],
    ]);
    expect(decoded[0][0].target).to.equal("factory");
    expect(decoded.slice(1).every((calls) => calls.every((c) => c.target === "round"))).to.equal(true);
    expect(decoded[1][2].action).to.deep.equal({ kind: "addProjects", district: 0, count: 3, cost: 135_025n });
    expect(decoded[2][0].action).to.deep.equal({ kind: "mint", amount: await round.budget() });
    expect(decoded[5][0].action).to.deep.equal({ kind: "finalize", districts: [0, 1] });
    const lines = (base.out as ReturnType<typeof recordingOutput>).lines;
    const mintLine = lines.filter((line) => line.includes(proposals().proposals[2].safeTxHash)).at(-1)!;
    expect(mintLine).to.contain("mint 1\u00a0500,50\u00a0₽ (the round)");
    expect(mintLine).to.contain(`the proposer's note: "mint`);
    expect(lines.some((line) => line.includes("WARNING"))).to.equal(false);

    // Executions the file does not record (another owner's copy, the committee page) are found on-chain.
    const file = safeProposalsPath(base.publicationBase, 31337, safe);
    const forgotten = proposals();
    for (const proposal of forgotten.proposals) delete proposal.executed;
    writeFileSync(file, JSON.stringify(forgotten));
    const found = await listSafe(as(carol));
    expect(found.map((entry) => entry.state)).to.deep.equal(listed.map((entry) => entry.state));

    // A file whose note lies (it says "open" over the mint) is listed with what the transaction does, and a warning.
    const lying = proposals();
    lying.proposals[2].description = `open round ${round.target as string}`;
    writeFileSync(file, JSON.stringify(lying));
    await listSafe(as(bob));
    const warned = lines.filter((line) => line.includes(lying.proposals[2].safeTxHash)).at(-1)!;
    expect(warned).to.contain("mint 1\u00a0500,50\u00a0₽ (the round)");
    expect(warned).to.contain(`WARNING: the proposer's note "open round`);

    const audited = await auditRound({ rpc: connection.provider, round: round.target as string }, base.publicationBase);
    expect(audited.report.ok, audited.text).to.equal(true);
  });

  it("counts only owners' signatures of this very transaction, and on-chain approvals of owners", async function () {
    const safe = "0x00000000000000000000000000000000000000A1";
    const tx = {
      to: deployer.address,
      value: "0",
      data: "0x1234",
      operation: 0,
      safeTxGas: "0",
      baseGas: "0",
      gasPrice: "0",
      gasToken: ethers.ZeroAddress,
      refundReceiver: ethers.ZeroAddress,
      nonce: 7,
    };
    const sign = async (signer: typeof alice, nonce = tx.nonce) => {
      const { domain, types, message } = safeTxTypedData(31337, safe, { ...tx, nonce });
      return await signer.signTypedData(domain, { SafeTx: [...types.SafeTx] }, message);
    };
    const proposal: SafeProposal = {
      safeTxHash: safeTxHash(31337, safe, tx),
      description: "test",
      tx,
      proposedBlock: 0,
      signatures: {
        [alice.address.toLowerCase()]: await sign(alice),
        // bob signed another nonce; the stranger is no owner; carol's entry is alice's signature.
        [bob.address.toLowerCase()]: await sign(bob, 8),
        [stranger.address.toLowerCase()]: await sign(stranger),
        [carol.address.toLowerCase()]: await sign(alice),
      },
    };
    const owners = [alice.address, bob.address, carol.address];
    const counted = await confirmationsOf(31337, safe, proposal, owners, [carol.address, stranger.address]);
    expect(counted.signed).to.deep.equal([alice.address.toLowerCase()]);
    expect(counted.approved).to.deep.equal([carol.address.toLowerCase()]);
  });

  it("safe create makes a 2-of-3 Safe from the CLI, and running it again finds that Safe and sends nothing", async function () {
    const base = commandContext(connection, tempDir("kopilka-safe-create-"));
    const owners = [alice.address, bob.address, carol.address];

    const created = await createSafeAccount(base, { owners, threshold: 2 });
    expect(created.created).to.equal(true);
    const safe = new ethers.Contract(created.address, SAFE_ABI as never, ethers.provider);
    expect(await safe.getThreshold()).to.equal(2n);
    expect(await safe.getOwners()).to.deep.equal(owners);

    const nonce = await ethers.provider.getTransactionCount(deployer.address);
    const again = await createSafeAccount(base, { owners, threshold: 2 });
    expect(again).to.deep.equal({ address: created.address, created: false });
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);

    // Another salt, or another threshold, is another Safe.
    const other = await createSafeAccount(base, { owners, threshold: 2, salt: 7n });
    expect(other.address).to.not.equal(created.address);
    expect((await createSafeAccount(base, { owners, threshold: 3 })).address).to.not.equal(created.address);
  });

  it("safe create refuses a threshold above the owners, a repeated owner and a malformed address, sending nothing", async function () {
    const base = commandContext(connection, tempDir("kopilka-safe-create-"));
    const nonce = await ethers.provider.getTransactionCount(deployer.address);
    const tooHigh = await rejection(createSafeAccount(base, { owners: [alice.address, bob.address], threshold: 3 }));
    expect(tooHigh).to.be.instanceOf(CommandError);
    expect(tooHigh.message).to.contain("--threshold must be between 1 and the number of owners (2), not 3");
    const twice = await rejection(createSafeAccount(base, { owners: [alice.address, alice.address], threshold: 1 }));
    expect(twice.message).to.contain(`--owner ${alice.address} is given twice`);
    const malformed = await rejection(createSafeAccount(base, { owners: ["0x1234"], threshold: 1 }));
    expect(malformed.message).to.contain("--owner 0x1234 is not an address");
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
  });
});
