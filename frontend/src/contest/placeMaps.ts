/**
 * What the form's map (./PlaceMap.tsx) frames for each district of a contest: the area its template gives the
 * district, else the places of the district's existing initiatives, else the whole region.
 */
import { districtArea, type TemplateDocument } from "@kopilka/core/contest";

import { boundsOf, unionOf, type Bounds, type Place } from "../map/geo.js";

/** The least span of an area made of places, degrees: a few streets around a single place. */
const MIN_SPAN = 0.01;

/** What the form's map shows for each district: its area on the map, and what to frame when it has none. */
export interface DistrictMap {
  area?: Bounds;
  frame?: Bounds;
}

/**
 * The form's maps: each district's area the contest's template gives it; what to frame for a district, its area,
 * else the places of its existing initiatives, else the whole region (the template's areas together, or every
 * initiative's place), which is also framed while no district is chosen. Undefined frames: neither areas nor places.
 */
export function districtMaps(
  template: Pick<TemplateDocument, "districts" | "areas">,
  places: readonly (Place & { district: number })[],
): { region?: Bounds; districts: DistrictMap[] } {
  const areas = template.districts.map((_, i) => districtArea(template, i));
  const region = unionOf(areas.filter((a) => a !== undefined)) ?? boundsOf(places, MIN_SPAN);
  return {
    region,
    districts: areas.map((area, i) => ({
      area,
      frame:
        area ??
        boundsOf(
          places.filter((p) => p.district === i),
          MIN_SPAN,
        ) ??
        region,
    })),
  };
}
