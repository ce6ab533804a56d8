/**
 * The demo's web server, and the browser tests' and `bench:web`'s (one server, so that what they measure is what a
 * visitor of the demo gets). A production site does the same with any web server (docs/dapp.md shows nginx):
 * - the built dApp from frontend/dist, with the brotli and gzip files the build writes beside each asset served as
 *   they are (no compression work per request), and `/assets/*` (names carry a content hash) cached for a year as
 *   immutable; index.html, the service worker and everything else revalidated on every visit;
 * - any path without an extension falls back to index.html (the dApp's routes are real paths); with `prerender`
 *   (frontend/dist-server/server.js), the read-only pages come with their HTML drawn from the round's snapshot,
 *   so that a resident on a slow link reads them before any JavaScript arrives, and without the preloads of the
 *   app (`data-app`): such a page asks only for the small boot script before its load event, the app after;
 * - `/kopilka.config.json` and `/published/...` (the round's files and its snapshot) compressed on the fly and
 *   revalidated by ETag;
 * - `/rpc`, when given a node, proxied to it: the RPC on the site's own origin spares every visitor a CORS
 *   preflight round trip before its first request;
 * - every page with the dApp's Content-Security-Policy (`dappContentSecurityPolicy`), its calls limited to the
 *   origins the current config names.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

import fastifyCompress from "@fastify/compress";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance } from "fastify";

import { dappContentSecurityPolicy, dappOrigins } from "@kopilka/core/csp";
import { DAPP_CONFIG_FILE, type DappConfig } from "@kopilka/core/publication";

export interface SiteOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The built dApp (frontend/dist); without it, `notBuiltPage` is served at /. */
  dist?: string;
  notBuiltPage?: string;
  /** The publication base directory, served at /published. */
  publicationBase: string;
  /** The dApp's runtime config, or the file that holds it (read on every request: a test may rewrite it). */
  config: DappConfig | { file: string };
  /** A JSON-RPC endpoint to proxy at /rpc. */
  rpcUrl?: string;
  /** The dApp's server renderer (frontend/dist-server/server.js, built by `npm run build -w frontend`). */
  prerender?: string;
}

type RenderPage = (
  url: string,
  config: DappConfig,
  readFile: (path: string) => Promise<string | undefined>,
) => Promise<{ html: string; data: string } | undefined>;

export interface Site {
  url: string;
  server: FastifyInstance;
  close(): Promise<void>;
}

const YEAR = 365 * 24 * 60 * 60;

export async function serveSite(options: SiteOptions): Promise<Site> {
  const app = Fastify({ logger: false });
  // Registered first, so that it also compresses what @fastify/static sends without a pre-compressed file.
  await app.register(fastifyCompress, { global: true, encodings: ["br", "gzip"], threshold: 512 });

  const configText = async (): Promise<string> =>
    "file" in options.config
      ? await readFile(options.config.file, "utf8")
      : JSON.stringify(options.config, null, 2) + "\n";
  // The dApp's pages carry its Content-Security-Policy, calling only the origins of the current config.
  app.addHook("onSend", async (_, reply, payload) => {
    if (String(reply.getHeader("content-type") ?? "").startsWith("text/html")) {
      const connect = dappOrigins(JSON.parse(await configText()) as DappConfig);
      reply.header("content-security-policy", dappContentSecurityPolicy({ connect }));
    }
    return payload;
  });
  app.get(`/${DAPP_CONFIG_FILE}`, async (_, reply) =>
    reply
      .header("content-type", "application/json; charset=utf-8")
      .header("cache-control", "no-cache")
      .send(await configText()),
  );

  await app.register(fastifyStatic, {
    root: path.resolve(options.publicationBase),
    prefix: "/published/",
    decorateReply: options.dist === undefined,
    cacheControl: false,
    dotfiles: "ignore",
    setHeaders: (reply) => {
      reply.header("cache-control", "no-cache");
      reply.header("access-control-allow-origin", "*");
    },
  });

  if (options.rpcUrl !== undefined) {
    const upstream = options.rpcUrl;
    await app.register(async (scope) => {
      scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_, body, done) => done(null, body));
      scope.post("/rpc", async (request, reply) => {
        const answer = await fetch(upstream, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: new Uint8Array(request.body as Buffer),
        });
        return reply
          .code(answer.status)
          .header("content-type", "application/json")
          .header("cache-control", "no-store")
          .send(Buffer.from(await answer.arrayBuffer()));
      });
    });
  }

  if (options.dist !== undefined) {
    const dist = path.resolve(options.dist);
    const indexHtml = await readFile(path.join(dist, "index.html"), "utf8");
    const renderPage = options.prerender
      ? ((await import(pathToFileURL(options.prerender).href)) as { renderPage: RenderPage }).renderPage
      : undefined;
    const publication = path.resolve(options.publicationBase);
    const publishedFile = async (file: string): Promise<string | undefined> => {
      const full = path.join(publication, file);
      if (!full.startsWith(publication + path.sep)) return undefined;
      return readFile(full, "utf8").catch(() => undefined);
    };
    /** index.html with the page's HTML and data when the renderer draws it, else as built. */
    const page = async (url: string): Promise<string | undefined> => {
      if (!renderPage) return undefined;
      const rendered = await renderPage(url, JSON.parse(await configText()) as DappConfig, publishedFile).catch(
        () => undefined,
      );
      if (!rendered) return undefined;
      return (
        indexHtml
          .replace(/<link rel="preload" href="\/kopilka\.config\.json"[^>]*>\s*/, "") // the config is in the page
          // The page reads without the app: it comes once the page is idle or on first use (frontend/src/boot.ts).
          .replace(/<link [^>]*\bdata-app\b[^>]*>\s*/g, "")
          .replace('<div id="root"></div>', `<div id="root">${rendered.html}</div>`)
          .replace("</body>", `${rendered.data}</body>`)
      );
    };
    await app.register(fastifyStatic, {
      root: dist,
      prefix: "/",
      preCompressed: true,
      index: false,
      dotfiles: "ignore",
      cacheControl: false,
      setHeaders: (reply, file) => {
        const hashed = path.relative(dist, file).split(path.sep)[0] === "assets";
        reply.header("cache-control", hashed ? `public, max-age=${YEAR}, immutable` : "no-cache");
      },
    });
    // The dApp's routes (/district/3, /results, ...) are paths without an extension: they get index.html.
    app.setNotFoundHandler(async (request, reply) => {
      const pathname = new URL(request.url, "http://x").pathname;
      if (request.method === "GET" && path.extname(pathname) === "" && !pathname.startsWith("/published/")) {
        const html = await page(request.url);
        if (html !== undefined)
          return reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").send(html);
        return reply.header("cache-control", "no-cache").sendFile("index.html", dist);
      }
      return reply.code(404).type("text/plain").send("not found\n");
    });
  } else {
    app.get("/", (_, reply) => reply.type("text/html; charset=utf-8").send(options.notBuiltPage ?? ""));
  }

  const host = options.host ?? "127.0.0.1";
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  return { url: `http://${host}:${port}`, server: app, close: () => app.close() };
}
