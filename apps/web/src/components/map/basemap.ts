/**
 * The basemap. `VITE_MAP_STYLE_URL` (a MapLibre style JSON URL, read at build time) selects a real
 * basemap; without it the map uses {@link offlineStyle}: a plain background and a graticule generated
 * here (10° and 1° lines over the world, finer lines — 0.5° down to 0.0005° — regenerated around the
 * view as it moves), so the map works with no network at all: no tiles, glyphs, sprites or fonts are
 * requested, and the vehicle layers use no text either (see vehicleLayer.ts).
 */
import type { FeatureCollection, LineString } from "geojson";
import type { GeoJSONSource, Map as MapLibreMap, StyleSpecification } from "maplibre-gl";

/** Light for the dashboard, dark for the wall display. */
export type MapTheme = "light" | "dark";

/** Source id of the world graticule (10° and 1° lines, static). */
export const GRATICULE_SOURCE = "fc-graticule";
/** Source id of the fine graticule around the view (regenerated as the camera moves). */
export const FINE_GRATICULE_SOURCE = "fc-graticule-fine";

/** Web Mercator's latitude limit, degrees: meridians stop here. */
const MERCATOR_MAX_LAT_DEG = 85.0511;

/** Spacings of the fine graticule, degrees, coarsest first. */
const FINE_STEPS_DEG = [0.5, 0.1, 0.05, 0.01, 0.005, 0.001, 0.0005] as const;

const THEMES: Record<MapTheme, { background: string; line: string; lineMajor: string }> = {
  light: { background: "#eef2f4", line: "#d5dde3", lineMajor: "#b9c6cf" },
  dark: { background: "#0b1620", line: "#15293a", lineMajor: "#21405a" },
};

type Graticule = FeatureCollection<LineString, { stepDeg: number }>;

/** Degrees west/south/east/north. */
export interface BoundsDeg {
  west: number;
  south: number;
  east: number;
  north: number;
}

/**
 * Meridians and parallels every `stepDeg` within `bounds` (clamped to the world), as GeoJSON
 * LineStrings tagged with `stepDeg`. Positions are integer multiples of the step, rounded to
 * 1e-7°, so lines of different steps coincide exactly.
 */
export function graticuleLines(bounds: BoundsDeg, stepDeg: number): Graticule {
  const west = Math.max(-180, bounds.west);
  const east = Math.min(180, bounds.east);
  const south = Math.max(-MERCATOR_MAX_LAT_DEG, bounds.south);
  const north = Math.min(MERCATOR_MAX_LAT_DEG, bounds.north);
  const at = (k: number) => Math.round(k * stepDeg * 1e7) / 1e7;
  const features: Graticule["features"] = [];
  const line = (coordinates: [number, number][]) =>
    features.push({ type: "Feature", properties: { stepDeg }, geometry: { type: "LineString", coordinates } });
  for (let k = Math.ceil(west / stepDeg); at(k) <= east; k++) {
    line([
      [at(k), south],
      [at(k), north],
    ]);
  }
  for (let k = Math.ceil(south / stepDeg); at(k) <= north; k++) {
    line([
      [west, at(k)],
      [east, at(k)],
    ]);
  }
  return { type: "FeatureCollection", features };
}

/** The world graticule: 10° lines and 1° lines (each line once, tagged with the coarsest step it is on). */
export function graticule(): Graticule {
  const world = { west: -180, south: -MERCATOR_MAX_LAT_DEG, east: 180, north: MERCATOR_MAX_LAT_DEG };
  const major = graticuleLines(world, 10).features;
  const minor = graticuleLines(world, 1).features.filter((f) => lineValueDeg(f.geometry) % 10 !== 0);
  return { type: "FeatureCollection", features: [...major, ...minor] };
}

/** The longitude of a meridian or the latitude of a parallel from {@link graticuleLines}. */
function lineValueDeg(line: LineString): number {
  const [start = [0, 0], end = [0, 0]] = line.coordinates;
  return start[0] === end[0] ? (start[0] ?? 0) : (start[1] ?? 0);
}

/**
 * The fine graticule step for a view about `viewWidthDeg` wide: the coarsest step finer than 1°
 * giving at least ~6 lines across, or null when the 1° lines are fine enough.
 */
export function fineGraticuleStep(viewWidthDeg: number): number | null {
  if (viewWidthDeg > 12) return null;
  let chosen: number | null = null;
  for (const step of FINE_STEPS_DEG) {
    chosen = step;
    if (viewWidthDeg / step >= 6) break;
  }
  return chosen;
}

/**
 * A self-contained style: background colour, the world graticule and an (initially empty) fine
 * graticule source, inline GeoJSON only. No `glyphs` and no `sprite`, so MapLibre requests nothing.
 * Pair it with {@link attachFineGraticule} for lines when zoomed in.
 */
export function offlineStyle(theme: MapTheme): StyleSpecification {
  const colors = THEMES[theme];
  return {
    version: 8,
    name: `Fleetcore offline (${theme})`,
    sources: {
      [GRATICULE_SOURCE]: { type: "geojson", data: graticule(), maxzoom: 8 },
      [FINE_GRATICULE_SOURCE]: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
    },
    layers: [
      { id: "fc-background", type: "background", paint: { "background-color": colors.background } },
      {
        id: "fc-graticule-1",
        type: "line",
        source: GRATICULE_SOURCE,
        minzoom: 3,
        filter: ["==", ["get", "stepDeg"], 1],
        paint: { "line-color": colors.line, "line-width": 0.8 },
      },
      {
        id: "fc-graticule-fine",
        type: "line",
        source: FINE_GRATICULE_SOURCE,
        paint: { "line-color": colors.line, "line-width": 0.8 },
      },
      {
        id: "fc-graticule-10",
        type: "line",
        source: GRATICULE_SOURCE,
        filter: ["==", ["get", "stepDeg"], 10],
        paint: { "line-color": colors.lineMajor, "line-width": 1.2 },
      },
    ],
  };
}

/**
 * Keeps the fine graticule of {@link offlineStyle} around the view: after each camera move, lines at
 * {@link fineGraticuleStep} over the view plus one view-width of margin (a few dozen lines).
 * @returns detaches
 */
export function attachFineGraticule(map: MapLibreMap): () => void {
  let lastKey = "";
  const update = () => {
    const source = map.getSource<GeoJSONSource>(FINE_GRATICULE_SOURCE);
    if (!source) return;
    const b = map.getBounds();
    const width = b.getEast() - b.getWest();
    const height = b.getNorth() - b.getSouth();
    const step = fineGraticuleStep(width);
    const bounds = {
      west: b.getWest() - width,
      east: b.getEast() + width,
      south: b.getSouth() - height,
      north: b.getNorth() + height,
    };
    // Regenerate only when the step changes or the view left the margin the last lines cover.
    const key =
      step === null
        ? "none"
        : `${step}:${Math.floor(bounds.west / (width * 2))}:${Math.floor(bounds.south / (height * 2))}`;
    if (key === lastKey) return;
    lastKey = key;
    void source.setData(step === null ? { type: "FeatureCollection", features: [] } : graticuleLines(bounds, step));
  };
  map.on("moveend", update);
  if (map.isStyleLoaded()) update();
  else map.once("load", update);
  return () => map.off("moveend", update);
}

/**
 * The style to load: `VITE_MAP_STYLE_URL` when the build set one, else {@link offlineStyle}.
 * @param styleUrl override of the env var (tests, the benchmark); an empty string means "none"
 */
export function mapStyle(
  theme: MapTheme,
  styleUrl: string | undefined = import.meta.env.VITE_MAP_STYLE_URL,
): string | StyleSpecification {
  return styleUrl?.trim() ? styleUrl.trim() : offlineStyle(theme);
}
