/**
 * The one typed reader of a round's contracts, over the generated ABIs: the dApp, the auditor, the relayer and the
 * CLI read a round's settings, districts, projects, batches and balances through it. Each read is one plain
 * `eth_call` (typed like viem's `readContract`, without the machinery viem brings for writes and error reports,
 * which every read-only page would otherwise carry); calls made in the same tick go out as one JSON-RPC batch
 * when the transport batches, so a page on a slow link pays one round trip for all of them.
 */
import {
  decodeFunctionResult,
  encodeDeployData,
  encodeFunctionData,
  prepareEncodeFunctionData,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type DecodeFunctionResultParameters,
  type EncodeFunctionDataParameters,
  type Hex,
} from "viem";

import {
  airdropReadAbi,
  balancesReaderAbi,
  balancesReaderBytecode,
  budgetTokenReadAbi,
  piggyBankReadAbi,
  roundReadAbi,
} from "../generated/reads.js";
import type { HolderKind } from "../domain/holder.js";
import type { ImplementationStatus } from "../domain/implementation.js";
import type { Phase } from "../domain/phase.js";
import type { Rule } from "../domain/rule.js";
import type { ROLE_NAMES } from "../domain/spec.js";
import { inPool, type Eip1193Provider } from "./rpc.js";

type ReadFunction<abi extends Abi> = ContractFunctionName<abi, "pure" | "view">;

/** A block number as a JSON-RPC block tag, or a tag ("latest"). */
export type BlockTag = bigint | number | "latest" | "pending" | "safe" | "finalized";

const tagOf = (block: BlockTag): string => (typeof block === "string" ? block : `0x${block.toString(16)}`);

/**
 * The function's ABI item and selector, hashed once per function rather than once per call (a page that reads a
 * district's projects makes dozens of calls to a handful of functions, and each selector is a keccak). An overloaded
 * name is prepared at every call, since its arguments choose the item.
 */
const preparedCalls = new WeakMap<Abi, Map<string, { abi: Abi; functionName: Hex }>>();

function prepared(call: { abi: Abi; functionName: string; args?: unknown }): {
  abi: Abi;
  functionName: Hex;
} {
  const prepare = () =>
    prepareEncodeFunctionData(call as unknown as EncodeFunctionDataParameters) as { abi: Abi; functionName: Hex };
  const overloads = call.abi.filter((item) => item.type === "function" && item.name === call.functionName).length;
  if (overloads !== 1) return prepare();
  let byName = preparedCalls.get(call.abi);
  if (!byName) preparedCalls.set(call.abi, (byName = new Map()));
  let hit = byName.get(call.functionName);
  if (!hit) byName.set(call.functionName, (hit = prepare()));
  return hit;
}

/** A view call as one `eth_call` at `block`, typed by the ABI. */
export async function read<
  const abi extends Abi,
  name extends ReadFunction<abi>,
  const args extends ContractFunctionArgs<abi, "pure" | "view", name>,
>(
  rpc: Eip1193Provider,
  call: { address: Address | string; abi: abi; functionName: name; args?: args },
  block: BlockTag = "latest",
): Promise<ContractFunctionReturnType<abi, "pure" | "view", name, args>> {
  const data = encodeFunctionData({ ...prepared(call), args: call.args } as unknown as EncodeFunctionDataParameters);
  const result = (await rpc.request({
    method: "eth_call",
    params: [{ to: call.address, data }, tagOf(block)],
  })) as Hex;
  return decodeFunctionResult({ ...call, data: result } as unknown as DecodeFunctionResultParameters) as never;
}

/** Everything a round is created with and where it stands: what every reader of a round asks first. */
export interface RoundSettings {
  name: string;
  token: Address;
  airdrop: Address;
  ballotBox: Address;
  budget: bigint;
  opensAt: bigint;
  closesAt: bigint;
  rule: Rule;
  minTokens: bigint;
  minSupporters: bigint;
  /** The declared allowance of a resident in kopecks (0: none declared). */
  allowance: bigint;
  /** Whether residents enrolled by phone are bound to the district they chose. */
  residentsBound: boolean;
  opened: boolean;
  phase: Phase;
  districtCount: number;
  projectCount: number;
}

export interface DistrictState {
  name: string;
  budget: bigint;
  projectCount: number;
  finalized: boolean;
  funded: bigint;
}

export interface ProjectState {
  bank: Address;
  district: number;
  cost: bigint;
  category: number;
  funded: boolean;
}

export interface ImplementationState {
  status: ImplementationStatus;
  amountSpent: bigint;
  documentHash: Hex;
}

export interface BatchState {
  root: Hex;
  total: bigint;
  claimed: bigint;
}

/** `balanceOf` answers one deployless call gives: the answer is returned as code, capped at 24,576 bytes. */
const BALANCES_PER_CALL = 700;

/** The roles a round grants, by the names a round spec and the committee's tool use (the admin's is apart). */
export type RoleName = Exclude<(typeof ROLE_NAMES)[number], "admin">;

/** The round's getter of each role's id. */
const ROLE_GETTERS = {
  committee: "COMMITTEE_ROLE",
  minter: "MINTER_ROLE",
  registrar: "REGISTRAR_ROLE",
  reporter: "REPORTER_ROLE",
} as const satisfies Record<RoleName, ReadFunction<typeof roundReadAbi>>;

/** Every role a round grants. */
export const ROUND_ROLES = Object.keys(ROLE_GETTERS) as readonly RoleName[];

type ReadArgs<abi extends Abi, name extends ReadFunction<abi>> = ContractFunctionArgs<abi, "pure" | "view", name>;

/** Reads one round's contracts at one block (by default the latest). */
export class RoundReader {
  constructor(
    readonly rpc: Eip1193Provider,
    readonly round: Address | string,
    readonly block: BlockTag = "latest",
  ) {}

  /** The same round at another block. */
  at(block: BlockTag): RoundReader {
    return new RoundReader(this.rpc, this.round, block);
  }

  /** A view of the round. */
  private ofRound<
    name extends ReadFunction<typeof roundReadAbi>,
    const args extends ReadArgs<typeof roundReadAbi, name>,
  >(functionName: name, args?: args) {
    return read(this.rpc, { address: this.round, abi: roundReadAbi, functionName, args }, this.block);
  }

  /** A view of the round's token at `token`. */
  private ofToken<
    name extends ReadFunction<typeof budgetTokenReadAbi>,
    const args extends ReadArgs<typeof budgetTokenReadAbi, name>,
  >(token: Address | string, functionName: name, args?: args) {
    return read(this.rpc, { address: token, abi: budgetTokenReadAbi, functionName, args }, this.block);
  }

  /** A view of the round's airdrop at `airdrop`. */
  private ofAirdrop<
    name extends ReadFunction<typeof airdropReadAbi>,
    const args extends ReadArgs<typeof airdropReadAbi, name>,
  >(airdrop: Address | string, functionName: name, args?: args) {
    return read(this.rpc, { address: airdrop, abi: airdropReadAbi, functionName, args }, this.block);
  }

  /** The round's settings and phase, all asked for in the same tick. */
  async settings(): Promise<RoundSettings> {
    const [name, token, airdrop, ballotBox, budget, opensAt, closesAt, rule, minTokens, minSupporters, ...rest] =
      await Promise.all([
        this.ofRound("name"),
        this.ofRound("token"),
        this.ofRound("airdrop"),
        this.ofRound("ballotBox"),
        this.ofRound("budget"),
        this.ofRound("opensAt"),
        this.ofRound("closesAt"),
        this.ofRound("rule"),
        this.ofRound("minTokens"),
        this.ofRound("minSupporters"),
        this.ofRound("allowance"),
        this.ofRound("residentsBound"),
        this.ofRound("opened"),
        this.ofRound("phase"),
        this.ofRound("districtCount"),
        this.ofRound("projectCount"),
      ]);
    const [allowance, residentsBound, opened, phase, districtCount, projectCount] = rest;
    return {
      name,
      token,
      airdrop,
      ballotBox,
      budget,
      opensAt,
      closesAt,
      rule: rule as Rule,
      minTokens,
      minSupporters: BigInt(minSupporters),
      allowance,
      residentsBound,
      opened,
      phase: phase as Phase,
      districtCount: Number(districtCount),
      projectCount: Number(projectCount),
    };
  }

  async district(id: number | bigint): Promise<DistrictState> {
    const d = await this.ofRound("district", [BigInt(id)]);
    return { name: d.name, budget: d.budget, projectCount: d.projectCount, finalized: d.finalized, funded: d.funded };
  }

  /** The ids of a district's projects, in the order they were added. */
  async districtProjectIds(district: number | bigint): Promise<number[]> {
    return (await this.ofRound("districtProjectIds", [BigInt(district)])).map(Number);
  }

  async project(id: number | bigint): Promise<ProjectState> {
    const p = await this.ofRound("project", [BigInt(id)]);
    return { bank: p.bank, district: p.district, cost: p.cost, category: p.category, funded: p.funded };
  }

  async implementationOf(id: number | bigint): Promise<ImplementationState> {
    const i = await this.ofRound("implementationOf", [BigInt(id)]);
    return { status: i.status as ImplementationStatus, amountSpent: i.amountSpent, documentHash: i.documentHash };
  }

  /** Tokens `voter` has put into `bank`. */
  depositOf(bank: Address | string, voter: Address | string): Promise<bigint> {
    return this.ofRound("depositOf", [bank as Address, voter as Address]);
  }

  /** Voters with tokens in `bank`. */
  supportersOf(bank: Address | string): Promise<bigint> {
    return this.ofRound("supportersOf", [bank as Address]);
  }

  /** Whether `account` holds `role` in the round. */
  async hasRole(role: RoleName, account: Address | string): Promise<boolean> {
    return await this.ofRound("hasRole", [await this.ofRound(ROLE_GETTERS[role]), account as Address]);
  }

  /** The hash of a project's metadata file, as its piggy bank holds it. */
  metadataHash(bank: Address | string): Promise<Hex> {
    return read(this.rpc, { address: bank, abi: piggyBankReadAbi, functionName: "metadataHash" }, this.block);
  }

  async batch(airdrop: Address | string, id: number | bigint): Promise<BatchState> {
    const b = await this.ofAirdrop(airdrop, "batch", [BigInt(id)]);
    return { root: b.root, total: b.total, claimed: b.claimed };
  }

  async batchCount(airdrop: Address | string): Promise<number> {
    return Number(await this.ofAirdrop(airdrop, "batchCount"));
  }

  /** What the airdrop's posted batches add up to. */
  postedTotal(airdrop: Address | string): Promise<bigint> {
    return this.ofAirdrop(airdrop, "postedTotal");
  }

  /** What residents have claimed from the airdrop so far. */
  claimedTotal(airdrop: Address | string): Promise<bigint> {
    return this.ofAirdrop(airdrop, "claimedTotal");
  }

  totalSupply(token: Address | string): Promise<bigint> {
    return this.ofToken(token, "totalSupply");
  }

  /** What the token says `account` is and the district its tokens are bound to. */
  async holderOf(token: Address | string, account: Address | string): Promise<{ kind: HolderKind; district: number }> {
    const [kind, district] = await this.ofToken(token, "holderOf", [account as Address]);
    return { kind: kind as HolderKind, district };
  }

  /** The nonce `account`'s next signed ballot must carry. */
  nonceOf(token: Address | string, account: Address | string): Promise<bigint> {
    return this.ofToken(token, "nonceOf", [account as Address]);
  }

  balanceOf(token: Address | string, account: Address | string): Promise<bigint> {
    return balanceOf(this.rpc, token, account, this.block);
  }

  /** `balanceOf` of many accounts in few requests (see `balancesOf`). */
  balancesOf(token: Address | string, accounts: readonly string[], concurrency = 8): Promise<bigint[]> {
    return balancesOf(this.rpc, token, accounts, this.block, concurrency);
  }
}

export async function balanceOf(
  rpc: Eip1193Provider,
  token: Address | string,
  account: Address | string,
  block: BlockTag = "latest",
): Promise<bigint> {
  return await read(
    rpc,
    { address: token, abi: budgetTokenReadAbi, functionName: "balanceOf", args: [account as Address] },
    block,
  );
}

/**
 * `balanceOf` of many accounts in few requests: `BalancesReader` (contracts/readers) run as a deployless `eth_call`,
 * 700 accounts a call, `concurrency` calls at a time. A plain `eth_call`, so any endpoint runs it; one that refuses
 * it (or answers oddly) gets one `eth_call` per account.
 */
export async function balancesOf(
  rpc: Eip1193Provider,
  token: Address | string,
  accounts: readonly string[],
  block: BlockTag = "latest",
  concurrency = 8,
): Promise<bigint[]> {
  const chunks = Math.ceil(accounts.length / BALANCES_PER_CALL);
  const parts = await inPool(chunks, concurrency, async (c) => {
    const slice = accounts.slice(c * BALANCES_PER_CALL, (c + 1) * BALANCES_PER_CALL) as Address[];
    try {
      const data = encodeDeployData({
        abi: balancesReaderAbi,
        bytecode: balancesReaderBytecode,
        args: [token as Address, slice],
      });
      const answer = (await rpc.request({ method: "eth_call", params: [{ data }, tagOf(block)] })) as Hex;
      const balances = decodeFunctionResult({ abi: BALANCES_ANSWER, functionName: "balances", data: answer });
      if (balances.length === slice.length) return [...balances];
    } catch {
      // fall through to one call per account
    }
    return await Promise.all(slice.map((account) => balanceOf(rpc, token, account, block)));
  });
  return parts.flat();
}

/** The shape of `BalancesReader`'s answer, to decode it with. */
const BALANCES_ANSWER = [
  {
    type: "function",
    name: "balances",
    stateMutability: "view",
    inputs: [],
    outputs: [{ type: "uint256[]", name: "" }],
  },
] as const;
