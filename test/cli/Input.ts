import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { getAddress, hexlify, ZeroAddress } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { deploy } from "../../scripts/cli/deploy.js";
import { mint } from "../../scripts/cli/lifecycle.js";
import { importParticipants, treeFileText } from "../../scripts/cli/participants.js";
import { createRound } from "../../scripts/cli/round.js";
import { formatRubles } from "@kopilka/core/money";
import { fillText, PROBLEM_TEXTS } from "@kopilka/core/problems";
import { batchPath } from "@kopilka/core/publication";
import { assignAllowances, parseResidents, residentCapacity } from "@kopilka/core/residents";
import { InputError, parseRoundSpec, type InputProblem } from "@kopilka/core/spec";
import { loadRoundSpec } from "@kopilka/core/node";
import { commandContext, tempDir, writeResidents, writeSmallRound } from "./helpers.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "cli");
const DISTRICTS = ["Центральный", "Красноармейский"];

/** The problems `run` reports; fails the test when it reports none. */
function problemsOf(run: () => unknown): InputProblem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  expect.fail("expected the input to be rejected");
}

async function problemsOfAsync(promise: Promise<unknown>): Promise<InputProblem[]> {
  const error = await promise.then(
    () => expect.fail("expected the input to be rejected"),
    (e: unknown) => e,
  );
  if (!(error instanceof InputError)) throw error;
  return error.problems;
}

const linesOf = (problems: InputProblem[]) => problems.map((p) => [p.line, p.message]);

// --- generators ---

const address = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((bytes) => getAddress(hexlify(bytes)))
  .filter((a) => a !== ZeroAddress);

/** How a valid address may be written: checksummed, all lower or all upper case. */
const spelling = fc.constantFrom(
  (a: string) => a,
  (a: string) => a.toLowerCase(),
  (a: string) => "0x" + a.slice(2).toUpperCase(),
);

interface Row {
  account: string;
  district: string;
  amount: string;
}

const districtCell = fc.constantFrom("", "0", "1", "any", DISTRICTS[0], DISTRICTS[1].toUpperCase());
const amountCell = fc.oneof(
  fc.constant(""),
  fc.integer({ min: 1, max: 99_999 }).map((kopecks) => formatRubles(BigInt(kopecks))),
  fc.integer({ min: 1, max: 999 }).map(String),
);
const rows = fc.uniqueArray(fc.record({ account: address, district: districtCell, amount: amountCell }), {
  minLength: 1,
  maxLength: 25,
  selector: (row) => row.account.toLowerCase(),
});

const csvLine = (row: Row, spell: (a: string) => string = (a) => a) =>
  [spell(row.account), row.district, row.amount].join(",");

/** A checksummed address with one letter's case flipped, still in mixed case: fails EIP-55. */
const badChecksum = fc.tuple(address, fc.nat()).chain(([a, pick]) => {
  const letters = [...a.slice(2)].map((c, i) => (/[a-fA-F]/.test(c) ? i + 2 : -1)).filter((i) => i >= 0);
  const i = letters[pick % letters.length];
  const flipped =
    a.slice(0, i) + (a[i] === a[i].toLowerCase() ? a[i].toUpperCase() : a[i].toLowerCase()) + a.slice(i + 1);
  const body = flipped.slice(2);
  return body === body.toLowerCase() || body === body.toUpperCase() ? fc.constant(undefined) : fc.constant(flipped);
});

type BadRow = { line: (valid: Row[]) => string; reason: RegExp };
const badRows: fc.Arbitrary<BadRow> = fc.oneof(
  fc.nat().map((i) => ({
    line: (valid: Row[]) => `${valid[i % valid.length].account.toLowerCase()},,`,
    reason: /duplicate address/,
  })),
  fc
    .constantFrom("0x12", "0xZZ97970C51812dc3A010C7d01b50e0d17dc79C8", "70997970C51812dc3A010C7d01b50e0d17dc79C8", "")
    .map((text) => ({ line: () => `${text},0,1`, reason: /malformed address/ })),
  fc.constant({ line: () => `${ZeroAddress},,`, reason: /zero address/ }),
  badChecksum
    .filter((a): a is string => a !== undefined)
    .map((a) => ({ line: () => `${a},,`, reason: /EIP-55 checksum/ })),
  fc.tuple(address, fc.constantFrom("2", "65535", "Советский")).map(([a, d]) => ({
    line: () => `${a},${d},`,
    reason: /unknown district/,
  })),
  fc.tuple(address, fc.integer({ min: 1, max: 1000 })).map(([a, n]) => ({
    line: () => `${a},,-${n}`,
    reason: /negative amount/,
  })),
  fc.tuple(address, fc.constantFrom("abc", "1e3", "0x10", "12.3.4", "пять")).map(([a, n]) => ({
    line: () => `${a},,${n}`,
    reason: /not a number/,
  })),
  fc.tuple(address, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 9 })).map(([a, r, k]) => ({
    line: () => `${a},,${r}.00${k}`,
    reason: /more than two decimals/,
  })),
);

describe("kopilka input checks", function () {
  describe("residents file", function () {
    it("reports every bad row of the fixture at once, each with its line and reason", function () {
      const file = path.join(FIXTURES, "bad-residents.csv");
      const problems = problemsOf(() => parseResidents(readFileSync(file, "utf8"), file, DISTRICTS));
      expect(problems.every((p) => p.file === file)).to.equal(true);
      const expected: [number, RegExp][] = [
        [3, /duplicate address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 \(first on line 2\)/],
        [4, /malformed address "0x1234"/],
        [5, /zero address/],
        [6, /fails its EIP-55 checksum/],
        [7, /unknown district "7"/],
        [8, /unknown district "Тракторозаводский"/],
        [9, /negative amount "-5"/],
        [10, /not a number: "десять"/],
        [11, /more than two decimals: "1.005"/],
      ];
      expect(problems.map((p) => p.line)).to.deep.equal(expected.map(([line]) => line));
      problems.forEach((problem, i) => expect(problem.message).to.match(expected[i][1]));
    });

    it("reports each problem of the file and of its allowances by a stable code and its values beside the English words", function () {
      const [a, b, c, d] = [
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
      ];
      const file = ["address,district,amount", `${a},0,10`, `${a.toLowerCase()},1`, `${b},Тракторозаводский`];
      file.push(`${c},,0`, `${c},0,10,лишнее`, "0x1234,0", `${d},,-5`);
      const found = problemsOf(() => parseResidents(file.join("\n"), "r.csv", DISTRICTS));
      const none = problemsOf(() => parseResidents("address,district,amount\n", "r.csv", DISTRICTS));
      const rows = parseResidents(`${a},,20\n${b}\n`, "r.csv", DISTRICTS);
      const undeclared = problemsOf(() => assignAllowances(rows, { unposted: 1000n, allowance: 0n }, "r.csv"));
      const tooMany = problemsOf(() => assignAllowances(rows, { unposted: 2999n, allowance: 1000n }, "r.csv"));
      const tooMuch = problemsOf(() =>
        assignAllowances([rows[0], { ...rows[1], amount: 500n }], { unposted: 2000n, allowance: 0n }, "r.csv"),
      );
      const problems = [...found, ...none, ...undeclared, ...tooMany, ...tooMuch];
      expect(problems.map(({ line, code, values }) => ({ line, code, values }))).to.deep.equal([
        { line: 3, code: "resident-duplicate", values: { address: a, first: 2 } },
        { line: 4, code: "resident-district-unknown", values: { district: "Тракторозаводский", districts: 2 } },
        { line: 5, code: "resident-amount-zero", values: undefined },
        { line: 6, code: "residents-columns", values: { columns: 4 } },
        { line: 7, code: "address-malformed", values: { text: "0x1234" } },
        { line: 8, code: "amount-negative", values: { text: "-5" } },
        { line: undefined, code: "residents-none", values: undefined },
        { line: 2, code: "resident-amount-undeclared", values: undefined },
        {
          line: undefined,
          code: "residents-above-unposted-room",
          values: { residents: 2, total: "30.00", unposted: "29.99", room: "2", each: "10.00" },
        },
        {
          line: undefined,
          code: "residents-above-unposted",
          values: { residents: 2, total: "25.00", unposted: "20.00" },
        },
      ]);
      expect(problems.map((p) => p.message)).to.deep.equal([
        `duplicate address ${a} (first on line 2)`,
        'unknown district "Тракторозаводский" (the round has 2)',
        "zero allowance",
        "expected address[,district][,amount], got 4 columns",
        'malformed address "0x1234"',
        'negative amount "-5"',
        "no residents",
        "no amount, and the round declares no allowance per resident",
        "2 residents need 30.00, above the 29.99 of the budget not posted yet: room for 2 more at 10.00 each",
        "2 residents need 25.00, above the 20.00 of the budget not posted yet",
      ]);
      for (const p of problems) expect(fillText(PROBLEM_TEXTS[p.code!], p.values)).to.equal(p.message);
    });

    it("accepts districts by id, by name in any case, or none", function () {
      const [a, b, c] = [
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      ];
      const parsed = parseResidents(`${a},1\n${b},центральный\n${c}\n`, "r.csv", DISTRICTS);
      expect(parsed.map((r) => r.district)).to.deep.equal([1, 0, 0xffff]);
    });

    it("gives each resident without an amount the declared allowance and reports the remainder", function () {
      const residents = parseResidents(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8\n0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n" +
          "0x90F79bf6EB2c4f870365E785982E1f101E93b906,,1\n",
        "r.csv",
        DISTRICTS,
      );
      const allowances = assignAllowances(residents, { unposted: 1001n, allowance: 300n }, "r.csv");
      expect(allowances.participants.map((p) => p.amount)).to.deep.equal([300n, 300n, 100n]);
      expect(allowances.each).to.equal(300n);
      expect(allowances.remainder).to.equal(1001n - 700n);
      expect(allowances.total + allowances.remainder).to.equal(1001n);
    });

    it("never gives one resident what is left of the budget: two residents of a 3,000,000 budget get 1,000 each", function () {
      // The old default, an equal share of what was unallocated, gave one of two residents 2,997,999.50.
      const residents = parseResidents(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8,,2000\n0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n",
        "r.csv",
        DISTRICTS,
      );
      const allowances = assignAllowances(residents, { unposted: 300_000_000n, allowance: 100_000n }, "r.csv");
      expect(allowances.participants.map((p) => p.amount)).to.deep.equal([200_000n, 100_000n]);
      expect(allowances.remainder).to.equal(300_000_000n - 300_000n);
    });

    it("refuses a row without an amount when the round declares no allowance, naming its line", function () {
      const residents = parseResidents(
        "address,district,amount\n0x70997970C51812dc3A010C7d01b50e0d17dc79C8,,5\n0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n",
        "r.csv",
        DISTRICTS,
      );
      const problems = problemsOf(() => assignAllowances(residents, { unposted: 1000n, allowance: 0n }, "r.csv"));
      expect(problems.map((p) => [p.line, p.message])).to.deep.equal([
        [3, "no amount, and the round declares no allowance per resident"],
      ]);
    });

    it("rejects allowances above what is not posted yet, saying how many residents still fit", function () {
      const residents = parseResidents(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8,,20\n0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n",
        "r.csv",
        DISTRICTS,
      );
      expect(
        problemsOf(() => assignAllowances(residents, { unposted: 2999n, allowance: 1000n }, "r.csv"))[0].message,
      ).to.equal("2 residents need 30.00, above the 29.99 of the budget not posted yet: room for 2 more at 10.00 each");
    });

    it("counts the capacity as whole allowances of the minted supply not posted yet", function () {
      expect(residentCapacity({ supply: 300_000_000n, postedTotal: 100_000n, allowance: 100_000n })).to.equal(2_999n);
      expect(residentCapacity({ supply: 299_999n, postedTotal: 0n, allowance: 100_000n })).to.equal(2n);
      expect(residentCapacity({ supply: 100n, postedTotal: 100n, allowance: 1n })).to.equal(0n);
      expect(residentCapacity({ supply: 100n, postedTotal: 0n, allowance: 0n })).to.equal(undefined);
    });

    it("gives the same root and byte-identical tree file for any order and spelling of the rows", function () {
      fc.assert(
        fc.property(
          rows,
          fc.array(fc.integer(), { minLength: 25, maxLength: 25 }),
          fc.array(spelling, { minLength: 25, maxLength: 25 }),
          fc.bigInt({ min: 10_000_000n, max: 10n ** 12n }),
          (valid, keys, spellings, unallocated) => {
            const treeOf = (lines: string[]) =>
              treeFileText(
                assignAllowances(
                  parseResidents(lines.join("\n"), "r.csv", DISTRICTS),
                  { unposted: unallocated, allowance: 1_000n },
                  "r.csv",
                ),
              );
            const reference = treeOf(valid.map((row) => csvLine(row)));
            const order = valid.map((_, i) => i).sort((x, y) => keys[x] - keys[y] || x - y);
            const shuffled = treeOf(["address,district,amount", ...order.map((i) => csvLine(valid[i], spellings[i]))]);
            expect(shuffled.root).to.equal(reference.root);
            expect(shuffled.text).to.equal(reference.text);
          },
        ),
        { numRuns: 60 },
      );
    });

    it("reports one bad row injected anywhere with its exact line, and only it", function () {
      fc.assert(
        fc.property(rows, badRows, fc.nat(), (valid, bad, at) => {
          const position = at % (valid.length + 1);
          const lines = valid.map((row) => csvLine(row));
          lines.splice(position, 0, bad.line(valid));
          const problems = problemsOf(() =>
            parseResidents(["address,district,amount", ...lines].join("\n"), "r.csv", DISTRICTS),
          );
          expect(problems).to.have.length(1);
          // A duplicate is reported where the address appears the second time.
          const duplicateOf = valid.findIndex((row) => bad.line(valid).startsWith(row.account.toLowerCase() + ","));
          const expectedLine = (duplicateOf >= 0 && duplicateOf >= position ? duplicateOf + 1 : position) + 2;
          expect(problems[0].line).to.equal(expectedLine, problems[0].message);
          expect(problems[0].message).to.match(bad.reason);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe("round spec", function () {
    it("accepts the committee's example spec and residents", function () {
      const examples = path.join(FIXTURES, "..", "..", "..", "scripts", "cli", "examples");
      const spec = loadRoundSpec(path.join(examples, "round.json"));
      expect(spec.districts.reduce((sum, d) => sum + d.budget, 0n)).to.equal(spec.budget);
      const residents = path.join(examples, "residents.csv");
      const names = spec.districts.map((d) => d.name);
      expect(parseResidents(readFileSync(residents, "utf8"), residents, names)).to.have.length(5);
    });

    it("reports every mistake of the fixture at once", function () {
      const spec = path.join(FIXTURES, "bad-round", "round.json");
      const projects = path.join(FIXTURES, "bad-round", "projects.csv");
      const problems = problemsOf(() => loadRoundSpec(spec));
      expect(linesOf(problems.filter((p) => p.file === projects)).map(([line]) => line)).to.deep.equal([3, 4, 5, 6, 7]);
      const byLine = new Map(problems.filter((p) => p.file === projects).map((p) => [p.line, p.message]));
      expect(byLine.get(3)).to.match(/district "Советский" does not exist/);
      expect(byLine.get(4)).to.match(/cost 600,01\s₽ is above the budget of district "Ворошиловский" \(600\s₽\)/);
      expect(byLine.get(5)).to.match(/unknown category "casino"/);
      expect(byLine.get(6)).to.match(/empty title/);
      expect(byLine.get(7)).to.match(/more than two decimals: "1.234"/);
      const specProblems = problems.filter((p) => p.file === spec);
      expect(specProblems.map((p) => [p.where, p.message])).to.deep.equal([
        ["districts", "district budgets add up to 900\u00a0₽, not to the round budget 1\u00a0000\u00a0₽"],
      ]);
    });

    it("reports bad district rows with their lines, and bad fields of the spec by name", function () {
      const problems = problemsOf(() =>
        parseRoundSpec(
          { name: "", budget: "-1", opensAt: "tomorrow", closesAt: 5, rule: "lottery", districts: "d.csv" },
          "round.json",
          () => "name,budget\nA,10\n,5\nA,1.5.5\n",
        ),
      );
      expect(problems.filter((p) => p.file === "round.json").map((p) => p.where)).to.deep.equal([
        "name",
        "budget",
        "opensAt",
        "rule",
      ]);
      expect(problems.filter((p) => p.file === "d.csv").map((p) => [p.line, p.message])).to.deep.equal([
        [3, "empty district name"],
        [4, 'duplicate district "A"'],
        [4, 'not a number: "1.5.5"'],
      ]);
    });

    it("reads the declared allowance and district binding, and refuses an allowance of zero or above the budget", function () {
      const spec = {
        name: "R",
        budget: "1000",
        opensAt: 2_000_000_000,
        closesAt: 2_000_100_000,
        districts: [{ name: "A", budget: "1000" }],
      };
      const parsed = parseRoundSpec({ ...spec, allowance: "250.50", residentsBound: true }, "round.json", () => "");
      expect([parsed.allowance, parsed.residentsBound]).to.deep.equal([25_050n, true]);
      const none = parseRoundSpec(spec, "round.json", () => "");
      expect([none.allowance, none.residentsBound]).to.deep.equal([0n, false]);
      for (const [extra, message] of [
        [{ allowance: "0" }, "the allowance must be above zero"],
        [{ allowance: "1000.01" }, "the allowance 1000.01 is above the budget 1000.00"],
        [{ residentsBound: "yes" }, 'expected true or false, got "yes"'],
      ] as const) {
        const problems = problemsOf(() => parseRoundSpec({ ...spec, ...extra }, "round.json", () => ""));
        expect(problems.map((p) => p.message)).to.deep.equal([message]);
      }
    });

    it("reports one mistake injected into a valid spec, with its line", function () {
      const districtsArb = fc.array(fc.bigInt({ min: 1n, max: 10n ** 9n }), { minLength: 1, maxLength: 5 });
      const mistake = fc.constantFrom("budget", "district", "cost", "category", "title", "decimals");
      fc.assert(
        fc.property(
          districtsArb,
          fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 8 }),
          mistake,
          fc.nat(),
          (budgets, raw, kind, at) => {
            const projects = raw.map(([d, c]) => {
              const district = d % budgets.length;
              return { district, cost: (BigInt(c) % budgets[district]) + 1n };
            });
            const line = (p: { district: number; cost: bigint }) => [
              `D${p.district}`,
              `Проект`,
              "",
              "sport",
              formatRubles(p.cost),
            ];
            const cells = projects.map(line);
            const target = at % (cells.length + 1);
            const injected = [`D0`, `Проект`, "", "sport", "0.01"];
            if (kind === "district") injected[0] = `D${budgets.length}`;
            if (kind === "cost") injected[4] = formatRubles(budgets[0] + 1n);
            if (kind === "category") injected[3] = "lottery";
            if (kind === "title") injected[1] = " ";
            if (kind === "decimals") injected[4] = "1.001";
            if (kind !== "budget") cells.splice(target, 0, injected);
            const total = budgets.reduce((s, b) => s + b, 0n) + (kind === "budget" ? 1n : 0n);
            const files: Record<string, string> = {
              "d.csv": ["name,budget", ...budgets.map((b, i) => `D${i},${formatRubles(b)}`)].join("\n"),
              "p.csv": ["district,title,description,category,cost", ...cells.map((c) => c.join(","))].join("\n"),
            };
            const spec = {
              name: "R",
              budget: formatRubles(total),
              opensAt: 2_000_000_000,
              closesAt: 2_000_100_000,
              districts: "d.csv",
              projects: "p.csv",
            };
            const problems = problemsOf(() => parseRoundSpec(spec, "round.json", (name) => files[name]));
            expect(problems).to.have.length(1);
            if (kind === "budget") expect(problems[0]).to.deep.include({ file: "round.json", where: "districts" });
            else expect(problems[0]).to.deep.include({ file: "p.csv", line: target + 2 });
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe("on the chain", function () {
    async function preparedRound() {
      const dir = tempDir();
      const files = writeSmallRound(dir, await networkHelpers.time.latest());
      const ctx = commandContext(connection, dir);
      await deploy(ctx);
      const { round } = await createRound(ctx, { spec: files.spec });
      await mint(ctx, {});
      return { dir, ctx, round };
    }

    it("sends nothing for a residents file with a bad row anywhere, and writes no tree", async function () {
      const { dir, ctx, round } = await networkHelpers.loadFixture(preparedRound);
      const [signer] = await ethers.getSigners();
      const nonce = await ethers.provider.getTransactionCount(signer.address);
      await fc.assert(
        fc.asyncProperty(rows, badRows, fc.nat(), async (valid, bad, at) => {
          const lines = valid.map((row) => csvLine(row));
          const position = at % (lines.length + 1);
          lines.splice(position, 0, bad.line(valid));
          const csv = writeResidents(dir, lines);
          const problems = await problemsOfAsync(importParticipants(ctx, {}, { csv }));
          expect(problems).to.have.length(1);
          expect(problems[0].file).to.equal(csv);
          expect(problems[0].message).to.match(bad.reason);
        }),
        { numRuns: 25 },
      );
      expect(await ethers.provider.getTransactionCount(signer.address)).to.equal(nonce);
      const airdrop = await ethers.getContractAt(
        "Airdrop",
        await (await ethers.getContractAt("Round", round)).airdrop(),
      );
      expect(await airdrop.batchCount()).to.equal(0n);
      expect(existsSync(batchPath(ctx.publicationBase, 31337, round, 0))).to.equal(false);
    });

    it("sends nothing for a spec with mistakes, not even the round", async function () {
      const dir = tempDir();
      const ctx = commandContext(connection, dir);
      await deploy(ctx);
      const [signer] = await ethers.getSigners();
      const nonce = await ethers.provider.getTransactionCount(signer.address);
      const problems = await problemsOfAsync(
        createRound(ctx, { spec: path.join(FIXTURES, "bad-round", "round.json") }),
      );
      expect(problems).to.have.length(6);
      expect(await ethers.provider.getTransactionCount(signer.address)).to.equal(nonce);
    });
  });
});
