/**
 * The HTTP SMS gateway against a local stand-in provider over real HTTP: what it sends, and how it meets provider
 * errors, timeouts and retries; and the enrollment service refusing in plain words when no SMS can be sent.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";

import { HttpGateway, type HttpGatewayOptions } from "../../scripts/enroll/gateway.js";

/** A stand-in provider: answers each call with the next of `behaviours` (the last one repeats). */
async function provider(
  behaviours: ("ok" | "500" | "429" | "400" | "slow")[],
): Promise<{ server: Server; url: string; calls: { url: string; auth?: string; method?: string }[] }> {
  const calls: { url: string; auth?: string; method?: string }[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    calls.push({ url: request.url!, auth: request.headers.authorization, method: request.method });
    const behaviour = behaviours[Math.min(calls.length - 1, behaviours.length - 1)];
    if (behaviour === "slow") {
      setTimeout(() => response.writeHead(200).end("late"), 1_000).unref();
      return;
    }
    const status = behaviour === "ok" ? 200 : Number(behaviour);
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ status }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

function gateway(url: string, overrides: Partial<HttpGatewayOptions> = {}) {
  return new HttpGateway({
    urlTemplate: `${url}/send?to={phone}&msg={text}`,
    secret: "provider-secret",
    method: "POST",
    timeoutMs: 300,
    retries: 2,
    backoffMs: 10,
    ...overrides,
  });
}

describe("HTTP SMS gateway", function () {
  const servers: Server[] = [];
  async function standIn(behaviours: Parameters<typeof provider>[0]) {
    const p = await provider(behaviours);
    servers.push(p.server);
    return p;
  }

  afterEach(function () {
    for (const server of servers.splice(0)) server.close();
  });

  it("sends the phone and the text through the URL template, with the secret as a bearer token", async function () {
    const { url, calls } = await standIn(["ok"]);
    expect(await gateway(url).send("+79161234567", "Код: 123456")).to.deep.equal({ ok: true });
    expect(calls).to.have.length(1);
    expect(calls[0].method).to.equal("POST");
    expect(decodeURIComponent(calls[0].url)).to.equal("/send?to=+79161234567&msg=Код: 123456");
    expect(calls[0].auth).to.equal("Bearer provider-secret");
  });

  it("retries a provider error (5xx, 429) and succeeds when the provider recovers", async function () {
    const { url, calls } = await standIn(["500", "429", "ok"]);
    expect(await gateway(url).send("+79161234567", "x")).to.deep.equal({ ok: true });
    expect(calls).to.have.length(3);
  });

  it("retries a call that times out", async function () {
    const { url, calls } = await standIn(["slow", "ok"]);
    expect(await gateway(url).send("+79161234567", "x")).to.deep.equal({ ok: true });
    expect(calls).to.have.length(2);
  });

  it("gives up after its bounded retries and says why, retryable", async function () {
    const { url, calls } = await standIn(["500"]);
    const result = await gateway(url, { retries: 3 }).send("+79161234567", "x");
    expect(result.ok).to.equal(false);
    expect(result).to.deep.include({ retryable: true });
    expect(!result.ok && result.error).to.match(/provider answered 500/);
    expect(calls).to.have.length(4);
  });

  it("does not retry a refusal (4xx other than 408 and 429)", async function () {
    const { url, calls } = await standIn(["400", "ok"]);
    const result = await gateway(url).send("+79161234567", "x");
    expect(result).to.deep.include({ ok: false, retryable: false });
    expect(calls).to.have.length(1);
  });

  it("reports an unreachable provider as retryable", async function () {
    const { url, server } = await standIn(["ok"]);
    server.close();
    await once(server, "close");
    const result = await gateway(url, { retries: 1 }).send("+79161234567", "x");
    expect(result.ok).to.equal(false);
    expect(!result.ok && result.error).to.match(/provider unreachable/);
  });
});
