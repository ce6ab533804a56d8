/**
 * A manifest (or a factory record) names contracts by address and a block to start reading at; the chain id alone
 * does not tell two chains apart (every fresh local chain is 31337, and deploys the same contracts at the same
 * addresses). What binds a record to one chain's history is the hash of the block the factory was deployed in and
 * the hash of the factory's code: tools compare both before they show or act on a round.
 */
import { keccak256, type Hex } from "viem";

import type { DeploymentBinding } from "../domain/publication.js";
import type { Eip1193Provider } from "./rpc.js";

const quantity = (n: number) => `0x${n.toString(16)}`;

async function blockHash(rpc: Eip1193Provider, block: number): Promise<string | undefined> {
  const found = (await rpc.request({ method: "eth_getBlockByNumber", params: [quantity(block), false] })) as {
    hash?: string;
  } | null;
  return found?.hash ?? undefined;
}

async function codeHash(rpc: Eip1193Provider, address: string): Promise<string> {
  return keccak256((await rpc.request({ method: "eth_getCode", params: [address, "latest"] })) as Hex);
}

/** The binding of a factory deployed at `factory` in block `deploymentBlock` of the chain `rpc` reaches. */
export async function deploymentBindingOf(
  rpc: Eip1193Provider,
  factory: string,
  deploymentBlock: number,
): Promise<DeploymentBinding> {
  const [hash, factoryCodeHash] = await Promise.all([blockHash(rpc, deploymentBlock), codeHash(rpc, factory)]);
  if (hash === undefined) throw new Error(`the chain has no block ${deploymentBlock}`);
  return { blockHash: hash, factoryCodeHash };
}

/**
 * Why `record` does not describe the chain `rpc` reaches, or undefined when it does. A record without a binding
 * (written by an older version) is taken as it is.
 */
export async function deploymentMismatch(
  rpc: Eip1193Provider,
  record: { factory: string; fromBlock: number; deployment?: DeploymentBinding },
): Promise<string | undefined> {
  if (record.deployment === undefined) return undefined;
  const [hash, factoryCodeHash] = await Promise.all([blockHash(rpc, record.fromBlock), codeHash(rpc, record.factory)]);
  if (hash !== record.deployment.blockHash) {
    return (
      `block ${record.fromBlock} here ${hash === undefined ? "does not exist" : `has hash ${hash}`}, but the ` +
      `factory was deployed in a block with hash ${record.deployment.blockHash}`
    );
  }
  if (factoryCodeHash !== record.deployment.factoryCodeHash) {
    return `the factory ${record.factory} has other code here than when the record was written`;
  }
  return undefined;
}
