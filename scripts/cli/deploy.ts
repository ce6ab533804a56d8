/**
 * `kopilka deploy`: the round factory, once per chain. Ignition's journal keeps a re-run from deploying a second
 * factory; the tool also records the factory next to the published rounds so later commands find it.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import RoundFactoryModule from "../../ignition/modules/RoundFactory.js";
import { CommandError, findDeploymentBlock, hasCode, writeFileIfChanged } from "../hardhat/connection.js";
import { checkNetwork, signerFor, type CommandContext } from "./context.js";

export interface FactoryRecord {
  chainId: number;
  address: string;
  /** Block of the factory's deployment, where readers of its logs start. */
  deploymentBlock: number;
}

export function factoryRecordPath(base: string, chainId: bigint | number): string {
  return path.join(base, String(chainId), "factory.json");
}

export function readFactoryRecord(base: string, chainId: bigint | number): FactoryRecord | undefined {
  const file = factoryRecordPath(base, chainId);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as FactoryRecord) : undefined;
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
  const recorded = readFactoryRecord(ctx.publicationBase, chainId);
  if (recorded !== undefined && (await hasCode(provider, recorded.address))) {
    ctx.out.info(`Round factory already deployed at ${recorded.address} (block ${recorded.deploymentBlock})`);
    return { ...recorded, deployed: false };
  }
  const signer = await signerFor(ctx);
  const { factory } = await ctx.connection.ignition.deploy(RoundFactoryModule, {
    deploymentId: options.deploymentId,
    defaultSender: signer.address,
  });
  const address = await factory.getAddress();
  if (!(await hasCode(provider, address))) {
    throw new CommandError(
      `Ignition's journal names ${address} as the factory, but chain ${chainId} has no contract there: the journal ` +
        `belongs to an earlier chain. Remove ignition/deployments/${options.deploymentId ?? `chain-${chainId}`} ` +
        `and deploy again.`,
    );
  }
  const record: FactoryRecord = {
    chainId: Number(chainId),
    address,
    deploymentBlock: await findDeploymentBlock(provider, address),
  };
  writeFileIfChanged(factoryRecordPath(ctx.publicationBase, chainId), JSON.stringify(record, null, 2) + "\n");
  ctx.out.info(`Round factory at ${address} (block ${record.deploymentBlock})`);
  return { ...record, deployed: true };
}
