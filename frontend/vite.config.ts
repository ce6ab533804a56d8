import { createReadStream, existsSync, statSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

import react from "@vitejs/plugin-react";
import { defineConfig, type Connect, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";

import { dappContentSecurityPolicy } from "@kopilka/core/csp";

const here = path.dirname(fileURLToPath(import.meta.url));
const published = path.resolve(here, "../published");

/** Serves the repository's `published/` directory (the committee's public files) at /published in dev and preview. */
function servePublished(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const url = decodeURIComponent((req.url ?? "").split("?")[0]);
    if (!url.startsWith("/published/")) return next();
    const file = path.join(published, url.slice("/published/".length));
    if (!file.startsWith(published) || !existsSync(file) || !statSync(file).isFile()) return next();
    res.setHeader("content-type", url.endsWith(".svg") ? "image/svg+xml" : "application/json");
    createReadStream(file).pipe(res);
  };
  return {
    name: "kopilka-published",
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|webmanifest|txt)$/;

/**
 * Writes `<file>.br` (brotli, best quality) and `<file>.gz` (gzip -9) beside every text file of the build, so that a
 * server sends the smallest encoding the browser accepts without compressing anything per request (nginx's
 * `brotli_static`/`gzip_static`, @fastify/static's `preCompressed`).
 */
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "kopilka-precompress",
    apply: "build",
    enforce: "post",
    configResolved: (config) => void (outDir = path.resolve(config.root, config.build.outDir)),
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true })).map((f) => path.join(outDir, f));
      for (const file of files) {
        if (!COMPRESSIBLE.test(file) || (await stat(file)).size < 512) continue;
        const body = await readFile(file);
        await writeFile(
          `${file}.br`,
          brotliCompressSync(body, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
          }),
        );
        await writeFile(`${file}.gz`, gzipSync(body, { level: 9 }));
      }
    },
  };
}

/**
 * The Content-Security-Policy as a `<meta>` in the built index.html (not in development: Vite's dev server injects
 * inline scripts). The deployment's own header (the demo's server sends one) can only narrow it.
 */
function contentSecurityPolicy(): Plugin {
  const policy = dappContentSecurityPolicy({
    connect: ["https:", "http://localhost:*", "http://127.0.0.1:*"],
    frameAncestors: false,
  });
  return {
    name: "kopilka-csp",
    apply: "build",
    transformIndexHtml: (html) =>
      html.replace(
        '<meta charset="UTF-8" />',
        `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`,
      ),
  };
}

/** The attribute that marks the app's preloads in the built index.html (scripts/demo/server.ts reads it). */
const APP_PRELOAD = "data-app";

/**
 * The app (src/main.tsx) and every chunk it imports, as `<link rel="modulepreload" data-app>` in the built
 * index.html: the entry (src/boot.ts) imports the app only dynamically, so a page without the server's HTML (voting,
 * my votes, verify, the committee's, a static host's or the service worker's copy) would otherwise fetch it one round
 * trip after the entry. A server that renders a page ahead removes these links from it: that page reads without the
 * app, which comes once the page is idle or on first use (scripts/demo/server.ts).
 */
function preloadApp(): Plugin {
  return {
    name: "kopilka-preload-app",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler: (_, { bundle }) => {
        if (!bundle) return;
        const chunks = Object.values(bundle).filter((file) => file.type === "chunk");
        const entry = chunks.find((chunk) => chunk.isEntry);
        const app = chunks.find((chunk) => chunk.facadeModuleId?.endsWith("/src/main.tsx"));
        if (!entry || !app) throw new Error("preloadApp: the build has no entry or no src/main.tsx chunk");
        const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
        const wanted = new Set<string>();
        const visit = (fileName: string): void => {
          if (wanted.has(fileName) || fileName === entry.fileName || entry.imports.includes(fileName)) return;
          wanted.add(fileName);
          for (const imported of byName.get(fileName)?.imports ?? []) visit(imported);
        };
        visit(app.fileName);
        return [...wanted].map((fileName) => ({
          tag: "link",
          attrs: { rel: "modulepreload", crossorigin: true, href: `/${fileName}`, [APP_PRELOAD]: true },
          injectTo: "head" as const,
        }));
      },
    },
  };
}

/** Chunks only the committee, the observers and voters load: not worth a resident's bandwidth ahead of time. */
const NOT_PRECACHED = [
  "Committee",
  "CreateRound",
  "Observers",
  "Implemented",
  "ProjectMap",
  "wallet",
  "participants",
  "secp256k1",
  "strings",
  "download",
];

export default defineConfig(({ isSsrBuild }) => ({
  plugins: [
    react(),
    servePublished(),
    contentSecurityPolicy(),
    preloadApp(),
    // The service worker: after the first visit the read-only pages open offline, from the app shell precached
    // here and the round's snapshot and pictures cached as they are fetched (src/offline.ts registers it).
    VitePWA({
      // The server renderer (src/server.tsx, built with --ssr) is no page: no service worker for it.
      disable: isSsrBuild,
      registerType: "autoUpdate",
      injectRegister: false,
      manifest: {
        name: "Копилка: инициативное бюджетирование",
        short_name: "Копилка",
        lang: "ru",
        start_url: "/",
        display: "standalone",
        background_color: "#f4f6f9",
        theme_color: "#0d4cd3",
        icons: [{ src: "/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" }],
      },
      workbox: {
        // The first visit's page is taken over at once, so that it already works offline on the way back.
        clientsClaim: true,
        skipWaiting: true,
        globPatterns: ["index.html", "icon.svg", "assets/*.{js,css}"],
        globIgnores: NOT_PRECACHED.map((name) => `**/${name}-*`),
        navigateFallback: "/index.html",
        navigateFallbackDenylist: [/^\/published\//, /^\/rpc/, /\.[a-z0-9]+$/i],
        runtimeCaching: [
          {
            urlPattern: ({ url }) => url.pathname === "/kopilka.config.json",
            handler: "NetworkFirst",
            options: { cacheName: "kopilka-config", networkTimeoutSeconds: 5 },
          },
          {
            // The snapshot, descriptions and pictures: shown from the cache at once, refreshed behind it (the live
            // figures replace them within seconds anyway, and the page says how old they are meanwhile).
            urlPattern: ({ url }) => url.pathname.startsWith("/published/"),
            handler: "StaleWhileRevalidate",
            options: { cacheName: "kopilka-published", expiration: { maxEntries: 400 } },
          },
          {
            urlPattern: ({ url }) => url.pathname.startsWith("/assets/"),
            handler: "CacheFirst",
            options: { cacheName: "kopilka-assets", expiration: { maxEntries: 100 } },
          },
        ],
      },
    }),
    ...(isSsrBuild ? [] : [precompress()]),
  ],
  // The core library lives in scripts/core (an npm workspace): let the dev server read it.
  server: { fs: { allow: [path.resolve(here, "..")] } },
  build: {
    target: "es2022",
    // Every browser the target admits but Safari before 17 knows <link rel="modulepreload">; those load the chunks as
    // they are imported instead. Not worth a polyfill in every visitor's first script.
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // React in a chunk of its own: left to the automatic chunking it shares one with whatever else several
        // pages import (the voting chunk's libraries among them), which every read-only page would then load.
        codeSplitting: isSsrBuild
          ? undefined
          : { groups: [{ name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }] },
      },
    },
  },
  // The server renderer bundles the core (TypeScript sources in a workspace); Node resolves the other packages.
  ssr: { noExternal: ["@kopilka/core"] },
}));
