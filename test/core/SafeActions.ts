/**
 * What a Safe proposal does (`@kopilka/core/safeActions`), decoded from calldata built with Kopilka's own ABIs: one
 * call, a MultiSend batch as protocol-kit packs it, and calls nothing here knows, which must show as warnings.
 */
import { expect } from "chai";
import {
  concat,
  encodeFunctionData,
  encodePacked,
  keccak256,
  parseAbi,
  size,
  slice,
  toHex,
  type Address,
  type Hex,
} from "viem";

import { roundAbi, roundFactoryAbi } from "@kopilka/core/abi";
import {
  CANONICAL_MULTISEND,
  decodeSafeTx,
  describeSafeAction,
  isSuspicious,
  noteMatches,
} from "@kopilka/core/safeActions";

const round: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const factory: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const safe: Address = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const stranger: Address = "0x00000000000000000000000000000000DeaDBeef";
const known = { rounds: [round], factories: [factory], safe };
const multiSendCallOnly = CANONICAL_MULTISEND[5];

const roundCall = (functionName: string, args: readonly unknown[] = []): Hex =>
  encodeFunctionData({ abi: roundAbi, functionName, args } as never);

/** A MultiSend batch's parts as Safe's libraries read them: operation, to, value, data length, data, packed. */
const packed = (calls: { to: Address; data: Hex; operation?: number; value?: bigint }[]): Hex =>
  concat(
    calls.map((c) =>
      encodePacked(
        ["uint8", "address", "uint256", "uint256", "bytes"],
        [c.operation ?? 0, c.to, c.value ?? 0n, BigInt(size(c.data)), c.data],
      ),
    ),
  );
const multiSendOf = (transactions: Hex): Hex =>
  encodeFunctionData({ abi: parseAbi(["function multiSend(bytes transactions)"]), args: [transactions] });
const multiSend = (calls: Parameters<typeof packed>[0]): Hex => multiSendOf(packed(calls));

const call = (to: Address, data: Hex, operation = 0) => ({ to, value: "0", data, operation });

describe("decoding a Safe proposal's transaction", function () {
  describe("a single call", function () {
    it("reads a mint of the round's budget, with its amount in kopecks, to the round's known address", function () {
      const [decoded] = decodeSafeTx(call(round, roundCall("mint", [150_000_000n])), known);
      expect(decoded.target).to.equal("round");
      expect(decoded.action).to.deep.equal({ kind: "mint", amount: 150_000_000n });
      expect(isSuspicious(decoded)).to.equal(false);
      expect(describeSafeAction(decoded)).to.equal("mint 1\u00a0500\u00a0000\u00a0₽ (the round)");
    });

    it("reads a residents batch's root and total, and a role grant by the role's name", function () {
      const root = keccak256(toHex("residents"));
      const [posted] = decodeSafeTx(call(round, roundCall("postBatch", [root, 30_000n])), known);
      expect(posted.action).to.deep.equal({ kind: "postResidents", root, total: 30_000n });
      const role = keccak256(toHex("REGISTRAR_ROLE"));
      const [granted] = decodeSafeTx(call(round, roundCall("grantRole", [role, stranger])), known);
      expect(granted.action).to.deep.equal({ kind: "grantRole", role: "registrar", account: stranger });
      expect(describeSafeAction(granted)).to.equal(`grant the registrar role to ${stranger} (the round)`);
    });

    it("reads the factory's createRound config: name, budget, schedule and committee", function () {
      const config = {
        name: "Бюджет 2027",
        tokenSymbol: "KOP",
        budget: 10_000_000n,
        opensAt: 1_800_000_000n,
        closesAt: 1_800_600_000n,
        rule: 0,
        minTokens: 0n,
        minSupporters: 0,
        allowance: 100_000n,
        residentsBound: false,
        admin: safe,
        adminTransferDelay: 0,
        committee: safe,
        minter: safe,
        registrar: safe,
        reporter: safe,
      };
      const data = encodeFunctionData({ abi: roundFactoryAbi, functionName: "createRound", args: [config] });
      const [decoded] = decodeSafeTx(call(factory, data), known);
      expect(decoded.target).to.equal("factory");
      expect(decoded.action).to.deep.equal({
        kind: "createRound",
        name: "Бюджет 2027",
        budget: 10_000_000n,
        opensAt: 1_800_000_000n,
        closesAt: 1_800_600_000n,
        committee: safe,
      });
    });

    it("decodes a Kopilka call sent to an address it does not know, and marks that address unknown", function () {
      const [decoded] = decodeSafeTx(call(stranger, roundCall("open")), known);
      expect(decoded.action).to.deep.equal({ kind: "open" });
      expect(decoded.target).to.equal("unknown");
      expect(isSuspicious(decoded)).to.equal(true);
      expect(describeSafeAction(decoded)).to.equal(`open voting (an unknown contract ${stranger})`);
    });
  });

  describe("a MultiSend batch", function () {
    it("decodes each part, grouping a district's projects and consecutive finalizations", function () {
      const hash = keccak256(toHex("metadata"));
      const data = multiSend([
        { to: round, data: roundCall("addDistrict", ["Центральный", 5_000_000n]) },
        ...[100_000n, 250_050n, 300_000n].map((cost) => ({
          to: round,
          data: roundCall("addProject", [2n, cost, 1, hash, "ipfs://x"]),
        })),
        { to: round, data: roundCall("addProject", [3n, 70_000n, 0, hash, "ipfs://y"]) },
        { to: round, data: roundCall("finalize", [0n]) },
        { to: round, data: roundCall("finalize", [1n]) },
      ]);
      const decoded = decodeSafeTx(call(multiSendCallOnly, data, 1), known);
      expect(decoded.map((d) => d.action)).to.deep.equal([
        { kind: "addDistrict", name: "Центральный", budget: 5_000_000n },
        { kind: "addProjects", district: 2, count: 3, cost: 650_050n },
        { kind: "addProjects", district: 3, count: 1, cost: 70_000n },
        { kind: "finalize", districts: [0, 1] },
      ]);
      expect(decoded.every((d) => d.target === "round")).to.equal(true);
      expect(describeSafeAction(decoded[1])).to.equal(
        "add 3 project(s) costing 6\u00a0500,50\u00a0₽ in all to district 2 (the round)",
      );
    });

    it("accepts a local chain's MultiSend library only when the reader names it", function () {
      const library = "0x0000000000000000000000000000000000000Ba7" as Address;
      const data = multiSend([{ to: round, data: roundCall("open") }]);
      expect(decodeSafeTx(call(library, data, 1), known)[0].action).to.deep.include({
        kind: "unknown",
        reason: "delegatecall",
      });
      expect(decodeSafeTx(call(library, data, 1), { ...known, multiSend: [library] })[0].action).to.deep.equal({
        kind: "open",
      });
    });

    it("reports a delegatecall inside a batch and a truncated batch as unknown, never hiding them", function () {
      const data = multiSend([
        { to: round, data: roundCall("open") },
        { to: stranger, data: "0xdeadbeef", operation: 1 },
      ]);
      const decoded = decodeSafeTx(call(multiSendCallOnly, data, 1), known);
      expect(decoded.map((d) => d.action.kind)).to.deep.equal(["open", "unknown"]);
      expect(decoded[1].action).to.deep.include({ reason: "delegatecall", selector: "0xdeadbeef" });

      const whole = packed([{ to: round, data: roundCall("mint", [1n]) }]);
      const truncated = multiSendOf(slice(whole, 0, size(whole) - 10));
      const broken = decodeSafeTx(call(multiSendCallOnly, truncated, 1), known);
      expect(broken.at(-1)!.action).to.deep.include({ kind: "unknown", reason: "malformed" });
    });
  });

  describe("calls nothing here knows", function () {
    it("reports an unknown selector with the address and selector, as a warning", function () {
      const [decoded] = decodeSafeTx(call(stranger, "0x12345678aabbccdd"), known);
      expect(decoded.action).to.deep.equal({ kind: "unknown", selector: "0x12345678", reason: "selector" });
      expect(isSuspicious(decoded)).to.equal(true);
      expect(describeSafeAction(decoded)).to.equal(`WARNING: unknown call to ${stranger}: 0x12345678`);
    });

    it("reports a delegatecall to anything but Safe's MultiSend as unknown", function () {
      const [decoded] = decodeSafeTx(call(round, roundCall("open"), 1), known);
      expect(decoded.action).to.deep.include({ kind: "unknown", reason: "delegatecall" });
    });
  });

  describe("the proposer's note", function () {
    const mint = decodeSafeTx(call(round, roundCall("mint", [100n])), known);

    it("matches when it names the decoded action, as the CLI writes it", function () {
      expect(noteMatches(`mint 1 ₽ in round ${round}`, mint)).to.equal(true);
      expect(noteMatches("Mint the budget, part 1 of 2", mint)).to.equal(true);
    });

    it("does not match when it names another action", function () {
      expect(noteMatches(`open round ${round}`, mint)).to.equal(false);
      expect(noteMatches("", mint)).to.equal(false);
    });
  });
});
