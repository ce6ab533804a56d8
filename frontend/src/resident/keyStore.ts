/**
 * The resident's browser key: a WebCrypto ECDSA P-256 key pair made at enrollment with `extractable: false`, kept in
 * this site's IndexedDB only (one record per chain and round). A script in the page could use it while the page is
 * open, but nothing can copy the private key out, and nothing sends it anywhere: the enrollment service gets the
 * public point, the relayer gets ballots signed with it (docs/enrollment.md, "Keys and signatures").
 */
import type { Address, Hex } from "viem";

import { keyAddress, type P256DataSigner, type P256PublicKey } from "@kopilka/core/keys";

const DB_NAME = "kopilka-resident";
const STORE = "keys";

/** What the service answered at enrollment, kept beside the key so that a reload knows where the resident stands. */
export interface Enrolled {
  district: number;
  at: number;
}

export interface BrowserKey {
  /** `<chainId>:<round lower case>`. */
  id: string;
  privateKey: CryptoKey;
  publicKey: P256PublicKey;
  account: Address;
  enrolled?: Enrolled;
}

const idOf = (chainId: number, round: string): string => `${chainId}:${round.toLowerCase()}`;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function inStore<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = act(tx.objectStore(STORE));
      // Resolved once the transaction is durable, not when the request is answered.
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** The key this browser keeps for the round, if any. */
export async function loadKey(chainId: number, round: string): Promise<BrowserKey | undefined> {
  return (await inStore("readonly", (store) => store.get(idOf(chainId, round)))) as BrowserKey | undefined;
}

const hex = (bytes: Uint8Array): Hex => `0x${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;

/** Makes a new non-extractable key for the round and stores it, replacing any earlier one. */
export async function createKey(chainId: number, round: string): Promise<BrowserKey> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  // The public half stays exportable (WebCrypto always allows it): 0x04 ‖ x ‖ y.
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const publicKey: P256PublicKey = { x: hex(raw.subarray(1, 33)), y: hex(raw.subarray(33, 65)) };
  const key: BrowserKey = {
    id: idOf(chainId, round),
    privateKey: pair.privateKey,
    publicKey,
    account: keyAddress(publicKey),
  };
  await inStore("readwrite", (store) => store.put(key));
  return key;
}

/** Records the enrollment beside the key. */
export async function markEnrolled(key: BrowserKey, enrolled: Enrolled): Promise<BrowserKey> {
  const updated = { ...key, enrolled };
  await inStore("readwrite", (store) => store.put(updated));
  return updated;
}

/** Forgets the round's key. */
export async function forgetKey(chainId: number, round: string): Promise<void> {
  await inStore("readwrite", (store) => store.delete(idOf(chainId, round)));
}

/** Deletes the whole database: every key this browser kept, for every round (the terminal's wipe). */
export function wipeAllKeys(): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    // Another tab holding the database open: it is deleted once that tab lets go.
    request.onblocked = () => resolve();
  });
}

/** The key as the core's signer: WebCrypto hashes the data with SHA-256 and returns `r ‖ s`. */
export function keySigner(key: BrowserKey): P256DataSigner {
  return {
    publicKey: key.publicKey,
    signData: async (data) =>
      new Uint8Array(
        await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, data as Uint8Array<ArrayBuffer>),
      ),
  };
}
