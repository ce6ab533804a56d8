/**
 * The maps' arithmetic, without a browser: Web Mercator and its inverse, the view that frames an area, the tiles that
 * cover it, and what the form's map frames for each district of a contest (its area, else its initiatives' places,
 * else the whole region).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { districtMaps } from "../src/contest/placeMaps.js";
import { frameView, project, tilesOf, toScreen, toWorld, unproject, worldFrame } from "../src/map/geo.js";

const NORTH = { minLat: 48.76, maxLat: 48.82, minLon: 44.5, maxLon: 44.62 };
const SOUTH = { minLat: 48.48, maxLat: 48.56, minLon: 44.5, maxLon: 44.6 };

describe("The maps", () => {
  it("take a place back from its point on the map, to well under a metre", () => {
    for (const place of [
      { lat: 48.708, lon: 44.5133 },
      { lat: -33.8688, lon: 151.2093 },
      { lat: 0, lon: 0 },
    ]) {
      const back = unproject(project(place.lat, place.lon));
      assert.ok(Math.abs(back.lat - place.lat) < 1e-9 && Math.abs(back.lon - place.lon) < 1e-9, JSON.stringify(back));
    }
  });

  it("frame an area inside the picture, centred, and take a tap on the picture back to the place under it", () => {
    for (const tiles of [false, true]) {
      const view = frameView(worldFrame(NORTH), { width: 600, height: 450, pad: 24, tiles });
      const [x0, y1] = toScreen(view, project(NORTH.minLat, NORTH.minLon));
      const [x1, y0] = toScreen(view, project(NORTH.maxLat, NORTH.maxLon));
      for (const x of [x0, x1]) assert.ok(x >= 0 && x <= 600, `x ${x}`);
      for (const y of [y0, y1]) assert.ok(y >= 0 && y <= 450, `y ${y}`);
      assert.ok(Math.abs((x0 + x1) / 2 - 300) < 1e-6 && Math.abs((y0 + y1) / 2 - 225) < 1e-6);
      const tapped = unproject(toWorld(view, [300, 225]));
      assert.ok(tapped.lat > NORTH.minLat && tapped.lat < NORTH.maxLat);
      assert.ok(tapped.lon > NORTH.minLon && tapped.lon < NORTH.maxLon);
    }
  });

  it("cover the whole picture with tiles of one zoom level, drawn at their own size", () => {
    const view = frameView(worldFrame(SOUTH), { width: 600, height: 450, pad: 24, tiles: true });
    const tiles = tilesOf(view, "https://tiles.example/{z}/{x}/{y}.png");
    assert.ok(tiles.every((tile) => tile.size === 256 && tile.href.startsWith(`https://tiles.example/${view.zoom}/`)));
    assert.ok(Math.min(...tiles.map((t) => t.x)) <= 0 && Math.min(...tiles.map((t) => t.y)) <= 0);
    assert.ok(Math.max(...tiles.map((t) => t.x + t.size)) >= 600 && Math.max(...tiles.map((t) => t.y + t.size)) >= 450);
  });

  it("frame a district by its area, else by its initiatives' places, else by the whole region", () => {
    const places = [
      { district: 1, lat: 48.7, lon: 44.5 },
      { district: 1, lat: 48.72, lon: 44.56 },
    ];
    const withAreas = districtMaps(
      { districts: ["Северный", "Центральный", "Южный"], areas: [NORTH, null, SOUTH] },
      places,
    );
    assert.deepEqual(withAreas.districts[0], { area: NORTH, frame: NORTH });
    assert.deepEqual(withAreas.districts[1], {
      area: undefined,
      frame: { minLat: 48.7, maxLat: 48.72, minLon: 44.5, maxLon: 44.56 },
    });
    assert.deepEqual(withAreas.districts[2], { area: SOUTH, frame: SOUTH });
    assert.deepEqual(withAreas.region, { minLat: 48.48, maxLat: 48.82, minLon: 44.5, maxLon: 44.62 });

    const withoutAreas = districtMaps({ districts: ["Северный", "Центральный"] }, places);
    assert.deepEqual(withoutAreas.districts[0].frame, withoutAreas.region);
    assert.deepEqual(withoutAreas.region, { minLat: 48.7, maxLat: 48.72, minLon: 44.5, maxLon: 44.56 });
    // A single place is framed with a few streets around it.
    const single = districtMaps({ districts: ["Северный"] }, [{ district: 0, lat: 48.7, lon: 44.5 }]);
    assert.ok(single.region!.maxLat - single.region!.minLat >= 0.01 - 1e-12);
    assert.equal(districtMaps({ districts: ["Северный"] }, []).districts[0].frame, undefined);
  });
});
