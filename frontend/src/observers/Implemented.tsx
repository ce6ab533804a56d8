/**
 * The public registry of implemented projects: every funded project with the implementation status, amount spent
 * and document hash the reporter recorded on-chain, and the history of those records (ImplementationRecorded).
 */
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { getAbiItem } from "viem";
import { getLogs } from "viem/actions";
import { Link } from "wouter";

import { Failure, Loading } from "../components/common.js";
import { useChainEnvironment } from "../chain.js";
import { useOutcomes, useProjects, useProjectTexts } from "../data/round.js";
import { rubles } from "../format.js";
import { roundReadAbi } from "@kopilka/core/abi/reads";
import { addStaffStrings } from "../staff/strings.js";
import { statusName } from "../glossary.js";

addStaffStrings();

const RECORDED = getAbiItem({ abi: roundReadAbi, name: "ImplementationRecorded" });

function useRecords() {
  const env = useChainEnvironment();
  return useQuery({
    queryKey: ["implementationRecords"],
    queryFn: () =>
      getLogs(env.client, {
        address: env.config.round,
        event: RECORDED,
        fromBlock: BigInt(env.config.fromBlock ?? 0),
        strict: true,
      }),
  });
}

export function Implemented(): ReactNode {
  const { t } = useTranslation();
  const projects = useProjects();
  const outcomes = useOutcomes(
    projects.data?.map((p) => p.id),
    true,
  );
  const records = useRecords();
  const texts = useProjectTexts(projects.data ?? []);
  const error = projects.error ?? outcomes.error ?? records.error;
  if (error) return <Failure error={error} />;
  if (!projects.data || !outcomes.data || !records.data) return <Loading />;
  const funded = projects.data.filter((p) => outcomes.data.get(p.id)?.funded);
  return (
    <>
      <h1>{t("staff.registry.title")}</h1>
      <p>{t("staff.registry.intro")}</p>
      {funded.length === 0 && <p>{t("staff.registry.none")}</p>}
      <ul className="registry">
        {funded.map((p) => {
          const outcome = outcomes.data.get(p.id)!;
          const history = records.data.filter((r) => Number(r.args.projectId) === p.id);
          const last = history.at(-1);
          return (
            <li key={p.id} className="card" data-project={p.id} data-status={outcome.status}>
              <h2>
                <Link href={`/project/${p.id}`}>
                  {texts.get(p.id)?.title ?? t("common.projectNumber", { id: p.id })}
                </Link>
              </h2>
              <p>
                <strong>{statusName(t, outcome.status)}</strong> ·{" "}
                {t("staff.registry.spent", { spent: rubles(outcome.spent), cost: rubles(p.cost) })}
              </p>
              {last && <p className="mono small">{t("staff.registry.document", { hash: last.args.documentHash })}</p>}
              {history.length > 0 && (
                <details>
                  <summary>{t("staff.registry.history")}</summary>
                  <ol className="small">
                    {history.map((r) => (
                      <li key={`${r.blockNumber}-${r.logIndex}`}>
                        {statusName(t, r.args.status)} · {rubles(r.args.amountSpent)} ·{" "}
                        <span className="mono">{r.args.documentHash.slice(0, 10)}…</span> · {t("staff.block")}{" "}
                        {r.blockNumber.toString()}
                      </li>
                    ))}
                  </ol>
                </details>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
