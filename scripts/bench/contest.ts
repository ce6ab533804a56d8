/**
 * Gas of a contest's operations, as whole-transaction gas (21,000 base included), written to
 * bench/results/contest.json: creating a contest, posting residents, a resident's relayed submit, amendment and
 * co-signature (from a wallet and from a phone's P-256 key), the committee's screening, an expert's score sheet
 * (wallet and P-256), and recording outcomes (one, and ten in a transaction). Residents sit in a 10,000-leaf tree
 * (14-hash proofs). Then the audit's time with a contest: the demo's contest (36 initiatives, sheets, content files)
 * played, the round created from it as `kopilka round create --from-contest` does, and the round audited with and
 * without the contest's checks. Run with `npm run bench:contest`.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";

import { network } from "hardhat";
import { keccak256, stringToHex, type Hex } from "viem";

import { p256KeySigner } from "@kopilka/core/keys";
import type { Participant } from "@kopilka/core/participants";
import {
  amendInitiative,
  cosignInitiative,
  createContest,
  deployContestFactory,
  postResidents,
  signedSheet,
  submitInitiative,
  type ContestSigner,
} from "../hardhat/contestFixtures.js";
import { auditRound } from "../cli/audit.js";
import { silentOutput, type CommandContext } from "../cli/context.js";
import { deploy } from "../cli/deploy.js";
import { mint } from "../cli/lifecycle.js";
import { createRound } from "../cli/round.js";
import { playDemoContest } from "../demo/contest.js";

const TREE_SIZE = 10_000;
const connection = await network.create();
const { ethers, networkHelpers } = connection;
const started = Date.now();
const signers = await ethers.getSigners();

type Sent = { wait(): Promise<{ gasUsed: bigint } | null> };
const gas: Record<string, number> = {};
async function measure(key: string, send: () => Promise<Sent>): Promise<void> {
  const receipt = await (await send()).wait();
  gas[key] = Number(receipt!.gasUsed);
}

const factory = await deployContestFactory(ethers);
const expertKey = p256KeySigner();
const experts = [signers[10].address, signers[11].address, expertKey.address];
// The creation itself, measured on a second contest of the same factory.
await createContest(ethers, networkHelpers, { factory, expertAddresses: experts });
const created = await createContest(ethers, networkHelpers, { factory, expertAddresses: experts });
const { contest } = created;
const configTx = await factory.createContest.populateTransaction(created.config);
const estimate = await ethers.provider.estimateGas({ ...configTx, from: signers[0].address });
gas.createContest = Number(estimate);

const wallets = signers.slice(5, 9);
const phoneKeys = [p256KeySigner(), p256KeySigner()];
const people: ContestSigner[] = [
  ...wallets.map((signer) => ({ address: signer.address, wallet: signer })),
  ...phoneKeys.map((key) => ({ address: key.address, key })),
];
const filler = Array.from({ length: TREE_SIZE - people.length }, (_, i): Participant => ({
  account: `0xffff${(i + 1).toString(16).padStart(36, "0")}`,
  district: 0,
  amount: 0n,
}));
const participants: Participant[] = [
  ...people.map((person, i) => ({
    account: person.address,
    district: 0,
    amount: 0n,
    enrollment: "key" in person ? keccak256(stringToHex(`phone ${i}`)) : undefined,
  })),
  ...filler,
];
const registrar = signers[3];
await postResidents(ethers, created, participants.slice(0, 8));
const residents = await postResidents(ethers, created, participants);
const tree = residents.tree;
await measure("postResidents", () => contest.connect(registrar).postResidents(tree.root));
const proofHashes = residents.resident(people[0].address).proof.length;

await networkHelpers.time.increaseTo(created.submissionsOpenAt);
const relayer = contest.connect(signers[9]);
const doc = (text: string): Hex => keccak256(stringToHex(text));

async function submitted(author: ContestSigner, text: string): Promise<{ id: bigint; gas: number }> {
  const before = await ethers.provider.getBlockNumber();
  const id = await submitInitiative(created, residents, author, 0, doc(text), relayer);
  const block = await ethers.provider.getBlock(before + 1, true);
  const receipt = await ethers.provider.getTransactionReceipt(block!.transactions[0]);
  return { id, gas: Number(receipt!.gasUsed) };
}

// The contest's first initiative also starts its list of initiatives (a new storage word): measured apart.
const first = await submitted(people[0], "first");
gas.submitFirst = first.gas;
const second = await submitted(people[4], "second");
gas.submitP256 = second.gas;
gas.submitWallet = (await submitted(people[1], "third")).gas;
await measure("cosignWallet", () =>
  cosignInitiative(created, residents, people[1], first.id, 1, doc("first"), relayer),
);
await measure("cosignP256", () => cosignInitiative(created, residents, people[5], first.id, 1, doc("first"), relayer));
await cosignInitiative(created, residents, people[2], second.id, 1, doc("second"), relayer);
await cosignInitiative(created, residents, people[3], second.id, 1, doc("second"), relayer);
const committee = contest.connect(signers[1]);
await measure("returnForChanges", () => committee.returnForChanges(second.id, 1, doc("reason")));
await measure("amendWallet", () => amendInitiative(created, people[4], second.id, 1, doc("second v2"), relayer));
await measure("admit", () => committee.admit(first.id, 1));

// Ten more admitted initiatives, to decide together.
const batch: bigint[] = [];
for (let i = 0; i < 10; i++) {
  const { id } = await submitted(people[i % 4], `batch ${i}`);
  for (const person of people.filter((_, j) => j !== i % 4).slice(0, 2)) {
    await cosignInitiative(created, residents, person, id, 1, doc(`batch ${i}`), relayer);
  }
  await committee.admit(id, 1);
  batch.push(id);
}

const expertSigners: ContestSigner[] = [
  { address: signers[10].address, wallet: signers[10] },
  { address: signers[11].address, wallet: signers[11] },
  { address: expertKey.address, key: expertKey },
];
async function score(expert: ContestSigner, id: bigint): Promise<Sent> {
  const signed = await signedSheet(created, expert, id, [8, 7, 4], doc(`comment ${expert.address} ${id}`));
  return await relayer.submitSheet(signed.sheet, signed.scheme, signed.signature);
}
await measure("submitSheetWalletFirst", () => score(expertSigners[0], first.id));
await measure("submitSheetWallet", () => score(expertSigners[1], first.id));
await measure("submitSheetP256", () => score(expertSigners[2], first.id));
for (const id of batch) for (const expert of expertSigners) await score(expert, id);

await networkHelpers.time.increaseTo(created.reviewClosesAt);
await measure("decide1", () => relayer.decide([first.id]));
await measure("decide10", () => relayer.decide(batch));
gas.decidePerInitiative = Math.round(gas.decide10 / 10);

// Whether the secp256r1 precompile answers at 0x100: it verifies the known valid signature the ballot box probes with
// (`BallotBox._hasP256Precompile`), where an empty account returns nothing.
const P256_PROBE =
  "0xbb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca605023" +
  "0000000000000000000000000000000000000000000000000000000000000005" +
  "0000000000000000000000000000000000000000000000000000000000000001" +
  "a71af64de5126a4a4e02b7922d66ce9415ce88a4c9d25514d91082c8725ac957" +
  "5d47723c8fbe580bb369fec9c2665d8e30a435b9932645482e7c9f11e872296b";
const p256Precompile =
  BigInt(
    (await ethers.provider.call({ to: "0x0000000000000000000000000000000000000100", data: P256_PROBE })) || "0x0",
  ) === 1n;
/** Seconds of the audit of a round made from the demo's contest, with its contest checks and without them. */
async function auditWithContest(initiatives: number) {
  const dir = await mkdtemp(path.join(tmpdir(), "kopilka-bench-contest-"));
  try {
    const ctx: CommandContext = { connection, publicationBase: path.join(dir, "published"), out: silentOutput };
    const contest = await playDemoContest(connection, ctx.publicationBase, initiatives);
    await deploy(ctx);
    const now = await networkHelpers.time.latest();
    await writeFile(
      path.join(dir, "districts.csv"),
      "name,budget\nЦентральный,30000000\nДзержинский,30000000\nВорошиловский,30000000\n",
    );
    const spec = path.join(dir, "round.json");
    await writeFile(
      spec,
      JSON.stringify({
        name: "Раунд по итогам конкурса",
        budget: "90000000",
        opensAt: now + 86_400,
        closesAt: now + 15 * 86_400,
        rule: "ranked",
        allowance: "1000",
        districts: "districts.csv",
      }),
    );
    const { round } = await createRound(ctx, { spec, fromContest: contest.contest });
    await mint(ctx, { round });
    const timed = async (withContest: boolean) => {
      const start = performance.now();
      const { report } = await auditRound(
        { rpc: connection.provider, round, ...(withContest ? { contest: contest.contest } : {}) },
        ctx.publicationBase,
      );
      if (!report.ok)
        throw new Error(`the audit failed: ${JSON.stringify(report.checks.filter((c) => c.status === "fail"))}`);
      return { seconds: (performance.now() - start) / 1000, checks: report.checks.length };
    };
    await timed(true); // warm-up: the first audit compiles and caches what every audit uses
    const without = await timed(false);
    const withContest = await timed(true);
    return {
      initiatives: contest.initiatives,
      passed: contest.passed,
      auditSeconds: Number(without.seconds.toFixed(3)),
      auditWithContestSeconds: Number(withContest.seconds.toFixed(3)),
      contestChecksSeconds: Number((withContest.seconds - without.seconds).toFixed(3)),
      checks: without.checks,
      checksWithContest: withContest.checks,
      loadAverage: loadavg()[0],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const audit = await auditWithContest(36);

const result = {
  gas,
  audit,
  context: {
    criteria: created.criteria.length,
    experts: experts.length,
    treeLeaves: TREE_SIZE,
    proofHashes,
    p256Precompile,
    hardfork: "default of Hardhat's simulated chain",
    benchSeconds: (Date.now() - started) / 1000,
  },
};
const out = path.join("bench", "results", "contest.json");
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(result, null, 2) + "\n");
console.table(Object.entries(gas).map(([operation, used]) => ({ operation, gas: used })));
console.log(
  `audit of a round made from a contest of ${audit.initiatives} initiatives (${audit.passed} passed): ` +
    `${audit.auditSeconds} s, ${audit.auditWithContestSeconds} s with the contest's checks`,
);
console.log(`wrote ${out}`);
