/**
 * "Предложить проект" and "Изменить заявку": the form (./ProposeForm.tsx), "check your answers", then the document is
 * stored by its hash and the resident's key signs the submission (or the new version), which the services record;
 * the page follows it to the end and shows the application's number and the link that invites co-signers.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import {
  contentHash,
  districtArea,
  initiativeDocument,
  initiativeNumber,
  type InitiativeFields as DocumentFields,
} from "@kopilka/core/contest";
import { useChainEnvironment } from "../chain.js";
import { Failure, Loading } from "../components/common.js";
import { dateTime } from "../format.js";
import { CheckAnswers } from "./CheckAnswers.js";
import type { ContestContext } from "./ContestPages.js";
import { contentUrl, uploadContent } from "./content.js";
import { readInitiative, readInitiatives } from "./data.js";
import { emptyDraft, forgetDraft, loadDraft, type Draft, type InitiativeFields } from "./draft.js";
import type { BrowserKey } from "../resident/keyStore.js";
import { phoneSignInPath, residentSigner, untilPosted, useContestKey } from "./identity.js";
import { districtMaps } from "./placeMaps.js";
import { ProposeForm } from "./ProposeForm.js";
import { followJob, relayAmend, relaySubmit } from "./relayApi.js";

/** The form's fields as the core's initiative document holds them. */
export function documentFields(
  contest: string,
  fields: InitiativeFields,
  amends: `0x${string}` | null,
): DocumentFields {
  return {
    contest: contest as `0x${string}`,
    title: fields.title,
    description: fields.description,
    district: fields.district,
    category: fields.category,
    cost: {
      totalKopecks: fields.cost.toString(),
      breakdown: fields.breakdown.map((line) => ({ item: line.item, kopecks: line.cost.toString() })),
    },
    location: fields.location,
    photos: fields.photos,
    cofinancingKopecks: fields.cofinancing.toString(),
    amends,
  };
}

/** A published version back as the form's text, for "Изменить заявку". */
export function draftOf(services: string, fields: DocumentFields): Draft {
  const rublesText = (kopecks: string) => {
    const value = BigInt(kopecks);
    return value % 100n === 0n ? String(value / 100n) : `${value / 100n},${String(value % 100n).padStart(2, "0")}`;
  };
  return {
    title: fields.title,
    description: fields.description,
    district: String(fields.district),
    category: fields.category,
    costs: fields.cost.breakdown.map((line) => ({ item: line.item, amount: rublesText(line.kopecks) })),
    cofinancing: fields.cofinancingKopecks === "0" ? "" : rublesText(fields.cofinancingKopecks),
    lat: String(fields.location.lat),
    lon: String(fields.location.lon),
    photos: fields.photos.map((hash) => ({ hash, url: contentUrl(services, hash), width: 4, height: 3 })),
  };
}

type Step = { step: "form" } | { step: "check"; fields: InitiativeFields } | { step: "done"; id: bigint };

export function Propose({ context, amend }: { context: ContestContext; amend?: bigint }): ReactNode {
  const { t } = useTranslation();
  const { info, services, chainId } = context;
  const env = useChainEnvironment();
  const key = useContestKey(chainId, info.address);
  const current = useQuery({
    queryKey: ["initiative", info.address, amend?.toString()],
    enabled: amend !== undefined,
    queryFn: () => readInitiative(env, services, info.address, amend!),
  });
  if (key.isLoading || (amend !== undefined && current.isLoading)) return <Loading />;
  if (current.error) return <Failure error={current.error} retry={() => void current.refetch()} />;

  const open = info.now >= info.submissionsOpenAt && info.now < info.submissionsCloseAt;
  const returned = current.data?.status === "returned" && info.now < info.reviewClosesAt;
  return (
    <section aria-labelledby="propose-title" className="propose">
      <h1 id="propose-title">{amend === undefined ? t("contest.propose.title") : t("contest.page.amend")}</h1>
      {amend === undefined && <p>{t("contest.propose.intro", { group: Math.max(0, info.minGroup - 1) })}</p>}
      {info.now < info.submissionsOpenAt ? (
        <p className="notice">{t("contest.propose.notYet", { date: dateTime(info.submissionsOpenAt) })}</p>
      ) : !open && !returned ? (
        <p className="notice">{t("contest.propose.closed", { date: dateTime(info.submissionsCloseAt) })}</p>
      ) : !key.data ? (
        <div className="notice" data-testid="sign-in-needed">
          <p>{t("contest.propose.signIn")}</p>
          <p className="buttons">
            <Link
              href={`~${phoneSignInPath(location.pathname)}`}
              className="button primary"
              data-testid="phone-sign-in"
            >
              {t("contest.signInByPhone")}
            </Link>
          </p>
        </div>
      ) : (
        <>
          {amend === undefined && (
            <p className="small muted">{t("contest.propose.window", { date: dateTime(info.submissionsCloseAt) })}</p>
          )}
          <Steps
            context={context}
            amend={
              current.data && { id: current.data.id, version: current.data.version, hash: current.data.contentHash }
            }
            initial={current.data?.fields && draftOf(services, current.data.fields)}
            resident={key.data}
          />
        </>
      )}
    </section>
  );
}

function Steps({
  context,
  amend,
  initial,
  resident,
}: {
  context: ContestContext;
  amend?: { id: bigint; version: number; hash: `0x${string}` };
  initial?: Draft;
  resident: BrowserKey;
}): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const queryClient = useQueryClient();
  const { info, services, chainId } = context;
  const draftKey = `${chainId}:${info.address.toLowerCase()}:${amend?.id ?? "new"}`;
  // A district the template gives no area is framed by its initiatives' places: read them only then.
  const template = info.template;
  const placesNeeded = template.districts.some((_, i) => districtArea(template, i) === undefined);
  const list = useQuery({
    queryKey: ["initiatives", info.address],
    enabled: placesNeeded,
    queryFn: () => readInitiatives(env, services, info.address),
  });
  const places = (list.data ?? []).flatMap((i) => (i.fields ? [{ district: i.district, ...i.fields.location }] : []));
  const [draft, setDraft] = useState<Draft>(() => loadDraft(draftKey) ?? initial ?? emptyDraft());
  const [step, setStep] = useState<Step>({ step: "form" });
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();

  async function send(fields: InitiativeFields) {
    setBusy(true);
    setFailure(undefined);
    try {
      const bytes = initiativeDocument(documentFields(info.address, fields, amend?.hash ?? null));
      const hash = contentHash(bytes);
      await uploadContent(services, bytes, "application/json");
      // Signed in by phone a moment ago: the services put the resident in the contest's list first.
      await untilPosted(services, resident);
      const signer = residentSigner(resident);
      const block = await env.client.request({ method: "eth_getBlockByNumber", params: ["latest", false] });
      const where = { services, chainId, contest: info.address, now: BigInt(block!.timestamp) };
      const job = amend
        ? await relayAmend(where, signer, amend.id, amend.version, hash)
        : await relaySubmit(where, signer, fields.district, hash);
      const settled = await followJob(services, job.id);
      if (settled.status !== "applied") throw new Error(settled.reason ?? settled.status);
      forgetDraft(draftKey);
      await queryClient.invalidateQueries({ queryKey: ["initiative", info.address] });
      await queryClient.invalidateQueries({ queryKey: ["initiatives", info.address] });
      setStep({ step: "done", id: amend ? amend.id : BigInt(settled.initiative!) });
    } catch (error) {
      setFailure(t("contest.refusal.generic", { reason: error instanceof Error ? error.message : String(error) }));
    } finally {
      setBusy(false);
    }
  }

  if (step.step === "done") return <Done context={context} id={step.id} amended={amend !== undefined} />;
  if (step.step === "check") {
    return (
      <CheckAnswers
        fields={step.fields}
        services={services}
        districtName={context.districtName(step.fields.district)}
        busy={busy}
        failure={failure}
        onBack={() => setStep({ step: "form" })}
        onSend={() => void send(step.fields)}
      />
    );
  }
  return (
    <ProposeForm
      context={{
        services,
        districts: template.districts.map((name, id) => ({ id, name })),
        maps: districtMaps(template, places),
        draftKey,
      }}
      draft={draft}
      setDraft={setDraft}
      onChecked={(fields) => {
        setStep({ step: "check", fields });
        window.scrollTo(0, 0);
      }}
    />
  );
}

function Done({ context, id, amended }: { context: ContestContext; id: bigint; amended: boolean }): ReactNode {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const link = `${location.origin}/contest/initiative/${id}`;
  return (
    <div className="notice ok" role="status" data-testid="sent">
      <h2>{t("contest.done.title")}</h2>
      <p data-testid="initiative-number">{t("contest.done.number", { number: initiativeNumber(id) })}</p>
      {!amended && (
        <>
          <p>{t("contest.done.share", { group: Math.max(0, context.info.minGroup - 1) })}</p>
          <code className="share-link" data-testid="share-link">
            {link}
          </code>
          <p className="buttons">
            <button type="button" onClick={() => void navigator.clipboard?.writeText(link).then(() => setCopied(true))}>
              {copied ? t("contest.done.copied") : t("contest.done.copy")}
            </button>
          </p>
        </>
      )}
      <p>
        <Link href={`/initiative/${id}`}>{t("contest.done.toPage")}</Link>
      </p>
    </div>
  );
}
