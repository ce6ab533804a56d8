/**
 * Casting thousands of ballots quickly, on a local Hardhat chain only (a `hardhat node` or the in-process
 * network): Pabulib replays and the demo need real votes through the real contracts, but not real signatures or
 * one block per vote. Voters are impersonated (`hardhat_impersonateAccount`, then unsigned `eth_sendTransaction`),
 * automine is off while a batch of transactions is sent, and `evm_mine` puts the whole batch in one block. The
 * next block's base fee is set to zero so voters need no ether and a long run of full blocks cannot price them out.
 */
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import type { Eip1193Provider } from "@kopilka/core/chain";
import type { ParticipantLeaf } from "@kopilka/core/participants";
import { Round__factory } from "../../typechain-types/index.js";
import { CommandError, type Connection } from "./connection.js";

/**
 * The node itself: for an http network, JSON-RPC straight to its URL, with the calls of one tick sent as one
 * batch (Hardhat's provider sends one HTTP request per call and refuses to send for accounts its configuration
 * does not hold, which is every impersonated voter); the connection's provider for the in-process network.
 */
export async function nodeProvider(connection: Connection): Promise<Eip1193Provider> {
  const config = connection.networkConfig;
  if (config.type !== "http") return connection.provider;
  return batchingHttpProvider(await config.url.get());
}

interface QueuedCall {
  id: number;
  method: string;
  params: unknown[];
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const BATCH_SIZE = 500;

export function batchingHttpProvider(url: string): Eip1193Provider {
  let queue: QueuedCall[] = [];
  let nextId = 1;
  const send = async (calls: QueuedCall[]) => {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(calls.map(({ id, method, params }) => ({ jsonrpc: "2.0", id, method, params }))),
      });
      if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
      const answers = (await response.json()) as {
        id: number;
        result?: unknown;
        error?: { code: number; message: string; data?: unknown };
      }[];
      const byId = new Map(answers.map((answer) => [answer.id, answer]));
      for (const call of calls) {
        const answer = byId.get(call.id);
        if (answer === undefined) call.reject(new Error(`${url} did not answer ${call.method}`));
        else if (answer.error) call.reject(Object.assign(new Error(answer.error.message), answer.error));
        else call.resolve(answer.result);
      }
    } catch (error) {
      for (const call of calls) call.reject(error as Error);
    }
  };
  const flush = () => {
    const calls = queue;
    queue = [];
    for (let i = 0; i < calls.length; i += BATCH_SIZE) void send(calls.slice(i, i + BATCH_SIZE));
  };
  return {
    request: ({ method, params }) =>
      new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ id: nextId++, method, params: params ?? [], resolve, reject });
      }),
  };
}

/** A JSON-RPC quantity: hex without leading zeros, as nodes and Hardhat's checks require. */
const quantity = (value: bigint) => "0x" + value.toString(16);

/** Refuses, with the reason, unless the chain is a local Hardhat network that takes the hardhat_* methods. */
export async function requireLocalHardhat(provider: Eip1193Provider, what: string): Promise<void> {
  // An unreachable node is another problem, with its own message.
  await provider.request({ method: "eth_chainId", params: [] });
  let metadata: { clientVersion?: string } | undefined;
  try {
    metadata = (await provider.request({ method: "hardhat_metadata", params: [] })) as { clientVersion?: string };
  } catch {
    metadata = undefined;
  }
  if (metadata === undefined || typeof metadata.clientVersion !== "string") {
    throw new CommandError(
      `${what} runs only on a local Hardhat chain (\`npx hardhat node\`, the default --network localhost): it ` +
        `impersonates voters and mines blocks at will, which no real network allows. Nothing was sent.`,
    );
  }
}

/** Moves the chain's clock to `timestamp` (unix seconds) with one block, if it is not there yet. */
export async function advanceTimeTo(provider: Eip1193Provider, timestamp: bigint): Promise<void> {
  const latest = (await provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    timestamp: string;
  };
  if (BigInt(latest.timestamp) >= timestamp) return;
  await provider.request({ method: "evm_setNextBlockTimestamp", params: [quantity(timestamp)] });
  await provider.request({ method: "evm_mine", params: [] });
}

/** One voter's claim of a Merkle leaf and where it puts the tokens, as `Round.claimAndAllocate` takes them. */
export interface Ballot {
  account: string;
  batchId: bigint;
  district: number;
  amount: bigint;
  enrollment: string;
  proof: string[];
  banks: string[];
  amounts: bigint[];
}

export interface CastOptions {
  /** Called after each block with the ballots cast so far. */
  onProgress?: (cast: number) => void;
  /** Upper bound on transactions per block (the block gas limit bounds it too). */
  perBlock?: number;
}

export interface CastResult {
  cast: number;
  blocks: number;
  /** Ballots whose transaction reverted, with the transaction hash. */
  failed: { index: number; account: string; tx: string }[];
  seconds: number;
}

const ROUND = Round__factory.createInterface();

/**
 * The gas limit of a ballot. A block is packed by gas limits, so a tight one means fuller blocks. Measured
 * (minSupporters 0): 104k with one bank, +31k per further bank; the margin covers first deposits into empty banks,
 * supporter counting and long proofs. A limit too low would revert the ballot, which castBallots reports.
 */
export const ballotGas = (ballot: Ballot): bigint =>
  80_000n + 55_000n * BigInt(ballot.banks.length) + 1_000n * BigInt(ballot.proof.length);

/** Casts every ballot through `round.claimAndAllocate`, a block of them at a time. */
export async function castBallots(
  provider: Eip1193Provider,
  round: string,
  ballots: readonly Ballot[],
  options: CastOptions = {},
): Promise<CastResult> {
  const started = performance.now();
  const request = (method: string, params: unknown[] = []) => provider.request({ method, params });
  const latest = (await request("eth_getBlockByNumber", ["latest", false])) as { gasLimit: string };
  const blockGas = (BigInt(latest.gasLimit) * 9n) / 10n;
  const failed: CastResult["failed"] = [];
  let blocks = 0;
  let next = 0;
  await request("evm_setAutomine", [false]);
  try {
    while (next < ballots.length) {
      // As many as fit the block by their gas limits, which is how the miner packs them.
      const batch: number[] = [];
      let gas = 0n;
      while (next < ballots.length && batch.length < (options.perBlock ?? 1_000)) {
        const needed = ballotGas(ballots[next]);
        if (batch.length > 0 && gas + needed > blockGas) break;
        gas += needed;
        batch.push(next++);
      }
      await Promise.all(batch.map((i) => request("hardhat_impersonateAccount", [ballots[i].account])));
      await request("hardhat_setNextBlockBaseFeePerGas", ["0x0"]);
      const hashes = (await Promise.all(
        batch.map((i) => {
          const b = ballots[i];
          const data = ROUND.encodeFunctionData("claimAndAllocate", [
            b.batchId,
            b.district,
            b.amount,
            b.enrollment,
            b.proof,
            b.banks,
            b.amounts,
          ]);
          return request("eth_sendTransaction", [
            { from: b.account, to: round, data, gas: quantity(ballotGas(b)), gasPrice: "0x0" },
          ]);
        }),
      )) as string[];
      await request("evm_mine");
      blocks++;
      const receipts = (await Promise.all(hashes.map((hash) => request("eth_getTransactionReceipt", [hash])))) as ({
        status: string;
      } | null)[];
      if (receipts.some((receipt) => receipt === null)) {
        throw new CommandError(`a block did not take all ${batch.length} ballots sent for it; nothing else was sent`);
      }
      receipts.forEach((receipt, j) => {
        if (BigInt(receipt!.status) !== 1n)
          failed.push({ index: batch[j], account: ballots[batch[j]].account, tx: hashes[j] });
      });
      await Promise.all(batch.map((i) => request("hardhat_stopImpersonatingAccount", [ballots[i].account])));
      options.onProgress?.(next);
    }
  } finally {
    await request("evm_setAutomine", [true]);
  }
  return { cast: ballots.length - failed.length, blocks, failed, seconds: (performance.now() - started) / 1000 };
}

/**
 * The ballots of a published participants tree: each leaf's account claims its whole allowance and puts it where
 * `allocationOf` says (accounts it returns nothing for are left out).
 */
export function ballotsFromTree(
  tree: StandardMerkleTree<ParticipantLeaf>,
  batchId: bigint,
  allocationOf: (account: string) => { banks: string[]; amounts: bigint[] } | undefined,
): Ballot[] {
  const ballots: Ballot[] = [];
  for (const [index, [account, district, amount, enrollment]] of tree.entries()) {
    const allocation = allocationOf(account);
    if (allocation === undefined) continue;
    ballots.push({
      account,
      batchId,
      district: Number(district),
      amount: BigInt(amount),
      enrollment,
      proof: tree.getProof(index),
      ...allocation,
    });
  }
  return ballots;
}
