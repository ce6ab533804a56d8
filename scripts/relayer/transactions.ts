/**
 * What the relayer's submitter and the enrollment service's poster share about a transaction they signed and recorded:
 * broadcasting the same bytes again, waiting for its receipt under any hash it was signed with, and signing it again
 * with higher fees when it is stuck below the market's.
 */
import { Transaction, type Provider, type TransactionReceipt, type Wallet } from "ethers";

const RECEIPT_POLL_MS = 100;

/** Broadcasts signed bytes; a node that has them already, or has mined them, is not an error. */
export async function broadcast(provider: Provider, raw: string): Promise<void> {
  try {
    await provider.broadcastTransaction(raw);
  } catch (error) {
    if (!/already known|known transaction|nonce too low/i.test(String(error))) throw error;
  }
}

/** The receipt of a transaction under any of its hashes (a replaced one may be mined instead of its replacement). */
export async function minedOf(provider: Provider, hashes: readonly string[]): Promise<TransactionReceipt | null> {
  for (const hash of hashes) {
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt) return receipt;
  }
  return null;
}

/**
 * Polls for the receipt until `timeoutMs`. Not `waitForTransaction`: it waits for a block after the one it last saw,
 * and a chain that mines only on demand may never make another while the caller waits.
 */
export async function receiptOf(
  provider: Provider,
  hashes: readonly string[],
  timeoutMs: number,
): Promise<TransactionReceipt | null> {
  for (const started = Date.now(); Date.now() - started < timeoutMs;) {
    const receipt = await minedOf(provider, hashes);
    if (receipt) return receipt;
    await new Promise((resolve) => setTimeout(resolve, RECEIPT_POLL_MS));
  }
  return null;
}

/**
 * A transaction stuck below the market's fee, signed again with the same nonce and calldata and higher fees (at least
 * the market's, and 12.5% over its own, which nodes require of a replacement): the new signed bytes and hash, to be
 * recorded before they are broadcast. Undefined when its fee is not below the market's (it waits for another reason).
 */
export async function replacementIfUnderpriced(
  wallet: Wallet,
  raw: string,
): Promise<{ raw: string; hash: string } | undefined> {
  const stuck = Transaction.from(raw);
  const fees = await wallet.provider!.getFeeData();
  const market = fees.maxFeePerGas ?? 0n;
  if (stuck.maxFeePerGas === null || stuck.maxFeePerGas >= market) return undefined;
  const bump = (fee: bigint) => (fee * 1125n) / 1000n + 1n;
  const maxPriorityFeePerGas = max(fees.maxPriorityFeePerGas ?? 0n, bump(stuck.maxPriorityFeePerGas ?? 0n));
  const replacement = await wallet.signTransaction({
    type: 2,
    chainId: stuck.chainId,
    nonce: stuck.nonce,
    to: stuck.to,
    data: stuck.data,
    gasLimit: stuck.gasLimit,
    maxFeePerGas: max(market, bump(stuck.maxFeePerGas), maxPriorityFeePerGas),
    maxPriorityFeePerGas,
  });
  return { raw: replacement, hash: Transaction.from(replacement).hash! };
}

function max(...values: bigint[]): bigint {
  return values.reduce((a, b) => (a > b ? a : b));
}
