/**
 * Configuration variables of the resident services: from the environment or, when unset there, from Hardhat's
 * configuration variables (the encrypted keystore: `npx hardhat keystore set NAME`). Secrets never sit in the
 * repository nor on a command line.
 */
export async function configuration(name: string): Promise<string>;
export async function configuration(name: string, optional: true): Promise<string | undefined>;
export async function configuration(name: string, optional = false): Promise<string | undefined> {
  const value = process.env[name];
  if (value !== undefined && value !== "") return value;
  const [{ default: hre }, { configVariable }] = await Promise.all([import("hardhat"), import("hardhat/config")]);
  return hre.hooks.runHandlerChain("configurationVariables", "fetchValue", [configVariable(name)], async () => {
    if (optional) return undefined as unknown as string;
    throw new Error(`${name} is not set: export it or store it with \`npx hardhat keystore set ${name}\``);
  });
}
