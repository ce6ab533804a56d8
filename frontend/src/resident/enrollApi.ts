/**
 * The enrollment service's HTTP API (docs/enrollment.md, "API"), at the dApp's `servicesUrl`. Every refusal comes
 * back as an `EnrollRefusal`: its stable `code` to branch on, and the service's plain message, shown as it is.
 */
import type { Address, Hex } from "viem";

import type { P256PublicKey } from "@kopilka/core/keys";
import type { KopilkaConfig } from "../config.js";

export interface EnrollConfig {
  /** What the services enroll into: a round, or a contest of initiatives before it (then `round` is the contest). */
  kind?: "round" | "contest";
  chainId: string;
  round: Address;
  allowance: string;
  residentsBound: boolean;
  districts: { id: number; name: string }[];
  closesAt: string;
  countries: string[];
  codeLength: number;
  codeLifetimeSeconds: number;
  resendSeconds: number;
  maxAttempts: number;
  /** How many more residents the budget takes; "0" once enrollment is over. */
  room: string;
  postEverySeconds: number;
  demoInbox: boolean;
}

export interface CodeSent {
  sent: true;
  resendSeconds: number;
  expiresSeconds: number;
}

export type EnrollStatus =
  | { status: "queued"; account: Address; enrollment: Hex; district: number; expectedWaitSeconds: number }
  | { status: "posted"; account: Address; enrollment: Hex; district: number; batchId: number; proofFile: string }
  | { status: "revoked"; account: Address; enrollment: Hex; district: number }
  | { status: "refused"; account: Address; enrollment: Hex; district: number; code: string; message: string };

export interface InboxMessage {
  phone: string;
  text: string;
  code: string;
  at: number;
}

/** A refusal of the service, or the service out of reach (`code` "unreachable"). */
export class EnrollRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly messageEn: string | undefined,
    readonly details: { attemptsLeft?: number; seconds?: number; minutes?: number },
  ) {
    super(message);
  }
}

/** The services' base URL, or undefined when the dApp has none (no phone sign-in then). */
export function servicesOf(config: KopilkaConfig): string | undefined {
  const url = config.servicesUrl?.replace(/\/+$/, "");
  return url ? url : undefined;
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new EnrollRefusal("unreachable", error instanceof Error ? error.message : String(error), undefined, {});
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status >= 400) {
    throw new EnrollRefusal(
      typeof body.code === "string" ? body.code : `http-${response.status}`,
      typeof body.message === "string" ? body.message : `HTTP ${response.status}`,
      typeof body.messageEn === "string" ? body.messageEn : undefined,
      {
        attemptsLeft: body.attemptsLeft as number | undefined,
        seconds: body.seconds as number | undefined,
        minutes: body.minutes as number | undefined,
      },
    );
  }
  return body as T;
}

const post = <T>(url: string, body: unknown): Promise<T> =>
  call<T>(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

export function enrollApi(services: string) {
  const base = `${services}/enroll`;
  return {
    config: () => call<EnrollConfig>(`${base}/config`),
    requestCode: (phone: string) => post<CodeSent>(`${base}/code`, { phone }),
    verify: (phone: string, code: string, publicKey: P256PublicKey, district?: number) =>
      post<EnrollStatus>(`${base}/verify`, {
        phone,
        code,
        publicKey,
        ...(district === undefined ? {} : { district }),
      }),
    status: (account: Address) => call<EnrollStatus>(`${base}/status/${account}`),
    /** The demo's SMS inbox (local chain only). */
    inbox: (phone: string) =>
      call<{ messages: InboxMessage[] }>(`${base}/demo/inbox?phone=${encodeURIComponent(phone)}`),
  };
}

export type EnrollApi = ReturnType<typeof enrollApi>;
