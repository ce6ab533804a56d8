/**
 * The form's map a resident taps (or clicks) to place the project's pin, in SVG like the observers' map: it frames
 * the chosen district's area (drawn on it), tiles from the runtime config (`mapTiles`) under it when there are any,
 * else a plain background. A tap gives the place to `onPlace`; the pin stands where the typed coordinates say. By
 * keyboard the map takes the focus and the arrow keys move the pin, + and − zoom; the typed fields stay the other way.
 */
import { useState, type KeyboardEvent, type MouseEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { useEnvironment } from "../context.js";
import {
  frameView,
  project,
  tilesOf,
  toScreen,
  toWorld,
  unproject,
  worldFrame,
  type Bounds,
  type Place,
  type Point,
} from "../map/geo.js";

const WIDTH = 600;
const HEIGHT = 450;
const PAD = 24;
/** How far an arrow key moves the pin, in SVG units. */
const STEP = 15;
const MAX_ZOOM_IN = 6;
export function PlaceMap({
  frame,
  area,
  pin,
  label,
  onPlace,
}: {
  /** What the map shows at first. */
  frame: Bounds;
  /** The district's area, drawn on the map, when there is one. */
  area?: Bounds;
  pin?: Place;
  /** What the map shows, in words: its text alternative. */
  label: string;
  onPlace: (place: Place) => void;
}): ReactNode {
  const { t } = useTranslation();
  const { config } = useEnvironment();
  const [zoomIn, setZoomIn] = useState(0);
  const pinWorld = pin && project(pin.lat, pin.lon);
  // Zoomed in, the map centres on the pin, so that the resident can place it more exactly.
  const view = frameView(worldFrame(frame), {
    width: WIDTH,
    height: HEIGHT,
    pad: PAD,
    tiles: config.mapTiles !== undefined,
    zoomIn,
    centre: zoomIn > 0 ? pinWorld : undefined,
  });
  const place = (screen: Point) => onPlace(unproject(toWorld(view, screen)));

  function onClick(event: MouseEvent<SVGSVGElement>) {
    const box = event.currentTarget.getBoundingClientRect();
    place([((event.clientX - box.left) * WIDTH) / box.width, ((event.clientY - box.top) * HEIGHT) / box.height]);
  }

  function onKeyDown(event: KeyboardEvent) {
    const moves: Record<string, Point> = {
      ArrowUp: [0, -STEP],
      ArrowDown: [0, STEP],
      ArrowLeft: [-STEP, 0],
      ArrowRight: [STEP, 0],
    };
    if (event.key in moves) {
      event.preventDefault();
      const [x, y] = pinWorld ? toScreen(view, pinWorld) : [WIDTH / 2, HEIGHT / 2];
      const [dx, dy] = pinWorld ? moves[event.key] : [0, 0];
      place([x + dx, y + dy]);
    } else if (event.key === "+" || event.key === "=") {
      event.preventDefault();
      setZoomIn((z) => Math.min(MAX_ZOOM_IN, z + 1));
    } else if (event.key === "-") {
      event.preventDefault();
      setZoomIn((z) => Math.max(0, z - 1));
    }
  }

  const rect = (bounds: Bounds) => {
    const [x0, y1] = toScreen(view, project(bounds.minLat, bounds.minLon));
    const [x1, y0] = toScreen(view, project(bounds.maxLat, bounds.maxLon));
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  };
  const pinScreen = pinWorld && toScreen(view, pinWorld);
  return (
    <figure className="place-map">
      <div
        className="place-map-frame"
        tabIndex={0}
        role="group"
        aria-label={label}
        aria-describedby="place-map-hint"
        onKeyDown={onKeyDown}
        data-testid="place-map"
      >
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} onClick={onClick} aria-hidden="true" focusable="false">
          <rect width={WIDTH} height={HEIGHT} className="map-ground" />
          {config.mapTiles &&
            tilesOf(view, config.mapTiles.url).map((tile) => (
              <image
                key={tile.key}
                href={tile.href}
                x={tile.x}
                y={tile.y}
                width={tile.size}
                height={tile.size}
                data-tile={tile.href}
              />
            ))}
          {area && <rect {...rect(area)} className="place-map-area" data-testid="district-area" />}
          {pinScreen && (
            <g transform={`translate(${pinScreen[0]} ${pinScreen[1]})`} className="place-map-pin" data-testid="pin">
              <path d="M0 0 C -4 -10 -13 -16 -13 -25 A 13 13 0 1 1 13 -25 C 13 -16 4 -10 0 0 Z" />
              <circle cy={-25} r={5} fill="#fff" />
            </g>
          )}
        </svg>
      </div>
      <p className="buttons place-map-zoom">
        <button
          type="button"
          onClick={() => setZoomIn((z) => Math.min(MAX_ZOOM_IN, z + 1))}
          disabled={zoomIn >= MAX_ZOOM_IN}
        >
          {t("contest.form.map.zoomIn")}
        </button>
        <button type="button" onClick={() => setZoomIn((z) => Math.max(0, z - 1))} disabled={zoomIn === 0}>
          {t("contest.form.map.zoomOut")}
        </button>
      </p>
      <figcaption className="small muted" id="place-map-hint">
        {t("contest.form.map.hint")}
        {config.mapTiles && <span className="map-attribution"> {config.mapTiles.attribution}</span>}
      </figcaption>
    </figure>
  );
}
