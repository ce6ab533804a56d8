import {
  createClient,
  decodeFunctionResult,
  defineChain,
  encodeFunctionData,
  http,
  type Abi,
  type Address,
  type Chain,
  type Client,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type DecodeFunctionResultParameters,
  type EncodeFunctionDataParameters,
  type HttpTransport,
} from "viem";

import type { KopilkaConfig } from "./config.js";

export function chainOf(config: KopilkaConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.chainName ?? `Chain ${config.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [new URL(config.rpcUrl, location.href).toString()] } },
  });
}

export type ReadClient = Client<HttpTransport, Chain>;

/** A read-only client; calls made in the same tick go out as one JSON-RPC batch (one round trip on slow links). */
export function readClient(config: KopilkaConfig): ReadClient {
  return createClient({ chain: chainOf(config), transport: http(undefined, { batch: { batchSize: 500 } }) });
}

type ReadFunction<abi extends Abi> = ContractFunctionName<abi, "pure" | "view">;

/**
 * A view call as one plain `eth_call`: the same typing as viem's readContract, without the machinery it brings
 * along for writes, CCIP reads and error reporting (kilobytes that every read-only page would otherwise carry).
 */
export async function read<
  const abi extends Abi,
  name extends ReadFunction<abi>,
  const args extends ContractFunctionArgs<abi, "pure" | "view", name>,
>(
  client: ReadClient,
  call: { address: Address; abi: abi; functionName: name; args?: args },
): Promise<ContractFunctionReturnType<abi, "pure" | "view", name, args>> {
  const data = encodeFunctionData(call as unknown as EncodeFunctionDataParameters);
  const result = await client.request({ method: "eth_call", params: [{ to: call.address, data }, "latest"] });
  return decodeFunctionResult({ ...call, data: result } as unknown as DecodeFunctionResultParameters) as never;
}
