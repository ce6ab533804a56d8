/**
 * Files as municipal staff save them from Russian Excel: Windows-1251 with `;` between fields and decimal commas
 * (the fixtures hold real Windows-1251 bytes, written with iconv), read as they are or refused with one message
 * that says what was found and how to save the file; and the export Russian Excel opens as it is.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { network } from "hardhat";

import { exportResults } from "../../scripts/cli/audit.js";
import { deploy } from "../../scripts/cli/deploy.js";
import { mint, open } from "../../scripts/cli/lifecycle.js";
import { importParticipants } from "../../scripts/cli/participants.js";
import { createRound } from "../../scripts/cli/round.js";
import { loadRoundSpec, readTableFile } from "@kopilka/core/node";
import { ANY_DISTRICT } from "@kopilka/core/participants";
import { parseResidents, type ResidentRow } from "@kopilka/core/residents";
import { csvDelimiter, decodeTableFile, InputError, parseCsv } from "@kopilka/core/spec";
import { claimAndAllocateAll, commandContext, recordingOutput, tempDir } from "./helpers.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const EXCEL = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "cli", "excel");
const DISTRICTS = ["Центральный", "Красноармейский"];

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error.problems).to.have.length(1);
    return error.problems[0].message;
  }
  return expect.fail("expected the file to be refused");
}

describe("files from Excel", function () {
  describe("reading", function () {
    it("reads Russian Excel's residents file: Windows-1251, semicolons, a Russian header and decimal commas", function () {
      const file = path.join(EXCEL, "residents-cp1251.csv");
      const bytes = readFileSync(file);
      // Real Windows-1251: "Адрес" is C0 E4 F0 E5 F1, and no byte sequence of it is UTF-8.
      expect([...bytes.subarray(0, 5)]).to.deep.equal([0xc0, 0xe4, 0xf0, 0xe5, 0xf1]);
      const decoded = readTableFile(file);
      expect(decoded.encoding).to.equal("windows-1251");
      expect(csvDelimiter(decoded.text)).to.equal(";");
      const rows = parseResidents(decoded.text, file, DISTRICTS);
      expect(rows.map(({ district, amount }: ResidentRow) => [district, amount])).to.deep.equal([
        [0, 10_050n],
        [1, undefined],
        [ANY_DISTRICT, undefined],
      ]);
    });

    it("reads a round spec whose CSV files Excel saved, places with decimal commas included", function () {
      const spec = loadRoundSpec(path.join(EXCEL, "round.json"));
      expect(spec.districts.map((d) => [d.name, d.budget])).to.deep.equal([
        ["Центральный", 100_000n],
        ["Красноармейский", 50_050n],
      ]);
      expect(spec.projects.map((p) => p.metadata.title)).to.deep.equal([
        "Спортплощадка у школы №5",
        "Освещение сквера",
        "Ремонт библиотеки",
        "Детская площадка",
      ]);
      expect(spec.projects[0].metadata.description).to.equal("Покрытие; тренажёры «Старт»");
      expect(spec.projects[1].metadata.description).to.equal("Фонари вдоль аллеи — 12 шт.");
      expect(spec.projects[0].metadata.location).to.deep.equal({ lat: 48.7, lon: 44.51 });
      expect(spec.projects[2].cost).to.equal(35_025n);
    });

    it("reads UTF-8 with a byte order mark and Excel's UTF-16 'Unicode text' with tabs", function () {
      const text = "address\tdistrict\n0x70997970C51812dc3A010C7d01b50e0d17dc79C8\tЦентральный\n";
      const utf16 = new Uint8Array([
        0xff,
        0xfe,
        ...new Uint8Array(new Uint16Array([...text].map((c) => c.charCodeAt(0))).buffer),
      ]);
      const decoded = decodeTableFile(utf16, "unicode.txt");
      expect(decoded).to.deep.equal({ text, encoding: "utf-16le" });
      expect(parseCsv(decoded.text, "unicode.txt").rows[1].cells).to.deep.equal([
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "Центральный",
      ]);
      const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("name,budget\nЦентр,1\n")]);
      expect(decodeTableFile(bom, "bom.csv")).to.deep.equal({ text: "name,budget\nЦентр,1\n", encoding: "utf-8" });
    });

    it("refuses a workbook and text in another encoding with one message that says how to save the file", function () {
      const workbook = refusal(() => decodeTableFile(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), "r.xlsx"));
      expect(workbook).to.match(
        /^this is an Excel workbook \(\.xlsx, a zip archive\), not a CSV file\. Save it as CSV/,
      );
      expect(workbook).to.contain('"CSV UTF-8 (comma delimited)"');
      // UTF-16 without its byte order mark: a zero byte after every ASCII letter.
      const bare = new Uint8Array(new Uint16Array([..."address\n0x12"].map((c) => c.charCodeAt(0))).buffer);
      expect(refusal(() => decodeTableFile(bare, "bare.csv"))).to.match(
        /^the file is neither UTF-8 nor Windows-1251 text \(byte 0x00 on line 1\)\. Save it as CSV/,
      );
      // Latin-1 box drawing (0xB3) is no Russian text either.
      expect(refusal(() => decodeTableFile(new Uint8Array([0x61, 0x0a, 0x62, 0xb3]), "box.csv"))).to.contain(
        "(byte 0xB3 on line 2)",
      );
    });
  });

  describe("the commands", function () {
    it("import Excel's residents file, saying how it was read, and export CSV that Russian Excel opens", async function () {
      const dir = tempDir();
      const out = recordingOutput();
      const ctx = { ...commandContext(connection, dir), out };
      const spec = JSON.parse(readFileSync(path.join(EXCEL, "round.json"), "utf8"));
      const now = await networkHelpers.time.latest();
      for (const file of ["districts.csv", "projects.csv"])
        writeFileSync(path.join(dir, file), readFileSync(path.join(EXCEL, file)));
      writeFileSync(
        path.join(dir, "round.json"),
        JSON.stringify({ ...spec, opensAt: now + 86_400, closesAt: now + 15 * 86_400 }),
      );
      await deploy(ctx);
      const { round: address } = await createRound(ctx, { spec: path.join(dir, "round.json") });
      await mint(ctx, {});
      const batch = await importParticipants(ctx, {}, { csv: path.join(EXCEL, "residents-cp1251.csv") });
      expect(batch.residents).to.equal(3);
      expect(out.lines).to.include(
        `Read ${path.join(EXCEL, "residents-cp1251.csv")} as windows-1251 text separated by semicolons`,
      );
      await open(ctx, {});
      const round = await ethers.getContractAt("Round", address);
      const bank = (await round.project(2)).bank;
      await networkHelpers.time.increase(86_400);
      const voter = (await ethers.getSigners()).find(
        (s) => s.address === "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      )!;
      await claimAndAllocateAll(round, batch.file, batch.batchId, [voter], () => bank);

      const exportDir = path.join(dir, "excel");
      await exportResults(
        { rpc: connection.provider, round: address, format: "csv", excel: true, out: exportDir },
        ctx.publicationBase,
      );
      expect(readdirSync(exportDir).sort()).to.deep.equal(["ballots.csv", "results.csv"]);
      const results = readFileSync(path.join(exportDir, "results.csv"));
      expect([...results.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      const lines = results.toString("utf8").slice(1).split("\r\n");
      expect(lines[0]).to.equal(
        "district;districtName;project;cost;tokens;supporters;won;fundedAmount;implementationStatus;amountSpent",
      );
      expect(lines[3]).to.equal("0;Центральный;2;350,25;100,50;1;true;0,00;none;0,00");
      const ballots = readFileSync(path.join(exportDir, "ballots.csv"), "utf8");
      expect(ballots).to.equal("\uFEFFvoter;voterDistrict;project;amount\r\n1;0;2;100,50\r\n");
      // What Kopilka writes for Excel, Kopilka reads back.
      expect(parseCsv(decodeTableFile(results, "results.csv").text, "results.csv").rows[3].cells[3]).to.equal("350,25");
    });
  });
});
