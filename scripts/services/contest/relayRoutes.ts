/**
 * The contest relay's HTTP API, a fastify plugin of the resident services (see docs/contest.md, "HTTP API"):
 *
 *   GET  /contest/config         the contest, its chain and the EIP-712 domain and types to sign
 *   POST /contest/submit         a resident's signed new initiative
 *   POST /contest/amend          the author's signed new version
 *   POST /contest/cosign         a resident's signed joining of an initiative's group
 *   POST /contest/sheets         an expert's signed score sheet
 *   GET  /contest/jobs/:id       what became of one: queued, submitted, applied (with the initiative's number) or
 *                                rejected (with why)
 *   GET  /contest/health         the queue, the relay's last error
 *
 * Each message is checked before it is stored: its documents are in the content store and are what they claim to
 * be (an initiative's document names this contest, its district and the version it amends), its signature is the
 * signer's it names (a wallet's or a browser's P-256 key, the ballot box's schemes), a resident is in a posted batch
 * of the contest (their proof file), and the contract takes it (simulated, so a refusal names the contract's error).
 * Then it is stored, answered 202 with its job, and sent. The same signed message sent again is answered with its
 * job. Every refusal is `{error, field?}`; the limits are per client address, apart for reads and messages.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { FastifyInstance, FastifyReply } from "fastify";
import { getAddress } from "ethers";
import type { Address, Hex } from "viem";

import {
  amendTypedData,
  CONTEST_TYPES,
  contestDomain,
  contestSignature,
  contestSigner,
  cosignTypedData,
  parseInitiativeDocument,
  readJsonContent,
  sheetTypedData,
  submitTypedData,
  type ContestTypedData,
} from "@kopilka/core/contest";
import { SignatureScheme } from "@kopilka/core/keys";
import { findParticipant, type ParticipantLeaf } from "@kopilka/core/participants";
import { batchFile, proofFile, type ProofFile } from "@kopilka/core/publication";
import { RateLimit } from "../limit.js";
import type { ContentStore } from "./content.js";
import type { JobKind, JobStore } from "./jobs.js";
import type { ContestRelay } from "./relay.js";

export interface ContestRelayRouteOptions {
  /** Reads per client address a minute. */
  readsPerClientPerMinute: number;
  /** Signed messages per client address a minute. */
  messagesPerClientPerMinute: number;
  /** Least time, seconds, a message's deadline must leave. */
  minDeadlineMargin: number;
}

export interface ContestRelayDependencies {
  chainId: bigint;
  relay: ContestRelay;
  jobs: JobStore;
  content: ContentStore;
  /**
   * The contest's published directory, where its residents are: a proof file each (`participants/proofs/<account>.json`,
   * as `publishBatch` writes them) or the posted trees (`participants/batch-<id>.json`, as `kopilka contest residents`
   * writes them).
   */
  directory: string;
  /** The chain's time, seconds. */
  now: () => Promise<bigint>;
  options: ContestRelayRouteOptions;
}

const ADDRESS = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;
const HASH = { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } as const;
const UINT = { type: "string", pattern: "^[0-9]{1,20}$" } as const;
const SIGNED = {
  scheme: { type: "integer", enum: [SignatureScheme.Secp256k1, SignatureScheme.P256] },
  signature: { type: "string", pattern: "^0x([0-9a-fA-F]{130}|[0-9a-fA-F]{256})$" },
} as const;
const ZERO_HASH = `0x${"0".repeat(64)}`;

function schema(properties: Record<string, unknown>) {
  return {
    body: {
      type: "object",
      additionalProperties: false,
      required: [...Object.keys(properties), "scheme", "signature"],
      properties: { ...properties, ...SIGNED },
    },
  };
}

interface Signed {
  scheme: SignatureScheme;
  signature: Hex;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export async function contestRelayRoutes(app: FastifyInstance, deps: ContestRelayDependencies) {
  const { relay, jobs, content, options } = deps;
  const contest = getAddress(relay.address) as Address;
  const domain = contestDomain(deps.chainId, contest);
  const reads = new RateLimit(options.readsPerClientPerMinute, 60_000);
  const messages = new RateLimit(options.messagesPerClientPerMinute, 60_000);

  function refuse(reply: FastifyReply, status: number, error: string, field?: string) {
    return reply.code(status).send({ error, ...(field ? { field } : {}) });
  }

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    if (error instanceof Refusal) return refuse(reply, error.status, error.message, error.field);
    if (error.statusCode === 400) return refuse(reply, 400, error.message);
    throw error;
  });

  app.addHook("onRequest", async (request, reply) => {
    const wait = (request.method === "POST" ? messages : reads).hit(request.ip);
    if (wait !== undefined) {
      reply.header("retry-after", wait);
      return refuse(reply, 429, "too many requests from this address");
    }
  });

  app.get("/config", async () => ({
    chainId: deps.chainId.toString(),
    contest,
    domain: { ...domain, chainId: domain.chainId.toString() },
    types: CONTEST_TYPES,
  }));

  app.get("/health", async () => ({ status: "ok", jobs: jobs.counts(), lastError: relay.lastError }));

  app.get<{ Params: { id: string } }>(
    "/jobs/:id",
    {
      schema: {
        params: { type: "object", required: ["id"], properties: { id: { type: "string", pattern: "^[0-9]{1,12}$" } } },
      },
    },
    async (request, reply) => {
      const job = jobs.get(Number(request.params.id));
      if (!job) return refuse(reply, 404, "no such job", "id");
      return {
        id: job.id,
        kind: job.kind,
        status: job.status,
        reason: job.reason ?? undefined,
        transactionHash: job.hash ?? undefined,
        initiative: job.initiative ?? undefined,
      };
    },
  );

  /** The signature as the contract takes it, checked to be `expected`'s. */
  async function checkSigner(data: ContestTypedData, body: Signed, expected: string, field: string): Promise<Hex> {
    let signature: Hex;
    let signer: string;
    try {
      signature = contestSignature(body.scheme, body.signature);
      signer = await contestSigner(data, { scheme: body.scheme, signature });
    } catch {
      throw new Refusal(400, "the signature is malformed", "signature");
    }
    if (getAddress(signer) !== getAddress(expected)) {
      throw new Refusal(400, `the signature is not the ${field}'s`, "signature");
    }
    return signature;
  }

  /** Posted trees read from `participants/batch-<id>.json`, by batch: a posted batch never changes. */
  const trees = new Map<number, StandardMerkleTree<ParticipantLeaf>>();

  /** The resident's leaf and proof in a posted batch, or undefined. */
  async function postedLeaf(account: string): Promise<ProofFile | undefined> {
    try {
      return JSON.parse(await readFile(path.join(deps.directory, proofFile(account)), "utf8")) as ProofFile;
    } catch {
      // No proof file (the CLI publishes the batches' trees only): look in the trees.
    }
    const batches = Number(await relay.read("batchCount"));
    for (let batchId = batches - 1; batchId >= 0; batchId--) {
      let tree = trees.get(batchId);
      if (!tree) {
        try {
          const dump = JSON.parse(await readFile(path.join(deps.directory, batchFile(batchId)), "utf8"));
          tree = StandardMerkleTree.load<ParticipantLeaf>(dump);
        } catch {
          continue;
        }
        // Only a tree whose root the contest holds is believed, and kept.
        if ((await relay.read("batchRoot", [batchId])) !== tree.root) continue;
        trees.set(batchId, tree);
      }
      const found = findParticipant(tree, account);
      if (found) {
        const { participant, proof } = found;
        const amount = participant.amount.toString();
        return { batchId, district: participant.district, amount, enrollment: participant.enrollment, proof };
      }
    }
    return undefined;
  }

  /** The resident's leaf and proof; refused when the contest has not posted them. */
  async function resident(account: string, field: string) {
    const proof = await postedLeaf(account);
    if (!proof) throw new Refusal(403, `the ${field} is in no posted list of this contest's residents`, field);
    return {
      batchId: BigInt(proof.batchId),
      account: getAddress(account),
      district: proof.district,
      amount: BigInt(proof.amount),
      enrollment: proof.enrollment,
      proof: proof.proof,
    };
  }

  /** An initiative document in the store: its fields, checked against the message. */
  async function initiativeDocument(hash: string, district: number | undefined, amends: string | null) {
    const stored = content.find(hash.toLowerCase());
    if (!stored) throw new Refusal(400, "the document is not in the content store: upload it first", "contentHash");
    const parsed = parseInitiativeDocument(await content.read(stored.hash));
    if ("error" in parsed) throw new Refusal(400, `the document is not an initiative: ${parsed.error}`, "contentHash");
    const fields = parsed.fields;
    if (getAddress(fields.contest) !== contest)
      throw new Refusal(400, "the document names another contest", "contentHash");
    if (district !== undefined && fields.district !== district) {
      throw new Refusal(400, "the document names another district than the message", "district");
    }
    if ((fields.amends ?? null)?.toLowerCase() !== amends?.toLowerCase()) {
      throw new Refusal(400, "the document does not name the version it amends", "contentHash");
    }
    for (const photo of fields.photos) {
      if (!content.find(photo)) throw new Refusal(400, `photo ${photo} is not in the content store`, "contentHash");
    }
  }

  async function checkDeadline(deadline: bigint) {
    const now = await deps.now();
    if (deadline < now + BigInt(options.minDeadlineMargin)) {
      throw new Refusal(400, "the deadline is too close or past", "deadline");
    }
  }

  /** Simulates, stores and answers. */
  async function accept(reply: FastifyReply, kind: JobKind, signature: Hex, args: unknown[]) {
    // Sent again: its job, whatever the contract would now say of a second one.
    const known = jobs.bySignature(signature);
    if (known) return reply.code(200).send({ id: known.id, status: known.status });
    const error = await relay.simulate({ kind, args });
    if (error !== undefined) return refuse(reply, 400, `the contest refuses it: ${error}`);
    const added = jobs.add(kind, signature, args);
    relay.poke();
    return reply.code(added.known ? 200 : 202).send({ id: added.job.id, status: added.job.status });
  }

  app.post<{ Body: { author: string; district: number; contentHash: Hex; deadline: string } & Signed }>(
    "/submit",
    {
      schema: schema({
        author: ADDRESS,
        district: { type: "integer", minimum: 0, maximum: 65535 },
        contentHash: HASH,
        deadline: UINT,
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const message = {
        author: getAddress(body.author) as Address,
        district: body.district,
        contentHash: body.contentHash.toLowerCase() as Hex,
        deadline: BigInt(body.deadline),
      };
      await checkDeadline(message.deadline);
      await initiativeDocument(message.contentHash, message.district, null);
      const signature = await checkSigner(submitTypedData(domain, message), body, message.author, "author");
      const author = await resident(message.author, "author");
      return accept(reply, "submit", signature, [
        author,
        message.district,
        message.contentHash,
        message.deadline,
        body.scheme,
        signature,
      ]);
    },
  );

  app.post<{
    Body: { author: string; initiative: string; version: number; contentHash: Hex; deadline: string } & Signed;
  }>(
    "/amend",
    {
      schema: schema({
        author: ADDRESS,
        initiative: UINT,
        version: { type: "integer", minimum: 1, maximum: 4294967295 },
        contentHash: HASH,
        deadline: UINT,
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const message = {
        author: getAddress(body.author) as Address,
        initiative: BigInt(body.initiative),
        version: body.version,
        contentHash: body.contentHash.toLowerCase() as Hex,
        deadline: BigInt(body.deadline),
      };
      await checkDeadline(message.deadline);
      const amended = (await relay.read("versionHash", [message.initiative, message.version])) as string;
      if (BigInt(amended) === 0n) throw new Refusal(400, "the initiative has no such version", "version");
      await initiativeDocument(message.contentHash, undefined, amended);
      const signature = await checkSigner(amendTypedData(domain, message), body, message.author, "author");
      return accept(reply, "amend", signature, [
        message.initiative,
        message.version,
        message.contentHash,
        message.deadline,
        body.scheme,
        signature,
      ]);
    },
  );

  app.post<{ Body: { cosigner: string; initiative: string; version: number; contentHash: Hex } & Signed }>(
    "/cosign",
    {
      schema: schema({
        cosigner: ADDRESS,
        initiative: UINT,
        version: { type: "integer", minimum: 1, maximum: 4294967295 },
        contentHash: HASH,
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const message = {
        cosigner: getAddress(body.cosigner) as Address,
        initiative: BigInt(body.initiative),
        version: body.version,
        contentHash: body.contentHash.toLowerCase() as Hex,
      };
      const signature = await checkSigner(cosignTypedData(domain, message), body, message.cosigner, "cosigner");
      const cosigner = await resident(message.cosigner, "cosigner");
      return accept(reply, "cosign", signature, [
        message.initiative,
        message.version,
        message.contentHash,
        cosigner,
        body.scheme,
        signature,
      ]);
    },
  );

  app.post<{
    Body: {
      expert: string;
      initiative: string;
      version: number;
      contentHash: Hex;
      criteriaHash: Hex;
      scores: number[];
      commentHash: Hex;
      noConflict: boolean;
    } & Signed;
  }>(
    "/sheets",
    {
      schema: schema({
        expert: ADDRESS,
        initiative: UINT,
        version: { type: "integer", minimum: 1, maximum: 4294967295 },
        contentHash: HASH,
        criteriaHash: HASH,
        scores: { type: "array", maxItems: 16, items: { type: "integer", minimum: 0, maximum: 65535 } },
        commentHash: HASH,
        noConflict: { type: "boolean" },
      }),
    },
    async (request, reply) => {
      const body = request.body;
      const sheet = {
        expert: getAddress(body.expert) as Address,
        initiative: BigInt(body.initiative),
        version: body.version,
        contentHash: body.contentHash.toLowerCase() as Hex,
        criteriaHash: body.criteriaHash.toLowerCase() as Hex,
        scores: body.scores,
        commentHash: body.commentHash.toLowerCase() as Hex,
        noConflict: body.noConflict,
      };
      if (sheet.commentHash !== ZERO_HASH) {
        const stored = content.find(sheet.commentHash);
        if (!stored || stored.kind !== "json") {
          throw new Refusal(400, "the comment is not in the content store: upload it first", "commentHash");
        }
        readJsonContent(await content.read(sheet.commentHash));
      }
      const signature = await checkSigner(sheetTypedData(domain, sheet), body, sheet.expert, "expert");
      return accept(reply, "sheet", signature, [sheet, body.scheme, signature]);
    },
  );
}
