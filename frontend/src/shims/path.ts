/**
 * A browser stand-in for `node:path`, enough for scripts/lib/publication.ts (which only joins path parts), so the
 * dApp reads the published files' layout from the same module the committee's tool writes them with.
 */
export function join(...parts: string[]): string {
  return parts
    .filter((part) => part !== "")
    .join("/")
    .replace(/\/{2,}/g, "/");
}

export default { join };
