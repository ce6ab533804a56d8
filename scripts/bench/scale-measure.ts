/**
 * What every profile of `bench:scale` measures beside its own run (scripts/bench/scale.ts): the floors its figures are
 * divided by, taken on the same chain in the same run so that the ratios mean something on any machine, the memory
 * of the process and of the in-process chain over the run, and the end of the run (the process must exit by itself
 * once its JSON is written, or say loudly what keeps it alive).
 */
import { Session } from "node:inspector/promises";
import { writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { GCProfiler, getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import { TOPICS, type EventName, ROUND_EVENTS, AIRDROP_EVENTS, TOKEN_EVENTS } from "@kopilka/core/audit/events";
import { logDecoder } from "@kopilka/core/audit/load";
import type { RawLog } from "@kopilka/core/audit/logs";

type Rpc = { request(args: { method: string; params?: unknown[] }): Promise<unknown> };

export const seconds = (since: number): number => Number(((performance.now() - since) / 1000).toFixed(3));
export const round3 = (x: number): number => Number(x.toFixed(3));
export const load = (): number[] => loadavg().map((l) => Number(l.toFixed(2)));
/**
 * The CPU time the whole process (every thread: the in-process chain's, workers', the main one) has used since
 * `since` (a `process.cpuUsage()`), in seconds. On a shared machine whose cores are oversubscribed, wall times swing
 * with the neighbours' load, while the work done stays about the same.
 */
export const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return round3((used.user + used.system) / 1e6);
};
export const log = (message: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message} (load ${load().join(" ")})\n`);
};
export const hex = (n: bigint | number): string => "0x" + n.toString(16);
const MIB = 1024 * 1024;
const mib = (bytes: number): number => Math.round(bytes / MIB);

/**
 * The process's memory, sampled every second and at each `mark`. The chain is Hardhat's in-process EDR: its state
 * lives in native (Rust) memory outside V8's heap, so the chain's part is estimated as the resident set less V8's
 * heap and the buffers V8 accounts for (`rss - heapTotal - external`), which also holds Node's own native memory
 * (tens of MiB). Marks with a count of ballots show whether that part grows with the ballots and by how much.
 */
export class MemoryProbe {
  private readonly timer: NodeJS.Timeout;
  private peakRss = 0;
  private peakHeap = 0;
  private peakNative = 0;
  /** The highest resident set since the last mark. */
  private peakSinceMark = 0;
  readonly marks: {
    label: string;
    ballots?: number;
    rss_mib: number;
    heap_used_mib: number;
    chain_mib: number;
    peak_rss_mib_before: number;
  }[] = [];

  constructor() {
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
    this.sample();
  }

  private sample(): { rss: number; heapUsed: number; native: number } {
    const m = process.memoryUsage();
    const native = Math.max(0, m.rss - m.heapTotal - m.external);
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakSinceMark = Math.max(this.peakSinceMark, m.rss);
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
    this.peakNative = Math.max(this.peakNative, native);
    return { rss: m.rss, heapUsed: m.heapUsed, native };
  }

  mark(label: string, ballots?: number): void {
    const { rss, heapUsed, native } = this.sample();
    this.marks.push({
      label,
      ballots,
      rss_mib: mib(rss),
      heap_used_mib: mib(heapUsed),
      chain_mib: mib(native),
      peak_rss_mib_before: mib(this.peakSinceMark),
    });
    this.peakSinceMark = rss;
  }

  /** The chain's growth per 10,000 ballots (or transactions) while voting. */
  private growth(): number | undefined {
    const counted = this.marks.filter((m) => m.ballots !== undefined);
    if (counted.length < 2) return undefined;
    // From the last mark before any ballot (the round set up) to the last one.
    const first = counted.filter((m) => m.ballots === 0).at(-1) ?? counted[0];
    const last = counted[counted.length - 1];
    if (last.ballots! === first.ballots!) return undefined;
    return Math.round(((last.chain_mib - first.chain_mib) * 10_000) / (last.ballots! - first.ballots!));
  }

  stop(): Record<string, unknown> {
    clearInterval(this.timer);
    this.sample();
    return {
      peak_rss_mib: mib(this.peakRss),
      peak_heap_used_mib: mib(this.peakHeap),
      heap_limit_mib: mib(getHeapStatistics().heap_size_limit),
      peak_chain_mib: mib(this.peakNative),
      chain_growth_mib_per_10k_ballots: this.growth(),
      chain_estimate: "rss - V8 heapTotal - external: the in-process EDR's native memory (and Node's own)",
      // At most eight marks, evenly spaced, the first and the last among them.
      marks: this.marks.filter(
        (_, i) => this.marks.length <= 8 || i === this.marks.length - 1 || i % Math.ceil(this.marks.length / 7) === 0,
      ),
    };
  }
}

/**
 * Times a stretch of the run (the timed audit): its wall time, the whole process's CPU time, and the main thread's
 * garbage-collection pauses (what holding the decoded events as objects costs). With `KOPILKA_AUDIT_CPUPROFILE` set
 * to a file name (and `profiled`), the main thread's CPU profile of the stretch is written there (open it in Chrome's
 * DevTools).
 */
export async function timed<T>(
  run: () => Promise<T>,
  profiled = true,
): Promise<{ value: T; seconds: number; cpu_seconds: number; gc_seconds: number }> {
  const profileFile = profiled ? process.env.KOPILKA_AUDIT_CPUPROFILE : undefined;
  const session = profileFile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  }
  // V8's own record of each collection (its cost in microseconds), kept natively until `stop`: no callback a collection.
  const collections = new GCProfiler();
  collections.start();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const value = await run();
  const wall = seconds(started);
  const cpu = cpuSeconds(cpuStarted);
  const gc = round3((collections.stop()?.statistics ?? []).reduce((sum, c) => sum + c.cost, 0) / 1e6);
  if (session) {
    const { profile } = await session.post("Profiler.stop");
    await writeFile(profileFile!, JSON.stringify(profile));
    session.disconnect();
  }
  return { value, seconds: wall, cpu_seconds: cpu, gc_seconds: gc };
}

/** How the audit confirms the residents' balances (scripts/core/src/audit/load.ts, `RESIDENT_SAMPLE`). */
export const RESIDENT_BALANCES =
  "from the events; on-chain (deployless batched balanceOf) for a sample: every one of the first 2,048 residents, " +
  "then one in 32 by address; the rest by the sum: supply - the round's and the banks' balances";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Collects garbage now. Each mined block's answer from the in-process chain (EDR) holds that block's execution trace
 * in native memory (for stack traces on demand) until V8 collects the answer's small JavaScript object; V8 does not
 * see the native size, so the traces of many blocks piled up: gigabytes at Volgograd's and Yugra's block sizes. A
 * collection every few blocks lets them go (the time it takes is reported).
 */
export function releaseChainAnswers(): void {
  const started = performance.now();
  gc();
  collecting += performance.now() - started;
}
let collecting = 0;

/** Seconds spent in `releaseChainAnswers` so far. */
export const collectingSeconds = (): number => round3(collecting / 1000);

/**
 * The floors of the audit, on the range it read: a bare eth_getLogs sweep (the same addresses, topics, block range
 * and chunk, one request ahead as the audit's reader asks) that only counts the logs, and a pass over those logs
 * that only decodes them (the auditor's own decoder, timed alone chunk by chunk).
 */
export async function auditFloors(
  rpc: Rpc,
  range: { round: string; token: string; airdrop: string; factory?: string; fromBlock: number; toBlock: number },
  chunk: number,
): Promise<{
  raw_fetch_seconds: number;
  raw_fetch_cpu_seconds: number;
  raw_fetch_gc_seconds: number;
  decode_seconds: number;
  logs: number;
  requests: number;
}> {
  const events: EventName[] = [...ROUND_EVENTS, ...AIRDROP_EVENTS, ...TOKEN_EVENTS];
  const addresses = [range.round, range.token, range.airdrop];
  if (range.factory) {
    events.push("RoundCreated");
    addresses.push(range.factory);
  }
  const filter = { address: addresses, topics: [events.map((name) => TOPICS[name])] };
  const ask = (from: number): Promise<RawLog[]> =>
    rpc.request({
      method: "eth_getLogs",
      params: [{ ...filter, fromBlock: hex(from), toBlock: hex(Math.min(range.toBlock, from + chunk - 1)) }],
    }) as Promise<RawLog[]>;
  // Two sweeps, each dropping a chunk's logs once counted or decoded: holding every raw log of Yugra's size (some four
  // million) at once outgrew the heap, and no auditor holds them all either.
  const sweep = async (each: (found: RawLog[]) => void): Promise<number> => {
    let requests = 0;
    let next: Promise<RawLog[]> | undefined = ask(range.fromBlock);
    for (let from = range.fromBlock; from <= range.toBlock; from += chunk) {
      const answer: Promise<RawLog[]> = next!;
      next = from + chunk <= range.toBlock ? ask(from + chunk) : undefined;
      each(await answer);
      requests++;
    }
    return requests;
  };
  let logs = 0;
  const { value: requests, ...bare } = await timed(() => sweep((found) => (logs += found.length)), false);
  // The decode floor counts only the time spent decoding (the decoder's own clock), not the second sweep's fetching.
  const decoder = logDecoder(range, events);
  await sweep((found) => decoder.add(found));
  decoder.finish();
  return {
    raw_fetch_seconds: bare.seconds,
    raw_fetch_cpu_seconds: bare.cpu_seconds,
    raw_fetch_gc_seconds: bare.gc_seconds,
    decode_seconds: round3(decoder.seconds()),
    logs,
    requests,
  };
}

/**
 * A calibration of the chain's throughput on the simplest real workload: `count` plain ERC-20 transfers (OpenZeppelin
 * ERC20, contracts/mocks/CalibrationToken.sol) from one account to distinct new holders, sent unsigned, `perBlock` a
 * block with automining off, as the direct profile sends its votes.
 */
export async function erc20Calibration(
  rpc: Rpc,
  deploy: () => Promise<{ address: string; from: string; transferData: (to: string) => string }>,
  count: number,
  perBlock: number,
): Promise<{ transfers: number; seconds: number; tx_per_second: number; gas_per_second: number }> {
  const token = await deploy();
  await rpc.request({ method: "evm_setAutomine", params: [false] });
  const started = performance.now();
  for (let start = 0; start < count; start += perBlock) {
    const end = Math.min(count, start + perBlock);
    const sends: Promise<unknown>[] = [];
    for (let k = start; k < end; k++) {
      const to = "0x" + (0xca11b000000 + k).toString(16).padStart(40, "0");
      const tx = {
        from: token.from,
        to: token.address,
        data: token.transferData(to),
        gas: hex(60_000),
        gasPrice: "0x0",
      };
      sends.push(rpc.request({ method: "eth_sendTransaction", params: [tx] }));
    }
    await Promise.all(sends);
    await rpc.request({ method: "hardhat_setNextBlockBaseFeePerGas", params: ["0x0"] });
    await rpc.request({ method: "evm_mine" });
  }
  const elapsed = seconds(started);
  await rpc.request({ method: "evm_setAutomine", params: [true] });
  const block = (await rpc.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    transactions: string[];
    gasUsed: string;
  };
  if (block.transactions.length !== count - Math.floor((count - 1) / perBlock) * perBlock) {
    throw new Error(`the calibration's last block mined ${block.transactions.length} transfers`);
  }
  // Every transfer goes to a new account and costs the same gas: the last block's average is each one's.
  const gasPerTransfer = Number(block.gasUsed) / block.transactions.length;
  return {
    transfers: count,
    seconds: elapsed,
    tx_per_second: Math.round(count / elapsed),
    gas_per_second: Math.round((gasPerTransfer * count) / elapsed),
  };
}

/**
 * Ends the run once its JSON is written: closes what the run opened (workers, temporary files, the connection) and
 * exits. What kept the Volgograd run alive for minutes after its JSON was the in-process chain's teardown: once the
 * connection lets the provider go, EDR frees its multi-gigabyte in-memory chain allocation by allocation on its own
 * thread while the main thread waits for it (measured: 6.4 GB freed at about 2 GB a minute on a loaded machine).
 * The end of the process frees it at once, so the run exits right after closing. Should closing itself hang, the
 * watchdog names what is still open and exits with status 1: a benchmark that hangs fails loudly instead.
 */
export async function finish(close: () => Promise<void>, graceMs = 60_000): Promise<never> {
  const watchdog = setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== "Timeout");
    process.stderr.write(
      `the benchmark did not close within ${graceMs / 1000} s of writing its results; still open: ${open.join(", ") || "(nothing Node reports)"}\n`,
    );
    process.exit(1);
  }, graceMs);
  await close();
  clearTimeout(watchdog);
  process.exit(process.exitCode ?? 0);
}
