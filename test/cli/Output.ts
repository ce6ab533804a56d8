/**
 * What people read: amounts in rubles from one formatter, projects with their titles, "any district", times in the
 * round's time zone, provisional results before finalization, the ties that decided winners, and an audit that
 * says how many token movements it checked.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { auditRound, voterReceipt } from "../../scripts/cli/audit.js";
import { deploy } from "../../scripts/cli/deploy.js";
import { finalize, mint, open } from "../../scripts/cli/lifecycle.js";
import { importParticipants } from "../../scripts/cli/participants.js";
import { lineProgress } from "../../scripts/cli/context.js";
import { createRound, showRound } from "../../scripts/cli/round.js";
import { districtLabel, formatTime, projectLabel, utcOffsetOf } from "@kopilka/core/display";
import { rubles } from "@kopilka/core/money";
import { ANY_DISTRICT } from "@kopilka/core/participants";
import { Rule } from "@kopilka/core/rule";
import { decidingTies, type TallyEntry } from "@kopilka/core/tally";
import {
  claimAndAllocateAll,
  commandContext,
  recordingOutput,
  tempDir,
  writeResidents,
  writeSmallRound,
} from "./helpers.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const voters = (await ethers.getSigners()).slice(5, 9);

/** An ISO date of `seconds` written with the offset +03:00, as a committee in Volgograd writes it. */
function moscowIso(seconds: number): string {
  return new Date((seconds + 3 * 3600) * 1000).toISOString().replace(".000Z", "+03:00");
}

const entry = (projectId: number, cost: bigint, tokens: bigint): TallyEntry => ({
  projectId: BigInt(projectId),
  cost,
  tokens,
  supporters: 1n,
});

describe("output for people", function () {
  describe("progress in a log", function () {
    it("writes the start, each tenth, a line every 10 s when tenths come slower, and the end with its time", function () {
      const lines: string[] = [];
      let clock = 0;
      const progress = lineProgress(
        "Casting ballots",
        1000,
        (line) => lines.push(line),
        () => clock,
      );
      for (let i = 0; i < 1000; i++) {
        // The 5th ballot arrives after 12 s: a line although no new tenth was reached.
        clock += i === 4 ? 12_000 : 1;
        progress.increment();
      }
      progress.stop();
      expect(lines).to.deep.equal([
        "Casting ballots: 0/1000",
        "Casting ballots: 5/1000 (0%)",
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((tenth) => `Casting ballots: ${tenth * 100}/1000 (${tenth * 10}%)`),
        "Casting ballots: 1000/1000 done in 13.0 s",
      ]);
    });
  });

  describe("the core's formatters", function () {
    it("writes kopecks as rubles for ru-RU, exactly, with kopecks only when there are any", function () {
      expect(rubles(150_000_000n)).to.equal("1\u00a0500\u00a0000\u00a0₽");
      expect(rubles(150_050n)).to.equal("1\u00a0500,50\u00a0₽");
      expect(rubles(1_234_567_890_123_456_789n)).to.equal("12\u00a0345\u00a0678\u00a0901\u00a0234\u00a0567,89\u00a0₽");
      expect(rubles(150_050n, "en-GB")).to.equal("RUB\u00a01,500.50");
    });

    it("names districts and projects, and a resident of any district as such", function () {
      const labels = { projects: new Map([[3, "Сквер"]]), districts: new Map([[0, "Центральный"]]) };
      expect(districtLabel(ANY_DISTRICT, labels)).to.equal("any district");
      expect(districtLabel(0, labels)).to.equal('district 0 "Центральный"');
      expect(districtLabel(1, labels)).to.equal("district 1");
      expect(projectLabel(3, labels)).to.equal('project 3 "Сквер"');
      expect(projectLabel(4, labels)).to.equal("project 4");
    });

    it("prints chain times in the time zone the spec's dates were written in", function () {
      expect(utcOffsetOf("2027-03-01T00:00:00+03:00")).to.equal("+03:00");
      expect(utcOffsetOf("2027-03-01T00:00:00-0530")).to.equal("-05:30");
      expect(utcOffsetOf("2027-03-01T00:00:00Z")).to.equal("+00:00");
      expect(utcOffsetOf("1803848400")).to.equal(undefined);
      const opensAt = Date.parse("2027-03-01T00:00:00+03:00") / 1000;
      expect(formatTime(opensAt, "+03:00")).to.equal("2027-03-01 00:00 (UTC+03:00)");
      expect(formatTime(opensAt)).to.equal("2027-02-28 21:00 (UTC+00:00)");
      expect(formatTime(opensAt + 5, "-05:30")).to.equal("2027-02-28 15:30:05 (UTC-05:30)");
    });

    it("finds the ties whose tie-break decided the winners, and only those", function () {
      const rules = { rule: Rule.Ranked, minTokens: 0n, minSupporters: 0n };
      // 0 and 2 tie; taken as 0 then 2, project 0 fits and 2 does not; the other way round 2 and 1 would win.
      const deciding = [entry(0, 600n, 50n), entry(1, 400n, 80n), entry(2, 350n, 50n)];
      expect(decidingTies(deciding, 1000n, rules)).to.deep.equal([
        { tokens: 50n, projects: [0n, 2n], won: [0n], lost: [2n] },
      ]);
      // A tie where both fit either way decides nothing.
      expect(decidingTies([entry(0, 300n, 50n), entry(1, 300n, 50n)], 1000n, rules)).to.deep.equal([]);
    });
  });

  describe("the commands", function () {
    it("print rubles, titles, the round's time zone, provisional results and the deciding tie", async function () {
      const dir = tempDir();
      const now = await networkHelpers.time.latest();
      const files = writeSmallRound(dir, now, {
        opensAt: moscowIso(now + 86_400),
        closesAt: moscowIso(now + 15 * 86_400),
      });
      const ctx = commandContext(connection, dir);
      await deploy(ctx);
      const { round: address } = await createRound(ctx, { spec: files.spec });
      await mint(ctx, {});
      const residents = writeResidents(dir, [
        `${voters[0].address},Центральный,100`,
        `${voters[1].address},Центральный,100`,
        `${voters[2].address},any,100`,
      ]);
      const batch = await importParticipants(ctx, {}, { csv: residents });
      await open(ctx, {});

      const shown = recordingOutput();
      await showRound({ ...ctx, out: shown }, {});
      const text = shown.lines.join("\n");
      expect(text).to.contain(`voting ${formatTime(files.opensAt, "+03:00")} - `);
      expect(text).to.match(/\(UTC\+03:00\)/);
      expect(text).to.contain('project 0 "Спортплощадка у школы №5" [sport] cost 600\u00a0₽');
      expect(text).to.contain("budget 1\u00a0500,50\u00a0₽");
      expect(text).to.contain("a tie goes to the lower project id");

      // Each voter puts 100 ₽ into another project of the centre: a three-way tie that only the lower id breaks.
      const round = await ethers.getContractAt("Round", address);
      const banks = await Promise.all([0, 1, 2].map(async (id) => (await round.project(id)).bank));
      await networkHelpers.time.increaseTo(files.opensAt);
      await claimAndAllocateAll(
        round,
        batch.file,
        batch.batchId,
        voters.slice(0, 3),
        (voter) => banks[voters.indexOf(voter)],
      );

      const read = { rpc: connection.provider, round: address };
      const provisional = await voterReceipt({ ...read, address: voters[2].address }, ctx.publicationBase);
      expect(provisional.text).to.contain(`claimed 100\u00a0₽ (batch 0, any district)`);
      expect(provisional.text).to.contain('into project 2 "Ремонт библиотеки"');
      expect(provisional.text).to.contain("(UTC+03:00) block");
      expect(provisional.text).to.contain("provisional: its district is not finalized");
      expect(provisional.text).not.to.contain("the project wins");
      const leading = await voterReceipt({ ...read, address: voters[0].address }, ctx.publicationBase);
      expect(leading.text).to.contain("provisional: the project would win if voting ended now");

      await networkHelpers.time.increaseTo(files.closesAt);
      await finalize(ctx, {});
      const final = await voterReceipt({ ...read, address: voters[0].address }, ctx.publicationBase);
      expect(final.text).to.contain(
        'Now in project 0 "Спортплощадка у школы №5" (district 0 "Центральный"): 100\u00a0₽',
      );
      expect(final.text).to.contain("; the project wins");

      const audited = await auditRound(read, ctx.publicationBase);
      expect(audited.report.ok).to.equal(true);
      const transfers = audited.report.checks.find((c) => c.id === "transfers")!;
      // A mint, three grants and three deposits.
      expect(transfers.checked).to.equal(7);
      expect(audited.text).to.contain("Every token movement is a mint, a grant, a deposit or a withdrawal (7 checked)");
      expect(audited.text).to.contain("Budget 1\u00a0500,50\u00a0₽");
      expect(audited.text).to.contain(
        'project 1 "Освещение сквера": cost 400\u00a0₽, 100\u00a0₽ from 1 supporters, WINS',
      );
      expect(audited.text).to.contain(
        'tie at 100\u00a0₽ between project 0 "Спортплощадка у школы №5", project 1 "Освещение сквера", ' +
          'project 2 "Ремонт библиотеки", decided by the lower project id: project 0 "Спортплощадка у школы №5" won, ' +
          'where project 2 "Ремонт библиотеки" would have won the other way round',
      );
    });
  });
});
