/**
 * The relayer's HTTP API (fastify, every request checked against a JSON schema):
 *
 *   GET  /config                  chain id, round, ballot box, the EIP-712 domain and types to sign
 *   GET  /voters/:voter           the nonce the voter's next ballot must carry, and their unsettled ballots
 *   POST /ballots                 a signed ballot; 202 once it is stored, 200 if the same ballot was stored before
 *   GET  /ballots/:voter/:nonce   what became of a ballot: queued, submitted, applied or rejected (with why)
 *   GET  /health                  queue depth, last submission, gas spent in the last hour
 *
 * Amounts, nonces and deadlines travel as decimal strings. A ballot is checked (round, deadline, signature,
 * eligibility against the published tree, nonce, banks, balance) before it is stored, and stored before the answer.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { getAddress } from "ethers";

import { BALLOT_TYPES, ballotSigner, type SignedBallot } from "@kopilka/core/ballots";
import type { RoundView } from "./chain.js";
import { crashIf, faultAt } from "./fault.js";
import type { RelayerStore } from "./store.js";
import type { Submitter } from "./submitter.js";

export interface ServerOptions {
  bodyLimit: number;
  ipPerMinute: number;
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

/** A fixed-window counter per key. */
class RateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one hit; returns the seconds to wait when over the limit. */
  hit(key: string, now = Date.now()): number | undefined {
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      if (this.windows.size > 100_000) this.windows.clear();
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return window.count > this.limit ? Math.ceil((window.start + this.windowMs - now) / 1000) : undefined;
  }
}

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
}

export function buildServer(
  store: RelayerStore,
  view: RoundView,
  submitter: Submitter,
  options: ServerOptions,
): FastifyInstance {
  // Refuse unknown fields rather than drop them (fastify's default): a client that sends one has a bug to know of.
  const app = Fastify({ bodyLimit: options.bodyLimit, ajv: { customOptions: { removeAdditional: false } } });
  const perIp = new RateLimit(options.ipPerMinute, 60_000);
  const perVoter = new RateLimit(options.voterPerHour, 3_600_000);
  let chainTime = { at: 0, timestamp: 0n };

  async function chainNow(): Promise<bigint> {
    if (Date.now() - chainTime.at > 1_000) {
      const block = await view.round.runner!.provider!.getBlock("latest");
      chainTime = { at: Date.now(), timestamp: BigInt(block!.timestamp) };
    }
    return chainTime.timestamp;
  }

  function refuse(reply: FastifyReply, code: number, error: string, details: Record<string, unknown> = {}) {
    return reply.code(code).send({ error, ...details });
  }

  // The dApp is a static site on an origin of its own: let any page call this public, cookie-less API.
  app.addHook("onRequest", async (request, reply) => {
    reply.header("access-control-allow-origin", "*");
    reply.header("access-control-expose-headers", "retry-after");
    if (request.method === "OPTIONS") {
      return reply
        .code(204)
        .header("access-control-allow-methods", "GET, POST")
        .header("access-control-allow-headers", "content-type")
        .header("access-control-max-age", "86400")
        .send();
    }
  });

  app.addHook("onRequest", async (request, reply) => {
    const wait = perIp.hit(request.ip);
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
      signature: { type: "string", pattern: "^0x[0-9a-fA-F]{130}$" },
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
    let signer: string;
    try {
      signer = await ballotSigner(view.domain, ballot);
    } catch {
      return refuse(reply, 400, "the signature is malformed");
    }
    if (signer !== ballot.voter) return refuse(reply, 400, "the signature is not the voter's", { signer });

    const known = store.find(ballot.voter, ballot.nonce);
    if (known) {
      if (known.ballot.signature === ballot.signature) return reply.code(200).send({ status: known.status });
      return refuse(reply, 409, "another ballot of this voter has this nonce", { status: known.status });
    }
    const wait = perVoter.hit(ballot.voter);
    if (wait !== undefined) {
      reply.header("retry-after", wait);
      return refuse(reply, 429, "too many ballots from this voter", { retryAfter: wait });
    }
    if (store.unsettled(ballot.voter).length > 0) {
      return refuse(reply, 409, "a ballot of this voter is still pending: wait until it is settled");
    }
    const now = await chainNow();
    if (now >= view.closesAt) return refuse(reply, 400, "voting has closed", { closesAt: view.closesAt.toString() });
    if (ballot.deadline < now + BigInt(options.minDeadlineMargin)) {
      return refuse(reply, 400, "the deadline is too close or past", { now: now.toString() });
    }

    const state = await view.voterState(ballot.voter);
    if (!state) return refuse(reply, 403, "the voter is in no published batch of this round");
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

    // The ballot is durable before anyone is told it is queued: a crash from here on loses nothing that was answered.
    const id = store.accept(ballot, state.claim, Date.now());
    if (id === undefined) return refuse(reply, 409, "another ballot of this voter has this nonce");
    crashIf("before-answer");
    return reply.code(202).send({ status: "queued", id });
  });

  return app;
}
