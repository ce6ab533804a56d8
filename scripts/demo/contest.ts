/**
 * The demo's contest before the round: a whole contest of residents' initiatives played on the demo chain
 * (submitted, returned for changes with a reason, rejected with a reason, amended and admitted, scored by three
 * experts with comments, passed or failed), its content files and manifest published as `kopilka contest create`
 * publishes them, so that `kopilka contest show` and `kopilka audit --contest` work on it and the pages can show
 * every state of the cycle.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { Hex } from "viem";

import { contentHash } from "@kopilka/core/contest";
import { contestDirectory, type ContestManifest } from "../cli/contest.js";
import type { Connection } from "../hardhat/connection.js";
import { playContest } from "../hardhat/contestFixtures.js";

export interface DemoContest {
  contest: string;
  initiatives: number;
  passed: number;
  manifestFile: string;
}

/** Plays the demo contest (`initiatives` of them, at least 6) and publishes it under `publicationBase`. */
export async function playDemoContest(
  connection: Connection,
  publicationBase: string,
  initiatives: number,
): Promise<DemoContest> {
  const { ethers, networkHelpers } = connection;
  const content = new Map<Hex, Uint8Array>();
  const fromBlock = await ethers.provider.getBlockNumber();
  const scenario = await playContest(
    ethers,
    networkHelpers,
    async (bytes) => {
      const hash = contentHash(bytes);
      content.set(hash, bytes);
      return hash;
    },
    { initiatives, districts: ["Центральный", "Дзержинский", "Ворошиловский"] },
  );
  const { chainId } = await ethers.provider.getNetwork();
  const dir = contestDirectory(publicationBase, chainId, scenario.created.address);
  mkdirSync(path.join(dir, "content"), { recursive: true });
  for (const [hash, bytes] of content) writeFileSync(path.join(dir, "content", hash), bytes);
  const manifest: ContestManifest = {
    chainId: Number(chainId),
    contest: scenario.created.address,
    factory: await scenario.created.factory.getAddress(),
    fromBlock,
    name: await scenario.created.contest.name(),
    districts: scenario.districts,
    templateHash: await scenario.created.contest.templateHash(),
  };
  const manifestFile = path.join(dir, "contest.json");
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n");
  return {
    contest: scenario.created.address,
    initiatives: scenario.states.length,
    passed: Number(await scenario.created.contest.passedCount()),
    manifestFile,
  };
}
