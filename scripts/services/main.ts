/**
 * `npm run services -- --round <address> [options]`: the resident services in one process, on one SQLite file and
 * one port: the enrollment service (`/enroll/...`, with its poster), the relayer (its routes as before) and the
 * contest's content store (`/content`, files under `<publication>/content/<hash>`).
 * `npm run enroll` runs the enrollment service alone (`--no-relayer`); `npm run relayer` the relayer alone.
 *
 * Configuration, never in the repository (environment, else Hardhat's keystore):
 *   KOPILKA_RPC_URL          the chain's JSON-RPC endpoint
 *   KOPILKA_REGISTRAR_KEY    a hot key holding the round's registrar role and no other: it posts and revokes residents
 *   KOPILKA_ENROLL_SECRET    the keyed hash's secret, 64 hex digits or more (`openssl rand -hex 32`)
 *   KOPILKA_RELAYER_KEY      the relayer's key (with --relayer, the default): it pays for relayed ballots
 *   KOPILKA_SMS_URL          with --sms http: the provider's URL template ({phone}, {text}, {secret})
 *   KOPILKA_SMS_SECRET       with --sms http: the provider's secret
 */
import path from "node:path";

import { Command } from "commander";
import { JsonRpcProvider, Wallet } from "ethers";

import { RoundReader, toRpc } from "@kopilka/core/chain";
import { DEFAULT_PUBLICATION_BASE, roundDirectory } from "@kopilka/core/publication";
import { ConsoleGateway, HttpGateway, type SmsGateway } from "../enroll/gateway.js";
import { Poster } from "../enroll/poster.js";
import { enrollRoutes } from "../enroll/routes.js";
import { EnrollStore } from "../enroll/store.js";
import { relayerRoutes } from "../relayer/server.js";
import { relayerFromOptions, withRelayerOptions, withServerOptions, type StartedRelayer } from "../relayer/options.js";
import { parseTrustProxy, serviceApp } from "./app.js";
import { configuration } from "./configuration.js";
import { ContentStore } from "./contest/content.js";
import { contentRoutes, DEFAULT_CONTENT_OPTIONS } from "./contest/contentRoutes.js";

const program = withServerOptions(
  new Command()
    .name("services")
    .requiredOption("--round <address>", "the round", process.env.KOPILKA_ROUND)
    .option("--publication <dir>", "base directory of the published round files", DEFAULT_PUBLICATION_BASE),
  "services.sqlite",
)
  .option("--no-relayer", "run the enrollment service alone")
  // enrollment
  .option("--countries <list>", "countries whose mobile numbers are accepted, the first the default", "RU")
  .option("--code-lifetime <seconds>", "how long a code is valid", "300")
  .option("--resend <seconds>", "least time between two codes to one phone", "60")
  .option("--attempts <n>", "wrong codes before the phone is locked", "5")
  .option("--lock <seconds>", "how long a phone stays locked after too many wrong codes", "1800")
  .option("--codes-per-phone-per-day <n>", "most codes sent to one phone a day", "5")
  .option("--codes-per-client-per-hour <n>", "most codes asked for by one client address an hour", "10")
  .option("--sms-per-hour <n>", "most SMS sent in any hour, all phones together", "2000")
  .option("--enroll-per-client-per-minute <n>", "most enrollment requests per client address a minute", "30")
  .option(
    "--sms-text <text>",
    "the SMS's text; {code} is the code",
    "Код для голосования: {code}. Никому его не сообщайте.",
  )
  .option("--sms <gateway>", "console (demo and tests: prints the codes) or http", "console")
  .option("--sms-method <method>", "GET or POST, for --sms http", "POST")
  .option("--sms-timeout <ms>", "longest wait for the provider", "5000")
  .option("--sms-retries <n>", "retries after a timeout, network error, 429 or 5xx", "2")
  .option("--post-every <seconds>", "longest a verified resident waits for a posting", "60")
  .option("--post-size <n>", "residents that make a posting due at once (and the most in one)", "200")
  // the contest's content store
  .option("--content <dir>", "directory of the published content files (default: <publication>/content)")
  .option(
    "--content-document-limit <bytes>",
    "largest initiative document",
    String(DEFAULT_CONTENT_OPTIONS.documentLimit),
  )
  .option("--content-photo-limit <bytes>", "largest photo", String(DEFAULT_CONTENT_OPTIONS.photoLimit))
  .option(
    "--uploads-per-client-per-hour <n>",
    "most uploads per client address an hour",
    String(DEFAULT_CONTENT_OPTIONS.uploadsPerClientPerHour),
  )
  .option(
    "--upload-bytes-per-client-per-hour <bytes>",
    "most bytes uploaded per client address an hour",
    String(DEFAULT_CONTENT_OPTIONS.bytesPerClientPerHour),
  )
  .option(
    "--content-reads-per-client-per-minute <n>",
    "most content reads per client address a minute",
    String(DEFAULT_CONTENT_OPTIONS.readsPerClientPerMinute),
  );
withRelayerOptions(program).parse();
const options = program.opts();

const provider = new JsonRpcProvider(
  (await configuration("KOPILKA_RPC_URL", true)) ?? (await configuration("KOPILKA_RELAYER_RPC_URL")),
);
const reader = new RoundReader(toRpc(provider), options.round);
const [network, settings] = await Promise.all([provider.getNetwork(), reader.settings()]);
if (settings.allowance === 0n) throw new Error(`round ${options.round} declares no allowance: nobody can enroll`);

const registrar = new Wallet(await configuration("KOPILKA_REGISTRAR_KEY"), provider);
// A hot key on a server: it must be able to post residents and nothing else.
if (!(await reader.hasRole("registrar", registrar.address))) {
  throw new Error(`${registrar.address} does not hold the registrar role of round ${options.round}`);
}
for (const role of ["committee", "minter", "reporter"] as const) {
  if (await reader.hasRole(role, registrar.address)) {
    throw new Error(
      `the registrar key ${registrar.address} also holds the ${role} role: give the service a key of its own`,
    );
  }
}
const secretHex = (await configuration("KOPILKA_ENROLL_SECRET")).replace(/^0x/, "");
if (!/^([0-9a-fA-F]{2}){32,}$/.test(secretHex)) throw new Error("KOPILKA_ENROLL_SECRET must be 64 hex digits or more");
const secret = Uint8Array.from(Buffer.from(secretHex, "hex"));

let gateway: SmsGateway;
if (options.sms === "console") {
  if (network.chainId !== 31337n) console.warn("services: the console SMS gateway sends nothing: for the demo only");
  gateway = new ConsoleGateway();
} else if (options.sms === "http") {
  gateway = new HttpGateway({
    urlTemplate: await configuration("KOPILKA_SMS_URL"),
    secret: await configuration("KOPILKA_SMS_SECRET"),
    method: options.smsMethod === "GET" ? "GET" : "POST",
    timeoutMs: Number(options.smsTimeout),
    retries: Number(options.smsRetries),
    backoffMs: 500,
  });
} else throw new Error(`--sms must be console or http, not ${options.sms}`);

const districts = await Promise.all(
  Array.from({ length: settings.districtCount }, async (_, id) => ({ id, name: (await reader.district(id)).name })),
);
const store = new EnrollStore(options.db);
const poster = new Poster(
  store,
  reader,
  registrar,
  { chainId: network.chainId, round: reader.round, airdrop: settings.airdrop, token: settings.token },
  {
    postEveryMs: Number(options.postEvery) * 1000,
    postSize: Number(options.postSize),
    roundDirectory: roundDirectory(options.publication, network.chainId, options.round),
  },
);
await poster.start();

const app = serviceApp({ bodyLimit: Number(options.bodyLimit), trustProxy: parseTrustProxy(options.trustProxy) });
let relayer: StartedRelayer | undefined;
if (options.relayer) {
  relayer = await relayerFromOptions(provider, options);
  app.register(relayerRoutes, {
    store: relayer.store,
    view: relayer.view,
    submitter: relayer.submitter,
    options: relayer.server,
  });
}
app.register(enrollRoutes, {
  prefix: "/enroll",
  store,
  reader,
  round: {
    chainId: network.chainId,
    round: reader.round,
    token: settings.token,
    airdrop: settings.airdrop,
    allowance: settings.allowance,
    residentsBound: settings.residentsBound,
    closesAt: settings.closesAt,
    districts,
  },
  gateway,
  poster,
  pendingBallot: relayer && ((account: string) => relayer.store.unsettled(account).length > 0),
  options: {
    secret,
    countries: String(options.countries)
      .split(",")
      .map((c) => c.trim().toUpperCase()),
    codeLifetimeMs: Number(options.codeLifetime) * 1000,
    resendMs: Number(options.resend) * 1000,
    maxAttempts: Number(options.attempts),
    lockMs: Number(options.lock) * 1000,
    codesPerPhonePerDay: Number(options.codesPerPhonePerDay),
    codesPerClientPerHour: Number(options.codesPerClientPerHour),
    smsPerHour: Number(options.smsPerHour),
    requestsPerClientPerMinute: Number(options.enrollPerClientPerMinute),
    smsText: options.smsText,
  },
});
const content = new ContentStore(options.content ?? path.join(options.publication, "content"), options.db);
app.register(contentRoutes, {
  store: content,
  options: {
    documentLimit: Number(options.contentDocumentLimit),
    photoLimit: Number(options.contentPhotoLimit),
    uploadsPerClientPerHour: Number(options.uploadsPerClientPerHour),
    bytesPerClientPerHour: Number(options.uploadBytesPerClientPerHour),
    readsPerClientPerMinute: Number(options.contentReadsPerClientPerMinute),
  },
});
const address = await app.listen({ host: options.host, port: Number(options.port) });
console.log(
  `services for round ${reader.round}: enrollment as ${registrar.address}` +
    (relayer ? ", relayer" : "") +
    ` listening on ${address}`,
);

async function shutdown() {
  await app.close();
  await poster.stop();
  await relayer?.submitter.stop();
  relayer?.store.close();
  store.close();
  content.close();
  provider.destroy();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
