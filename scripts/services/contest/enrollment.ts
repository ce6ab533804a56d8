/**
 * Enrollment by phone into a contest of initiatives (`--contest` without `--round`): the enrollment service's routes
 * (`/enroll/...`, scripts/enroll/) and its poster, enrolling into the contest's own list of residents, the list its
 * relay checks a resident against. A resident enrolled here is posted by `Contest.postResidents` in rolling batches,
 * with a proof file each in the contest's published directory (`<publication>/<chainId>/<contest>/participants/`),
 * the keyed hash's scope being the contest's address, so that the contest counts each phone once in a group however
 * many devices it enrolled. A contest runs before its round: the round's own enrollment starts afresh with the round.
 */
import type { OptionValues } from "commander";
import type { FastifyInstance } from "fastify";
import { Contract, Wallet, type JsonRpcProvider } from "ethers";

import { contestAbi } from "@kopilka/core/abi";
import { roundDirectory } from "@kopilka/core/publication";
import { contestTarget, Poster } from "../../enroll/poster.js";
import { contestChain, enrollRoutes } from "../../enroll/routes.js";
import { EnrollStore } from "../../enroll/store.js";
import { configuration } from "../configuration.js";
import { enrollOptions, smsGateway } from "../round.js";

export interface ContestEnrollment {
  registrar: string;
  stop(): Promise<void>;
}

export async function contestEnrollment(
  app: FastifyInstance,
  provider: JsonRpcProvider,
  options: OptionValues,
): Promise<ContestEnrollment> {
  const contest = new Contract(options.contest, contestAbi, provider);
  const { chainId } = await provider.getNetwork();
  const registrar = new Wallet(await configuration("KOPILKA_REGISTRAR_KEY"), provider);
  const [registrarRole, committeeRole] = await Promise.all([
    contest.getFunction("REGISTRAR_ROLE")(),
    contest.getFunction("COMMITTEE_ROLE")(),
  ]);
  // A hot key on a server: it must be able to post residents and nothing else.
  if (!(await contest.getFunction("hasRole")(registrarRole, registrar.address))) {
    throw new Error(
      `${registrar.address} does not hold the registrar role of contest ${options.contest} ` +
        "(enrollment by phone posts the contest's residents; --no-contest-enrollment runs without it)",
    );
  }
  if (await contest.getFunction("hasRole")(committeeRole, registrar.address)) {
    throw new Error(
      `the registrar key ${registrar.address} also holds the committee role: give the service a key of its own`,
    );
  }
  const reviewClosesAt = (await contest.getFunction("reviewClosesAt")()) as bigint;
  const target = contestTarget(provider, chainId, options.contest);
  const store = new EnrollStore(options.db);
  const poster = new Poster(store, target, registrar, {
    postEveryMs: Number(options.postEvery) * 1000,
    postSize: Number(options.postSize),
    postMax: Number(options.postMax),
    roundDirectory: roundDirectory(options.publication, chainId, options.contest),
    stuckMs: Number(options.stuck) * 1000,
  });
  await poster.start();
  app.register(enrollRoutes, {
    prefix: "/enroll",
    store,
    chain: contestChain(provider, target),
    round: {
      kind: "contest",
      chainId,
      round: options.contest,
      // A contest's residents hold no rubles, and any resident may propose in any district.
      allowance: 0n,
      residentsBound: false,
      // The contest takes new residents until its review closes (co-signing a returned initiative goes on until then).
      closesAt: reviewClosesAt,
      districts: [],
    },
    gateway: await smsGateway(options, chainId),
    poster,
    options: await enrollOptions(options),
  });
  return {
    registrar: registrar.address,
    async stop() {
      await poster.stop();
      store.close();
    },
  };
}
