/**
 * The independent audit of a round: loads the chain (events + state at one block), recounts everything from the
 * events, reads the published files and runs every check, each reported as pass, fail (with the exact items) or
 * skip (when what it needs is not available). The report is deterministic: everything is sorted, amounts are
 * decimal strings, and nothing depends on how the logs were chunked or when the audit ran.
 */
import { districtLabel, NO_LABELS, projectLabel, type Labels } from "../domain/display.js";
import { HolderKind } from "../domain/holder.js";
import { rubles } from "../domain/money.js";
import { batchFile, projectMetadataURI } from "../domain/publication.js";
import { Rule } from "../domain/rule.js";
import { loadRound, type LoadOptions, type RoundData, type RoundWatcher } from "./load.js";
import { openPublished, readManifest, type LocalFileReader, type PublishedFiles } from "./files.js";
import type { LogReaderOptions } from "./logs.js";
import { result, skipped, type CheckFailure, type CheckResult, type CheckStatus } from "./check.js";
import { LeafIndex, type RebuiltTree } from "./merkle.js";
import {
  checkEnrollments,
  checkParticipants,
  fileDifferences,
  readList,
  verifiedTrees,
  type ParticipantChecksOptions,
} from "./participants.js";
import { PublishedReader } from "./published.js";
import { recountAsLogsArrive, type Recount } from "./recount.js";
import { decidingTies, type DecidingTie } from "../domain/tally.js";
import type { TreeWorkerFactory } from "./tree-rebuild.js";
import { toRpc, type RpcSource } from "../chain/rpc.js";
import { deploymentMismatch } from "../chain/binding.js";

export type { CheckFailure, CheckResult, CheckStatus } from "./check.js";

export interface ProjectSummary {
  id: number;
  cost: string;
  tokens: string;
  supporters: string;
  won: boolean;
}

export interface DistrictSummary {
  id: number;
  name: string;
  budget: string;
  tokens: string;
  finalized: boolean;
  /** Recomputed by the reference tally, in funding order. */
  winners: number[];
  fundedTotal: string;
  projects: ProjectSummary[];
}

export interface AuditReport {
  ok: boolean;
  chainId: string;
  round: string;
  token: string;
  airdrop: string;
  factory: string | null;
  name: string;
  fromBlock: number;
  toBlock: number;
  budget: string;
  supply: string;
  rule: string;
  minTokens: string;
  minSupporters: string;
  published: boolean;
  events: Record<string, number>;
  totals: {
    batches: number;
    claims: number;
    claimed: string;
    deposits: number;
    withdrawals: number;
    inBanks: string;
  };
  districts: DistrictSummary[];
  checks: CheckResult[];
}

export interface AuditOptions extends LoadOptions {
  /** JSON-RPC endpoint: a URL, an ethers provider or an EIP-1193 provider. */
  rpc: RpcSource;
  /** Base directory or http(s) URL of the published files. */
  published?: string;
  onProgress?: LogReaderOptions["onProgress"];
  /**
   * Rebuild the large published trees on a worker it starts while the logs arrive (smaller ones cost less on this
   * thread than the worker's start: `WORKER_TREE_CHARS` in ./published.ts); without it every tree is rebuilt on this
   * thread, between the chain's answers. The Node entry gives worker threads unless told `treeWorker: false`.
   */
  treeWorker?: TreeWorkerFactory;
  /** Reads published files from a directory (the Node entry gives the file system); URLs need no reader. */
  readFile?: LocalFileReader;
  /**
   * Read every resident's proof file (one file a resident; over HTTP one request a resident). Off by default, so that
   * the same round gives the same report wherever it is audited from; the CLI turns it on for a directory.
   */
  proofFiles?: boolean;
}

export interface LoadedRound {
  data: RoundData;
  counted: Recount;
  files?: PublishedFiles;
  /** The published files as read for the checks while the chain was read; `checkRound` closes it. */
  published?: PublishedReader;
  /** Whether to read every resident's proof file (see `AuditOptions.proofFiles`). */
  proofFiles?: boolean;
}

/**
 * Loads a round for the auditor, the exporter and receipts: the published manifest (if any) supplies the
 * factory and the block to start reading from, unless the options give them. With `forChecks`, the published
 * trees and metadata files are read, rebuilt and hashed as their batches and projects appear in the logs, for
 * `checkRound`.
 */
export async function loadAudited(options: AuditOptions, forChecks = false): Promise<LoadedRound> {
  const rpc = toRpc(options.rpc);
  let published: PublishedReader | undefined;
  try {
    let files: PublishedFiles | undefined;
    let fromBlock = options.fromBlock;
    let factory = options.factory;
    if (options.published !== undefined) {
      const chainId = BigInt((await rpc.request({ method: "eth_chainId", params: [] })) as string);
      files = await openPublished(options.published, chainId, options.round, options.readFile);
      const manifest = await readManifest(files);
      if (manifest && manifest.round.toLowerCase() !== options.round.toLowerCase()) {
        throw new Error(`the published manifest is for round ${manifest.round}, not ${options.round}`);
      }
      const mismatch = manifest && (await deploymentMismatch(rpc, manifest));
      if (mismatch !== undefined) {
        throw new Error(
          `the published manifest ${files.location}/round.json describes another chain than the endpoint's ` +
            `(chain ${chainId}): ${mismatch}. Read the round through the node it lives on.`,
        );
      }
      fromBlock ??= manifest?.fromBlock;
      factory ??= manifest?.factory;
      if (forChecks) published = new PublishedReader(files, { treeWorker: options.treeWorker });
    }
    const reader = published;
    // The recount runs as the logs arrive, while the endpoint works on the next chunk.
    const counting = recountAsLogsArrive(options.round);
    const watcher: RoundWatcher = {
      batch: reader && ((b) => void reader.tree(b.id)),
      project: reader && ((p) => void reader.metadataHash(p.id, p.metadataURI)),
      decoded: counting.add,
    };
    const data = await loadRound(rpc, { ...options, fromBlock, factory }, options.onProgress, watcher);
    return { data, counted: counting.finish(data), files, published, proofFiles: options.proofFiles ?? false };
  } catch (error) {
    await published?.close();
    throw error;
  }
}

/** Runs the whole audit. */
export async function audit(options: AuditOptions): Promise<AuditReport> {
  const loaded = await loadAudited(options, true);
  return await checkRound(loaded);
}

/** Runs every check on a loaded round. */
export async function checkRound({ data, counted, files, published, proofFiles }: LoadedRound): Promise<AuditReport> {
  const checks: CheckResult[] = [
    checkEventsComplete(data),
    checkFactory(data),
    checkSupply(data, counted),
    checkBatches(data, counted),
    checkEnrollments(data),
    ...(await checkPublished(data, files, published, { proofFiles: proofFiles ?? false })),
    checkTransfers(data.transfers.length, counted),
    checkBanks(data, counted),
    checkResidents(data, counted),
    checkWinners(data, counted),
  ];
  for (const check of checks) check.failures.sort((a, b) => compareItems(a.item, b.item) || cmp(a.message, b.message));

  const districts = data.districts
    .map((d): DistrictSummary => {
      const tally = counted.districts.find((t) => t.id === d.id)!;
      const winners = new Set(tally.result.winners.map(Number));
      return {
        id: d.id,
        name: d.name,
        budget: d.budget.toString(),
        tokens: tally.tokens.toString(),
        finalized: d.state.finalized,
        winners: tally.result.winners.map(Number),
        fundedTotal: tally.result.fundedTotal.toString(),
        projects: tally.entries
          .map((e) => ({
            id: Number(e.projectId),
            cost: e.cost.toString(),
            tokens: e.tokens.toString(),
            supporters: e.supporters.toString(),
            won: winners.has(Number(e.projectId)),
          }))
          .sort((a, b) => a.id - b.id),
      };
    })
    .sort((a, b) => a.id - b.id);

  let inBanks = 0n;
  for (const bank of counted.banks.values()) inBanks += bank.total;
  let claimed = 0n;
  for (const batch of counted.batches.values()) claimed += batch.sum;

  return {
    ok: checks.every((c) => c.status !== "fail"),
    chainId: data.chainId.toString(),
    round: data.round,
    token: data.token,
    airdrop: data.airdrop,
    factory: data.factory ?? null,
    name: data.config.name,
    fromBlock: data.fromBlock,
    toBlock: data.toBlock,
    budget: data.config.budget.toString(),
    supply: data.totalSupply.toString(),
    rule: Rule[data.config.rule] ?? String(data.config.rule),
    minTokens: data.config.minTokens.toString(),
    minSupporters: data.config.minSupporters.toString(),
    published: files !== undefined,
    events: Object.fromEntries(Object.entries(data.eventCounts).sort(([a], [b]) => cmp(a, b))),
    totals: {
      batches: data.batches.length,
      claims: data.claims.length,
      claimed: claimed.toString(),
      deposits: counted.depositCount,
      withdrawals: counted.withdrawalCount,
      inBanks: inBanks.toString(),
    },
    districts,
    checks,
  };
}

// --- the checks ---

/** The events are the round's structure: they must list as many districts, projects and batches as the state. */
function checkEventsComplete(data: RoundData): CheckResult {
  const failures: CheckFailure[] = [];
  const sequence = (kind: string, ids: number[], count: number): void => {
    if (ids.length !== count) {
      failures.push({ item: kind, message: `${ids.length} added by events, ${count} in the contract` });
    }
    ids.forEach((id, index) => {
      if (id !== index) failures.push({ item: `${kind} ${id}`, message: `event out of sequence at position ${index}` });
    });
  };
  sequence(
    "districts",
    data.districts.map((d) => d.id),
    data.districtCount,
  );
  sequence(
    "projects",
    data.projects.map((p) => p.id),
    data.projectCount,
  );
  sequence(
    "batches",
    data.batches.map((b) => b.id),
    data.batchCount,
  );
  for (const p of data.projects) {
    const item = `project ${p.id}`;
    if (p.state.bank !== p.bank)
      failures.push({ item, message: `bank ${p.state.bank} in the contract, ${p.bank} in its event` });
    if (p.state.cost !== p.cost)
      failures.push({ item, message: `cost ${p.state.cost} in the contract, ${p.cost} in its event` });
    if (p.state.district !== p.district) {
      failures.push({ item, message: `district ${p.state.district} in the contract, ${p.district} in its event` });
    }
    if (p.holder.kind !== HolderKind.PiggyBank || p.holder.district !== p.district) {
      failures.push({ item, message: `bank ${p.bank} not a piggy bank of district ${p.district} for the token` });
    }
  }
  for (const d of data.districts) {
    if (d.state.budget !== d.budget) {
      failures.push({
        item: `district ${d.id}`,
        message: `budget ${d.state.budget} in the contract, ${d.budget} in its event`,
      });
    }
  }
  return result(
    "events-complete",
    "Events list every district, project and batch the contracts hold",
    data.districts.length + data.projects.length + data.batches.length,
    failures,
  );
}

function checkFactory(data: RoundData): CheckResult {
  const title = "The factory announced this round with its token and airdrop";
  if (!data.factory) return skipped("factory", title, "factory unknown (no manifest and no --factory)");
  const failures: CheckFailure[] = [];
  const created = data.created;
  if (!created) failures.push({ item: `factory ${data.factory}`, message: `no RoundCreated for ${data.round}` });
  else {
    if (created.token !== data.token)
      failures.push({ item: "token", message: `announced ${created.token}, round uses ${data.token}` });
    if (created.airdrop !== data.airdrop) {
      failures.push({ item: "airdrop", message: `announced ${created.airdrop}, round uses ${data.airdrop}` });
    }
  }
  return result("factory", title, 1, failures);
}

function checkSupply(data: RoundData, counted: Recount): CheckResult {
  const failures: CheckFailure[] = [];
  const budget = data.config.budget;
  if (data.totalSupply !== budget)
    failures.push({ item: "supply", message: `supply ${data.totalSupply} != budget ${budget}` });
  if (counted.minted !== data.totalSupply) {
    failures.push({
      item: "mint transfers",
      message: `mint Transfers sum to ${counted.minted}, supply is ${data.totalSupply}`,
    });
  }
  const mintedEvents = data.mints.reduce((sum, m) => sum + m.amount, 0n);
  if (mintedEvents !== data.totalSupply) {
    failures.push({
      item: "BudgetMinted",
      message: `BudgetMinted events sum to ${mintedEvents}, supply is ${data.totalSupply}`,
    });
  }
  const districtBudgets = data.districts.reduce((sum, d) => sum + d.budget, 0n);
  if (districtBudgets !== budget) {
    failures.push({
      item: "district budgets",
      message: `district budgets sum to ${districtBudgets}, budget is ${budget}`,
    });
  }
  return result("supply", "Supply equals the budget, and so do the mints and the district budgets", 4, failures);
}

function checkBatches(data: RoundData, counted: Recount): CheckResult {
  const failures: CheckFailure[] = [];
  let posted = 0n;
  for (const b of data.batches) {
    const item = `batch ${b.id}`;
    const sum = counted.batches.get(b.id)?.sum ?? 0n;
    posted += b.total;
    if (sum > b.total) failures.push({ item, message: `claims sum to ${sum}, above the posted total ${b.total}` });
    if (sum !== b.state.claimed)
      failures.push({ item, message: `claims sum to ${sum}, the airdrop says ${b.state.claimed}` });
    if (b.state.root !== b.root)
      failures.push({ item, message: `root ${b.state.root} in the contract, ${b.root} in its event` });
    if (b.state.total !== b.total)
      failures.push({ item, message: `total ${b.state.total} in the contract, ${b.total} in its event` });
  }
  for (const id of counted.batches.keys()) {
    if (!data.batches.some((b) => b.id === id))
      failures.push({ item: `batch ${id}`, message: "claims from a batch never posted" });
  }
  if (posted > data.totalSupply) {
    failures.push({ item: "batches", message: `posted totals ${posted} exceed the supply ${data.totalSupply}` });
  }
  for (const c of counted.duplicateClaims) {
    failures.push({ item: `claim ${c.account}`, message: `claimed again in batch ${c.batchId} (tx ${c.place.tx})` });
  }
  for (const g of counted.grantMismatches) {
    failures.push({
      item: `claim ${g.transfer.to}`,
      message: `granted ${g.transfer.amount} (tx ${g.transfer.place.tx}), claimed ${g.claimed ?? "nothing"}`,
    });
  }
  return result(
    "claims",
    "Claims fit each batch's posted total and match the tokens granted",
    data.claims.length,
    failures,
  );
}

/**
 * The checks of the published files: the trees, the claims against their leaves, the project metadata, then the
 * residents' lists (./participants.ts). What `reader` (which this closes) already read and rebuilt is not done again;
 * without one, everything is read here.
 */
export async function checkPublished(
  data: RoundData,
  files: PublishedFiles | undefined,
  given?: PublishedReader,
  options: ParticipantChecksOptions = { proofFiles: true },
): Promise<CheckResult[]> {
  const reader = files && (given ?? new PublishedReader(files));
  try {
    // Everything not started yet is started at once, to be awaited in order below.
    for (const b of data.batches) void reader?.tree(b.id);
    for (const p of data.projects) void reader?.metadataHash(p.id, p.metadataURI);
    const { checks, trees } = await checkPublishedTrees(data, reader);
    const list = files && (await readList(files));
    const verified = trees && verifiedTrees(data, trees, list);
    // A tree file the list shows wrong: say, by resident, what the file got wrong.
    for (const [batchId, truth] of verified?.fromList ?? []) {
      const file = trees?.get(batchId);
      const failure = checks[0].failures.find((f) => f.item === batchFile(batchId) && f.message.startsWith("rebuilds"));
      if (file && failure) {
        failure.message += `; the published list's leaves of batch ${batchId} rebuild to it, and the file ${fileDifferences(file, truth).join(", ")}`;
      }
    }
    return [
      ...checks,
      await checkMetadata(data, reader),
      ...(await checkParticipants(data, verified?.trees, list, files, options)),
    ];
  } finally {
    await reader?.close();
  }
}

async function checkPublishedTrees(
  data: RoundData,
  files: PublishedReader | undefined,
): Promise<{ checks: CheckResult[]; trees?: Map<number, RebuiltTree> }> {
  const treeTitle = "Each published participants tree rebuilds to its on-chain root and sums to its total";
  const leafTitle = "Each claim is a leaf of its batch's published tree";
  if (!files)
    return {
      checks: [
        skipped("trees", treeTitle, "no published files given"),
        skipped("claim-leaves", leafTitle, "no published files given"),
      ],
    };
  const treeFailures: CheckFailure[] = [];
  const leafFailures: CheckFailure[] = [];
  const trees = new Map<number, RebuiltTree>();
  for (const b of data.batches) {
    const file = `participants/batch-${b.id}.json`;
    const published = await files.tree(b.id);
    if ("missing" in published) {
      treeFailures.push({ item: file, message: "not published" });
      continue;
    }
    if ("unreadable" in published) {
      treeFailures.push({ item: file, message: `unreadable: ${published.unreadable}` });
      continue;
    }
    const tree = published.tree;
    if (tree.root !== b.root) {
      treeFailures.push({ item: file, message: `rebuilds to root ${tree.root}, on-chain root is ${b.root}` });
    } else if (tree.firstDifferentNode >= 0) {
      // The right leaves under a wrong node array: proofs taken from the file would not verify.
      treeFailures.push({
        item: file,
        message: `tree node ${tree.firstDifferentNode} differs from the tree its values rebuild to`,
      });
    }
    if (tree.total !== b.total) {
      treeFailures.push({ item: file, message: `leaves sum to ${tree.total}, declared total is ${b.total}` });
    }
    trees.set(b.id, tree);
  }
  const indexes = new Map([...trees].map(([id, tree]) => [id, new LeafIndex(tree.values)]));
  for (const c of data.claims) {
    const batchLeaves = indexes.get(c.batchId);
    if (batchLeaves && !batchLeaves.has(c.account, c.district, c.amount, c.enrollment)) {
      leafFailures.push({
        item: `claim ${c.account}`,
        message: `claimed ${c.amount} for district ${c.district} from batch ${c.batchId}, no such leaf in participants/batch-${c.batchId}.json`,
      });
    }
  }
  return {
    checks: [
      result("trees", treeTitle, data.batches.length, treeFailures),
      result("claim-leaves", leafTitle, data.claims.length, leafFailures),
    ],
    trees,
  };
}

async function checkMetadata(data: RoundData, files: PublishedReader | undefined): Promise<CheckResult> {
  const title = "Each project's metadata file hashes to its on-chain metadataHash";
  if (!files) return skipped("metadata", title, "no published files given");
  const failures: CheckFailure[] = [];
  for (const p of data.projects) {
    const file = projectMetadataURI(p.id);
    const hash = await files.metadataHash(p.id, p.metadataURI);
    if (hash === undefined) {
      failures.push({ item: file, message: `not published (project ${p.id}, URI ${p.metadataURI})` });
      continue;
    }
    if (hash !== p.metadataHash) {
      failures.push({ item: file, message: `hashes to ${hash}, project ${p.id} was added with ${p.metadataHash}` });
    }
  }
  return result("metadata", title, data.projects.length, failures);
}

/** `checked` is every Transfer event the recount classified, not the unexpected ones. */
function checkTransfers(transfers: number, counted: Recount): CheckResult {
  const failures = counted.unexpectedTransfers.map((t) => ({
    item: `transfer ${t.place.tx}#${t.place.logIndex}`,
    message: `${t.amount} from ${t.from} to ${t.to} is neither a mint, a grant, a deposit nor a withdrawal`,
  }));
  return result("transfers", "Every token movement is a mint, a grant, a deposit or a withdrawal", transfers, failures);
}

function checkBanks(data: RoundData, counted: Recount): CheckResult {
  const failures: CheckFailure[] = [];
  for (const p of data.projects) {
    const bank = counted.banks.get(p.bank)!;
    if (bank.total !== p.balance) {
      failures.push({
        item: `project ${p.id} bank ${p.bank}`,
        message: `holds ${p.balance}, deposits ${bank.deposited} - withdrawals ${bank.withdrawn} = ${bank.total}`,
      });
    }
  }
  return result("banks", "Each piggy bank holds its deposits minus its withdrawals", data.projects.length, failures);
}

function checkResidents(data: RoundData, counted: Recount): CheckResult {
  const title = "Each resident's balance plus deposits equals what the resident claimed";
  if (!data.residentBalances) return skipped("residents", title, "resident balances not read");
  const failures: CheckFailure[] = [];
  let fromEvents = 0n;
  let unread = 0;
  for (const resident of counted.residents.values()) {
    fromEvents += resident.balance;
    const account = resident.account;
    // A resident outside the sample read: the sum below confirms its balance with everyone else's.
    const balance = data.residentBalances.get(account);
    if (balance === undefined) {
      unread++;
      continue;
    }
    if (balance !== resident.balance) {
      const inBanks = resident.deposited - resident.withdrawn;
      failures.push({
        item: `resident ${account}`,
        message: `balance ${balance} + deposits ${inBanks} = ${balance + inBanks}, claimed ${resident.claim.amount}`,
      });
    }
  }
  // When some residents' balances were not read: the tokens are the round's, the residents' or the banks', so what
  // the residents hold on-chain is the supply less the round's and the banks' balances, and their events must give
  // the same sum. (With every balance read, each was compared above.)
  if (unread > 0 && data.roundBalance !== undefined) {
    const inBanks = data.projects.reduce((sum, p) => sum + p.balance, 0n);
    const held = data.totalSupply - data.roundBalance - inBanks;
    if (held !== fromEvents) {
      failures.push({
        item: "residents' sum",
        message: `supply ${data.totalSupply} - round ${data.roundBalance} - banks ${inBanks} = ${held} held by residents, their events give ${fromEvents}`,
      });
    }
  }
  return result("residents", title, counted.residents.size, failures);
}

function checkWinners(data: RoundData, counted: Recount): CheckResult {
  const title = "Finalized winners equal the recomputed winners and fit each district's budget";
  const failures: CheckFailure[] = [];
  let checked = 0;
  const pending: number[] = [];
  for (const d of data.districts) {
    const tally = counted.districts.find((t) => t.id === d.id)!;
    const item = `district ${d.id}`;
    const expected = new Set(tally.result.winners.map(Number));
    const projects = data.projects.filter((p) => p.district === d.id);
    const reportedByEvents = projects.filter((p) => p.fundedEvents.length > 0).map((p) => p.id);
    const reportedByState = projects.filter((p) => p.state.funded).map((p) => p.id);
    const finalized = d.state.finalized || d.finalizedEvent !== undefined;
    if (!finalized) {
      pending.push(d.id);
      if (reportedByEvents.length > 0 || reportedByState.length > 0) {
        failures.push({
          item,
          message: `not finalized, yet projects ${list([...reportedByEvents, ...reportedByState])} are marked funded`,
        });
      }
      continue;
    }
    checked++;
    const sortedExpected = [...expected].sort((a, b) => a - b);
    if (list(reportedByEvents) !== list(sortedExpected)) {
      failures.push({
        item,
        message: `ProjectFunded for projects [${list(reportedByEvents)}], recomputed winners [${list(sortedExpected)}]`,
      });
    }
    if (list(reportedByState) !== list(sortedExpected)) {
      failures.push({
        item,
        message: `contract marks projects [${list(reportedByState)}] funded, recomputed winners [${list(sortedExpected)}]`,
      });
    }
    for (const p of projects) {
      for (const f of p.fundedEvents) {
        const tokens = counted.banks.get(p.bank)!.total;
        if (f.tokens !== tokens || f.cost !== p.cost || f.district !== d.id) {
          failures.push({
            item: `project ${p.id}`,
            message: `ProjectFunded reports ${f.tokens} tokens at cost ${f.cost} in district ${f.district}, recomputed ${tokens} at cost ${p.cost} in district ${d.id}`,
          });
        }
      }
    }
    const fundedTotal = tally.result.fundedTotal;
    if (fundedTotal > d.budget)
      failures.push({ item, message: `winners cost ${fundedTotal}, above the budget ${d.budget}` });
    const reportedCost = projects.filter((p) => p.state.funded).reduce((sum, p) => sum + p.cost, 0n);
    if (reportedCost > d.budget)
      failures.push({ item, message: `funded projects cost ${reportedCost}, above the budget ${d.budget}` });
    if (d.state.funded !== fundedTotal) {
      failures.push({ item, message: `contract says ${d.state.funded} funded, recomputed ${fundedTotal}` });
    }
    if (!d.finalizedEvent)
      failures.push({ item, message: "finalized in the contract without a DistrictFinalized event" });
    else {
      if (d.finalizedEvent.funded !== fundedTotal) {
        failures.push({
          item,
          message: `DistrictFinalized reports ${d.finalizedEvent.funded} funded, recomputed ${fundedTotal}`,
        });
      }
      if (d.finalizedEvent.winners !== BigInt(expected.size)) {
        failures.push({
          item,
          message: `DistrictFinalized reports ${d.finalizedEvent.winners} winners, recomputed ${expected.size}`,
        });
      }
    }
  }
  const note = pending.length > 0 ? `districts not finalized yet: ${list(pending)}` : undefined;
  if (checked === 0 && failures.length === 0) return skipped("winners", title, note ?? "no districts");
  return result("winners", title, checked, failures, note);
}

// --- output ---

const list = (ids: number[]): string => ids.join(",");
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Orders items like "project 2" before "project 10". */
function compareItems(a: string, b: string): number {
  const split = (s: string): (string | number)[] => s.split(/(\d+)/).map((part, i) => (i % 2 ? Number(part) : part));
  const pa = split(a);
  const pb = split(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    if (
      typeof pa[i] === "number" &&
      typeof pb[i] === "number" &&
      String(pa[i]).length < 16 &&
      String(pb[i]).length < 16
    ) {
      return (pa[i] as number) - (pb[i] as number);
    }
    return cmp(String(pa[i]), String(pb[i]));
  }
  return pa.length - pb.length;
}

/** The report as canonical JSON (stable key order, amounts as decimal strings), with a final newline. */
export function reportJson(report: AuditReport): string {
  return (
    JSON.stringify(report, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2) + "\n"
  );
}

const MARK: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", skip: "SKIP" };

/** The rule in words, with its tie-break: what decides between projects with equal tokens. */
export function ruleText(rule: string): string {
  const base =
    rule === Rule[Rule.PiggyBankFull] ? "only full piggy banks, then most tokens first" : "most tokens first";
  return `${base}; a tie goes to the lower project id (the order the projects were added in)`;
}

/**
 * The report for people: amounts in rubles, districts and projects by name (`labels`, from the published files
 * that match the chain), and every tie that decided a district's winners. The JSON report stays as it is.
 */
export function formatReport(report: AuditReport, labels: Labels = NO_LABELS): string {
  const lines: string[] = [];
  const rub = (amount: string) => rubles(BigInt(amount));
  const named: Labels = { ...labels, districts: new Map(report.districts.map((d) => [d.id, d.name])) };
  lines.push(
    `Round ${report.name} (${report.round}) on chain ${report.chainId}, blocks ${report.fromBlock}..${report.toBlock}`,
  );
  lines.push(
    `Budget ${rub(report.budget)}, supply ${rub(report.supply)}, rule ${report.rule} (${ruleText(report.rule)}), ` +
      `min tokens ${rub(report.minTokens)}, min supporters ${report.minSupporters}`,
  );
  lines.push(
    `${report.totals.batches} batches, ${report.totals.claims} claims (${rub(report.totals.claimed)}), ` +
      `${report.totals.deposits} deposits, ${report.totals.withdrawals} withdrawals, ${rub(report.totals.inBanks)} in piggy banks`,
  );
  lines.push("");
  const rules = {
    rule: report.rule === Rule[Rule.PiggyBankFull] ? Rule.PiggyBankFull : Rule.Ranked,
    minTokens: BigInt(report.minTokens),
    minSupporters: BigInt(report.minSupporters),
  };
  for (const d of report.districts) {
    const winners =
      d.winners.length === 0 ? "no winners" : `winners ${d.winners.join(", ")} cost ${rub(d.fundedTotal)}`;
    lines.push(
      `${capitalize(districtLabel(d.id, named))}: budget ${rub(d.budget)}, ${rub(d.tokens)} in piggy banks, ` +
        `${d.finalized ? "finalized" : "not finalized"}; ${d.finalized ? "" : "so far "}${winners}`,
    );
    for (const p of d.projects) {
      lines.push(
        `  ${projectLabel(p.id, named)}: cost ${rub(p.cost)}, ${rub(p.tokens)} from ${p.supporters} supporters` +
          (p.won ? (d.finalized ? ", WINS" : ", would win now") : ""),
      );
    }
    const entries = d.projects.map((p) => ({
      projectId: BigInt(p.id),
      cost: BigInt(p.cost),
      tokens: BigInt(p.tokens),
      supporters: BigInt(p.supporters),
    }));
    for (const tie of decidingTies(entries, BigInt(d.budget), rules)) lines.push(`  ${tieText(tie, named)}`);
  }
  lines.push("");
  for (const c of report.checks) {
    lines.push(`${MARK[c.status]} ${c.title} (${c.checked} checked)${c.note ? ` - ${c.note}` : ""}`);
    for (const f of c.failures) lines.push(`     ${f.item}: ${f.message}`);
  }
  const failures = report.checks.reduce((n, c) => n + c.failures.length, 0);
  lines.push("");
  lines.push(report.ok ? "Everything holds." : `${failures} discrepancies found.`);
  return lines.join("\n") + "\n";
}

/** A tie that decided the winners, in words. */
export function tieText(tie: DecidingTie, labels: Labels = NO_LABELS): string {
  const names = (ids: bigint[]) => ids.map((id) => projectLabel(Number(id), labels)).join(", ");
  return (
    `tie at ${rubles(tie.tokens)} between ${names(tie.projects)}, decided by the lower project id: ` +
    `${tie.won.length > 0 ? `${names(tie.won)} won` : "nothing won by it"}` +
    `${tie.lost.length > 0 ? `, where ${names(tie.lost)} would have won the other way round` : ""}`
  );
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
