/**
 * Reading a round takes plain JSON-RPC: eth_getLogs, eth_call, eth_getCode, eth_blockNumber and
 * eth_getBlockByNumber, nothing that needs an account. Any EIP-1193 provider works (a viem client, Hardhat's
 * in-process network, a wallet), anything with an ethers-style `send`, and a URL, reached through viem's HTTP
 * transport, which sends the requests made in the same tick as one batch.
 */
import { http } from "viem";

export interface RpcRequest {
  method: string;
  params?: unknown[];
}

export interface Eip1193Provider {
  request(args: RpcRequest): Promise<unknown>;
}

/** Something that can send JSON-RPC requests: a URL, an EIP-1193 provider, or an ethers-style provider. */
export type RpcSource = string | Eip1193Provider | { send(method: string, params: unknown[]): Promise<unknown> };

/** Requests sent in one HTTP call at most, when they are made in the same tick. */
const BATCH_SIZE = 50;

/**
 * Turns a URL, an ethers-style provider or an EIP-1193 provider into one EIP-1193 interface. A URL gets no
 * retries of its own: the callers that need them (the log reader) retry with their own back-off.
 */
export function toRpc(source: RpcSource): Eip1193Provider {
  if (typeof source === "string") {
    const transport = http(source, { batch: { batchSize: BATCH_SIZE }, retryCount: 0, timeout: 60_000 })({});
    return { request: ({ method, params }: RpcRequest) => transport.request({ method, params } as never) };
  }
  if ("request" in source && typeof source.request === "function") return source;
  const sender = source as { send(method: string, params: unknown[]): Promise<unknown> };
  return { request: ({ method, params }) => sender.send(method, params ?? []) };
}

/** The text of an error and of any JSON-RPC error object it carries, for matching against known messages. */
export function errorText(error: unknown): string {
  if (error === null || error === undefined) return String(error);
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): void => {
    if (value === null || value === undefined || depth > 4 || seen.has(value)) return;
    if (typeof value === "string") {
      parts.push(value);
      return;
    }
    if (typeof value !== "object") {
      parts.push(String(value));
      return;
    }
    seen.add(value);
    const record = value as Record<string, unknown>;
    for (const key of ["message", "shortMessage", "code", "status", "error", "info", "cause", "responseBody"]) {
      visit(record[key], depth + 1);
    }
  };
  visit(error, 0);
  return parts.join(" | ");
}

/** Runs `tasks` with at most `limit` in flight, keeping their order in the result. */
export async function inPool<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

/** Runs the tasks given to it with at most `limit` in flight, in the order given. */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its place straight to the next waiting one.
    if (running < limit) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
