/**
 * A fixed-window counter per key, in memory, for the resident services' request limits. It holds at most
 * `maxKeys` keys: past that it forgets the windows of the keys least recently seen (a Map keeps insertion order),
 * never all of them, so that nobody can reset everyone's limits by sending requests with fresh keys.
 */
export class RateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one hit (or `weight`, e.g. bytes); returns the seconds to wait when over the limit. */
  hit(key: string, now = Date.now(), weight = 1): number | undefined {
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) window = { start: now, count: 0 };
    // Moved to the end at every hit: the keys forgotten first are those least recently seen.
    this.windows.delete(key);
    this.windows.set(key, window);
    while (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    window.count += weight;
    return window.count > this.limit ? Math.ceil((window.start + this.windowMs - now) / 1000) : undefined;
  }

  get size(): number {
    return this.windows.size;
  }
}
