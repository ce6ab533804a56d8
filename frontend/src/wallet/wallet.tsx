/**
 * The voting chunk, loaded on demand by ./gate.tsx: wagmi and its connectors (./provider.tsx, ./connect.tsx), who is
 * voting (./voter.ts), signing in by phone (../resident/), the ballot beside the projects and its review (./ballot.tsx), my vote (./myVotes.tsx), and
 * what the committee's pages send with. The read-only pages carry none of it; the committee's chunk imports it from
 * here, so that it stays one chunk.
 */
export { AccountButton, ConnectFirst, SignInPrompt } from "./connect.js";
export { AmountControls, BallotBar, ReviewPage } from "./ballot.js";
export { MyAllocations } from "./myVotes.js";
export { PhoneSignIn } from "../resident/PhoneSignIn.js";
export { NetworkGuard } from "./network.js";
export { WalletScope } from "./provider.js";
export { TxStatus, useTransaction, type ContractCall, type TxState, type TxWords } from "./transaction.js";
