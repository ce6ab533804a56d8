/**
 * The content store's HTTP API, a fastify plugin of the resident services (see docs/contest.md, "HTTP API"):
 *
 *   POST /content?hash=<0x…>   the exact bytes of a document (application/json) or a photo (image/jpeg, image/png,
 *                              image/webp): 201 when stored, 200 when it was there already, with {hash, kind, size}
 *   GET  /content/<hash>       the bytes, with their type and immutable caching
 *
 * The kind is read from the bytes and must be the declared one; a document must be canonical JSON; the bytes must
 * hash (keccak256) to the claimed hash, which is how the on-chain hash and the file can never disagree. Sizes are
 * limited per kind, uploads per client address by count and by bytes, and every refusal is
 * `{code, error, field?}` with a stable code and a message naming the field at fault.
 */
import type { FastifyInstance, FastifyReply } from "fastify";

import { CONTENT_LIMITS } from "@kopilka/core/contest";
import { RateLimit } from "../limit.js";
import { ContentStore, documentProblem, HASH_PATTERN, MEDIA_TYPES, sniffKind, type ContentKind } from "./content.js";

export interface ContentOptions {
  /** Largest document, in bytes. */
  documentLimit: number;
  /** Largest photo, in bytes. */
  photoLimit: number;
  /** Uploads per client address an hour. */
  uploadsPerClientPerHour: number;
  /** Bytes uploaded per client address an hour. */
  bytesPerClientPerHour: number;
  /** Reads per client address a minute. */
  readsPerClientPerMinute: number;
}

export const DEFAULT_CONTENT_OPTIONS: ContentOptions = {
  documentLimit: CONTENT_LIMITS.documentBytes,
  photoLimit: CONTENT_LIMITS.photoBytes,
  uploadsPerClientPerHour: 120,
  bytesPerClientPerHour: 60 * 1024 * 1024,
  readsPerClientPerMinute: 1200,
};

const DECLARED: Record<string, ContentKind> = {
  "application/json": "json",
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
};

const KIND_NAMES: Record<ContentKind, string> = { json: "a JSON document", jpeg: "JPEG", png: "PNG", webp: "WebP" };

export async function contentRoutes(app: FastifyInstance, deps: { store: ContentStore; options: ContentOptions }) {
  const { store, options } = deps;
  const uploads = new RateLimit(options.uploadsPerClientPerHour, 3_600_000);
  const bytesPerClient = new RateLimit(options.bytesPerClientPerHour, 3_600_000);
  const reads = new RateLimit(options.readsPerClientPerMinute, 60_000);

  function refuse(reply: FastifyReply, status: number, code: string, error: string, field?: string) {
    return reply.code(status).send({ code, error, ...(field ? { field } : {}) });
  }

  // The exact bytes, whatever their declared type: a document is hashed as sent, never as parsed and written again.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(Object.keys(DECLARED), { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return refuse(reply, 413, "too-large", `the body is larger than ${options.photoLimit} bytes`, "body");
    }
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return refuse(reply, 415, "type", "content-type must be application/json, image/jpeg, image/png or image/webp");
    }
    if (error.statusCode === 400) return refuse(reply, 400, "bad-request", error.message);
    throw error;
  });

  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "GET" && request.method !== "HEAD") return;
    const wait = reads.hit(request.ip);
    if (wait !== undefined) {
      reply.header("retry-after", wait);
      return refuse(reply, 429, "client-limit", "too many requests from this address");
    }
  });

  app.post<{ Querystring: { hash: string } }>(
    "/content",
    {
      bodyLimit: Math.max(options.photoLimit, options.documentLimit),
      schema: {
        querystring: {
          type: "object",
          required: ["hash"],
          additionalProperties: false,
          properties: { hash: { type: "string", pattern: HASH_PATTERN } },
        },
      },
      // Before the body is read: a client over its limit is not made to send megabytes first.
      onRequest: async (request, reply) => {
        const wait = uploads.hit(request.ip);
        if (wait !== undefined) {
          reply.header("retry-after", wait);
          return refuse(reply, 429, "client-limit", "too many uploads from this address");
        }
      },
    },
    async (request, reply) => {
      const bytes = new Uint8Array(request.body as Buffer);
      const mediaType = String(request.headers["content-type"]).split(";")[0].trim().toLowerCase();
      const declared = DECLARED[mediaType];
      const kind = sniffKind(bytes);
      if (kind === undefined) {
        return refuse(reply, 415, "type", "the body is neither a JSON document nor a JPEG, PNG or WebP photo", "body");
      }
      if (kind !== declared) {
        return refuse(reply, 415, "type", `the body is ${KIND_NAMES[kind]}, not ${mediaType}`, "content-type");
      }
      const limit = kind === "json" ? options.documentLimit : options.photoLimit;
      if (bytes.length > limit) {
        return refuse(reply, 413, "too-large", `${KIND_NAMES[kind]} may have at most ${limit} bytes`, "body");
      }
      if (kind === "json") {
        const problem = documentProblem(bytes);
        if (problem) return refuse(reply, 400, "document", problem, "body");
      }
      const hash = ContentStore.hashOf(bytes);
      if (hash !== request.query.hash) {
        return refuse(reply, 400, "hash", `the body hashes to ${hash}, not to the hash given`, "hash");
      }
      if (store.find(hash)) return reply.code(200).send({ hash, kind, size: bytes.length });
      const wait = bytesPerClient.hit(request.ip, Date.now(), bytes.length);
      if (wait !== undefined) {
        reply.header("retry-after", wait);
        return refuse(reply, 429, "client-limit", "too many bytes uploaded from this address");
      }
      await store.put(hash, kind, bytes);
      return reply.code(201).send({ hash, kind, size: bytes.length });
    },
  );

  app.get<{ Params: { hash: string } }>(
    "/content/:hash",
    {
      schema: {
        params: { type: "object", required: ["hash"], properties: { hash: { type: "string", pattern: HASH_PATTERN } } },
      },
    },
    async (request, reply) => {
      const { hash } = request.params;
      const content = store.find(hash);
      if (!content || !(await store.present(content))) {
        return refuse(reply, 404, "not-found", "no content with this hash", "hash");
      }
      if (request.headers["if-none-match"] === `"${hash}"`) return reply.code(304).send();
      const bytes = await store.read(hash);
      // A file changed on disk is not passed off as the content its name promises.
      if (ContentStore.hashOf(bytes) !== hash) {
        return refuse(reply, 500, "changed", "the stored file no longer hashes to its name", "hash");
      }
      return reply
        .header("content-type", MEDIA_TYPES[content.kind])
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("etag", `"${hash}"`)
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'")
        .send(Buffer.from(bytes));
    },
  );
}
