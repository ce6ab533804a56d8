import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The contest factory (with its signature verifier), deployed once per chain beside the round factory. Ignition's
 * journal records it, so running the deployment again returns the same factory.
 */
export default buildModule("ContestFactoryModule", (m) => {
  const factory = m.contract("ContestFactory");
  return { factory };
});
