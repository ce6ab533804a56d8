/**
 * Gas of a relayed ballot, two ways, against the same allocation sent directly (whole-transaction gas, 21,000
 * included, per ballot): the ballot box (custom batch entry point, nonce in the token's holder word) and
 * OpenZeppelin's ERC2771Forwarder.executeBatch through an ERC2771Context adapter (nonce in the forwarder's own
 * storage). Residents have claimed; each allocates into a bank that already holds tokens, as in bench:gas.
 * Writes bench/results/gasless.json. Run with `npm run bench:gasless`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import { ballotCalldata, ballotDomain, batchGasLimit, signBallot } from "@kopilka/core/ballots";
import {
  createRound,
  mintAndOpen,
  postBatch,
  roundConfig,
  roundRoles,
  voters as makeVoters,
  type CreatedRound,
} from "../hardhat/fixtures.js";

const BATCH = 50;
const ALLOWANCE = 5_000n;
const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;
const people = await makeVoters(ethers, networkHelpers, 3 * BATCH + 2);
const [seed, relayer] = people.splice(0, 2);
const direct = people.slice(0, BATCH);
const relayed = people.slice(BATCH, 2 * BATCH);
const forwarded = people.slice(2 * BATCH);
const DISTRICTS = [{ name: "Central", budget: 1_000_000n, projects: [300_000n, 200_000n] }];

const created = await createRound(ethers, networkHelpers, { districts: DISTRICTS });

// The same round, trusting the ERC-2771 adapter as its ballot box: deployed by hand, since the factory's rounds
// all trust its ballot box.
const forwarder = await ethers.deployContract("KopilkaForwarder");
const adapter = await ethers.deployContract("ForwardedVoting", [await forwarder.getAddress()]);
const parts = await ethers.deployContract("RoundParts", [await adapter.getAddress()]);
const now = BigInt(await time.latest());
const roles = await roundRoles(ethers);
const config2771 = roundConfig(roles, now, { name: "ERC-2771 round", budget: 1_000_000n });
const round2771 = await ethers.deployContract("Round", [
  config2771,
  await created.factory.piggyBankImplementation(),
  await parts.getAddress(),
]);
await round2771.connect(roles.committee).addDistrict("Central", 1_000_000n);
for (const [i, cost] of DISTRICTS[0].projects.entries()) {
  await round2771.connect(roles.committee).addProject(0, cost, 0, ethers.id(`p${i}`), `projects/${i}.json`);
}
const other: CreatedRound = {
  ...created,
  round: round2771,
  opensAt: BigInt(config2771.opensAt),
  token: await ethers.getContractAt("BudgetToken", await round2771.token()),
  airdrop: await ethers.getContractAt("Airdrop", await round2771.airdrop()),
  banks: [(await round2771.project(0)).bank, (await round2771.project(1)).bank],
};

const setups = [
  { round: created, accounts: [seed, ...direct, ...relayed] },
  { round: other, accounts: [seed, ...forwarded] },
];
const batches = [];
for (const { round, accounts } of setups) {
  await mintAndOpen(round);
  batches.push(
    await postBatch(
      round,
      accounts.map((a) => ({ account: a.address, district: 0, amount: ALLOWANCE })),
    ),
  );
}
await time.increaseTo(created.opensAt > other.opensAt ? created.opensAt : other.opensAt);
for (const [i, { round, accounts }] of setups.entries()) {
  for (const account of accounts) {
    const { participant, proof } = batches[i].proofOf(account.address);
    await round.airdrop.claim(
      batches[i].batchId,
      participant.account,
      participant.district,
      participant.amount,
      participant.enrollment,
      proof,
    );
  }
  await round.round.connect(seed).allocate(round.banks, [1n, 1n]);
}
const bank = (round: CreatedRound, i: number) => round.banks[i % 2];

let directGas = 0n;
for (const [i, voter] of direct.entries()) {
  directGas += (await (await created.round.connect(voter).allocate([bank(created, i)], [1_000n])).wait())!.gasUsed;
}

const box = await ethers.getContractAt("BallotBox", await created.round.ballotBox());
const domain = ballotDomain((await ethers.provider.getNetwork()).chainId, await box.getAddress());
const deadline = BigInt(await time.latest()) + 3600n;
const ballots = await Promise.all(
  relayed.map(async (voter, i) => ({
    ballot: await signBallot(voter, domain, {
      round: await created.round.getAddress(),
      voter: voter.address,
      nonce: 0n,
      deadline,
      fromBanks: [],
      fromAmounts: [],
      toBanks: [bank(created, i)],
      toAmounts: [1_000n],
    }),
  })),
);
const calldata = ballots.map(({ ballot }) => ballotCalldata(ballot));
const boxReceipt = await (
  await box.connect(relayer).submit(created.round, calldata, { gasLimit: batchGasLimit(ballots) })
).wait();
if (boxReceipt!.logs.some((log) => box.interface.parseLog(log)?.name === "BallotRejected")) {
  throw new Error("a ballot was rejected");
}

const forwarderDomain = {
  name: "Kopilka",
  version: "1",
  chainId: domain.chainId,
  verifyingContract: await forwarder.getAddress(),
};
const FORWARD_REQUEST = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
};
const requests = await Promise.all(
  forwarded.map(async (voter, i) => {
    const request = {
      from: voter.address,
      to: await adapter.getAddress(),
      value: 0n,
      gas: 200_000n,
      nonce: await forwarder.nonces(voter.address),
      deadline,
      data: adapter.interface.encodeFunctionData("reallocate", [
        await round2771.getAddress(),
        [],
        [],
        [bank(other, i)],
        [1_000n],
      ]),
    };
    const signature = await voter.signTypedData(forwarderDomain, FORWARD_REQUEST, request);
    return { ...request, signature };
  }),
);
const forwarderReceipt = await (
  await forwarder.connect(relayer).executeBatch(requests, relayer.address, { gasLimit: 15_000_000n })
).wait();
for (const voter of forwarded) {
  if ((await round2771.depositOf(bank(other, forwarded.indexOf(voter)), voter.address)) !== 1_000n) {
    throw new Error("a forwarded vote was not applied");
  }
}

const perBallot = (gas: bigint) => Math.round(Number(gas) / BATCH);
const result = {
  batch: BATCH,
  gasPerBallot: {
    direct: perBallot(directGas),
    ballotBox: perBallot(boxReceipt!.gasUsed),
    erc2771Forwarder: perBallot(forwarderReceipt!.gasUsed),
  },
  ratioToDirect: {
    ballotBox: Math.round((Number(boxReceipt!.gasUsed) / Number(directGas)) * 1000) / 1000,
    erc2771Forwarder: Math.round((Number(forwarderReceipt!.gasUsed) / Number(directGas)) * 1000) / 1000,
  },
  note:
    "first signed ballot of each resident; ERC-2771 path: forwarder.executeBatch -> ForwardedVoting (reads the " +
    "token nonce to pass it through) -> round.castFor; its nonce is a fresh storage word of the forwarder",
};
const out = path.join("bench", "results", "gasless.json");
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(result, null, 2) + "\n");
console.log(result);
