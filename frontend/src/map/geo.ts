/**
 * What the dApp's maps share (the observers' map of projects, the form's map a resident places a pin on): Web
 * Mercator and its inverse, the view that frames an area in an SVG of a given size, the XYZ tiles that cover that
 * view (from the runtime config's `mapTiles`; without them a map is drawn on a plain background), and the convex hull
 * of a district's pins.
 */

/** A tile's side, in pixels at its own zoom level. */
export const TILE = 256;
/** The deepest zoom level XYZ tile hosts serve. */
export const MAX_ZOOM = 18;

/** A point in world units (Web Mercator, [0, 1) each way) or on the screen (SVG units). */
export type Point = [number, number];

export interface Place {
  lat: number;
  lon: number;
}

/** An area on the map, in degrees. */
export interface Bounds {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

/** Web Mercator, in world units [0, 1). */
export function project(lat: number, lon: number): Point {
  const s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

/** The place at world point `[x, y]`: the inverse of `project`. */
export function unproject([x, y]: Point): Place {
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
  return { lat, lon: x * 360 - 180 };
}

/** The smallest area holding every place, at least `minSpan` degrees each way; undefined for no places. */
export function boundsOf(places: readonly Place[], minSpan = 0): Bounds | undefined {
  if (places.length === 0) return undefined;
  const lats = places.map((p) => p.lat);
  const lons = places.map((p) => p.lon);
  const grow = (min: number, max: number): [number, number] => {
    const extra = Math.max(0, minSpan - (max - min)) / 2;
    return [min - extra, max + extra];
  };
  const [minLat, maxLat] = grow(Math.min(...lats), Math.max(...lats));
  const [minLon, maxLon] = grow(Math.min(...lons), Math.max(...lons));
  return { minLat, maxLat, minLon, maxLon };
}

/** The smallest area holding every one of `areas`; undefined for none. */
export function unionOf(areas: readonly Bounds[]): Bounds | undefined {
  return boundsOf(
    areas.flatMap((a) => [
      { lat: a.minLat, lon: a.minLon },
      { lat: a.maxLat, lon: a.maxLon },
    ]),
  );
}

export function contains(area: Bounds, { lat, lon }: Place): boolean {
  return lat >= area.minLat && lat <= area.maxLat && lon >= area.minLon && lon <= area.maxLon;
}

/** How world units land on an SVG of `width` × `height`: screen = world × scale + offset. */
export interface View {
  width: number;
  height: number;
  /** The tiles' zoom level (also meaningful without tiles: the scale is TILE × 2^zoom then). */
  zoom: number;
  scale: number;
  offsetX: number;
  offsetY: number;
}

/**
 * The view that frames world points `[minX, maxX] × [minY, maxY]` with `pad` units to spare, zoomed in `zoomIn`
 * levels further (negative: out) around `centre` (a world point; the frame's centre if not given). With `tiles` the
 * scale snaps to a zoom level so that tiles are drawn at their own size.
 */
export function frameView(
  frame: { minX: number; maxX: number; minY: number; maxY: number },
  {
    width,
    height,
    pad,
    tiles,
    zoomIn = 0,
    centre,
  }: {
    width: number;
    height: number;
    pad: number;
    tiles: boolean;
    zoomIn?: number;
    centre?: Point;
  },
): View {
  const fit = Math.min(
    (width - 2 * pad) / Math.max(frame.maxX - frame.minX, 1e-9),
    (height - 2 * pad) / Math.max(frame.maxY - frame.minY, 1e-9),
  );
  const zoom = Math.max(0, Math.min(MAX_ZOOM, Math.floor(Math.log2(fit / TILE)) + zoomIn));
  const scale = tiles ? TILE * 2 ** zoom : Math.min(fit * 2 ** zoomIn, TILE * 2 ** MAX_ZOOM);
  const [cx, cy] = centre ?? [(frame.minX + frame.maxX) / 2, (frame.minY + frame.maxY) / 2];
  return { width, height, zoom, scale, offsetX: width / 2 - cx * scale, offsetY: height / 2 - cy * scale };
}

/** The world points of an area's corners, as `frameView` takes them. */
export function worldFrame(area: Bounds): { minX: number; maxX: number; minY: number; maxY: number } {
  const [minX, maxY] = project(area.minLat, area.minLon);
  const [maxX, minY] = project(area.maxLat, area.maxLon);
  return { minX, maxX, minY, maxY };
}

export function toScreen(view: View, [wx, wy]: Point): Point {
  return [wx * view.scale + view.offsetX, wy * view.scale + view.offsetY];
}

export function toWorld(view: View, [sx, sy]: Point): Point {
  return [(sx - view.offsetX) / view.scale, (sy - view.offsetY) / view.scale];
}

export interface Tile {
  key: string;
  href: string;
  x: number;
  y: number;
  size: number;
}

/** The XYZ tiles (`url` with {z}, {x}, {y}) that cover a view, where each is drawn; x wraps around the world. */
export function tilesOf(view: View, url: string): Tile[] {
  const n = 2 ** view.zoom;
  const size = view.scale / n;
  const tiles: Tile[] = [];
  const first = [Math.floor(-view.offsetX / size), Math.floor(-view.offsetY / size)];
  const last = [Math.floor((view.width - view.offsetX) / size), Math.floor((view.height - view.offsetY) / size)];
  for (let tx = first[0]; tx <= last[0]; tx++) {
    for (let ty = Math.max(0, first[1]); ty <= Math.min(n - 1, last[1]); ty++) {
      const wrapped = ((tx % n) + n) % n;
      const href = url.replace("{z}", String(view.zoom)).replace("{x}", String(wrapped)).replace("{y}", String(ty));
      tiles.push({ key: `${tx}/${ty}`, href, x: tx * size + view.offsetX, y: ty * size + view.offsetY, size });
    }
  }
  return tiles;
}

/** The convex hull of screen points (Andrew's monotone chain); fewer than three points come back as they are. */
export function hull(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: Point[]): Point[] => {
    const out: Point[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}
