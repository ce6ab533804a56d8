/**
 * The resident services' fastify app: the relayer and the enrollment service are plugins of it (`npm run services`
 * runs both in one process on one SQLite file). Bodies are checked against JSON schemas, unknown fields refused,
 * and every route is open to any origin: the dApp is a static site elsewhere, and the API uses no cookies.
 */
import Fastify from "fastify";

export interface AppOptions {
  bodyLimit: number;
  /**
   * Which proxies to believe about the client's address (`X-Forwarded-For`), as fastify's `trustProxy`: false (the
   * default: the socket's address), true, a hop count, or addresses/CIDRs ("127.0.0.1,10.0.0.0/8"). Behind a TLS
   * proxy every client would otherwise share the proxy's address, and one client's limit would be everyone's.
   */
  trustProxy: boolean | number | string;
}

export function serviceApp(options: AppOptions) {
  // Refuse unknown fields rather than drop them (fastify's default): a client that sends one has a bug to know of.
  const hops = options.trustProxy;
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    // A hop count as fastify's function form: believe the `hops` proxies nearest to this server.
    trustProxy: typeof hops === "number" ? (_address: string, hop: number) => hop < hops : hops,
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.addHook("onRequest", async (request, reply) => {
    reply.header("access-control-allow-origin", "*");
    reply.header("access-control-expose-headers", "retry-after");
    if (request.method === "OPTIONS") {
      return reply
        .code(204)
        .header("access-control-allow-methods", "GET, POST")
        .header("access-control-allow-headers", "content-type")
        .header("access-control-max-age", "86400")
        .send();
    }
  });
  return app;
}

/** `--trust-proxy` as fastify takes it: "false", "true", a hop count, or addresses. */
export function parseTrustProxy(value: string): boolean | number | string {
  if (value === "false" || value === "") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
