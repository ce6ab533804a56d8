import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The round factory, deployed once per chain. Ignition's journal (ignition/deployments/<deployment id>) records it,
 * so running the deployment again returns the same factory instead of a second one.
 */
export default buildModule("RoundFactoryModule", (m) => {
  const factory = m.contract("RoundFactory");
  return { factory };
});
