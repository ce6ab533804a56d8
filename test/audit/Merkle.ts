import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { LeafIndex, proofOf, rebuildParticipantTree, type TreeDump } from "@kopilka/core/audit/merkle";
import type { PublishedFiles } from "@kopilka/core/audit/files";
import { PublishedReader, WORKER_TREE_CHARS } from "@kopilka/core/audit/published";
import { inThreadRebuilder, workerRebuilder, type TreeRebuilder } from "@kopilka/core/audit/tree-rebuild";
import { nodeTreeWorker } from "@kopilka/core/node";
import {
  ANY_DISTRICT,
  buildParticipantTree,
  LEAF_ENCODING,
  NO_ENROLLMENT,
  type Participant,
} from "@kopilka/core/participants";

/** Residents imported by address, and every third one enrolled by phone. */
function participants(count: number): Required<Participant>[] {
  return Array.from({ length: count }, (_, i) => ({
    account: "0x" + keccak256(toUtf8Bytes(`merkle/${i}`)).slice(-40),
    district: i % 7 === 3 ? ANY_DISTRICT : i % 45,
    amount: 67_062n + BigInt(i) * 1_000_000_007n,
    enrollment: i % 3 === 0 ? keccak256(toUtf8Bytes(`phone/${i}`)) : NO_ENROLLMENT,
  }));
}

/** A leaf's values as one text: the account and the enrollment in lower case, the amount in decimal. */
const leafKey = (l: { account: string; district: number; amount: bigint; enrollment: string }): string =>
  `${l.account.toLowerCase()}:${l.district}:${l.amount}:${l.enrollment.toLowerCase()}`;

/** The committee's tree as published: its JSON dump, read back. */
type Dump = TreeDump & { tree: string[]; values: { value: unknown[]; treeIndex: number }[] };

function published(list: Participant[]): Dump {
  return JSON.parse(JSON.stringify(buildParticipantTree(list).dump()));
}

describe("Auditor's tree rebuild", function () {
  describe("rebuildParticipantTree", function () {
    for (const count of [1, 2, 3, 4, 5, 8, 33, 257]) {
      it(`rebuilds the committee's root, total and leaves for a tree of ${count} leaves`, function () {
        const list = participants(count);
        const rebuilt = rebuildParticipantTree(published(list));
        expect(rebuilt.root).to.equal(buildParticipantTree(list).root);
        expect(rebuilt.total).to.equal(list.reduce((sum, p) => sum + p.amount, 0n));
        expect(rebuilt.firstDifferentNode).to.equal(-1);
        expect(rebuilt.values.map(leafKey).sort()).to.deep.equal(list.map(leafKey).sort());
      });
    }

    it("reads each leaf's proof off the rebuilt nodes as the committee's library gives it", function () {
      const list = participants(33);
      const tree = buildParticipantTree(list);
      const rebuilt = rebuildParticipantTree(published(list));
      for (const [index, leaf] of tree.entries()) {
        const found = rebuilt.values.find((v) => v.account === leaf[0])!;
        expect(found.enrollment).to.equal(leaf[3]);
        expect(proofOf(rebuilt, found.treeIndex)).to.deep.equal(tree.getProof(index));
      }
    });

    it("places leaves by their tree index, not by their order in the file", function () {
      const list = participants(9);
      const dump = published(list);
      dump.values.reverse();
      expect(rebuildParticipantTree(dump).root).to.equal(buildParticipantTree(list).root);
    });

    it("finds the first node of the file's tree that differs from the rebuilt one", function () {
      const dump = published(participants(6));
      dump.tree[4] = dump.tree[3];
      expect(rebuildParticipantTree(dump).firstDifferentNode).to.equal(4);
      dump.tree.pop();
      expect(rebuildParticipantTree(dump).firstDifferentNode).to.equal(4);
    });

    it("refuses a tree index that is not a free leaf position", function () {
      const dump = published(participants(4));
      dump.values[1].treeIndex = dump.values[0].treeIndex;
      expect(() => rebuildParticipantTree(dump)).to.throw(/^value 1: tree index \d+ is not a free leaf position/);
      dump.values[1].treeIndex = 0;
      expect(() => rebuildParticipantTree(dump)).to.throw(/^value 1: tree index 0 is not a free leaf position/);
    });

    it("reads hex in either case and amounts of any width, as the committee's library hashes them", function () {
      const widths = [0n, 1n, 15n, 16n, 255n, 256n, 4095n, 2n ** 255n + 1n, 2n ** 256n - 1n];
      const list = participants(widths.length).map((p, i) => ({ ...p, amount: widths[i] }));
      const dump = published(list);
      for (const { value } of dump.values) {
        value[0] = "0x" + (value[0] as string).slice(2).toUpperCase();
        value[3] = "0x" + (value[3] as string).slice(2).toUpperCase();
      }
      dump.tree = dump.tree.map((node, i) => (i % 2 ? "0X" : "0x") + node.slice(2).toUpperCase());
      const rebuilt = rebuildParticipantTree(dump);
      expect(rebuilt.root).to.equal(buildParticipantTree(list).root);
      expect(rebuilt.firstDifferentNode).to.equal(-1);
      expect(rebuilt.total).to.equal(widths.reduce((sum, amount) => sum + amount, 0n));
      expect(rebuilt.values.map(leafKey).sort()).to.deep.equal(list.map(leafKey).sort());
    });

    it("finds a leaf by its values, in either case, including each leaf of an account with several", function () {
      const list = participants(12);
      list[7] = { ...list[4], district: list[4].district + 1 };
      list[9] = { ...list[4], amount: list[4].amount + 1n };
      const index = new LeafIndex(rebuildParticipantTree(published(list)).values);
      for (const p of list) {
        expect(index.has(p.account, p.district, p.amount, p.enrollment)).to.equal(true);
        const upper = "0x" + p.account.slice(2).toUpperCase();
        expect(index.has(upper, p.district, p.amount, p.enrollment.toUpperCase())).to.equal(true);
      }
      const { account, district, amount, enrollment } = list[4];
      expect(index.has(account, district + 2, amount, enrollment)).to.equal(false);
      expect(index.has(account, district, amount + 2n, enrollment)).to.equal(false);
      expect(index.has(account, district, amount, list[3].enrollment)).to.equal(false);
      expect(index.has("0x" + "00".repeat(20), district, amount, enrollment)).to.equal(false);
    });

    it("refuses values that are not (address, uint16, uint256, bytes32)", function () {
      const bad: [number, unknown, RegExp][] = [
        [0, "0x1234", /^value 0: bad address/],
        [0, "0X" + "ab".repeat(20), /^value 0: bad address/],
        [0, "0x" + "ab".repeat(19) + "ag", /^value 0: bad address/],
        [3, "0x" + "cd".repeat(31) + "c\u0434", /^value 0: bad enrollment/],
        [1, 65_536, /^value 0: bad district 65536/],
        [2, "-1", /^value 0: bad amount -1/],
        [3, "0x00", /^value 0: bad enrollment 0x00/],
      ];
      for (const [position, replacement, message] of bad) {
        const dump = published(participants(3));
        dump.values[0].value[position] = replacement;
        expect(() => rebuildParticipantTree(dump)).to.throw(message);
      }
    });
  });

  describe("tree rebuilders", function () {
    const rebuilders: [string, () => TreeRebuilder][] = [
      ["on this thread, in slices", inThreadRebuilder],
      ["on a worker thread", () => workerRebuilder(nodeTreeWorker())],
      [
        "on this thread when the worker cannot start",
        () => workerRebuilder(nodeTreeWorker(new URL("file:///nowhere/worker.js"))),
      ],
    ];
    for (const [where, make] of rebuilders) {
      it(`rebuilds ${where} to the synchronous rebuild's tree, failing with its messages`, async function () {
        const dump = published(participants(5000));
        const broken = published(participants(3));
        broken.values[1].treeIndex = 0;
        const rebuilder = make();
        try {
          const [tree, ...failures] = await Promise.all(
            [JSON.stringify(dump), JSON.stringify(broken), "{", JSON.stringify({ ...dump, format: "v2" })].map((text) =>
              rebuilder.rebuild(text, LEAF_ENCODING).catch((error: Error) => error.message),
            ),
          );
          expect(tree).to.deep.equal(rebuildParticipantTree(dump));
          expect(failures[0]).to.equal(catchMessage(() => rebuildParticipantTree(broken)));
          expect(failures[1]).to.equal(catchMessage(() => JSON.parse("{")));
          expect(failures[2]).to.equal(`not a StandardMerkleTree dump of ${LEAF_ENCODING.join(",")}`);
        } finally {
          await rebuilder.close();
        }
      });
    }

    it("sends the published reader's large trees to the worker and rebuilds the small ones on its own thread", async function () {
      const small = published(participants(50));
      const large = published(participants(60));
      // Spaces after the JSON make the file as long as a tree of some 27,000 leaves, and change nothing in it.
      const texts = new Map([
        ["participants/batch-0.json", JSON.stringify(small)],
        ["participants/batch-1.json", JSON.stringify(large) + " ".repeat(WORKER_TREE_CHARS)],
      ]);
      const files: PublishedFiles = { location: "memory", read: (file) => Promise.resolve(texts.get(file)) };
      const posted: number[] = [];
      const worker = nodeTreeWorker();
      const reader = new PublishedReader(files, {
        treeWorker: () => {
          const started = worker();
          return { ...started, post: (job) => (posted.push(job.text.length), started.post(job)) };
        },
      });
      try {
        const [first, second] = await Promise.all([reader.tree(0), reader.tree(1)]);
        expect(first).to.deep.equal({ tree: rebuildParticipantTree(small) });
        expect(second).to.deep.equal({ tree: rebuildParticipantTree(large) });
        expect(posted).to.deep.equal([texts.get("participants/batch-1.json")!.length]);
      } finally {
        await reader.close();
      }
    });
  });
});

function catchMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("did not throw");
}
