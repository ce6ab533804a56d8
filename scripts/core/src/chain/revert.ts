/**
 * Why the chain refused a transaction, in the contracts' own words. Clients report a revert differently: Hardhat
 * names the custom error itself, Anvil and most public endpoints give only its data ("custom error 0xdcc5c2e4:
 * 0000…", or a `data` field), and a transaction that was mined and failed carries none. This finds the revert data
 * wherever a client put it and decodes it with every Kopilka contract's ABI, so the same refusal reads the same
 * whichever node answered.
 */
import { decodeErrorResult, type Abi, type Hex } from "viem";

import * as contracts from "../generated/contracts.js";

/** Every custom error of the contracts, gathered on first use. */
let errors: Abi | undefined;
const contractErrors = (): Abi =>
  (errors ??= Object.values(contracts as Record<string, Abi>)
    .flat()
    .filter((item) => item.type === "error"));

const REVERT_DATA = /^0x[0-9a-fA-F]{8}(?:[0-9a-fA-F]{64})*$/;

/** The revert data an error carries, looked for in its `data` fields and in the text clients write it into. */
export function revertData(error: unknown): Hex | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): Hex | undefined => {
    if (value === null || value === undefined || depth > 6 || seen.has(value)) return undefined;
    if (typeof value === "string") {
      if (REVERT_DATA.test(value)) return value as Hex;
      const written = /custom error (0x[0-9a-fA-F]{8}):? ?([0-9a-fA-F]*)/.exec(value);
      return written ? (`${written[1]}${written[2]}` as Hex) : undefined;
    }
    if (typeof value !== "object") return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    for (const key of ["data", "error", "info", "cause", "revert", "message", "shortMessage", "details"]) {
      const found = visit(record[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error, 0);
}

/** A Kopilka contract's custom error in an error, as `Name(arg, ...)`; undefined when there is none to decode. */
export function revertReason(error: unknown): string | undefined {
  const data = revertData(error);
  if (data === undefined) return undefined;
  try {
    const decoded = decodeErrorResult({ abi: contractErrors(), data });
    const args = (decoded.args ?? []).map((arg) => (typeof arg === "bigint" ? arg.toString() : String(arg)));
    return `${decoded.errorName}(${args.join(", ")})`;
  } catch {
    return `an error the Kopilka contracts do not declare (data ${data.slice(0, 10)}…)`;
  }
}
