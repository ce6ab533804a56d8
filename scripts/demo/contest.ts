/**
 * The demo's contest before the round: a whole contest of residents' initiatives played on the demo chain
 * (submitted, returned for changes with a reason, rejected with a reason, amended and admitted, scored by three
 * experts with comments, passed or failed), its content files and manifest published as `kopilka contest create`
 * publishes them, so that `kopilka contest show` and `kopilka audit --contest` work on it and the pages can show
 * every state of the cycle.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { Hex } from "viem";

import { contentHash } from "@kopilka/core/contest";
import { contestDirectory, type ContestManifest } from "../cli/contest.js";
import type { Connection } from "../hardhat/connection.js";
import { playContest } from "../hardhat/contestFixtures.js";
import { ContentStore, sniffKind } from "../services/contest/content.js";
import { demoDistrictArea } from "./data.js";

/** The demo contest's districts: three of Volgograd's, each with its area on the form's map. */
const DISTRICTS = ["Центральный", "Дзержинский", "Ворошиловский"];

export interface DemoContest {
  contest: string;
  /** The block the contest was created in or after: where the pages start reading its events. */
  fromBlock: number;
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
    {
      initiatives,
      districts: DISTRICTS,
      areas: DISTRICTS.map((name) => demoDistrictArea(`${name} район Волгограда`)),
    },
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
    fromBlock,
    initiatives: scenario.states.length,
    passed: Number(await scenario.created.contest.passedCount()),
    manifestFile,
  };
}

/**
 * Records the demo contest's published content files in the resident services' database (`database`), before the
 * services start: their content store serves a file only once its row is there, and the dApp reads every document
 * and photo from it. Returns how many files it recorded.
 */
export async function storeDemoContent(manifestFile: string, database: string): Promise<number> {
  const directory = path.join(path.dirname(manifestFile), "content");
  const store = new ContentStore(directory, database);
  try {
    const hashes = readdirSync(directory);
    for (const hash of hashes) {
      const bytes = new Uint8Array(readFileSync(path.join(directory, hash)));
      const kind = sniffKind(bytes);
      if (kind === undefined) throw new Error(`the demo contest's content file ${hash} is of no kind the store keeps`);
      await store.put(hash, kind, bytes);
    }
    return hashes.length;
  } finally {
    store.close();
  }
}
