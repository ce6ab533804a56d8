/**
 * The few event shapes the auditor reads, decoded by slicing topics and data. A full-scale round has hundreds of
 * thousands of Transfer and Claimed logs, and generic ABI decoding of each is what makes a recount slow; every
 * field here is a word at a fixed place.
 */
import { hexToString, toEventSelector } from "viem";

import type { RawLog } from "./logs.js";

export const TOPICS = {
  RoundCreated: toEventSelector("RoundCreated(uint256,address,address,address,address,string)"),
  DistrictAdded: toEventSelector("DistrictAdded(uint256,string,uint256)"),
  ProjectAdded: toEventSelector("ProjectAdded(uint256,uint256,address,uint256,uint8,bytes32,string)"),
  BudgetMinted: toEventSelector("BudgetMinted(uint256,uint256)"),
  RoundOpened: toEventSelector("RoundOpened(uint256,uint256)"),
  ProjectFunded: toEventSelector("ProjectFunded(uint256,uint256,uint256,uint256)"),
  DistrictFinalized: toEventSelector("DistrictFinalized(uint256,uint256,uint256)"),
  ImplementationRecorded: toEventSelector("ImplementationRecorded(uint256,uint8,uint256,bytes32)"),
  BatchPosted: toEventSelector("BatchPosted(uint256,bytes32,uint256)"),
  Claimed: toEventSelector("Claimed(uint256,address,uint16,uint256,bytes32)"),
  Transfer: toEventSelector("Transfer(address,address,uint256)"),
  AccountRevoked: toEventSelector("AccountRevoked(address)"),
} as const;

export type EventName = keyof typeof TOPICS;

export const ROUND_EVENTS: EventName[] = [
  "DistrictAdded",
  "ProjectAdded",
  "BudgetMinted",
  "RoundOpened",
  "ProjectFunded",
  "DistrictFinalized",
  "ImplementationRecorded",
];
export const AIRDROP_EVENTS: EventName[] = ["BatchPosted", "Claimed"];
export const TOKEN_EVENTS: EventName[] = ["Transfer", "AccountRevoked"];

const NAME_OF_TOPIC = new Map<string, EventName>(
  Object.entries(TOPICS).map(([name, topic]) => [topic, name as EventName]),
);

/** The event name of a log's topic 0, if it is one the auditor reads. */
export function eventName(log: RawLog): EventName | undefined {
  const topic = log.topics[0];
  // Nearly every log is one of these two; comparing strings is cheaper than hashing them for the map.
  if (topic === TOPICS.Transfer) return "Transfer";
  if (topic === TOPICS.Claimed) return "Claimed";
  return NAME_OF_TOPIC.get(topic) ?? NAME_OF_TOPIC.get(topic?.toLowerCase());
}

/** Where a log happened. */
export interface LogPlace {
  block: number;
  logIndex: number;
  tx: string;
}

// Hundreds of logs share a block: parse its number once.
let lastBlockHex = "";
let lastBlock = 0;

/** The block a log is in. */
export function blockOf(log: RawLog): number {
  if (log.blockNumber !== lastBlockHex) {
    lastBlockHex = log.blockNumber;
    lastBlock = parseInt(lastBlockHex, 16);
  }
  return lastBlock;
}

export function placeOf(log: RawLog): LogPlace {
  return { block: blockOf(log), logIndex: parseInt(log.logIndex, 16), tx: log.transactionHash };
}

/**
 * Lower-case addresses from indexed topics, one string per address, each with a number: a full round names 160,000
 * residents in ~500,000 Transfer and Claimed topics, and sharing the strings (or holding their numbers) keeps the heap
 * (and the garbage collector's work) small.
 */
export class AddressPool {
  private readonly byTopic = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();
  private readonly addresses: string[] = [];

  /** The number of the address in an indexed topic. */
  idOfTopic(topic: string): number {
    let id = this.byTopic.get(topic);
    if (id === undefined) {
      id = this.idOf(addressWord(topic.slice(2)));
      this.byTopic.set(topic, id);
    }
    return id;
  }

  /** The number of a lower-case address. */
  idOf(address: string): number {
    let id = this.byAddress.get(address);
    if (id === undefined) {
      id = this.addresses.length;
      this.addresses.push(address);
      this.byAddress.set(address, id);
    }
    return id;
  }

  /** The address numbered `id`. */
  address(id: number): string {
    return this.addresses[id];
  }

  fromTopic(topic: string): string {
    return this.addresses[this.idOfTopic(topic)];
  }
}

/** A log's data as one uint when it is exactly one word (Transfer's amount), without slicing. */
export const onlyDataUint = (log: RawLog): bigint => (log.data.length === 66 ? BigInt(log.data) : dataUint(log, 0));

/** Word `index` of a 0x-prefixed hex blob (32-byte words). */
function word(hexData: string, index: number): string {
  const start = 2 + index * 64;
  return hexData.slice(start, start + 64);
}

export const uintWord = (w: string): bigint => (w.length === 0 ? 0n : BigInt("0x" + w));
export const smallWord = (w: string): number => parseInt(w.slice(-12), 16);
export const addressWord = (w: string): string => "0x" + w.slice(24).toLowerCase();
export const bytes32Word = (w: string): string => "0x" + w.toLowerCase();

/** The data word `index` as a uint. */
export const dataUint = (log: RawLog, index: number): bigint => uintWord(word(log.data, index));
export const dataSmall = (log: RawLog, index: number): number => smallWord(word(log.data, index));
export const dataAddress = (log: RawLog, index: number): string => addressWord(word(log.data, index));
export const dataBytes32 = (log: RawLog, index: number): string => bytes32Word(word(log.data, index));
/** Indexed topic `index` (1-based like the topics array). */
export const topicUint = (log: RawLog, index: number): bigint => uintWord(log.topics[index].slice(2));
export const topicSmall = (log: RawLog, index: number): number => smallWord(log.topics[index].slice(2));
export const topicAddress = (log: RawLog, index: number): string => addressWord(log.topics[index].slice(2));

/** A dynamic `string` whose head word is data word `index`. */
export function dataString(log: RawLog, index: number): string {
  const offset = Number(dataUint(log, index));
  const lengthAt = 2 + offset * 2;
  const length = parseInt(log.data.slice(lengthAt, lengthAt + 64), 16);
  return hexToString(`0x${log.data.slice(lengthAt + 64, lengthAt + 64 + length * 2)}`);
}
