/**
 * The tool on a real node reached over http: a `hardhat node` started here with another chain id (1337), driven
 * through the command functions and through the `kopilka` bin as a child process.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { expect } from "chai";
import { network } from "hardhat";

import { deploy, readFactoryRecord } from "../../scripts/cli/deploy.js";
import { finalize, mint, open } from "../../scripts/cli/lifecycle.js";
import { importParticipants } from "../../scripts/cli/participants.js";
import { createRound, showRound } from "../../scripts/cli/round.js";
import { ChainIdMismatchError } from "../../scripts/hardhat/connection.js";
import { manifestPath } from "@kopilka/core/publication";
import { startHardhatNode, type LocalNode } from "../../scripts/hardhat/localnode.js";
import {
  claimAndAllocateAll,
  commandContext,
  DEPLOYER_KEY,
  runKopilka,
  tempDir,
  writeResidents,
  writeSmallRound,
} from "./helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHAIN_ID = 1337n;

/** The real `kopilka` bin on the `remote` network, its URL and key from the environment. */
const kopilka = (url: string, args: string[]) =>
  runKopilka(["--network", "remote", ...args], { KOPILKA_RPC_URL: url, KOPILKA_DEPLOYER_KEY: DEPLOYER_KEY });

describe("npx kopilka", function () {
  it("prints only Kopilka's output under the machine's own Node, whatever its version", async function () {
    // The PATH of a committee member's shell: the machine's node and npx, not the project's node_modules/.bin.
    const PATH = (process.env.PATH ?? "")
      .split(path.delimiter)
      .filter((dir) => !dir.includes("node_modules"))
      .join(path.delimiter);
    const { stdout, stderr } = await promisify(execFile)("npx", ["kopilka", "--help"], {
      cwd: ROOT,
      env: { ...process.env, PATH },
    });
    expect(stderr).to.equal("");
    expect(stdout).to.match(/^Usage: kopilka \[options\] \[command\]/);
  });
});

describe("kopilka on a node with another chain id", function () {
  let node: LocalNode | undefined;
  let url: string;
  let connection: Awaited<ReturnType<typeof network.create>>;
  const deploymentIds: string[] = [];

  before(async function () {
    node = await startHardhatNode({ chainId: Number(CHAIN_ID) });
    url = node.url;
    connection = await network.create({ network: "localhost", override: { url } });
  });

  after(async function () {
    await connection?.close();
    await node?.stop();
    const deployments = path.join(ROOT, "ignition", "deployments");
    for (const id of deploymentIds) rmSync(path.join(deployments, id), { recursive: true, force: true });
    if (existsSync(deployments) && readdirSync(deployments).length === 0) rmSync(deployments, { recursive: true });
  });

  /** A fresh Ignition deployment id, removed afterwards: the node's chain is gone once the test ends. */
  function deploymentId(): string {
    const id = `test-cli-${CHAIN_ID}-${process.pid}-${deploymentIds.length}`;
    deploymentIds.push(id);
    return id;
  }

  it("runs a small round through the commands over http", async function () {
    const { ethers, networkHelpers } = connection;
    expect((await ethers.provider.getNetwork()).chainId).to.equal(CHAIN_ID);
    const dir = tempDir();
    const files = writeSmallRound(dir, await networkHelpers.time.latest());
    const ctx = commandContext(connection, dir, CHAIN_ID);

    const id = deploymentId();
    const deployed = await deploy(ctx, { deploymentId: id });
    // Ignition's journal alone, without the tool's record, returns the same factory.
    rmSync(path.join(ctx.publicationBase, String(CHAIN_ID), "factory.json"));
    expect((await deploy(ctx, { deploymentId: id })).address).to.equal(deployed.address);
    expect(readFactoryRecord(ctx.publicationBase, CHAIN_ID)?.address).to.equal(deployed.address);

    const { round: address } = await createRound(ctx, { spec: files.spec });
    await mint(ctx, {});
    const voters = (await ethers.getSigners()).slice(5, 8);
    const residents = writeResidents(
      dir,
      voters.map((voter) => `${voter.address},Центральный`),
    );
    const batch = await importParticipants(ctx, {}, { csv: residents });
    await open(ctx, {});

    const round = await ethers.getContractAt("Round", address);
    const bank = (await round.project(1)).bank;
    await networkHelpers.time.increaseTo(files.opensAt);
    await claimAndAllocateAll(round, batch.file, batch.batchId, voters, () => bank);
    await networkHelpers.time.increaseTo(files.closesAt);
    expect((await finalize(ctx, {})).finalized).to.deep.equal([0, 1]);
    expect((await round.project(1)).funded).to.equal(true);

    const summary = await showRound(ctx, {});
    expect(summary.chainId).to.equal(CHAIN_ID);
    expect(summary.phase).to.equal("finalized");

    const manifest = JSON.parse(readFileSync(manifestPath(ctx.publicationBase, CHAIN_ID, address), "utf8"));
    expect(manifest).to.deep.include({ chainId: Number(CHAIN_ID), round: address, factory: deployed.address });

    const elsewhere = { ...ctx, chainId: 31337n, publicationBase: tempDir() };
    const error = await mint(elsewhere, { round: address }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ChainIdMismatchError);
  });

  it("works as the `kopilka` command, configured by environment variables", async function () {
    const dir = tempDir();
    const files = writeSmallRound(dir, await connection.networkHelpers.time.latest());
    const base = path.join(dir, "published");
    const common = ["--chain-id", String(CHAIN_ID), "--publication-dir", base];

    const deployed = await kopilka(url, [...common, "deploy", "--deployment-id", deploymentId()]);
    expect(deployed.code, deployed.stderr).to.equal(0);
    const factory = readFactoryRecord(base, CHAIN_ID)!.address;
    expect(deployed.stdout).to.contain(factory);

    const created = await kopilka(url, [...common, "round", "create", "--spec", files.spec]);
    expect(created.code, created.stderr).to.equal(0);
    const address = /Created round ".*" at (0x[0-9a-fA-F]{40})/.exec(created.stdout)![1];
    const round = await connection.ethers.getContractAt("Round", address);
    expect(await round.projectCount()).to.equal(4n);

    const refused = await kopilka(url, [
      "--chain-id",
      "31337",
      "--publication-dir",
      tempDir(),
      "mint",
      "--round",
      address,
    ]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('network "remote" has chain id 1337, but 31337 is expected: refusing to sign');
    const token = await connection.ethers.getContractAt("BudgetToken", await round.token());
    expect(await token.totalSupply()).to.equal(0n);
  });
});
