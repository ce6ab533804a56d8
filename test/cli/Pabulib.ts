import { CATEGORIES } from "@kopilka/core/category";
import { Rule } from "@kopilka/core/rule";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { exportResults } from "../../scripts/cli/audit.js";
import { deploy } from "../../scripts/cli/deploy.js";
import { importPabulib, kopilkaCategory, type PabulibImportResult } from "../../scripts/cli/pabulib.js";
import { CommandError } from "../../scripts/hardhat/connection.js";
import {
  ballotAllocation,
  parsePabulib,
  selectedColumn,
  sourceMeta,
  toKopecks,
  writePabulib,
  type PabulibElection,
} from "@kopilka/core/pabulib";
import { tallyDistrict } from "@kopilka/core/tally";
import { generatedElection } from "../../scripts/hardhat/generatedElection.js";
import { commandContext, tempDir } from "./helpers.js";

const connection = await network.create();
const { ethers } = connection;

const fixture = (name: string) => path.resolve("test", "fixtures", "pabulib", `${name}.pb`);

/** A fresh publication dir, and the context of the commands over the in-process chain. */
function context() {
  const dir = tempDir("kopilka-pabulib-");
  return { dir, ctx: commandContext(connection, dir) };
}

/** The winners the reference tally gives for the file's ballots as tokens: what the round must fund. */
function referenceWinners(election: PabulibElection): string[] {
  const tokens = new Map<string, bigint>(election.projects.map((p) => [p.id, 0n]));
  for (const vote of election.votes) {
    const allocation = ballotAllocation(election, vote);
    allocation.projects.forEach((id, i) => tokens.set(id, tokens.get(id)! + allocation.amounts[i]));
  }
  const result = tallyDistrict(
    election.projects.map((p, i) => ({
      projectId: BigInt(i),
      cost: toKopecks(p.cost),
      tokens: tokens.get(p.id)!,
      supporters: 0n,
    })),
    toKopecks(election.budget),
    { rule: Rule.Ranked, minTokens: 0n, minSupporters: 0n },
  );
  return result.winners.map((i) => election.projects[Number(i)].id).sort();
}

const wonIn = (result: PabulibImportResult, district: number) =>
  result
    .replay!.districts[district].projects.filter((p) => p.won)
    .map((p) => p.id)
    .sort();

describe("kopilka pabulib", function () {
  describe("import --replay", function () {
    it("replays an approval and a cumulative election as two districts and finds the files' winners", async function () {
      const { ctx } = context();
      const files = [fixture("approval"), fixture("cumulative")];
      const result = await importPabulib(ctx, { files, replay: true });
      expect(result).to.include({ districts: 2, projects: 9 });
      for (const [district, file] of files.entries()) {
        const election = parsePabulib(readFileSync(file, "utf8"));
        expect(wonIn(result, district)).to.deep.equal(referenceWinners(election));
        expect(wonIn(result, district)).to.deep.equal(selectedColumn(election).selected.sort());
        expect(result.replay!.districts[district].differences).to.deep.equal([]);
      }
      expect(result.replay!.ballots).to.equal(11);

      const round = await ethers.getContractAt("Round", result.round);
      expect((await round.district(0)).name).to.equal("Testowo, Osiedle Północ, 2021");
      expect((await round.district(1)).budget).to.equal(500_000n);
      // Cumulative points are the tokens: a2 got 4 + 5 + 10.
      const token = await ethers.getContractAt("BudgetToken", await round.token());
      expect(await token.balanceOf((await round.project(6)).bank)).to.equal(1_900n);
    });

    it("lists every difference from the file's selected column", async function () {
      const { ctx, dir } = context();
      const edited = readFileSync(fixture("approval"), "utf8")
        .replace("4;2000;2;Stojaki rowerowe;public transit;50.0633;19.9377;1", "4;2000;2;Stojaki;transit;;;0")
        .replace("5;1500;1;Zajęcia szachowe dla seniorów;education;50.0601;19.9355;0", "5;1500;1;Szachy;education;;;1");
      const file = path.join(dir, "edited.pb");
      writeFileSync(file, edited);
      const result = await importPabulib(ctx, { files: [file], replay: true });
      expect(result.replay!.districts[0].differences).to.deep.equal([
        "project 4: funded here, not selected in the file",
        "project 5: selected in the file, not funded here",
      ]);
      expect((ctx.out as { lines?: string[] }).lines!.join("\n")).to.contain("2 difference(s)");
    });

    it("replays 2,000 generated voters and reports the speed", async function () {
      const { ctx, dir } = context();
      const election = generatedElection({ voters: 2_000, projects: 20 });
      const file = path.join(dir, "generated.pb");
      writeFileSync(file, writePabulib(election));
      const result = await importPabulib(ctx, { files: [file], replay: true });
      expect(result.replay!.ballots).to.equal(election.votes.length);
      expect(wonIn(result, 0)).to.deep.equal(referenceWinners(election));
      console.log(
        `      replay: ${result.replay!.ballots} ballots in ${result.replay!.blocks} blocks, ` +
          `${result.replay!.seconds.toFixed(1)} s, ${result.replay!.ballotsPerSecond.toFixed(0)} ballots/s`,
      );
    });

    it("names the step a replay stopped at, what was done, and what to do", async function () {
      const { ctx } = context();
      const provider = connection.provider;
      const failing = {
        ...ctx,
        connection: {
          ...ctx.connection,
          provider: {
            request: (args: { method: string; params?: unknown[] }) =>
              args.method === "evm_setAutomine"
                ? Promise.reject(new Error("the node went away"))
                : provider.request(args),
          },
        } as unknown as typeof ctx.connection,
      };
      const error = await importPabulib(failing, { files: [fixture("approval")], replay: true }).catch((e) => e);
      expect(error).to.be.instanceOf(CommandError);
      const message = (error as Error).message;
      expect(message).to.match(/^the replay stopped at step "cast the ballots" \(4 of 6\): the node went away\n/);
      expect(message).to.contain("these steps were done: mint, post the voters, open");
      expect(message).to.contain("Run the same command again: a replay always starts a new round");
      // The round it names is the half-made one: minted, opened, no ballot cast.
      const address = /Round (0x[0-9a-fA-F]{40}) was created/.exec(message)![1];
      const round = await ethers.getContractAt("Round", address);
      expect(await round.opened()).to.equal(true);
      const token = await ethers.getContractAt("BudgetToken", await round.token());
      expect(await token.balanceOf((await round.project(0)).bank)).to.equal(0n);

      // The same command, run again, replays in a new round.
      const again = await importPabulib(ctx, { files: [fixture("approval")], replay: true });
      expect(again.round).to.not.equal(address);
      expect(again.replay!.districts[0].differences).to.deep.equal([]);
    });

    it("refuses to replay on a chain that is not a local Hardhat chain, before sending anything", async function () {
      const { ctx } = context();
      const provider = connection.provider;
      const plain = {
        ...ctx,
        connection: {
          ...ctx.connection,
          provider: {
            request: (args: { method: string; params?: unknown[] }) =>
              args.method.startsWith("hardhat_")
                ? Promise.reject(new Error("method not found"))
                : provider.request(args),
          },
        } as unknown as typeof ctx.connection,
      };
      const before = await ethers.provider.getBlockNumber();
      const error = await importPabulib(plain, { files: [fixture("approval")], replay: true }).catch((e) => e);
      expect(error).to.be.instanceOf(CommandError);
      expect((error as Error).message).to.match(/runs only on a local Hardhat chain/);
      expect(await ethers.provider.getBlockNumber()).to.equal(before);
    });
  });

  describe("import", function () {
    it("creates the districts and projects with cost, name, category and coordinates, and sends no vote", async function () {
      const { ctx } = context();
      await deploy(ctx);
      const result = await importPabulib(ctx, { files: [fixture("approval")] });
      expect(result.replay).to.equal(undefined);
      const round = await ethers.getContractAt("Round", result.round);
      expect(await round.opened()).to.equal(false);
      const first = await round.project(0);
      expect(first.cost).to.equal(400_000n);
      expect(CATEGORIES[Number(first.category)]).to.equal("landscaping");
      const metadata = JSON.parse(
        readFileSync(path.join(ctx.publicationBase, "31337", result.round.toLowerCase(), "projects", "0.json"), "utf8"),
      );
      expect(metadata).to.deep.include({
        title: "Plac zabaw przy ul. Lipowej",
        location: { lat: 50.0612, lon: 19.9365 },
      });
    });

    it("maps Pabulib's categories onto the round's", function () {
      expect(kopilkaCategory(["sport"])).to.equal("sport");
      expect(kopilkaCategory(["public transit and roads"])).to.equal("local-roads");
      expect(kopilkaCategory(["urban greenery", "sport"])).to.equal("landscaping");
      expect(kopilkaCategory(["culture"])).to.equal("education-culture");
      expect(kopilkaCategory(undefined)).to.equal("landscaping");
    });
  });

  describe("export", function () {
    it("reads back as the same round: names and ids do not grow at each round trip", async function () {
      const { ctx, dir } = context();
      const files = [fixture("approval"), fixture("cumulative")];
      const first = await importPabulib(ctx, { files, replay: true });
      const out = path.join(dir, "out");
      await exportResults({ rpc: connection.provider, round: first.round, format: "pb", out }, ctx.publicationBase);
      const again = await importPabulib(ctx, {
        files: files.map((f) => path.join(out, path.basename(f))),
        replay: true,
      });
      const names = async (address: string) => {
        const round = await ethers.getContractAt("Round", address);
        return [await round.name(), (await round.district(0)).name, (await round.district(1)).name];
      };
      expect(await names(again.round)).to.deep.equal(await names(first.round));
      expect(await names(first.round)).to.deep.equal([
        "Pabulib: approval, cumulative",
        "Testowo, Osiedle Północ, 2021",
        "Testowo, 2022",
      ]);
      // The replayed exports give the same winners, by the files' project ids.
      expect(again.replay!.districts.map((d) => d.projects.filter((p) => p.won).map((p) => p.id))).to.deep.equal(
        first.replay!.districts.map((d) => d.projects.filter((p) => p.won).map((p) => p.id)),
      );
    });

    it("writes a replayed round back as .pb files that parse, with the ballots' points and the funded projects", async function () {
      const { ctx, dir } = context();
      const files = [fixture("approval"), fixture("cumulative")];
      const result = await importPabulib(ctx, { files, replay: true });
      const out = path.join(dir, "out");
      await exportResults({ rpc: connection.provider, round: result.round, format: "pb", out }, ctx.publicationBase);
      // The source's file names, META and project ids come back (the round's published pabulib.json).
      expect(readdirSync(out).sort()).to.deep.equal(["approval.pb", "cumulative.pb"]);
      for (const file of files) {
        const original = parsePabulib(readFileSync(file, "utf8"));
        const exported = parsePabulib(readFileSync(path.join(out, path.basename(file)), "utf8"));
        expect(exported.projects.map((p) => p.id)).to.deep.equal(original.projects.map((p) => p.id));
        expect(exported.meta).to.deep.equal(sourceMeta(original.meta));
        // Not "currency;RUB" nor the replay chain's year: the source's own (these files name no currency).
        expect([exported.meta.currency, exported.meta.instance]).to.deep.equal([undefined, original.meta.instance]);
        expect(exported.budget).to.equal(original.budget);
        expect(exported.projects.map((p) => p.name)).to.deep.equal(original.projects.map((p) => p.name));
        expect(exported.projects.map((p) => p.cost)).to.deep.equal(original.projects.map((p) => p.cost));
        expect(exported.projects.map((p) => p.selected)).to.deep.equal(original.projects.map((p) => p.selected));
        expect(exported.votes).to.have.lengthOf(original.votes.length);
        // Each project's points add up to what the file's ballots gave it.
        const points = (e: PabulibElection, ids: string[]) =>
          ids.map((id) =>
            e.votes.reduce(
              (sum, v) => sum + v.vote.reduce((s, p, i) => s + (p === id ? ballotAllocation(e, v).amounts[i] : 0n), 0n),
              0n,
            ),
          );
        expect(
          points(
            exported,
            exported.projects.map((p) => p.id),
          ),
        ).to.deep.equal(
          points(
            original,
            original.projects.map((p) => p.id),
          ),
        );
      }
    });
  });
});
