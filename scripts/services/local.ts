/**
 * The resident services as a child process on a free port of 127.0.0.1, for the services' tests, the demo, the
 * browser tests and the enrollment benchmark: `node --import tsx scripts/services/main.ts`, killable with -9 like
 * any crash. The registrar key is the local chain's registrar (Hardhat's account 3 in the round fixtures), the
 * relayer's Hardhat's account 19, the contest relay's 18, the secret a fixed test value: never use them anywhere but a local chain.
 */

import type { FaultPoint } from "../relayer/fault.js";
import { freePort, hardhatAccount, RELAYER_ACCOUNT, serverArgs, startChild, type Child } from "../relayer/local.js";

/** The contest relay's account on a local chain: Hardhat's account 18 (the ballots' relayer is 19). */
export const CONTEST_RELAYER_ACCOUNT = 18;
/** The round fixtures' registrar (`roundRoles`: admin, committee, minter, registrar, reporter). */
export const REGISTRAR_ACCOUNT = 3;
/** The enrollment secret of local runs (tests, demo, benchmark): a fixed value, public, never for a real round. */
export const LOCAL_ENROLL_SECRET = "6b6f70696c6b612d6c6f63616c2d656e726f6c6c6d656e742d7365637265742d2d";

export interface ServicesSettings {
  rpcUrl: string;
  /** The round (enrollment and the relayer), a contest (its relay), or both. */
  round?: string;
  contest?: string;
  publication: string;
  db: string;
  /** Extra command-line options, e.g. ["--post-every", "1"]. */
  options?: string[];
  /** Test-only fault injection: the services kill themselves there, once (see relayer/fault.ts). */
  fault?: FaultPoint;
  port?: number;
  /** Environment on top of the defaults (e.g. the HTTP gateway's KOPILKA_SMS_URL). */
  env?: NodeJS.ProcessEnv;
  /** The registrar's key; by default Hardhat's account 3, the round fixtures' registrar. */
  registrarKey?: string;
}

export async function startServices(settings: ServicesSettings): Promise<Child> {
  const port = settings.port ?? (await freePort());
  return startChild(
    process.execPath,
    serverArgs("services", settings, port),
    {
      KOPILKA_RPC_URL: settings.rpcUrl,
      KOPILKA_REGISTRAR_KEY: settings.registrarKey ?? hardhatAccount(REGISTRAR_ACCOUNT).privateKey,
      KOPILKA_RELAYER_KEY: hardhatAccount(RELAYER_ACCOUNT).privateKey,
      KOPILKA_CONTEST_RELAYER_KEY: hardhatAccount(CONTEST_RELAYER_ACCOUNT).privateKey,
      KOPILKA_ENROLL_SECRET: LOCAL_ENROLL_SECRET,
      KOPILKA_RELAYER_FAULT: settings.fault ?? "",
      ...settings.env,
    },
    /listening on/,
    `http://127.0.0.1:${port}`,
  );
}
