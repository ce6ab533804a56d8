/**
 * `/phone`: signing in with a phone number, one thing a screen: the number (with the consent line), the SMS code,
 * and the district when the round binds residents to one. The browser's key is made at the code step and kept in
 * IndexedDB (./keyStore.ts); the enrollment service's refusals are shown in its own words. `?next=` is where the
 * resident goes once enrolled (the ballot they were filling in). When the services enroll into a contest of
 * initiatives (`kind: "contest"` in their config: a contest before its round), the key is kept for the contest, as its
 * pages look for it, and the resident goes back to the contest's page they came from.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useSearch } from "wouter";

import { Failure, Loading } from "../components/common.js";
import { useEnvironment } from "../context.js";
import { enrollApi, EnrollRefusal, servicesOf, type EnrollApi, type EnrollConfig } from "./enrollApi.js";
import { createKey, loadKey, markEnrolled, type BrowserKey } from "./keyStore.js";
import { formatTyping, readPhone } from "./phone.js";
import { useBrowserResident, useRefreshResident } from "./resident.js";
import { isTerminal } from "./terminal.js";

type Step =
  | { step: "phone" }
  | { step: "code"; phone: string; shown: string; resendAt: number }
  | { step: "district"; phone: string; code: string };

/** Where to go after signing in: a path of this site only. */
function nextPath(search: string): string | undefined {
  const next = new URLSearchParams(search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : undefined;
}

export function PhoneSignIn(): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const services = servicesOf(config);
  const api = services ? enrollApi(services) : undefined;
  const enrollConfig = useQuery({
    queryKey: ["enrollConfig", services],
    enabled: api !== undefined,
    queryFn: () => api!.config(),
  });
  const resident = useBrowserResident();
  if (!api) return <p className="notice">{t("phone.unavailable")}</p>;
  if (enrollConfig.error) return <Failure error={enrollConfig.error} retry={() => void enrollConfig.refetch()} />;
  if (!enrollConfig.data || resident.state === "loading") return <Loading />;
  if (resident.state === "error") return <Failure error={resident.error} retry={resident.retry} />;
  const live =
    enrollConfig.data.kind !== "contest" &&
    resident.state === "enrolled" &&
    resident.status &&
    ["queued", "posted"].includes(resident.status.status);
  return (
    <section className="phone-sign-in" aria-labelledby="phone-title">
      {isTerminal() && (
        <p className="notice terminal" data-testid="terminal">
          {t("phone.terminal")}
        </p>
      )}
      {live && resident.state === "enrolled" ? (
        <AlreadyIn district={resident.key.enrolled!.district} bound={enrollConfig.data.residentsBound} />
      ) : (
        <Steps api={api} config={enrollConfig.data} />
      )}
    </section>
  );
}

function AlreadyIn({ district, bound }: { district: number; bound: boolean }): ReactNode {
  const { t } = useTranslation();
  const search = useSearch();
  return (
    <>
      <h1 id="phone-title">{t("phone.already")}</h1>
      <p>
        <Link href={nextPath(search) ?? (bound ? `/district/${district}` : "/")} className="button primary">
          {t("phone.toBallot")}
        </Link>
      </p>
    </>
  );
}

function Steps({ api, config }: { api: EnrollApi; config: EnrollConfig }): ReactNode {
  const { t, i18n } = useTranslation();
  const { config: dapp } = useEnvironment();
  const search = useSearch();
  const [, navigate] = useLocation();
  const refresh = useRefreshResident();
  const queryClient = useQueryClient();
  // Whom the key is for: the round, or the contest the services enroll into (its pages read the key kept for it).
  const contest = config.kind === "contest";
  const scope = contest ? config.round : dapp.round;
  const [step, setStep] = useState<Step>({ step: "phone" });
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [step.step]);

  const total = config.residentsBound ? 3 : 2;
  const number = step.step === "phone" ? 1 : step.step === "code" ? 2 : 3;

  /** Runs one request; a refusal is shown as the service worded it. */
  const attempt = async (act: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setRefusal(undefined);
    try {
      await act();
    } catch (error) {
      // The service's own words, in English when the page is (it words every refusal in both).
      setRefusal(
        error instanceof EnrollRefusal && error.code !== "unreachable"
          ? ((i18n.language.startsWith("en") ? error.messageEn : undefined) ?? error.message)
          : t("phone.noService"),
      );
    } finally {
      setBusy(false);
    }
  };

  const sendCode = (phone: string, shown: string) =>
    attempt(async () => {
      try {
        const sent = await api.requestCode(phone);
        setStep({ step: "code", phone, shown, resendAt: Date.now() + sent.resendSeconds * 1000 });
      } catch (error) {
        // Asked again too soon: the code sent before still holds, so the code step it is, with the service's words.
        if (error instanceof EnrollRefusal && error.code === "code-cooldown") {
          setStep({ step: "code", phone, shown, resendAt: Date.now() + (error.details.seconds ?? 0) * 1000 });
        }
        throw error;
      }
    });

  /** The key this browser enrolls: the one kept here if it was never enrolled, else a new one. */
  const freshKey = async (): Promise<BrowserKey> => {
    const kept = await loadKey(dapp.chainId, scope);
    return kept && !kept.enrolled ? kept : createKey(dapp.chainId, scope);
  };

  const verify = (phone: string, code: string, district?: number) =>
    attempt(async () => {
      let key = await freshKey();
      let answer;
      try {
        answer = await api.verify(phone, code, key.publicKey, district);
      } catch (error) {
        if (error instanceof EnrollRefusal && error.code === "district-required") {
          // The code is right (the service checks it first) and the round binds residents: ask for the district.
          setStep({ step: "district", phone, code });
          return;
        }
        if (!(error instanceof EnrollRefusal && error.code === "key-replaced")) throw error;
        // This browser's earlier key was replaced by another device's: enroll a new one.
        key = await createKey(dapp.chainId, scope);
        answer = await api.verify(phone, code, key.publicKey, district);
      }
      await markEnrolled(key, { district: answer.district, at: Date.now() });
      if (contest) {
        await queryClient.invalidateQueries({ queryKey: ["contestKey"] });
        navigate(nextPath(search) ?? "/contest");
        return;
      }
      await refresh();
      const bound = config.residentsBound;
      navigate(nextPath(search) ?? (bound ? `/district/${answer.district}` : "/"));
    });

  return (
    <>
      <p className="small muted" data-testid="phone-step">
        {t("phone.stepOf", { step: number, total })}
      </p>
      {step.step === "phone" && (
        <PhoneStep heading={heading} busy={busy} onSubmit={sendCode} closed={config.room === "0"} contest={contest} />
      )}
      {step.step === "code" && (
        <CodeStep
          heading={heading}
          busy={busy}
          step={step}
          config={config}
          api={api}
          onSubmit={(code) => verify(step.phone, code)}
          onResend={() => sendCode(step.phone, step.shown)}
          onBack={() => {
            setRefusal(undefined);
            setStep({ step: "phone" });
          }}
        />
      )}
      {step.step === "district" && (
        <DistrictStep
          heading={heading}
          busy={busy}
          districts={config.districts}
          onSubmit={(district) => verify(step.phone, step.code, district)}
        />
      )}
      {refusal && (
        <p className="notice error" role="alert" data-testid="refusal">
          {refusal}
        </p>
      )}
    </>
  );
}

interface StepProps {
  heading: React.RefObject<HTMLHeadingElement | null>;
  busy: boolean;
}

function PhoneStep({
  heading,
  busy,
  onSubmit,
  closed,
  contest,
}: StepProps & { onSubmit: (phone: string, shown: string) => void; closed: boolean; contest: boolean }): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const [text, setText] = useState("");
  const [invalid, setInvalid] = useState(false);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const reading = readPhone(text);
    setInvalid("error" in reading);
    if (!("error" in reading)) onSubmit(reading.e164, reading.national);
  };
  return (
    <form onSubmit={submit} noValidate>
      <h1 id="phone-title" tabIndex={-1} ref={heading}>
        {t("phone.title")}
      </h1>
      <p>{t(contest ? "phone.introContest" : "phone.intro")}</p>
      {closed && (
        <p className="notice" role="status">
          {t("phone.full")}
        </p>
      )}
      <div className="field">
        <label htmlFor="phone-number">
          <span>{t("phone.number")}</span>
        </label>
        <input
          id="phone-number"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          placeholder="+7 900 000-00-00"
          value={text}
          aria-invalid={invalid}
          aria-describedby={invalid ? "phone-number-error" : "phone-number-hint"}
          onChange={(e) => {
            setInvalid(false);
            // Formatting only while digits are added: deleting a bracket or a dash must not put it back.
            setText(e.target.value.length > text.length ? formatTyping(e.target.value) : e.target.value);
          }}
        />
        <p className="small muted" id="phone-number-hint">
          {t("phone.numberHint")}
        </p>
        {invalid && (
          <p className="error small" id="phone-number-error">
            {t("phone.invalid")}
          </p>
        )}
      </div>
      <p className="small consent" data-testid="consent">
        {t(contest ? "phone.consentContest" : "phone.consent")}{" "}
        {config.termsUrl && (
          <a href={config.termsUrl} target="_blank" rel="noreferrer">
            {t("phone.terms")}
          </a>
        )}
      </p>
      <p className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("phone.sending") : t("phone.getCode")}
        </button>
      </p>
    </form>
  );
}

function CodeStep({
  heading,
  busy,
  step,
  config,
  api,
  onSubmit,
  onResend,
  onBack,
}: StepProps & {
  step: Extract<Step, { step: "code" }>;
  config: EnrollConfig;
  api: EnrollApi;
  onSubmit: (code: string) => void;
  onResend: () => void;
  onBack: () => void;
}): ReactNode {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const wait = Math.max(0, Math.ceil((step.resendAt - now) / 1000));
  const complete = new RegExp(`^[0-9]{${config.codeLength}}$`).test(code);
  return (
    <>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (complete) onSubmit(code);
        }}
        noValidate
      >
        <h1 id="phone-title" tabIndex={-1} ref={heading}>
          {t("phone.codeTitle")}
        </h1>
        <p>{t("phone.codeSent", { phone: step.shown })}</p>
        <div className="field">
          <label htmlFor="sms-code">
            <span>{t("phone.code", { count: config.codeLength })}</span>
          </label>
          <input
            id="sms-code"
            className="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={config.codeLength}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, "").slice(0, config.codeLength))}
          />
        </div>
        <p className="buttons">
          <button type="submit" className="primary" disabled={busy || !complete}>
            {busy ? t("phone.checking") : t("phone.confirm")}
          </button>
        </p>
      </form>
      <p className="quick">
        <button type="button" className="link" onClick={onResend} disabled={busy || wait > 0}>
          {wait > 0 ? t("phone.resendIn", { seconds: wait }) : t("phone.resend")}
        </button>
        <button type="button" className="link" onClick={onBack} disabled={busy}>
          {t("phone.otherNumber")}
        </button>
      </p>
      {config.demoInbox && <DemoInbox api={api} phone={step.phone} />}
    </>
  );
}

/** The demo's SMS inbox: what the console gateway "sent" to this number. Only a local chain's service has it. */
function DemoInbox({ api, phone }: { api: EnrollApi; phone: string }): ReactNode {
  const { t } = useTranslation();
  const inbox = useQuery({
    queryKey: ["demoInbox", phone],
    queryFn: () => api.inbox(phone),
    refetchInterval: 1_000,
  });
  const messages = inbox.data?.messages ?? [];
  return (
    <aside className="card demo-inbox" aria-labelledby="demo-inbox-title" data-testid="demo-inbox">
      <h2 id="demo-inbox-title">{t("phone.demoInbox")}</h2>
      <p className="small muted">{t("phone.demoInboxHint")}</p>
      {messages.length === 0 ? (
        <p className="small">{t("phone.demoInboxEmpty")}</p>
      ) : (
        <ul>
          {messages
            .slice(-3)
            .reverse()
            .map((m) => (
              <li key={`${m.at}-${m.code}`} data-code={m.code}>
                {m.text}
              </li>
            ))}
        </ul>
      )}
    </aside>
  );
}

function DistrictStep({
  heading,
  busy,
  districts,
  onSubmit,
}: StepProps & { districts: EnrollConfig["districts"]; onSubmit: (district: number) => void }): ReactNode {
  const { t } = useTranslation();
  const [chosen, setChosen] = useState<number | undefined>();
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (chosen !== undefined) onSubmit(chosen);
      }}
    >
      <fieldset className="choices">
        <legend>
          <h1 id="phone-title" tabIndex={-1} ref={heading}>
            {t("phone.districtTitle")}
          </h1>
        </legend>
        <p>{t("phone.districtIntro")}</p>
        {districts.map((d) => (
          <label key={d.id} className="choice">
            <input
              type="radio"
              name="district"
              value={d.id}
              checked={chosen === d.id}
              onChange={() => setChosen(d.id)}
            />{" "}
            {d.name}
          </label>
        ))}
      </fieldset>
      <p className="buttons">
        <button type="submit" className="primary" disabled={busy || chosen === undefined}>
          {busy ? t("phone.checking") : t("phone.districtConfirm")}
        </button>
      </p>
    </form>
  );
}
