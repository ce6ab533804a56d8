import { createRequire } from "node:module";

import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

// The compiler comes from the npm `solc` package (wasm build): Hardhat's own download is unreachable
// on our machines and in CI. Keep `version` equal to the pinned `solc` package version.
const SOLC_VERSION = "0.8.28";

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin],
  solidity: {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
    },
  },
  typechain: {
    outDir: "typechain-types",
  },
  test: {
    mocha: { timeout: 120_000 },
    // Every fuzz and invariant test of contracts/test runs with these; no test sets its own.
    solidity: {
      fuzz: { runs: 256 },
      // A run is 100 calls of the round handler, about enough to cross the deadline halfway through, and any
      // revert in the handler fails the campaign (RoundInvariants.t.sol).
      invariant: { runs: 64, depth: 100, failOnRevert: true },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: "http://127.0.0.1:8545",
    },
    // Any EVM network: the RPC URL and the deployer key come from configuration variables
    // (environment or hardhat-keystore), never from the repository.
    remote: {
      type: "http",
      chainType: "l1",
      url: configVariable("KOPILKA_RPC_URL"),
      accounts: [configVariable("KOPILKA_DEPLOYER_KEY")],
    },
  },
});
