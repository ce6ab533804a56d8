/**
 * The enrollment service's HTTP API, a fastify plugin under `/enroll` (see docs/enrollment.md, "API"):
 *
 *   GET  /enroll/config            the round, its allowance and districts, the code's rules, the room left
 *   POST /enroll/code              {phone}: sends a 6-digit code by SMS
 *   POST /enroll/verify            {phone, code, publicKey: {x, y}, district?}: enrolls the browser's key
 *   GET  /enroll/status/:account   queued | posted (batch, proof file) | revoked | refused, and the expected wait
 *   GET  /enroll/health            counts, postings, the poster's last error
 *   GET  /enroll/demo/inbox        the codes the console gateway "sent" (local chain and console gateway only)
 *
 * Every body is checked against a JSON schema; every refusal is `{code, message, messageEn, ...}` with a stable
 * code and a plain Russian message the dApp shows as it is (./refusals.ts). A verified resident is stored before
 * the answer: a crash after the answer loses nobody, and the code is used up in the same transaction.
 *
 * The service enrolls residents into a round (`roundChain`: its budget bounds the room; a resident who voted from
 * one device cannot move to another) or into a contest of initiatives before the round (`contestChain`: no budget,
 * nothing to undo; `kind: "contest"` in the config), the keyed hash's scope being the round's or the contest's address.
 */
import { createHmac, createPublicKey, randomInt, timingSafeEqual } from "node:crypto";

import type { FastifyInstance, FastifyReply } from "fastify";

import type { Provider } from "ethers";

import type { RoundReader } from "@kopilka/core/chain";
import { enrollmentOf } from "@kopilka/core/enrollment";
import { HolderKind } from "@kopilka/core/holder";
import { keyAddress, type P256PublicKey } from "@kopilka/core/keys";
import { ANY_DISTRICT } from "@kopilka/core/participants";
import { proofFile } from "@kopilka/core/publication";
import { residentCapacity } from "@kopilka/core/residents";
import { RateLimit } from "../services/limit.js";
import { crashIf, faultAt } from "../relayer/fault.js";
import { ConsoleGateway, type SmsGateway } from "./gateway.js";
import { normalizePhone } from "./phone.js";
import type { Poster } from "./poster.js";
import { refusalBody, REFUSALS, type RefusalCode } from "./refusals.js";
import type { EnrollStore, Resident } from "./store.js";

export interface EnrollOptions {
  /** The keyed hash's secret (32 bytes or more): never in the repository, never logged. */
  secret: Uint8Array;
  /** Countries whose mobile numbers are accepted, ISO codes; the first is the default for numbers without +. */
  countries: string[];
  codeLifetimeMs: number;
  resendMs: number;
  maxAttempts: number;
  lockMs: number;
  codesPerPhonePerDay: number;
  codesPerClientPerHour: number;
  smsPerHour: number;
  /** Requests per client address a minute to the enrollment routes, verifications included. */
  requestsPerClientPerMinute: number;
  /** The SMS's text; `{code}` is replaced with the code. */
  smsText: string;
}

export interface EnrollRound {
  /** What residents enroll into: a round, or a contest of initiatives (then `round` is the contest's address). */
  kind: "round" | "contest";
  chainId: bigint;
  round: string;
  allowance: bigint;
  residentsBound: boolean;
  closesAt: bigint;
  districts: { id: number; name: string }[];
}

/** What the routes read on-chain about the round or contest they enroll into. */
export interface EnrollChain {
  /** Chain time, the room for residents (posted or not) and the number of posted batches, read at one block. */
  state(): Promise<{ timestamp: bigint; capacity: bigint; batches: number }>;
  /** Whether `account` has voted: then its resident cannot move to another device. */
  voted(account: string): Promise<boolean>;
}

/** A round: its budget bounds the residents it takes (`residentCapacity`); a claim made is a vote. */
export function roundChain(reader: RoundReader, round: { token: string; airdrop: string; allowance: bigint }) {
  return {
    async state() {
      const block = (await reader.rpc.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
        number: string;
        timestamp: string;
      };
      const atBlock = reader.at(BigInt(block.number));
      const [supply, postedTotal, batches] = await Promise.all([
        atBlock.totalSupply(round.token),
        atBlock.postedTotal(round.airdrop),
        atBlock.batchCount(round.airdrop),
      ]);
      const capacity = residentCapacity({ supply, postedTotal, allowance: round.allowance }) ?? 0n;
      return { timestamp: BigInt(block.timestamp), capacity, batches };
    },
    async voted(account: string) {
      return (await reader.holderOf(round.token, account)).kind === HolderKind.Resident;
    },
  } satisfies EnrollChain;
}

/** Room a contest reports: it has no budget, so no bound but the uint64 of a count. */
export const CONTEST_ROOM = 2n ** 64n - 1n;

/** A contest of initiatives: no budget to bound it; nobody votes in it, so a resident may always change devices. */
export function contestChain(provider: Provider, contest: { batchCount(): Promise<number> }) {
  return {
    async state() {
      const [block, batches] = await Promise.all([provider.getBlock("latest"), contest.batchCount()]);
      return { timestamp: BigInt(block!.timestamp), capacity: CONTEST_ROOM, batches };
    },
    voted: async () => false,
  } satisfies EnrollChain;
}

export interface EnrollDependencies {
  store: EnrollStore;
  chain: EnrollChain;
  round: EnrollRound;
  gateway: SmsGateway;
  poster: Poster;
  /** Whether the relayer holds a ballot of `account` not settled yet (its claim may be on its way). */
  pendingBallot?: (account: string) => boolean;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const HEX32 = { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } as const;
const PHONE = { type: "string", minLength: 5, maxLength: 32 } as const;

export async function enrollRoutes(app: FastifyInstance, deps: EnrollDependencies & { options: EnrollOptions }) {
  const { store, chain: onChain, round, gateway, poster, options } = deps;
  const perClient = new RateLimit(options.requestsPerClientPerMinute, 60_000);
  const key = (text: string) => createHmac("sha256", options.secret).update(text).digest("hex");
  let chain = { at: 0, timestamp: 0n, capacity: 0n, batches: 0 };
  poster.onPosted = () => (chain.at = 0);
  const closed = round.kind === "contest" ? "contest-closed" : "round-closed";

  /**
   * Chain time, the round's room for residents (posted or not) and the number of posted batches, read at one block
   * at most once a second. The batch count tells which of the service's postings that room already counts.
   */
  async function chainState(): Promise<{ timestamp: bigint; capacity: bigint; batches: number }> {
    if (Date.now() - chain.at > 1_000) chain = { at: Date.now(), ...(await onChain.state()) };
    return chain;
  }

  /**
   * Room for new residents: the chain's, less the residents verified and not on-chain yet. A posting mined but not
   * yet settled by the poster is on-chain already: counting its residents again would refuse residents while there
   * is room.
   */
  async function room(): Promise<bigint> {
    const { capacity, batches } = await chainState();
    return capacity - BigInt(store.unpostedCount(batches));
  }

  function refuse(reply: FastifyReply, code: RefusalCode, details: Record<string, string | number> = {}) {
    if (details.retryAfter !== undefined) reply.header("retry-after", details.retryAfter);
    return reply.code(REFUSALS[code].status).send(refusalBody(code, details));
  }

  app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number }, _request, reply) => {
    if (error.validation || (error.statusCode !== undefined && error.statusCode < 500)) {
      return refuse(reply, "bad-request", { detail: error.message });
    }
    console.error(`enroll: ${error.stack ?? error.message}`);
    return reply.code(500).send({
      code: "internal",
      message: "Ошибка сервиса. Попробуйте позже.",
      messageEn: "Service error. Try again later.",
    });
  });

  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "POST") return;
    const wait = perClient.hit(request.ip);
    if (wait !== undefined) return refuse(reply, "too-many-requests", { retryAfter: wait });
  });

  if (faultAt("enroll-after-answer")) {
    app.addHook("onRequest", async (request, reply) => {
      if (!request.url.endsWith("/verify")) return;
      reply.raw.once("prefinish", () => {
        if (reply.raw.statusCode < 300) crashIf("enroll-after-answer");
      });
    });
  }

  app.get("/config", async () => {
    const { capacity, batches } = await chainState();
    return {
      kind: round.kind,
      chainId: round.chainId.toString(),
      round: round.round,
      allowance: round.allowance.toString(),
      residentsBound: round.residentsBound,
      districts: round.districts,
      closesAt: round.closesAt.toString(),
      countries: options.countries,
      codeLength: 6,
      codeLifetimeSeconds: options.codeLifetimeMs / 1000,
      resendSeconds: options.resendMs / 1000,
      maxAttempts: options.maxAttempts,
      room: (capacity - BigInt(store.unpostedCount(batches))).toString(),
      postEverySeconds: poster.options.postEveryMs / 1000,
      demoInbox: demoInbox !== undefined,
    };
  });

  app.post<{ Body: { phone: string } }>(
    "/code",
    {
      schema: {
        body: { type: "object", additionalProperties: false, required: ["phone"], properties: { phone: PHONE } },
      },
    },
    async (request, reply) => {
      const normalized = normalizePhone(request.body.phone, options.countries);
      if ("refusal" in normalized) return refuse(reply, normalized.refusal);
      const enrollment = enrollmentOf(options.secret, round.chainId, round.round, normalized.phone);
      const now = Date.now();
      const { timestamp } = await chainState();
      if (timestamp >= round.closesAt) return refuse(reply, closed);
      if (!store.liveResident(enrollment) && (await room()) <= 0n) return refuse(reply, "capacity-reached");

      const earlier = store.code(enrollment);
      if (earlier && earlier.lockedUntil > now) {
        return refuse(reply, "code-locked", { minutes: Math.ceil((earlier.lockedUntil - now) / 60_000) });
      }
      if (earlier && earlier.sentAt + options.resendMs > now) {
        const seconds = Math.ceil((earlier.sentAt + options.resendMs - now) / 1000);
        return refuse(reply, "code-cooldown", { seconds, retryAfter: seconds });
      }
      if (store.sendsToPhone(enrollment, now - DAY_MS) >= options.codesPerPhonePerDay) {
        return refuse(reply, "phone-daily-limit");
      }
      const client = key(`client:${request.ip}`);
      if (store.sendsFromClient(client, now - HOUR_MS) >= options.codesPerClientPerHour) {
        return refuse(reply, "client-limit", { retryAfter: 3600 });
      }
      if (store.sendsSince(now - HOUR_MS) >= options.smsPerHour)
        return refuse(reply, "sms-budget", { retryAfter: 300 });

      const code = randomInt(0, 1_000_000).toString().padStart(6, "0");
      const codeKey = key(`code:${enrollment}:${code}`);
      // Recorded before it is sent: a crash right after sending still counts it against every limit.
      store.recordCode(enrollment, client, codeKey, now, now + options.codeLifetimeMs);
      const sent = await gateway.send(normalized.phone, options.smsText.replace("{code}", code));
      if (!sent.ok) {
        console.error(`enroll: SMS not sent: ${sent.error}`);
        store.dropCode(enrollment, codeKey);
        return refuse(reply, "sms-failed");
      }
      return { sent: true, resendSeconds: options.resendMs / 1000, expiresSeconds: options.codeLifetimeMs / 1000 };
    },
  );

  interface VerifyBody {
    phone: string;
    code: string;
    publicKey: { x: string; y: string };
    district?: number;
  }

  app.post<{ Body: VerifyBody }>(
    "/verify",
    {
      schema: {
        body: {
          type: "object",
          additionalProperties: false,
          required: ["phone", "code", "publicKey"],
          properties: {
            phone: PHONE,
            code: { type: "string", pattern: "^[0-9]{6}$" },
            publicKey: {
              type: "object",
              additionalProperties: false,
              required: ["x", "y"],
              properties: { x: HEX32, y: HEX32 },
            },
            district: { type: "integer", minimum: 0, maximum: 65535 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const normalized = normalizePhone(body.phone, options.countries);
      if ("refusal" in normalized) return refuse(reply, normalized.refusal);
      const enrollment = enrollmentOf(options.secret, round.chainId, round.round, normalized.phone);
      const now = Date.now();

      const code = store.code(enrollment);
      if (!code) return refuse(reply, "code-missing");
      if (code.lockedUntil > now) {
        return refuse(reply, "code-locked", { minutes: Math.ceil((code.lockedUntil - now) / 60_000) });
      }
      if (code.expiresAt <= now) return refuse(reply, "code-expired");
      const given = Buffer.from(key(`code:${enrollment}:${body.code}`), "hex");
      if (!timingSafeEqual(given, Buffer.from(code.code, "hex"))) {
        const attempts = store.wrongCode(enrollment, options.maxAttempts, now + options.lockMs);
        const attemptsLeft = Math.max(0, options.maxAttempts - attempts);
        if (attemptsLeft === 0) return refuse(reply, "code-locked", { minutes: Math.ceil(options.lockMs / 60_000) });
        return refuse(reply, "code-wrong", { attemptsLeft });
      }

      const publicKey: P256PublicKey = { x: body.publicKey.x as `0x${string}`, y: body.publicKey.y as `0x${string}` };
      if (!onCurve(publicKey)) return refuse(reply, "key-invalid");
      const account = keyAddress(publicKey).toLowerCase();

      const same = store.resident(account);
      if (same && same.enrollment !== enrollment) return refuse(reply, "key-taken");
      // A replaced account may be revoked on-chain: it never comes back; the browser makes a new key.
      if (same && (same.status === "replaced" || same.status === "refused")) return refuse(reply, "key-replaced");
      if (same) return reply.code(200).send(answer(same, now));
      const { timestamp } = await chainState();
      if (timestamp >= round.closesAt) return refuse(reply, closed);
      const earlier = store.liveResident(enrollment);
      if (earlier && (earlier.status === "posted" || earlier.status === "posting")) {
        if ((await onChain.voted(earlier.account)) || deps.pendingBallot?.(earlier.account)) {
          return refuse(reply, "already-voted");
        }
      }
      // The district only after "already voted": whatever district a resident who voted from another device picks,
      // the vote stands, and that is what the resident must hear.
      let district = ANY_DISTRICT;
      if (round.residentsBound) {
        if (body.district === undefined) return refuse(reply, "district-required");
        if (!round.districts.some((d) => d.id === body.district)) return refuse(reply, "district-unknown");
        district = body.district;
      }
      // A new resident, or one whose earlier account is (or is being) posted, takes one more allowance on-chain.
      const takesRoom = !earlier || earlier.status === "posted" || earlier.status === "posting";
      if (takesRoom && (await room()) <= 0n) return refuse(reply, "capacity-reached");
      // From the room check on, nothing awaits: no other request can take the same room.
      const live = store.liveResident(enrollment);
      if (live && live.account !== earlier?.account) return refuse(reply, "too-many-requests", { retryAfter: 1 });
      const resident = store.enroll({ account, enrollment, district, amount: round.allowance }, now);
      crashIf("enroll-before-answer");
      return reply.code(201).send(answer(resident, now));
    },
  );

  function answer(resident: Resident, now: number) {
    const status = publicStatus(resident);
    return {
      account: resident.account,
      enrollment: resident.enrollment,
      district: resident.district,
      status,
      ...(status === "posted" ? { batchId: resident.batchId, proofFile: proofFile(resident.account) } : {}),
      ...(status === "queued" ? { expectedWaitSeconds: poster.expectedWait(now) } : {}),
      ...(status === "refused" && resident.reason === "already-voted" ? refusalBody("already-voted") : {}),
    };
  }

  app.get<{ Params: { account: string } }>(
    "/status/:account",
    {
      schema: {
        params: {
          type: "object",
          required: ["account"],
          properties: { account: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } },
        },
      },
    },
    async (request, reply) => {
      const resident = store.resident(request.params.account);
      if (!resident) return refuse(reply, "not-found");
      return answer(resident, Date.now());
    },
  );

  app.get("/health", async () => {
    const { postings, gas } = store.postingGas();
    return {
      status: "ok",
      residents: store.counts(),
      postings,
      postingGas: gas.toString(),
      lastError: poster.lastError,
    };
  });

  const demoInbox = gateway instanceof ConsoleGateway && round.chainId === 31337n ? gateway : undefined;
  if (demoInbox) {
    app.get<{ Querystring: { phone?: string } }>(
      "/demo/inbox",
      {
        schema: {
          querystring: { type: "object", additionalProperties: false, properties: { phone: PHONE } },
        },
      },
      async (request) => {
        const wanted = request.query.phone;
        const normalized = wanted === undefined ? undefined : normalizePhone(wanted, options.countries);
        const phone = normalized && "phone" in normalized ? normalized.phone : wanted;
        return { messages: demoInbox.inbox(phone) };
      },
    );
  }
}

/** queued | posted | revoked | refused: what the dApp needs to know of a resident. */
export function publicStatus(resident: Resident): "queued" | "posted" | "revoked" | "refused" {
  if (resident.status === "posted") return "posted";
  if (resident.status === "replaced") return "revoked";
  if (resident.status === "refused") return "refused";
  return "queued";
}

/** Whether `key` is a point of P-256 (Node's JWK import checks it). */
function onCurve(key: P256PublicKey): boolean {
  const coordinate = (hex: string) => Buffer.from(hex.slice(2), "hex").toString("base64url");
  try {
    createPublicKey({ key: { kty: "EC", crv: "P-256", x: coordinate(key.x), y: coordinate(key.y) }, format: "jwk" });
    return true;
  } catch {
    return false;
  }
}
