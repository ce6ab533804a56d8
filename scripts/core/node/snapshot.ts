/**
 * Writes a round's snapshot for its read-only pages (../src/domain/snapshot.ts) beside the round's published files.
 * Each file is written whole under a temporary name and then renamed, so a web server never serves half of one.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";

import { takeSnapshot, type TakenSnapshot } from "../src/chain/snapshot.js";
import { toRpc, type RpcSource } from "../src/chain/rpc.js";
import { districtSnapshotPath, roundDirectory, roundSnapshotPath } from "../src/domain/publication.js";
import { snapshotText } from "../src/domain/snapshot.js";
import { readLocalFile } from "./files.js";

export interface WriteSnapshotOptions {
  rpc: RpcSource;
  round: string;
  /** The publication base directory (`published/`). */
  published: string;
  fromBlock?: number;
}

async function replace(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

/** Reads the round and writes `snapshot/round.json` and one `snapshot/district-<id>.json` per district. */
export async function writeSnapshot(options: WriteSnapshotOptions): Promise<TakenSnapshot> {
  const rpc = toRpc(options.rpc);
  const chainId = BigInt((await rpc.request({ method: "eth_chainId" })) as string);
  const directory = roundDirectory(options.published, chainId, options.round);
  const snapshot = await takeSnapshot({
    rpc,
    round: options.round,
    fromBlock: options.fromBlock,
    // Descriptions published beside the round, or at an http(s) address; any other scheme is not fetched here.
    readFile: async (uri) => {
      if (/^https?:\/\//.test(uri)) {
        const response = await fetch(uri);
        return response.ok ? await response.text() : undefined;
      }
      return /^[a-z]+:/i.test(uri) ? undefined : readLocalFile(path.join(directory, uri));
    },
  });
  await Promise.all(
    snapshot.districts.map((d) =>
      replace(districtSnapshotPath(options.published, chainId, options.round, d.district.id), snapshotText(d)),
    ),
  );
  // The round's file last: a reader who finds it finds every district's too.
  await replace(roundSnapshotPath(options.published, chainId, options.round), snapshotText(snapshot.round));
  return snapshot;
}
