/**
 * A browser stand-in for `node:fs/promises`: the auditor's library (scripts/audit/files.ts) reads published files
 * from a directory or over HTTP; in the browser there is no directory, so only its HTTP path can run.
 */
export async function readFile(): Promise<never> {
  throw Object.assign(new Error("no file system in the browser: give the published files as an http(s) URL"), {
    code: "ENOENT",
  });
}

export default { readFile };
