/**
 * The published residents' files (`@kopilka/core/publication`, written by `publishBatch`): a proof file per resident
 * that leads to its batch's root, and a list in pages of 4,096 leaves that only grows, batch after batch, except
 * that the last batch may be published again while its root is not on-chain.
 */
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { publishBatch } from "@kopilka/core/node";
import { ANY_DISTRICT, LEAF_ENCODING, buildParticipantTree, type Participant } from "@kopilka/core/participants";
import {
  LIST_INDEX_FILE,
  LIST_PAGE_SIZE,
  listPageFile,
  proofFile,
  type ListIndex,
  type ListPage,
  type ProofFile,
} from "@kopilka/core/publication";

function residents(count: number, tag: string): Required<Participant>[] {
  return Array.from({ length: count }, (_, i) => ({
    account: "0x" + keccak256(toUtf8Bytes(`${tag}/${i}`)).slice(-40),
    district: ANY_DISTRICT,
    amount: 100_000n,
    enrollment: keccak256(toUtf8Bytes(`${tag} phone ${i}`)),
  }));
}

describe("Published residents' files", function () {
  let directory: string;
  const json = async <T>(relative: string): Promise<T> =>
    JSON.parse(await readFile(path.join(directory, ...relative.split("/")), "utf8")) as T;

  beforeEach(async function () {
    directory = await mkdtemp(path.join(tmpdir(), "kopilka-publication-"));
  });
  afterEach(async function () {
    await rm(directory, { recursive: true, force: true });
  });

  it("gives every resident a proof file that leads to the batch's root", async function () {
    const tree = buildParticipantTree(residents(37, "proofs"));
    await publishBatch(directory, 0, tree);
    for (const [, leaf] of tree.entries()) {
      const proof = await json<ProofFile>(proofFile(leaf[0]));
      expect(proof.batchId).to.equal(0);
      const value = [leaf[0], proof.district, proof.amount, proof.enrollment];
      expect(StandardMerkleTree.verify(tree.root, [...LEAF_ENCODING], value, proof.proof)).to.equal(true);
    }
  });

  it("appends each batch to the list, filling a page of 4,096 leaves before the next", async function () {
    const first = buildParticipantTree(residents(LIST_PAGE_SIZE - 10, "first"));
    const second = buildParticipantTree(residents(25, "second"));
    await publishBatch(directory, 0, first);
    await publishBatch(directory, 1, second);
    const [page0, page1] = [await json<ListPage>(listPageFile(0)), await json<ListPage>(listPageFile(1))];
    expect(page0.leaves).to.have.length(LIST_PAGE_SIZE);
    expect(page1.leaves).to.have.length(15);
    const all = [...page0.leaves, ...page1.leaves];
    expect(all.map((leaf) => [leaf[0], leaf[1]])).to.deep.equal([
      ...first.dump().values.map(({ value }) => [0, value[0]]),
      ...second.dump().values.map(({ value }) => [1, value[0]]),
    ]);
    expect(await json<ListIndex>(LIST_INDEX_FILE)).to.include({ batches: 2, leaves: LIST_PAGE_SIZE + 15, pages: 2 });
  });

  it("publishes the last batch again, smaller, while its root is not on-chain, and removes what it no longer has", async function () {
    await publishBatch(directory, 0, buildParticipantTree(residents(LIST_PAGE_SIZE - 2, "first")));
    const large = residents(10, "pending");
    await publishBatch(directory, 1, buildParticipantTree(large));
    const smaller = buildParticipantTree(large.slice(0, 1));
    await publishBatch(directory, 1, smaller);
    expect(await json<ListIndex>(LIST_INDEX_FILE)).to.include({ batches: 2, leaves: LIST_PAGE_SIZE - 1, pages: 1 });
    expect(await readdir(path.join(directory, "participants"))).not.to.include("list-1.json");
    const proofs = await readdir(path.join(directory, "participants", "proofs"));
    expect(proofs).to.include(`${large[0].account}.json`);
    expect(proofs).not.to.include(`${large[1].account}.json`);
  });

  it("keeps the proof file of an account's first batch, and refuses to skip a batch", async function () {
    const [only] = residents(1, "twice");
    await publishBatch(directory, 0, buildParticipantTree([only]));
    await publishBatch(directory, 1, buildParticipantTree([{ ...only, amount: 1n }]));
    expect((await json<ProofFile>(proofFile(only.account))).batchId).to.equal(0);
    await publishBatch(directory, 2, buildParticipantTree(residents(1, "next")))
      .then(() => publishBatch(directory, 4, buildParticipantTree(residents(1, "gap"))))
      .then(
        () => expect.fail("batch 4 was published after batch 2"),
        (error: Error) =>
          expect(error.message).to.equal("the list holds batches 0..2: batch 4 cannot be published next"),
      );
  });
});
