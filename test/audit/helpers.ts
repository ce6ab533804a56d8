/**
 * What the auditor's tests share: a real `hardhat node` on a free port, a small voted and finalized round on it,
 * the round's published files in a temporary directory, and JSON-RPC wrappers that behave like public endpoints
 * (result limits, range limits, flaky connections) or like a dishonest one.
 */
import { cp, mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import { publishBatch } from "@kopilka/core/node";
import { manifestPath, projectMetadataPath, roundDirectory, type RoundManifest } from "@kopilka/core/publication";
import { ANY_DISTRICT } from "@kopilka/core/participants";
import type { Eip1193Provider, RpcRequest } from "@kopilka/core/chain";
import { callsReaderAbi, callsReaderBytecode } from "@kopilka/core/abi/reads";
import { decodeAbiParameters, decodeDeployData, encodeAbiParameters, type Hex } from "viem";
import {
  createRound,
  mintAndOpen,
  postBatch,
  type CreatedRound,
  type DistrictSpec,
  type PostedBatch,
} from "../../scripts/hardhat/fixtures.js";

export { freePort, startHardhatNode as startNode, type LocalNode } from "../../scripts/hardhat/localnode.js";

export const DISTRICTS: DistrictSpec[] = [
  { name: "Central", budget: 100_000n, projects: [60_000n, 50_000n, 40_000n] },
  { name: "Krasnoarmeysky", budget: 50_000n, projects: [30_000n, 20_000n, 25_000n] },
];

export interface VotedRound {
  created: CreatedRound;
  batches: PostedBatch[];
  /** Block of the factory's deployment. */
  fromBlock: number;
  /** Voter addresses (lower case), the transactions each sent, and who was left out. */
  voters: string[];
  txs: Map<string, string[]>;
  /** A winner and a loser of district 0 by the contract's own finalization. */
  winner: number;
  loser: number;
  metadataText(projectId: number): string;
}

/**
 * A round with two districts, two batches, single-project and split ballots, withdrawals, a reallocation, a
 * resident who claims but never votes and one who never claims; then closed, finalized and one implementation
 * recorded.
 */
export async function voteRound(ethers: HardhatEthers, networkHelpers: NetworkHelpers): Promise<VotedRound> {
  const created = await createRound(ethers, networkHelpers, { districts: DISTRICTS, minSupporters: 1 });
  const fromBlock = (await created.factory.deploymentTransaction()!.wait())!.blockNumber;
  await mintAndOpen(created);
  const signers = (await ethers.getSigners()).slice(5, 17);
  const district = (i: number): number => (i % 3 === 2 ? ANY_DISTRICT : i % 3);
  const first = await postBatch(
    created,
    signers
      .slice(0, 8)
      .map((s, i) => ({ account: s.address, district: district(i), amount: 10_000n + BigInt(i) * 1000n })),
  );
  const second = await postBatch(
    created,
    signers.slice(8).map((s, i) => ({ account: s.address, district: district(i), amount: 7_000n })),
  );
  await networkHelpers.time.increaseTo(created.opensAt);

  const { round, banks, districtProjects } = created;
  const txs = new Map<string, string[]>();
  const record = async (voter: string, sent: Promise<{ hash: string; wait(): Promise<unknown> }>): Promise<void> => {
    const tx = await sent;
    await tx.wait();
    txs.set(voter.toLowerCase(), [...(txs.get(voter.toLowerCase()) ?? []), tx.hash]);
  };
  const bankFor = (voterDistrict: number, index: number): string => {
    const ids = districtProjects[voterDistrict === ANY_DISTRICT ? 0 : voterDistrict];
    return banks[ids[index % ids.length]];
  };
  // The last signer of each batch never votes: one claims without allocating, the other never claims.
  for (const [b, batch] of [first, second].entries()) {
    const members = b === 0 ? signers.slice(0, 8) : signers.slice(8);
    for (const [i, signer] of members.entries()) {
      const { participant, proof } = batch.proofOf(signer.address);
      if (i === members.length - 1) {
        if (b === 0) {
          await record(
            signer.address,
            created.airdrop.claim(
              batch.batchId,
              signer.address,
              participant.district,
              participant.amount,
              participant.enrollment,
              proof,
            ),
          );
        }
        continue;
      }
      const split = i % 2 === 0;
      const amount = participant.amount / (split ? 3n : 1n);
      const toBanks = split
        ? [bankFor(participant.district, i), bankFor(participant.district, i + 1)]
        : [bankFor(participant.district, i)];
      await record(
        signer.address,
        round.connect(signer).claimAndAllocate(
          batch.batchId,
          participant.district,
          participant.amount,
          participant.enrollment,
          proof,
          toBanks,
          toBanks.map(() => amount),
        ),
      );
    }
  }
  // Second thoughts: a withdrawal and a reallocation.
  await record(signers[0].address, round.connect(signers[0]).withdraw([bankFor(0, 0)], [1_000n]));
  await record(
    signers[1].address,
    round.connect(signers[1]).reallocate([bankFor(1, 1)], [2_000n], [bankFor(1, 2)], [2_000n]),
  );

  await networkHelpers.time.increaseTo(created.closesAt);
  for (const id of districtProjects.keys()) await (await round.finalize(id)).wait();
  const districtZero = await Promise.all(districtProjects[0].map((id) => round.project(id)));
  const winner = districtProjects[0].find((_, i) => districtZero[i].funded)!;
  const loser = districtProjects[0].find((_, i) => !districtZero[i].funded)!;
  await (await round.connect(created.roles.reporter).recordImplementation(winner, 1, 0n, ethers.ZeroHash)).wait();

  return {
    created,
    batches: [first, second],
    fromBlock,
    voters: signers.map((s) => s.address.toLowerCase()),
    txs,
    winner,
    loser,
    // The round helper hashes `<district name>/<index>` as each project's metadata; the published file is that text.
    metadataText(projectId: number): string {
      const districtId = districtProjects.findIndex((ids) => ids.includes(projectId));
      return `${DISTRICTS[districtId].name}/${districtProjects[districtId].indexOf(projectId)}`;
    },
  };
}

/** Writes the round's published files (manifest, trees, metadata) under a new temporary base directory. */
export async function publish(voted: VotedRound, chainId: bigint): Promise<string> {
  const base = await mkdtemp(path.join(tmpdir(), "kopilka-audit-"));
  const { created } = voted;
  const round = await created.round.getAddress();
  const manifest: RoundManifest = {
    chainId: Number(chainId),
    factory: await created.factory.getAddress(),
    round,
    token: await created.token.getAddress(),
    airdrop: await created.airdrop.getAddress(),
    fromBlock: voted.fromBlock,
    name: "Test round",
  };
  const write = async (file: string, text: string): Promise<void> => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  };
  await write(manifestPath(base, chainId, round), JSON.stringify(manifest, null, 2) + "\n");
  // Each batch's tree, proof files and list pages, as the committee's tool publishes them.
  for (const batch of voted.batches) {
    await publishBatch(roundDirectory(base, chainId, round), Number(batch.batchId), batch.tree);
  }
  for (const id of created.banks.keys())
    await write(projectMetadataPath(base, chainId, round, id), voted.metadataText(id));
  return base;
}

/** A copy of a published base whose round directory the caller may then edit. */
export async function copyPublished(
  base: string,
  chainId: bigint,
  round: string,
): Promise<{ base: string; dir: string }> {
  const copy = await mkdtemp(path.join(tmpdir(), "kopilka-audit-tampered-"));
  await cp(base, copy, { recursive: true });
  return { base: copy, dir: roundDirectory(copy, chainId, round) };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Raw JSON-RPC over fetch, so that wrappers see exactly what the endpoint answers. */
export function httpRpc(url: string): Eip1193Provider & { requests: number } {
  const rpc = {
    requests: 0,
    async request({ method, params }: RpcRequest): Promise<unknown> {
      rpc.requests++;
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: rpc.requests, method, params: params ?? [] }),
      });
      const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
      if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code });
      return body.result;
    },
  };
  return rpc;
}

/**
 * An endpoint that changes some view calls' answers, whether asked alone or gathered in one `CallsReader` call (as the
 * auditor reads the round's state): `rewrite` sees each call's calldata and its true answer.
 */
export function rewritingCalls(inner: Eip1193Provider, rewrite: (data: string, answer: Hex) => Hex): Eip1193Provider {
  return rewritingRpc(inner, (request, result) => {
    if (request.method !== "eth_call") return result;
    const call = (request.params as { to?: string; data: string }[])[0];
    if (call.to !== undefined) return rewrite(call.data, result as Hex);
    if (!call.data.startsWith(callsReaderBytecode)) return result;
    const { args } = decodeDeployData({ abi: callsReaderAbi, bytecode: callsReaderBytecode, data: call.data as Hex });
    const [succeeded, answers] = decodeAbiParameters(CALLS_ANSWER, result as Hex);
    const rewritten = answers.map((answer, i) => (succeeded[i] ? rewrite(args[1][i], answer) : answer));
    return encodeAbiParameters(CALLS_ANSWER, [succeeded, rewritten]);
  });
}

const CALLS_ANSWER = [{ type: "bool[]" }, { type: "bytes[]" }] as const;

/** An endpoint that changes some answers: `rewrite` sees each request and its true result. */
export function rewritingRpc(
  inner: Eip1193Provider,
  rewrite: (request: RpcRequest, result: unknown) => unknown,
): Eip1193Provider {
  return { request: async (request) => rewrite(request, await inner.request(request)) };
}
