/**
 * The built-in dev wallet for the local chain, so a newcomer can vote without installing anything: an EIP-1193
 * provider whose accounts are `hardhat node`'s own unlocked accounts; the node signs. It is offered only on chain
 * 31337 (see devWalletAllowed), where those accounts' keys are public knowledge anyway.
 */
import type { KopilkaConfig } from "../config.js";

const ACCOUNT_KEY = "kopilka.devAccount";
/** Set when the reader chose the dev wallet, so that it reconnects on the next visit and never connects unasked. */
const CONNECTED_KEY = "kopilka.devConnected";

interface RpcError extends Error {
  code: number;
}

function rpcError(code: number, message: string): RpcError {
  return Object.assign(new Error(message), { code });
}

async function rpc(url: string, method: string, params: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }),
  });
  const body = (await response.json()) as {
    result?: unknown;
    error?: { code: number; message: string; data?: unknown };
  };
  if (body.error) throw Object.assign(rpcError(body.error.code, body.error.message), { data: body.error.data });
  return body.result;
}

export async function devAccounts(config: KopilkaConfig): Promise<string[]> {
  return (await rpc(config.rpcUrl, "eth_accounts", [])) as string[];
}

export function selectedDevAccount(): number {
  return Number(localStorage.getItem(ACCOUNT_KEY) ?? "5");
}

export function selectDevAccount(index: number): void {
  localStorage.setItem(ACCOUNT_KEY, String(index));
}

export function devWalletProvider(config: KopilkaConfig) {
  const chainHex = "0x" + config.chainId.toString(16);
  const account = async (): Promise<string[]> => {
    const all = await devAccounts(config);
    return [all[selectedDevAccount()] ?? all[0]];
  };
  return {
    isDevWallet: true,
    on: () => undefined,
    removeListener: () => undefined,
    async request({ method, params }: { method: string; params?: unknown }): Promise<unknown> {
      switch (method) {
        case "eth_requestAccounts":
          localStorage.setItem(CONNECTED_KEY, "1");
          return account();
        case "eth_accounts":
          return localStorage.getItem(CONNECTED_KEY) ? account() : [];
        case "eth_chainId":
          return chainHex;
        case "wallet_switchEthereumChain": {
          const wanted = (params as [{ chainId: string }])[0].chainId;
          if (BigInt(wanted) !== BigInt(chainHex)) throw rpcError(4902, "the dev wallet knows only the local chain");
          return null;
        }
        case "wallet_requestPermissions":
          return [{ parentCapability: "eth_accounts" }];
        case "wallet_revokePermissions":
          localStorage.removeItem(CONNECTED_KEY);
          return null;
        default:
          return rpc(config.rpcUrl, method, params);
      }
    },
  };
}
