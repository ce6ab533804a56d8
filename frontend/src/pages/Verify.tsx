import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { isAddress, isHash, type Address, type Hex } from "viem";
import { Link, useSearchParams } from "wouter";

import { useChainEnvironment } from "../chain.js";
import { Failure, Loading } from "../components/common.js";
import { holdings, stepsOfAddress, stepsOfTransaction, type VoteStep } from "../data/events.js";
import { useProjects, useProjectTexts, useRound } from "../data/round.js";
import { dateTime, receiptCode, rubles, shortAddress } from "../format.js";

/** `/verify?q=<receipt number or participant code>`: what a vote did, from the round's records alone. */
export function Verify(): ReactNode {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const query = params.get("q")?.trim() ?? "";
  const [text, setText] = useState(query);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setParams({ q: text.trim() });
  };
  const valid = isAddress(query) || isHash(query);
  return (
    <>
      <h1>{t("verify.title")}</h1>
      <p>{t("verify.intro")}</p>
      <form className="verify-form" onSubmit={submit}>
        <label className="field">
          <span>{t("verify.query")}</span>
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
            autoComplete="off"
            className="mono"
          />
        </label>
        <button type="submit" className="primary">
          {t("verify.submit")}
        </button>
      </form>
      {query && !valid && <p role="alert">{t("verify.invalid")}</p>}
      {query && valid && <VerifyResult query={query} />}
    </>
  );
}

function VerifyResult({ query }: { query: string }): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const round = useRound();
  const projects = useProjects();
  const texts = useProjectTexts(projects.data ?? []);
  const ready = round.data !== undefined && projects.data !== undefined;
  const result = useQuery({
    queryKey: ["verify", query, round.data?.token],
    enabled: ready,
    queryFn: async () =>
      isAddress(query)
        ? {
            found: true as const,
            success: true,
            steps: await stepsOfAddress(env, round.data!, projects.data!, query as Address),
          }
        : stepsOfTransaction(env, round.data!, projects.data!, query as Hex),
  });
  const error = round.error ?? projects.error ?? result.error;
  if (error) return <Failure error={error} retry={() => void result.refetch()} />;
  if (!result.data) return <Loading />;
  if (!result.data.found) return <p role="status">{t("verify.notFound")}</p>;
  if (!result.data.success) return <p role="status">{t("verify.failedTx")}</p>;
  const title = (id: number): string => texts.get(id)?.title ?? t("common.projectNumber", { id });
  return <StepsTable steps={result.data.steps} title={title} showNow={isAddress(query)} />;
}

/** A vote's steps as a table on wide screens and as one card per step on a phone (styles.css, `.steps-table`). */
export function StepsTable({
  steps,
  title,
  showNow,
  showAccount = true,
  showReceipt = true,
}: {
  steps: VoteStep[];
  title: (projectId: number) => string;
  showNow: boolean;
  /** The participant's code on each line: not on the reader's own steps (the receipt gives it once). */
  showAccount?: boolean;
  /** The receipt's number on each line: not on the receipt itself, which gives it once. */
  showReceipt?: boolean;
}): ReactNode {
  const { t } = useTranslation();
  if (steps.length === 0) return <p role="status">{t("verify.none")}</p>;
  const now = holdings(steps);
  // Steps just recorded have no time yet (the receipt gives it once, above them): no column of dashes then.
  const timed = steps.some((s) => s.time !== undefined);
  return (
    <div className="verify-result" role="region" aria-label={t("verify.title")}>
      <table className="steps-table">
        <thead>
          <tr>
            {timed && <th scope="col">{t("verify.when")}</th>}
            <th scope="col">{t("verify.what")}</th>
            <th scope="col">{t("verify.amount")}</th>
            {showReceipt && <th scope="col">{t("verify.receipt")}</th>}
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr key={`${s.tx}-${s.logIndex}`} data-kind={s.kind}>
              {timed && <td data-label={t("verify.when")}>{s.time !== undefined ? dateTime(s.time) : "—"}</td>}
              <td data-label={t("verify.what")}>
                {t(`verify.${s.kind}`)}
                {s.project !== undefined && (
                  <>
                    {": "}
                    <Link href={`/project/${s.project}`}>{title(s.project)}</Link>
                  </>
                )}
                {showAccount && (
                  <span className="small muted"> · {t("verify.participant", { code: shortAddress(s.account) })}</span>
                )}
              </td>
              <td data-label={t("verify.amount")} className="num">
                {rubles(s.amount)}
              </td>
              {showReceipt && (
                <td data-label={t("verify.receipt")} className="mono">
                  <Link href={`/verify?q=${s.tx}`}>{receiptCode(s.tx)}</Link>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {showNow && now.size > 0 && (
        <>
          <h2>{t("verify.now")}</h2>
          <ul className="holdings">
            {[...now].map(([project, amount]) => (
              <li key={project} data-project={project}>
                <Link href={`/project/${project}`}>{title(project)}</Link>: <strong>{rubles(amount)}</strong>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
