/**
 * How the resident services send a transaction they pay for: signed first (so that it can be recorded, with its
 * hash, before anyone sees it), broadcast (again, harmlessly, after a crash), its receipt polled for, and, when it
 * sits below the market's fee, signed again with the same nonce and calldata and higher fees. The relayer's
 * submitter (ballots) and the contest's relay (initiatives, co-signatures, score sheets) both send this way; what
 * they record and how they settle is their own.
 */
import { Transaction, type TransactionReceipt, type TransactionRequest, type Wallet } from "ethers";

const RECEIPT_POLL_MS = 100;

export class Sender {
  constructor(readonly wallet: Wallet) {}

  get provider() {
    return this.wallet.provider!;
  }

  /** Signs a type-2 transaction at the market's fees; returns the raw bytes and their hash. */
  async sign(
    request: TransactionRequest & { nonce: number; gasLimit: bigint },
  ): Promise<{ raw: string; hash: string }> {
    const fees = await this.provider.getFeeData();
    const network = await this.provider.getNetwork();
    const raw = await this.wallet.signTransaction({
      type: 2,
      chainId: network.chainId,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      ...request,
    });
    return { raw, hash: Transaction.from(raw).hash! };
  }

  /** Broadcasts signed bytes; a transaction the node already has is not an error. */
  async broadcast(raw: string): Promise<void> {
    try {
      await this.provider.broadcastTransaction(raw);
    } catch (error) {
      if (!/already known|known transaction|nonce too low/i.test(String(error))) throw error;
    }
  }

  /** The receipt of a transaction under any of its hashes (a replaced one may be mined instead), or null. */
  async mined(hashes: string[]): Promise<TransactionReceipt | null> {
    for (const hash of hashes) {
      const receipt = await this.provider.getTransactionReceipt(hash);
      if (receipt) return receipt;
    }
    return null;
  }

  /**
   * Polls for the receipt. Not `waitForTransaction`: it waits for a block after the one it last saw, and a chain
   * that mines only on demand may never make another while the sender waits.
   */
  async receipt(hashes: string[], timeoutMs: number): Promise<TransactionReceipt | null> {
    for (const started = Date.now(); Date.now() - started < timeoutMs;) {
      const receipt = await this.mined(hashes);
      if (receipt) return receipt;
      await new Promise((resolve) => setTimeout(resolve, RECEIPT_POLL_MS));
    }
    return null;
  }

  /**
   * The same transaction signed again with higher fees (at least the market's, and 12.5% over its own, which nodes
   * require of a replacement), when it is stuck below the market's fee; undefined when it is not. The caller
   * records the replacement before broadcasting it.
   */
  async replacement(raw: string): Promise<{ raw: string; hash: string } | undefined> {
    const stuck = Transaction.from(raw);
    const fees = await this.provider.getFeeData();
    const market = fees.maxFeePerGas ?? 0n;
    if (stuck.maxFeePerGas === null || stuck.maxFeePerGas >= market) return undefined;
    const bump = (fee: bigint) => (fee * 1125n) / 1000n + 1n;
    const maxPriorityFeePerGas = max(fees.maxPriorityFeePerGas ?? 0n, bump(stuck.maxPriorityFeePerGas ?? 0n));
    const replaced = await this.wallet.signTransaction({
      type: 2,
      chainId: stuck.chainId,
      nonce: stuck.nonce,
      to: stuck.to,
      data: stuck.data,
      gasLimit: stuck.gasLimit,
      maxFeePerGas: max(market, bump(stuck.maxFeePerGas), maxPriorityFeePerGas),
      maxPriorityFeePerGas,
    });
    return { raw: replaced, hash: Transaction.from(replaced).hash! };
  }
}

function max(...values: bigint[]): bigint {
  return values.reduce((a, b) => (a > b ? a : b));
}
