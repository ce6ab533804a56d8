import { expect } from "chai";

import type { ClaimData, ProjectData, RoundData } from "@kopilka/core/audit/load";
import { recount, recountAsLogsArrive, type Recount } from "@kopilka/core/audit/recount";
import { TransferList, type TransferData } from "@kopilka/core/audit/transfers";
import { Rule } from "@kopilka/core/rule";

const ROUND = "0x" + "a0".repeat(20);
const ZERO = "0x" + "00".repeat(20);
const resident = (i: number): string => "0x" + (0xbe000 + i).toString(16).padStart(40, "0");
const bank = (i: number): string => "0x" + (0xba000 + i).toString(16).padStart(40, "0");

/** A round's events in chain order: what the decoder hands over chunk by chunk. */
type ChainEvent =
  | { claim: Omit<ClaimData, "place"> }
  | { project: { id: number; district: number; bank: string; cost: bigint } }
  | { transfer: Omit<TransferData, "place"> };

const claim = (i: number, amount = 1_000n, batchId = 0): ChainEvent => ({
  claim: { batchId, account: resident(i), district: 0, amount, enrollment: "0x" + "00".repeat(32) },
});
const project = (id: number, district = 0, at = bank(id)): ChainEvent => ({
  project: { id, district, bank: at, cost: 1_500n },
});
const transfer = (from: string, to: string, amount: bigint): ChainEvent => ({ transfer: { from, to, amount } });
const grant = (i: number, amount = 1_000n): ChainEvent => transfer(ROUND, resident(i), amount);

/** An honest round: the mint, two districts' projects, claims and their grants, deposits, a change of mind. */
function honestRound(residents: number): ChainEvent[] {
  const events: ChainEvent[] = [transfer(ZERO, ROUND, 1_000_000n), project(0), project(1), project(2, 1)];
  for (let i = 0; i < residents; i++) {
    events.push(claim(i), grant(i), transfer(resident(i), bank(i % 3), 400n + BigInt(i)));
    if (i % 4 === 0) events.push(transfer(resident(i), bank((i + 1) % 3), 100n));
    if (i % 5 === 0) events.push(transfer(bank(i % 3), resident(i), 150n));
  }
  return events;
}

/** The round the events describe, with its lists as the decoder leaves them. */
function roundOf(events: ChainEvent[]): RoundData {
  const lists = emptyLists();
  events.forEach((event, block) => append(lists, event, block));
  return {
    round: ROUND,
    config: { rule: Rule.Ranked, minTokens: 0n, minSupporters: 0n },
    districts: [
      { id: 0, budget: 2_000n },
      { id: 1, budget: 1_000n },
    ],
    ...lists,
  } as unknown as RoundData;
}

function emptyLists(): { claims: ClaimData[]; projects: ProjectData[]; transfers: TransferList } {
  return { claims: [], projects: [], transfers: new TransferList() };
}

function append(lists: ReturnType<typeof emptyLists>, event: ChainEvent, block: number): void {
  const place = { block, logIndex: 0, tx: "0x" + block.toString(16).padStart(64, "0") };
  if ("claim" in event) lists.claims.push({ ...event.claim, place });
  else if ("project" in event) lists.projects.push({ ...event.project, place } as ProjectData);
  else {
    const { from, to, amount } = event.transfer;
    lists.transfers.push(from, to, amount, block, 0, place.tx);
  }
}

/** The recount fed `chunk` events at a time, in chain order, as the audit feeds it while the logs arrive. */
function recountedAsTheyArrive(events: ChainEvent[], chunk: number): Recount {
  const counting = recountAsLogsArrive(ROUND);
  const lists = emptyLists();
  for (let start = 0; start < events.length; start += chunk) {
    events.slice(start, start + chunk).forEach((event, k) => append(lists, event, start + k));
    counting.add(lists.claims, lists.projects, lists.transfers);
  }
  return counting.finish(roundOf(events));
}

/** A recount as one text (maps as their entries, amounts in decimal), to compare in full. */
const canonical = (counted: Recount): string =>
  JSON.stringify(counted, (_key, value: unknown) =>
    value instanceof Map ? [...value.entries()] : typeof value === "bigint" ? `${value}n` : value,
  );

describe("The recount as the logs arrive", function () {
  it("holds every transfer compactly and gives each back as the event said", function () {
    const transfers = new TransferList();
    const large = 2n ** 200n + 7n;
    transfers.push(ROUND, resident(1), 1_000n, 5, 3, "0x" + "11".repeat(32));
    transfers.push(resident(1), bank(0), large, 6, 0, "0x" + "22".repeat(32));
    expect(transfers.length).to.equal(2);
    expect([...transfers]).to.deep.equal([
      { from: ROUND, to: resident(1), amount: 1_000n, place: { block: 5, logIndex: 3, tx: "0x" + "11".repeat(32) } },
      { from: resident(1), to: bank(0), amount: large, place: { block: 6, logIndex: 0, tx: "0x" + "22".repeat(32) } },
    ]);
  });

  for (const chunk of [1, 7, 1_000]) {
    it(`counts an honest round fed ${chunk} events at a time exactly as the recount of all of them`, function () {
      const events = honestRound(60);
      const counted = recountedAsTheyArrive(events, chunk);
      expect(canonical(counted)).to.equal(canonical(recount(roundOf(events))));
      expect(counted.unexpectedTransfers).to.deep.equal([]);
      expect(counted.depositCount).to.equal(75);
    });
  }

  it("counts a deposit read before its resident's claim as the recount of all the events does", function () {
    const events = honestRound(3);
    // Resident 9 deposits, and only then does the claim (and the grant) appear.
    events.push(transfer(resident(9), bank(0), 300n), claim(9), grant(9));
    const counted = recountedAsTheyArrive(events, 1);
    expect(canonical(counted)).to.equal(canonical(recount(roundOf(events))));
    expect(counted.residents.get(resident(9))!.deposited).to.equal(300n);
    expect(counted.unexpectedTransfers).to.deep.equal([]);
  });

  it("counts a grant read before its claim as the recount of all the events does", function () {
    const events = honestRound(3);
    events.push(grant(7), claim(7));
    const counted = recountedAsTheyArrive(events, 1);
    expect(canonical(counted)).to.equal(canonical(recount(roundOf(events))));
    expect(counted.grantMismatches).to.deep.equal([]);
  });

  it("counts a deposit into a bank read before its project as the recount of all the events does", function () {
    const events = honestRound(3);
    events.push(transfer(resident(1), bank(5), 50n), project(5));
    const counted = recountedAsTheyArrive(events, 1);
    expect(canonical(counted)).to.equal(canonical(recount(roundOf(events))));
    expect(counted.banks.get(bank(5))!.total).to.equal(50n);
  });

  it("counts two projects sharing a bank as the recount of all the events does", function () {
    const events = honestRound(3);
    events.push(transfer(resident(2), bank(0), 20n), project(6, 1, bank(0)));
    const counted = recountedAsTheyArrive(events, 1);
    expect(canonical(counted)).to.equal(canonical(recount(roundOf(events))));
    expect(counted.banks.get(bank(0))!.projectId).to.equal(6);
  });

  it("still reports a transfer that is no mint, grant, deposit or withdrawal, with its place", function () {
    const events = honestRound(2);
    events.push(transfer(resident(0), resident(1), 5n));
    const counted = recountedAsTheyArrive(events, 2);
    expect(canonical(counted)).to.equal(canonical(recount(roundOf(events))));
    expect(counted.unexpectedTransfers).to.have.length(1);
    expect(counted.unexpectedTransfers[0]).to.include({ from: resident(0), to: resident(1), amount: 5n });
    expect(counted.unexpectedTransfers[0].place.block).to.equal(events.length - 1);
  });
});
