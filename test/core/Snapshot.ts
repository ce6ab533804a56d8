/**
 * The round's snapshot for the read-only pages (scripts/core/src/domain/snapshot.ts, written by writeSnapshot): it
 * states exactly what the chain says at its block, keeps a description only when it matches its on-chain hash, and
 * reads back from its files as it was taken.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { Rule } from "@kopilka/core/rule";
import { canonicalJson, metadataHash, type ProjectMetadata } from "@kopilka/core/metadata";
import { writeSnapshot } from "@kopilka/core/node";
import {
  districtSnapshotPath,
  projectMetadataPath,
  projectMetadataURI,
  roundSnapshotPath,
} from "@kopilka/core/publication";
import {
  decodeDistrictSnapshot,
  decodeRoundSnapshot,
  snapshotText,
  type DistrictSnapshot,
  type RoundSnapshot,
} from "@kopilka/core/snapshot";
import { createRound, mintAndOpen, postBatch, type CreatedRound } from "../../scripts/hardhat/fixtures.js";

const { ethers, networkHelpers, provider } = await network.create();

const PLAYGROUND: ProjectMetadata = {
  title: "Детская площадка на Садовой",
  description: "Горка и качели.",
  category: "playgrounds",
  district: "Central",
};

describe("Round snapshot", function () {
  let created: CreatedRound;
  let published: string;
  let chainId: bigint;
  let described: number;
  let tampered: number;

  before(async function () {
    created = await createRound(ethers, networkHelpers, {
      districts: [
        { name: "Central", budget: 100_000n, projects: [60_000n, 50_000n] },
        { name: "Riverside", budget: 50_000n, projects: [30_000n] },
      ],
      minSupporters: 1,
    });
    chainId = (await ethers.provider.getNetwork()).chainId;
    const round = await created.round.getAddress();
    published = await mkdtemp(path.join(tmpdir(), "kopilka-snapshot-"));
    // Two projects with descriptions published beside the round: one as hashed, one changed after hashing.
    const committee = created.round.connect(created.roles.committee);
    for (const text of [canonicalJson(PLAYGROUND), canonicalJson({ ...PLAYGROUND, title: "Другое" })]) {
      const id = Number(await created.round.projectCount());
      await (await committee.addProject(0, 20_000n, 7, metadataHash(PLAYGROUND), projectMetadataURI(id))).wait();
      const file = projectMetadataPath(published, chainId, round, id);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      created.banks.push((await created.round.project(id)).bank);
      created.districtProjects[0].push(id);
    }
    [described, tampered] = created.districtProjects[0].slice(-2);
    await mintAndOpen(created);
    const voters = (await ethers.getSigners()).slice(5, 8);
    const batch = await postBatch(
      created,
      voters.map((v) => ({ account: v.address, district: 0, amount: 30_000n })),
    );
    await networkHelpers.time.increaseTo(created.opensAt);
    const choices = [[described], [described, 0], [1]];
    for (const [i, voter] of voters.entries()) {
      const { participant, proof } = batch.proofOf(voter.address);
      const banks = choices[i].map((id) => created.banks[id]);
      await (
        await created.round.connect(voter).claimAndAllocate(
          batch.batchId,
          0,
          participant.amount,
          participant.enrollment,
          proof,
          banks,
          banks.map(() => 10_000n),
        )
      ).wait();
    }
  });

  after(async function () {
    await rm(published, { recursive: true, force: true });
  });

  async function written(): Promise<{ round: RoundSnapshot; districts: DistrictSnapshot[] }> {
    const address = await created.round.getAddress();
    const taken = await writeSnapshot({ rpc: provider, round: address, published });
    const round = decodeRoundSnapshot(
      JSON.parse(await readFile(roundSnapshotPath(published, chainId, address), "utf8")),
    );
    const districts = await Promise.all(
      [0, 1].map(async (id) =>
        decodeDistrictSnapshot(
          JSON.parse(await readFile(districtSnapshotPath(published, chainId, address, id), "utf8")),
        ),
      ),
    );
    expect(round).to.deep.equal(taken.round, "round.json reads back as taken");
    expect(districts).to.deep.equal(taken.districts, "each district's file reads back as taken");
    return { round, districts };
  }

  it("states the round, its districts and every bank as the chain has them at its block", async function () {
    // The round counts supporters (a minimum of one), so the snapshot carries them.
    const { round, districts } = await written();
    expect(round.block).to.equal(await ethers.provider.getBlockNumber());
    expect(round.round.name).to.equal(await created.round.name());
    expect(round.round.budget).to.equal(150_000n);
    expect(round.round.rule).to.equal(Rule.Ranked);
    expect(round.projectDistricts).to.deep.equal([0, 0, 1, 0, 0]);
    expect(round.districts.map((d) => [d.name, d.budget, d.projectCount, d.tokens])).to.deep.equal([
      ["Central", 100_000n, 4, 40_000n],
      ["Riverside", 50_000n, 1, 0n],
    ]);
    for (const district of districts) {
      expect(district.round).to.deep.equal(round.round);
      expect(district.district).to.deep.equal(round.districts[district.district.id]);
      for (const project of district.projects) {
        expect(project.tokens).to.equal(await created.token.balanceOf(project.bank));
        expect(project.supporters).to.equal(await created.round.supportersOf(project.bank));
        expect(project.cost).to.equal((await created.round.project(project.id)).cost);
      }
    }
    const central = districts[0].projects;
    expect(central.find((p) => p.id === described)!.supporters).to.equal(2n);
  });

  it("keeps a description only when its file matches the hash the round stores", async function () {
    const { districts } = await written();
    const byId = new Map(districts.flatMap((d) => d.projects).map((p) => [p.id, p]));
    expect(byId.get(described)!.metadataState).to.equal("verified");
    expect(byId.get(described)!.metadata).to.deep.equal(PLAYGROUND);
    expect(byId.get(tampered)!.metadataState).to.equal("mismatch");
    expect(byId.get(tampered)!.metadata).to.equal(undefined);
    expect(byId.get(0)!.metadataState).to.equal("missing", "an ipfs:// description is not fetched");
  });

  it("records the winners and their implementation once the districts are finalized", async function () {
    await networkHelpers.time.increaseTo(created.closesAt);
    for (const id of [0, 1]) await (await created.round.finalize(id)).wait();
    await (
      await created.round.connect(created.roles.reporter).recordImplementation(described, 2, 5_000n, ethers.ZeroHash)
    ).wait();
    const { round, districts } = await written();
    expect(round.districts[0].finalized).to.equal(true);
    expect(round.districts[0].funded).to.equal((await created.round.district(0)).funded);
    for (const project of districts.flatMap((d) => d.projects)) {
      expect(project.funded).to.equal((await created.round.project(project.id)).funded);
    }
    const playground = districts[0].projects.find((p) => p.id === described)!;
    expect([playground.funded, playground.status, playground.spent]).to.deep.equal([true, 2, 5_000n]);
  });

  it("refuses a file of another version", function () {
    const json = JSON.parse(snapshotText(emptyRound()));
    expect(decodeRoundSnapshot(json)).to.deep.equal(emptyRound());
    expect(() => decodeRoundSnapshot({ ...json, version: 2 })).to.throw("unknown snapshot version 2");
  });
});

function emptyRound(): RoundSnapshot {
  return {
    version: 1,
    chainId: 31337,
    address: "0x0000000000000000000000000000000000000001",
    block: 1,
    blockTime: 1,
    takenAt: 1,
    round: {
      name: "",
      token: "0x0000000000000000000000000000000000000002",
      airdrop: "0x0000000000000000000000000000000000000003",
      budget: 0n,
      opensAt: 0n,
      closesAt: 0n,
      rule: Rule.Ranked,
      minTokens: 0n,
      minSupporters: 0n,
      opened: false,
      phase: 0,
      districtCount: 0,
      projectCount: 0,
    },
    districts: [],
    projectDistricts: [],
  };
}
