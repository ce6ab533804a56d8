/**
 * The demo's web server (scripts/demo/server.ts), which the browser tests and `bench:web` use too: it sends the
 * build's pre-compressed files as they are, caches hashed assets for a year, falls back to index.html for the
 * dApp's routes, compresses the published files and the config on the fly, and proxies /rpc to the node.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";

import { expect } from "chai";

import { serveSite, type Site } from "../../scripts/demo/server.js";

const SCRIPT = `console.log(${JSON.stringify("Копилка ".repeat(200))});\n`;

describe("The demo's web server", function () {
  let dir: string;
  let site: Site;
  let node: Server;
  let rpcBodies: string[];

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "kopilka-server-"));
    const dist = path.join(dir, "dist");
    await mkdir(path.join(dist, "assets"), { recursive: true });
    await writeFile(path.join(dist, "index.html"), "<!doctype html><title>Копилка</title>");
    await writeFile(path.join(dist, "assets", "index-abc123.js"), SCRIPT);
    // What the build writes beside each asset: the server must send these bytes, not compress again.
    await writeFile(path.join(dist, "assets", "index-abc123.js.br"), brotliCompressSync(SCRIPT));
    await writeFile(path.join(dist, "assets", "index-abc123.js.gz"), gzipSync(SCRIPT));
    await writeFile(path.join(dist, "sw.js"), "self.addEventListener('fetch', () => {});\n");
    const published = path.join(dir, "published", "31337", "0xround", "snapshot");
    await mkdir(published, { recursive: true });
    await writeFile(path.join(published, "round.json"), JSON.stringify({ districts: Array(200).fill("Район") }));
    rpcBodies = [];
    node = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        rpcBodies.push(body);
        res.writeHead(200, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":1,"result":"0x7a69"}');
      });
    });
    await new Promise<void>((resolve) => node.listen(0, "127.0.0.1", resolve));
    const port = (node.address() as { port: number }).port;
    site = await serveSite({
      dist,
      publicationBase: path.join(dir, "published"),
      config: {
        chainId: 31337,
        rpcUrl: "/rpc",
        round: "0x0000000000000000000000000000000000000001",
        publishedBase: "/published",
      },
      rpcUrl: `http://127.0.0.1:${port}`,
    });
  });

  after(async function () {
    await site?.close();
    await new Promise((resolve) => node?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("sends a hashed asset's brotli file as built, cached for a year as immutable", async function () {
    const response = await fetch(`${site.url}/assets/index-abc123.js`, { headers: { "accept-encoding": "br" } });
    expect(response.headers.get("content-encoding")).to.equal("br");
    expect(response.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
    expect(response.headers.get("content-type")).to.match(/javascript/);
    expect(await response.text()).to.equal(SCRIPT);
  });

  it("sends the gzip file to a browser that takes no brotli, and the plain file to one that takes neither", async function () {
    const gzip = await fetch(`${site.url}/assets/index-abc123.js`, { headers: { "accept-encoding": "gzip" } });
    expect(gzip.headers.get("content-encoding")).to.equal("gzip");
    expect(await gzip.text()).to.equal(SCRIPT);
    const plain = await fetch(`${site.url}/assets/index-abc123.js`, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).to.equal(null);
    expect(await plain.text()).to.equal(SCRIPT);
  });

  it("answers the dApp's routes with index.html, revalidated on every visit, and unknown files with 404", async function () {
    for (const route of ["/", "/district/3", "/results/0"]) {
      const response = await fetch(site.url + route);
      expect(response.status, route).to.equal(200);
      expect(response.headers.get("cache-control"), route).to.equal("no-cache");
      expect(await response.text(), route).to.contain("<title>Копилка</title>");
    }
    expect((await fetch(`${site.url}/sw.js`)).headers.get("cache-control")).to.equal("no-cache");
    expect((await fetch(`${site.url}/assets/missing.js`)).status).to.equal(404);
  });

  it("compresses the published files on the fly and revalidates them", async function () {
    const url = `${site.url}/published/31337/0xround/snapshot/round.json`;
    const response = await fetch(url, { headers: { "accept-encoding": "br" } });
    expect(response.headers.get("content-encoding")).to.equal("br");
    expect(response.headers.get("cache-control")).to.equal("no-cache");
    expect(((await response.json()) as { districts: string[] }).districts).to.have.lengthOf(200);
    const plain = await fetch(url, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).to.equal(null);
    expect(plain.headers.get("etag")).to.be.a("string");
  });

  it("serves the config and proxies JSON-RPC at /rpc on its own origin", async function () {
    expect(await (await fetch(`${site.url}/kopilka.config.json`)).json()).to.include({ rpcUrl: "/rpc" });
    const body = JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }]);
    const answer = await fetch(`${site.url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(await answer.json()).to.deep.equal({ jsonrpc: "2.0", id: 1, result: "0x7a69" });
    expect(rpcBodies.at(-1)).to.equal(body);
  });
});
