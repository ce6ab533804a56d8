/**
 * The auditor's contest checks: a played contest passes them all, and each tampering is caught and named — a forged
 * or missing score sheet, a changed initiative text, a project that did not pass (and a passed one left out).
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { Hex } from "viem";

import {
  checkBallot,
  checkContest,
  loadContest,
  type BallotProject,
  type ContentSource,
  type ContestData,
} from "@kopilka/core/audit";
import { openContentFiles } from "@kopilka/core/node";
import {
  InitiativeStatus,
  ballotProjects,
  contentHash,
  initiativeNumber,
  parseInitiativeDocument,
  type PassedInitiative,
} from "@kopilka/core/contest";
import { playContest, type Scenario } from "../../scripts/hardhat/contestFixtures.js";

const connection = await network.create();
const { ethers, networkHelpers, provider } = connection;

describe("Auditing a contest", function () {
  let directory: string;
  let scenario: Scenario;
  let data: ContestData;
  let content: ContentSource;

  const write = async (bytes: Uint8Array): Promise<Hex> => {
    const hash = contentHash(bytes);
    await writeFile(path.join(directory, "content", hash), bytes);
    return hash;
  };

  /** The ballot `round create --from-contest` makes: the passed initiatives' final versions, numbered as projects. */
  async function honestBallot(): Promise<BallotProject[]> {
    const passed: PassedInitiative[] = [];
    for (const initiative of data.initiatives.filter((item) => item.status === InitiativeStatus.Passed)) {
      const parsed = parseInitiativeDocument((await content.read(initiative.contentHash))!);
      if ("error" in parsed) throw new Error(parsed.error);
      passed.push({ ...initiative, fields: parsed.fields });
    }
    return ballotProjects(data.settings.address, passed, scenario.districts).map((project, id) => ({
      id,
      district: project.district,
      cost: project.cost,
      initiative: project.metadata.initiative,
    }));
  }

  const failuresOf = async (tampered: ContestData, source = content, ballot?: BallotProject[]) =>
    (await checkContest(tampered, source, ballot))
      .filter((check) => check.status === "fail")
      .map((check) => ({ id: check.id, failures: check.failures }));

  before(async function () {
    directory = await mkdtemp(path.join(tmpdir(), "kopilka-contest-audit-"));
    await mkdir(path.join(directory, "content"));
    scenario = await playContest(ethers, networkHelpers, write, { initiatives: 12 });
    data = await loadContest({ rpc: provider, contest: scenario.created.address });
    content = openContentFiles(directory);
  });

  after(async function () {
    await rm(directory, { recursive: true, force: true });
    await connection.close();
  });

  it("passes a played contest and its honest ballot, every check having looked at something", async function () {
    const ballot = await honestBallot();
    // Twelve initiatives in two cycles of six states, each with one passed and one amended then passed.
    expect(ballot).to.have.length(4);
    const checks = await checkContest(data, content, ballot);
    expect(checks.map((check) => [check.id, check.status])).to.deep.equal([
      ["contest-content", "pass"],
      ["contest-sheets", "pass"],
      ["contest-outcomes", "pass"],
      ["contest-groups", "pass"],
      ["contest-ballot", "pass"],
    ]);
    for (const check of checks) expect(check.checked, check.id).to.be.greaterThan(0);
  });

  it("names a forged sheet: scores changed after the expert signed", async function () {
    const forged = structuredClone(data);
    const sheet = forged.events.find((event) => event.kind === "SheetSubmitted")!;
    if (sheet.kind !== "SheetSubmitted") throw new Error("unreachable");
    sheet.scores = sheet.scores.map((score) => Math.max(0, score - 1));
    const failed = await failuresOf(forged);
    expect(failed.map((check) => check.id)).to.deep.equal(["contest-sheets", "contest-outcomes"]);
    // A person reads the initiative's number, from 1; the id stays in the failure's own field.
    expect(failed[0].failures[0]).to.deep.include({
      item: `initiative № ${initiativeNumber(sheet.initiative)}, sheet of ${sheet.expert}`,
      initiative: sheet.initiative,
    });
    expect(failed[0].failures[0].message).to.match(/not the expert's/);
  });

  it("names a missing sheet: the outcome no longer follows from the published sheets", async function () {
    const missing = structuredClone(data);
    const index = missing.events.findIndex((event) => event.kind === "SheetSubmitted");
    const [removed] = missing.events.splice(index, 1);
    if (removed.kind !== "SheetSubmitted") throw new Error("unreachable");
    const failed = await failuresOf(missing);
    expect(failed.map((check) => check.id)).to.deep.equal(["contest-outcomes"]);
    expect(failed[0].failures[0]).to.deep.include({
      item: `initiative № ${initiativeNumber(removed.initiative)}`,
      initiative: removed.initiative,
    });
    expect(failed[0].failures[0].message).to.match(/2 published sheets, but the outcome counts 3/);
  });

  it("names a changed initiative text", async function () {
    const initiative = data.initiatives[0];
    const original = (await content.read(initiative.contentHash))!;
    const changed = new TextEncoder().encode(new TextDecoder().decode(original).replace("Что сделать", "Что снести"));
    const source: ContentSource = {
      location: "tampered",
      read: async (hash) => (hash === initiative.contentHash ? changed : await content.read(hash)),
    };
    const failed = await failuresOf(data, source);
    expect(failed.map((check) => check.id)).to.deep.equal(["contest-content"]);
    expect(failed[0].failures).to.deep.equal([
      {
        item: `initiative № 1 version 1`,
        message: `the file published as ${initiative.contentHash} hashes to ${contentHash(changed)}`,
        initiative: 0,
      },
    ]);
  });

  it("names a project that did not pass, and the passed initiative it replaced", async function () {
    const ballot = await honestBallot();
    const failedInitiative = data.initiatives.find((item) => item.status === InitiativeStatus.Failed)!;
    const [dropped] = ballot.splice(0, 1, {
      ...ballot[0],
      initiative: {
        contest: data.settings.address,
        id: failedInitiative.id,
        version: failedInitiative.version,
        contentHash: failedInitiative.contentHash,
      },
    });
    const check = await checkBallot(data, content, ballot);
    expect(check.status).to.equal("fail");
    expect(check.failures).to.deep.equal([
      {
        item: "project 0",
        message: `initiative № ${initiativeNumber(failedInitiative.id)} did not pass`,
        initiative: failedInitiative.id,
      },
      {
        item: `initiative № ${initiativeNumber(dropped.initiative!.id)}`,
        message: "passed but is not on the ballot",
        initiative: dropped.initiative!.id,
      },
    ]);
  });

  it("names a project that carries an earlier version of its initiative", async function () {
    const ballot = await honestBallot();
    const amended = data.initiatives.find((item) => item.status === InitiativeStatus.Passed && item.version === 2)!;
    const project = ballot.find((p) => p.initiative!.id === amended.id)!;
    project.initiative = { ...project.initiative!, version: 1 };
    const check = await checkBallot(data, content, ballot);
    expect(check.failures.map((failure) => failure.item)).to.deep.equal([`project ${project.id}`]);
    expect(check.failures[0].message).to.match(
      new RegExp(`of initiative № ${initiativeNumber(amended.id)}, whose final version is 2`),
    );
  });
});
