/**
 * `npm run services -- [--round <address>] [--contest <address>] [options]`: the resident services in one process, on
 * one SQLite file and one port: for a round, the enrollment service (`/enroll/...`, with its poster) and the relayer
 * (its routes as before); for a contest, its relay (`/contest/...`), and, without a round, the enrollment by phone
 * into the contest's residents (`/enroll/...`, ./contest/enrollment.ts; `--no-contest-enrollment` leaves it out); and
 * always the content store (`/content`, files under the contest's `<publication>/<chainId>/<contest>/content/<hash>`,
 * else `<publication>/content`).
 * `npm run enroll` runs the enrollment service alone (`--no-relayer`); `npm run relayer` the relayer alone.
 *
 * Configuration, never in the repository (environment, else Hardhat's keystore):
 *   KOPILKA_RPC_URL          the chain's JSON-RPC endpoint
 *   KOPILKA_REGISTRAR_KEY    a hot key holding the registrar role (of the round, else of the contest) and no other:
 *                            it posts and revokes residents
 *   KOPILKA_ENROLL_SECRET    the keyed hash's secret, 64 hex digits or more (`openssl rand -hex 32`)
 *   KOPILKA_RELAYER_KEY      the relayer's key (with --relayer, the default): it pays for relayed ballots
 *   KOPILKA_CONTEST_RELAYER_KEY  with --contest: the key that pays for relayed initiatives, co-signatures and sheets
 *   KOPILKA_SMS_URL          with --sms http: the provider's URL template ({phone}, {text}, {secret})
 *   KOPILKA_SMS_SECRET       with --sms http: the provider's secret
 */
import path from "node:path";

import { Command } from "commander";
import { JsonRpcProvider } from "ethers";

import { DEFAULT_PUBLICATION_BASE, roundDirectory } from "@kopilka/core/publication";
import { withRelayerOptions, withServerOptions } from "../relayer/options.js";
import { parseTrustProxy, serviceApp } from "./app.js";
import { configuration } from "./configuration.js";
import { ContentStore } from "./contest/content.js";
import { roundServices } from "./round.js";
import { contentRoutes, DEFAULT_CONTENT_OPTIONS } from "./contest/contentRoutes.js";

const program = withServerOptions(
  new Command()
    .name("services")
    .option("--round <address>", "the round (enrollment and the relayer)", process.env.KOPILKA_ROUND)
    .option("--contest <address>", "a contest of initiatives (its relay)", process.env.KOPILKA_CONTEST)
    .option("--publication <dir>", "base directory of the published round files", DEFAULT_PUBLICATION_BASE),
  "services.sqlite",
)
  .option("--no-relayer", "run the enrollment service alone")
  .option("--no-contest-enrollment", "with --contest and no --round: no enrollment by phone into the contest")
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
  .option("--post-size <n>", "residents that make a posting due at once", "200")
  .option("--post-max <n>", "most residents in one posting (a poster behind its queue catches up)", "2000")
  // the contest's content store
  .option(
    "--content <dir>",
    "directory of the published content files (default: the contest's <publication>/<chainId>/<contest>/content)",
  )
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
  )
  .option(
    "--contest-messages-per-client-per-minute <n>",
    "most signed contest messages per client address a minute",
    "30",
  )
  .option("--contest-reads-per-client-per-minute <n>", "most contest relay reads per client address a minute", "300");
withRelayerOptions(program).parse();
const options = program.opts();

// No cache of answers: ethers answers a request repeated within 250 ms from its cache by default, and a service that
// signs transactions must see the chain as it is (a nonce, a receipt).
const provider = new JsonRpcProvider(
  (await configuration("KOPILKA_RPC_URL", true)) ?? (await configuration("KOPILKA_RELAYER_RPC_URL")),
  undefined,
  { cacheTimeout: -1 },
);
const app = serviceApp({ bodyLimit: Number(options.bodyLimit), trustProxy: parseTrustProxy(options.trustProxy) });
const round = options.round ? await roundServices(app, provider, options) : undefined;
// A contest's content is published with its other files, `<publication>/<chainId>/<contest>/content/<hash>`, where
// the CLI writes it and the auditor reads it.
const contentDirectory =
  options.content ??
  (options.contest
    ? path.join(roundDirectory(options.publication, (await provider.getNetwork()).chainId, options.contest), "content")
    : path.join(options.publication, "content"));
const content = new ContentStore(contentDirectory, options.db);
// Loaded only for a contest: the round's services never load the contest's code.
const contest = options.contest
  ? await (await import("./contest/services.js")).contestServices(app, provider, content, options)
  : undefined;
// A contest runs before its round: with no round, residents enroll by phone into the contest's own list.
const contestEnrollment =
  options.contest && !options.round && options.contestEnrollment
    ? await (await import("./contest/enrollment.js")).contestEnrollment(app, provider, options)
    : undefined;
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
  "services" +
    (round ? ` for round ${options.round}: enrollment as ${round.registrar}${round.relayer ? ", relayer" : ""}` : "") +
    (contest ? ` for contest ${options.contest}: relay as ${contest.relay.address}` : "") +
    (contestEnrollment ? `, enrollment as ${contestEnrollment.registrar}` : "") +
    ` listening on ${address}`,
);

async function shutdown() {
  await app.close();
  await round?.stop();
  await contest?.stop();
  await contestEnrollment?.stop();
  content.close();
  provider.destroy();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
