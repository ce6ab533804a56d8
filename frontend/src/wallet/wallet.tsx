/**
 * The wallet chunk, loaded on demand by ./gate.tsx: wagmi and its connectors (./provider.tsx, ./connect.tsx), the
 * ballot (./ballot.tsx), the voter's own page (./myVotes.tsx), and what the committee's pages send with. The
 * read-only pages carry none of it; the committee's chunk imports it from here, so that it stays one chunk.
 */
export { AccountButton, ConnectFirst } from "./connect.js";
export { VotePanel } from "./ballot.js";
export { MyAllocations } from "./myVotes.js";
export { NetworkGuard } from "./network.js";
export { WalletProvider } from "./provider.js";
export { TxStatus, useTransaction, type ContractCall, type TxState, type TxWords } from "./transaction.js";
