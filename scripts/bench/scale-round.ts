/**
 * The round both profiles of `bench:scale` elect (scripts/bench/scale-direct.ts, scale-yugra.ts): the demo round's
 * districts and projects (Volgograd 2020), `copies` times over, created through the factory with the round's published
 * files beside it, as the committee's tool does: the manifest, and each project's canonical metadata file, whose hash
 * goes on-chain with the project. The round is minted and opened; residents are the profile's own.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import { categoryIndex } from "@kopilka/core/category";
import { canonicalJson, metadataHash, type ProjectMetadata } from "@kopilka/core/metadata";
import { manifestPath, projectMetadataPath, projectMetadataURI, type RoundManifest } from "@kopilka/core/publication";
import { demoRound } from "../demo/data.js";
import { createRound, mintAndOpen, type CreatedRound, type RoundOptions } from "../hardhat/fixtures.js";

/** Writes one published file, making its directory. */
export async function publish(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

export interface BenchRound {
  demo: ReturnType<typeof demoRound>;
  /** The round's districts: the demo's, then each copy's with its number after the name ("Центральный 2"). */
  districts: ReturnType<typeof demoRound>["districts"];
  created: CreatedRound;
  roundAddress: string;
  chainId: bigint;
  /** The factory's deployment block: where the audit starts reading. */
  fromBlock: number;
  manifest: RoundManifest;
  /** Each project's piggy bank, by project id. */
  banks: string[];
  /** Each district's project ids. */
  districtProjects: number[][];
}

/**
 * Creates, publishes, mints and opens the demo round `copies` times over (voting opens in a week), with `options`
 * (an allowance, bound residents) added to the round's settings; the files go under `published`.
 */
export async function setUpDemoRound(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
  published: string,
  copies = 1,
  options: Partial<Omit<RoundOptions, "districts">> = {},
): Promise<BenchRound> {
  const demo = demoRound();
  const districts = Array.from({ length: copies }, (_, c) =>
    demo.districts.map((d) => ({ ...d, name: c === 0 ? d.name : `${d.name} ${c + 1}` })),
  ).flat();
  const created = await createRound(ethers, networkHelpers, {
    districts: districts.map((d) => ({ name: d.name, budget: d.budget, projects: [] })),
    opensIn: 7 * 24 * 3600,
    ...options,
  });
  const { round } = created;
  const roundAddress = (await round.getAddress()).toLowerCase();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const fromBlock = (await created.factory.deploymentTransaction()!.wait())!.blockNumber;
  const manifest: RoundManifest = {
    chainId: Number(chainId),
    factory: await created.factory.getAddress(),
    round: roundAddress,
    token: await created.token.getAddress(),
    airdrop: await created.airdrop.getAddress(),
    fromBlock,
    name: await round.name(),
  };
  await publish(manifestPath(published, chainId, roundAddress), JSON.stringify(manifest, null, 2) + "\n");
  // Projects are added as the committee's tool adds them: the hash of each canonical metadata file goes on-chain.
  const banks: string[] = [];
  const districtProjects: number[][] = districts.map(() => []);
  const asCommittee = round.connect(created.roles.committee);
  for (let c = 0; c < copies; c++) {
    for (const project of demo.projects) {
      const id = banks.length;
      const district = c * demo.districts.length + project.district;
      const metadata: ProjectMetadata = {
        title: project.title,
        description: project.description,
        category: project.category,
        district: districts[district].name,
        location: project.location,
      };
      await publish(projectMetadataPath(published, chainId, roundAddress, id), canonicalJson(metadata));
      const category = categoryIndex(project.category);
      await (
        await asCommittee.addProject(district, project.cost, category, metadataHash(metadata), projectMetadataURI(id))
      ).wait();
      districtProjects[district].push(id);
      banks.push((await round.project(id)).bank);
    }
  }
  await mintAndOpen(created);
  return { demo, districts, created, roundAddress, chainId, fromBlock, manifest, banks, districtProjects };
}
