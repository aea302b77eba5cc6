/**
 * Bench geofences: `count` site-sized geofences of one tenant (depots, yards, customers), the same
 * ones on every run (seeded PRNG). A third are circles of radius 50–500 m, a third concave 10-point
 * stars and a third squares with a square hole, of the same reach; one in five has its own speed
 * limit of 40 km/h. Placed two ways over a set of points (the benchmark's fixes):
 * - "spread": centres uniform over the points' extent (1st–99th percentile of latitude and longitude);
 * - "routes": centred on points picked at random — on the bus routes, dense downtown, so that most
 *   fixes fall in several geofences and cross many (a worst case).
 * Used by geofences.ts (the rules engine alone) and ingest.ts (the `http-geofences` variant).
 */
import type { GeofenceDef, GeofenceShape } from "@fleetcore/core";
import { quantile } from "./report";

export type GeofencePlacement = "spread" | "routes";

/** Speed limit of the geofences that have one (one in five), km/h. */
export const GEOFENCE_SPEED_LIMIT_KPH = 40;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Metres → degrees of latitude, and of longitude at `latitude`. */
const latDeg = (m: number) => m / 111_195;
const lngDeg = (m: number, latitude: number) => m / (111_195 * Math.cos((latitude * Math.PI) / 180));

function square(lng: number, lat: number, halfLng: number, halfLat: number): [number, number][] {
  return [
    [lng - halfLng, lat - halfLat],
    [lng + halfLng, lat - halfLat],
    [lng + halfLng, lat + halfLat],
    [lng - halfLng, lat + halfLat],
    [lng - halfLng, lat - halfLat],
  ];
}

interface Point {
  latitude: number;
  longitude: number;
}

/** The q-quantile of the points' latitudes or longitudes. */
function coordQuantile(points: readonly Point[], key: "latitude" | "longitude", q: number): number {
  return quantile(
    points.map((f) => f[key]).sort((a, b) => a - b),
    q,
  );
}

/**
 * `count` geofences of `tenantId` placed over `points` (see the module comment), with ids
 * `geofence-<i>` and names `Geofence <i>` (i from 0); shapes in WGS 84 degrees, radii in metres.
 */
export function makeGeofences(
  count: number,
  points: readonly Point[],
  placement: GeofencePlacement,
  tenantId: string,
): GeofenceDef[] {
  const next = rng(20_161_124);
  const [lat0, lat1] = [coordQuantile(points, "latitude", 0.01), coordQuantile(points, "latitude", 0.99)];
  const [lng0, lng1] = [coordQuantile(points, "longitude", 0.01), coordQuantile(points, "longitude", 0.99)];
  const defs: GeofenceDef[] = [];
  for (let i = 0; i < count; i++) {
    let lat = lat0 + next() * (lat1 - lat0);
    let lng = lng0 + next() * (lng1 - lng0);
    if (placement === "routes") {
      const at = points[Math.floor(next() * points.length)] as Point;
      lat = at.latitude;
      lng = at.longitude;
    }
    const sizeM = 50 + next() * 450;
    let shape: GeofenceShape;
    if (i % 3 === 0) {
      shape = { kind: "circle", latitude: lat, longitude: lng, radiusM: sizeM };
    } else if (i % 3 === 1) {
      const ring: [number, number][] = [];
      for (let k = 0; k < 10; k++) {
        const a = (2 * Math.PI * k) / 10;
        const r = k % 2 === 0 ? sizeM : sizeM * 0.45;
        ring.push([lng + lngDeg(r * Math.cos(a), lat), lat + latDeg(r * Math.sin(a))]);
      }
      ring.push([...(ring[0] as [number, number])]);
      shape = { kind: "polygon", coordinates: [ring] };
    } else {
      shape = {
        kind: "polygon",
        coordinates: [
          square(lng, lat, lngDeg(sizeM, lat), latDeg(sizeM)),
          square(lng, lat, lngDeg(sizeM / 3, lat), latDeg(sizeM / 3)),
        ],
      };
    }
    defs.push({
      id: `geofence-${i}`,
      tenantId,
      name: `Geofence ${i}`,
      shape,
      speedLimitKph: i % 5 === 0 ? GEOFENCE_SPEED_LIMIT_KPH : null,
    });
  }
  return defs;
}
