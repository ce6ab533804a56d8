/**
 * The observers' page (a lazily loaded chunk): the integrity panel runs the CLI auditor in the browser and shows
 * a verdict per check with its figures; participation charts, the map of projects and the exports come from the
 * same loaded round.
 */
import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Trans, useTranslation } from "react-i18next";
import { numberToHex } from "viem";

import type { AuditReport, CheckResult } from "@kopilka/core/audit/audit";
import type { TFunction } from "i18next";
import { Failure } from "../components/common.js";
import { useChainEnvironment } from "../chain.js";
import { dateTime, rubles } from "../format.js";
import { Download } from "../staff/download.js";
import { addStaffStrings } from "../staff/strings.js";
import { auditInBrowser, exportsOf, participation, type BrowserAudit, type Progress } from "./audit.js";
import { BarChart, LineChart, ProjectChart, type Point } from "./charts.js";
import { ProjectMap, type Pin } from "./ProjectMap.js";

addStaffStrings();

const kopecks = (decimal: string): bigint => BigInt(decimal);

export function Observers(): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const [progress, setProgress] = useState<Progress>();
  const [run, setRun] = useState(0);
  const audit = useQuery({
    queryKey: ["browserAudit", env.config.round, run],
    staleTime: Infinity,
    retry: false,
    queryFn: () => auditInBrowser(env, setProgress),
  });
  return (
    <>
      <h1>{t("staff.observers.title")}</h1>
      <p>
        <Trans i18nKey="staff.observers.intro" components={{ code: <code /> }} />
      </p>
      <p className="small muted">
        {t("staff.observers.network", { chain: env.config.chainName ?? env.config.chainId, round: env.config.round })}
      </p>
      <Terms />
      {audit.error ? (
        <Failure
          error={audit.error}
          retry={() => {
            setProgress(undefined);
            setRun(run + 1);
          }}
        />
      ) : !audit.data ? (
        <AuditProgress progress={progress} />
      ) : (
        <>
          <Integrity audit={audit.data} onRerun={() => setRun(run + 1)} />
          <Participation audit={audit.data} />
          <MapSection audit={audit.data} />
          <Downloads audit={audit.data} />
        </>
      )}
    </>
  );
}

/** The precise words of this page, explained once. */
function Terms(): ReactNode {
  const { t } = useTranslation();
  return (
    <details className="terms">
      <summary>{t("staff.observers.terms")}</summary>
      <ul>
        {(t("staff.observers.termsList", { returnObjects: true }) as string[]).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </details>
  );
}

function AuditProgress({ progress }: { progress?: Progress }): ReactNode {
  const { t } = useTranslation();
  const share = progress && progress.blocksTotal > 0 ? (progress.blocksDone / progress.blocksTotal) * 100 : 0;
  return (
    <div className="card" role="status" data-testid="audit-progress">
      <p>
        {progress
          ? t("staff.observers.progress", {
              done: progress.blocksDone,
              total: progress.blocksTotal,
              logs: progress.logs,
            })
          : t("staff.observers.checking")}
      </p>
      <div className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share)}>
        <span style={{ width: `${share}%` }} />
      </div>
    </div>
  );
}

function Integrity({ audit, onRerun }: { audit: BrowserAudit; onRerun: () => void }): ReactNode {
  const { t } = useTranslation();
  const { report, loaded } = audit;
  const failures = report.checks.reduce((n, c) => n + c.failures.length, 0);
  const posted = loaded.data.batches.reduce((sum, b) => sum + b.total, 0n);
  const figures: [string, string, string][] = [
    ["budget", t("staff.observers.budget"), rubles(kopecks(report.budget))],
    ["supply", t("staff.observers.supply"), rubles(kopecks(report.supply))],
    ["posted", t("staff.observers.posted"), rubles(posted)],
    ["claimed", t("staff.observers.claimed"), rubles(kopecks(report.totals.claimed))],
    ["inBanks", t("staff.observers.inBanks"), rubles(kopecks(report.totals.inBanks))],
  ];
  return (
    <section className="card" aria-labelledby="integrity-title" data-testid="integrity">
      <h2 id="integrity-title">{report.name}</h2>
      <p
        className={report.ok ? "notice ok verdict" : "notice error verdict"}
        role="status"
        data-verdict={report.ok ? "ok" : "fail"}
      >
        {report.ok
          ? t("staff.observers.verdictOk", { count: report.checks.filter((c) => c.status === "pass").length })
          : t("staff.observers.verdictFail", { count: failures })}
      </p>
      <p className="small muted">{t("staff.observers.blocks", { from: report.fromBlock, to: report.toBlock })}</p>
      <ul className="checks">
        {report.checks.map((c) => (
          <CheckRow key={c.id} check={c} report={report} />
        ))}
      </ul>
      <h3>{t("staff.observers.numbers")}</h3>
      <dl className="facts">
        {figures.map(([key, label, value]) => (
          <div key={key} data-figure={key}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>{t("staff.observers.winners")}</h3>
      <ul className="winners">
        {report.districts.map((d) => (
          <li key={d.id} data-district={d.id}>
            <strong>{d.name}</strong> · {rubles(kopecks(d.fundedTotal))}
            {d.winners.length === 0 ? (
              <p className="small">{t("staff.observers.noWinners")}</p>
            ) : (
              <ul className="small">
                {d.winners.map((w) => (
                  <li key={w} data-winner={w}>
                    {audit.metadata.get(w)?.title ?? t("common.projectNumber", { id: w })}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <button type="button" onClick={onRerun}>
        {t("staff.observers.rerun")}
      </button>
    </section>
  );
}

/** The auditor's note on a check in the reader's language: the districts still open by name, or the note itself. */
function noteText(check: CheckResult, report: AuditReport, t: TFunction): string | undefined {
  if (!check.note) return undefined;
  if (check.id === "winners" && check.note.startsWith("districts not finalized yet")) {
    const pending = report.districts.filter((d) => !d.finalized);
    return t("staff.observers.notes.pending", { count: pending.length, names: pending.map((d) => d.name).join(", ") });
  }
  if (check.note === "no published files given") return t("staff.observers.notes.noFiles");
  return t("staff.observers.notes.other", { note: check.note });
}

function CheckRow({ check, report }: { check: CheckResult; report: AuditReport }): ReactNode {
  const { t } = useTranslation();
  const mark = { pass: "✓", fail: "✗", skip: "–" }[check.status];
  const note = noteText(check, report, t);
  return (
    <li className={`check ${check.status}`} data-check={check.id} data-status={check.status}>
      <span className="mark" aria-hidden="true">
        {mark}
      </span>
      <div>
        <strong>{t(`staff.observers.checks.${check.id}`, { defaultValue: check.title })}</strong>
        <p className="small">
          {t(`staff.observers.${check.status}`)} · {t("staff.observers.checked", { count: check.checked })}
        </p>
        {note && <p className="small muted">{note}</p>}
        {check.failures.length > 0 && (
          <ul className="small">
            {check.failures.map((f, i) => (
              <li key={i}>
                <span className="mono">{f.item}</span>: {f.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    </li>
  );
}

/** Block times of a few blocks along the participation curve (one request each, batched). */
function useVoteTimes(audit: BrowserAudit, firstVotes: number[]) {
  const env = useChainEnvironment();
  const blocks = [...new Set(firstVotes)];
  const step = Math.max(1, Math.ceil(blocks.length / 16));
  const sampled = blocks.filter((_, i) => i % step === 0 || i === blocks.length - 1);
  return useQuery({
    queryKey: ["voteTimes", audit.report.toBlock, sampled],
    queryFn: async (): Promise<Point[]> => {
      const times = await Promise.all(
        sampled.map(async (block) => {
          const b = await env.client.request({ method: "eth_getBlockByNumber", params: [numberToHex(block), false] });
          return Number(BigInt(b!.timestamp));
        }),
      );
      const points = sampled.map((block, i) => ({
        time: times[i],
        value: firstVotes.filter((v) => v <= block).length,
      }));
      const opensAt = Number(audit.loaded.data.config.opensAt);
      return opensAt < (points[0]?.time ?? Infinity) ? [{ time: opensAt, value: 0 }, ...points] : points;
    },
  });
}

function Participation({ audit }: { audit: BrowserAudit }): ReactNode {
  const { t } = useTranslation();
  const { votersByDistrict, firstVotes } = participation(audit);
  const times = useVoteTimes(audit, firstVotes);
  const title = (id: number): string => audit.metadata.get(id)?.title ?? t("common.projectNumber", { id });
  return (
    <section className="card" aria-labelledby="participation-title">
      <h2 id="participation-title">{t("staff.observers.participation")}</h2>
      <h3>{t("staff.observers.votersPerDistrict")}</h3>
      <BarChart
        title={t("staff.observers.votersPerDistrict")}
        bars={audit.report.districts.map((d) => {
          const count = votersByDistrict.get(d.id) ?? 0;
          return { label: d.name, value: count, text: t("staff.observers.voters", { count }) };
        })}
      />
      <h3>{t("staff.observers.votersOverTime")}</h3>
      {firstVotes.length === 0 ? (
        <p>{t("staff.observers.noVotes")}</p>
      ) : (
        times.data && (
          <LineChart title={t("staff.observers.votersOverTime")} points={times.data} timeText={(s) => dateTime(s)} />
        )
      )}
      {audit.report.districts.map((d) => (
        <div key={d.id} data-chart-district={d.id}>
          <h3>{t("staff.observers.tokensPerProject", { name: d.name })}</h3>
          <ProjectChart
            title={t("staff.observers.tokensPerProject", { name: d.name })}
            budget={Number(d.budget)}
            budgetText={rubles(kopecks(d.budget))}
            projects={d.projects.map((p) => ({
              label: title(p.id),
              tokens: Number(p.tokens),
              cost: Number(p.cost),
              won: p.won,
              tokensText: rubles(kopecks(p.tokens)),
              costText: rubles(kopecks(p.cost)),
            }))}
          />
        </div>
      ))}
    </section>
  );
}

function MapSection({ audit }: { audit: BrowserAudit }): ReactNode {
  const { t } = useTranslation();
  const won = new Set(audit.report.districts.flatMap((d) => d.winners));
  const pins: Pin[] = audit.loaded.data.projects.flatMap((p) => {
    const meta = audit.metadata.get(p.id);
    if (!meta?.location) return [];
    return [{ id: p.id, title: meta.title, district: p.district, ...meta.location, won: won.has(p.id) }];
  });
  return (
    <section className="card" aria-labelledby="map-title">
      <h2 id="map-title">{t("staff.observers.map")}</h2>
      {pins.length === 0 ? (
        <p>{t("staff.observers.noCoordinates")}</p>
      ) : (
        <ProjectMap pins={pins} districtNames={new Map(audit.report.districts.map((d) => [d.id, d.name]))} />
      )}
    </section>
  );
}

function Downloads({ audit }: { audit: BrowserAudit }): ReactNode {
  const { t } = useTranslation();
  const files = { ...exportsOf(audit, "csv"), ...exportsOf(audit, "json"), ...exportsOf(audit, "pb") };
  const type = (name: string): string =>
    name.endsWith(".csv") ? "text/csv" : name.endsWith(".json") ? "application/json" : "text/plain";
  return (
    <section className="card" aria-labelledby="downloads-title">
      <h2 id="downloads-title">{t("staff.observers.downloads")}</h2>
      <ul className="files">
        <li>
          <Download name="audit.json" content={audit.json}>
            {t("staff.observers.auditJson")}
          </Download>
        </li>
        {Object.entries(files).map(([name, content]) => (
          <li key={name}>
            <Download name={name} content={content} type={type(name)} />
          </li>
        ))}
      </ul>
    </section>
  );
}
