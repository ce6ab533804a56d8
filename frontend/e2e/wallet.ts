/**
 * The test wallet: an EIP-1193 provider injected before any page script runs and announced through EIP-6963, as
 * a browser extension would. Reads go to the node; transactions and typed data (eth_signTypedData_v4) are signed
 * in the test process by an ethers
 * Wallet holding the test key (exposed to the page as a function), so the dApp sees exactly what a real wallet
 * gives it: a hash, or a rejection with code 4001.
 */
import type { BrowserContext } from "playwright-core";
import type { HDNodeWallet, TransactionRequest, TypedDataDomain, TypedDataField } from "ethers";

export interface TestWalletOptions {
  wallet: HDNodeWallet;
  rpcUrl: string;
  /** The chain the wallet starts on; a different one than the node's shows the wrong-network prompt. */
  startChainId: number;
  nodeChainId: number;
}

export async function installTestWallet(context: BrowserContext, options: TestWalletOptions): Promise<void> {
  await context.exposeFunction("kopilkaSendTransaction", async (tx: Record<string, string>) => {
    const request: TransactionRequest = { to: tx.to, data: tx.data, value: tx.value ? BigInt(tx.value) : 0n };
    if (tx.gas) request.gasLimit = BigInt(tx.gas);
    // Asked with a raw request: ethers caches identical provider calls for 250 ms, and transactions sent back to
    // back (the committee's setup) would otherwise get the same nonce.
    const provider = options.wallet.provider as unknown as { send(method: string, params: unknown[]): Promise<string> };
    request.nonce = Number(await provider.send("eth_getTransactionCount", [options.wallet.address, "pending"]));
    const sent = await options.wallet.sendTransaction(request);
    return sent.hash;
  });
  // eth_signTypedData_v4: the page passes the typed data as JSON; ethers derives the domain type itself.
  await context.exposeFunction("kopilkaSignTypedData", async (json: string) => {
    const { domain, types, message } = JSON.parse(json) as {
      domain: TypedDataDomain;
      types: Record<string, TypedDataField[]>;
      message: Record<string, unknown>;
    };
    const { EIP712Domain: _, ...rest } = types;
    return options.wallet.signTypedData(domain, rest, message);
  });
  const settings = {
    address: options.wallet.address,
    rpcUrl: options.rpcUrl,
    startChainId: options.startChainId,
    nodeChainId: options.nodeChainId,
  };
  // `__name` covers the helper tsx/esbuild may insert into the serialized function.
  await context.addInitScript(`var __name = (f) => f; (${pageWallet.toString()})(${JSON.stringify(settings)});`);
}

/** Runs in the page. Kept free of imports: it is serialized with toString(). */
function pageWallet(settings: { address: string; rpcUrl: string; startChainId: number; nodeChainId: number }): void {
  type Listener = (value: unknown) => void;
  const listeners: Record<string, Listener[]> = {};
  // Like an extension, the wallet remembers which site it authorized and which chain it is on across reloads.
  const saved = JSON.parse(localStorage.getItem("kopilkaTestWallet") ?? "{}") as {
    chainId?: number;
    accounts?: string[];
  };
  const state = { chainId: saved.chainId ?? settings.startChainId, accounts: saved.accounts ?? [] };
  const save = (): void => localStorage.setItem("kopilkaTestWallet", JSON.stringify(state));
  const hex = (n: number): string => "0x" + n.toString(16);
  const emit = (event: string, value: unknown): void => (listeners[event] ?? []).forEach((f) => f(value));
  const fail = (code: number, message: string): Error => Object.assign(new Error(message), { code });
  const w = window as unknown as {
    kopilkaSendTransaction(tx: unknown): Promise<string>;
    kopilkaSignTypedData(json: string): Promise<string>;
    kopilkaRejectNext?: boolean;
  };
  let id = 0;
  const forward = async (method: string, params: unknown): Promise<unknown> => {
    const response = await fetch(settings.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }),
    });
    const body = (await response.json()) as {
      result?: unknown;
      error?: { code: number; message: string; data?: unknown };
    };
    if (body.error) throw Object.assign(fail(body.error.code, body.error.message), { data: body.error.data });
    return body.result;
  };
  const provider = {
    async request({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> {
      switch (method) {
        case "eth_requestAccounts":
          state.accounts = [settings.address];
          save();
          emit("accountsChanged", state.accounts);
          return state.accounts;
        case "eth_accounts":
          return state.accounts;
        case "eth_chainId":
          return hex(state.chainId);
        case "net_version":
          return String(state.chainId);
        case "wallet_switchEthereumChain": {
          const wanted = Number(BigInt((params as [{ chainId: string }])[0].chainId));
          if (wanted !== settings.nodeChainId && wanted !== settings.startChainId)
            throw fail(4902, "Unrecognized chain");
          state.chainId = wanted;
          save();
          emit("chainChanged", hex(wanted));
          return null;
        }
        case "wallet_addEthereumChain":
          return null;
        case "wallet_requestPermissions":
          return [{ parentCapability: "eth_accounts" }];
        case "wallet_revokePermissions":
          state.accounts = [];
          save();
          return null;
        case "eth_sendTransaction": {
          if (w.kopilkaRejectNext) {
            w.kopilkaRejectNext = false;
            throw fail(4001, "User rejected the request.");
          }
          if (state.chainId !== settings.nodeChainId) throw fail(4901, "The wallet is on another chain");
          return w.kopilkaSendTransaction((params as unknown[])[0]);
        }
        case "eth_signTypedData_v4": {
          if (w.kopilkaRejectNext) {
            w.kopilkaRejectNext = false;
            throw fail(4001, "User rejected the request.");
          }
          const [signer, json] = params as [string, string];
          if (signer.toLowerCase() !== settings.address.toLowerCase()) throw fail(4100, "Unknown account");
          return w.kopilkaSignTypedData(json);
        }
        default:
          if (state.chainId !== settings.nodeChainId && method === "eth_call") throw fail(4901, "wrong chain");
          return forward(method, params);
      }
    },
    on(event: string, listener: Listener) {
      (listeners[event] ??= []).push(listener);
      return provider;
    },
    removeListener(event: string, listener: Listener) {
      listeners[event] = (listeners[event] ?? []).filter((f) => f !== listener);
      return provider;
    },
  };
  const info = {
    uuid: "5c1b1f4e-6a4d-4a43-9a53-7c1f0e1d2b3a",
    name: "Kopilka Test Wallet",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='24' height='24'%3E%3Crect width='24' height='24' fill='%230b5cad'/%3E%3C/svg%3E",
    rdns: "org.kopilka.testwallet",
  };
  const announce = (): void => {
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  };
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
}
