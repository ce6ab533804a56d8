/**
 * The committee's contest commands, end to end on a local chain: deploy the contest factory, create a contest from
 * its spec, post residents, screen (admit, return with a reason, reject), decide after the review, create the
 * round from the contest, and audit the round with the contest's checks.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { Address, Hex } from "viem";

import { auditRound } from "../../scripts/cli/audit.js";
import {
  contestDirectory,
  createContest,
  decideContest,
  deployContestFactory,
  postContestResidents,
  screenInitiative,
  showContest,
  writeContent,
} from "../../scripts/cli/contest.js";
import { deploy } from "../../scripts/cli/deploy.js";
import { mint } from "../../scripts/cli/lifecycle.js";
import { createRound } from "../../scripts/cli/round.js";
import {
  InitiativeStatus,
  contestDomain,
  criteriaHash,
  initiativeDocument,
  noteDocument,
  parseInitiativeDocument,
  readJsonContent,
} from "@kopilka/core/contest";
import { projectMetadataPath } from "@kopilka/core/publication";
import {
  DEFAULT_CRITERIA,
  cosignInitiative,
  signedSheet,
  submitInitiative,
  type ContestSigner,
  type CreatedContest,
  type PostedResidents,
} from "../../scripts/hardhat/contestFixtures.js";
import { DAY } from "../../scripts/hardhat/fixtures.js";
import { commandContext, tempDir } from "./helpers.js";
import type { Participant } from "@kopilka/core/participants";
import { buildParticipantTree, findParticipant } from "@kopilka/core/participants";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const DISTRICTS = ["Центральный", "Краснооктябрьский"];

describe("kopilka contest", function () {
  it("runs a contest from its spec to the round made of its passed initiatives, which the audit checks", async function () {
    const dir = tempDir("kopilka-contest-");
    const ctx = commandContext(connection, dir);
    const signers = await ethers.getSigners();
    const now = await networkHelpers.time.latest();
    const experts = signers.slice(10, 13);
    const spec = path.join(dir, "contest.json");
    writeFileSync(
      spec,
      JSON.stringify({
        name: "Конкурс инициатив",
        submissionsOpenAt: new Date((now + DAY) * 1000).toISOString(),
        submissionsCloseAt: now + 15 * DAY,
        reviewClosesAt: now + 29 * DAY,
        districts: DISTRICTS,
        criteria: [
          { name: "Польза для жителей", weight: 3, maxScore: 10 },
          { name: "Реализуемость", weight: 2, maxScore: 10, floorPercent: 30 },
          { name: "Софинансирование", weight: 1, maxScore: 5 },
        ],
        passMarkPercent: 60,
        minGroup: 3,
        minSheets: 2,
        experts: experts.map((expert) => expert.address),
      }),
    );
    await deployContestFactory(ctx);
    const { contest: address } = await createContest(ctx, { spec });
    const { chainId } = await ethers.provider.getNetwork();
    const contestDir = contestDirectory(ctx.publicationBase, chainId, address);
    const template = readJsonContent(
      readFileSync(
        path.join(contestDir, "content", await (await ethers.getContractAt("Contest", address)).templateHash()),
      ),
    ) as { criteria: { name: string }[] };
    expect(template.criteria.map((criterion) => criterion.name)).to.deep.equal([
      "Польза для жителей",
      "Реализуемость",
      "Софинансирование",
    ]);

    const people = signers.slice(5, 9);
    const csv = path.join(dir, "residents.csv");
    writeFileSync(csv, people.map((p, i) => `${p.address},${DISTRICTS[i % 2]}`).join("\n") + "\n");
    const { batchId } = await postContestResidents(ctx, { contest: address, csv });
    const participants: Participant[] = people.map((p, i) => ({ account: p.address, district: i % 2, amount: 0n }));
    const tree = buildParticipantTree(participants);
    const residents: PostedResidents = {
      batchId: BigInt(batchId),
      tree,
      resident(account) {
        const { participant, proof } = findParticipant(tree, account)!;
        return { batchId: BigInt(batchId), ...participant, proof };
      },
    };
    const contest = await ethers.getContractAt("Contest", address);
    const created = {
      contest,
      address: address as Address,
      domain: contestDomain(chainId, address),
      criteriaHash: criteriaHash(DEFAULT_CRITERIA),
    } as CreatedContest;
    const who = (i: number): ContestSigner => ({ address: people[i].address, wallet: people[i] });

    await networkHelpers.time.increaseTo(now + DAY);
    const ids: bigint[] = [];
    for (let i = 0; i < 4; i++) {
      const document = initiativeDocument({
        contest: address as Address,
        title: `Инициатива ${i}`,
        description: "Что и зачем",
        district: i % 2,
        category: "playgrounds",
        cost: {
          totalKopecks: String(50_000_00 * (i + 1)),
          breakdown: [{ item: "Всё", kopecks: String(50_000_00 * (i + 1)) }],
        },
        location: { lat: 48.7, lon: 44.5 },
        photos: [],
        cofinancingKopecks: "0",
        amends: null,
      });
      const hash = writeContent(contestDir, document);
      const id = await submitInitiative(created, residents, who(i), i % 2, hash);
      for (const j of [1, 2, 3].map((k) => (i + k) % 4).slice(0, 2)) {
        await cosignInitiative(created, residents, who(j), id, 1, hash);
      }
      ids.push(id);
    }
    await screenInitiative(ctx, { contest: address, id: 0, action: "admit" });
    // The committee may name an initiative by the number the pages show (from 1) instead of its id (from 0).
    await screenInitiative(ctx, { contest: address, number: 2, action: "admit" });
    const { reasonHash } = await screenInitiative(ctx, {
      contest: address,
      id: 2,
      action: "reject",
      reason: "Участок не принадлежит городу",
    });
    expect(readFileSync(path.join(contestDir, "content", reasonHash!))).to.deep.equal(
      Buffer.from(noteDocument("Участок не принадлежит городу")),
    );
    await screenInitiative(ctx, { contest: address, id: 3, action: "return", reason: "Уточните смету" });
    let refused: Error | undefined;
    await screenInitiative(ctx, { contest: address, id: 3, action: "reject" }).catch(
      (error: Error) => (refused = error),
    );
    expect(refused?.message).to.match(/--reason is required/);

    await networkHelpers.time.increaseTo(now + 15 * DAY);
    for (const [id, scores] of [
      [0n, [9, 8, 4]],
      [1n, [3, 2, 1]],
    ] as const) {
      for (const expert of experts.slice(0, 2)) {
        const signed = await signedSheet(created, { address: expert.address, wallet: expert }, id, [...scores]);
        await contest.submitSheet(signed.sheet, signed.scheme, signed.signature);
      }
    }
    let early: Error | undefined;
    await decideContest(ctx, { contest: address }).catch((error: Error) => (early = error));
    expect(early?.message).to.match(/review is still open/);
    await networkHelpers.time.increaseTo(now + 29 * DAY);
    expect(await decideContest(ctx, { contest: address })).to.deep.equal({ decided: 2, passed: 1 });
    const shown = await showContest(ctx, { contest: address });
    expect(shown.map((item) => item.status)).to.deep.equal([
      InitiativeStatus.Passed,
      InitiativeStatus.Failed,
      InitiativeStatus.Rejected,
      InitiativeStatus.Returned,
    ]);

    // The round: its districts are the contest's, its projects come from the contest alone.
    await deploy(ctx);
    const later = await networkHelpers.time.latest();
    writeFileSync(path.join(dir, "districts.csv"), `name,budget\n${DISTRICTS[0]},1000000\n${DISTRICTS[1]},500000\n`);
    const roundSpec = path.join(dir, "round.json");
    writeFileSync(
      roundSpec,
      JSON.stringify({
        name: "Раунд по итогам конкурса",
        budget: "1500000",
        opensAt: new Date((later + DAY) * 1000).toISOString(),
        closesAt: later + 15 * DAY,
        rule: "ranked",
        allowance: "300",
        districts: "districts.csv",
      }),
    );
    const { round } = await createRound(ctx, { spec: roundSpec, fromContest: address });
    const roundContract = await ethers.getContractAt("Round", round);
    expect(await roundContract.projectCount()).to.equal(1n);
    const project = await roundContract.project(0);
    const passedDocument = parseInitiativeDocument(
      readFileSync(path.join(contestDir, "content", (await contest.initiative(0)).contentHash)),
    );
    if ("error" in passedDocument) throw new Error(passedDocument.error);
    expect(project.cost).to.equal(BigInt(passedDocument.fields.cost.totalKopecks));
    // The published metadata (which the audit checks against the on-chain hash) names the initiative.
    expect(JSON.parse(readFileSync(projectMetadataPath(ctx.publicationBase, chainId, round, 0), "utf8"))).to.deep.equal(
      {
        title: "Инициатива 0",
        description: "Что и зачем",
        category: "playgrounds",
        district: DISTRICTS[0],
        location: { lat: 48.7, lon: 44.5 },
        initiative: {
          contest: address.toLowerCase(),
          id: 0,
          version: 1,
          contentHash: (await contest.initiative(0)).contentHash as Hex,
        },
      },
    );

    await mint(ctx, { round });
    const { report } = await auditRound(
      { rpc: connection.provider, round, contest: address, skipResidentBalances: true },
      ctx.publicationBase,
    );
    const contestChecks = report.checks.filter((check) => check.id.startsWith("contest-"));
    expect(contestChecks.map((check) => [check.id, check.status])).to.deep.equal([
      ["contest-content", "pass"],
      ["contest-sheets", "pass"],
      ["contest-outcomes", "pass"],
      ["contest-groups", "pass"],
      ["contest-ballot", "pass"],
    ]);
    expect(report.ok, JSON.stringify(report.checks.filter((c) => c.status === "fail"))).to.equal(true);
  });
});
