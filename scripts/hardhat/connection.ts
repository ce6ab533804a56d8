/**
 * Talking to the chain safely for the committee's tool: refuse to sign on the wrong chain, never send while
 * earlier transactions are still pending (so the state read before each write is the whole truth), and wait for
 * every receipt. Each command reads the state first and sends only what is missing, so re-running it after a
 * crash or after success changes nothing.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Provider, TransactionReceipt, TransactionResponse } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { deploymentBindingOf, deploymentMismatch, revertReason, toRpc } from "@kopilka/core/chain";
import type { DeploymentBinding } from "@kopilka/core/publication";

/** A failure the committee can act on; the tool prints its message without a stack. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandError";
  }
}

export class ChainIdMismatchError extends CommandError {
  constructor(
    readonly expected: bigint,
    readonly actual: bigint,
    readonly network: string,
  ) {
    super(`network "${network}" has chain id ${actual}, but ${expected} is expected: refusing to sign`);
    this.name = "ChainIdMismatchError";
  }
}

export type Connection = NetworkConnection<string>;

export async function connectedChainId(connection: Connection): Promise<bigint> {
  return (await connection.ethers.provider.getNetwork()).chainId;
}

/**
 * The chain id the command must see: the one given on the command line, the one recorded with the round, or the
 * one the network's configuration names. They must agree with each other.
 */
export function expectedChainId(
  connection: Connection,
  ...sources: { chainId: bigint | number | undefined; from: string }[]
): { chainId: bigint; from: string } | undefined {
  // A simulated network's configured id is simply the id it has; an http network's is what its owner expects.
  const configured = connection.networkConfig.type === "http" ? connection.networkConfig.chainId : undefined;
  const known = [...sources, { chainId: configured, from: `the "${connection.networkName}" network configuration` }]
    .filter((source) => source.chainId !== undefined)
    .map((source) => ({ chainId: BigInt(source.chainId!), from: source.from }));
  for (const other of known.slice(1)) {
    if (other.chainId !== known[0].chainId) {
      throw new CommandError(
        `${known[0].from} expects chain id ${known[0].chainId}, but ${other.from} expects ${other.chainId}`,
      );
    }
  }
  return known[0];
}

/** Throws ChainIdMismatchError unless the connected chain is the expected one; returns the connected id. */
export async function checkChainId(connection: Connection, expected: bigint | undefined): Promise<bigint> {
  const actual = await connectedChainId(connection);
  if (expected !== undefined && actual !== expected) {
    throw new ChainIdMismatchError(expected, actual, connection.networkName);
  }
  return actual;
}

/**
 * The account the tool signs with: `from` when given (one of the network's accounts), else the network's first
 * account (the configured key, or a local node's first unlocked account).
 */
export async function signerOf(connection: Connection, from?: string): Promise<HardhatEthersSigner> {
  const signers = await connection.ethers.getSigners();
  if (signers.length === 0) {
    throw new CommandError(
      `network "${connection.networkName}" has no account to sign with (set KOPILKA_DEPLOYER_KEY)`,
    );
  }
  if (from === undefined) return signers[0];
  const signer = signers.find((s) => s.address.toLowerCase() === from.toLowerCase());
  if (signer === undefined) {
    throw new CommandError(
      `--from ${from}: network "${connection.networkName}" has no key for it (its accounts: ` +
        `${signers.map((s) => s.address).join(", ")})`,
    );
  }
  return signer;
}

/** What binds a record to one chain's history: the hash of the factory's deployment block and of its code. */
export async function deploymentBinding(
  connection: Connection,
  factory: string,
  deploymentBlock: number,
): Promise<DeploymentBinding> {
  return await deploymentBindingOf(toRpc(connection.provider), factory, deploymentBlock);
}

/** Why `record` (a manifest or a factory record) does not describe the connected chain, if it does not. */
export async function bindingMismatch(
  connection: Connection,
  record: { factory: string; fromBlock: number; deployment?: DeploymentBinding },
): Promise<string | undefined> {
  return await deploymentMismatch(toRpc(connection.provider), record);
}

/** Whether the chain is a local development chain (Hardhat's or Anvil's), whose history may be thrown away. */
export async function isLocalDevChain(connection: Connection): Promise<boolean> {
  for (const method of ["hardhat_metadata", "anvil_nodeInfo"]) {
    try {
      await connection.provider.request({ method, params: [] });
      return true;
    } catch {
      // Not this client.
    }
  }
  return false;
}

/** Refuses to go on while `account` has transactions in the mempool: their effects are not in the state yet. */
export async function requireNoPendingTransactions(provider: Provider, account: string): Promise<void> {
  const [mined, pending] = await Promise.all([
    provider.getTransactionCount(account, "latest"),
    provider.getTransactionCount(account, "pending"),
  ]);
  if (pending > mined) {
    throw new CommandError(
      `${account} has ${pending - mined} pending transaction(s); wait until they are mined and run the command again`,
    );
  }
}

/**
 * Sends one transaction and waits for its receipt. A refusal is reported in the contracts' words whichever client
 * answered: at estimation (Anvil gives only the revert data, Hardhat the error's name), or, for a transaction mined
 * and failed, by calling it again on the state before its block.
 */
export async function sendAndWait(send: () => Promise<TransactionResponse>): Promise<TransactionReceipt> {
  let response: TransactionResponse;
  try {
    response = await send();
  } catch (error) {
    const reason = revertReason(error);
    if (reason !== undefined) throw new CommandError(`the chain refuses the transaction: ${reason}`);
    throw error;
  }
  let failed = false;
  const receipt = await response.wait().catch((error: unknown) => {
    // ethers throws for a mined transaction that reverted; its receipt says so too.
    failed = true;
    return (error as { receipt?: Awaited<ReturnType<typeof response.wait>> }).receipt ?? null;
  });
  if (receipt === null || receipt.status !== 1 || failed) {
    const again = await response.provider
      .call({
        from: response.from,
        to: response.to,
        data: response.data,
        value: response.value,
        blockTag: (receipt?.blockNumber ?? 1) - 1,
      })
      .then(
        () => undefined,
        (error: unknown) => revertReason(error),
      );
    throw new CommandError(`transaction ${response.hash} failed${again === undefined ? "" : `: ${again}`}`);
  }
  return receipt;
}

/** The block where the contract at `address` was deployed: the first block with code there. */
export async function findDeploymentBlock(provider: Provider, address: string): Promise<number> {
  let high = await provider.getBlockNumber();
  if ((await provider.getCode(address, high)) === "0x") throw new CommandError(`no contract at ${address}`);
  let low = 0;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if ((await provider.getCode(address, middle)) === "0x") low = middle + 1;
    else high = middle;
  }
  return low;
}

export async function hasCode(provider: Provider, address: string): Promise<boolean> {
  return (await provider.getCode(address)) !== "0x";
}

/** Writes a file, creating its directory; returns whether the content changed. */
export function writeFileIfChanged(file: string, text: string): boolean {
  if (existsSync(file) && readFileSync(file, "utf8") === text) return false;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return true;
}
