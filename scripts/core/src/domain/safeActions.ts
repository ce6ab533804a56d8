/**
 * What a Safe proposal does, read from its transaction rather than from the words its proposer wrote beside it. The
 * proposals file is public and untrusted (@kopilka/core/safe): an owner asked to confirm must see what the Safe will
 * execute, as Safe's own interface shows it. `decodeSafeTx` decodes a proposal's `to`, `data` and `operation`, a
 * MultiSend batch into its parts, against the ABIs of Kopilka's contracts and the Safe's own owner management, into
 * actions with their parameters; anything else is an unknown call, which the pages show as a warning. The dApp words
 * each action from its locales; the CLI from `describeSafeAction` here.
 */
import {
  decodeFunctionData,
  getAddress,
  hexToBigInt,
  hexToNumber,
  isAddressEqual,
  keccak256,
  parseAbi,
  size,
  slice,
  toHex,
  type Abi,
  type Address,
  type Hex,
} from "viem";

import { budgetTokenAbi, contestAbi, contestFactoryAbi, roundAbi, roundFactoryAbi } from "../generated/contracts.js";
import { implementationStatusKey } from "./implementation.js";
import { rubles } from "./money.js";
import type { SafeTxData } from "./safe.js";

/** The contracts whose addresses the reader knows, to say where each call goes (one committee may run several). */
export interface KnownAddresses {
  rounds?: readonly string[];
  tokens?: readonly string[];
  factories?: readonly string[];
  contestFactories?: readonly string[];
  contests?: readonly string[];
  /** The Safe that executes the proposal: a call to itself changes its owners or threshold. */
  safe?: string;
  /** Safe's MultiSend libraries besides the canonical ones (a local chain's, from `safe-contracts.json`). */
  multiSend?: readonly string[];
}

/** Safe's canonical MultiSend and MultiSendCallOnly deployments, 1.3.0 and 1.4.1 (npm @safe-global/safe-deployments). */
export const CANONICAL_MULTISEND: readonly Address[] = [
  "0xA238CBeb142c10Ef7Ad8442C6D1f9E89e07e7761",
  "0x998739BFdAAdde7C933B942a68053933098f9EDa",
  "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D",
  "0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B",
  "0x38869bf66a61cF6bDB996A6aE40D5853Fd43B526",
  "0x9641d764fc13c8B624c04430C7356C1C7C8102e2",
];

export type SafeTarget = "round" | "token" | "factory" | "contestFactory" | "contest" | "safe" | "unknown";

/** A role of the round's or a contest's access control, by name when it is one of Kopilka's. */
export type RoleLabel = "admin" | "committee" | "minter" | "registrar" | "reporter" | Hex;

export type SafeAction =
  | { kind: "createRound"; name: string; budget: bigint; opensAt: bigint; closesAt: bigint; committee: Address }
  | { kind: "createContest"; name: string; committee: Address }
  | { kind: "addDistrict"; name: string; budget: bigint }
  /** Consecutive addProject calls for one district, grouped: their number and total cost. */
  | { kind: "addProjects"; district: number; count: number; cost: bigint }
  | { kind: "mint"; amount: bigint }
  | { kind: "postResidents"; root: Hex; total?: bigint }
  | { kind: "open" }
  /** Consecutive finalize calls, grouped. */
  | { kind: "finalize"; districts: number[] }
  | { kind: "recordImplementation"; project: number; status: number; amountSpent: bigint; documentHash: Hex }
  | { kind: "grantRole" | "revokeRole"; role: RoleLabel; account: Address }
  | { kind: "changeThreshold"; threshold: number }
  | { kind: "addOwner"; owner: Address; threshold: number }
  | { kind: "removeOwner"; owner: Address; threshold: number }
  | { kind: "swapOwner"; oldOwner: Address; newOwner: Address }
  /** Another function of a Kopilka contract, by name, with its arguments as text. */
  | { kind: "call"; functionName: string; args: string[] }
  /** Nothing Kopilka knows: a selector no ABI here has, a delegatecall outside MultiSend, or a malformed batch. */
  | { kind: "unknown"; selector: Hex; reason: "selector" | "delegatecall" | "malformed" };

export type SafeActionKind = SafeAction["kind"];

/** One decoded call of a proposal: where it goes, whether that address is one the reader knows, and what it does. */
export interface DecodedCall {
  to: Address;
  target: SafeTarget;
  /** Wei the call sends with it (Kopilka's actions send none). */
  value: bigint;
  action: SafeAction;
}

/** The Safe's owner management (Safe 1.3 and 1.4), for proposals that change the committee's Safe itself. */
const SAFE_OWNERS_ABI = parseAbi([
  "function changeThreshold(uint256 threshold)",
  "function addOwnerWithThreshold(address owner, uint256 threshold)",
  "function removeOwner(address prevOwner, address owner, uint256 threshold)",
  "function swapOwner(address prevOwner, address oldOwner, address newOwner)",
]);
const MULTISEND_ABI = parseAbi(["function multiSend(bytes transactions)"]);

const ABIS: Record<Exclude<SafeTarget, "unknown">, Abi> = {
  round: roundAbi,
  token: budgetTokenAbi,
  factory: roundFactoryAbi,
  contestFactory: contestFactoryAbi,
  contest: contestAbi,
  safe: SAFE_OWNERS_ABI,
};

const ROLES: Record<Hex, RoleLabel> = Object.fromEntries([
  [`0x${"00".repeat(32)}`, "admin"],
  ...(["committee", "minter", "registrar", "reporter"] as const).map((name) => [
    keccak256(toHex(`${name.toUpperCase()}_ROLE`)),
    name,
  ]),
]);

const same = (a: string | undefined, b: string) => a !== undefined && isAddressEqual(a as Address, b as Address);

function targetOf(to: Address, known: KnownAddresses): SafeTarget {
  const among = (list: readonly string[] | undefined) => list?.some((a) => same(a, to)) ?? false;
  if (among(known.rounds)) return "round";
  if (among(known.tokens)) return "token";
  if (among(known.factories)) return "factory";
  if (among(known.contestFactories)) return "contestFactory";
  if (among(known.contests)) return "contest";
  if (same(known.safe, to)) return "safe";
  return "unknown";
}

/**
 * The calls a Safe transaction makes, in order, each decoded. A delegatecall (operation 1) is decoded as a batch only
 * when it goes to one of Safe's MultiSend libraries; any other delegatecall could do anything in the Safe's name and
 * is reported as unknown.
 */
export function decodeSafeTx(
  tx: Pick<SafeTxData, "to" | "value" | "data" | "operation">,
  known: KnownAddresses = {},
): DecodedCall[] {
  const to = getAddress(tx.to);
  const data = tx.data as Hex;
  if (tx.operation !== 1) return group([decodeCall(to, BigInt(tx.value), data, known)]);
  const multiSend = [...CANONICAL_MULTISEND, ...(known.multiSend ?? [])].some((m) => same(m, to));
  if (!multiSend) return [unknownCall(to, BigInt(tx.value), data, "delegatecall")];
  let packed: Hex;
  try {
    const decoded = decodeFunctionData({ abi: MULTISEND_ABI, data });
    packed = decoded.args[0];
  } catch {
    return [unknownCall(to, BigInt(tx.value), data, "malformed")];
  }
  return group(unpackMultiSend(to, packed, known));
}

/** MultiSend's packed parts: operation (1 byte), to (20), value (32), data length (32), data. */
function unpackMultiSend(library: Address, packed: Hex, known: KnownAddresses): DecodedCall[] {
  const calls: DecodedCall[] = [];
  const total = size(packed);
  let at = 0;
  while (at < total) {
    if (at + 85 > total) return [...calls, unknownCall(library, 0n, packed, "malformed")];
    const operation = hexToNumber(slice(packed, at, at + 1));
    const to = getAddress(slice(packed, at + 1, at + 21));
    const value = hexToBigInt(slice(packed, at + 21, at + 53));
    const length = Number(hexToBigInt(slice(packed, at + 53, at + 85)));
    if (at + 85 + length > total) return [...calls, unknownCall(library, 0n, packed, "malformed")];
    const data = length === 0 ? "0x" : slice(packed, at + 85, at + 85 + length);
    calls.push(operation === 0 ? decodeCall(to, value, data, known) : unknownCall(to, value, data, "delegatecall"));
    at += 85 + length;
  }
  return calls;
}

function unknownCall(to: Address, value: bigint, data: Hex, reason: "selector" | "delegatecall" | "malformed") {
  const selector = size(data) >= 4 ? slice(data, 0, 4) : data;
  return { to, target: "unknown", value, action: { kind: "unknown", selector, reason } } satisfies DecodedCall;
}

/** Decodes one call against the ABI of the contract it goes to, or, at an address the reader does not know, any. */
function decodeCall(to: Address, value: bigint, data: Hex, known: KnownAddresses): DecodedCall {
  const target = targetOf(to, known);
  const candidates = target === "unknown" ? Object.values(ABIS) : [ABIS[target]];
  for (const abi of candidates) {
    let decoded: { functionName: string; args?: readonly unknown[] };
    try {
      decoded = decodeFunctionData({ abi, data });
    } catch {
      continue;
    }
    return { to, target, value, action: actionOf(decoded.functionName, decoded.args ?? []) };
  }
  return unknownCall(to, value, data, "selector");
}

const roleOf = (role: Hex): RoleLabel => ROLES[role.toLowerCase() as Hex] ?? role;

function actionOf(functionName: string, args: readonly unknown[]): SafeAction {
  const a = args as readonly never[];
  switch (functionName) {
    case "createRound": {
      const config = a[0] as { name: string; budget: bigint; opensAt: bigint; closesAt: bigint; committee: Address };
      const { name, budget, opensAt, closesAt, committee } = config;
      return { kind: "createRound", name, budget, opensAt: BigInt(opensAt), closesAt: BigInt(closesAt), committee };
    }
    case "createContest": {
      const config = a[0] as { name: string; committee: Address };
      return { kind: "createContest", name: config.name, committee: config.committee };
    }
    case "addDistrict":
      return { kind: "addDistrict", name: a[0], budget: a[1] };
    case "addProject":
      return { kind: "addProjects", district: Number(a[0] as bigint), count: 1, cost: a[1] };
    case "mint":
      return { kind: "mint", amount: a[0] };
    case "postBatch":
      return { kind: "postResidents", root: a[0], total: a[1] };
    case "postResidents":
      return { kind: "postResidents", root: a[0] };
    case "open":
      return { kind: "open" };
    case "finalize":
      return { kind: "finalize", districts: [Number(a[0] as bigint)] };
    case "recordImplementation":
      return {
        kind: "recordImplementation",
        project: Number(a[0] as bigint),
        status: Number(a[1]),
        amountSpent: a[2],
        documentHash: a[3],
      };
    case "grantRole":
    case "revokeRole":
      return { kind: functionName, role: roleOf(a[0]), account: getAddress(a[1]) };
    case "changeThreshold":
      return { kind: "changeThreshold", threshold: Number(a[0] as bigint) };
    case "addOwnerWithThreshold":
      return { kind: "addOwner", owner: getAddress(a[0]), threshold: Number(a[1] as bigint) };
    case "removeOwner":
      return { kind: "removeOwner", owner: getAddress(a[1]), threshold: Number(a[2] as bigint) };
    case "swapOwner":
      return { kind: "swapOwner", oldOwner: getAddress(a[1]), newOwner: getAddress(a[2]) };
    default:
      return { kind: "call", functionName, args: args.map(argText) };
  }
}

function argText(arg: unknown): string {
  if (Array.isArray(arg)) return `[${arg.map(argText).join(", ")}]`;
  if (typeof arg === "object" && arg !== null) return `{${Object.values(arg).map(argText).join(", ")}}`;
  return String(arg);
}

/** Groups consecutive addProject calls of one district, and consecutive finalize calls, to the same address. */
function group(calls: DecodedCall[]): DecodedCall[] {
  const grouped: DecodedCall[] = [];
  for (const call of calls) {
    const last = grouped.at(-1);
    const a = call.action;
    const b = last?.action;
    if (last !== undefined && last.to === call.to && last.value === 0n && call.value === 0n) {
      if (a.kind === "addProjects" && b?.kind === "addProjects" && a.district === b.district) {
        last.action = { ...b, count: b.count + a.count, cost: b.cost + a.cost };
        continue;
      }
      if (a.kind === "finalize" && b?.kind === "finalize") {
        last.action = { ...b, districts: [...b.districts, ...a.districts] };
        continue;
      }
    }
    grouped.push({ ...call });
  }
  return grouped;
}

/** Whether a decoded call needs a warning of its own: it is unknown, goes to an unknown address, or sends ether. */
export function isSuspicious(call: DecodedCall): boolean {
  return call.action.kind === "unknown" || call.target === "unknown" || call.value !== 0n;
}

/**
 * The first words of the CLI's description of each kind of action (scripts/cli: "mint 1 500 ₽ in round …",
 * "open round …"): a proposer's note that starts with none of the decoded actions' words does not match them.
 */
const NOTE_WORDS: Record<SafeActionKind, readonly string[]> = {
  createRound: ["create round"],
  createContest: ["create contest"],
  addDistrict: ["add"],
  addProjects: ["add"],
  mint: ["mint"],
  postResidents: ["post"],
  open: ["open"],
  finalize: ["finalize"],
  recordImplementation: ["record"],
  grantRole: ["grant"],
  revokeRole: ["revoke"],
  changeThreshold: ["change threshold"],
  addOwner: ["add owner"],
  removeOwner: ["remove owner"],
  swapOwner: ["swap owner"],
  call: [],
  unknown: [],
};

/**
 * Whether the proposer's note names what the transaction does: it must start with the words of one of the decoded
 * actions (a note saying "open round" over a mint does not). Enough to catch a note that misleads about the kind of
 * action; the amounts and addresses an owner reads from the decoded actions themselves.
 */
export function noteMatches(note: string, calls: readonly DecodedCall[]): boolean {
  const text = note.trim().toLowerCase();
  return calls.some((call) => {
    const words = call.action.kind === "call" ? [call.action.functionName.toLowerCase()] : NOTE_WORDS[call.action.kind];
    return words.some((w) => text.startsWith(w));
  });
}

const TARGET_NAMES: Record<SafeTarget, string> = {
  round: "the round",
  token: "the round's token",
  factory: "the round factory",
  contestFactory: "the contest factory",
  contest: "the contest",
  safe: "this Safe",
  unknown: "an unknown contract",
};

/** A decoded call in English, for the CLI (the dApp words the same actions from its locales). */
export function describeSafeAction(call: DecodedCall): string {
  const a = call.action;
  const where = call.target === "unknown" ? `${TARGET_NAMES.unknown} ${call.to}` : TARGET_NAMES[call.target];
  const text = ((): string => {
    switch (a.kind) {
      case "createRound":
        return `create round "${a.name}" with a budget of ${rubles(a.budget)}, committee ${a.committee}`;
      case "createContest":
        return `create contest "${a.name}", committee ${a.committee}`;
      case "addDistrict":
        return `add district "${a.name}" with a budget of ${rubles(a.budget)}`;
      case "addProjects":
        return `add ${a.count} project(s) costing ${rubles(a.cost)} in all to district ${a.district}`;
      case "mint":
        return `mint ${rubles(a.amount)}`;
      case "postResidents":
        return `post residents with root ${a.root}${a.total === undefined ? "" : ` and ${rubles(a.total)} in all`}`;
      case "open":
        return "open voting";
      case "finalize":
        return `finalize district(s) ${a.districts.join(", ")}`;
      case "recordImplementation":
        return `record project ${a.project}'s implementation: status ${implementationStatusKey(a.status)}, spent ${rubles(a.amountSpent)}`;
      case "grantRole":
        return `grant the ${a.role} role to ${a.account}`;
      case "revokeRole":
        return `revoke the ${a.role} role from ${a.account}`;
      case "changeThreshold":
        return `change the Safe's threshold to ${a.threshold}`;
      case "addOwner":
        return `add owner ${a.owner} to the Safe, threshold ${a.threshold}`;
      case "removeOwner":
        return `remove owner ${a.owner} from the Safe, threshold ${a.threshold}`;
      case "swapOwner":
        return `replace the Safe's owner ${a.oldOwner} with ${a.newOwner}`;
      case "call":
        return `call ${a.functionName}(${a.args.join(", ")})`;
      case "unknown":
        return a.reason === "delegatecall"
          ? `WARNING: delegatecall to ${call.to}, which can do anything in the Safe's name`
          : a.reason === "malformed"
            ? `WARNING: a malformed batch at ${call.to}`
            : `WARNING: unknown call to ${call.to}: ${a.selector}`;
    }
  })();
  const value = call.value === 0n ? "" : ` (WARNING: also sends ${call.value} wei)`;
  return a.kind === "unknown" ? text + value : `${text} (${where})${value}`;
}
