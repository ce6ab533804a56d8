/** Light inline SVG charts (no chart library): each is an image with a text alternative and its figures in a table. */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

const WIDTH = 640;
const ROW = 28;
const LABEL = 190;

export interface Bar {
  label: string;
  value: number;
  text: string;
}

/** Horizontal bars, one per item. */
export function BarChart({ title, bars }: { title: string; bars: Bar[] }): ReactNode {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * ROW + 8;
  const span = WIDTH - LABEL - 90;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title}>
        {bars.map((b, i) => (
          <g key={i} transform={`translate(0 ${i * ROW + 4})`}>
            <text x={LABEL - 8} y={17} textAnchor="end" className="label">
              {clip(b.label)}
            </text>
            <rect x={LABEL} y={4} width={Math.max(1, (b.value / max) * span)} height={18} className="bar-fill" />
            <text x={LABEL + (b.value / max) * span + 6} y={17} className="value">
              {b.text}
            </text>
          </g>
        ))}
      </svg>
      <FigureTable rows={bars.map((b) => [b.label, b.text])} />
    </figure>
  );
}

export interface Point {
  /** Unix seconds. */
  time: number;
  value: number;
}

/** A step line of a cumulative count over time. */
export function LineChart({
  title,
  points,
  timeText,
}: {
  title: string;
  points: Point[];
  timeText: (seconds: number) => string;
}): ReactNode {
  const height = 200;
  const pad = { left: 44, right: 16, top: 12, bottom: 28 };
  const t0 = points[0]?.time ?? 0;
  const t1 = Math.max(t0 + 1, points.at(-1)?.time ?? 1);
  const max = Math.max(1, ...points.map((p) => p.value));
  const x = (time: number): number => pad.left + ((time - t0) / (t1 - t0)) * (WIDTH - pad.left - pad.right);
  const y = (value: number): number => height - pad.bottom - (value / max) * (height - pad.top - pad.bottom);
  let path = "";
  points.forEach((p, i) => {
    path += i === 0 ? `M${x(p.time)},${y(p.value)}` : `H${x(p.time)}V${y(p.value)}`;
  });
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title}>
        <line x1={pad.left} x2={WIDTH - pad.right} y1={y(0)} y2={y(0)} className="axis" />
        <line x1={pad.left} x2={pad.left} y1={pad.top} y2={y(0)} className="axis" />
        <text x={pad.left - 6} y={y(max) + 4} textAnchor="end" className="label">
          {max}
        </text>
        <text x={pad.left - 6} y={y(0) + 4} textAnchor="end" className="label">
          0
        </text>
        <text x={pad.left} y={height - 8} className="label">
          {timeText(t0)}
        </text>
        <text x={WIDTH - pad.right} y={height - 8} textAnchor="end" className="label">
          {timeText(t1)}
        </text>
        <path d={path} className="line" />
      </svg>
      <FigureTable rows={points.map((p) => [timeText(p.time), String(p.value)])} />
    </figure>
  );
}

export interface ProjectBar {
  label: string;
  tokens: number;
  cost: number;
  won: boolean;
  tokensText: string;
  costText: string;
}

/** Tokens per project (bars) against each project's cost (a tick) and the district budget (a dashed line). */
export function ProjectChart({
  title,
  projects,
  budget,
  budgetText,
}: {
  title: string;
  projects: ProjectBar[];
  budget: number;
  budgetText: string;
}): ReactNode {
  const { t } = useTranslation();
  const max = Math.max(1, budget, ...projects.map((p) => Math.max(p.tokens, p.cost)));
  const span = WIDTH - LABEL - 20;
  const x = (value: number): number => LABEL + (value / max) * span;
  const height = projects.length * ROW + 30;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title}>
        {projects.map((p, i) => (
          <g key={i} transform={`translate(0 ${i * ROW + 4})`}>
            <text x={LABEL - 8} y={17} textAnchor="end" className="label">
              {clip(p.label)}
            </text>
            <rect
              x={LABEL}
              y={4}
              width={Math.max(1, x(p.tokens) - LABEL)}
              height={18}
              className={p.won ? "bar-fill win" : "bar-fill"}
            />
            <line x1={x(p.cost)} x2={x(p.cost)} y1={0} y2={26} className="cost-tick" />
          </g>
        ))}
        <line x1={x(budget)} x2={x(budget)} y1={0} y2={height - 22} className="budget-line" />
        <text x={Math.min(x(budget), WIDTH - 4)} y={height - 6} textAnchor="end" className="label">
          {t("staff.observers.budgetLine")}: {budgetText}
        </text>
      </svg>
      <FigureTable
        head={["", t("staff.observers.tokens"), t("staff.observers.cost")]}
        rows={projects.map((p) => [p.label, p.tokensText, p.costText])}
      />
    </figure>
  );
}

function FigureTable({ head, rows }: { head?: string[]; rows: string[][] }): ReactNode {
  const { t } = useTranslation();
  return (
    <figcaption>
      <details>
        <summary className="small">{t("staff.observers.chartNote")}</summary>
        <table className="small">
          {head && (
            <thead>
              <tr>
                {head.map((h, i) => (
                  <th key={i} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
          )}
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) =>
                  j === 0 ? (
                    <th key={j} scope="row">
                      {cell}
                    </th>
                  ) : (
                    <td key={j}>{cell}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figcaption>
  );
}

const clip = (text: string): string => (text.length > 22 ? text.slice(0, 21) + "…" : text);
