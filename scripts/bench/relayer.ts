/**
 * Load benchmark of the relayer (not a test): 10,000 signed ballots (claim + allocation, from residents with no
 * ether) sent by 200 concurrent clients over loopback to the relayer service, against a local `hardhat node`; the
 * relayer is killed with SIGKILL halfway and restarted on the same database and port. Clients whose request fails
 * send it again, as a dApp would. Writes bench/results/relayer.json. Run with `npm run bench:relayer`.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { Interface, Wallet } from "ethers";
import { network } from "hardhat";

import { ballotBoxAbi } from "@kopilka/core/abi";
import { ballotDomain, signBallot, type SignedBallot } from "@kopilka/core/ballots";
import { ANY_DISTRICT, type Participant } from "@kopilka/core/participants";
import { freePort, publishBatch, startNode, startRelayer, type Child } from "../relayer/local.js";
import { createRound, mintAndOpen, postBatch } from "../hardhat/fixtures.js";

const BALLOTS = Number(process.env.BENCH_BALLOTS ?? 10_000);
const CLIENTS = 200;
const DIRECT_VOTERS = 20;
const ALLOWANCE = 500n * 100n;
/** Nothing in the benchmark may take longer than this. */
const TIME_LIMIT_MS = 40 * 60_000;
// All clients share 127.0.0.1 and the benchmark spends ~1e9 gas in minutes: lift the per-address and hourly limits.
const RELAYER_OPTIONS = [
  "--batch-size",
  "100",
  "--batch-ms",
  "500",
  "--ip-per-minute",
  "100000000",
  "--gas-per-hour",
  "100000000000",
];

const started = Date.now();
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
  if (Date.now() - started > TIME_LIMIT_MS) throw new Error("the benchmark ran over its time limit");
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const node = await startNode();
const workDir = await mkdtemp(path.join(tmpdir(), "kopilka-bench-relayer-"));
let relayer: Child | undefined;
try {
  const { ethers, networkHelpers } = await network.create({ network: "localhost", override: { url: node.url } });
  const created = await createRound(ethers, networkHelpers, {
    districts: [
      { name: "North", budget: 600_000_000n, projects: Array.from({ length: 6 }, () => 90_000_000n) },
      { name: "South", budget: 400_000_000n, projects: Array.from({ length: 4 }, () => 90_000_000n) },
    ],
  });
  await mintAndOpen(created);
  const round = await created.round.getAddress();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const ballotBox = await created.round.ballotBox();
  const domain = ballotDomain(chainId, ballotBox);

  console.log(`creating ${BALLOTS} residents with no ether and ${DIRECT_VOTERS} who pay their own gas`);
  const voters = Array.from({ length: BALLOTS }, (_, i) => new Wallet(ethers.id(`kopilka bench voter ${i}`)));
  const direct = Array.from({ length: DIRECT_VOTERS }, (_, i) =>
    new Wallet(ethers.id(`kopilka bench direct voter ${i}`)).connect(ethers.provider),
  );
  for (const wallet of direct) await networkHelpers.setBalance(wallet.address, 10n ** 20n);
  const participants: Participant[] = [...voters, ...direct].map((v) => ({
    account: v.address,
    district: ANY_DISTRICT,
    amount: ALLOWANCE,
  }));
  const batch = await postBatch(created, participants);
  await publishBatch(workDir, chainId, round, batch.batchId, batch.tree);
  await networkHelpers.time.increaseTo(created.opensAt);
  const bankOf = (i: number) => created.banks[i % created.banks.length];
  const amountOf = (i: number) => 100n * BigInt(1 + (i % 400));

  console.log("signing ballots");
  const deadline = created.opensAt + 7n * 24n * 3600n;
  const ballots: SignedBallot[] = [];
  for (const [i, voter] of voters.entries()) {
    ballots.push(
      await signBallot(voter, domain, {
        round,
        voter: voter.address,
        nonce: 0n,
        deadline,
        fromBanks: [],
        fromAmounts: [],
        toBanks: [bankOf(i)],
        toAmounts: [amountOf(i)],
      }),
    );
  }

  const port = await freePort();
  const db = path.join(workDir, "relayer.sqlite");
  const relayerSettings = { rpcUrl: node.url, round, publication: workDir, db, port, options: RELAYER_OPTIONS };
  relayer = await startRelayer(relayerSettings);
  const url = relayer.url;

  console.log(`sending from ${CLIENTS} clients`);
  const body = (b: SignedBallot) => JSON.stringify(b, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  let next = 0;
  let answered = 0;
  let retries = 0;
  const refused: string[] = [];
  let killedAt: number | undefined;
  const sendStarted = Date.now();
  async function client(): Promise<void> {
    while (next < ballots.length) {
      const ballot = ballots[next++];
      for (let attempt = 0; ; attempt++) {
        check(attempt < 1_000, `a ballot of ${ballot.voter} was never answered`);
        try {
          const response = await fetch(`${url}/ballots`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: body(ballot),
          });
          if (response.status === 200 || response.status === 202) break;
          const answer = await response.text();
          if (response.status === 429 || response.status >= 500) {
            retries += 1;
            await sleep(200);
            continue;
          }
          refused.push(`${response.status} ${answer}`);
          break;
        } catch {
          // The relayer is down (killed): send the same ballot again once it is back.
          retries += 1;
          await sleep(200);
        }
      }
      answered += 1;
    }
  }
  const killer = (async () => {
    while (answered < ballots.length / 2) await sleep(20);
    killedAt = answered;
    console.log(`kill -9 after ${answered} answers`);
    await relayer!.kill9();
    relayer = await startRelayer(relayerSettings);
  })();
  await Promise.all([...Array.from({ length: CLIENTS }, client), killer]);
  const sendSeconds = (Date.now() - sendStarted) / 1000;

  console.log("waiting for the relayer to settle its queue");
  let health: Record<string, unknown> = {};
  for (;;) {
    const response = await fetch(`${url}/health`);
    health = (await response.json()) as Record<string, unknown>;
    if (health.queueDepth === 0 && health.inFlight === 0) break;
    check(true, "");
    await sleep(250);
  }
  const relayedSeconds = (Date.now() - sendStarted) / 1000;
  await relayer.stop();
  relayer = undefined;

  console.log("reading the chain");
  const box = new Interface(ballotBoxAbi);
  const submitted = new Map<string, number>();
  let relayedGas = 0n;
  let submissions = 0;
  let largestGasLimit = 0n;
  let largestGasUsed = 0n;
  let relayedRejections = 0;
  const latest = await ethers.provider.getBlockNumber();
  for (let n = 0; n <= latest; n++) {
    const block = await ethers.provider.getBlock(n, true);
    for (const tx of block!.prefetchedTransactions) {
      if (tx.to?.toLowerCase() !== ballotBox.toLowerCase()) continue;
      const receipt = await ethers.provider.getTransactionReceipt(tx.hash);
      submissions += 1;
      relayedGas += receipt!.gasUsed;
      if (tx.gasLimit > largestGasLimit) largestGasLimit = tx.gasLimit;
      if (receipt!.gasUsed > largestGasUsed) largestGasUsed = receipt!.gasUsed;
      relayedRejections += receipt!.logs.filter((log) => box.parseLog(log)?.name === "BallotRejected").length;
      const [, sent] = box.decodeFunctionData("submit", tx.data);
      for (const b of sent) {
        const key = `${b.voter.toLowerCase()}:${b.nonce}`;
        submitted.set(key, (submitted.get(key) ?? 0) + 1);
      }
    }
  }
  let applied = 0;
  for (let start = 0; start < voters.length; start += 500) {
    const nonces = await Promise.all(voters.slice(start, start + 500).map((v) => created.token.nonceOf(v.address)));
    applied += nonces.filter((nonce) => nonce === 1n).length;
  }
  const duplicated = [...submitted.values()].filter((count) => count > 1).length;

  console.log("measuring the same ballots sent directly");
  let directGas = 0n;
  for (const [i, voter] of direct.entries()) {
    const { participant, proof } = batch.proofOf(voter.address);
    const tx = await created.round
      .connect(voter)
      .claimAndAllocate(
        batch.batchId,
        participant.district,
        participant.amount,
        participant.enrollment,
        proof,
        [bankOf(i)],
        [amountOf(i)],
      );
    directGas += (await tx.wait())!.gasUsed;
  }

  const gasPerBallotRelayed = Number(relayedGas) / applied;
  const gasPerBallotDirect = Number(directGas) / DIRECT_VOTERS;
  const result = {
    ballots_sent: ballots.length,
    ballots_applied: applied,
    ballots_lost: ballots.length - applied - refused.length,
    ballots_duplicated: duplicated,
    ballots_refused: refused.length,
    ballots_per_second: Math.round((applied / relayedSeconds) * 10) / 10,
    gas_per_ballot_relayed: Math.round(gasPerBallotRelayed),
    gas_per_ballot_direct: Math.round(gasPerBallotDirect),
    relayed_to_direct: Math.round((gasPerBallotRelayed / gasPerBallotDirect) * 1000) / 1000,
    context: {
      clients: CLIENTS,
      ballot: "claim (proof of " + batch.proofOf(voters[0].address).proof.length + " hashes) + allocation to one bank",
      killed_after_answers: killedAt,
      client_retries: retries,
      submissions,
      rejections_on_chain: relayedRejections,
      largest_gas_limit: Number(largestGasLimit),
      largest_gas_used: Number(largestGasUsed),
      send_seconds: sendSeconds,
      relayed_seconds: relayedSeconds,
      bench_seconds: (Date.now() - started) / 1000,
      refusals: refused.slice(0, 5),
    },
  };
  const out = path.join("bench", "results", "relayer.json");
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(result, null, 2) + "\n");
  console.log(result);
  console.log(`wrote ${out}`);
  if (result.ballots_lost !== 0 || result.ballots_duplicated !== 0) process.exitCode = 1;
} finally {
  if (relayer) await relayer.kill9();
  await node.stop();
  await rm(workDir, { recursive: true, force: true });
}
