/**
 * The auditor on a round whose 1,000 residents enrolled by phone through the enrollment service while voting ran,
 * posted in rolling batches, and voted through the relayer with their browsers' P-256 keys: every check holds.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { audit } from "@kopilka/core/node";
import { projectMetadataPath } from "@kopilka/core/publication";
import { startNode, type Child } from "../../scripts/relayer/local.js";
import { enrollPhone, getJson, relayP256, type Enrolled } from "../../scripts/services/client.js";
import { startServices } from "../../scripts/services/local.js";
import { createRound, mintAndOpen, type DistrictSpec } from "../../scripts/hardhat/fixtures.js";

const node = await startNode();
const { ethers, networkHelpers } = await network.create({ network: "localhost", override: { url: node.url } });
const RESIDENTS = 1_000;
const ALLOWANCE = 10_000n;
const DISTRICTS: DistrictSpec[] = [
  { name: "Центральный", budget: 6_000_000n, projects: [2_000_000n, 1_500_000n] },
  { name: "Северный", budget: 4_000_000n, projects: [1_000_000n, 2_500_000n] },
];

async function inPool<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}

describe("Auditor, a round of rolling phone enrollments", function () {
  this.timeout(600_000);
  let services: Child | undefined;
  let publication: string | undefined;

  after(async function () {
    await services?.stop();
    await node.stop();
    if (publication) await rm(publication, { recursive: true, force: true });
  });

  it("passes every check after 1,000 residents enrolled in rolling batches and voted through the relayer", async function () {
    const created = await createRound(ethers, networkHelpers, { districts: DISTRICTS, allowance: ALLOWANCE });
    await mintAndOpen(created);
    await networkHelpers.time.increaseTo(created.opensAt);
    publication = await mkdtemp(path.join(tmpdir(), "kopilka-enroll-audit-"));
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const round = created.round.target as string;
    // The projects' metadata as the round fixtures hash it: `<district name>/<index>`.
    for (const [districtId, ids] of created.districtProjects.entries()) {
      for (const [index, id] of ids.entries()) {
        const file = projectMetadataPath(publication, chainId, round, id);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, `${DISTRICTS[districtId].name}/${index}`);
      }
    }
    services = await startServices({
      rpcUrl: node.url,
      round,
      publication,
      db: path.join(publication, "services.sqlite"),
      options: [
        "--post-every",
        "2",
        "--post-size",
        "100",
        "--post-max",
        "100",
        "--codes-per-client-per-hour",
        "1000000",
        "--enroll-per-client-per-minute",
        "1000000",
        "--ballots-per-ip-per-minute",
        "1000000",
        "--batch-ms",
        "300",
      ],
    });

    const phones = Array.from({ length: RESIDENTS }, (_, i) => `+7915${String(i).padStart(7, "0")}`);
    const enrolled: Enrolled[] = [];
    await inPool(phones, 20, async (phone) => {
      const result = await enrollPhone(services!.url, phone);
      expect(result.answer.code, JSON.stringify(result.answer.json)).to.equal(201);
      enrolled.push(result);
    });
    for (let waited = 0; ; waited++) {
      const { json } = await getJson(`${services.url}/enroll/health`);
      if (json.residents.posted === RESIDENTS) break;
      expect(waited, "seconds waiting for every resident to be posted").to.be.lessThan(120);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(Number(await created.airdrop.batchCount()), "rolling batches").to.be.greaterThanOrEqual(10);

    const deadline = created.opensAt + 86_400n;
    await inPool(enrolled, 20, async ({ key }, i) => {
      const bank = created.banks[i % created.banks.length];
      const { answer } = await relayP256(services!.url, key, {
        nonce: 0n,
        deadline,
        fromBanks: [],
        fromAmounts: [],
        toBanks: [bank],
        toAmounts: [100n * BigInt(1 + (i % 50))],
      });
      expect(answer.code, JSON.stringify(answer.json)).to.equal(202);
    });
    for (let waited = 0; ; waited++) {
      const { json } = await getJson(`${services.url}/health`);
      if (json.queueDepth === 0 && json.inFlight === 0) {
        expect(json.applied).to.equal(RESIDENTS);
        break;
      }
      expect(waited, "seconds waiting for the relayer").to.be.lessThan(300);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }

    const report = await audit({ rpc: node.url, round, published: publication });
    const failed = report.checks
      .filter((c) => c.status === "fail")
      .map((c) => `${c.id}: ${c.failures.slice(0, 3).map((f) => `${f.item} ${f.message}`)}`);
    expect(failed).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    expect(report.totals.claims).to.equal(RESIDENTS);
    const enrollments = report.checks.find((c) => c.id === "enrollments");
    expect(enrollments?.status).to.equal("pass");
  });
});
