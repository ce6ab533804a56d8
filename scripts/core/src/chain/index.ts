/** Reading a round from any JSON-RPC endpoint: the transport-neutral request type and the typed round reader. */
export { deploymentBindingOf, deploymentMismatch } from "./binding.js";
export { gatheringCalls } from "./calls.js";
export { revertData, revertReason } from "./revert.js";
export { inPool, limiter, errorText, toRpc, type Eip1193Provider, type RpcRequest, type RpcSource } from "./rpc.js";
export {
  balanceOf,
  balancesOf,
  read,
  RoundReader,
  ROUND_ROLES,
  type BatchState,
  type BlockTag,
  type DistrictState,
  type ImplementationState,
  type ProjectState,
  type RoleName,
  type RoundSettings,
} from "./reader.js";
export { takeSnapshot, type SnapshotOptions, type TakenSnapshot } from "./snapshot.js";
export {
  ContestReader,
  decodeContestLog,
  passedInitiatives,
  type ContestEvent,
  type ContestSettings,
  type InitiativeState,
} from "./contest.js";
