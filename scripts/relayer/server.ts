/**
 * The relayer's HTTP API (fastify, every request checked against a JSON schema):
 *
 *   GET  /config                  chain id, round, ballot box, the EIP-712 domain and types to sign
 *   GET  /voters/:voter           the nonce the voter's next ballot must carry, and their unsettled ballots
 *   POST /ballots                 a signed ballot; 202 once it is stored, 200 if the same ballot was stored before
 *   GET  /ballots/:voter/:nonce   what became of a ballot: queued, submitted, applied or rejected (with why)
 *   GET  /health                  queue depth, last submission, gas spent in the last hour
 *
 * Amounts, nonces and deadlines travel as decimal strings. A ballot is signed by a wallet (`scheme` 0, the default:
 * 65 bytes `r ‖ s ‖ v`) or by a browser's P-256 key (`scheme` 1: 128 bytes `r ‖ s ‖ qx ‖ qy`, verified here with the
 * core's verifier as the ballot box verifies it). A ballot is checked (round, voting open, deadline, signature,
 * eligibility against the voter's proof file, nonce, banks, balance) before it is stored, and stored before the
 * answer. A rejected ballot never blocks its voter: a new ballot with the same nonce takes its place.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { getAddress, ZeroAddress } from "ethers";

import { BALLOT_TYPES, ballotSigner, type SignedBallot } from "@kopilka/core/ballots";
import { SignatureScheme } from "@kopilka/core/keys";
import { refusalBody } from "../enroll/refusals.js";
import { serviceApp } from "../services/app.js";
import { RateLimit } from "../services/limit.js";
import type { RoundView } from "./chain.js";
import { crashIf, faultAt } from "./fault.js";
import type { RelayerStore } from "./store.js";
import type { Submitter } from "./submitter.js";

/** The refusal of a ballot from an account whose resident enrolled again from another device. */
const REPLACED = "the voter's enrollment was replaced by a newer one: another device enrolled with the same phone";

export interface ServerOptions {
  bodyLimit: number;
  /** fastify's `trustProxy` (see services/app.ts). */
  trustProxy: boolean | number | string;
  /** Reads per client address a minute. */
  ipPerMinute: number;
  /** Ballots per client address a minute, counted apart from reads. */
  ballotsPerIpPerMinute: number;
  voterPerHour: number;
  /** Most banks a ballot may name, withdrawals and allocations together. */
  maxMoves: number;
  /** Least time, in seconds, a ballot's deadline must leave for it to be submitted. */
  minDeadlineMargin: number;
  gasPerHour: bigint;
}

const ADDRESS = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;
const UINT64 = { type: "string", pattern: "^[0-9]{1,20}$" } as const;
const AMOUNT = { type: "string", pattern: "^[0-9]{1,38}$" } as const;

interface BallotBody {
  round: string;
  voter: string;
  nonce: string;
  deadline: string;
  fromBanks: string[];
  fromAmounts: string[];
  toBanks: string[];
  toAmounts: string[];
  signature: string;
  scheme?: SignatureScheme;
}

export interface RelayerDependencies {
  store: RelayerStore;
  view: RoundView;
  submitter: Submitter;
  options: ServerOptions;
  /**
   * Whether the account's enrollment was replaced by a newer one (its resident enrolled again from another device)
   * and its revocation is not on-chain yet: known to the enrollment service when both run as one process.
   */
  replaced?: (account: string) => boolean;
}

/** The relayer alone as an app (`npm run relayer`); `npm run services` registers `relayerRoutes` beside enrollment. */
export function buildServer(
  store: RelayerStore,
  view: RoundView,
  submitter: Submitter,
  options: ServerOptions,
): FastifyInstance {
  const app = serviceApp({ bodyLimit: options.bodyLimit, trustProxy: options.trustProxy });
  app.register(relayerRoutes, { store, view, submitter, options });
  return app;
}

/** The relayer's routes, as a fastify plugin: its limits apply to its own routes only. */
export async function relayerRoutes(
  app: FastifyInstance,
  { store, view, submitter, options, replaced }: RelayerDependencies,
) {
  const perIp = new RateLimit(options.ipPerMinute, 60_000);
  const ballotsPerIp = new RateLimit(options.ballotsPerIpPerMinute, 60_000);
  const perVoter = new RateLimit(options.voterPerHour, 3_600_000);
  let opened = false;
  let chainTime = { at: 0, timestamp: 0n };

  /** The chain's time, read at most once a second unless `fresh`. */
  async function chainNow(fresh = false): Promise<bigint> {
    if (fresh || Date.now() - chainTime.at > 1_000) {
      // Asked of the node itself: ethers' provider answers the same request from a cache for 250 ms.
      const block = (await view.reader.rpc.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
        timestamp: string;
      };
      chainTime = { at: Date.now(), timestamp: BigInt(block.timestamp) };
    }
    return chainTime.timestamp;
  }

  function refuse(reply: FastifyReply, code: number, error: string, details: Record<string, unknown> = {}) {
    return reply.code(code).send({ error, ...details });
  }

  // Ballots and reads are limited apart: a client reading a lot never stops anyone's ballot, nor its own.
  app.addHook("onRequest", async (request, reply) => {
    const wait = (request.method === "POST" ? ballotsPerIp : perIp).hit(request.ip);
    if (wait !== undefined) {
      reply.header("retry-after", wait);
      return refuse(reply, 429, "too many requests from this address", { retryAfter: wait });
    }
  });

  app.get("/config", async () => ({
    chainId: view.chainId.toString(),
    round: view.address,
    ballotBox: view.ballotBox,
    domain: { ...view.domain, chainId: view.chainId.toString() },
    types: BALLOT_TYPES,
    primaryType: "Ballot",
    maxMoves: options.maxMoves,
  }));

  const voterParams = {
    type: "object",
    required: ["voter"],
    properties: { voter: ADDRESS, nonce: UINT64 },
  } as const;

  app.get<{ Params: { voter: string } }>("/voters/:voter", { schema: { params: voterParams } }, async (request) => {
    const voter = getAddress(request.params.voter);
    const nonce: bigint = await view.token.nonceOf(voter);
    const pending = store.unsettled(voter).map((b) => ({ nonce: b.ballot.nonce.toString(), status: b.status }));
    return { voter, nonce: nonce.toString(), pending };
  });

  app.get<{ Params: { voter: string; nonce: string } }>(
    "/ballots/:voter/:nonce",
    { schema: { params: { ...voterParams, required: ["voter", "nonce"] } } },
    async (request, reply) => {
      const found = store.find(request.params.voter, BigInt(request.params.nonce));
      if (!found) return refuse(reply, 404, "no such ballot");
      const submission = found.submission === null ? undefined : store.submissionHash(found.submission);
      return { status: found.status, reason: found.reason ?? undefined, transactionHash: submission };
    },
  );

  app.get("/health", async () => {
    const counts = store.counts();
    const last = store.lastSubmission();
    return {
      status: "ok",
      queueDepth: counts.queued,
      inFlight: counts.submitted,
      applied: counts.applied,
      rejected: counts.rejected,
      lastSubmission: last && {
        transactionHash: last.hash,
        status: last.status,
        ballots: last.ballotIds.length,
        gasUsed: last.gasUsed?.toString(),
        block: last.block,
        sentAt: new Date(last.createdAt).toISOString(),
      },
      gasLastHour: store.gasSince(Date.now() - 3_600_000).toString(),
      gasBudgetPerHour: options.gasPerHour.toString(),
      paused: submitter.paused,
      lastError: submitter.lastError,
    };
  });

  if (faultAt("after-answer")) {
    // The crash comes inside `end()`, right after the answer's bytes went to the socket and before anything that
    // follows the answer in the handler: a ballot stored only after its answer is then lost, and a test sees it.
    app.addHook("onRequest", async (request, reply) => {
      if (request.method !== "POST") return;
      reply.raw.once("prefinish", () => {
        if (reply.raw.statusCode < 300) crashIf("after-answer");
      });
    });
  }

  const ballotSchema = {
    type: "object",
    additionalProperties: false,
    required: ["round", "voter", "nonce", "deadline", "fromBanks", "fromAmounts", "toBanks", "toAmounts", "signature"],
    properties: {
      round: ADDRESS,
      voter: ADDRESS,
      nonce: UINT64,
      deadline: UINT64,
      fromBanks: { type: "array", maxItems: options.maxMoves, items: ADDRESS },
      fromAmounts: { type: "array", maxItems: options.maxMoves, items: AMOUNT },
      toBanks: { type: "array", maxItems: options.maxMoves, items: ADDRESS },
      toAmounts: { type: "array", maxItems: options.maxMoves, items: AMOUNT },
      signature: { type: "string", pattern: "^0x([0-9a-fA-F]{130}|[0-9a-fA-F]{256})$" },
      scheme: { type: "integer", enum: [SignatureScheme.Secp256k1, SignatureScheme.P256] },
    },
  } as const;

  app.post<{ Body: BallotBody }>("/ballots", { schema: { body: ballotSchema } }, async (request, reply) => {
    const body = request.body;
    const ballot: SignedBallot = {
      round: getAddress(body.round),
      voter: getAddress(body.voter),
      nonce: BigInt(body.nonce),
      deadline: BigInt(body.deadline),
      fromBanks: body.fromBanks.map((a) => getAddress(a)),
      fromAmounts: body.fromAmounts.map(BigInt),
      toBanks: body.toBanks.map((a) => getAddress(a)),
      toAmounts: body.toAmounts.map(BigInt),
      signature: body.signature.toLowerCase(),
      ...(body.scheme === SignatureScheme.P256 ? { scheme: SignatureScheme.P256 } : {}),
    };
    if (ballot.round !== getAddress(view.address)) return refuse(reply, 400, "this relayer serves another round");
    if (ballot.fromBanks.length !== ballot.fromAmounts.length || ballot.toBanks.length !== ballot.toAmounts.length) {
      return refuse(reply, 400, "banks and amounts differ in length");
    }
    if (ballot.fromBanks.length + ballot.toBanks.length > options.maxMoves) {
      return refuse(reply, 400, `a ballot names at most ${options.maxMoves} banks`);
    }
    if ([...ballot.fromAmounts, ...ballot.toAmounts].some((amount) => amount === 0n)) {
      return refuse(reply, 400, "an amount is zero");
    }
    const p256 = ballot.scheme === SignatureScheme.P256;
    if ((body.signature.length === 2 + 256) !== p256) {
      return refuse(reply, 400, `a ${p256 ? "P-256" : "wallet"} signature has ${p256 ? 128 : 65} bytes`);
    }
    if (ballot.voter === ZeroAddress) return refuse(reply, 400, "the voter is the zero address");
    let signer: string;
    try {
      signer = await ballotSigner(view.domain, ballot);
    } catch {
      return refuse(reply, 400, "the signature is malformed");
    }
    if (signer !== ballot.voter) return refuse(reply, 400, "the signature is not the voter's", { signer });

    // A rejected ballot (expired, refused on-chain, its transaction reverted) does not hold its nonce: the voter
    // signs again and the new ballot takes its place.
    const known = store.find(ballot.voter, ballot.nonce);
    if (known && known.status !== "rejected") {
      if (known.ballot.signature === ballot.signature) return reply.code(200).send({ status: known.status });
      return refuse(reply, 409, "another ballot of this voter has this nonce", { status: known.status });
    }
    if (store.unsettled(ballot.voter).length > 0) {
      return refuse(reply, 409, "a ballot of this voter is still pending: wait until it is settled");
    }
    let now = await chainNow();
    // Voting opens at a block's time: a clock read before it is read again before saying it has not come.
    if (now < view.opensAt) now = await chainNow(true);
    if (!opened) opened = (await view.reader.settings()).opened;
    if (!opened || now < view.opensAt) {
      return refuse(reply, 400, "voting has not opened yet", {
        opensAt: view.opensAt.toString(),
        now: now.toString(),
        opened,
      });
    }
    if (now >= view.closesAt) return refuse(reply, 400, "voting has closed", { closesAt: view.closesAt.toString() });
    if (ballot.deadline < now + BigInt(options.minDeadlineMargin)) {
      return refuse(reply, 400, "the deadline is too close or past", { now: now.toString() });
    }

    const state = await view.voterState(ballot.voter);
    // Its ballot would fail on-chain: the resident is told plainly, as the enrollment service words it.
    if (state === "revoked") return refuse(reply, 409, REPLACED, refusalBody("key-replaced"));
    if (!state) return refuse(reply, 403, "the voter is in no published batch of this round");
    // Counted only for eligible voters: strangers' keys never fill the table nor use anyone's limit.
    const wait = perVoter.hit(ballot.voter);
    if (wait !== undefined) {
      reply.header("retry-after", wait);
      return refuse(reply, 429, "too many ballots from this voter", { retryAfter: wait });
    }
    if (ballot.nonce !== state.nonce) {
      return refuse(reply, 409, "the nonce is not the voter's next one", { expected: state.nonce.toString() });
    }
    if (ballot.toBanks.some((bank) => !view.bankAccepts(bank, state.district))) {
      return refuse(reply, 400, "a bank is not a piggy bank the voter may put tokens into");
    }
    if (ballot.fromBanks.some((bank) => !view.banks.has(bank.toLowerCase()))) {
      return refuse(reply, 400, "a bank to withdraw from is not a piggy bank of this round");
    }
    const deposits = await Promise.all(ballot.fromBanks.map((bank) => view.depositOf(bank, ballot.voter)));
    const withdrawn = new Map<string, bigint>();
    for (const [i, bank] of ballot.fromBanks.entries()) {
      const total = (withdrawn.get(bank) ?? 0n) + ballot.fromAmounts[i];
      if (total > deposits[i]) return refuse(reply, 400, "a withdrawal exceeds the voter's deposit", { bank });
      withdrawn.set(bank, total);
    }
    const available = state.balance + ballot.fromAmounts.reduce((sum, a) => sum + a, 0n);
    const allocated = ballot.toAmounts.reduce((sum, a) => sum + a, 0n);
    if (allocated > available) {
      return refuse(reply, 400, "the ballot allocates more than the voter holds", {
        available: available.toString(),
      });
    }

    // Asked last, with no await before the ballot is stored: an enrollment replaced meanwhile is seen here.
    if (replaced?.(ballot.voter)) return refuse(reply, 409, REPLACED, refusalBody("key-replaced"));
    // The ballot is durable before anyone is told it is queued: a crash from here on loses nothing that was answered.
    const id = store.accept(ballot, state.claim, Date.now());
    if (id === undefined) return refuse(reply, 409, "another ballot of this voter has this nonce");
    crashIf("before-answer");
    return reply.code(202).send({ status: "queued", id });
  });
}
