/** What went wrong with a wallet request, in one line: the contract's error by name, or the wallet's own words. */
import { BaseError, UserRejectedRequestError } from "viem";

/** Explains a failed or rejected transaction in one line. */
export function errorReason(error: unknown): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => (e as { data?: { errorName?: string } }).data?.errorName !== undefined) as {
      data?: { errorName: string; args?: readonly unknown[] };
    } | null;
    if (reverted?.data) return `${reverted.data.errorName}(${(reverted.data.args ?? []).map(String).join(", ")})`;
    return error.shortMessage;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Whether the person refused the request in their wallet (EIP-1193 code 4001). */
export function isRejection(error: unknown): boolean {
  if (error instanceof BaseError) return error.walk((e) => e instanceof UserRejectedRequestError) !== null;
  return (error as { code?: number })?.code === 4001;
}
