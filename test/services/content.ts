/**
 * The contest's content store over HTTP, in the resident services' process: documents and photos stored under the
 * keccak256 of their exact bytes as published files, served back with immutable caching; refused when they do not
 * hash to the claimed hash, are of another kind than declared, are too large, or are not canonical; limited per
 * client address; a file changed on disk is not served.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { keccak256 } from "viem";

import { noteDocument } from "@kopilka/core/contest";
import { canonicalJson } from "@kopilka/core/metadata";
import { startNode } from "../../scripts/relayer/local.js";
import { png } from "../helpers/png.js";
import { servicesForTests, type ServicesRound } from "../helpers/services.js";

const node = await startNode();

/** A real PNG of `width` × `height` pixels of one colour. */
function onePng(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  return new Uint8Array(png(width, height, () => rgb));
}

/** A 1×1 lossless WebP. */
const WEBP = new Uint8Array(Buffer.from("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==", "base64"));
/** The start of a JPEG (SOI and a JFIF APP0 marker): the store reads the kind from these bytes. */
const JPEG = new Uint8Array(
  Buffer.from("/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////", "base64"),
);

const DOCUMENT = noteDocument("Верните заявку: в смете нет установки скамеек.");

/** A refusal, or what was stored. */
interface Refusal {
  code?: string;
  error?: string;
  field?: string;
  hash?: string;
  kind?: string;
  size?: number;
}

async function upload(base: string, bytes: Uint8Array, type: string, hash = keccak256(bytes)) {
  const response = await fetch(`${base}/content?hash=${hash}`, {
    method: "POST",
    headers: { "content-type": type },
    body: Buffer.from(bytes),
  });
  return { code: response.status, json: (await response.json()) as Refusal, headers: response.headers };
}

describe("Content store", function () {
  this.timeout(120_000);
  const { servicesFor } = servicesForTests(node);
  let setup: ServicesRound;

  before(async function () {
    // The content store alone: the services without a round or a contest.
    const publication = await mkdtemp(path.join(tmpdir(), "kopilka-content-"));
    setup = { publication, db: path.join(publication, "services.sqlite") };
  });

  it("stores a document and photos under their hash as published files and serves the same bytes, cached for ever", async function () {
    const services = await servicesFor(setup);
    const photo = onePng(3, 2, [30, 160, 90]);
    for (const [bytes, type, kind] of [
      [DOCUMENT, "application/json", "json"],
      [photo, "image/png", "png"],
      [WEBP, "image/webp", "webp"],
      [JPEG, "image/jpeg", "jpeg"],
    ] as const) {
      const hash = keccak256(bytes);
      const stored = await upload(services.url, bytes, type);
      expect(stored.code, JSON.stringify(stored.json)).to.equal(201);
      expect(stored.json).to.deep.equal({ hash, kind, size: bytes.length });
      expect(new Uint8Array(await readFile(path.join(setup.publication, "content", hash)))).to.deep.equal(bytes);

      const served = await fetch(`${services.url}/content/${hash}`);
      expect(served.status).to.equal(200);
      expect(new Uint8Array(await served.arrayBuffer())).to.deep.equal(bytes);
      expect(served.headers.get("content-type")).to.match(new RegExp(`^${type}`));
      expect(served.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
      expect(served.headers.get("etag")).to.equal(`"${hash}"`);
      expect(served.headers.get("access-control-allow-origin")).to.equal("*");
      const again = await fetch(`${services.url}/content/${hash}`, { headers: { "if-none-match": `"${hash}"` } });
      expect(again.status).to.equal(304);
    }
    const twice = await upload(services.url, photo, "image/png");
    expect(twice.code).to.equal(200);
    expect((await fetch(`${services.url}/content/0x${"ab".repeat(32)}`)).status).to.equal(404);
  });

  it("keeps what it stored across a restart", async function () {
    const photo = onePng(1, 1, [200, 10, 10]);
    const first = await servicesFor(setup);
    expect((await upload(first.url, photo, "image/png")).code).to.equal(201);
    await first.stop();
    const second = await servicesFor(setup);
    const served = await fetch(`${second.url}/content/${keccak256(photo)}`);
    expect(new Uint8Array(await served.arrayBuffer())).to.deep.equal(photo);
  });

  it("refuses bytes that do not hash to the claimed hash, naming the field", async function () {
    const services = await servicesFor(setup);
    const refused = await upload(services.url, DOCUMENT, "application/json", keccak256(WEBP));
    expect(refused.code).to.equal(400);
    expect(refused.json).to.deep.include({ code: "hash", field: "hash" });
    expect(refused.json.error).to.contain(keccak256(DOCUMENT));
    const missing = await fetch(`${services.url}/content`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Buffer.from(DOCUMENT),
    });
    expect(missing.status).to.equal(400);
    expect(((await missing.json()) as Refusal).error).to.contain("hash");
  });

  it("reads the kind from the bytes: a declared type that lies, an SVG or a non-canonical document is refused", async function () {
    const services = await servicesFor(setup);
    const lying = await upload(services.url, onePng(1, 1, [0, 0, 0]), "image/jpeg");
    expect(lying.code).to.equal(415);
    expect(lying.json).to.deep.include({ code: "type", field: "content-type" });
    expect(lying.json.error).to.equal("the body is PNG, not image/jpeg");

    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const script = await upload(services.url, svg, "image/png");
    expect(script.code).to.equal(415);
    expect(script.json).to.deep.include({ code: "type", field: "body" });
    const svgType = await upload(services.url, svg, "image/svg+xml");
    expect(svgType.code).to.equal(415);

    const spaced = new TextEncoder().encode('{ "kind": "kopilka.note/1", "text": "Скамейки" }\n');
    const unsorted = new TextEncoder().encode('{"text":"Скамейки","kind":"kopilka.note/1"}\n');
    const array = new TextEncoder().encode('{"a":1}\n{"b":2}\n');
    const unknownKind = new TextEncoder().encode(canonicalJson({ kind: "kopilka.page/1", text: "<script>" }));
    const badInitiative = new TextEncoder().encode(canonicalJson({ kind: "kopilka.initiative/1", title: "Скамейки" }));
    for (const bytes of [spaced, unsorted, array, unknownKind, badInitiative]) {
      const refused = await upload(services.url, bytes, "application/json");
      expect(refused.code, new TextDecoder().decode(bytes)).to.equal(400);
      expect(refused.json).to.deep.include({ code: "document", field: "body" });
    }
    const latin1 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d, 0x0a]);
    expect((await upload(services.url, latin1, "application/json")).json.error).to.equal(
      "the document is not UTF-8 text",
    );
  });

  it("limits sizes per kind and uploads per client address", async function () {
    const services = await servicesFor(setup, [
      "--content-document-limit",
      "200",
      "--content-photo-limit",
      "4096",
      "--uploads-per-client-per-hour",
      "3",
    ]);
    const long = noteDocument("x".repeat(300));
    const document = await upload(services.url, long, "application/json");
    expect(document.code).to.equal(413);
    expect(document.json).to.deep.include({ code: "too-large", field: "body" });
    expect(document.json.error).to.equal("a JSON document may have at most 200 bytes");

    const big = onePng(64, 64, [1, 2, 3]);
    const noisy = new Uint8Array(Buffer.concat([Buffer.from(big), Buffer.alloc(5000, 7)]));
    const photo = await upload(services.url, noisy, "image/png");
    expect(photo.code).to.equal(413);
    expect(photo.json.field).to.equal("body");

    expect((await upload(services.url, onePng(2, 2, [9, 9, 9]), "image/png")).code).to.equal(201);
    const over = await upload(services.url, onePng(2, 2, [8, 8, 8]), "image/png");
    expect(over.code).to.equal(429);
    expect(over.json.code).to.equal("client-limit");
    expect(Number(over.headers.get("retry-after"))).to.be.greaterThan(0);
  });

  it("does not serve a file changed on disk as the content its name promises", async function () {
    const services = await servicesFor(setup);
    const photo = onePng(2, 1, [5, 5, 200]);
    const hash = keccak256(photo);
    expect((await upload(services.url, photo, "image/png")).code).to.equal(201);
    const changed = new Uint8Array(photo);
    changed[changed.length - 20] ^= 0xff;
    await writeFile(path.join(setup.publication, "content", hash), changed);
    const served = await fetch(`${services.url}/content/${hash}`);
    expect(served.status).to.equal(500);
    expect(((await served.json()) as Refusal).code).to.equal("changed");
  });
});
