/**
 * The round's part of the resident services: the enrollment service (`/enroll/...`, with its poster) and the relayer
 * (its routes as before), registered on the services' app for `--round`. Returns what shutting down stops.
 */
import type { OptionValues } from "commander";
import type { FastifyInstance } from "fastify";
import { Wallet, type JsonRpcProvider } from "ethers";

import { RoundReader, toRpc } from "@kopilka/core/chain";
import { roundDirectory } from "@kopilka/core/publication";
import { ConsoleGateway, HttpGateway, type SmsGateway } from "../enroll/gateway.js";
import { Poster, roundTarget } from "../enroll/poster.js";
import { enrollRoutes, roundChain, type EnrollOptions } from "../enroll/routes.js";
import { EnrollStore } from "../enroll/store.js";
import { relayerRoutes } from "../relayer/server.js";
import { relayerFromOptions, type StartedRelayer } from "../relayer/options.js";
import { configuration } from "./configuration.js";

export interface RoundServices {
  registrar: string;
  relayer: boolean;
  stop(): Promise<void>;
}

export async function roundServices(
  app: FastifyInstance,
  provider: JsonRpcProvider,
  options: OptionValues,
): Promise<RoundServices> {
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
  const gateway = await smsGateway(options, network.chainId);
  const districts = await Promise.all(
    Array.from({ length: settings.districtCount }, async (_, id) => ({ id, name: (await reader.district(id)).name })),
  );
  const store = new EnrollStore(options.db);
  const poster = new Poster(
    store,
    roundTarget(reader, {
      chainId: network.chainId,
      round: reader.round,
      airdrop: settings.airdrop,
      token: settings.token,
    }),
    registrar,
    {
      postEveryMs: Number(options.postEvery) * 1000,
      postSize: Number(options.postSize),
      postMax: Number(options.postMax),
      roundDirectory: roundDirectory(options.publication, network.chainId, options.round),
      stuckMs: Number(options.stuck) * 1000,
    },
  );
  await poster.start();

  let relayer: StartedRelayer | undefined;
  if (options.relayer) {
    relayer = await relayerFromOptions(provider, options);
    app.register(relayerRoutes, {
      store: relayer.store,
      view: relayer.view,
      submitter: relayer.submitter,
      options: relayer.server,
      replaced: (account: string) => store.resident(account)?.status === "replaced",
    });
  }
  app.register(enrollRoutes, {
    prefix: "/enroll",
    store,
    chain: roundChain(reader, settings),
    round: {
      kind: "round",
      chainId: network.chainId,
      round: reader.round,
      allowance: settings.allowance,
      residentsBound: settings.residentsBound,
      closesAt: settings.closesAt,
      districts,
    },
    gateway,
    poster,
    pendingBallot: relayer && ((account: string) => relayer.store.unsettled(account).length > 0),
    options: await enrollOptions(options),
  });
  return {
    registrar: registrar.address,
    relayer: relayer !== undefined,
    async stop() {
      await poster.stop();
      await relayer?.submitter.stop();
      relayer?.store.close();
      store.close();
    },
  };
}

/** The enrollment's rules from the services' options, with the keyed hash's secret (KOPILKA_ENROLL_SECRET). */
export async function enrollOptions(options: OptionValues): Promise<EnrollOptions> {
  const secretHex = (await configuration("KOPILKA_ENROLL_SECRET")).replace(/^0x/, "");
  if (!/^([0-9a-fA-F]{2}){32,}$/.test(secretHex))
    throw new Error("KOPILKA_ENROLL_SECRET must be 64 hex digits or more");
  const secret = Uint8Array.from(Buffer.from(secretHex, "hex"));

  return {
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
  };
}

/** The SMS gateway the options name: the console (a local chain's demo and tests) or the provider's HTTP API. */
export async function smsGateway(options: OptionValues, chainId: bigint): Promise<SmsGateway> {
  if (options.sms === "console") {
    if (chainId !== 31337n) console.warn("services: the console SMS gateway sends nothing: for the demo only");
    return new ConsoleGateway();
  }
  if (options.sms === "http") {
    return new HttpGateway({
      urlTemplate: await configuration("KOPILKA_SMS_URL"),
      secret: await configuration("KOPILKA_SMS_SECRET"),
      method: options.smsMethod === "GET" ? "GET" : "POST",
      timeoutMs: Number(options.smsTimeout),
      retries: Number(options.smsRetries),
      backoffMs: 500,
    });
  }
  throw new Error(`--sms must be console or http, not ${options.sms}`);
}
