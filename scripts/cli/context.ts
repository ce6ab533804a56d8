/**
 * What every command gets: a network connection, the expected chain id, where the public files go, and where to
 * report. Commands are plain functions of this context so that tests call them directly on any connection.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { SingleBar, Presets } from "cli-progress";
import { getAddress, isAddress } from "ethers";

import { RoundReader, toRpc, type RoleName } from "@kopilka/core/chain";
import { formatTime } from "@kopilka/core/display";
import type { Round } from "../../typechain-types/index.js";
import {
  bindingMismatch,
  checkChainId,
  CommandError,
  expectedChainId,
  hasCode,
  requireNoPendingTransactions,
  signerOf,
  type Connection,
} from "../hardhat/connection.js";
import type { RoundManifest } from "@kopilka/core/publication";

export interface Progress {
  increment(): void;
  stop(): void;
}

export interface Output {
  info(message: string): void;
  /** A progress bar for `total` steps of long work. */
  progress(label: string, total: number): Progress;
}

export const silentOutput: Output = {
  info() {},
  progress: () => ({ increment() {}, stop() {} }),
};

/** How often a log (not a terminal) gets a progress line besides each tenth of the work: every 10 s. */
const LOG_PROGRESS_MS = 10_000;

/**
 * Progress as lines, for a log or a pipe where a bar cannot redraw: the step's start, each tenth of it done (or a
 * line every 10 s when the tenths come slower), and its end with the time it took.
 */
export function lineProgress(
  label: string,
  total: number,
  write: (line: string) => void,
  now: () => number = Date.now,
): Progress {
  const started = now();
  let done = 0;
  let tenth = 0;
  let lastLine = started;
  write(`${label}: 0/${total}`);
  return {
    increment() {
      done++;
      const reached = Math.floor((done * 10) / total);
      if (done < total && (reached > tenth || now() - lastLine >= LOG_PROGRESS_MS)) {
        tenth = reached;
        lastLine = now();
        write(`${label}: ${done}/${total} (${Math.floor((done * 100) / total)}%)`);
      }
    },
    stop() {
      write(`${label}: ${done}/${total} done in ${((now() - started) / 1000).toFixed(1)} s`);
    },
  };
}

/** Messages to stdout; progress to stderr: a bar on a terminal, else lines (`lineProgress`). */
export const consoleOutput: Output = {
  info: (message) => console.log(message),
  progress(label, total) {
    if (total < 2) return { increment() {}, stop() {} };
    if (!process.stderr.isTTY) return lineProgress(label, total, (line) => process.stderr.write(line + "\n"));
    const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total}`, hideCursor: true }, Presets.shades_classic);
    bar.start(total, 0);
    return { increment: () => bar.increment(), stop: () => bar.stop() };
  },
};

export interface CommandContext {
  connection: Connection;
  /** The chain id given with --chain-id. */
  chainId?: bigint;
  /** Base directory of the published files. */
  publicationBase: string;
  out: Output;
  /** The account to sign with (--from); by default the network's first. */
  from?: string;
  /** A Safe the signer is an owner of (--safe): committee commands propose to it instead of sending. */
  safe?: string;
}

/** How a command finds its round: --round ADDR, --manifest FILE, or the only manifest under the publication base. */
export interface RoundSelector {
  round?: string;
  manifest?: string;
}

export interface RoundHandle {
  chainId: bigint;
  address: string;
  manifest?: RoundManifest;
  /** Reads the round, its token and its airdrop. */
  reader: RoundReader;
  token: string;
  airdrop: string;
  /** The round as a typechain contract, to send its transactions. */
  round: Round;
}

/** Checks the chain id against --chain-id and the network configuration, before anything else. */
export async function checkNetwork(ctx: CommandContext): Promise<bigint> {
  const expected = expectedChainId(ctx.connection, { chainId: ctx.chainId, from: "--chain-id" });
  return checkChainId(ctx.connection, expected?.chainId);
}

/** Finds the round, checks the connected chain is the one the round (or the options) expect. */
export async function useRound(ctx: CommandContext, selector: RoundSelector): Promise<RoundHandle> {
  const found = findManifest(ctx.publicationBase, selector);
  const expected = expectedChainId(
    ctx.connection,
    { chainId: ctx.chainId, from: "--chain-id" },
    { chainId: found?.manifest.chainId, from: `the round manifest ${found?.file}` },
  );
  const chainId = await checkChainId(ctx.connection, expected?.chainId);
  const address = found?.manifest.round ?? selector.round!;
  const { ethers } = ctx.connection;
  const mismatch = found && (await bindingMismatch(ctx.connection, found.manifest));
  if (mismatch !== undefined) {
    throw new CommandError(
      `the round manifest ${found!.file} describes another chain than network "${ctx.connection.networkName}" ` +
        `(chain ${chainId}): ${mismatch}. Round ${address} there is not this round; point --rpc at the node the ` +
        `round was created on.`,
    );
  }
  if (!(await hasCode(ethers.provider, address))) {
    throw new CommandError(`no round at ${address} on network "${ctx.connection.networkName}" (chain ${chainId})`);
  }
  const reader = readerOf(ctx, address);
  const { token, airdrop } = await reader.settings();
  const round = await ethers.getContractAt("Round", address);
  return { chainId, address, manifest: found?.manifest, reader, token, airdrop, round };
}

/** Reads the round at `address` through the connection. */
export function readerOf(ctx: CommandContext, address: string): RoundReader {
  return new RoundReader(toRpc(ctx.connection.provider), address);
}

function findManifest(base: string, selector: RoundSelector): { file: string; manifest: RoundManifest } | undefined {
  if (selector.manifest !== undefined) return { file: selector.manifest, manifest: readManifest(selector.manifest) };
  const candidates = existsSync(base)
    ? readdirSync(base, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && /^\d+$/.test(entry.name))
        .flatMap((chain) =>
          readdirSync(path.join(base, chain.name))
            .filter((name) => isAddress(name))
            .map((round) => path.join(base, chain.name, round, "round.json")),
        )
        .filter((file) => existsSync(file))
    : [];
  if (selector.round !== undefined) {
    if (!isAddress(selector.round)) throw new CommandError(`--round ${selector.round} is not an address`);
    const wanted = selector.round.toLowerCase();
    const matching = candidates.filter((file) => path.basename(path.dirname(file)) === wanted);
    if (matching.length > 1) {
      throw new CommandError(`round ${selector.round} has manifests on several chains; pass --manifest FILE`);
    }
    return matching.length === 1 ? { file: matching[0], manifest: readManifest(matching[0]) } : undefined;
  }
  if (candidates.length === 1) return { file: candidates[0], manifest: readManifest(candidates[0]) };
  if (candidates.length === 0) {
    throw new CommandError(`no round manifest under ${base}: pass --round ADDR or run "kopilka round create" first`);
  }
  throw new CommandError(`several rounds under ${base}, pass --round ADDR:\n  ${candidates.join("\n  ")}`);
}

export function readManifest(file: string): RoundManifest {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as RoundManifest;
  } catch (error) {
    throw new CommandError(`cannot read the round manifest ${file}: ${(error as Error).message}`);
  }
}

/** The signer, once it is safe to sign: nothing of its own pending, and holding `role` in the round. */
export async function signerFor(
  ctx: CommandContext,
  handle?: RoundHandle,
  role?: RoleName,
): Promise<HardhatEthersSigner> {
  const signer = await signerOf(ctx.connection, ctx.from);
  await requireNoPendingTransactions(ctx.connection.ethers.provider, signer.address);
  if (handle !== undefined && role !== undefined) {
    if (!(await handle.reader.hasRole(role, signer.address))) {
      throw new CommandError(`${getAddress(signer.address)} does not hold the ${role} role in round ${handle.address}`);
    }
  }
  return signer;
}

/** Time of the latest block: what the round's lifecycle checks. */
export async function chainTime(ctx: CommandContext): Promise<bigint> {
  const block = await ctx.connection.ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp);
}

/** A chain timestamp in the round's time zone (the offset its manifest records), for messages. */
export const roundTime = (handle: RoundHandle, seconds: bigint) => formatTime(seconds, handle.manifest?.utcOffset);

/** Whether setup (districts, projects, mint) is still possible. */
export async function setupOpen(ctx: CommandContext, handle: RoundHandle): Promise<boolean> {
  const [{ opened, opensAt }, now] = await Promise.all([handle.reader.settings(), chainTime(ctx)]);
  return !opened && now < opensAt;
}
