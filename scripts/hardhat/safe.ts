/**
 * Safe (safe.global) multisig accounts on chains that have no Safe contracts of their own: a local Hardhat or Anvil
 * chain. Public networks carry Safe's canonical deployments, which protocol-kit knows; here the singleton, the proxy
 * factory, the fallback handler and the libraries protocol-kit uses are deployed from the artifacts of the npm
 * `@safe-global/safe-contracts` package (1.4.1) with ethers, and their addresses recorded beside the published
 * rounds (`<publication dir>/<chainId>/safe-contracts.json`) for the CLI to hand to protocol-kit.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import type { ContractNetworkConfig } from "@safe-global/protocol-kit";
import { Contract, ContractFactory, ZeroAddress, type Signer } from "ethers";

const require = createRequire(import.meta.url);

interface Artifact {
  abi: unknown[];
  bytecode: string;
}

/** The artifact of one of Safe's contracts, as the npm package ships it. */
function artifact(source: string, name = path.basename(source)): Artifact {
  return require(`@safe-global/safe-contracts/build/artifacts/contracts/${source}.sol/${name}.json`) as Artifact;
}

/** Which contract of Safe's gives which of protocol-kit's addresses. */
const SAFE_CONTRACTS = {
  safeSingletonAddress: "SafeL2",
  safeProxyFactoryAddress: "proxies/SafeProxyFactory",
  fallbackHandlerAddress: "handler/CompatibilityFallbackHandler",
  multiSendAddress: "libraries/MultiSend",
  multiSendCallOnlyAddress: "libraries/MultiSendCallOnly",
  signMessageLibAddress: "libraries/SignMessageLib",
  createCallAddress: "libraries/CreateCall",
  simulateTxAccessorAddress: "accessors/SimulateTxAccessor",
} as const;

export type SafeContracts = Record<keyof typeof SAFE_CONTRACTS, string>;

export function safeContractsPath(base: string, chainId: bigint | number): string {
  return path.join(base, String(chainId), "safe-contracts.json");
}

/** The Safe contracts recorded for a chain, in the form protocol-kit's `contractNetworks` takes. */
export function readSafeContracts(base: string, chainId: bigint | number): ContractNetworkConfig | undefined {
  const file = safeContractsPath(base, chainId);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ContractNetworkConfig) : undefined;
}

/** Deploys Safe's contracts with `deployer` and records them for the chain; returns their addresses. */
export async function deploySafeContracts(
  deployer: Signer,
  base: string,
  chainId: bigint | number,
): Promise<SafeContracts> {
  const addresses: Partial<SafeContracts> = {};
  for (const [key, source] of Object.entries(SAFE_CONTRACTS) as [keyof SafeContracts, string][]) {
    const { abi, bytecode } = artifact(source);
    const contract = await new ContractFactory(abi as never, bytecode, deployer).deploy();
    await contract.waitForDeployment();
    addresses[key] = await contract.getAddress();
  }
  const file = safeContractsPath(base, chainId);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(addresses, null, 2) + "\n");
  return addresses as SafeContracts;
}

/** Creates a Safe proxy with these owners and threshold through the recorded factory; returns its address. */
export async function createSafe(
  deployer: Signer,
  contracts: SafeContracts,
  owners: readonly string[],
  threshold: number,
  salt = BigInt(Date.now()),
): Promise<string> {
  const singleton = new Contract(contracts.safeSingletonAddress, artifact("SafeL2").abi as never, deployer);
  const factory = new Contract(
    contracts.safeProxyFactoryAddress,
    artifact("proxies/SafeProxyFactory").abi as never,
    deployer,
  );
  const setup = singleton.interface.encodeFunctionData("setup", [
    owners,
    threshold,
    ZeroAddress,
    "0x",
    contracts.fallbackHandlerAddress,
    ZeroAddress,
    0,
    ZeroAddress,
  ]);
  const receipt = await (await factory.createProxyWithNonce(contracts.safeSingletonAddress, setup, salt)).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = factory.interface.parseLog(log);
    if (parsed?.name === "ProxyCreation") return parsed.args.proxy as string;
  }
  throw new Error("the proxy factory created no Safe");
}
