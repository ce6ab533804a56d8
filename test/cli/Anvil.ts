/**
 * A whole small round on Anvil, an independent client with another chain id, through the real `kopilka` command
 * and nothing else but the residents' own votes: deploy, create, mint, residents, open, votes, finalize, audit,
 * export and receipt, every command with --rpc and the key from configuration (KOPILKA_DEPLOYER_KEY).
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { network } from "hardhat";

import { CommandError, sendAndWait } from "../../scripts/hardhat/connection.js";
import { startAnvil, type LocalNode } from "../../scripts/hardhat/localnode.js";
import { Round__factory } from "../../typechain-types/index.js";
import { claimAndAllocateAll, DEPLOYER_KEY, runKopilka, tempDir, writeResidents, writeSmallRound } from "./helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHAIN_ID = 31_338;

describe("kopilka on Anvil", function () {
  // Every step starts the command afresh (a few seconds each, far more on a loaded machine).
  this.timeout(600_000);
  let anvil: LocalNode | undefined;
  let provider: JsonRpcProvider;
  const deploymentId = `test-anvil-${process.pid}`;

  before(async function () {
    anvil = await startAnvil({ chainId: CHAIN_ID });
    provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true });
  });

  after(async function () {
    provider?.destroy();
    await anvil?.stop();
    rmSync(path.join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  });

  /** Moves Anvil's clock to `timestamp` with one block. */
  async function travelTo(timestamp: number): Promise<void> {
    await provider.send("evm_setNextBlockTimestamp", [timestamp]);
    await provider.send("evm_mine", []);
  }

  it("runs a round from deploy to audit, export and receipt, every step through the command", async function () {
    const dir = tempDir("kopilka-anvil-");
    const base = path.join(dir, "published");
    const kopilka = async (...args: string[]) => {
      const run = await runKopilka(
        ["--rpc", anvil!.url, "--chain-id", String(CHAIN_ID), "--publication-dir", base, ...args],
        {
          KOPILKA_DEPLOYER_KEY: DEPLOYER_KEY,
        },
      );
      expect(run.code, `kopilka ${args.join(" ")}\n${run.stdout}\n${run.stderr}`).to.equal(0);
      return run.stdout;
    };

    const now = (await provider.getBlock("latest"))!.timestamp;
    const files = writeSmallRound(dir, now);
    expect(await kopilka("deploy", "--deployment-id", deploymentId)).to.match(/Round factory at 0x[0-9a-fA-F]{40}/);
    const created = await kopilka("round", "create", "--spec", files.spec);
    const address = /Created round ".*" at (0x[0-9a-fA-F]{40})/.exec(created)![1];
    expect(created).to.contain("Districts: 2 (2 added), projects: 4 (4 added)");
    // Re-running sends nothing new, on this client too.
    expect(await kopilka("round", "create", "--spec", files.spec)).to.contain("(0 added), projects: 4 (0 added)");
    expect(await kopilka("mint")).to.contain("Minted 1\u00a0500,50\u00a0₽");

    const voters = await Promise.all([5, 6, 7].map((i) => provider.getSigner(i)));
    const residents = writeResidents(dir, [
      "address,district",
      `${voters[0].address},Центральный`,
      `${voters[1].address},Центральный`,
      `${voters[2].address},any`,
    ]);
    expect(await kopilka("participants", "import", "--csv", residents)).to.match(/Posted batch 0: 3 residents/);
    expect(await kopilka("open")).to.match(/Opened round/);

    await travelTo(files.opensAt);
    const round = Round__factory.connect(address, provider);
    const banks = await Promise.all([0, 1, 3].map(async (id) => (await round.project(id)).bank));
    const treeFile = path.join(base, String(CHAIN_ID), address.toLowerCase(), "participants", "batch-0.json");
    // Two residents of the centre back project 1, the third (any district) project 3 in the other district; each
    // has the round's declared allowance, 300 ₽.
    await claimAndAllocateAll(round.connect(voters[0]), treeFile, 0n, voters, (voter) =>
      voter === voters[2] ? banks[2] : banks[1],
    );

    await travelTo(files.closesAt);
    expect(await kopilka("finalize")).to.contain("Finalized district(s) 0, 1");
    expect(await kopilka("round", "show")).to.match(/project 1 "Освещение сквера" .*WINNER/);

    const audited = await kopilka("audit", "--round", address);
    expect(audited).to.match(/Everything holds\.\n$/);
    expect(audited).not.to.match(/^SKIP/m);

    const out = path.join(dir, "results");
    await kopilka("export", "--round", address, "--format", "csv", "--out", out);
    expect(readdirSync(out).sort()).to.deep.equal(["ballots.csv", "results.csv"]);
    const results = readFileSync(path.join(out, "results.csv"), "utf8").split("\n");
    expect(results[2]).to.match(/^0,Центральный,1,40000,/);
    expect(readFileSync(path.join(out, "ballots.csv"), "utf8").trim().split("\n")).to.have.length(4);

    const receipt = await kopilka("receipt", "--round", address, "--address", voters[2].address);
    expect(receipt).to.contain(`claimed 300\u00a0₽ (batch 0, any district)`);
    expect(receipt).to.match(
      /Now in project 3 "Детская площадка" \(district 1 "Красноармейский"\): .*; the project wins/,
    );
  });

  it("lets a 2-of-3 Safe create and mint a round through the command, each owner with the node's own key", async function () {
    const dir = tempDir("kopilka-anvil-safe-");
    const base = path.join(dir, "published");
    const owners = await Promise.all([1, 2, 3].map(async (i) => (await provider.getSigner(i)).address));
    // The Safe comes from the command too: `safe create` deploys Safe's contracts on this chain first.
    const global = ["--rpc", anvil!.url, "--chain-id", String(CHAIN_ID), "--publication-dir", base];
    const owning = owners.flatMap((owner) => ["--owner", owner]);
    const created = await runKopilka([...global, "safe", "create", ...owning, "--threshold", "2"]);
    expect(created.code, `${created.stdout}\n${created.stderr}`).to.equal(0);
    const safe = /Created Safe (0x[0-9a-fA-F]{40})/.exec(created.stdout)![1];
    /** Runs the command as the owner `from` of the Safe; deploy runs as the deployer of the first test. */
    const kopilka = async (from: string | undefined, ...args: string[]) => {
      const as = from === undefined ? [] : ["--from", from, "--safe", safe];
      const run = await runKopilka([...global, ...as, ...args]);
      expect(run.code, `kopilka ${args.join(" ")}\n${run.stdout}\n${run.stderr}`).to.equal(0);
      return run.stdout;
    };
    const [alice, bob, carol] = owners;
    const files = writeSmallRound(dir, (await provider.getBlock("latest"))!.timestamp);
    expect(await kopilka(undefined, "deploy", "--deployment-id", deploymentId)).to.match(/Round factory at 0x/);

    const create = ["round", "create", "--spec", files.spec];
    expect(await kopilka(alice, ...create)).to.match(
      /Proposed Safe transaction 0x[0-9a-f]{64} \(nonce 0\): create round/,
    );
    expect(await kopilka(alice, ...create)).to.match(/Already proposed: .* 1 of 2 confirmations/);
    expect(await kopilka(bob, "safe", "confirm")).to.match(/Executed Safe transaction .* \(nonce 0\)/);
    expect(await kopilka(alice, ...create)).to.match(/Not yet done: add 6 district\(s\)\/project\(s\)/);
    // Carol running the same command finds alice's proposal and, as the second owner, executes it.
    expect(await kopilka(carol, ...create)).to.contain("Districts: 2 (2 added), projects: 4 (4 added)");

    expect(await kopilka(bob, "mint")).to.match(/Not yet done: mint 1\u00a0500,50\u00a0₽/);
    expect(await kopilka(alice, "safe", "list")).to.match(/nonce 2: mint .* waiting, 1 of 2 confirmations/);
    expect(await kopilka(alice, "safe", "confirm")).to.match(/Executed Safe transaction .* \(nonce 2\)/);
    expect(await kopilka(carol, "mint")).to.contain("The whole budget 1\u00a0500,50\u00a0₽ is minted already");
  });

  it("names the contracts' custom error of a refused transaction, though Anvil gives only its data", async function () {
    const connection = await network.create({ network: "localhost", override: { url: anvil!.url } });
    try {
      const [round, resident] = await connection.ethers.getSigners();
      const token = await connection.ethers.deployContract("BudgetToken", [
        "Kopilka",
        "KOP",
        round.address,
        100n,
        2n ** 40n,
      ]);
      const refusal = `BudgetTokenTransferNotAllowed(${resident.address}, ${round.address})`;
      // Refused at estimation, where Anvil answers "custom error 0xdcc5c2e4: 0000…".
      const estimated = await sendAndWait(() => token.connect(resident).transfer(round.address, 1n)).catch((e) => e);
      expect(estimated).to.be.instanceOf(CommandError);
      expect((estimated as Error).message).to.equal(`the chain refuses the transaction: ${refusal}`);
      // Mined and failed, where Anvil's receipt carries no data at all: the call is replayed for the reason.
      const mined = await sendAndWait(() =>
        token.connect(resident).transfer(round.address, 1n, { gasLimit: 100_000n }),
      ).catch((e) => e);
      expect((mined as Error).message).to.match(/^transaction 0x[0-9a-f]{64} failed: /);
      expect((mined as Error).message).to.contain(refusal);
    } finally {
      await connection.close();
    }
  });
});
