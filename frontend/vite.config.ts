import { createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig, type Connect, type Plugin } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));
const published = path.resolve(here, "../published");

/** Serves the repository's `published/` directory (the committee's public files) at /published in dev and preview. */
function servePublished(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const url = decodeURIComponent((req.url ?? "").split("?")[0]);
    if (!url.startsWith("/published/")) return next();
    const file = path.join(published, url.slice("/published/".length));
    if (!file.startsWith(published) || !existsSync(file) || !statSync(file).isFile()) return next();
    res.setHeader("content-type", "application/json");
    createReadStream(file).pipe(res);
  };
  return {
    name: "kopilka-published",
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  plugins: [react(), servePublished()],
  // Preact's React-compatible layer instead of react-dom: the same components and libraries (wagmi, TanStack
  // Query, react-i18next) run on a runtime of ~11 KB gzipped instead of ~65 KB, which a read-only page on a rural
  // link cannot afford. Types still come from @types/react; every browser test runs on this build.
  resolve: {
    alias: [
      { find: /^react-dom\/client$/, replacement: "preact/compat/client" },
      { find: /^react-dom$/, replacement: "preact/compat" },
      { find: /^react\/jsx-runtime$/, replacement: "preact/jsx-runtime" },
      { find: /^react\/jsx-dev-runtime$/, replacement: "preact/jsx-dev-runtime" },
      { find: /^react$/, replacement: "preact/compat" },
    ],
  },
  // The core library lives in scripts/core (an npm workspace): let the dev server read it.
  server: { fs: { allow: [path.resolve(here, "..")] } },
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 600 },
});
