/**
 * Reads logs over a block range in chunks sized to what the endpoint accepts. Public endpoints cap either the
 * block range of one eth_getLogs ("block range too large", "exceed maximum block range: 2000") or the number of
 * results ("query returned more than 10000 results", "Log response size exceeded", or a client's own "HTTP response body exceeded the size limit"); some silently truncate at
 * their cap. The reader halves the range on such errors and when a result count reaches the cap, grows it
 * again after successes, and retries transient failures (rate limits, timeouts, dropped connections) with
 * exponential back-off.
 */
import { errorText, type Eip1193Provider } from "../chain/rpc.js";

/** A log as eth_getLogs returns it (hex quantities). */
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  transactionHash: string;
  logIndex: string;
}

export interface LogReaderOptions {
  /** Contract addresses to read (one query covers all of them). */
  addresses: string[];
  /** Topic-0 values to keep (OR-ed). */
  topics: string[];
  fromBlock: number;
  toBlock: number;
  /** First chunk size in blocks. */
  initialChunk?: number;
  /** Largest chunk size the reader grows to. */
  maxChunk?: number;
  /** Smallest chunk size; below it a range error is final. */
  minChunk?: number;
  /**
   * A result count at which the endpoint may have truncated: a chunk returning this many logs (or more) is split
   * and read again. Default 10,000, the cap of the most common providers.
   */
  resultCap?: number;
  /** Ask for the next range before handling this one's answer (default true). */
  prefetch?: boolean;
  /** Attempts for a transient error before giving up. */
  retries?: number;
  /** First back-off delay in ms, doubled after each failure. */
  backoffMs?: number;
  /**
   * Takes each chunk's logs (in chain order) as it arrives, instead of collecting them all: a caller that decodes
   * them at once lets the raw logs go instead of holding 500,000 of them. `readLogs` then returns no logs.
   */
  onLogs?: (logs: RawLog[]) => void;
  /** Called after each chunk with the blocks read so far and the logs so far. */
  onProgress?: (blocksDone: number, blocksTotal: number, logs: number) => void;
}

export interface LogReaderStats {
  requests: number;
  splits: number;
  retries: number;
}

const RANGE_ERRORS =
  /block range|range (is )?too (large|wide|big)|too many (results|logs|blocks)|more than \d[\d,]* (results|logs|blocks)|exceed(s|ed)? (the )?(max|maximum|limit)|response size|response body exceeded|size limit|limit exceeded|query timeout|range limit|returned too many|-32005|-32602.*range|10000 range/i;
const TRANSIENT_ERRORS =
  /timeout|timed out|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|fetch failed|network|rate limit|too many requests|429|502|503|504|temporarily|try again|overloaded|busy/i;

/** Whether an error means "ask for less". */
export function isRangeError(error: unknown): boolean {
  return RANGE_ERRORS.test(errorText(error));
}

/** Whether an error is worth retrying unchanged after a pause. */
export function isTransientError(error: unknown): boolean {
  return TRANSIENT_ERRORS.test(errorText(error));
}

const hex = (n: number): string => "0x" + n.toString(16);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads all matching logs in [fromBlock, toBlock], sorted by block and log index. */
export async function readLogs(
  rpc: Eip1193Provider,
  options: LogReaderOptions,
): Promise<{ logs: RawLog[]; stats: LogReaderStats }> {
  const minChunk = Math.max(1, options.minChunk ?? 1);
  const maxChunk = Math.max(minChunk, options.maxChunk ?? 100_000);
  const resultCap = options.resultCap ?? 10_000;
  const retries = options.retries ?? 6;
  const backoffMs = options.backoffMs ?? 250;
  let chunk = Math.min(maxChunk, Math.max(minChunk, options.initialChunk ?? 10_000));
  const stats: LogReaderStats = { requests: 0, splits: 0, retries: 0 };
  const total = Math.max(0, options.toBlock - options.fromBlock + 1);
  const collected: RawLog[][] = [];
  let count = 0;
  let from = options.fromBlock;
  let failures = 0;
  const filterBase = { address: options.addresses.map((a) => a.toLowerCase()), topics: [options.topics] };

  const request = (first: number, last: number): Promise<RawLog[]> => {
    stats.requests++;
    return rpc.request({
      method: "eth_getLogs",
      params: [{ ...filterBase, fromBlock: hex(first), toBlock: hex(last) }],
    }) as Promise<RawLog[]>;
  };
  // The next range is asked for while this one's answer is handled, so that the endpoint's work (or the
  // network's latency) overlaps with decoding here. A split or a retry changes the plan: the early answer is
  // then dropped, and its failure, if any, ignored.
  const prefetch = options.prefetch ?? true;
  let ahead: { from: number; to: number; answer: Promise<RawLog[]> } | undefined;

  while (from <= options.toBlock) {
    let to = Math.min(options.toBlock, from + chunk - 1);
    let answer: Promise<RawLog[]>;
    if (ahead !== undefined && ahead.from === from) {
      to = ahead.to;
      answer = ahead.answer;
    } else answer = request(from, to);
    ahead = undefined;
    if (prefetch && to < options.toBlock) {
      const nextTo = Math.min(options.toBlock, to + chunk);
      ahead = { from: to + 1, to: nextTo, answer: request(to + 1, nextTo) };
      ahead.answer.catch(() => undefined);
    }
    let logs: RawLog[];
    try {
      logs = await answer;
    } catch (error) {
      const span = to - from + 1;
      if (isRangeError(error) && span > minChunk) {
        chunk = Math.max(minChunk, Math.floor(span / 2));
        stats.splits++;
        continue;
      }
      if (isTransientError(error) && failures < retries) {
        stats.retries++;
        await sleep(backoffMs * 2 ** failures++);
        continue;
      }
      throw new Error(`eth_getLogs failed for blocks ${from}..${to}: ${errorText(error)}`, { cause: error });
    }
    failures = 0;
    const span = to - from + 1;
    if (logs.length >= resultCap && span > minChunk) {
      // The endpoint may have cut the answer at its cap: read the range again in halves.
      chunk = Math.max(minChunk, Math.floor(span / 2));
      stats.splits++;
      continue;
    }
    if (options.onLogs) {
      if (!inOrder(logs)) logs.sort(compareLogs);
      options.onLogs(logs);
    } else collected.push(logs);
    count += logs.length;
    from = to + 1;
    options.onProgress?.(from - options.fromBlock, total, count);
    // Grow while answers stay well below the cap; hold steady when they come close.
    if (logs.length < resultCap / 4) chunk = Math.min(maxChunk, chunk * 2);
    else if (logs.length > resultCap / 2) chunk = Math.max(minChunk, Math.floor(chunk / 2));
  }

  const logs = collected.flat();
  // Endpoints answer in chain order; sort only if one did not, since parsing every pair costs at 400k logs.
  if (!inOrder(logs)) logs.sort(compareLogs);
  return { logs, stats };
}

/** Whether the logs are in chain order: one pass, each block number parsed once for the logs that share it. */
function inOrder(logs: RawLog[]): boolean {
  let blockHex = "";
  let block = -1;
  let logIndex = -1;
  for (const log of logs) {
    const index = parseInt(log.logIndex, 16);
    if (log.blockNumber === blockHex) {
      if (index < logIndex) return false;
    } else {
      const next = parseInt(log.blockNumber, 16);
      if (next < block || (next === block && index < logIndex)) return false;
      blockHex = log.blockNumber;
      block = next;
    }
    logIndex = index;
  }
  return true;
}

function compareLogs(a: RawLog, b: RawLog): number {
  const blocks = parseInt(a.blockNumber, 16) - parseInt(b.blockNumber, 16);
  return blocks !== 0 ? blocks : parseInt(a.logIndex, 16) - parseInt(b.logIndex, 16);
}
