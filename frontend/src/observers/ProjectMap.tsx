/**
 * Projects on a map, in SVG: Web Mercator coordinates of the published locations, each district drawn as the hull
 * of its projects' pins. Tiles come from the runtime config (`mapTiles`); without them the districts and pins
 * stand on a plain background, so the map needs no third party to work.
 */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { useEnvironment } from "../context.js";

export interface Pin {
  id: number;
  title: string;
  district: number;
  lat: number;
  lon: number;
  won: boolean;
}

const WIDTH = 640;
const HEIGHT = 400;
const PAD = 40;
const TILE = 256;
const COLORS = ["#0b5cad", "#b3261e", "#1b7f3a", "#8a4baf", "#b06000", "#00796b"];

/** Web Mercator, in world units [0, 1). */
function project(lat: number, lon: number): [number, number] {
  const s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

function hull(points: [number, number][]): [number, number][] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const cross = (o: [number, number], a: [number, number], b: [number, number]): number =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: [number, number][]): [number, number][] => {
    const out: [number, number][] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

export function ProjectMap({ pins, districtNames }: { pins: Pin[]; districtNames: Map<number, string> }): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const world = pins.map((p) => project(p.lat, p.lon));
  const xs = world.map((w) => w[0]);
  const ys = world.map((w) => w[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const fit = Math.min(
    (WIDTH - 2 * PAD) / Math.max(maxX - minX, 1e-9),
    (HEIGHT - 2 * PAD) / Math.max(maxY - minY, 1e-9),
  );
  // With tiles the scale snaps to a zoom level so that tiles are drawn at their own size.
  const zoom = Math.max(0, Math.min(18, Math.floor(Math.log2(fit / TILE))));
  const scale = config.mapTiles ? TILE * 2 ** zoom : Math.min(fit, TILE * 2 ** 18);
  const offsetX = WIDTH / 2 - ((minX + maxX) / 2) * scale;
  const offsetY = HEIGHT / 2 - ((minY + maxY) / 2) * scale;
  const screen = ([wx, wy]: [number, number]): [number, number] => [wx * scale + offsetX, wy * scale + offsetY];

  const tiles: ReactNode[] = [];
  if (config.mapTiles) {
    const n = 2 ** zoom;
    const first = [Math.floor(-offsetX / TILE), Math.floor(-offsetY / TILE)];
    const last = [Math.floor((WIDTH - offsetX) / TILE), Math.floor((HEIGHT - offsetY) / TILE)];
    for (let tx = first[0]; tx <= last[0]; tx++) {
      for (let ty = Math.max(0, first[1]); ty <= Math.min(n - 1, last[1]); ty++) {
        const wrapped = ((tx % n) + n) % n;
        const href = config.mapTiles.url
          .replace("{z}", String(zoom))
          .replace("{x}", String(wrapped))
          .replace("{y}", String(ty));
        tiles.push(
          <image
            key={`${tx}/${ty}`}
            href={href}
            x={tx * TILE + offsetX}
            y={ty * TILE + offsetY}
            width={TILE}
            height={TILE}
          />,
        );
      }
    }
  }

  const districts = [...new Set(pins.map((p) => p.district))].sort((a, b) => a - b);
  return (
    <figure className="chart map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t("staff.observers.map")}>
        <rect width={WIDTH} height={HEIGHT} className="map-ground" />
        {tiles}
        {districts.map((d) => {
          const points = pins.filter((p) => p.district === d).map((p) => screen(project(p.lat, p.lon)));
          const shape = hull(points);
          const [cx, cy] = [
            points.reduce((s, p) => s + p[0], 0) / points.length,
            points.reduce((s, p) => s + p[1], 0) / points.length,
          ];
          const color = COLORS[d % COLORS.length];
          return (
            <g key={d} data-district={d}>
              {shape.length >= 3 ? (
                <polygon
                  points={shape.map((p) => p.join(",")).join(" ")}
                  fill={color}
                  fillOpacity={0.12}
                  stroke={color}
                  strokeWidth={24}
                  strokeOpacity={0.12}
                  strokeLinejoin="round"
                />
              ) : (
                <circle cx={cx} cy={cy} r={28} fill={color} fillOpacity={0.12} />
              )}
              <text x={cx} y={Math.max(14, cy - 24)} textAnchor="middle" className="map-label">
                {districtNames.get(d) ?? `#${d}`}
              </text>
            </g>
          );
        })}
        {pins.map((p) => {
          const [x, y] = screen(project(p.lat, p.lon));
          return (
            <circle
              key={p.id}
              cx={x}
              cy={y}
              r={p.won ? 8 : 6}
              fill={COLORS[p.district % COLORS.length]}
              stroke="#fff"
              strokeWidth={2}
              data-pin={p.id}
            >
              <title>{p.title}</title>
            </circle>
          );
        })}
      </svg>
      {config.mapTiles && <figcaption className="small muted">{config.mapTiles.attribution}</figcaption>}
    </figure>
  );
}
