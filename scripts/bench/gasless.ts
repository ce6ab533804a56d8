/**
 * Gas of a relayed ballot against the same allocation sent directly (whole-transaction gas, 21,000 included, per
 * ballot): the ballot box with a wallet's (secp256k1) signature, the ballot box with a browser key's P-256 signature
 * on a chain with the secp256r1 precompile (Hardhat's default hardfork, Osaka: EIP-7951) and on one without it
 * (a second in-process chain on Prague, where OpenZeppelin's P256 verifies in Solidity), and OpenZeppelin's
 * ERC2771Forwarder.executeBatch through an ERC2771Context adapter (nonce in the forwarder's own storage). Residents
 * have claimed; each allocates into a bank that already holds tokens, as in bench:gas.
 * Writes bench/results/gasless.json. Run with `npm run bench:gasless`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { network } from "hardhat";

import { ballotCalldata, ballotDomain, batchGasLimit, signBallot, signBallotP256 } from "@kopilka/core/ballots";
import { SignatureScheme, p256KeySigner } from "@kopilka/core/keys";
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
/** Ballots of the batch measured without the precompile: each sets aside 330,000 gas for its signature. */
const SOLIDITY_P256_BATCH = 20;
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

/**
 * Relays `count` P-256 ballots on the chain of `connection`: residents whose only key is a P-256 key (their voter
 * address is the key's) claim their allowance, then each ballot puts 1,000 into a bank that already holds tokens.
 * Returns the whole transaction's gas and what the ballot box sets aside for a P-256 signature there.
 */
async function relayP256(connection: { ethers: HardhatEthers; networkHelpers: NetworkHelpers }, count: number) {
  const { ethers: chainEthers, networkHelpers: helpers } = connection;
  const round = await createRound(chainEthers, helpers, { districts: DISTRICTS });
  await mintAndOpen(round);
  const keys = Array.from({ length: count }, (_, i) =>
    p256KeySigner(chainEthers.getBytes(chainEthers.id(`p256 ${i}`))),
  );
  const [submitter, seeder] = await chainEthers.getSigners();
  const batch = await postBatch(round, [
    { account: seeder.address, district: 0, amount: ALLOWANCE },
    ...keys.map((key) => ({ account: key.address, district: 0, amount: ALLOWANCE })),
  ]);
  await helpers.time.increaseTo(round.opensAt);
  for (const account of [seeder.address, ...keys.map((key) => key.address)]) {
    const { participant, proof } = batch.proofOf(account);
    await round.airdrop.claim(batch.batchId, account, 0, participant.amount, participant.enrollment, proof);
  }
  await round.round.connect(seeder).allocate(round.banks, [1n, 1n]);
  const p256Box = await chainEthers.getContractAt("BallotBox", await round.round.ballotBox());
  const p256Domain = ballotDomain((await chainEthers.provider.getNetwork()).chainId, await p256Box.getAddress());
  const until = BigInt(await helpers.time.latest()) + 3600n;
  const signed = await Promise.all(
    keys.map(async (key, i) => ({
      ballot: await signBallotP256(key, p256Domain, {
        round: await round.round.getAddress(),
        voter: key.address,
        nonce: 0n,
        deadline: until,
        fromBanks: [],
        fromAmounts: [],
        toBanks: [bank(round, i)],
        toAmounts: [1_000n],
      }),
    })),
  );
  const signatureGas = await p256Box.signatureGas(SignatureScheme.P256);
  const receipt = await (
    await p256Box.connect(submitter).submit(
      round.round,
      signed.map(({ ballot }) => ballotCalldata(ballot)),
      { gasLimit: batchGasLimit(signed, { p256Precompile: signatureGas === 30_000n }) },
    )
  ).wait();
  if (receipt!.logs.some((log) => p256Box.interface.parseLog(log)?.name === "BallotRejected")) {
    throw new Error("a P-256 ballot was rejected");
  }
  return { gas: receipt!.gasUsed, signatureGas };
}

const p256 = await relayP256({ ethers, networkHelpers }, BATCH);
// A chain without the secp256r1 precompile: Prague, the hardfork before Osaka (EIP-7951).
const prague = await network.create({ override: { hardfork: "prague" } });
const p256Solidity = await relayP256(
  { ethers: prague.ethers, networkHelpers: prague.networkHelpers },
  SOLIDITY_P256_BATCH,
);
await prague.close();

const perBallot = (gas: bigint, count = BATCH) => Math.round(Number(gas) / count);
const result = {
  batch: BATCH,
  gasPerBallot: {
    direct: perBallot(directGas),
    ballotBox: perBallot(boxReceipt!.gasUsed),
    ballotBoxP256: perBallot(p256.gas),
    ballotBoxP256WithoutPrecompile: perBallot(p256Solidity.gas, SOLIDITY_P256_BATCH),
    erc2771Forwarder: perBallot(forwarderReceipt!.gasUsed),
  },
  signatureGasSetAside: {
    secp256k1: Number(await box.signatureGas(SignatureScheme.Secp256k1)),
    p256: Number(p256.signatureGas),
    p256WithoutPrecompile: Number(p256Solidity.signatureGas),
  },
  ratioToDirect: {
    ballotBox: Math.round((Number(boxReceipt!.gasUsed) / Number(directGas)) * 1000) / 1000,
    ballotBoxP256: Math.round((Number(p256.gas) / Number(directGas)) * 1000) / 1000,
    erc2771Forwarder: Math.round((Number(forwarderReceipt!.gasUsed) / Number(directGas)) * 1000) / 1000,
  },
  context: {
    batchWithoutPrecompile: SOLIDITY_P256_BATCH,
    hardforks: {
      default: "Hardhat's simulated chain default (Osaka: secp256r1 precompile)",
      withoutPrecompile: "prague",
    },
  },
  note:
    "first signed ballot of each resident; ERC-2771 path: forwarder.executeBatch -> ForwardedVoting (reads the " +
    "token nonce to pass it through) -> round.castFor; its nonce is a fresh storage word of the forwarder",
};
const out = path.join("bench", "results", "gasless.json");
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(result, null, 2) + "\n");
console.log(result);
