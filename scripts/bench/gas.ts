/**
 * Gas per operation, as whole-transaction gas (21,000 base included), written to bench/results/gas.json.
 * Claims are measured against a 160,000-leaf tree (18-hash proofs) and never as the first claim of a batch: `claim`
 * for a resident enrolled by phone (a leaf with an enrollment), `claimImported` for one the committee imported by
 * address (no enrollment); allocations go into banks that already hold tokens. Postings of 10 and 200 residents
 * and a revocation are measured after the first batch. Run with `npm run bench:gas`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import { ANY_DISTRICT, NO_ENROLLMENT, buildParticipantTree, type Participant } from "@kopilka/core/participants";
import { createRound, mintAndOpen, postBatch } from "../hardhat/fixtures.js";

const TREE_SIZE = 160_000;
const RUBLE = 100n;

const { ethers, networkHelpers } = await network.create();

const started = Date.now();
const signers = await ethers.getSigners();
const voters = signers.slice(5);

const created = await createRound(ethers, networkHelpers, {
  districts: [
    {
      name: "Ten",
      budget: 10_000_000n * RUBLE,
      projects: Array.from({ length: 10 }, (_, i) => BigInt(300_000 + i * 10_000) * RUBLE),
    },
    {
      name: "SixtyFour",
      budget: 20_000_000n * RUBLE,
      projects: Array.from({ length: 64 }, (_, i) => BigInt(200_000 + i * 5_000) * RUBLE),
    },
    { name: "Spare", budget: 5_000_000n * RUBLE, projects: [1_000_000n * RUBLE] },
  ],
  opensIn: 30 * 24 * 3600,
});
const { round, roles, banks, districtProjects } = created;

const gas: Record<string, number> = {};
async function measure(key: string, send: () => Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) {
  const receipt = await (await send()).wait();
  gas[key] = Number(receipt!.gasUsed);
}

// A project added to a district that already has projects.
await measure("createProject", () =>
  round.connect(roles.committee).addProject(2, 500_000n * RUBLE, 3, ethers.id("spare/1"), "projects/75.json"),
);

await mintAndOpen(created);

// 160,000 residents: the signers we vote with, then filler addresses. The filler sorts after every signer, so
// the signers' leaves sit on the tree's deepest level and their proofs have 18 hashes, the worst case. The voters
// enrolled by phone, but for one imported by address.
const allowance = 200n * RUBLE;
const IMPORTED = 12;
const participants: Participant[] = voters.map((v, i) => ({
  account: v.address,
  district: ANY_DISTRICT,
  amount: allowance,
  enrollment: i === IMPORTED ? NO_ENROLLMENT : ethers.id(`phone of voter ${i}`),
}));
for (let i = participants.length; i < TREE_SIZE; i++) {
  const account = ethers.getAddress("0xff" + i.toString(16).padStart(38, "0"));
  participants.push({ account, district: ANY_DISTRICT, amount: allowance });
}
const treeStarted = Date.now();
const batch = await postBatch(created, participants);
const treeSeconds = (Date.now() - treeStarted) / 1000;
const proofLength = batch.proofOf(voters[3].address).proof.length;
if (proofLength !== 18 || batch.proofOf(voters[IMPORTED].address).proof.length !== 18) {
  throw new Error(`the measured claims do not have 18-hash proofs`);
}

// Later postings: one root each, whatever the number of residents (their files are written off-chain).
const posting = (size: number, tag: string) =>
  buildParticipantTree(
    Array.from({ length: size }, (_, i) => ({
      account: ethers.getAddress("0x" + ethers.id(`${tag}/${i}`).slice(-40)),
      district: ANY_DISTRICT,
      amount: allowance,
      enrollment: ethers.id(`${tag} phone ${i}`),
    })),
  );
for (const size of [10, 200]) {
  const tree = posting(size, `posting of ${size}`);
  await measure(`postBatch${size}`, () =>
    round.connect(roles.registrar).postBatch(tree.root, allowance * BigInt(size)),
  );
}
// A resident who lost the device before the first claim: the registrar revokes the old account.
await measure("revoke", () => round.connect(roles.registrar).revoke(ethers.id("lost device").slice(0, 42)));

await networkHelpers.time.increaseTo(created.opensAt);

const claimOf = (voter: (typeof voters)[number]) => {
  const { participant, proof } = batch.proofOf(voter.address);
  return { participant, proof };
};
const claim = (i: number) => {
  const { participant, proof } = claimOf(voters[i]);
  return created.airdrop.claim(
    batch.batchId,
    participant.account,
    participant.district,
    participant.amount,
    participant.enrollment,
    proof,
  );
};

// Voters 0..2 claim first so the measured claim is not the batch's first.
for (let i = 0; i < 3; i++) await (await claim(i)).wait();
await measure("claim", () => claim(3));
await measure("claimImported", () => claim(IMPORTED));

// Put tokens into every bank of the two measured districts so later deposits land in non-empty banks.
const ten = districtProjects[0].map((id) => banks[id]);
const sixtyFour = districtProjects[1].map((id) => banks[id]);
const amountEach = 5n * RUBLE;
await (
  await round.connect(voters[0]).allocate(
    ten,
    ten.map(() => amountEach),
  )
).wait();
for (let start = 0; start < sixtyFour.length; start += 32) {
  const slice = sixtyFour.slice(start, start + 32);
  const voter = voters[1 + start / 32];
  await (
    await round.connect(voter).allocate(
      slice,
      slice.map(() => amountEach),
    )
  ).wait();
}

// Voter 3 (claimed above) makes its first deposit into a bank that already holds tokens.
await measure("allocate1", () => round.connect(voters[3]).allocate([ten[1]], [20n * RUBLE]));
await measure("allocate5", () =>
  round.connect(voters[3]).allocate(
    ten.slice(2, 7),
    ten.slice(2, 7).map(() => 20n * RUBLE),
  ),
);
gas.allocatePerExtraProject = Math.round((gas.allocate5 - gas.allocate1) / 4);
await measure("withdraw", () => round.connect(voters[3]).withdraw([ten[1]], [10n * RUBLE]));
await measure("reallocate1", () =>
  round.connect(voters[3]).reallocate([ten[2]], [10n * RUBLE], [ten[8]], [10n * RUBLE]),
);

// A first-time voter claims and allocates in one transaction.
await measure("claimAndAllocate1", () => {
  const { participant, proof } = claimOf(voters[4]);
  return round
    .connect(voters[4])
    .claimAndAllocate(
      batch.batchId,
      participant.district,
      participant.amount,
      participant.enrollment,
      proof,
      [ten[0]],
      [100n * RUBLE],
    );
});

// Uneven support so the tally has something to sort.
for (let i = 5; i < 10; i++) {
  const { participant, proof } = claimOf(voters[i]);
  const picks = sixtyFour.filter((_, index) => (index * 7 + i) % 5 === 0);
  await (
    await round.connect(voters[i]).claimAndAllocate(
      batch.batchId,
      participant.district,
      participant.amount,
      participant.enrollment,
      proof,
      picks,
      picks.map((_, k) => BigInt(k + 1) * RUBLE),
    )
  ).wait();
}

await networkHelpers.time.increaseTo(created.closesAt);
await measure("finalize10", () => round.finalize(0));
await measure("finalize64", () => round.finalize(1));

const targets = {
  allocate1: 65_000,
  allocatePerExtraProject: 32_000,
  claim: 80_000,
  claimImported: 80_000,
  createProject: 150_000,
  finalize64: 3_000_000,
};
const result = {
  gas,
  targets,
  withinTargets: Object.fromEntries(Object.entries(targets).map(([key, limit]) => [key, gas[key] <= limit])),
  context: {
    treeLeaves: TREE_SIZE,
    proofHashes: proofLength,
    treeBuildSeconds: treeSeconds,
    hardfork: "default of Hardhat's simulated chain",
    benchSeconds: (Date.now() - started) / 1000,
  },
};
const out = path.join("bench", "results", "gas.json");
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(result, null, 2) + "\n");
console.table(
  Object.entries(gas).map(([operation, used]) => ({
    operation,
    gas: used,
    target: targets[operation as keyof typeof targets] ?? "",
  })),
);
console.log(`wrote ${out}`);
