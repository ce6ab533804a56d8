/**
 * The contest spec's districts (`parseContestSpec`): a name, or a name with its area on the map, which goes into the
 * content-addressed template; a contest without areas keeps the template it had.
 */
import { expect } from "chai";

import { districtArea, templateDocument } from "@kopilka/core/contest";
import { fillText, PROBLEM_TEXTS } from "@kopilka/core/problems";
import { InputError, type InputProblem } from "@kopilka/core/spec";
import { parseContestSpec, templateOf } from "@kopilka/core/contestSpec";

const EXPERT = "0x" + "11".repeat(20);
const NORTH = { minLat: 48.76, maxLat: 48.82, minLon: 44.5, maxLon: 44.62 };

function spec(districts: unknown): Record<string, unknown> {
  return {
    name: "Конкурс",
    submissionsOpenAt: 1_000,
    submissionsCloseAt: 2_000,
    reviewClosesAt: 3_000,
    districts,
    criteria: [{ name: "Польза", weight: 1, maxScore: 10 }],
    passMarkPercent: 50,
    minGroup: 1,
    minSheets: 1,
    experts: [EXPERT],
  };
}

function problemsOf(value: unknown): string[] {
  try {
    parseContestSpec(value, "contest.json");
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.where}: ${p.message}`);
    throw error;
  }
  return [];
}

describe("A contest spec's districts", function () {
  it("may give a district its area on the map, which the template keeps by the district's index", function () {
    const parsed = parseContestSpec(spec(["Центральный", { name: "Северный", area: NORTH }]), "contest.json");
    expect(parsed.districts).to.deep.equal(["Центральный", "Северный"]);
    expect(parsed.areas).to.deep.equal([null, NORTH]);
    const template = templateOf(parsed);
    expect(districtArea(template, 1)).to.deep.equal(NORTH);
    expect(districtArea(template, 0)).to.equal(undefined);
  });

  it("leaves the template as it was when no district has an area", function () {
    const parsed = parseContestSpec(spec(["Центральный", { name: "Северный" }]), "contest.json");
    expect(parsed).to.not.have.property("areas");
    expect(templateDocument(templateOf(parsed))).to.deep.equal(
      templateDocument({
        name: "Конкурс",
        districts: ["Центральный", "Северный"],
        categories: parsed.categories,
        criteria: parsed.criteria,
      }),
    );
  });

  it("names the district and the field of a bad area or a nameless district", function () {
    expect(
      problemsOf(
        spec([
          { name: "Северный", area: { ...NORTH, maxLat: 48.7 } },
          { name: "Южный", area: { minLat: 48.5, maxLat: 48.6, minLon: 44.5 } },
          { area: NORTH },
          { name: "Западный", area: { ...NORTH, minLon: 200, maxLon: 210 } },
        ]),
      ),
    ).to.deep.equal([
      "districts[0].area: the minimum must be below the maximum",
      "districts[1].area: expected {minLat, maxLat, minLon, maxLon} in degrees",
      "districts[2]: expected a name, or {name, area}",
      "districts[3].area: expected {minLat, maxLat, minLon, maxLon} in degrees",
    ]);
  });

  it("reports each problem by a stable code and its values beside the English words the CLI prints", function () {
    let problems: InputProblem[] = [];
    try {
      parseContestSpec({ ...spec(["Центральный"]), criteria: [{ name: "Польза", weight: "два", maxScore: 10 }] }, "c");
    } catch (error) {
      problems = (error as InputError).problems;
    }
    expect(problems).to.deep.equal([
      {
        file: "c",
        where: "criteria[0].weight",
        code: "whole-number",
        values: { min: 1, max: 1000 },
        message: "expected a whole number from 1 to 1000",
      },
    ]);
    expect(fillText(PROBLEM_TEXTS["whole-number"], problems[0].values)).to.equal(problems[0].message);
  });

  it("reads no area from a template that gives a malformed one", function () {
    expect(districtArea({ areas: [{ ...NORTH, minLat: "48" } as never] }, 0)).to.equal(undefined);
    expect(districtArea({}, 0)).to.equal(undefined);
  });
});
