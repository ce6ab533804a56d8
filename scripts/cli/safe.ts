/**
 * Who acts for a committee command: the signer itself, or a Safe multisig the signer is an owner of (`--safe`).
 * A command works out the transactions still missing from the chain's state, as always, and hands them to its
 * actor: the signer sends them; a Safe proposes them (a MultiSend batch when there are several, split to stay
 * under the chain's per-transaction gas cap), stores them with the proposer's signature where the other owners
 * find them (`<publication dir>/<chainId>/safe/<safe>.json`, see @kopilka/core/safe), and executes them once the
 * Safe's threshold of confirmations is met. A command that finds its transaction already proposed, or executed,
 * sends and proposes nothing new. protocol-kit (safe.global's SDK) builds, hashes, signs and executes them.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import protocolKit, { EthSafeSignature, type ContractNetworksConfig } from "@safe-global/protocol-kit";
import { getAddress, keccak256, toUtf8Bytes, type Interface, type TransactionReceipt } from "ethers";
import { decodeEventLog, encodeEventTopics, type Hex } from "viem";

import {
  confirmationsOf,
  SAFE_ABI,
  safeProposalsPath,
  safeTxHash,
  type SafeProposal,
  type SafeProposals,
  type SafeTxData,
} from "@kopilka/core/safe";
import { decodeSafeTx, describeSafeAction, noteMatches, type KnownAddresses } from "@kopilka/core/safeActions";
import { CommandError, isLocalDevChain, sendAndWait, writeFileIfChanged } from "../hardhat/connection.js";
import { deploySafeContracts, readSafeContracts } from "../hardhat/safe.js";
import type { RoleName } from "@kopilka/core/chain";
import { checkNetwork, signerFor, type CommandContext, type RoundHandle } from "./context.js";

// protocol-kit's types describe its CommonJS build, where the class is the module's `default`; Node's ESM import
// of its ESM build gets the class itself.
type SafeKit = (typeof protocolKit)["default"];
const Safe: SafeKit = (protocolKit as unknown as { default?: SafeKit }).default ?? (protocolKit as unknown as SafeKit);
type Safe = InstanceType<SafeKit>;

/** One transaction a command needs. */
export interface Call {
  to: string;
  data: string;
}

/** A call of a contract's function, from its ABI. */
export function callOf(
  contract: { interface: Interface; target: unknown },
  fn: string,
  args: readonly unknown[],
): Call {
  return { to: String(contract.target), data: contract.interface.encodeFunctionData(fn, args) };
}

/** A call of the round's function. */
export const roundCall = (handle: RoundHandle, fn: string, args: readonly unknown[]): Call =>
  callOf(handle.round, fn, args);

/** A call with an upper bound of its gas, to size Safe batches. */
export interface SizedCall extends Call {
  gas: bigint;
}

export interface Outcome {
  /** Whether every call was executed now; false while a Safe proposal waits for confirmations. */
  executed: boolean;
  /** The receipts of what was executed now. */
  receipts: TransactionReceipt[];
  /** Safe transactions that wait for confirmations, by hash. */
  pending: string[];
}

/** The account that acts in the round: the signer, or the Safe. */
export interface Actor {
  address: string;
  signer: HardhatEthersSigner;
  safe?: SafeCommittee;
  /** Sends the calls in order, or proposes them to the Safe; `what` says what they do, for people. */
  run(calls: Call[], what: string): Promise<Outcome>;
}

/** The signer sends each call itself, with a progress bar for long runs. */
export function signerActor(ctx: CommandContext, signer: HardhatEthersSigner): Actor {
  return {
    address: signer.address,
    signer,
    async run(calls, what) {
      const receipts: TransactionReceipt[] = [];
      const progress = ctx.out.progress(what.charAt(0).toUpperCase() + what.slice(1), calls.length);
      try {
        for (const call of calls) {
          receipts.push(await sendAndWait(() => signer.sendTransaction({ to: call.to, data: call.data })));
          progress.increment();
        }
      } finally {
        progress.stop();
      }
      return { executed: true, receipts, pending: [] };
    },
  };
}

/**
 * The account that acts for a command: with `--safe`, the Safe (the signer must be one of its owners, and the Safe
 * must hold `role` in the round); otherwise the signer, holding `role` itself.
 */
export async function actorFor(
  ctx: CommandContext,
  chainId: bigint,
  handle?: RoundHandle,
  role?: RoleName,
): Promise<Actor> {
  if (ctx.safe === undefined) return signerActor(ctx, await signerFor(ctx, handle, role));
  const committee = await SafeCommittee.open(ctx, await signerFor(ctx), ctx.safe, chainId);
  if (handle !== undefined && role !== undefined && !(await handle.reader.hasRole(role, committee.address))) {
    throw new CommandError(`Safe ${committee.address} does not hold the ${role} role in round ${handle.address}`);
  }
  return committee.actor();
}

/**
 * Stops a command whose next step needs what a Safe transaction waiting for confirmations will do (the round it
 * creates). Not a failure: the CLI prints it and exits 0; running the command again after the confirmations goes on.
 */
export class WaitingForSafe extends Error {
  constructor(
    what: string,
    readonly pending: string[],
  ) {
    super(`${what} waits for the Safe's confirmations; run this command again once they are in`);
    this.name = "WaitingForSafe";
  }
}

/** Says what a command left waiting for the Safe's other owners, in the command's own words. */
export function reportPending(ctx: CommandContext, outcome: Outcome, what: string): void {
  if (outcome.pending.length > 0) ctx.out.info(`Not yet done: ${what} waits for the Safe's confirmations`);
}

/** Gas of one Safe transaction at most: the chain caps a transaction at 16,777,216 (EIP-7825). */
const SAFE_BATCH_GAS = 10_000_000n;
const SAFE_BATCH_CALLS = 80;
/** Gas counted for a call that cannot be estimated alone (it needs an earlier call of its batch). */
const UNESTIMATED_CALL_GAS = 1_000_000n;

/** Splits calls into batches, greedily from the first, under the gas and count bounds. */
export function batchesOf(calls: readonly SizedCall[]): SizedCall[][] {
  const batches: SizedCall[][] = [];
  let gas = 0n;
  for (const call of calls) {
    const last = batches.at(-1);
    if (last === undefined || last.length >= SAFE_BATCH_CALLS || gas + call.gas > SAFE_BATCH_GAS) {
      batches.push([call]);
      gas = call.gas;
    } else {
      last.push(call);
      gas += call.gas;
    }
  }
  return batches;
}

const sameContent = (a: SafeTxData, b: SafeTxData) =>
  a.to.toLowerCase() === b.to.toLowerCase() &&
  a.value === b.value &&
  a.data.toLowerCase() === b.data.toLowerCase() &&
  a.operation === b.operation;

/** A Safe, its proposals file, and the signer's protocol-kit session with it. */
export class SafeCommittee {
  private constructor(
    private readonly ctx: CommandContext,
    readonly address: string,
    readonly chainId: bigint,
    readonly signer: HardhatEthersSigner,
    private readonly kit: Safe,
  ) {}

  /** Opens the Safe for `signer`; refuses unless the signer is one of its owners. */
  static async open(
    ctx: CommandContext,
    signer: HardhatEthersSigner,
    safe: string,
    chainId: bigint,
  ): Promise<SafeCommittee> {
    const address = getAddress(safe);
    if ((await ctx.connection.ethers.provider.getCode(address)) === "0x") {
      throw new CommandError(`--safe ${address}: there is no Safe at this address on chain ${chainId}`);
    }
    const recorded = readSafeContracts(ctx.publicationBase, chainId);
    const contractNetworks: ContractNetworksConfig | undefined = recorded && { [chainId.toString()]: recorded };
    const kit = await Safe.init({
      provider: ctx.connection.provider,
      signer: signer.address,
      safeAddress: address,
      contractNetworks,
    });
    if (!(await kit.isOwner(signer.address))) {
      throw new CommandError(
        `${signer.address} is not an owner of Safe ${address} (owners: ${(await kit.getOwners()).join(", ")})`,
      );
    }
    return new SafeCommittee(ctx, address, chainId, signer, kit);
  }

  /** The actor whose calls become this Safe's proposals. */
  actor(): Actor {
    return { address: this.address, signer: this.signer, safe: this, run: (calls, what) => this.propose(calls, what) };
  }

  get file(): string {
    return safeProposalsPath(this.ctx.publicationBase, this.chainId, this.address);
  }

  private read(): SafeProposals {
    if (!existsSync(this.file)) return { chainId: Number(this.chainId), safe: this.address, proposals: [] };
    return JSON.parse(readFileSync(this.file, "utf8")) as SafeProposals;
  }

  private write(proposals: SafeProposals): void {
    proposals.proposals.sort((a, b) => a.tx.nonce - b.tx.nonce || a.proposedBlock - b.proposedBlock);
    writeFileIfChanged(this.file, JSON.stringify(proposals, null, 2) + "\n");
  }

  private async state(): Promise<{ nonce: number; threshold: number; owners: string[] }> {
    const [nonce, threshold, owners] = await Promise.all([
      this.kit.getNonce(),
      this.kit.getThreshold(),
      this.kit.getOwners(),
    ]);
    return { nonce, threshold, owners };
  }

  /** Records the execution of proposals the Safe executed elsewhere (another owner, the dApp). */
  private async refresh(proposals: SafeProposals, nonce: number): Promise<void> {
    const { provider } = this.ctx.connection.ethers;
    for (const p of proposals.proposals) {
      if (p.executed !== undefined || p.tx.nonce >= nonce) continue;
      const [success] = await provider.getLogs({
        address: this.address,
        topics: encodeEventTopics({
          abi: SAFE_ABI,
          eventName: "ExecutionSuccess",
          args: { txHash: p.safeTxHash as Hex },
        }),
        fromBlock: p.proposedBlock,
        toBlock: "latest",
      });
      if (success !== undefined) p.executed = { tx: success.transactionHash, block: success.blockNumber };
    }
  }

  /** The proposals still waiting: not executed, at or above the Safe's nonce (lower ones were replaced). */
  private waiting(proposals: SafeProposals, nonce: number): SafeProposal[] {
    return proposals.proposals.filter((p) => p.executed === undefined && p.tx.nonce >= nonce);
  }

  /** Owners who confirmed a proposal: signatures in the file and approvals on-chain. */
  async confirmations(p: SafeProposal, owners: readonly string[]): Promise<string[]> {
    const onChain = await this.kit.getOwnersWhoApprovedTx(p.safeTxHash);
    const { signed, approved } = await confirmationsOf(this.chainId, this.address, p, owners, onChain);
    return [...signed, ...approved];
  }

  /**
   * What a proposal does, for its owners: its transaction decoded (never only the proposer's words, which the public
   * file may carry from anyone), then the proposer's note, with a warning when the note names another action.
   */
  private what(p: SafeProposal): string {
    const calls = decodeSafeTx(p.tx, knownAddresses(this.ctx.publicationBase, this.chainId, this.address));
    const note = noteMatches(p.description, calls)
      ? `the proposer's note: "${p.description}"`
      : `WARNING: the proposer's note "${p.description}" does not say what the transaction does`;
    return `${calls.map(describeSafeAction).join("; ")}; ${note}`;
  }

  private describe(p: SafeProposal, confirmed: number, threshold: number): string {
    return `Safe transaction ${p.safeTxHash} (nonce ${p.tx.nonce}): ${this.what(p)}; ${confirmed} of ${threshold} confirmations`;
  }

  /** Proposes the calls (sending nothing for any batch already proposed), then executes what is confirmed. */
  async propose(calls: Call[], what: string): Promise<Outcome> {
    const proposals = this.read();
    const { nonce, threshold, owners } = await this.state();
    await this.refresh(proposals, nonce);
    const waiting = this.waiting(proposals, nonce);
    let next = Math.max(nonce, ...waiting.map((p) => p.tx.nonce + 1));
    const { provider } = this.ctx.connection.ethers;
    const sized = await Promise.all(
      calls.map(async (call) => ({
        ...call,
        gas: await provider
          .estimateGas({ from: this.address, to: call.to, data: call.data })
          .catch(() => UNESTIMATED_CALL_GAS),
      })),
    );
    const batches = batchesOf(sized);
    const mine: string[] = [];
    for (const [index, batch] of batches.entries()) {
      const description = batches.length > 1 ? `${what}, part ${index + 1} of ${batches.length}` : what;
      const safeTx = await this.kit.createTransaction({
        transactions: batch.map((call) => ({ to: call.to, value: "0", data: call.data })),
        onlyCalls: true,
        options: { nonce: next },
      });
      const tx = txData(safeTx.data);
      const found = waiting.find((p) => sameContent(p.tx, tx));
      if (found !== undefined) {
        const confirmed = (await this.confirmations(found, owners)).length;
        this.ctx.out.info(`Already proposed: ${this.describe(found, confirmed, threshold)}`);
        mine.push(found.safeTxHash);
        continue;
      }
      const hash = await this.kit.getTransactionHash(safeTx);
      if (hash !== safeTxHash(this.chainId, this.address, tx)) {
        throw new CommandError(`protocol-kit and Kopilka disagree on the hash of Safe transaction ${hash}`);
      }
      const signed = await this.kit.signTransaction(safeTx, "eth_signTypedData_v4");
      const proposal: SafeProposal = {
        safeTxHash: hash,
        description,
        tx,
        signatures: { [this.signer.address.toLowerCase()]: signed.getSignature(this.signer.address)!.data },
        proposedBlock: await this.ctx.connection.ethers.provider.getBlockNumber(),
      };
      proposals.proposals.push(proposal);
      waiting.push(proposal);
      mine.push(hash);
      next++;
      this.write(proposals);
      this.ctx.out.info(`Proposed ${this.describe(proposal, 1, threshold)}`);
    }
    this.write(proposals);
    const receipts = await this.executeReady(proposals);
    const pending = mine.filter(
      (hash) => proposals.proposals.find((p) => p.safeTxHash === hash)?.executed === undefined,
    );
    if (pending.length > 0) {
      this.ctx.out.info(
        `Waiting for the Safe's other owners: each runs "kopilka --safe ${this.address} safe confirm" ` +
          `(or confirms on the dApp's committee page); then run this command again.`,
      );
    }
    return { executed: pending.length === 0, receipts, pending };
  }

  /** Adds the signer's confirmation to every waiting proposal (or to `only`), then executes what is confirmed. */
  async confirm(only?: string): Promise<{ confirmed: string[]; executed: string[] }> {
    const proposals = this.read();
    const { nonce, threshold, owners } = await this.state();
    await this.refresh(proposals, nonce);
    const waiting = this.waiting(proposals, nonce).filter(
      (p) => only === undefined || p.safeTxHash.toLowerCase() === only.toLowerCase(),
    );
    if (only !== undefined && waiting.length === 0) {
      throw new CommandError(`no Safe transaction ${only} waits for confirmations in ${this.file}`);
    }
    const me = this.signer.address.toLowerCase();
    const confirmed: string[] = [];
    for (const p of waiting) {
      const before = await this.confirmations(p, owners);
      if (before.includes(me)) continue;
      this.ctx.out.info(`Confirming ${this.describe(p, before.length, threshold)}`);
      const signed = await this.kit.signTransaction(await this.rebuild(p), "eth_signTypedData_v4");
      p.signatures[me] = signed.getSignature(this.signer.address)!.data;
      confirmed.push(p.safeTxHash);
      this.write(proposals);
      const count = (await this.confirmations(p, owners)).length;
      this.ctx.out.info(
        `Confirmed Safe transaction ${p.safeTxHash} (nonce ${p.tx.nonce}); ${count} of ${threshold} confirmations`,
      );
    }
    const before = new Set(proposals.proposals.filter((p) => p.executed !== undefined).map((p) => p.safeTxHash));
    await this.executeReady(proposals);
    const executed = proposals.proposals
      .filter((p) => p.executed && !before.has(p.safeTxHash))
      .map((p) => p.safeTxHash);
    if (confirmed.length === 0 && executed.length === 0) {
      this.ctx.out.info(`Nothing to confirm for ${this.signer.address} in Safe ${this.address}`);
    }
    return { confirmed, executed };
  }

  /** Every proposal of the file, with its confirmations and state. */
  async list(): Promise<{ proposal: SafeProposal; confirmations: string[]; state: string }[]> {
    const proposals = this.read();
    const { nonce, threshold, owners } = await this.state();
    await this.refresh(proposals, nonce);
    this.write(proposals);
    const listed = [];
    for (const p of proposals.proposals) {
      const confirmations = await this.confirmations(p, owners);
      const state =
        p.executed !== undefined
          ? `executed in ${p.executed.tx}`
          : p.tx.nonce < nonce
            ? "replaced (another transaction took its nonce)"
            : `waiting, ${confirmations.length} of ${threshold} confirmations`;
      this.ctx.out.info(`${p.safeTxHash} nonce ${p.tx.nonce}: ${this.what(p)} - ${state}`);
      listed.push({ proposal: p, confirmations, state });
    }
    if (listed.length === 0) this.ctx.out.info(`No proposals for Safe ${this.address} in ${this.file}`);
    return listed;
  }

  /** protocol-kit's transaction of a stored proposal, checked to hash as the proposal says. */
  private async rebuild(p: SafeProposal) {
    const { to, value, data, operation } = p.tx;
    const safeTx = await this.kit.createTransaction({
      transactions: [{ to, value, data, operation }],
      options: numbers(p.tx),
    });
    const hash = await this.kit.getTransactionHash(safeTx);
    if (hash !== p.safeTxHash || hash !== safeTxHash(this.chainId, this.address, p.tx)) {
      throw new CommandError(`the stored Safe transaction ${p.safeTxHash} in ${this.file} hashes to ${hash}`);
    }
    return safeTx;
  }

  /**
   * Executes, in nonce order from the Safe's nonce, each waiting proposal whose confirmations (with the signer's,
   * who sends the execution) meet the threshold; stops at the first that does not.
   */
  private async executeReady(proposals: SafeProposals): Promise<TransactionReceipt[]> {
    const receipts: TransactionReceipt[] = [];
    for (;;) {
      const { nonce, threshold, owners } = await this.state();
      const p = this.waiting(proposals, nonce).find((candidate) => candidate.tx.nonce === nonce);
      if (p === undefined) break;
      const confirmed = new Set(await this.confirmations(p, owners));
      confirmed.add(this.signer.address.toLowerCase());
      if (confirmed.size < threshold) break;
      const safeTx = await this.rebuild(p);
      for (const [owner, data] of Object.entries(p.signatures)) {
        safeTx.addSignature(new EthSafeSignature(getAddress(owner), data));
      }
      const result = await this.kit.executeTransaction(safeTx);
      const receipt = await this.ctx.connection.ethers.provider.waitForTransaction(result.hash);
      if (receipt === null || receipt.status !== 1 || !executedOk(receipt, p.safeTxHash)) {
        throw new CommandError(`the Safe did not execute ${p.safeTxHash} (transaction ${result.hash})`);
      }
      p.executed = { tx: receipt.hash, block: receipt.blockNumber };
      this.write(proposals);
      receipts.push(receipt);
      this.ctx.out.info(
        `Executed Safe transaction ${p.safeTxHash} (nonce ${p.tx.nonce}) in ${receipt.hash}: ${this.what(p)}`,
      );
    }
    return receipts;
  }
}

/**
 * The addresses of this chain's Kopilka contracts the publication directory records (rounds and their tokens,
 * factories, contests) and the local Safe libraries, to tell a proposal's calls to them from calls elsewhere.
 */
export function knownAddresses(base: string, chainId: bigint, safe: string): KnownAddresses {
  const dir = path.join(base, String(chainId));
  const json = (file: string): Record<string, unknown> | undefined =>
    existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : undefined;
  const entries = existsSync(dir) ? readdirSync(dir) : [];
  const rounds = entries.map((e) => json(path.join(dir, e, "round.json"))).filter((m) => m !== undefined);
  const contests = entries.map((e) => json(path.join(dir, e, "contest.json"))).filter((m) => m !== undefined);
  const addresses = (...values: unknown[]) => values.filter((v): v is string => typeof v === "string");
  const libraries = json(path.join(dir, "safe-contracts.json"));
  return {
    rounds: addresses(...rounds.map((m) => m.round)),
    tokens: addresses(...rounds.map((m) => m.token)),
    factories: addresses(json(path.join(dir, "factory.json"))?.address, ...rounds.map((m) => m.factory)),
    contestFactories: addresses(json(path.join(dir, "contest-factory.json"))?.address),
    contests: addresses(...contests.map((m) => m.contest)),
    safe,
    multiSend: addresses(libraries?.multiSendAddress, libraries?.multiSendCallOnlyAddress),
  };
}

/** Whether the receipt holds the Safe's ExecutionSuccess for this hash (a failed inner call emits ExecutionFailure). */
function executedOk(receipt: TransactionReceipt, hash: string): boolean {
  return receipt.logs.some((log) => {
    try {
      const event = decodeEventLog({ abi: SAFE_ABI, data: log.data as Hex, topics: log.topics as [Hex, ...Hex[]] });
      return event.eventName === "ExecutionSuccess" && event.args.txHash.toLowerCase() === hash.toLowerCase();
    } catch {
      return false;
    }
  });
}

/** The stored form of protocol-kit's transaction data (the same fields; addresses checksummed, numbers plain). */
function txData(data: SafeTxData): SafeTxData {
  return {
    to: getAddress(data.to),
    value: String(data.value),
    data: data.data,
    operation: Number(data.operation),
    safeTxGas: String(data.safeTxGas),
    baseGas: String(data.baseGas),
    gasPrice: String(data.gasPrice),
    gasToken: getAddress(data.gasToken),
    refundReceiver: getAddress(data.refundReceiver),
    nonce: Number(data.nonce),
  };
}

/** protocol-kit's options that rebuild a stored transaction exactly. */
function numbers(tx: SafeTxData) {
  return {
    safeTxGas: tx.safeTxGas,
    baseGas: tx.baseGas,
    gasPrice: tx.gasPrice,
    gasToken: tx.gasToken,
    refundReceiver: tx.refundReceiver,
    nonce: tx.nonce,
  };
}

/** The Safe of `--safe`, opened for the signer, on the checked chain. */
async function openSafe(ctx: CommandContext): Promise<SafeCommittee> {
  if (ctx.safe === undefined) throw new CommandError(`name the Safe: kopilka --safe ADDRESS safe ...`);
  const chainId = await checkNetwork(ctx);
  return await SafeCommittee.open(ctx, await signerFor(ctx), ctx.safe, chainId);
}

/** `kopilka --safe ADDR safe confirm [--tx HASH]`: the signer confirms what waits, and executes what is confirmed. */
export async function confirmSafe(
  ctx: CommandContext,
  options: { tx?: string } = {},
): Promise<{ confirmed: string[]; executed: string[] }> {
  return await (await openSafe(ctx)).confirm(options.tx);
}

/** `kopilka --safe ADDR safe list`: every proposal with its confirmations and state. */
export async function listSafe(ctx: CommandContext) {
  return await (await openSafe(ctx)).list();
}

export interface SafeCreateOptions {
  owners: string[];
  threshold: number;
  /** Tells apart Safes of the same owners and threshold; by default one Safe per owners and threshold. */
  salt?: bigint;
}

/**
 * `kopilka safe create --owner A --owner B --owner C --threshold 2`: a new Safe for the committee, from the CLI. The
 * Safe's address follows from its owners, threshold and salt (protocol-kit predicts it), so running the command
 * again finds the Safe it created and sends nothing. On a local chain without Safe's contracts (Hardhat's or
 * Anvil's), they are deployed first and recorded; public networks carry Safe's own deployments.
 */
export async function createSafeAccount(
  ctx: CommandContext,
  options: SafeCreateOptions,
): Promise<{ address: string; created: boolean; tx?: string }> {
  const problems: string[] = [];
  const owners = options.owners.map((owner) => {
    try {
      return getAddress(owner);
    } catch {
      problems.push(`--owner ${owner} is not an address (or its mixed-case checksum is wrong)`);
      return owner;
    }
  });
  const repeated = owners.filter((owner, i) => owners.indexOf(owner) !== i);
  if (repeated.length > 0) problems.push(`--owner ${repeated[0]} is given twice`);
  if (owners.length === 0) problems.push("name the owners: --owner ADDRESS, once for each");
  if (!Number.isInteger(options.threshold) || options.threshold < 1 || options.threshold > owners.length) {
    problems.push(
      `--threshold must be between 1 and the number of owners (${owners.length}), not ${options.threshold}`,
    );
  }
  if (problems.length > 0) throw new CommandError(problems.join("; "));

  const chainId = await checkNetwork(ctx);
  const signer = await signerFor(ctx);
  let recorded = readSafeContracts(ctx.publicationBase, chainId);
  if (recorded === undefined && (await isLocalDevChain(ctx.connection))) {
    ctx.out.info(`Chain ${chainId} is a local chain without Safe's contracts: deploying them`);
    await deploySafeContracts(signer, ctx.publicationBase, chainId);
    recorded = readSafeContracts(ctx.publicationBase, chainId);
  }
  const contractNetworks: ContractNetworksConfig | undefined = recorded && { [chainId.toString()]: recorded };
  // One Safe per owners and threshold unless a salt says otherwise: the same command finds the same Safe.
  const saltNonce = (
    options.salt ?? BigInt(keccak256(toUtf8Bytes(`kopilka/safe/${owners.join(",")}/${options.threshold}`)))
  ).toString();
  let kit: Safe;
  try {
    kit = await Safe.init({
      provider: ctx.connection.provider,
      signer: signer.address,
      predictedSafe: {
        safeAccountConfig: { owners, threshold: options.threshold },
        safeDeploymentConfig: { saltNonce },
      },
      contractNetworks,
    });
  } catch (error) {
    throw new CommandError(`Safe's contracts are not known on chain ${chainId}: ${(error as Error).message}`);
  }
  const address = getAddress(await kit.getAddress());
  const described = `Safe ${address} (${options.threshold} of ${owners.length}: ${owners.join(", ")})`;
  if (await kit.isSafeDeployed()) {
    ctx.out.info(`${described} already exists: nothing sent`);
    return { address, created: false };
  }
  const deployment = await kit.createSafeDeploymentTransaction();
  const receipt = await sendAndWait(() =>
    signer.sendTransaction({ to: deployment.to, data: deployment.data, value: BigInt(deployment.value) }),
  );
  if ((await ctx.connection.ethers.provider.getCode(address)) === "0x") {
    throw new CommandError(`transaction ${receipt.hash} created no Safe at ${address}`);
  }
  ctx.out.info(`Created ${described} in ${receipt.hash}`);
  ctx.out.info(
    `Committee commands run with --safe ${address} propose to it, e.g. kopilka --safe ${address} round create --spec round.json`,
  );
  return { address, created: true, tx: receipt.hash };
}
