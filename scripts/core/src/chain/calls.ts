/**
 * View calls gathered: the `eth_call`s made in the same tick at the same block go to the endpoint as one deployless
 * `eth_call` of `CallsReader` (contracts/readers), which makes each call with `staticcall` and returns every answer.
 * An audit asks for four views of each project, one of each district and batch and a dozen settings: 1,190 requests
 * for Volgograd's round, each a request the endpoint serves in turn between the log queries. Gathered, they are a few
 * dozen. Each call gets exactly what its own `eth_call` returns; a call that fails inside the reader, and every call
 * of a gathering the endpoint refuses, is sent again on its own, so its answer or its error is the endpoint's own.
 *
 * An endpoint that refuses the first gathering does not run deployless calls (some refuse calls without a target):
 * nothing is gathered for it any more, and its later deployless calls (`balancesOf`'s) fail here at once with its
 * answer, so that their callers take their own fallback without asking again. A later gathering it refuses was too
 * large (its answer over the cap, or its gas over the endpoint's): it is split in halves.
 */
import { decodeAbiParameters, encodeDeployData, type Address, type Hex } from "viem";

import { callsReaderAbi, callsReaderBytecode } from "../generated/reads.js";
import { limiter, type Eip1193Provider, type RpcRequest } from "./rpc.js";

/**
 * Calls in one gathering at most. `CallsReader`'s answer is returned as code, capped at 24,576 bytes: 64 answers of
 * the round's views (a project's is 160 bytes, a district's about 250 with its name) take about 20 KB with their
 * offsets; a gathering whose answer is too large is refused and split in halves.
 */
const CALLS_PER_GATHERING = 64;

/** The shape of `CallsReader`'s answer. */
const ANSWER = [
  { type: "bool[]", name: "succeeded" },
  { type: "bytes[]", name: "answers" },
] as const;

interface Waiting {
  request: RpcRequest;
  to: Address;
  data: Hex;
  resolve(answer: unknown): void;
  reject(error: unknown): void;
}

/** Lets the calls made in this tick (and the microtasks they start) join the gathering before it goes. */
const nextTick = (go: () => void): void => {
  if (typeof setImmediate === "function") setImmediate(go);
  else setTimeout(go, 0);
};

/**
 * `endpoint` with its plain view calls (`eth_call` with only `to` and `data`, at a block) gathered, `concurrency`
 * requests of them in flight at most; every other request goes through unchanged. For views that do not depend on their caller: inside the reader, the caller is the reader.
 */
export function gatheringCalls(endpoint: Eip1193Provider, concurrency = 32): Eip1193Provider {
  // The gatherings and the calls sent alone, at most `concurrency` in flight.
  const inLimit = limiter(concurrency);
  const rpc: Eip1193Provider = { request: (request) => inLimit(() => endpoint.request(request)) };
  const waiting = new Map<string, Waiting[]>();
  let scheduled = false;
  let answered = false;
  /** The endpoint's refusal of the first gathering, if it refused it. */
  let refused: { error: unknown } | undefined;

  const alone = (call: Waiting): void => {
    rpc.request(call.request).then(call.resolve, call.reject);
  };

  const send = async (block: string, calls: Waiting[]): Promise<void> => {
    if (calls.length === 1 || refused !== undefined) {
      calls.forEach(alone);
      return;
    }
    let succeeded: readonly boolean[];
    let answers: readonly Hex[];
    try {
      const data = encodeDeployData({
        abi: callsReaderAbi,
        bytecode: callsReaderBytecode,
        args: [calls.map((c) => c.to), calls.map((c) => c.data)],
      });
      const answer = (await rpc.request({ method: "eth_call", params: [{ data }, block] })) as Hex;
      [succeeded, answers] = decodeAbiParameters(ANSWER, answer);
      if (succeeded.length !== calls.length || answers.length !== calls.length) throw new Error("a short answer");
    } catch (error) {
      if (!answered) {
        refused ??= { error };
        calls.forEach(alone);
        return;
      }
      const half = Math.ceil(calls.length / 2);
      await Promise.all([send(block, calls.slice(0, half)), send(block, calls.slice(half))]);
      return;
    }
    answered = true;
    calls.forEach((call, i) => (succeeded[i] ? call.resolve(answers[i]) : alone(call)));
  };

  const flush = (): void => {
    scheduled = false;
    const gathered = [...waiting];
    waiting.clear();
    for (const [block, calls] of gathered) {
      for (let start = 0; start < calls.length; start += CALLS_PER_GATHERING) {
        void send(block, calls.slice(start, start + CALLS_PER_GATHERING));
      }
    }
  };

  return {
    request(request) {
      if (refused !== undefined && isDeployless(request)) return Promise.reject(refused.error);
      const call = plainCall(request);
      if (call === undefined) return endpoint.request(request);
      if (refused !== undefined) return rpc.request(request);
      return new Promise((resolve, reject) => {
        const calls = waiting.get(call.block) ?? [];
        calls.push({ request, to: call.to, data: call.data, resolve, reject });
        waiting.set(call.block, calls);
        if (!scheduled) {
          scheduled = true;
          nextTick(flush);
        }
      });
    },
  };
}

/** The target, calldata and block of an `eth_call` that sets nothing else (no sender, gas, value or overrides). */
function plainCall(request: RpcRequest): { to: Address; data: Hex; block: string } | undefined {
  if (request.method !== "eth_call" || request.params?.length !== 2) return undefined;
  const [call, block] = request.params as [unknown, unknown];
  if (typeof block !== "string" || typeof call !== "object" || call === null) return undefined;
  const { to, data, ...rest } = call as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof to !== "string" || typeof data !== "string") return undefined;
  return { to: to as Address, data: data as Hex, block };
}

/** Whether `request` is an `eth_call` without a target: code run as if deployed. */
function isDeployless(request: RpcRequest): boolean {
  const call = request.params?.[0];
  return request.method === "eth_call" && typeof call === "object" && call !== null && !("to" in call);
}
