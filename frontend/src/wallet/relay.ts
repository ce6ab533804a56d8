/**
 * Voting without ether: the ballot a resident signs (EIP-712, no transaction) and the relayer that submits it
 * (`npm run relayer`, API in the README, "Run a relayer"). Part of the wallet chunk: the read-only pages never load it.
 */
import type { Address, Hex } from "viem";

import type { BallotMoves } from "@kopilka/core/ballotPlan";
import { BALLOT_DOMAIN_NAME, BALLOT_DOMAIN_VERSION, BALLOT_TYPES } from "@kopilka/core/ballots";
import { SignatureScheme } from "@kopilka/core/keys";
import { read } from "../chain.js";
import type { ChainEnvironment } from "../chain.js";
import { roundAbi } from "@kopilka/core/abi";

/** How long a signed ballot stays valid, in chain seconds: enough for a relayer's queue, not for a stale one. */
const BALLOT_LIFETIME = 3_600n;
/** How often the relayer is asked about a ballot. */
const POLL_MS = 1_000;

export type RelayStatus = "queued" | "submitted" | "applied" | "rejected";

export interface RelayProgress {
  status: RelayStatus;
  reason?: string;
  transactionHash?: Hex;
}

/** The relayer's refusal or a broken link to it, with the relayer's own words when it gave any. */
export class RelayError extends Error {}

export function relayerOf(env: ChainEnvironment): string | undefined {
  const url = env.config.relayerUrl?.replace(/\/+$/, "");
  return url === "" ? undefined : url;
}

/**
 * Whether the voter cannot pay for their own transaction (`data` to the round): no ether at all, or less than the
 * estimated gas times the current gas price. When the estimate fails the direct path is kept, so the wallet shows
 * why. Plain JSON-RPC requests, as the read-only pages do: viem's actions would pull more of viem into the chunks.
 */
export async function lacksGas(env: ChainEnvironment, account: Address, data: Hex): Promise<boolean> {
  const balance = BigInt(await env.client.request({ method: "eth_getBalance", params: [account, "latest"] }));
  if (balance === 0n) return true;
  try {
    const [gas, price] = await Promise.all([
      env.client.request({ method: "eth_estimateGas", params: [{ from: account, to: env.config.round, data }] }),
      env.client.request({ method: "eth_gasPrice" }),
    ]);
    return balance < BigInt(gas) * BigInt(price);
  } catch {
    return false;
  }
}

/** How many times a request the relayer answered 503 (its chain node did not answer) is sent again. */
const UNAVAILABLE_RETRIES = 5;

async function call<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  let response: Response;
  for (let attempt = 0; ; attempt++) {
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw new RelayError(`the relayer does not answer (${error instanceof Error ? error.message : String(error)})`);
    }
    if (response.status !== 503 || attempt === UNAVAILABLE_RETRIES) break;
    const wait = Number(response.headers.get("retry-after") ?? "2");
    await new Promise((resolve) => setTimeout(resolve, 1_000 * (Number.isFinite(wait) ? Math.min(wait, 30) : 2)));
  }
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (response.status >= 400) throw new RelayError(body.error ?? `HTTP ${response.status}`);
  return { status: response.status, body };
}

/** The typed data to sign: the domain is read from the chain (the round's ballot box), never from the relayer. */
export async function ballotToSign(env: ChainEnvironment, relayer: string, account: Address, moves: BallotMoves) {
  const [ballotBox, voter, block] = await Promise.all([
    read(env.rpc, { address: env.config.round, abi: roundAbi, functionName: "ballotBox" }),
    call<{ nonce: string; pending: { nonce: string }[] }>(`${relayer}/voters/${account}`),
    env.client.request({ method: "eth_getBlockByNumber", params: ["latest", false] }),
  ]);
  if (voter.body.pending.length > 0) {
    throw new RelayError("a ballot of yours is still with the relayer: wait until it is counted or rejected");
  }
  return {
    domain: {
      name: BALLOT_DOMAIN_NAME,
      version: BALLOT_DOMAIN_VERSION,
      chainId: env.config.chainId,
      verifyingContract: ballotBox,
    },
    types: BALLOT_TYPES,
    primaryType: "Ballot" as const,
    message: {
      round: env.config.round,
      voter: account,
      nonce: BigInt(voter.body.nonce),
      deadline: BigInt(block!.timestamp) + BALLOT_LIFETIME,
      ...moves,
    },
  };
}

type Message = Awaited<ReturnType<typeof ballotToSign>>["message"];

/**
 * Hands the signed ballot to the relayer; it answers once the ballot is stored. `scheme` says what signed it: a
 * wallet (`SignatureScheme.Secp256k1`, the default) or the browser's own key (`SignatureScheme.P256`).
 */
export async function postBallot(
  relayer: string,
  message: Message,
  signature: Hex,
  scheme: SignatureScheme = SignatureScheme.Secp256k1,
): Promise<RelayProgress> {
  const body = JSON.stringify({ ...message, signature, scheme }, (_, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v,
  );
  const { body: answer } = await call<{ status: RelayStatus }>(`${relayer}/ballots`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: answer.status };
}

/** Follows the ballot until the relayer settles it, reporting each status it passes through. */
export async function followBallot(
  relayer: string,
  account: Address,
  nonce: bigint,
  onProgress: (progress: RelayProgress) => void,
): Promise<RelayProgress> {
  for (;;) {
    const { body } = await call<RelayProgress>(`${relayer}/ballots/${account}/${nonce}`);
    onProgress(body);
    if (body.status === "applied" || body.status === "rejected") return body;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
