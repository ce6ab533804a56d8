/**
 * `npm run bench:report`: writes docs/benchmarks.md from every bench/results/*.json, so that no document copies a
 * benchmark's figures by hand. Every `npm run bench:*` runs it after its benchmark (the `postbench:*` scripts of
 * package.json), so the page changes in the same commit as the figures.
 *
 * Each file gets a section: what the benchmark measures and how to run it (from BENCHMARKS below: prose only, never
 * a figure), then a table of every value in the file, with its target where the file records one (`targets`, and
 * `withinTargets` when the benchmark judged them itself; a target is a ceiling, or a floor written `{ "min": n }`;
 * a target named by a key applies to every figure of that name). A file the table below does not
 * describe still gets its figures. `--check` writes nothing and exits 1 when the page differs from what the files
 * give (for CI).
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { format, resolveConfig } from "prettier";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const RESULTS = path.join(ROOT, "bench", "results");
const PAGE = path.join(ROOT, "docs", "benchmarks.md");

interface Benchmark {
  title: string;
  command: string;
  /** The script that writes the file. */
  source: string;
  /** What the benchmark measures, in words: the figures come from the file. */
  measures: string;
  /**
   * What each figure is, by its path in the file (`gas.claim`, or `checks.*` for every key under `checks`); figures
   * without a line here show none.
   */
  figures: Record<string, string>;
}

/** The nodes and settings `bench:replay` compares (its NODES). */
const REPLAY_NODES = [
  "hardhat",
  "hardhat-8-states",
  "hardhat-lean",
  "hardhat-1000-per-block",
  "anvil",
  "anvil-prune-history",
];

const SCALE_FIGURES: Record<string, string> = {
  profile: "volgograd (full size), quick (CI) or yugra (the relayed path)",
  chain: "the chain the election ran on",
  districts: "districts of the round (the Volgograd 2020 demo round)",
  projects: "projects of the round",
  budget_rubles: "the round's budget, in rubles",
  voters: "verified residents; every one of them votes",
  batches: "batches of residents posted",
  allocations: "deposits into piggy banks",
  "split_ballots.two_projects": "first ballots split over two projects",
  "split_ballots.three_projects": "first ballots split over three projects",
  reallocations: "later moves of tokens from one bank to another",
  withdrawals: "later partial withdrawals",
  transactions: "transactions sent",
  blocks: "blocks mined",
  txs_per_block: "transactions per block (automining off)",
  simulate_seconds: "the whole simulation: trees, impersonation, encoding, voting",
  tree_seconds: "building the residents' Merkle trees, as the committee's tool does",
  impersonate_seconds: "impersonating every resident's account",
  encode_seconds: "encoding every ballot's calldata",
  voting_seconds: "sending and mining the votes",
  tx_per_second: "transactions per second while voting",
  finalize_gas_total: "gas to finalize every district",
  audit_seconds: "the whole audit, published files included",
  audit_cpu_seconds:
    "the CPU time the process (every thread: the in-process chain's, the tree worker, the main one) used during the audit",
  audit_gc_seconds:
    "the main thread's garbage-collection pauses during the audit (V8's `GCProfiler`): what holding the decoded " +
    "events costs",
  audit_events: "events the audit read",
  fetch_seconds: "reading the chain: the logs, then the state not read yet",
  fetch_logs_seconds: "reading the logs (state reads and file checks overlap with it)",
  fetch_state_seconds: "state still to read after the last log",
  resident_balances: "how the audit confirms the residents' balances",
  resident_balances_read: "residents whose balance the audit read on-chain (its sample)",
  resident_balances_seconds: "reading the sample's balances, alone, after the audit",
  audit_every_balance_seconds:
    "the whole audit once more reading every resident's balance on-chain (same report), as it did before the sample",
  audit_in_thread_seconds: "the same audit once more, trees rebuilt on the main thread (`treeWorker: false`)",
  recount_seconds:
    "what the timed audit spent beyond reading the chain: decoding and the recount as the logs arrive, then the " +
    "checks and the published files' work (tree rebuilds) not finished by then; `recount_and_checks_seconds` is " +
    "the recount and chain checks alone",
  decode_seconds: "decoding the logs as they arrive",
  recount_as_logs_arrive_seconds:
    "the recount fed each chunk's claims, projects and transfers as they arrive (while the endpoint reads the next)",
  recount_and_checks_seconds: "the recount and the chain checks, run alone",
  published_checks_seconds: "the published-files checks (trees, claim leaves, metadata), run alone",
  "audit_requests.eth_blockNumber": "JSON-RPC requests of the timed audit, by method",
  "audit_requests.eth_call": "",
  "audit_requests.eth_chainId": "",
  "audit_requests.eth_getLogs": "",
  published_files: "the published files the audit checked",
  audit_ok: "whether every check of the audit held",
  "checks.*": "that check's result ([what each check holds](audit.md#what-is-checked))",
  "floors.raw_fetch_seconds":
    "floor: a bare eth_getLogs sweep of the audit's range, addresses, topics and chunk, one request ahead, after the audit",
  "floors.raw_fetch_cpu_seconds":
    "the CPU time the process (the in-process chain's threads included) spent on that sweep: steadier than its " +
    "wall time on a shared machine",
  "floors.raw_fetch_gc_seconds": "the main thread's garbage-collection pauses during that sweep",
  "floors.decode_seconds": "floor: the auditor's decoder alone over the same logs",
  "floors.logs": "logs the bare sweep read (the audit's events)",
  "floors.requests": "eth_getLogs requests of the bare sweep",
  "calibration.erc20_transfers": "plain ERC-20 transfers (OpenZeppelin) timed on the same chain before the round",
  "calibration.seconds": "sending and mining them, as many a block as the votes",
  "calibration.tx_per_second": "the chain's throughput for them",
  "calibration.gas_per_second": "the same in gas a second (each transfer to a new account)",
  voting_gas_per_ballot: "gas the voting's blocks used, per ballot (postings included)",
  chain_gas_per_second:
    "gas a second of the chain's own time while voting: against `calibration.gas_per_second`, how close ballots " +
    "come to the chain's plain-transfer throughput",
  "ratios.audit_to_raw_fetch": "the whole audit over the bare log sweep (the floor any auditor pays)",
  "ratios.audit_to_raw_fetch_cpu":
    "the same in CPU time (`audit_cpu_seconds` over `floors.raw_fetch_cpu_seconds`): the work the audit adds to " +
    "the sweep's, whatever the neighbours' load; with free cores the wall ratio can beat it by overlapping",
  "ratios.recount_to_decode": "`recount_seconds` over the bare decode",
  "ratios.simulate_tx_per_second": "transactions per second while voting over the calibration's",
  "ratios.ballots_per_second_to_transfers":
    "ballots per second while voting over the calibration's transfers per second",
  "memory.peak_rss_mib": "the benchmark process's peak resident set, chain included (sampled every second)",
  "memory.peak_heap_used_mib": "its peak V8 heap (JavaScript objects)",
  "memory.heap_limit_mib":
    "the V8 heap the benchmark process may use: it runs itself with 8 GiB, a margin over the default 4 GiB (Yugra's audit peaks near 2.7 GiB)",
  "memory.peak_chain_mib":
    "its peak native memory outside V8 (rss - heapTotal - external): the in-process chain's, and Node's own",
  "memory.chain_growth_mib_per_10k_ballots":
    "growth of that native memory per 10,000 ballots (or transactions) while voting",
  "memory.chain_estimate": "how the chain's part is estimated",
  "memory.gc_seconds":
    "time spent collecting garbage every few blocks, which frees the chain's answers (each holds its block's trace)",
  "memory.marks": "memory at points of the run (`peak_rss_mib_before`: the highest resident set since the mark before)",
  path: "how ballots reach the chain",
  ballots: "signed ballots cast (first ballots and second thoughts)",
  full_size_ballots: "Yugra's regional contest: the profile's size without `--ballots`",
  p256_voters: "residents voting with a phone's P-256 key (leaves with an enrollment)",
  wallet_voters: "residents voting with a wallet (secp256k1)",
  postings: "rolling postings of residents, each posted in the block before its residents' first ballots",
  post_size: "residents a posting (the enrollment poster's default)",
  relayer_batch: "most ballots in one `submit` (the relayer's default)",
  relayer_max_gas: "most gas one `submit` is sent with (the relayer's default)",
  p256_precompile: "whether the chain has the secp256r1 precompile",
  signing_workers: "worker threads deriving keys, building posting trees and signing",
  worker_key_and_tree_seconds: "worker time deriving keys and building the postings' trees (all workers together)",
  worker_sign_seconds: "worker time hashing and signing the ballots",
  worker_encode_seconds: "worker time encoding the `submit` calldata",
  first_ballots_seconds: "posting every resident and sending every first ballot",
  "voting_split_seconds.chain": "of the voting, the time the chain took to take the blocks (send, mine, read back)",
  "voting_split_seconds.waiting_for_workers":
    "of the voting, the time spent waiting for the workers' posting trees and signed batches",
  "voting_split_seconds.other": "the rest: writing the postings' files, the loop itself",
  chain_ballots_per_second:
    "ballots per second of the chain's own time (`voting_split_seconds.chain`): what voting would reach with " +
    "signatures always ready",
  ballots_per_second: "ballots per second while voting",
  audit_chunk_blocks: "blocks per eth_getLogs of the audit (and of the bare sweep)",
  "full_size_estimate_seconds.simulate": "the simulation at Yugra's full size, by this run's rate",
  "full_size_estimate_seconds.audit": "the audit at full size, by this run's rate",
  "load_average.start": "the machine's load average (1, 5, 15 minutes) at the start",
  "load_average.after_simulation": "the same, after the simulation",
  "load_average.end": "the same, at the end",
  node: "Node.js version",
};

const SCALE_MEASURES =
  "Volgograd 2020's participatory budget simulated on Hardhat's in-process chain (EDR): the demo round's districts, " +
  "projects and budget, verified residents posted in batches, their ballots (single-project and split, then " +
  "some reallocations and withdrawals), every district finalized, then the whole audit through the chain's " +
  "EIP-1193 provider with the round's published files (the participants trees as the committee's tool builds them, " +
  "the projects' metadata), the residents' balances confirmed by a sample read on-chain and their sum. Residents " +
  "send unsigned transactions from impersonated accounts at a zero gas price, many per block with automining off. " +
  "It fails unless the audit passes and counts " +
  "exactly the simulated claims, deposits and withdrawals. Floors from the same run on the same chain: plain " +
  "ERC-20 transfers before the round, a bare log sweep and a bare decode of the audit's range after it; the " +
  "process's memory is sampled throughout, and the run exits by itself once its file is written (or names what " +
  "keeps it alive and exits 1).";

const BENCHMARKS: Record<string, Benchmark> = {
  "gas.json": {
    title: "Gas per operation",
    command: "npm run bench:gas",
    source: "scripts/bench/gas.ts",
    measures:
      "Whole-transaction gas (the 21,000 base included) of what residents and the committee send, on Hardhat's " +
      "simulated chain. The claim is proved against a large participants tree (`context.treeLeaves` leaves) and is " +
      "never its batch's first claim; allocations go into piggy banks that already hold tokens. How the contracts " +
      "meet the targets: [contracts.md](contracts.md#gas).",
    figures: {
      "gas.createProject": "`addProject`, with its piggy bank's clone",
      "gas.postBatch10": "the registrar posts a batch of 10 residents (one root: the same for any size)",
      "gas.postBatch200": "the registrar posts a batch of 200 residents",
      "gas.revoke": "the registrar revokes an account that has not claimed (a resident's lost device)",
      "gas.claim": "a resident enrolled by phone claims their allowance (a leaf with an enrollment)",
      "gas.claimImported": "a resident imported by address claims their allowance (no enrollment)",
      "gas.allocate1": "a voter's first deposit into one bank",
      "gas.allocate5": "one transaction over five banks",
      "gas.allocatePerExtraProject": "each bank after the first in one transaction: (allocate5 - allocate1) / 4",
      "gas.withdraw": "taking tokens back from one bank",
      "gas.reallocate1": "moving tokens from one bank to another",
      "gas.claimAndAllocate1": "a first vote: the claim and one deposit in one transaction",
      "gas.finalize10": "finalizing a district of 10 projects",
      "gas.finalize64": "finalizing a district of 64 projects",
      "context.treeLeaves": "leaves of the tree the claim is proved against",
      "context.proofHashes": "hashes in the claim's proof",
      "context.treeBuildSeconds": "building that tree",
      "context.hardfork": "the chain's rules",
      "context.benchSeconds": "the whole benchmark",
    },
  },
  "contest.json": {
    title: "Gas of a contest of initiatives",
    command: "npm run bench:contest",
    source: "scripts/bench/contest.ts",
    measures:
      "Whole-transaction gas of a contest's operations (scripts/bench/contest.ts): residents' signed messages " +
      "relayed by a third party, checked against a resident's leaf in a posted batch; the committee's screening; " +
      "experts' signed score sheets; and recording outcomes after the review. Then the time of the audit of a round " +
      "made from the demo's contest, with and without the contest's checks.",
    figures: {
      "gas.createContest": "creating a contest through the factory (estimated; three criteria, three experts)",
      "gas.postResidents": "the registrar posts a batch's root",
      "gas.submitFirst": "the contest's first initiative (starts its list of initiatives)",
      "gas.submitWallet": "a later initiative, signed by a wallet, relayed",
      "gas.submitP256": "a later initiative, signed by a phone's P-256 key, relayed",
      "gas.cosignWallet": "joining an initiative group, wallet",
      "gas.cosignP256": "joining an initiative group, P-256 key",
      "gas.returnForChanges": "the committee returns an initiative with a reason's hash",
      "gas.amendWallet": "the author's new version (its group starts again)",
      "gas.admit": "the committee admits an initiative to review",
      "gas.submitSheetWalletFirst": "an initiative's first score sheet (starts its score sums)",
      "gas.submitSheetWallet": "a later sheet, signed by a wallet",
      "gas.submitSheetP256": "a later sheet, signed by a P-256 key",
      "gas.decide1": "recording one initiative's outcome",
      "gas.decide10": "recording ten outcomes in one transaction",
      "gas.decidePerInitiative": "per outcome, in a transaction of ten",
      "audit.initiatives": "initiatives of the demo's contest (returned, rejected, failed and passed ones)",
      "audit.passed": "of them passed: the projects of the round made from the contest",
      "audit.auditSeconds": "the audit of that round (minted, no votes yet) without the contest's checks",
      "audit.auditWithContestSeconds": "the same audit with the contest's checks (`kopilka audit --contest`)",
      "audit.contestChecksSeconds":
        "what the contest's checks add: events, content files, sheets' signatures, outcomes",
      "audit.checks": "checks in the audit without the contest",
      "audit.checksWithContest": "checks with the contest's",
      "audit.loadAverage": "the machine's load average (1 minute) when the audits ran",
      "context.treeLeaves": "residents in the posted batch",
      "context.proofHashes": "hashes in a resident's proof",
      "context.p256Precompile": "whether the chain had the secp256r1 precompile",
      "context.hardfork": "the chain's rules",
      "context.benchSeconds": "the gas part of the benchmark",
    },
  },
  "gasless.json": {
    title: "Gas per relayed ballot",
    command: "npm run bench:gasless",
    source: "scripts/bench/gasless.ts",
    measures:
      "Gas per ballot of the same allocation (residents who have claimed, into a bank that already holds tokens) " +
      "sent several ways: by each resident directly; signed and relayed in one batch through the round's ballot box, " +
      "by a wallet (secp256k1) and by a browser's P-256 key on a chain with the secp256r1 precompile (Osaka) and on " +
      "one without it (Prague); and through OpenZeppelin's ERC-2771 forwarder with an adapter (`contracts/mocks/`), " +
      "the design the ballot box was measured against. Whole-transaction gas divided by the ballots.",
    figures: {
      batch: "ballots in each batch",
      "gasPerBallot.direct": "each resident sends their own transaction",
      "gasPerBallot.ballotBox": "relayed through the ballot box (`BallotBox.submit`), signed by a wallet",
      "gasPerBallot.ballotBoxP256": "the same, signed by a browser's P-256 key, with the secp256r1 precompile",
      "gasPerBallot.ballotBoxP256WithoutPrecompile": "the same, on a chain without the precompile (Solidity P256)",
      "gasPerBallot.erc2771Forwarder": "relayed through `ERC2771Forwarder.executeBatch`",
      "signatureGasSetAside.secp256k1": "gas the ballot box sets aside for a wallet's signature (`signatureGas`)",
      "signatureGasSetAside.p256": "for a P-256 signature with the precompile",
      "signatureGasSetAside.p256WithoutPrecompile": "for a P-256 signature without it",
      "ratioToDirect.ballotBox": "ballot box against direct",
      "ratioToDirect.ballotBoxP256": "P-256 ballot (precompile) against direct",
      "ratioToDirect.erc2771Forwarder": "forwarder against direct",
      "context.batchWithoutPrecompile": "ballots in the batch measured without the precompile",
      "context.hardforks.default": "the chain of every other figure",
      "context.hardforks.withoutPrecompile": "the chain without the precompile",
      note: "how the ballots were measured",
    },
  },
  "chain-memory.json": {
    title: "What the local chain keeps per transaction",
    command: "npm run bench:chain-memory",
    source: "scripts/bench/chain-memory.ts",
    measures:
      "The memory Hardhat's in-process chain (EDR, `network.create()`) keeps per transaction, by what the " +
      "transaction does: a call that writes no storage, a new storage slot each, one slot overwritten, a 64-byte " +
      "log; in blocks of one transaction and of hundreds; senders that exist already or a new impersonated account " +
      "each (as the replay's voters); with EDR's cache of past blocks' states as it comes (100,000 states) and " +
      "bounded by its `__EDR_MAX_CACHED_STATES` variable. Each scenario runs in a fresh process: after a warm-up, the " +
      "process's resident memory is read after forced garbage collections at six points, and the slope of the " +
      "least-squares line through them is what each transaction leaves (a few KiB of noise between runs). " +
      "`v8_external` is what EDR reports to V8 as memory held for JavaScript objects (its answers' traces). " +
      "BENCH_TXS sets the transactions per scenario, BENCH_SCENARIOS=<a,b> runs some of them only. What the " +
      "figures mean for the replay and the scale benchmark: [committee.md](committee.md#the-nodes-memory).",
    figures: {
      chain: "the chain and its settings",
      transactions_per_scenario: "transactions measured in each scenario (after a warm-up of a tenth as many)",
      date: "when it ran",
    },
  },
  "replay.json": {
    title: "Pabulib replay",
    command: "npm run bench:replay",
    source: "scripts/bench/replay.ts",
    measures:
      "`kopilka pabulib import --replay` of generated approval elections (one file per district), run as a committee " +
      "member runs it: the real bin as a child process, output to a pipe (progress as lines), against a node on " +
      "loopback (`hardhat node` unless BENCH_NODE names another). Step times come from the progress lines the command " +
      "prints; the node's memory (RSS) is sampled from /proc every second and after every block of ballots. Each " +
      "block's answer holds its execution traces until the node's garbage collector frees them, so the memory " +
      "saw-tooths; the slope of the least-squares line through the samples after each block is what the ballots " +
      "leave in the node. BENCH_VOTERS and BENCH_DISTRICTS set the size; `BENCH_COMPARE=1 BENCH_NODE=<name>` records " +
      "a run under `node_comparison` (the same replay on other nodes and settings, at the size given). It fails if " +
      "the import fails.",
    figures: {
      node: "the node the import ran against",
      voters: "voters in the files (each casts one ballot)",
      districts: "districts (files)",
      projects_per_district: "projects per file",
      ballots: "ballots cast through `claimAndAllocate`",
      blocks: "blocks mined while casting",
      ballots_per_block: "ballots per block (as many as the block gas limit takes)",
      import_seconds: "the whole command, from start to the printed comparison",
      voters_per_second: "voters over the whole command",
      cast_seconds: "casting the ballots",
      ballots_per_second: "ballots per second while casting",
      "step_seconds.*": "that step, as the command reported it",
      "node_rss_mib.start": "the node's memory before the import (MiB)",
      "node_rss_mib.after_first_block": "after the first block of ballots: a one-off jump",
      "node_rss_mib.max": "its largest sample",
      "node_rss_mib.end": "its last sample",
      "node_rss_mib.growth_per_10k_ballots": "last sample less the first, per 10,000 ballots (the jump included)",
      "node_rss_mib.cast_slope_per_10k_ballots":
        "what each 10,000 ballots leave in the node: a longer replay grows by this much",
      node_rss_mib_every_10s: "the node's memory every 10 s (MiB)",
      node_rss_mib_each_tenth_of_ballots: "the node's memory after each tenth of the ballots (MiB)",
      "machine.cpus": "CPU cores of the machine",
      "machine.load_average.start": "load average (1, 5, 15 minutes) at the start; other work on the machine slows it",
      "machine.load_average.end": "the same at the end",
      date: "when it ran",
      ...Object.fromEntries(
        REPLAY_NODES.flatMap((name) => [
          [`node_comparison.${name}.node`, "the node and its settings"],
          [`node_comparison.${name}.ballots_per_second`, "ballots per second while casting"],
          [
            `node_comparison.${name}.node_rss_mib.cast_slope_per_10k_ballots`,
            "what each 10,000 ballots leave in the node",
          ],
        ]),
      ),
    },
  },
  "relayer.json": {
    title: "The relayer under load",
    command: "npm run bench:relayer",
    source: "scripts/bench/relayer.ts",
    measures:
      "Signed ballots (a claim and an allocation, from residents with no ether) sent by concurrent clients over " +
      "loopback to the relayer service in front of a local `hardhat node`. Halfway, the relayer is killed with " +
      "SIGKILL and started again on the same database; clients send again what failed, as the dApp does. It fails " +
      "if a ballot is lost or submitted twice. Gas per ballot compares the relayed batches with the same ballots " +
      "sent by residents themselves.",
    figures: {
      ballots_sent: "signed ballots the clients sent",
      ballots_applied: "ballots in effect on-chain (the voter's nonce moved)",
      ballots_lost: "accepted ballots never applied",
      ballots_duplicated: "ballots submitted in more than one transaction",
      ballots_refused: "ballots the relayer refused",
      ballots_per_second: "applied ballots per second, from the first request until the queue was empty",
      gas_per_ballot_relayed: "the relayer's gas per applied ballot",
      gas_per_ballot_direct: "the same ballot sent by the resident (`claimAndAllocate`)",
      relayed_to_direct: "relayed against direct",
      "context.clients": "concurrent clients",
      "context.ballot": "what each ballot does",
      "context.killed_after_answers": "answers the clients had when the relayer was killed",
      "context.client_retries": "requests sent again (the kill, rate limits)",
      "context.submissions": "transactions the relayer sent",
      "context.rejections_on_chain": "ballots the ballot box rejected (`BallotRejected`)",
      "context.largest_gas_limit": "largest gas limit of a submission",
      "context.largest_gas_used": "largest gas used by a submission",
      "context.send_seconds": "until every client had its answers",
      "context.relayed_seconds": "until the relayer's queue was empty",
      "context.bench_seconds": "the whole benchmark",
      "context.refusals": "the first refusals, if any",
    },
  },
  "enroll.json": {
    title: "Phone enrollment under load",
    command: "npm run bench:enroll",
    source: "scripts/bench/enroll.ts",
    measures:
      "Residents enroll through the real HTTP enrollment service (the resident services, in front of a local " +
      "`hardhat node`) with the console SMS gateway, each code read from its demo inbox, from concurrent clients; " +
      "halfway through, the services process is killed with SIGKILL and started again on the same database, and " +
      "clients ask again for what was cut off. The poster runs at its defaults (a posting every 60 s or as soon as " +
      "200 residents are queued, at most 2,000 in one). Then every resident votes through the relayer of the same process with a P-256 key, and the round " +
      "is audited with its published files. It fails if a resident is lost or posted twice, or the audit fails.",
    figures: {
      enrollments: "residents enrolled (a correct code and a key, answered)",
      enrollments_per_second: "enrollments per second, code and verification, kill and restart included",
      seconds_per_enrollment: "the same as seconds per enrollment (the target of 50 a second as a ceiling)",
      verify_to_can_vote_p50_seconds: "median time from a correct code to the resident's batch on-chain (can vote)",
      verify_to_can_vote_p95_seconds: "95th percentile of that time",
      verify_to_can_vote_max_seconds: "longest such time",
      postings: "batches the poster put on-chain",
      gas_per_posting: "gas per `postBatch` transaction",
      residents_lost: "residents answered as enrolled and never posted",
      residents_duplicated: "phones (enrollments) with more than one leaf on-chain",
      votes_applied: "residents whose relayed P-256 ballot is in effect on-chain",
      audit_seconds: "the whole audit of the round, published files included",
      audit_ok: "whether every check of the audit passed",
      "context.size": "full size or a reduced run",
      "context.clients": "concurrent clients",
      "context.poster": "the poster's settings",
      "context.sms_gateway": "how codes were sent and read",
      "context.killed_after_enrollments": "enrollments answered when the services were killed",
      "context.client_retries": "requests sent again (the kill)",
      "context.refusals": "the first refusals, if any",
      "context.refused": "enrollments refused",
      "context.votes_accepted": "ballots the relayer accepted",
      "context.vote_refusals": "the first refused ballots, if any",
      "context.batches_on_chain": "batches on-chain at the end",
      "context.enroll_seconds": "until every client had its answers",
      "context.posted_seconds": "until every resident was posted",
      "context.vote_seconds": "until the relayer's queue was empty",
      "context.failed_audit_checks": "audit checks that failed, if any",
      "context.bench_seconds": "the whole benchmark",
      "context.load_average.start": "the shared machine's load average (1, 5, 15 minutes) at the start",
      "context.load_average.end": "the same at the end",
    },
  },
  "scale.json": {
    title: "The full-size election and its audit",
    command: "npm run bench:scale",
    source: "scripts/bench/scale-direct.ts",
    measures: SCALE_MEASURES,
    figures: SCALE_FIGURES,
  },
  "scale-yugra.json": {
    title: "Yugra's size through the relayed path",
    command: "npm run bench:scale -- --profile yugra",
    source: "scripts/bench/scale-yugra.ts",
    measures:
      "Yugra's regional contest, 802,034 signed ballots (`--ballots N` for another size, the same mix), over the " +
      "demo round's districts and projects four times over. Residents join in rolling postings (the enrollment " +
      "poster's size, each posted in the block before its residents' first ballots); most hold a phone's P-256 " +
      "key, one in ten a wallet. Ballots (single-project and split first ballots that claim the allowance, then " +
      "reallocations and withdrawals as second signed ballots) go through `BallotBox.submit` in relayer batches " +
      "(the relayer's batch size and gas cap, `batchGasLimit`), signed on worker threads while the chain works. " +
      "Then every district is finalized and the round audited with its published files. It fails if the ballot " +
      "box rejected any ballot, or unless the audit passes and counts exactly the simulated claims, deposits, " +
      "withdrawals and postings.",
    figures: SCALE_FIGURES,
  },
  "scale-quick.json": {
    title: "The quick election and its audit",
    command: "npm run bench:scale -- --quick",
    source: "scripts/bench/scale-direct.ts",
    measures: `The same as [the full-size election](#the-full-size-election-and-its-audit) with fewer residents, in the same proportions; CI runs it. ${SCALE_MEASURES}`,
    figures: SCALE_FIGURES,
  },
  "web.json": {
    title: "The dApp's weight and speed on a slow link",
    command: "npm run bench:web",
    source: "frontend/e2e/bench.ts",
    measures:
      "The production build of `frontend/`, served by the demo's own web server (`scripts/demo/server.ts`: brotli " +
      "and gzip files written at build time, hashed files cached as immutable, the read-only pages rendered ahead " +
      "from the round's snapshot, the RPC on the site's origin). The gzipped JavaScript each page loads; then, in " +
      "Chromium throttled through the DevTools protocol (`network.*`, cache off, no service worker, a 360 px " +
      "window), the time from navigation until the overview lists its districts, a district its projects with " +
      "their titles, one district's results their projects, and the app has taken a district page over, median of " +
      "three runs; then Lighthouse's mobile profile on the same three pages, the median of three runs. Targets " +
      "from issue 12.",
    figures: {
      initial_js_gzip_bytes: "the larger of the overview's and a district page's JavaScript until the page's load",
      total_js_gzip_bytes: "all JavaScript of the build (voting, committee and observers' chunks included)",
      slow_network_first_list_ms: "a district's project list on the slow link, RPC on the site's origin (median)",
      slow_network_runs_ms: "the three runs",
      slow_network_first_list_cross_origin_rpc_ms: "the same with the RPC on another origin (one CORS preflight more)",
      rpc: "how the RPC was served",
      "initial_js_gzip_bytes_by_page.overview": "JavaScript until the load of `/`",
      "initial_js_gzip_bytes_by_page.district": "the same for `/district/0`",
      "initial_js_gzip_bytes_by_page.results": "the same for `/results/0`",
      "initial_js_gzip_bytes_by_page.verify": "`/verify`, until the network is idle",
      served_first_list_ms: "the overview's list of districts on the slow link (median)",
      served_district_ms: "a district's projects with their titles (median)",
      served_results_ms: "one district's results with their titles (median)",
      "served_runs_ms.overview": "the three runs of each",
      "served_runs_ms.district": "",
      "served_runs_ms.results": "",
      served_interactive_ms:
        "until the app has taken a district page over on the slow link, its buttons and fields its own (median)",
      served_interactive_runs_ms: "the three runs",
      readonly_js_gzip_bytes:
        "the most JavaScript a read-only page asks for before its load event: the boot script (it reads without the app)",
      "readonly_js_gzip_bytes_by_page.overview": "by page",
      "readonly_js_gzip_bytes_by_page.district": "",
      "readonly_js_gzip_bytes_by_page.results": "",
      readonly_deferred_js_gzip_bytes:
        "the most JavaScript such a page loads after its load event until the network is idle: the app, live figures",
      "readonly_deferred_js_gzip_bytes_by_page.overview": "by page",
      "readonly_deferred_js_gzip_bytes_by_page.district": "",
      "readonly_deferred_js_gzip_bytes_by_page.results": "",
      "lighthouse.overview.performance": "Lighthouse scores (0-100) of `/`",
      "lighthouse.overview.first_contentful_paint_ms": "the simulated measures behind performance, in ms",
      "lighthouse.overview.cumulative_layout_shift_thousandths": "layout shift, in thousandths",
      "lighthouse.district.performance": "of `/district/0`",
      "lighthouse.results.performance": "of `/results/0`",
      "lighthouse_performance_runs.overview": "the performance score of each of the three runs (the median run above)",
      "lighthouse_performance_runs.district": "",
      "lighthouse_performance_runs.results": "",
      lighthouse_profile: "how Lighthouse ran",
      "network.download_kbit": "the throttled link",
      "network.upload_kbit": "",
      "network.latency_ms": "",
      server: "what served the pages",
    },
  },
};

/** Keys that say when and from which commit a file was written, shown above its table. */
const RECORDED_KEYS = ["date", "recorded_at", "recordedAt", "commit", "git_commit", "gitCommit"];
/** Keys shown in the target column rather than as rows. */
const TARGET_KEYS = ["targets", "withinTargets"];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Every value of the file by its dotted path; arrays stay whole. */
function leaves(value: Json, prefix = ""): [string, Json][] {
  if (!isObject(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) => leaves(inner, prefix === "" ? key : `${prefix}.${key}`));
}

function show(value: Json): string {
  if (typeof value === "number") return value.toLocaleString("en-US", { maximumFractionDigits: 6 });
  if (typeof value === "boolean") return value ? "yes" : "no";
  // Whole numbers too large for JSON numbers travel as strings (amounts in rubles).
  if (typeof value === "string") return /^\d+$/.test(value) ? BigInt(value).toLocaleString("en-US") : value;
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(show).join(", ");
  return JSON.stringify(value);
}

/** Strings longer than this are notes under the table rather than cells of it. */
const LONGEST_CELL = 80;

/** What a figure is: its own line, else its parent's `*` line. */
function meaning(benchmark: Benchmark | undefined, key: string): string {
  const parent = key.includes(".") ? `${key.slice(0, key.lastIndexOf("."))}.*` : undefined;
  return benchmark?.figures[key] ?? (parent === undefined ? undefined : benchmark?.figures[parent]) ?? "";
}

/** Text safe inside a Markdown table cell. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/** GitHub's heading anchor. */
const anchor = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- ]/gu, "")
    .replace(/ /g, "-");

interface Section {
  file: string;
  benchmark?: Benchmark;
  title: string;
  targets: { total: number; held: number };
  markdown: string;
}

function section(file: string, data: Json): Section {
  const benchmark = BENCHMARKS[file];
  const title = benchmark?.title ?? file;
  const root: JsonObject = isObject(data) ? data : { value: data };
  const targets = isObject(root.targets ?? null) ? (root.targets as JsonObject) : {};
  const judged = isObject(root.withinTargets ?? null) ? (root.withinTargets as JsonObject) : {};
  const recorded = RECORDED_KEYS.filter((key) => key in root).map((key) => `${key} ${show(root[key])}`);

  const rows = leaves(
    Object.fromEntries(
      Object.entries(root).filter(([key]) => !TARGET_KEYS.includes(key) && !RECORDED_KEYS.includes(key)),
    ),
  );
  const used = new Set<string>();
  let held = 0;
  let judgedFigures = 0;
  const targetCell = (key: string, value: Json | undefined): string => {
    const name = key.split(".").at(-1)!;
    const target = targets[name];
    const floor = isObject(target ?? null) ? (target as JsonObject).min : undefined;
    if (typeof target !== "number" && typeof floor !== "number") return "";
    used.add(name);
    judgedFigures += 1;
    const bound = typeof floor === "number" ? `≥ ${show(floor)}` : `≤ ${show(target)}`;
    if (value === undefined && typeof judged[name] !== "boolean") return `${bound} (no figure)`;
    const holds =
      typeof judged[name] === "boolean"
        ? judged[name]
        : typeof value === "number" && (typeof floor === "number" ? value >= floor : value <= (target as number));
    if (holds) held += 1;
    return `${bound} (${holds ? "holds" : "missed"})`;
  };
  const isNote = ([, value]: [string, Json]) => typeof value === "string" && value.length > LONGEST_CELL;
  const lines = rows
    .filter((row) => !isNote(row))
    .map(
      ([key, value]) =>
        `| \`${key}\` | ${cell(show(value))} | ${targetCell(key, value)} | ${cell(meaning(benchmark, key))} |`,
    );
  for (const name of Object.keys(targets).filter((name) => !used.has(name))) {
    lines.push(`| \`${name}\` | not in the file | ${targetCell(name, undefined)} | |`);
  }

  const source = `[\`bench/results/${file}\`](../bench/results/${file})`;
  const markdown = [
    `## ${title}`,
    "",
    benchmark?.measures ?? "No description of this file yet: add one to BENCHMARKS in scripts/bench/report.ts.",
    "",
    benchmark
      ? `Run: \`${benchmark.command}\` ([${benchmark.source}](../${benchmark.source})), which writes ${source}.`
      : `From ${source}.`,
    "",
    recorded.length > 0
      ? `Recorded: ${recorded.join(", ")}.`
      : `The file records no date or commit: \`git log -- bench/results/${file}\` shows when its figures were committed.`,
    "",
    "| figure | value | target | what it is |",
    "| --- | --- | --- | --- |",
    ...lines,
    "",
    ...rows.filter(isNote).map(([key, value]) => {
      const what = meaning(benchmark, key);
      return `- \`${key}\`${what === "" ? "" : ` (${what})`}: ${show(value)}`;
    }),
  ].join("\n");
  return { file, benchmark, title, targets: { total: judgedFigures, held }, markdown };
}

async function benchmarksPage(): Promise<string> {
  const names = (await readdir(RESULTS)).filter((name) => name.endsWith(".json"));
  const known = Object.keys(BENCHMARKS);
  const ordered = [
    ...known.filter((name) => names.includes(name)),
    ...names.filter((name) => !known.includes(name)).sort(),
  ];
  const sections: Section[] = [];
  for (const name of ordered) {
    sections.push(section(name, JSON.parse(await readFile(path.join(RESULTS, name), "utf8")) as Json));
  }
  const summary = sections.map((s) => {
    const targets = s.targets.total === 0 ? "" : `${s.targets.held} of ${s.targets.total} held`;
    const command = s.benchmark ? `\`${s.benchmark.command}\`` : "";
    return `| [${s.title}](#${anchor(s.title)}) | [\`${s.file}\`](../bench/results/${s.file}) | ${command} | ${targets} |`;
  });
  const text = [
    "<!-- Generated by scripts/bench/report.ts from bench/results/*.json. Do not edit: run `npm run bench:report`. -->",
    "",
    "# Benchmarks",
    "",
    "Every figure on this page is read from the JSON file its section names, as the last run of that benchmark " +
      "wrote it; each `npm run bench:*` rewrites its file and then this page. Timings depend on the machine and on " +
      "what else it was doing: where a benchmark records the load average, it is in its table. A target is a " +
      "ceiling the benchmark's figure should stay under.",
    "",
    "| benchmark | file | command | targets |",
    "| --- | --- | --- | --- |",
    ...summary,
    "",
    ...sections.flatMap((s) => [s.markdown, ""]),
  ].join("\n");
  const options = await resolveConfig(PAGE);
  return await format(text, { ...options, filepath: PAGE });
}

const page = await benchmarksPage();
if (process.argv.includes("--check")) {
  const current = await readFile(PAGE, "utf8").catch(() => "");
  if (current !== page) {
    console.error(`${path.relative(ROOT, PAGE)} is not what bench/results/*.json give: run npm run bench:report`);
    process.exit(1);
  }
  console.log(`${path.relative(ROOT, PAGE)} is up to date`);
} else {
  await writeFile(PAGE, page);
  console.log(`wrote ${path.relative(ROOT, PAGE)}`);
}
