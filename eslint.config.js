// ESLint for every TypeScript file: typescript-eslint's recommended rules, React's hooks rules for the dApp, and
// the layout's two promises: the core (scripts/core/src) and the dApp (frontend/src) import no Node module and use
// no Node global, and nothing reaches across applications with ../../../ paths.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

const platformNeutral = {
  "no-restricted-imports": [
    "error",
    {
      patterns: [
        { group: ["node:*"], message: "Platform-neutral code: take I/O as a parameter (see scripts/core/node)." },
        { group: ["ethers", "ethers/*"], message: "Platform-neutral code reads the chain with viem." },
        { group: ["../../../*"], message: "Import other parts by package name (@kopilka/core/...)." },
      ],
    },
  ],
  "no-restricted-globals": [
    "error",
    { name: "Buffer", message: "Use Uint8Array (and viem's or @noble's hex helpers)." },
    { name: "process", message: "Platform-neutral code gets its configuration passed in." },
    { name: "__dirname", message: "Platform-neutral code has no file system." },
  ],
};

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "typechain-types/",
      "types/",
      "coverage/",
      "frontend/dist/",
      "frontend/dist-server/",
      "frontend/test-results/",
      "scripts/core/src/generated/",
      "ignition/deployments/",
      "published/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["../../../*"], message: "Import other parts by package name (@kopilka/core/...)." }] },
      ],
    },
  },
  {
    files: ["test/**/*.ts"],
    languageOptions: { globals: { ...globals.node, ...globals.mocha } },
    rules: {
      // chai's `expect(x).to.be.true` style is an expression statement.
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
  {
    files: ["scripts/core/src/**/*.ts"],
    languageOptions: { globals: { ...globals["shared-node-browser"] } },
    rules: platformNeutral,
  },
  {
    files: ["frontend/src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: { ...reactHooks.configs.recommended.rules, ...platformNeutral },
  },
);
