import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { AbiCoder, Interface } from "ethers";
import { network } from "hardhat";
import { decodeDeployData, ResponseBodyTooLargeError, type Hex } from "viem";

import {
  audit,
  exportRound,
  receipt,
  reportJson,
  type AuditOptions,
  type AuditReport,
  type RoundExport,
} from "@kopilka/core/node";
import { balanceOf, balancesOf, gatheringCalls, RoundReader } from "@kopilka/core/chain";
import { callsReaderAbi, callsReaderBytecode } from "@kopilka/core/abi/reads";
import { inResidentSample, loadRound } from "@kopilka/core/audit/load";
import { readLogs } from "@kopilka/core/audit/logs";
import { TOPICS } from "@kopilka/core/audit/events";
import { parsePabulib, toKopecks, writePabulib } from "@kopilka/core/pabulib";
import { buildParticipantTree, leafParticipant } from "@kopilka/core/participants";
import type { RpcRequest } from "@kopilka/core/chain";
import {
  copyPublished,
  httpRpc,
  publish,
  removeDir,
  rewritingCalls,
  rewritingRpc,
  startNode,
  voteRound,
  type LocalNode,
  type VotedRound,
} from "./helpers.js";

type Connection = Awaited<ReturnType<typeof network.create<"generic">>>;

/** The failures of check `id`, as "item: message" lines. */
function failuresOf(report: AuditReport, id: string): string[] {
  const check = report.checks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check.failures.map((f) => `${f.item}: ${f.message}`);
}

describe("Auditor", function () {
  let node: LocalNode;
  let connection: Connection;
  let voted: VotedRound;
  let base: string;
  let round: string;
  let chainId: bigint;
  let honest: AuditReport;
  const cleanup: string[] = [];

  const optionsFor = <T extends object = Partial<AuditOptions>>(extra: T = {} as T): AuditOptions & T => ({
    rpc: node.url,
    round,
    published: base,
    proofFiles: true,
    ...extra,
  });

  before(async function () {
    node = await startNode();
    connection = await network.create<"generic">({ network: "localhost", override: { url: node.url } });
    voted = await voteRound(connection.ethers, connection.networkHelpers);
    round = (await voted.created.round.getAddress()).toLowerCase();
    chainId = (await connection.ethers.provider.getNetwork()).chainId;
    base = await publish(voted, chainId);
    cleanup.push(base);
    honest = await audit(optionsFor());
  });

  after(async function () {
    await connection?.close();
    await node?.stop();
    for (const dir of cleanup) await removeDir(dir);
  });

  describe("on an honest round", function () {
    it("passes every check and skips none", async function () {
      expect(
        honest.checks.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.failures.map((f) => f.item)}`),
      ).to.deep.equal([]);
      expect(honest.ok).to.equal(true);
      // Every voter but one claimed.
      expect(honest.checks.find((c) => c.id === "claims")!.checked).to.equal(voted.voters.length - 1);
    });

    it("recounts the winners the contract funded, from the deposits alone", async function () {
      const { round: contract, districtProjects, banks, token } = voted.created;
      for (const district of honest.districts) {
        const funded: number[] = [];
        for (const id of districtProjects[district.id]) if ((await contract.project(id)).funded) funded.push(id);
        expect([...district.winners].sort()).to.deep.equal(funded);
        for (const p of district.projects) expect(p.tokens).to.equal((await token.balanceOf(banks[p.id])).toString());
      }
    });

    it("reads the round without its published files, skipping only the checks that need them", async function () {
      const report = await audit({ rpc: node.url, round, fromBlock: voted.fromBlock });
      expect(report.ok).to.equal(true);
      expect(report.checks.filter((c) => c.status === "skip").map((c) => c.id)).to.deep.equal([
        "factory",
        "trees",
        "claim-leaves",
        "metadata",
        "phone-leaves",
        "list",
        "proofs",
      ]);
      // Without a manifest it finds the round's deployment block itself.
      const found = await audit({ rpc: node.url, round });
      expect(found.fromBlock).to.be.greaterThan(voted.fromBlock);
      expect(found.districts).to.deep.equal(report.districts);
    });
  });

  describe("determinism", function () {
    it("gives byte-identical JSON with 1-3 block chunks and with large ones", async function () {
      const tiny = await audit(optionsFor({ reader: { initialChunk: 1, maxChunk: 3 } }));
      const large = await audit(optionsFor({ reader: { initialChunk: 1_000_000, maxChunk: 1_000_000 } }));
      expect(reportJson(tiny)).to.equal(reportJson(honest));
      expect(reportJson(large)).to.equal(reportJson(honest));
    });
  });

  describe("log reader", function () {
    const limitedRpc = (maxLogs: number, maxRange: number) => {
      const inner = httpRpc(node.url);
      let refusals = 0;
      const rpc = {
        get refusals() {
          return refusals;
        },
        async request(request: RpcRequest): Promise<unknown> {
          if (request.method === "eth_getLogs") {
            const filter = (request.params as { fromBlock: string; toBlock: string }[])[0];
            if (Number(filter.toBlock) - Number(filter.fromBlock) + 1 > maxRange) {
              refusals++;
              throw Object.assign(new Error(`block range too large: maximum ${maxRange}`), { code: -32600 });
            }
            const logs = (await inner.request(request)) as unknown[];
            if (logs.length > maxLogs) {
              refusals++;
              throw Object.assign(new Error(`query returned more than ${maxLogs} results`), { code: -32005 });
            }
            return logs;
          }
          return await inner.request(request);
        },
      };
      return rpc;
    };

    it("completes against an endpoint that refuses more than 8 logs or 40 blocks per query", async function () {
      const rpc = limitedRpc(8, 40);
      const report = await audit(optionsFor({ rpc }));
      expect(rpc.refusals).to.be.greaterThan(0);
      expect(reportJson(report)).to.equal(reportJson(honest));
    });

    it("splits a range whose result count reaches the cap, in case the endpoint truncated it", async function () {
      const rpc = httpRpc(node.url);
      const addresses = [round, await voted.created.token.getAddress()];
      const toBlock = await connection.ethers.provider.getBlockNumber();
      const options = { addresses, topics: [TOPICS.Transfer], fromBlock: voted.fromBlock, toBlock };
      const whole = await readLogs(rpc, { ...options, resultCap: 1_000_000 });
      const capped = await readLogs(rpc, { ...options, resultCap: 4 });
      expect(capped.stats.splits).to.be.greaterThan(0);
      expect(capped.logs).to.deep.equal(whole.logs);
    });

    it("splits a range whose answer is larger than the client will take (viem's body size limit)", async function () {
      const inner = httpRpc(node.url);
      const maxSize = 2_000;
      let refusals = 0;
      const rpc = {
        async request(request: RpcRequest): Promise<unknown> {
          const answer = await inner.request(request);
          const size = JSON.stringify(answer).length;
          if (request.method === "eth_getLogs" && size > maxSize) {
            refusals++;
            throw new ResponseBodyTooLargeError({ maxSize, size });
          }
          return answer;
        },
      };
      const addresses = [round, await voted.created.token.getAddress()];
      const toBlock = await connection.ethers.provider.getBlockNumber();
      const options = { addresses, topics: [TOPICS.Transfer], fromBlock: voted.fromBlock, toBlock };
      const whole = await readLogs(inner, options);
      const split = await readLogs(rpc, options);
      expect(refusals).to.be.greaterThan(0);
      expect(split.stats.splits).to.be.greaterThan(0);
      expect(split.logs).to.deep.equal(whole.logs);
    });

    it("asks for the next range before handling an answer, and reads the same logs as one request at a time", async function () {
      const inner = httpRpc(node.url);
      let inFlight = 0;
      let mostInFlight = 0;
      const rpc = {
        async request(request: RpcRequest): Promise<unknown> {
          mostInFlight = Math.max(mostInFlight, ++inFlight);
          try {
            return await inner.request(request);
          } finally {
            inFlight--;
          }
        },
      };
      const addresses = [round, await voted.created.token.getAddress()];
      const toBlock = await connection.ethers.provider.getBlockNumber();
      const options = { addresses, topics: [TOPICS.Transfer], fromBlock: voted.fromBlock, toBlock, maxChunk: 5 };
      const ahead = await readLogs(rpc, options);
      expect(mostInFlight).to.equal(2);
      const oneAtATime = await readLogs(inner, { ...options, prefetch: false });
      expect(ahead.logs).to.deep.equal(oneAtATime.logs);
      expect(ahead.logs.length).to.be.greaterThan(0);
    });

    it("retries transient failures with back-off", async function () {
      const inner = httpRpc(node.url);
      let calls = 0;
      const flaky = {
        async request(request: RpcRequest): Promise<unknown> {
          if (request.method === "eth_getLogs" && calls++ % 2 === 0) throw new Error("read ECONNRESET");
          return await inner.request(request);
        },
      };
      const report = await audit(optionsFor({ rpc: flaky, reader: { backoffMs: 1, initialChunk: 50 } }));
      expect(calls).to.be.greaterThan(1);
      expect(reportJson(report)).to.equal(reportJson(honest));
    });

    it("gives up on errors that are neither limits nor transient", async function () {
      const inner = httpRpc(node.url);
      const broken = {
        async request(request: RpcRequest): Promise<unknown> {
          if (request.method === "eth_getLogs") throw new Error("method not supported");
          return await inner.request(request);
        },
      };
      let message = "";
      await audit(optionsFor({ rpc: broken })).catch((error: Error) => (message = error.message));
      expect(message).to.match(/eth_getLogs failed for blocks \d+\.\.\d+: method not supported/);
    });
  });

  describe("resident balances", function () {
    /** An endpoint that counts eth_call requests with and without a `to`, and may refuse the latter. */
    const callCounting = (refuseDeployless: boolean) => {
      const inner = httpRpc(node.url);
      const counts = { deployless: 0, single: 0 };
      const rpc = {
        counts,
        async request(request: RpcRequest): Promise<unknown> {
          if (request.method === "eth_call") {
            const call = (request.params as { to?: string }[])[0];
            if (call.to === undefined) {
              counts.deployless++;
              if (refuseDeployless) throw new Error("contract creation calls are not supported");
            } else counts.single++;
          }
          return await inner.request(request);
        },
      };
      return rpc;
    };

    it("reads every resident's balance in one call, equal to reading them one by one", async function () {
      const token = await voted.created.token.getAddress();
      const rpc = callCounting(false);
      const batched = await balancesOf(rpc, token, voted.voters);
      expect(rpc.counts).to.deep.equal({ deployless: 1, single: 0 });
      const single = httpRpc(node.url);
      const oneByOne = await Promise.all(voted.voters.map((voter) => balanceOf(single, token, voter)));
      expect(batched).to.deep.equal(oneByOne);
      expect(batched.some((balance) => balance > 0n)).to.equal(true);
    });

    it("reads a sample of the balances, and gives the same report as reading every one", async function () {
      const sampled = { first: 3, oneIn: 4 };
      const data = await loadRound(httpRpc(node.url), { round, fromBlock: voted.fromBlock, residentSample: sampled });
      const claimed = honest.totals.claims;
      expect(data.residentBalances!.size).to.be.at.least(3).and.below(claimed);
      for (const [index, claim] of data.claims.entries()) {
        const chosen = inResidentSample(sampled, index, claim.account, data.toBlock);
        expect(data.residentBalances!.has(claim.account), `resident ${index}`).to.equal(chosen);
      }
      const every = await audit(optionsFor({ residentBalances: "all" }));
      const sample = await audit(optionsFor({ residentSample: sampled }));
      const none = await audit(optionsFor({ residentSample: { first: 0, oneIn: 2 ** 24 } }));
      expect(reportJson(every)).to.equal(reportJson(honest));
      expect(reportJson(sample)).to.equal(reportJson(honest));
      expect(reportJson(none)).to.equal(reportJson(honest));
    });

    it("reads the round's state in a few gathered calls, with the same report as reading each view alone", async function () {
      const rpc = callCounting(false);
      const data = await loadRound(rpc, { round, fromBlock: voted.fromBlock });
      expect(rpc.counts.single).to.equal(0);
      // The settings, then the counts, the districts, the projects and the batches as their events arrive, and the
      // residents' balances: a handful of calls for the dozens of views.
      expect(rpc.counts.deployless).to.be.at.least(2).and.at.most(6);
      expect(data.projects.length * 4 + data.districts.length).to.be.above(4 * rpc.counts.deployless);
      const plain = httpRpc(node.url);
      const alone = new RoundReader(plain, round, data.toBlock);
      for (const p of data.projects) {
        const stored = await alone.project(p.id);
        expect(p.state).to.deep.equal({
          bank: stored.bank.toLowerCase(),
          district: stored.district,
          cost: stored.cost,
          funded: stored.funded,
        });
        expect(p.balance).to.equal(await balanceOf(plain, data.token, p.bank, data.toBlock));
      }
      expect(reportJson(await audit(optionsFor({ rpc })))).to.equal(reportJson(honest));
    });

    it("splits a gathering the endpoint refuses as too large, and gives the same report", async function () {
      const inner = httpRpc(node.url);
      const sizes = { refused: 0, answered: 0 };
      const rpc = {
        async request(request: RpcRequest): Promise<unknown> {
          const call = (request.params as { to?: string; data?: string }[] | undefined)?.[0];
          if (request.method === "eth_call" && call?.to === undefined && call?.data?.startsWith(callsReaderBytecode)) {
            const { args } = decodeDeployData({
              abi: callsReaderAbi,
              bytecode: callsReaderBytecode,
              data: call.data as Hex,
            });
            // The settings' sixteen calls fit; a larger answer is over this endpoint's cap.
            if (args[1].length > 16) {
              sizes.refused++;
              throw new Error("max code size exceeded");
            }
            sizes.answered++;
          }
          return await inner.request(request);
        },
      };
      expect(reportJson(await audit(optionsFor({ rpc })))).to.equal(reportJson(honest));
      expect(sizes.refused).to.be.at.least(1);
      expect(sizes.answered).to.be.at.least(3);
    });

    it("sends a gathered call that fails on its own, so that its error is the endpoint's", async function () {
      const rpc = callCounting(false);
      const gathering = gatheringCalls(rpc);
      const reader = new RoundReader(gathering, round);
      const [settings, missing, district] = await Promise.all([
        reader.settings(),
        reader.project(10_000).catch((error: Error) => error),
        reader.district(0),
      ]);
      expect(settings.projectCount).to.equal(honest.districts.flatMap((d) => d.projects).length);
      expect(district.budget.toString()).to.equal(honest.districts[0].budget);
      expect(missing).to.be.instanceOf(Error);
      expect(rpc.counts).to.deep.equal({ deployless: 1, single: 1 });
    });

    it("falls back to one call per resident on an endpoint that refuses calls without a target", async function () {
      const rpc = callCounting(true);
      const report = await audit(optionsFor({ rpc }));
      expect(rpc.counts.deployless).to.equal(1);
      expect(rpc.counts.single).to.be.greaterThan(honest.totals.claims);
      expect(reportJson(report)).to.equal(reportJson(honest));
    });
  });

  describe("tampering", function () {
    const tampered = async (edit: (dir: string) => Promise<void>): Promise<AuditReport> => {
      const copy = await copyPublished(base, chainId, round);
      cleanup.push(copy.base);
      await edit(copy.dir);
      return await audit(optionsFor({ published: copy.base }));
    };

    it("names the tree and the claim when one amount in a published tree is changed", async function () {
      const account = voted.voters[2];
      const report = await tampered(async (dir) => {
        const file = path.join(dir, "participants", "batch-0.json");
        const dump = JSON.parse(await readFile(file, "utf8")) as { values: { value: [string, number, string] }[] };
        const entry = dump.values.find((v) => v.value[0] === account)!;
        entry.value[2] = (BigInt(entry.value[2]) + 1n).toString();
        await writeFile(file, JSON.stringify(dump));
      });
      expect(report.ok).to.equal(false);
      const trees = failuresOf(report, "trees");
      expect(trees).to.have.length(2);
      expect(trees[0]).to.match(/^participants\/batch-0\.json: leaves sum to \d+, declared total is \d+$/);
      expect(trees[1]).to.match(/^participants\/batch-0\.json: rebuilds to root 0x[0-9a-f]{64}, on-chain root is 0x/);
      const { participant } = voted.batches[0].proofOf(account);
      expect(failuresOf(report, "claim-leaves")).to.deep.equal([
        `claim ${account}: claimed ${participant.amount} for district ${participant.district} from batch 0, no such leaf in participants/batch-0.json`,
      ]);
      expect(report.checks.filter((c) => c.status === "fail").map((c) => c.id)).to.deep.equal([
        "trees",
        "claim-leaves",
      ]);
    });

    it("names the resident a published tree drops, from the list's leaves that rebuild to the root", async function () {
      const dropped = voted.voters[3];
      const report = await tampered(async (dir) => {
        // A well-formed tree of the other residents of batch 0.
        const kept = [...voted.batches[0].tree.entries()]
          .map(([, leaf]) => leafParticipant(leaf))
          .filter((p) => p.account !== dropped);
        await writeFile(
          path.join(dir, "participants", "batch-0.json"),
          JSON.stringify(buildParticipantTree(kept).dump()),
        );
      });
      const trees = failuresOf(report, "trees");
      expect(trees.find((f) => f.includes("rebuilds to root"))).to.match(
        new RegExp(`the published list's leaves of batch 0 rebuild to it, and the file drops resident ${dropped}$`),
      );
      // The list and the proof files agree with the chain: they are not to blame.
      expect(report.checks.find((c) => c.id === "list")!.status).to.equal("pass");
      expect(report.checks.find((c) => c.id === "proofs")!.status).to.equal("pass");
    });

    it("names the resident the published list drops, and the one whose amount it changes", async function () {
      const [dropped, changed] = [voted.voters[4], voted.voters[9]];
      const report = await tampered(async (dir) => {
        const file = path.join(dir, "participants", "list-0.json");
        const page = JSON.parse(await readFile(file, "utf8")) as { leaves: [number, string, number, string, string][] };
        page.leaves = page.leaves.filter((leaf) => leaf[1] !== dropped);
        const leaf = page.leaves.find((l) => l[1] === changed)!;
        leaf[3] = (BigInt(leaf[3]) + 1n).toString();
        await writeFile(file, JSON.stringify(page));
      });
      const changedLeaf = voted.batches[1].proofOf(changed).participant;
      const listed = `district ${changedLeaf.district}, amount ${changedLeaf.amount + 1n}, enrollment ${changedLeaf.enrollment}`;
      const posted = `district ${changedLeaf.district}, amount ${changedLeaf.amount}, enrollment ${changedLeaf.enrollment}`;
      expect(failuresOf(report, "list")).to.deep.equal([
        "participants/list.json: says 12 leaves, the pages hold 11",
        `resident ${dropped}: in batch 0 (participants/batch-0.json), not in the published list`,
        `resident ${changed}: participants/list-0.json has ${listed}, batch 1 has ${posted}`,
      ]);
      expect(report.checks.filter((c) => c.status === "fail").map((c) => c.id)).to.deep.equal(["list"]);
    });

    it("names the proof file that is missing and the one whose proof leads elsewhere", async function () {
      const [missing, wrong] = [voted.voters[1], voted.voters[8]];
      const report = await tampered(async (dir) => {
        await removeDir(path.join(dir, "participants", "proofs", `${missing}.json`));
        const file = path.join(dir, "participants", "proofs", `${wrong}.json`);
        const proof = JSON.parse(await readFile(file, "utf8")) as { proof: string[] };
        proof.proof.reverse();
        await writeFile(file, JSON.stringify(proof));
      });
      expect(failuresOf(report, "proofs")).to.have.members([
        `participants/proofs/${missing}.json: not published (${missing} is in batch 0)`,
        `participants/proofs/${wrong}.json: its proof does not lead to batch 1's root`,
      ]);
      expect(report.checks.filter((c) => c.status === "fail").map((c) => c.id)).to.deep.equal(["proofs"]);
    });

    it("names the tree node when a published tree's values are right but one of its nodes is not", async function () {
      const report = await tampered(async (dir) => {
        const file = path.join(dir, "participants", "batch-0.json");
        const dump = JSON.parse(await readFile(file, "utf8")) as { tree: string[] };
        const last = dump.tree.length - 1;
        dump.tree[last] = "0x" + (dump.tree[last].slice(2, 3) === "0" ? "1" : "0") + dump.tree[last].slice(3);
        await writeFile(file, JSON.stringify(dump));
      });
      expect(failuresOf(report, "trees")).to.deep.equal([
        `participants/batch-0.json: tree node ${voted.batches[0].tree.dump().tree.length - 1} differs from the tree its values rebuild to`,
      ]);
      expect(report.checks.filter((c) => c.status === "fail").map((c) => c.id)).to.deep.equal(["trees"]);
    });

    it("names the project whose metadata file was edited", async function () {
      const report = await tampered(async (dir) => {
        await writeFile(path.join(dir, "projects", "4.json"), voted.metadataText(4) + " (edited)");
      });
      expect(report.ok).to.equal(false);
      const metadata = failuresOf(report, "metadata");
      expect(metadata).to.have.length(1);
      expect(metadata[0]).to.match(/^projects\/4\.json: hashes to 0x[0-9a-f]{64}, project 4 was added with 0x/);
      expect(report.checks.filter((c) => c.status === "fail").map((c) => c.id)).to.deep.equal(["metadata"]);
    });

    it("names the project whose metadata file is missing", async function () {
      const report = await tampered(async (dir) => removeDir(path.join(dir, "projects", "0.json")));
      expect(failuresOf(report, "metadata")).to.deep.equal([
        "projects/0.json: not published (project 0, URI ipfs://project/0)",
      ]);
    });

    // A correct contract cannot report a result other than its own tally, so the disagreement comes from the
    // endpoint: it reports a loser as funded (state) or hides a ProjectFunded event. The auditor must trust
    // neither answer over the recount from the deposits.
    it("names the district when the contract's state reports a loser as funded", async function () {
      const abi = new Interface([
        "function project(uint256) view returns ((address bank, uint16 district, uint64 cost, uint8 category, bool funded))",
      ]);
      const selector = abi.getFunction("project")!.selector;
      const loserCall = selector + AbiCoder.defaultAbiCoder().encode(["uint256"], [voted.loser]).slice(2);
      const rpc = rewritingCalls(httpRpc(node.url), (data, answer) => {
        if (data !== loserCall) return answer;
        const [stored] = abi.decodeFunctionResult("project", answer);
        return abi.encodeFunctionResult("project", [
          [stored.bank, stored.district, stored.cost, stored.category, true],
        ]) as Hex;
      });
      const report = await audit(optionsFor({ rpc }));
      expect(report.ok).to.equal(false);
      const winners = honest.districts[0].winners;
      const marked = [...winners, voted.loser].sort((a, b) => a - b);
      expect(failuresOf(report, "winners")).to.deep.equal([
        `district 0: contract marks projects [${marked.join(",")}] funded, recomputed winners [${[...winners].sort((a, b) => a - b).join(",")}]`,
        `district 0: funded projects cost ${marked.reduce((s, id) => s + [60_000, 50_000, 40_000][id], 0)}, above the budget 100000`,
      ]);
    });

    it("names the bank, the resident and the winner when the endpoint hides a deposit", async function () {
      const bank = voted.created.banks[voted.winner].toLowerCase();
      let depositor: string | undefined;
      const rpc = rewritingRpc(httpRpc(node.url), (request, result) => {
        if (request.method !== "eth_getLogs" || depositor) return result;
        const logs = result as { topics: string[] }[];
        const index = logs.findIndex(
          (l) => l.topics[0] === TOPICS.Transfer && l.topics[2] === "0x" + bank.slice(2).padStart(64, "0"),
        );
        if (index < 0) return result;
        depositor = "0x" + logs[index].topics[1].slice(26);
        return logs.filter((_, i) => i !== index);
      });
      const report = await audit(optionsFor({ rpc }));
      expect(depositor).to.not.equal(undefined);
      expect(report.ok).to.equal(false);
      const banks = failuresOf(report, "banks");
      expect(banks).to.have.length(1);
      expect(banks[0]).to.match(
        new RegExp(`^project ${voted.winner} bank ${bank}: holds \\d+, deposits \\d+ - withdrawals \\d+ = \\d+$`),
      );
      const residents = failuresOf(report, "residents");
      expect(residents).to.have.length(1);
      expect(residents[0]).to.match(new RegExp(`^resident ${depositor}: balance \\d+ \\+ deposits`));
      expect(failuresOf(report, "winners").join("\n")).to.match(
        new RegExp(`project ${voted.winner}: ProjectFunded reports \\d+ tokens at cost \\d+ in district 0, recomputed`),
      );
    });

    it("names the residents' sum when the endpoint hides a deposit by a resident whose balance it does not read", async function () {
      const bank = voted.created.banks[voted.winner].toLowerCase();
      let hidden: bigint | undefined;
      const rpc = rewritingRpc(httpRpc(node.url), (request, result) => {
        if (request.method !== "eth_getLogs" || hidden !== undefined) return result;
        const logs = result as { topics: string[]; data: string }[];
        const index = logs.findIndex(
          (l) => l.topics[0] === TOPICS.Transfer && l.topics[2] === "0x" + bank.slice(2).padStart(64, "0"),
        );
        if (index < 0) return result;
        hidden = BigInt(logs[index].data);
        return logs.filter((_, i) => i !== index);
      });
      // No resident's own balance is read: only the round's and the banks'.
      const report = await audit(optionsFor({ rpc, residentSample: { first: 0, oneIn: 2 ** 24 } }));
      expect(report.ok).to.equal(false);
      expect(failuresOf(report, "banks")).to.have.length(1);
      const residents = failuresOf(report, "residents");
      expect(residents).to.have.length(1);
      const [, held, fromEvents] = residents[0].match(
        /^residents' sum: supply \d+ - round \d+ - banks \d+ = (\d+) held by residents, their events give (\d+)$/,
      )!;
      expect(BigInt(fromEvents) - BigInt(held)).to.equal(hidden);
    });

    it("names both residents when the endpoint moves a deposit from one resident to another", async function () {
      let moved: { from: string; to: string } | undefined;
      const banks = new Set(voted.created.banks.map((b) => "0x" + b.toLowerCase().slice(2).padStart(64, "0")));
      const rpc = rewritingRpc(httpRpc(node.url), (request, result) => {
        if (request.method !== "eth_getLogs" || moved !== undefined) return result;
        const logs = result as { topics: string[] }[];
        const deposits = logs.filter((l) => l.topics[0] === TOPICS.Transfer && banks.has(l.topics[2]));
        const other = deposits.find((l) => l.topics[1] !== deposits[0]?.topics[1]);
        if (other === undefined) return result;
        moved = { from: deposits[0].topics[1], to: other.topics[1] };
        return logs.map((l) => (l === deposits[0] ? { ...l, topics: [l.topics[0], other.topics[1], l.topics[2]] } : l));
      });
      const report = await audit(optionsFor({ rpc }));
      expect(moved).to.not.equal(undefined);
      // The bank's total and the residents' sum are unchanged: only reading the two balances shows it.
      expect(failuresOf(report, "banks")).to.deep.equal([]);
      expect(
        failuresOf(report, "residents")
          .map((f) => f.split(":")[0])
          .sort(),
      ).to.deep.equal([moved!.from, moved!.to].map((t) => `resident 0x${t.slice(26)}`).sort());
    });
  });

  describe("#exportRound", function () {
    it("exports each project's result as the contract funded it, and ballots that add up to each bank", async function () {
      const { round: contract, token, banks } = voted.created;
      const exported = JSON.parse((await exportRound(optionsFor({ format: "json" })))["round.json"]) as RoundExport;
      expect(exported.results.map((r) => r.project)).to.deep.equal([...banks.keys()]);
      for (const result of exported.results) {
        const project = await contract.project(result.project);
        expect(result.won).to.equal(project.funded);
        expect(result.fundedAmount).to.equal((project.funded ? project.cost : 0n).toString());
        expect(result.implementationStatus).to.equal(result.project === voted.winner ? "contracted" : "none");
        const inBallots = exported.ballots
          .filter((b) => b.project === result.project)
          .reduce((sum, b) => sum + BigInt(b.amount), 0n);
        expect(inBallots.toString()).to.equal(result.tokens);
        expect(result.tokens).to.equal((await token.balanceOf(banks[result.project])).toString());
      }
      const ids = [...new Set(exported.ballots.map((b) => b.voter))];
      expect(ids).to.deep.equal(ids.map((_, i) => i + 1));
    });

    it("writes the same ballots as CSV, without a single address", async function () {
      const files = await exportRound(optionsFor({ format: "csv" }));
      const json = JSON.parse((await exportRound(optionsFor({ format: "json" })))["round.json"]) as RoundExport;
      expect(Object.keys(files)).to.deep.equal(["results.csv", "ballots.csv"]);
      const rows = files["ballots.csv"].trim().split("\n");
      expect(rows[0]).to.equal("voter,voterDistrict,project,amount");
      expect(rows.slice(1)).to.deep.equal(
        json.ballots.map((b) => `${b.voter},${b.voterDistrict},${b.project},${b.amount}`),
      );
      expect(files["results.csv"].trim().split("\n")).to.have.length(json.results.length + 1);
      expect(Object.values(files).join("")).to.not.match(/0x[0-9a-fA-F]{40}/);
    });

    it("writes one Pabulib election per district that reads back with each bank's tokens and the funded projects", async function () {
      const { round: contract, token, banks, districtProjects } = voted.created;
      const files = await exportRound(optionsFor({ format: "pb" }));
      expect(Object.keys(files)).to.deep.equal(districtProjects.map((_, id) => `district-${id}.pb`));
      for (const [id, projects] of districtProjects.entries()) {
        const election = parsePabulib(files[`district-${id}.pb`]);
        expect(writePabulib(election)).to.equal(files[`district-${id}.pb`]);
        expect(election.voteType).to.equal("cumulative");
        expect(toKopecks(election.budget)).to.equal((await contract.district(id)).budget);
        expect(election.projects.map((p) => Number(p.id))).to.deep.equal(projects);
        for (const project of election.projects) {
          const onChain = await contract.project(Number(project.id));
          expect(toKopecks(project.cost)).to.equal(onChain.cost);
          expect(project.selected).to.equal(onChain.funded ? 1 : 0);
          const tokens = await token.balanceOf(banks[Number(project.id)]);
          expect(toKopecks(project.score!)).to.equal(tokens);
          const points = election.votes.flatMap((v) => v.vote.map((p, i) => (p === project.id ? v.points![i] : 0)));
          expect(points.reduce((sum, p) => sum + toKopecks(p), 0n)).to.equal(tokens);
        }
      }
      const text = Object.values(files).join("").toLowerCase();
      for (const voter of voted.voters) expect(text).to.not.contain(voter.slice(2));
    });
  });

  describe("#receipt", function () {
    it("lists a voter's claim, deposits and withdrawal with their transactions and block times", async function () {
      const { round: contract, token, banks } = voted.created;
      const voter = voted.voters[0];
      const found = await receipt(optionsFor({ address: voter }));
      const [claimTx, withdrawTx] = voted.txs.get(voter)!;
      expect(found.steps.map((s) => [s.kind, s.tx])).to.deep.equal([
        ["claim", claimTx],
        ["deposit", claimTx],
        ["deposit", claimTx],
        ["withdrawal", withdrawTx],
      ]);
      const provider = connection.ethers.provider;
      for (const step of found.steps) {
        const mined = await provider.getTransactionReceipt(step.tx);
        expect(step.block).to.equal(mined!.blockNumber);
        expect(step.time).to.equal((await provider.getBlock(step.block))!.timestamp);
      }
      expect(found.balance).to.equal((await token.balanceOf(voter)).toString());
      for (const allocation of found.allocations) {
        expect(allocation.amount).to.equal((await contract.depositOf(banks[allocation.project], voter)).toString());
        expect(allocation.projectWon).to.equal((await contract.project(allocation.project)).funded);
      }
      expect(found.allocations).to.have.length(2);
    });

    it("shows nothing claimed for a resident who never claimed", async function () {
      const found = await receipt(optionsFor({ address: voted.voters[voted.voters.length - 1] }));
      expect(found.claimed).to.equal("0");
      expect(found.steps).to.deep.equal([]);
    });
  });

  describe("as kopilka commands", function () {
    const run = async (args: string[]): Promise<{ code: number; stdout: string }> => {
      try {
        const { stdout } = await promisify(execFile)(process.execPath, ["bin/kopilka.mjs", ...args]);
        return { code: 0, stdout };
      } catch (error) {
        const failed = error as { code: number; stdout: string };
        return { code: failed.code, stdout: failed.stdout };
      }
    };
    /** `command` on the test's round, its node and published files (`published` for another copy of them). */
    const onRound = (command: string, args: string[] = [], published = base) =>
      run([command, "--rpc", node.url, "--round", round, "--published", published, ...args]);

    it("prints the library's JSON and exits 0 when everything holds, 1 with the discrepancies otherwise", async function () {
      const ok = await onRound("audit", ["--json"]);
      expect(ok.code).to.equal(0);
      expect(ok.stdout).to.equal(reportJson(honest));
      const every = await onRound("audit", ["--json", "--every-resident-balance"]);
      expect(every.code).to.equal(0);
      expect(every.stdout).to.equal(reportJson(honest));

      const copy = await copyPublished(base, chainId, round);
      cleanup.push(copy.base);
      await writeFile(path.join(copy.dir, "projects", "1.json"), "tampered");
      const bad = await onRound("audit", [], copy.base);
      expect(bad.code).to.equal(1);
      expect(bad.stdout).to.match(/FAIL Each project's metadata file hashes.*\n\s+projects\/1\.json: hashes to/);
      expect(bad.stdout).to.match(/1 discrepancies found\.\n$/);
    });

    it("writes the export files and prints a voter's receipt", async function () {
      const out = await mkdtemp(path.join(tmpdir(), "kopilka-export-"));
      cleanup.push(out);
      const exported = await onRound("export", ["--format", "json", "--out", out]);
      expect(exported.code).to.equal(0);
      expect(await readFile(path.join(out, "round.json"), "utf8")).to.equal(
        (await exportRound(optionsFor({ format: "json" })))["round.json"],
      );
      const voter = voted.voters[0];
      const shown = await onRound("receipt", ["--address", voter, "--json"]);
      expect(shown.code).to.equal(0);
      expect(JSON.parse(shown.stdout)).to.deep.equal(await receipt(optionsFor({ address: voter })));
    });
  });
});
