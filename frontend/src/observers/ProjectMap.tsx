/**
 * Projects on a map, in SVG: Web Mercator coordinates of the published locations, each district drawn as the hull
 * of its projects' pins. Tiles come from the runtime config (`mapTiles`); without them the districts and pins
 * stand on a plain background, so the map needs no third party to work.
 */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { useEnvironment } from "../context.js";
import { frameView, hull, project, tilesOf, toScreen, type Point } from "../map/geo.js";

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
const COLORS = ["#0b5cad", "#b3261e", "#1b7f3a", "#8a4baf", "#b06000", "#00796b"];

export function ProjectMap({ pins, districtNames }: { pins: Pin[]; districtNames: Map<number, string> }): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const world = pins.map((p) => project(p.lat, p.lon));
  const xs = world.map((w) => w[0]);
  const ys = world.map((w) => w[1]);
  const view = frameView(
    { minX: Math.min(...xs), maxX: Math.max(...xs), minY: Math.min(...ys), maxY: Math.max(...ys) },
    { width: WIDTH, height: HEIGHT, pad: PAD, tiles: config.mapTiles !== undefined },
  );
  const screen = (point: Point): Point => toScreen(view, point);

  const districts = [...new Set(pins.map((p) => p.district))].sort((a, b) => a - b);
  return (
    <figure className="chart map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t("staff.observers.map")}>
        <rect width={WIDTH} height={HEIGHT} className="map-ground" />
        {config.mapTiles &&
          tilesOf(view, config.mapTiles.url).map((tile) => (
            <image key={tile.key} href={tile.href} x={tile.x} y={tile.y} width={tile.size} height={tile.size} />
          ))}
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
