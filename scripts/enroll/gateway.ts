/**
 * SMS gateways behind one small interface. `console` prints each message to the process's output and keeps the
 * last ones in memory for the demo's inbox (local chain only); `http` calls a provider's HTTP API, configured by a
 * URL template and a secret, with a timeout per call and bounded retries of the failures worth retrying.
 */

export type SendResult = { ok: true } | { ok: false; error: string; retryable: boolean };

export interface SmsGateway {
  send(phone: string, text: string): Promise<SendResult>;
}

export interface InboxMessage {
  phone: string;
  text: string;
  /** The 6-digit code the text carries. */
  code: string;
  at: string;
}

/** Prints every SMS; the demo's inbox reads the last `keep` of them. Never for real residents. */
export class ConsoleGateway implements SmsGateway {
  private readonly messages: InboxMessage[] = [];

  constructor(
    private readonly keep = 10_000,
    private readonly print = true,
  ) {}

  async send(phone: string, text: string): Promise<SendResult> {
    const code = /\d{6}/.exec(text)?.[0] ?? "";
    this.messages.push({ phone, text, code, at: new Date().toISOString() });
    if (this.messages.length > this.keep) this.messages.splice(0, this.messages.length - this.keep);
    if (this.print) console.log(`SMS to ${phone}: ${text}`);
    return { ok: true };
  }

  /** The messages sent, newest last; those to `phone` only, when given. */
  inbox(phone?: string): InboxMessage[] {
    return phone === undefined ? [...this.messages] : this.messages.filter((m) => m.phone === phone);
  }
}

export interface HttpGatewayOptions {
  /**
   * The provider's address with `{phone}`, `{text}` and `{secret}` filled in (URL-encoded), e.g.
   * `https://sms.example.org/send?to={phone}&msg={text}&key={secret}`.
   */
  urlTemplate: string;
  secret: string;
  method: "GET" | "POST";
  /** Longest wait for one call, in ms. */
  timeoutMs: number;
  /** Calls after the first when a call fails in a way worth retrying (timeout, network, 429, 5xx). */
  retries: number;
  /** Wait before the first retry, doubled for each next one, in ms. */
  backoffMs: number;
}

/** A provider reached over HTTP: 2xx is sent; 408, 429, 5xx, timeouts and network errors are retried. */
export class HttpGateway implements SmsGateway {
  constructor(private readonly options: HttpGatewayOptions) {}

  async send(phone: string, text: string): Promise<SendResult> {
    const url = this.options.urlTemplate.replace(/\{(phone|text|secret)\}/g, (_, name: string) =>
      encodeURIComponent(name === "phone" ? phone : name === "text" ? text : this.options.secret),
    );
    let result: SendResult = { ok: false, error: "not sent", retryable: true };
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, this.options.backoffMs * 2 ** (attempt - 1)));
      result = await this.call(url);
      if (result.ok || !result.retryable) return result;
    }
    return result;
  }

  private async call(url: string): Promise<SendResult> {
    try {
      const response = await fetch(url, {
        method: this.options.method,
        headers: { authorization: `Bearer ${this.options.secret}` },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      // Read the body so that the connection is free for the next call; providers put the reason there.
      const body = (await response.text()).slice(0, 200);
      if (response.ok) return { ok: true };
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
      return { ok: false, error: `provider answered ${response.status}: ${body}`, retryable };
    } catch (error) {
      const name = (error as Error).name;
      const why = name === "TimeoutError" ? `no answer in ${this.options.timeoutMs} ms` : String(error);
      return { ok: false, error: `provider unreachable: ${why}`, retryable: true };
    }
  }
}
