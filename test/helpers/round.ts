/**
 * The round fixtures live in scripts/hardhat/fixtures.ts, beside the benchmarks that share them. This re-export
 * serves the test files that still import them from here (TallyParity, WholeRound, relayer/relayer).
 */
export * from "../../scripts/hardhat/fixtures.js";
