/**
 * The browser's client of the contest relay (the resident services' `/contest/...` routes, docs/contest.md "HTTP
 * API"): a signed submission, amendment, co-signature or score sheet is handed over, then followed until it is
 * recorded or refused. The services pay for recording it; the resident only signs.
 */
import type { Address, Hex } from "viem";

import {
  amendTypedData,
  contestDomain,
  cosignTypedData,
  sheetTypedData,
  signContestP256,
  submitTypedData,
  type ContestSignature,
  type ScoreSheetMessage,
} from "@kopilka/core/contest";
import type { P256DataSigner } from "@kopilka/core/keys";

export type JobStatus = "queued" | "submitted" | "applied" | "rejected";

export interface Job {
  id: number;
  status: JobStatus;
  reason?: string;
  /** For a submission once applied: the new initiative's number. */
  initiative?: string;
  transactionHash?: string;
}

export class RelayRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const POLL_MS = 500;
/** How long a signed message stays valid, seconds: long enough for a slow link, short enough to be stale soon. */
export const DEADLINE_SECONDS = 3600n;

const json = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body = (await response.json().catch(() => ({}))) as T & { error?: string; field?: string };
  if (!response.ok) throw new RelayRefusal(response.status, body.error ?? `HTTP ${response.status}`, body.field);
  return body;
}

function post(services: string, path: string, body: unknown): Promise<Job> {
  return call<Job>(`${services}/contest/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: json(body),
  });
}

export function followJob(services: string, id: number, onProgress?: (job: Job) => void): Promise<Job> {
  return (async () => {
    for (;;) {
      const job = await call<Job>(`${services}/contest/jobs/${id}`);
      onProgress?.(job);
      if (job.status === "applied" || job.status === "rejected") return job;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
}

export interface Signer {
  account: Address;
  /** Signs a contest message's typed data with the resident's key or the expert's wallet. */
  sign: (data: Parameters<typeof signContestP256>[1]) => Promise<ContestSignature>;
}

/** The browser's P-256 key as a contest signer. */
export function keyContestSigner(account: Address, key: P256DataSigner): Signer {
  return { account, sign: (data) => signContestP256(key, data) };
}

interface Where {
  services: string;
  chainId: number;
  contest: Address;
  /** The chain's time now, seconds. */
  now: bigint;
}

export async function relaySubmit(where: Where, signer: Signer, district: number, contentHash: Hex): Promise<Job> {
  const message = { author: signer.account, district, contentHash, deadline: where.now + DEADLINE_SECONDS };
  const signed = await signer.sign(submitTypedData(contestDomain(where.chainId, where.contest), message));
  return post(where.services, "submit", { ...message, ...signed });
}

export async function relayAmend(
  where: Where,
  signer: Signer,
  initiative: bigint,
  version: number,
  contentHash: Hex,
): Promise<Job> {
  const message = { author: signer.account, initiative, version, contentHash, deadline: where.now + DEADLINE_SECONDS };
  const signed = await signer.sign(amendTypedData(contestDomain(where.chainId, where.contest), message));
  return post(where.services, "amend", { ...message, ...signed });
}

export async function relayCosign(
  where: Where,
  signer: Signer,
  initiative: bigint,
  version: number,
  contentHash: Hex,
): Promise<Job> {
  const message = { cosigner: signer.account, initiative, version, contentHash };
  const signed = await signer.sign(cosignTypedData(contestDomain(where.chainId, where.contest), message));
  return post(where.services, "cosign", { ...message, ...signed });
}

export async function relaySheet(where: Where, signer: Signer, sheet: Omit<ScoreSheetMessage, "expert">): Promise<Job> {
  const message: ScoreSheetMessage = { expert: signer.account, ...sheet };
  const signed = await signer.sign(sheetTypedData(contestDomain(where.chainId, where.contest), message));
  return post(where.services, "sheets", { ...message, ...signed });
}
