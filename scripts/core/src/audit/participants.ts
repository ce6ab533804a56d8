/**
 * The checks of the residents' lists: that no enrollment was claimed twice and one resident's lost keys were
 * revoked before a new one was posted (one allowance per phone), that leaves enrolled by phone carry the round's
 * declared allowance and district binding, and that the published list pages and proof files (the dApp's and the
 * relayer's source of proofs) agree with the posted batches. Each failure names the resident, the enrollment or the
 * file.
 */
import { ANY_DISTRICT, NO_ENROLLMENT } from "../domain/participants.js";
import {
  LIST_FORMAT,
  LIST_INDEX_FILE,
  LIST_PAGE_SIZE,
  batchFile,
  listPageFile,
  proofFile,
  type ListIndex,
  type ListLeaf,
  type ListPage,
  type ProofFile,
} from "../domain/publication.js";
import { limiter } from "../chain/rpc.js";
import { result, skipped, type CheckFailure, type CheckResult } from "./check.js";
import type { PublishedFiles } from "./files.js";
import type { ClaimData, RoundData } from "./load.js";
import { proofOf, rebuildParticipantTree, type RebuiltLeaf, type RebuiltTree } from "./merkle.js";

/** The trees of the batches whose leaves are known for certain, by batch id (undefined: no published files). */
export type Trees = Map<number, RebuiltTree> | undefined;

export interface ParticipantChecksOptions {
  /** Read every resident's proof file (one file a resident); false skips the check. */
  proofFiles: boolean;
}

const NO_FILES = "no published files given";

/**
 * The checks of the residents' lists, on the batches whose leaves are known for certain (`verifiedTrees`): a batch
 * whose tree file is wrong is the "trees" check's failure, not a reason to doubt the proof files or the list.
 */
export async function checkParticipants(
  data: RoundData,
  trees: Trees,
  list: PublishedList | undefined,
  files: PublishedFiles | undefined,
  options: ParticipantChecksOptions,
): Promise<CheckResult[]> {
  return [
    checkRevocations(data, trees),
    checkPhoneLeaves(data, trees),
    checkList(data, trees, list, files !== undefined),
    await checkProofFiles(data, trees, files, options),
  ];
}

const isPhone = (enrollment: string): boolean => enrollment !== NO_ENROLLMENT;

/** The chain alone: each enrollment was claimed by one account at most. */
export function checkEnrollments(data: RoundData): CheckResult {
  const failures: CheckFailure[] = [];
  const first = new Map<string, ClaimData>();
  let checked = 0;
  for (const claim of data.claims) {
    if (!isPhone(claim.enrollment)) continue;
    checked++;
    const earlier = first.get(claim.enrollment);
    if (earlier === undefined) {
      first.set(claim.enrollment, claim);
      continue;
    }
    failures.push({
      item: `enrollment ${claim.enrollment}`,
      message:
        `claimed by ${earlier.account} (batch ${earlier.batchId}, tx ${earlier.place.tx}) and again by ` +
        `${claim.account} (batch ${claim.batchId}, tx ${claim.place.tx})`,
    });
  }
  return result("enrollments", "No enrollment was claimed twice", checked, failures);
}

/** Every leaf of the readable trees, in batch order, with its batch. */
function* leavesOf(trees: Map<number, RebuiltTree>): Generator<RebuiltLeaf & { batchId: number }> {
  for (const [leaf, batchId] of leafPlaces(trees)) yield { ...leaf, batchId };
}

/** Every leaf of the readable trees, in batch order, beside its batch (not copied: most are only looked at). */
function* leafPlaces(trees: Map<number, RebuiltTree>): Generator<[RebuiltLeaf, number]> {
  for (const batchId of [...trees.keys()].sort((a, b) => a - b)) {
    for (const leaf of trees.get(batchId)!.values) yield [leaf, batchId];
  }
}

/**
 * One allowance per phone: each revoked account never claimed, was enrolled by phone and has a later leaf with the
 * same enrollment (the resident's new key), and every leaf of an enrollment but its last belongs to a revoked account.
 */
function checkRevocations(data: RoundData, trees: Trees): CheckResult {
  const id = "revocations";
  const title =
    "Each revoked account never claimed and its enrollment has a later leaf; only the last leaf of an enrollment is not revoked";
  const failures: CheckFailure[] = [];
  const revoked = new Set(data.revocations.map((r) => r.account));
  // Each revoked account's last claim, if any.
  const claimed = new Map<string, ClaimData>();
  if (revoked.size > 0) for (const c of data.claims) if (revoked.has(c.account)) claimed.set(c.account, c);
  for (const r of data.revocations) {
    const claim = claimed.get(r.account);
    if (claim) {
      failures.push({
        item: `revoked ${r.account}`,
        message: `revoked (tx ${r.place.tx}) yet claimed (tx ${claim.place.tx})`,
      });
    }
  }
  if (!trees) {
    if (data.revocations.length === 0 || failures.length > 0)
      return result(id, title, data.revocations.length, failures);
    return skipped(id, title, NO_FILES);
  }
  // Each revoked account's first leaf, and the leaves of each enrollment.
  const firstLeaf = new Map<string, RebuiltLeaf & { batchId: number }>();
  const byEnrollment = new Map<string, (RebuiltLeaf & { batchId: number })[]>();
  for (const [leaf, batchId] of leafPlaces(trees)) {
    if (revoked.has(leaf.account) && !firstLeaf.has(leaf.account)) firstLeaf.set(leaf.account, { ...leaf, batchId });
    if (!isPhone(leaf.enrollment)) continue;
    const list = byEnrollment.get(leaf.enrollment) ?? [];
    list.push({ ...leaf, batchId });
    byEnrollment.set(leaf.enrollment, list);
  }
  for (const r of data.revocations) {
    const item = `revoked ${r.account}`;
    const leaf = firstLeaf.get(r.account);
    if (!leaf) {
      failures.push({ item, message: "in no readable published batch" });
      continue;
    }
    if (!isPhone(leaf.enrollment)) {
      failures.push({
        item,
        message: `its leaf in batch ${leaf.batchId} has no enrollment: nobody enrolled again for it`,
      });
      continue;
    }
    const later = byEnrollment.get(leaf.enrollment)!.find((l) => l.batchId > leaf.batchId && l.account !== r.account);
    if (!later) {
      failures.push({ item, message: `enrollment ${leaf.enrollment} has no leaf after batch ${leaf.batchId}` });
    }
  }
  for (const [enrollment, leaves] of byEnrollment) {
    for (const leaf of leaves.slice(0, -1)) {
      if (revoked.has(leaf.account) || leaf.account === leaves[leaves.length - 1].account) continue;
      failures.push({
        item: `enrollment ${enrollment}`,
        message: `${leaf.account} (batch ${leaf.batchId}) is not revoked, yet the enrollment has a later leaf`,
      });
    }
  }
  return result(id, title, data.revocations.length + byEnrollment.size, failures);
}

/** Leaves enrolled by phone: the declared allowance each, bound to a district exactly when the round binds them. */
function checkPhoneLeaves(data: RoundData, trees: Trees): CheckResult {
  const title = "Each leaf enrolled by phone carries the declared allowance and the round's district binding";
  if (!trees) return skipped("phone-leaves", title, NO_FILES);
  const { allowance, residentsBound } = data.config;
  const failures: CheckFailure[] = [];
  let checked = 0;
  for (const [leaf, batchId] of leafPlaces(trees)) {
    if (!isPhone(leaf.enrollment)) continue;
    checked++;
    const item = `${batchFile(batchId)} leaf ${leaf.account}`;
    if (allowance === 0n) failures.push({ item, message: "enrolled by phone, but the round declares no allowance" });
    else if (leaf.amount !== allowance) {
      failures.push({ item, message: `amount ${leaf.amount}, the round declares ${allowance} per resident` });
    }
    if (residentsBound && (leaf.district === ANY_DISTRICT || leaf.district >= data.districtCount)) {
      failures.push({
        item,
        message: `district ${leaf.district}, but the round binds residents to one of its districts`,
      });
    }
    if (!residentsBound && leaf.district !== ANY_DISTRICT) {
      failures.push({
        item,
        message: `bound to district ${leaf.district}, but the round lets residents vote anywhere`,
      });
    }
  }
  return result("phone-leaves", title, checked, failures);
}

/** A list leaf as text, to compare and to report. */
const listText = (l: { district: number; amount: bigint | string; enrollment: string }): string =>
  `district ${l.district}, amount ${l.amount}, enrollment ${l.enrollment}`;

/** A leaf of the published list with where it is. */
interface ListEntry {
  leaf: ListLeaf;
  file: string;
  position: number;
}

/** The published list as read: its leaves by batch, and what was wrong with its files. */
export interface PublishedList {
  index?: ListIndex;
  pages: { file: string; leaves: ListLeaf[] }[];
  byBatch: Map<number, ListEntry[]>;
  leafCount: number;
  /** What is wrong with the files themselves (unreadable, out of order, pages not full). */
  failures: CheckFailure[];
}

/** Reads the list's index and pages, page after page until one is missing or not full. Undefined: no list. */
export async function readList(files: PublishedFiles): Promise<PublishedList | undefined> {
  const failures: CheckFailure[] = [];
  const indexText = await files.read(LIST_INDEX_FILE);
  let index: ListIndex | undefined;
  try {
    index = indexText === undefined ? undefined : (JSON.parse(indexText) as ListIndex);
  } catch (error) {
    failures.push({ item: LIST_INDEX_FILE, message: `unreadable: ${(error as Error).message}` });
  }
  const pages: { file: string; leaves: ListLeaf[] }[] = [];
  for (let page = 0; ; page++) {
    const file = listPageFile(page);
    const text = await files.read(file);
    if (text === undefined) {
      if (index && page < index.pages) {
        failures.push({ item: file, message: `not published (${LIST_INDEX_FILE} lists ${index.pages} pages)` });
      }
      break;
    }
    let content: ListPage;
    try {
      content = JSON.parse(text) as ListPage;
    } catch (error) {
      failures.push({ item: file, message: `unreadable: ${(error as Error).message}` });
      break;
    }
    if (content.format !== LIST_FORMAT || content.page !== page || !Array.isArray(content.leaves)) {
      failures.push({ item: file, message: `not page ${page} of a ${LIST_FORMAT} list` });
      break;
    }
    pages.push({ file, leaves: content.leaves });
    if (content.leaves.length < content.pageSize) break;
  }
  if (pages.length === 0 && index === undefined && failures.length === 0) return undefined;
  const pageSize = index?.pageSize ?? LIST_PAGE_SIZE;
  pages.forEach(({ file, leaves }, page) => {
    if (page < pages.length - 1 && leaves.length !== pageSize) {
      failures.push({ item: file, message: `holds ${leaves.length} leaves, not ${pageSize}` });
    }
  });
  const byBatch = new Map<number, ListEntry[]>();
  let leafCount = 0;
  let lastBatch = -1;
  for (const { file, leaves } of pages) {
    for (const leaf of leaves) {
      const position = leafCount++;
      const batchId = Number(leaf[0]);
      if (batchId < lastBatch) {
        failures.push({ item: file, message: `leaf ${position} of batch ${batchId} comes after batch ${lastBatch}` });
      }
      lastBatch = Math.max(lastBatch, batchId);
      const list = byBatch.get(batchId) ?? [];
      list.push({ leaf, file, position });
      byBatch.set(batchId, list);
    }
  }
  if (index && !failures.some((f) => f.item === LIST_INDEX_FILE) && index.leaves !== leafCount) {
    failures.push({ item: LIST_INDEX_FILE, message: `says ${index.leaves} leaves, the pages hold ${leafCount}` });
  }
  return { index, pages, byBatch, leafCount, failures };
}

/**
 * The tree the list's leaves of one batch build, in their order (StandardMerkleTree puts value i at node 2n - 2 - i
 * when it does not sort), or undefined when they are no valid leaves.
 */
export function listTree(entries: readonly ListEntry[]): RebuiltTree | undefined {
  const count = entries.length;
  const dump = {
    values: entries.map(({ leaf }, i) => ({ value: leaf.slice(1), treeIndex: 2 * count - 2 - i })),
  };
  try {
    return rebuildParticipantTree(dump);
  } catch {
    return undefined;
  }
}

/**
 * The batches whose leaves are known for certain: from the batch's tree file when it rebuilds to the on-chain root,
 * else from the list when its leaves of the batch do (the list then names what the file got wrong).
 */
export function verifiedTrees(
  data: RoundData,
  fileTrees: Map<number, RebuiltTree>,
  list: PublishedList | undefined,
): { trees: Map<number, RebuiltTree>; fromList: Map<number, RebuiltTree> } {
  const trees = new Map<number, RebuiltTree>();
  const fromList = new Map<number, RebuiltTree>();
  for (const batch of data.batches) {
    const file = fileTrees.get(batch.id);
    if (file && file.root === batch.root) {
      trees.set(batch.id, file);
      continue;
    }
    const entries = list?.byBatch.get(batch.id);
    const rebuilt = entries && listTree(entries);
    if (rebuilt && rebuilt.root === batch.root) {
      trees.set(batch.id, rebuilt);
      fromList.set(batch.id, rebuilt);
    }
  }
  return { trees, fromList };
}

/** What a batch's tree file got wrong, by resident, against the leaves the chain proves (from the list). */
export function fileDifferences(file: RebuiltTree, truth: RebuiltTree): string[] {
  const inFile = new Map(file.values.map((v) => [v.account, v]));
  const inTruth = new Map(truth.values.map((v) => [v.account, v]));
  const differences: string[] = [];
  for (const [account, leaf] of inTruth) {
    const found = inFile.get(account);
    if (!found) differences.push(`drops resident ${account}`);
    else if (listText(found) !== listText(leaf))
      differences.push(`has ${listText(found)} for resident ${account}, not ${listText(leaf)}`);
  }
  for (const account of inFile.keys()) if (!inTruth.has(account)) differences.push(`adds resident ${account}`);
  return differences;
}

/** The list pages: together the leaves of every posted batch, in batch order, nothing dropped, changed or added. */
function checkList(data: RoundData, trees: Trees, list: PublishedList | undefined, files: boolean): CheckResult {
  const id = "list";
  const title = "The published list of residents is the union of the posted batches";
  if (!trees || !files) return skipped(id, title, NO_FILES);
  if (!list) return skipped(id, title, "no list published");
  const failures: CheckFailure[] = [...list.failures];
  let pending = 0;
  for (const [batchId, entries] of list.byBatch) if (batchId >= data.batches.length) pending += entries.length;

  let checked = 0;
  for (const batch of data.batches) {
    const inList = list.byBatch.get(batch.id) ?? [];
    const tree = trees.get(batch.id);
    if (!tree) {
      // Neither the tree file nor the list rebuilds to the root: the list's leaves of this batch are not the batch's.
      const file = inList[0]?.file ?? listPageFile(0);
      failures.push({
        item: file,
        message: `its ${inList.length} leaves of batch ${batch.id} do not rebuild to the batch's on-chain root`,
      });
      continue;
    }
    checked += tree.values.length;
    const byAccount = new Map(inList.map((entry) => [entry.leaf[1].toLowerCase(), entry]));
    const inBatch = new Set(tree.values.map((v) => v.account));
    const before = failures.length;
    for (const value of tree.values) {
      const entry = byAccount.get(value.account);
      const item = `resident ${value.account}`;
      if (!entry) {
        failures.push({ item, message: `in batch ${batch.id} (${batchFile(batch.id)}), not in the published list` });
        continue;
      }
      const [, , district, amount, enrollment] = entry.leaf;
      const listedText = listText({ district, amount, enrollment: String(enrollment).toLowerCase() });
      if (listedText !== listText(value)) {
        failures.push({ item, message: `${entry.file} has ${listedText}, batch ${batch.id} has ${listText(value)}` });
      }
    }
    for (const entry of inList) {
      const account = entry.leaf[1].toLowerCase();
      if (!inBatch.has(account)) {
        failures.push({
          item: `resident ${account}`,
          message: `${entry.file} lists it in batch ${batch.id}, which has no such leaf (${batchFile(batch.id)})`,
        });
      }
    }
    // The same leaves: then they must come in the batch's order too.
    if (failures.length === before && inList.length === tree.values.length) {
      const misplaced = tree.values.findIndex((value, i) => inList[i].leaf[1].toLowerCase() !== value.account);
      if (misplaced >= 0) {
        const entry = inList[misplaced];
        failures.push({ item: entry.file, message: `leaf ${entry.position} is out of batch ${batch.id}'s order` });
      }
    }
  }
  const note = pending > 0 ? `${pending} listed leaves of batches not posted yet` : undefined;
  return result(id, title, checked, failures, note);
}

/** Each resident's proof file: the resident's first leaf, with the proof the batch's tree gives. */
async function checkProofFiles(
  data: RoundData,
  trees: Trees,
  files: PublishedFiles | undefined,
  options: ParticipantChecksOptions,
): Promise<CheckResult> {
  const id = "proofs";
  const title = "Each resident's proof file holds the resident's leaf and its proof to the batch's root";
  if (!trees || !files) return skipped(id, title, NO_FILES);
  if (!options.proofFiles) return skipped(id, title, "proof files not read (ask for them: one file a resident)");
  const expected = new Map<string, RebuiltLeaf & { batchId: number }>();
  for (const leaf of leavesOf(trees)) if (!expected.has(leaf.account)) expected.set(leaf.account, leaf);
  const first = expected.keys().next();
  if (first.done) return result(id, title, 0, []);
  if ((await files.read(proofFile(first.value))) === undefined) {
    return skipped(id, title, `no proof files published (${proofFile(first.value)} is not)`);
  }
  const failures: CheckFailure[] = [];
  const inLimit = limiter(32);
  await Promise.all(
    [...expected.values()].map((leaf) =>
      inLimit(async () => {
        const item = proofFile(leaf.account);
        const text = await files.read(item);
        if (text === undefined) {
          failures.push({ item, message: `not published (${leaf.account} is in batch ${leaf.batchId})` });
          return;
        }
        let proof: ProofFile;
        try {
          proof = JSON.parse(text) as ProofFile;
        } catch (error) {
          failures.push({ item, message: `unreadable: ${(error as Error).message}` });
          return;
        }
        const want = {
          batchId: leaf.batchId,
          leaf: listText(leaf),
          proof: proofOf(trees.get(leaf.batchId)!, leaf.treeIndex).join(","),
        };
        const got = {
          batchId: Number(proof.batchId),
          leaf: listText({
            district: Number(proof.district),
            amount: String(proof.amount),
            enrollment: String(proof.enrollment).toLowerCase(),
          }),
          proof: Array.isArray(proof.proof) ? proof.proof.map((p) => String(p).toLowerCase()).join(",") : "",
        };
        if (got.batchId !== want.batchId) {
          failures.push({
            item,
            message: `says batch ${got.batchId}, the resident's first leaf is in batch ${want.batchId}`,
          });
        } else if (got.leaf !== want.leaf) {
          failures.push({ item, message: `holds ${got.leaf}, ${batchFile(leaf.batchId)} has ${want.leaf}` });
        } else if (got.proof !== want.proof) {
          failures.push({ item, message: `its proof does not lead to batch ${leaf.batchId}'s root` });
        }
      }),
    ),
  );
  return result(id, title, expected.size, failures);
}
