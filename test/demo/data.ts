import { CATEGORIES } from "@kopilka/core/category";
import { Rule } from "@kopilka/core/rule";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { parse } from "csv-parse/sync";
import { Wallet } from "ethers";
import { network } from "hardhat";

import {
  DEMO_BUDGET,
  DEMO_PROJECT_COUNT,
  DISTRICTS_HEADER,
  demoRound,
  hardhatAccounts,
  MAX_PROJECT_COST,
  MIN_PROJECT_COST,
  PROJECTS_HEADER,
  REGION_BOUNDS,
  residentDistricts,
  residents,
  roundSpecFiles,
  writeRoundSpec,
} from "../../scripts/demo/data.js";
import { IMAGES_DIR } from "../../scripts/demo/images.js";
import { loadRoundSpec } from "@kopilka/core/node";

const { ethers } = await network.create();

const round = demoRound();

/** Sentence ends: a stop followed by a capital letter or the end of the text ("кв. м" is no sentence end). */
const SENTENCE_END = /[.!?](?=\s+[А-ЯЁA-Z]|$)/g;

describe("Demo data", function () {
  describe("#demoRound", function () {
    it("has 45 districts with distinct names", function () {
      expect(round.districts).to.have.lengthOf(45);
      expect(new Set(round.districts.map((d) => d.name)).size).to.equal(45);
    });

    it("shares exactly 107,300,000 rubles between the districts, unevenly", function () {
      expect(round.budget).to.equal(DEMO_BUDGET);
      expect(round.districts.reduce((sum, d) => sum + d.budget, 0n)).to.equal(107_300_000_00n);
      const budgets = round.districts.map((d) => d.budget);
      expect(budgets.reduce((a, b) => (b > a ? b : a))).to.be.greaterThan(
        3n * budgets.reduce((a, b) => (b < a ? b : a)),
      );
    });

    it("gives the more populous of two districts the larger budget", function () {
      for (const a of round.districts) {
        for (const b of round.districts) {
          if (a.population > b.population) expect(a.budget >= b.budget, `${a.name} vs ${b.name}`).to.equal(true);
        }
      }
    });

    it("has 277 projects with unique titles, in every district", function () {
      expect(round.projects).to.have.lengthOf(DEMO_PROJECT_COUNT);
      expect(new Set(round.projects.map((p) => p.title)).size).to.equal(DEMO_PROJECT_COUNT);
      expect(new Set(round.projects.map((p) => p.district)).size).to.equal(round.districts.length);
    });

    it("uses every category", function () {
      expect(new Set(round.projects.map((p) => p.category))).to.deep.equal(new Set(CATEGORIES));
    });

    it("keeps every cost within the range and within its district's budget", function () {
      for (const p of round.projects) {
        expect(p.cost).to.be.at.least(MIN_PROJECT_COST);
        expect(p.cost).to.be.at.most(MAX_PROJECT_COST);
        expect(p.cost).to.be.at.most(round.districts[p.district].budget);
      }
    });

    it("asks for more than each district can fund, as real rounds do", function () {
      round.districts.forEach((district, index) => {
        const demand = round.projects.filter((p) => p.district === index).reduce((sum, p) => sum + p.cost, 0n);
        expect(demand, district.name).to.be.greaterThan(district.budget);
      });
    });

    it("places every project inside the Volgograd region", function () {
      for (const { location } of round.projects) {
        expect(location.lat).to.be.within(REGION_BOUNDS.minLat, REGION_BOUNDS.maxLat);
        expect(location.lon).to.be.within(REGION_BOUNDS.minLon, REGION_BOUNDS.maxLon);
      }
    });

    it("writes Russian titles and descriptions of one to three sentences", function () {
      for (const p of round.projects) {
        expect(p.title).to.match(/^[А-ЯЁ][^\n]+$/u);
        expect(p.description).to.match(/^[А-ЯЁ]/u);
        expect(p.description.match(SENTENCE_END)?.length ?? 0, p.description).to.be.within(1, 3);
      }
    });

    it("gives the same round for the same seed and another for another seed", function () {
      expect(demoRound()).to.deep.equal(round);
      const other = demoRound("another seed");
      expect(other.districts).to.deep.equal(round.districts);
      expect(other.projects.map((p) => p.title)).to.not.deep.equal(round.projects.map((p) => p.title));
    });
  });

  describe("#writeRoundSpec", function () {
    // 2030-06-01 and two weeks later, in unix seconds: any dates do, the files only name them.
    const schedule = { opensAt: 1_906_588_800, closesAt: 1_906_588_800 + 14 * 86_400 };
    let dirs: string[] = [];
    const tempDir = async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "kopilka-spec-"));
      dirs.push(dir);
      return dir;
    };
    afterEach(async function () {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
      dirs = [];
    });

    it("writes byte-identical files on two runs", async function () {
      const [first, second] = [await tempDir(), await tempDir()];
      const a = await writeRoundSpec(first, demoRound(), schedule);
      const b = await writeRoundSpec(second, demoRound(), schedule);
      expect(a.map((f) => path.basename(f))).to.deep.equal(["round.json", "districts.csv", "projects.csv"]);
      for (let i = 0; i < a.length; i++) {
        expect((await readFile(a[i])).equals(await readFile(b[i])), path.basename(a[i])).to.equal(true);
      }
    });

    it("writes a spec the committee's tool reads without a problem: 45 districts, 277 projects, 107,300,000 rubles", async function () {
      const dir = await tempDir();
      await writeRoundSpec(dir, round, { ...schedule, rule: "piggy-bank-full" });
      const spec = loadRoundSpec(path.join(dir, "round.json"));
      expect(spec.districts).to.have.lengthOf(45);
      expect(spec.projects).to.have.lengthOf(277);
      expect(spec.budget).to.equal(107_300_000_00n);
      expect(spec.rule).to.equal(Rule.PiggyBankFull);
      expect([spec.opensAt, spec.closesAt]).to.deep.equal([BigInt(schedule.opensAt), BigInt(schedule.closesAt)]);
      expect(spec.name).to.equal(round.name);
      expect(spec.tokenSymbol).to.equal(round.tokenSymbol);
      expect(spec.districts).to.deep.equal(round.districts.map((d) => ({ name: d.name, budget: d.budget })));
      expect(
        spec.projects.map((p) => ({
          district: p.district,
          title: p.metadata.title,
          description: p.metadata.description,
          category: CATEGORIES[p.category],
          cost: p.cost,
          location: p.metadata.location,
        })),
      ).to.deep.equal(round.projects);
      // Every project names its category's picture, and the demo ships that picture, small.
      for (const p of spec.projects) {
        const category = CATEGORIES[p.category];
        expect(p.metadata.image).to.equal(`img/${category}.svg`);
        expect((await stat(path.join(IMAGES_DIR, `${category}.svg`))).size).to.be.below(4096);
      }
    });

    it("writes CSV that an RFC 4180 reader reads back with the tool's column names", function () {
      const files = roundSpecFiles(round, schedule);
      const districtRows: string[][] = parse(files["districts.csv"]);
      const projectRows: string[][] = parse(files["projects.csv"]);
      expect(districtRows[0]).to.deep.equal([...DISTRICTS_HEADER]);
      expect(projectRows[0]).to.deep.equal([...PROJECTS_HEADER]);
      expect(districtRows.slice(1)).to.deep.equal(
        round.districts.map((d) => [d.name, (Number(d.budget) / 100).toFixed(2)]),
      );
      expect(projectRows).to.have.lengthOf(round.projects.length + 1);
    });
  });

  describe("#residents", function () {
    it("starts with the accounts of the local Hardhat node", async function () {
      const signers = await ethers.getSigners();
      const known = hardhatAccounts();
      expect(known.map((r) => r.address)).to.deep.equal(signers.slice(0, known.length).map((s) => s.address));
      expect(residents(known.length + 5).slice(0, known.length)).to.deep.equal(known);
    });

    it("gives the requested number of distinct residents whose keys match their addresses", function () {
      const list = residents(300);
      expect(list).to.have.lengthOf(300);
      expect(new Set(list.map((r) => r.address.toLowerCase())).size).to.equal(300);
      for (const r of list) expect(new Wallet(r.privateKey).address).to.equal(r.address);
    });

    it("gives the same residents for the same seed and others for another seed", function () {
      expect(residents(50, "a")).to.deep.equal(residents(50, "a"));
      const others = residents(50, "b", { includeHardhat: false }).map((r) => r.address);
      expect(others.filter((a) => residents(50, "a").some((r) => r.address === a))).to.be.empty;
      expect(residents(50, "b", { includeHardhat: false }).every((r) => !r.hardhat)).to.equal(true);
    });

    it("gives fewer residents than the Hardhat accounts when asked for fewer", function () {
      expect(residents(3)).to.deep.equal(hardhatAccounts(3));
    });

    it("homes residents in existing districts, the largest district most often", function () {
      const homes = residentDistricts(5000, round.districts);
      expect(homes.every((d) => d >= 0 && d < round.districts.length)).to.equal(true);
      const counts = round.districts.map((_, i) => homes.filter((d) => d === i).length);
      const largest = round.districts.reduce(
        (best, d, i) => (d.population > round.districts[best].population ? i : best),
        0,
      );
      expect(Math.max(...counts)).to.equal(counts[largest]);
      expect(residentDistricts(5000, round.districts)).to.deep.equal(homes);
    });
  });
});
