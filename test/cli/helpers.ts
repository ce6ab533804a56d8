/**
 * Shared by the CLI tests: temporary publication dirs, a small round spec with its CSV files, residents files,
 * and a command context over any network connection.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { CommandContext, Output } from "../../scripts/cli/context.js";
import { DAY } from "../../scripts/hardhat/fixtures.js";
import type { Connection } from "../../scripts/hardhat/connection.js";
import type { ParticipantLeaf } from "@kopilka/core/participants";
import type { Round } from "../../typechain-types/index.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Hardhat's and Anvil's first well-known development account: the key the bin signs with as the configured one. */
export const DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/** Runs the real `kopilka` bin as a committee member would, with `env` added to this process's environment. */
export function runKopilka(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "kopilka.mjs"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function tempDir(prefix = "kopilka-cli-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Collects what a command reports, so tests can read it. */
export function recordingOutput(): Output & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(message),
    progress: () => ({ increment() {}, stop() {} }),
  };
}

export function commandContext(connection: Connection, dir: string, chainId?: bigint): CommandContext {
  return { connection, chainId, publicationBase: path.join(dir, "published"), out: recordingOutput() };
}

export interface SmallRoundFiles {
  dir: string;
  spec: string;
  opensAt: number;
  closesAt: number;
}

/** The districts and projects of the small round, as CSV text (district budgets in rubles). */
export const SMALL_DISTRICTS = "name,budget\nЦентральный,1000\nКрасноармейский,500.50\n";
export const SMALL_PROJECTS = [
  "district,title,description,category,cost,lat,lon",
  'Центральный,Спортплощадка у школы №5,"Покрытие, тренажёры",sport,600,48.70,44.51',
  "Центральный,Освещение сквера,Фонари вдоль аллеи,street-lighting,400,,",
  "Центральный,Ремонт библиотеки,,libraries,350.25,,",
  "Красноармейский,Детская площадка,Качели и горка,playgrounds,500.50,,",
].join("\n");

/** Writes a round spec that opens a day after `now` and names CSV files for districts and projects. */
export function writeSmallRound(
  dir: string,
  now: number,
  overrides: Record<string, unknown> = {},
  files: { districts?: string; projects?: string } = {},
): SmallRoundFiles {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "districts.csv"), files.districts ?? SMALL_DISTRICTS);
  writeFileSync(path.join(dir, "projects.csv"), files.projects ?? SMALL_PROJECTS);
  const opensAt = now + DAY;
  const closesAt = opensAt + 14 * DAY;
  const spec = path.join(dir, "round.json");
  writeFileSync(
    spec,
    JSON.stringify(
      {
        name: "Волгоград 2026, тест",
        budget: "1500.50",
        opensAt: new Date(opensAt * 1000).toISOString(),
        closesAt,
        rule: "ranked",
        allowance: "300",
        districts: "districts.csv",
        projects: "projects.csv",
        ...overrides,
      },
      null,
      2,
    ),
  );
  return { dir, spec, opensAt, closesAt };
}

export function writeResidents(dir: string, lines: string[], name = "residents.csv"): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** Each voter claims their leaf of the published tree and puts all of it into `bank`. */
export async function claimAndAllocateAll(
  round: Round,
  treeFile: string,
  batchId: bigint,
  voters: readonly HardhatEthersSigner[],
  bankOf: (voter: HardhatEthersSigner) => string,
): Promise<void> {
  const tree = StandardMerkleTree.load<ParticipantLeaf>(JSON.parse(readFileSync(treeFile, "utf8")));
  for (const voter of voters) {
    for (const [index, [account, district, amount, enrollment]] of tree.entries()) {
      if (account.toLowerCase() !== voter.address.toLowerCase()) continue;
      const proof = tree.getProof(index);
      await (
        await round
          .connect(voter)
          .claimAndAllocate(batchId, district, amount, enrollment, proof, [bankOf(voter)], [amount])
      ).wait();
    }
  }
}
