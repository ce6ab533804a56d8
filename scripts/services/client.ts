/**
 * A small client of the resident services' HTTP API, for the services' tests, the demo and the enrollment
 * benchmark (the dApp has its own, in the browser): enroll a phone through the console gateway's demo inbox, follow
 * a resident's status, and relay a P-256 key's ballot.
 */
import { ballotDomain, signBallotP256, type BallotMessage, type SignedBallot } from "@kopilka/core/ballots";
import { keyAddress, p256KeySigner, type P256DataSigner } from "@kopilka/core/keys";

export interface Answer {
  code: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked by whoever reads them
  json: any;
}

/** JSON with bigints as decimal strings. */
export function jsonBody(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : jsonBody(body),
  });
  return { code: response.status, json: await response.json() };
}

export async function getJson(url: string): Promise<Answer> {
  const response = await fetch(url);
  return { code: response.status, json: await response.json() };
}

/** The last code the console gateway sent to `phone`, from the demo inbox. */
export async function inboxCode(services: string, phone: string): Promise<string | undefined> {
  const { json } = await getJson(`${services}/enroll/demo/inbox?phone=${encodeURIComponent(phone)}`);
  return json.messages.at(-1)?.code;
}

export interface Enrolled {
  key: ReturnType<typeof p256KeySigner>;
  answer: Answer;
}

/** Asks for a code, reads it from the demo inbox and verifies it with a new P-256 key (or `key`). */
export async function enrollPhone(
  services: string,
  phone: string,
  options: { key?: ReturnType<typeof p256KeySigner>; district?: number; headers?: Record<string, string> } = {},
): Promise<Enrolled> {
  const key = options.key ?? p256KeySigner();
  const sent = await postJson(`${services}/enroll/code`, { phone }, options.headers);
  if (sent.code !== 200) return { key, answer: sent };
  const code = await inboxCode(services, phone);
  const answer = await postJson(
    `${services}/enroll/verify`,
    {
      phone,
      code,
      publicKey: key.publicKey,
      ...(options.district === undefined ? {} : { district: options.district }),
    },
    options.headers,
  );
  return { key, answer };
}

/** Polls a resident's status until it is `wanted` (or `timeoutMs` passes: then the last answer). */
export async function statusWhen(services: string, account: string, wanted: string, timeoutMs = 30_000) {
  let last: Answer;
  const until = Date.now() + timeoutMs;
  do {
    last = await getJson(`${services}/enroll/status/${account}`);
    if (last.json.status === wanted) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < until);
  return last;
}

const configs = new Map<string, Promise<Answer["json"]>>();

/** The relayer's `GET /config`, asked once per services URL. */
function relayerConfig(services: string): Promise<Answer["json"]> {
  let config = configs.get(services);
  if (!config) {
    config = getJson(`${services}/config`).then(({ code, json }) => {
      if (code !== 200) throw new Error(`GET ${services}/config answered ${code}: ${JSON.stringify(json)}`);
      return json;
    });
    config.catch(() => configs.delete(services));
    configs.set(services, config);
  }
  return config;
}

/** Signs `message` with a resident's P-256 key for the relayer at `services` and sends it. */
export async function relayP256(
  services: string,
  signer: P256DataSigner,
  message: Omit<BallotMessage, "round" | "voter">,
): Promise<{ ballot: SignedBallot; answer: Answer }> {
  const config = await relayerConfig(services);
  const domain = ballotDomain(BigInt(config.chainId), config.ballotBox);
  const ballot = await signBallotP256(signer, domain, {
    ...message,
    round: config.round,
    voter: keyAddress(signer.publicKey),
  });
  return { ballot, answer: await postJson(`${services}/ballots`, ballot) };
}
