/**
 * Geofence geometry in the browser: our shapes (`{kind: "circle", latitude, longitude, radiusM}`,
 * `{kind: "polygon", coordinates}` — GeoJSON Polygon rings of [lng, lat]) to and from the GeoJSON
 * polygons MapLibre draws and terra-draw edits. Pure functions, no MapLibre.
 */
import type { Geofence, GeofenceShapeData } from "@fleetcore/validators";
import type { Feature, FeatureCollection, Polygon, Position } from "geojson";

/** Mean Earth radius, metres (IUGG), the one the server's haversine uses (core/ingest/geo.ts). */
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;
/** Vertices of a circle drawn as a polygon (terra-draw's circle mode uses 64 too). */
export const CIRCLE_STEPS = 64;
/** Decimals kept in coordinates: 1e-7° ≈ 1 cm; also the precision terra-draw is configured with. */
export const COORDINATE_DECIMALS = 7;

const round = (v: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
};
const roundPosition = (lng: number, lat: number): [number, number] => [
  round(lng, COORDINATE_DECIMALS),
  round(lat, COORDINATE_DECIMALS),
];

/** Great-circle distance, metres (haversine). */
export function haversineM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLng = (lng2 - lng1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * The point `distanceM` from (lat, lng) along `bearingDeg` (clockwise from north) on the sphere
 * (the "destination point" formula, Chris Veness, movable-type.co.uk/scripts/latlong.html).
 */
function destination(lat: number, lng: number, distanceM: number, bearingDeg: number): [number, number] {
  const d = distanceM / EARTH_RADIUS_M;
  const b = bearingDeg * RAD;
  const φ1 = lat * RAD;
  const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(b));
  const λ2 =
    lng * RAD + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
  return roundPosition(λ2 / RAD, φ2 / RAD);
}

/** A circle as a closed ring of `steps` positions on its edge (plus the closing one), [lng, lat]. */
export function circleRing(
  circle: { latitude: number; longitude: number; radiusM: number },
  steps = CIRCLE_STEPS,
): [number, number][] {
  const ring: [number, number][] = [];
  for (let i = 0; i < steps; i++)
    ring.push(destination(circle.latitude, circle.longitude, circle.radiusM, (360 * i) / steps));
  ring.push(ring[0] as [number, number]);
  return ring;
}

/** Web Mercator y of a latitude (unitless, radians-based); x is the longitude in radians. */
const mercatorY = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * RAD) / 2));
const latitudeOfMercatorY = (y: number) => (2 * Math.atan(Math.exp(y)) - Math.PI / 2) / RAD;

/**
 * The circle a drawn circle polygon stands for. Centre: the mean of its vertices in Web Mercator
 * (terra-draw draws a regular polygon in Mercator around the centre, so that is the centre exactly;
 * for a geodesic circle it is off by a fraction of a millimetre at geofence sizes). Radius: the mean
 * great-circle distance from the centre to the vertices, to 0.1 m. The feature's own
 * `radiusKilometers` property is not used: terra-draw's circle mode sets it while drawing, but its
 * select mode leaves it unchanged when the circle is resized.
 */
export function circleFromRing(ring: readonly Position[]): { latitude: number; longitude: number; radiusM: number } {
  const vertices = closedRingVertices(ring);
  let x = 0;
  let y = 0;
  for (const [lng = 0, lat = 0] of vertices) {
    x += lng;
    y += mercatorY(lat);
  }
  const n = Math.max(1, vertices.length);
  const [longitude, latitude] = roundPosition(x / n, latitudeOfMercatorY(y / n));
  let sum = 0;
  for (const [lng = 0, lat = 0] of vertices) sum += haversineM(latitude, longitude, lat, lng);
  return { latitude, longitude, radiusM: round(sum / n, 1) };
}

/** A ring's positions without the closing repeat of the first one. */
function closedRingVertices(ring: readonly Position[]): Position[] {
  const first = ring[0];
  const last = ring[ring.length - 1];
  const closed = ring.length > 1 && first && last && first[0] === last[0] && first[1] === last[1];
  return closed ? ring.slice(0, -1) : [...ring];
}

/**
 * Our shape from a polygon drawn or edited on the map: a circle (see {@link circleFromRing}) or a
 * polygon of its outer ring, coordinates rounded to {@link COORDINATE_DECIMALS} and the ring closed.
 */
export function shapeFromPolygon(kind: "circle" | "polygon", polygon: Polygon): GeofenceShapeData {
  const outer = polygon.coordinates[0] ?? [];
  if (kind === "circle") return { kind: "circle", ...circleFromRing(outer) };
  const ring = closedRingVertices(outer).map(([lng = 0, lat = 0]) => roundPosition(lng, lat));
  if (ring.length > 0) ring.push(ring[0] as [number, number]);
  return { kind: "polygon", coordinates: [ring] };
}

/** A shape as a GeoJSON polygon: a circle as a {@link circleRing}, a polygon as it is. */
export function polygonOf(shape: GeofenceShapeData): Polygon {
  return shape.kind === "circle"
    ? { type: "Polygon", coordinates: [circleRing(shape)] }
    : { type: "Polygon", coordinates: shape.coordinates };
}

/** Where a geofence's name goes: a circle's centre, a polygon's outer-ring centroid (its box's centre if degenerate). */
export function labelPoint(shape: GeofenceShapeData): [number, number] {
  if (shape.kind === "circle") return [shape.longitude, shape.latitude];
  const ring = shape.coordinates[0] ?? [];
  // Centroid of a simple polygon (shoelace-weighted), in the lng/lat plane.
  let area2 = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0 = 0, y0 = 0] = ring[j] ?? [];
    const [x1 = 0, y1 = 0] = ring[i] ?? [];
    const cross = x0 * y1 - x1 * y0;
    area2 += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  if (Math.abs(area2) > 1e-12) return [cx / (3 * area2), cy / (3 * area2)];
  const [[w, s], [e, n]] = shapeBounds(shape);
  return [(w + e) / 2, (s + n) / 2];
}

/** [[west, south], [east, north]] of a shape, degrees. */
export function shapeBounds(shape: GeofenceShapeData): [[number, number], [number, number]] {
  const ring = shape.kind === "circle" ? circleRing(shape, 16) : (shape.coordinates[0] ?? []);
  let w = Number.POSITIVE_INFINITY;
  let s = Number.POSITIVE_INFINITY;
  let e = Number.NEGATIVE_INFINITY;
  let n = Number.NEGATIVE_INFINITY;
  for (const [lng, lat] of ring) {
    w = Math.min(w, lng);
    e = Math.max(e, lng);
    s = Math.min(s, lat);
    n = Math.max(n, lat);
  }
  return [
    [w, s],
    [e, n],
  ];
}

/** Properties of a geofence feature on the map. */
export interface GeofenceFeatureProperties {
  id: string;
  name: string;
  color: string;
  active: boolean;
}

/** The geofences as map features (`id` promoted for feature state and clicks). */
export function geofenceFeatures(
  geofences: readonly Geofence[],
): FeatureCollection<Polygon, GeofenceFeatureProperties> {
  return {
    type: "FeatureCollection",
    features: geofences.map(
      (g): Feature<Polygon, GeofenceFeatureProperties> => ({
        type: "Feature",
        properties: { id: g.id, name: g.name, color: g.color, active: g.active },
        geometry: polygonOf(g.shape),
      }),
    ),
  };
}
