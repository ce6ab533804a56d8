/**
 * An initiative's page: where it stands, its current version (checked against the hash the contest keeps), its
 * initiative group and the button that joins it (the link its author shares), the committee's reason when it was
 * returned or rejected, the experts' sheets and the outcome once recorded, and the history of its versions.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { initiativeNumber } from "@kopilka/core/contest";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { useChainEnvironment } from "../chain.js";
import { Failure, Loading } from "../components/common.js";
import { InitiativeBody } from "./CheckAnswers.js";
import type { ContestContext } from "./ContestPages.js";
import { readHistory, readInitiative, readNote, type HistoryEntry } from "./data.js";
import { documentToForm } from "./draft.js";
import { phoneSignInPath, residentSigner, untilPosted, useContestKey } from "./identity.js";
import { followJob, relayCosign } from "./relayApi.js";

export function InitiativePage({ context, id }: { context: ContestContext; id: bigint }): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const { info, services } = context;
  const initiative = useQuery({
    queryKey: ["initiative", info.address, id.toString()],
    queryFn: () => readInitiative(env, services, info.address, id),
  });
  const history = useQuery({
    queryKey: ["initiative", info.address, id.toString(), "history"],
    queryFn: () => readHistory(env, info.address, id, context.fromBlock),
  });
  if (initiative.error) return <Failure error={initiative.error} retry={() => void initiative.refetch()} />;
  if (!initiative.data) return <Loading />;
  const data = initiative.data;
  const screened = [...(history.data ?? [])]
    .reverse()
    .find((e): e is Extract<HistoryEntry, { kind: "screened" }> => e.kind === "screened" && e.version === data.version);
  const decided = history.data?.find((e) => e.kind === "decided");
  const sheets = (history.data ?? []).filter((e) => e.kind === "sheet");
  return (
    <article aria-labelledby="initiative-title" data-testid="initiative-page">
      <p className="small muted">
        {t("contest.page.number", { number: initiativeNumber(id) })} ·{" "}
        {t("contest.page.version", { version: data.version })}
      </p>
      <h1 id="initiative-title">{data.fields?.title ?? t("contest.page.number", { number: initiativeNumber(id) })}</h1>
      <p>
        <span className="badge" data-testid="status">
          {t(`contest.status.${data.status}`)}
        </span>
      </p>
      {data.problem ? (
        <p className="notice error" role="alert" data-testid="changed-file">
          {t("contest.page.changedFile")}
        </p>
      ) : (
        <p className="small muted">{t("contest.page.checked")}</p>
      )}
      {screened && screened.reasonHash !== ZERO && (
        <Reason services={services} hash={screened.reasonHash} status={screened.status} />
      )}
      <Group
        context={context}
        id={id}
        version={data.version}
        contentHash={data.contentHash}
        group={data.group}
        status={data.status}
        author={data.author}
      />
      {data.fields && (
        <InitiativeBody
          fields={documentToForm(data.fields)}
          services={services}
          districtName={context.districtName(data.district)}
        />
      )}
      {(data.status === "admitted" || decided || sheets.length > 0) && (
        <section aria-labelledby="review-title">
          <h2 id="review-title">{t("contest.page.review")}</h2>
          {decided && decided.kind === "decided" ? (
            <p data-testid="score">
              {t("contest.page.score", {
                score: (decided.scoreBps / 100).toFixed(1),
                pass: (info.passMarkBps / 100).toFixed(1),
              })}
            </p>
          ) : (
            <p>{t("contest.page.scoring")}</p>
          )}
        </section>
      )}
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t("contest.page.history")}</h2>
        <ol className="history" data-testid="history">
          {(history.data ?? [])
            .filter((e) => e.kind === "submitted" || e.kind === "amended")
            .map((e) => (
              <li key={`${e.kind}-${e.version}`}>
                {t("contest.page.version", { version: e.version })}
                {e.version === data.version && <> ({t("contest.page.current")})</>}
              </li>
            ))}
        </ol>
      </section>
    </article>
  );
}

const ZERO = `0x${"0".repeat(64)}`;

function Reason({ services, hash, status }: { services: string; hash: `0x${string}`; status: string }): ReactNode {
  const { t } = useTranslation();
  const text = useQuery({ queryKey: ["note", hash], queryFn: () => readNote(services, hash), staleTime: Infinity });
  return (
    <div className="notice provisional" data-testid="reason">
      <p>{status === "rejected" ? t("contest.page.rejected") : t("contest.page.returned")}</p>
      {text.data && <p className="prose">{text.data}</p>}
    </div>
  );
}

function Group({
  context,
  id,
  version,
  contentHash,
  group,
  status,
  author,
}: {
  context: ContestContext;
  id: bigint;
  version: number;
  contentHash: `0x${string}`;
  group: number;
  status: string;
  author: string;
}): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const queryClient = useQueryClient();
  const { info, services, chainId } = context;
  const key = useContestKey(chainId, info.address);
  const [busy, setBusy] = useState(false);
  const [joined, setJoined] = useState(false);
  const [failure, setFailure] = useState<string>();
  const open = (status === "submitted" || status === "returned") && info.now < info.reviewClosesAt;
  const mine = key.data && key.data.account.toLowerCase() === author.toLowerCase();
  // The contract's rule: a Submitted version while submissions run, a Returned one until the review closes.
  const amendable =
    (status === "submitted" && info.now < info.submissionsCloseAt) ||
    (status === "returned" && info.now < info.reviewClosesAt);

  async function join() {
    setBusy(true);
    setFailure(undefined);
    try {
      const block = await env.client.request({ method: "eth_getBlockByNumber", params: ["latest", false] });
      const where = { services, chainId, contest: info.address, now: BigInt(block!.timestamp) };
      await untilPosted(services, key.data!);
      const job = await relayCosign(where, residentSigner(key.data!), id, version, contentHash);
      const settled = await followJob(services, job.id);
      if (settled.status !== "applied") throw new Error(settled.reason ?? settled.status);
      setJoined(true);
      await queryClient.invalidateQueries({ queryKey: ["initiative", info.address, id.toString()] });
    } catch (error) {
      setFailure(t("contest.refusal.generic", { reason: error instanceof Error ? error.message : String(error) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-label={t("contest.page.group", { count: group, needed: info.minGroup })} className="card">
      <div className="body">
        <p data-testid="group">
          {group >= info.minGroup
            ? t("contest.page.groupEnough", { count: group })
            : t("contest.page.group", { count: group, needed: info.minGroup })}
        </p>
        {mine && <p className="small">{t("contest.page.author")}</p>}
        {joined && (
          <p className="notice ok" role="status" data-testid="joined">
            {t("contest.page.joined")}
          </p>
        )}
        {failure && (
          <p className="notice error" role="alert">
            {failure}
          </p>
        )}
        {open &&
          !mine &&
          !joined &&
          (key.data ? (
            <p className="buttons">
              <button type="button" className="primary" onClick={() => void join()} disabled={busy} data-testid="join">
                {busy ? t("contest.page.joining") : t("contest.page.join")}
              </button>
            </p>
          ) : (
            <>
              <p className="small">{t("contest.page.signInToJoin")}</p>
              <p className="buttons">
                <Link href={`~${phoneSignInPath(location.pathname)}`} className="button" data-testid="phone-sign-in">
                  {t("contest.signInByPhone")}
                </Link>
              </p>
            </>
          ))}
        {mine && amendable && (
          <p>
            <Link href={`/initiative/${id}/amend`} className="button" data-testid="amend">
              {t("contest.page.amend")}
            </Link>
          </p>
        )}
      </div>
    </section>
  );
}
