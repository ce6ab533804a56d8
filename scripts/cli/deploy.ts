/**
 * `kopilka deploy`: the round factory, once per chain. Ignition's journal keeps a re-run from deploying a second
 * factory; the tool also records the factory next to the published rounds, bound to the chain's history (the hash
 * of its deployment block and of its code), so later commands find it and never take another chain's for it.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

import type { DeploymentBinding } from "@kopilka/core/publication";
import RoundFactoryModule from "../../ignition/modules/RoundFactory.js";
import {
  bindingMismatch,
  CommandError,
  deploymentBinding,
  findDeploymentBlock,
  hasCode,
  isLocalDevChain,
  writeFileIfChanged,
} from "../hardhat/connection.js";
import { checkNetwork, signerFor, type CommandContext } from "./context.js";

export interface FactoryRecord {
  chainId: number;
  address: string;
  /** Block of the factory's deployment, where readers of its logs start. */
  deploymentBlock: number;
  /** The hash of that block and of the factory's code (absent in records of older versions). */
  deployment?: DeploymentBinding;
}

export function factoryRecordPath(base: string, chainId: bigint | number): string {
  return path.join(base, String(chainId), "factory.json");
}

export function readFactoryRecord(base: string, chainId: bigint | number): FactoryRecord | undefined {
  const file = factoryRecordPath(base, chainId);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as FactoryRecord) : undefined;
}

/** Why the record does not describe the connected chain (no factory there, or another history), if it does not. */
export async function factoryRecordMismatch(ctx: CommandContext, record: FactoryRecord): Promise<string | undefined> {
  if (!(await hasCode(ctx.connection.ethers.provider, record.address))) {
    return `this chain has no contract at ${record.address}`;
  }
  return await bindingMismatch(ctx.connection, {
    factory: record.address,
    fromBlock: record.deploymentBlock,
    deployment: record.deployment,
  });
}

export interface DeployOptions {
  /** Ignition deployment id; Ignition's default is chain-<chainId>. */
  deploymentId?: string;
}

export async function deploy(
  ctx: CommandContext,
  options: DeployOptions = {},
): Promise<FactoryRecord & { deployed: boolean }> {
  const chainId = await checkNetwork(ctx);
  const { provider } = ctx.connection.ethers;
  const recordFile = factoryRecordPath(ctx.publicationBase, chainId);
  const recorded = readFactoryRecord(ctx.publicationBase, chainId);
  const stale = recorded && (await factoryRecordMismatch(ctx, recorded));
  if (recorded !== undefined && stale === undefined) {
    ctx.out.info(`Round factory already deployed at ${recorded.address} (block ${recorded.deploymentBlock})`);
    return { ...recorded, deployed: false };
  }
  if (stale !== undefined) ctx.out.info(`${recordFile} names a factory of another chain (${stale}): deploying anew`);
  const signer = await signerFor(ctx);
  const deploymentId = options.deploymentId ?? `chain-${chainId}`;
  const run = async () =>
    (
      await ctx.connection.ignition.deploy(RoundFactoryModule, { deploymentId, defaultSender: signer.address })
    ).factory.getAddress();
  let address = await run();
  if (!(await hasCode(provider, address))) {
    const { config } = await import("hardhat");
    const journal = path.relative(process.cwd(), path.join(config.paths.ignition, "deployments", deploymentId));
    if (!(await isLocalDevChain(ctx.connection))) {
      throw new CommandError(
        `Ignition's journal names ${address} as the factory, but chain ${chainId} has no contract there: the journal ` +
          `belongs to an earlier chain. Remove ${journal} and deploy again.`,
      );
    }
    // A local chain was restarted: its old journal describes contracts that no longer exist.
    ctx.out.info(`Ignition's journal ${journal} belongs to an earlier local chain: removed, deploying afresh`);
    rmSync(journal, { recursive: true, force: true });
    address = await run();
  }
  const deploymentBlock = await findDeploymentBlock(provider, address);
  const record: FactoryRecord = {
    chainId: Number(chainId),
    address,
    deploymentBlock,
    deployment: await deploymentBinding(ctx.connection, address, deploymentBlock),
  };
  writeFileIfChanged(recordFile, JSON.stringify(record, null, 2) + "\n");
  ctx.out.info(`Round factory at ${address} (block ${record.deploymentBlock})`);
  return { ...record, deployed: true };
}
