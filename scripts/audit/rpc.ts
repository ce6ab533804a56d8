/**
 * The auditor talks plain JSON-RPC: it needs eth_getLogs, eth_call, eth_getCode, eth_blockNumber and
 * eth_getBlockByNumber, nothing that needs an account. Any EIP-1193 provider works, and so does an ethers
 * JsonRpcProvider (whose `send` batches concurrent requests into one HTTP call).
 */
import { JsonRpcProvider } from "ethers";

export interface RpcRequest {
  method: string;
  params?: unknown[];
}

export interface Eip1193Provider {
  request(args: RpcRequest): Promise<unknown>;
}

/** Something that can send JSON-RPC requests: an EIP-1193 provider or an ethers JsonRpcApiProvider. */
export type RpcSource = string | Eip1193Provider | { send(method: string, params: unknown[]): Promise<unknown> };

/** Turns a URL, an ethers provider or an EIP-1193 provider into one EIP-1193 interface. */
export function toRpc(source: RpcSource): Eip1193Provider {
  if (typeof source === "string") {
    const provider = new JsonRpcProvider(source, undefined, { staticNetwork: true, batchMaxCount: 50 });
    // Kept on the object so that destroyRpc can stop the provider this function made.
    return Object.assign(
      { request: ({ method, params }: RpcRequest) => provider.send(method, params ?? []) },
      { provider },
    );
  }
  if ("request" in source && typeof source.request === "function") return source;
  const sender = source as { send(method: string, params: unknown[]): Promise<unknown> };
  return { request: ({ method, params }) => sender.send(method, params ?? []) };
}

/** Closes what `toRpc` opened for a URL; a no-op for providers the caller owns. */
export function destroyRpc(rpc: Eip1193Provider): void {
  const provider = (rpc as { provider?: JsonRpcProvider }).provider;
  provider?.destroy();
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
