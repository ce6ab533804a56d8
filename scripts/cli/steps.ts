/**
 * Long work on the main thread without losing the node. A command keeps its HTTP connection to the node open
 * between requests (keep-alive); the node closes it after 5 idle seconds. While a long synchronous step holds the
 * event loop, the client cannot see that close, and the first request after the step goes out on the dead socket:
 * "Failed to make POST request ... SocketError: other side closed" (issue 14, a Pabulib import of 29,162 voters).
 * So long steps run in slices of at most SLICE_MS, and every slice, and the step's end, lets the event loop take a
 * whole turn with its I/O, where the client notices the close and drops the socket.
 */
import type { Output } from "./context.js";

/** The longest the event loop is held between two turns. */
export const SLICE_MS = 50;

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * One whole turn of the event loop, I/O included: the first callback may run in the same turn's check phase (right
 * after the I/O it came from); the second comes only after the next turn's poll for I/O.
 */
export async function letIoRun(): Promise<void> {
  await immediate();
  await immediate();
}

/** `work(item)` for every item, in slices with turns of the event loop between them, and a progress line or bar. */
export async function mapInSteps<T, R>(
  out: Output,
  label: string,
  items: readonly T[],
  work: (item: T, index: number) => R,
): Promise<R[]> {
  const progress = out.progress(label, items.length);
  const results: R[] = [];
  let sliceStart = performance.now();
  try {
    for (let i = 0; i < items.length; i++) {
      results.push(work(items[i], i));
      progress.increment();
      if (performance.now() - sliceStart >= SLICE_MS) {
        await letIoRun();
        sliceStart = performance.now();
      }
    }
  } finally {
    progress.stop();
  }
  await letIoRun();
  return results;
}

/**
 * A step the command cannot slice (a library call): lets the event loop run a whole turn after it, before the next
 * request, and, when `announce` (a long step ahead), says it started and how long it took.
 */
export async function timedStep<R>(
  out: Output,
  label: string,
  work: () => R | Promise<R>,
  announce = true,
): Promise<R> {
  if (announce) out.info(`${label}...`);
  const started = performance.now();
  const result = await work();
  await letIoRun();
  if (announce) out.info(`${label}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}
