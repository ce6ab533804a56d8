import { expect } from "chai";
import { network } from "hardhat";

import { ANY_DISTRICT } from "../scripts/lib/participants.js";
import { createRound, mintAndOpen, postBatch } from "./helpers/round.js";

const { ethers, networkHelpers } = await network.create();

describe("Smoke", function () {
  it("runs a tiny round", async function () {
    const created = await createRound(ethers, networkHelpers, {
      districts: [{ name: "A", budget: 100_000n, projects: [60_000n, 50_000n, 40_000n] }],
    });
    await mintAndOpen(created);
    const signers = await ethers.getSigners();
    const voters = signers.slice(5, 9);
    const batch = await postBatch(
      created,
      voters.map((v) => ({ account: v.address, district: ANY_DISTRICT, amount: 1000n })),
    );
    await networkHelpers.time.increaseTo(created.opensAt);
    for (const v of voters) {
      const { participant, proof } = batch.proofOf(v.address);
      const tx = await created.round
        .connect(v)
        .claimAndAllocate(batch.batchId, participant.district, participant.amount, proof, [created.banks[0]], [600n]);
      const r = await tx.wait();
      console.log("claimAndAllocate gas", r!.gasUsed);
    }
    const r2 = await (await created.round.connect(voters[0]).allocate([created.banks[1]], [100n])).wait();
    console.log("allocate1 gas", r2!.gasUsed);
    await networkHelpers.time.increaseTo(created.closesAt);
    await (await created.round.finalize(0)).wait();
    expect((await created.round.project(0)).funded).to.equal(true);
  });
});
