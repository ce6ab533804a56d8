/**
 * Serves the built dApp the way a plain static host would: dist/ with a fallback to index.html for the app's
 * routes, plus the deployment's files (kopilka.config.json, published/) from another directory; gzip for text,
 * as any real host compresses.
 */
import { readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";

import { freePort, ROOT } from "./setup.js";

export const DIST = path.join(ROOT, "frontend/dist");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

async function fileIn(directory: string, urlPath: string): Promise<string | undefined> {
  const file = path.join(directory, urlPath);
  if (!file.startsWith(directory)) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

/**
 * `rpcUrl`, when given, is also proxied at /rpc: a site may serve its RPC from its own origin, which spares the
 * browser a CORS preflight round trip before its first JSON-RPC request.
 */
export async function serveSite(siteDir: string, rpcUrl?: string): Promise<StaticSite> {
  const port = await freePort();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      if (urlPath === "/rpc" && rpcUrl && req.method === "POST") {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const upstream = await fetch(rpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: Buffer.concat(chunks),
        });
        let body = Buffer.from(await upstream.arrayBuffer());
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (/gzip/.test(String(req.headers["accept-encoding"]))) {
          body = gzipSync(body);
          headers["content-encoding"] = "gzip";
        }
        res.writeHead(upstream.status, headers).end(body);
        return;
      }
      const file =
        (await fileIn(siteDir, urlPath)) ??
        (await fileIn(DIST, urlPath)) ??
        (path.extname(urlPath) === "" ? path.join(DIST, "index.html") : undefined);
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      let body = await readFile(file);
      const headers: Record<string, string> = {
        "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      };
      headers["cache-control"] = file.includes(`${path.sep}assets${path.sep}`)
        ? "public, max-age=31536000, immutable"
        : "no-cache";
      if (/gzip/.test(String(req.headers["accept-encoding"])) && /\.(js|css|html|json|svg)$/.test(file)) {
        body = gzipSync(body, { level: 9 });
        headers["content-encoding"] = "gzip";
      }
      res.writeHead(200, headers).end(body);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
