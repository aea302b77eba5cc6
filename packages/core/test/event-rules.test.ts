import { describe, expect, it } from "vitest";
import { type DerivedEvent, EventRulesEngine, type ObservedFix, type RuleLimits } from "../src/telemetry/eventRules";
import {
  type GeofenceDef,
  GeofenceIndex,
  type GeofenceShape,
  geofenceContains,
  shapeBounds,
  validateGeofenceShape,
} from "../src/telemetry/geofences";

/** Mean Earth radius (IUGG), m — the sphere the library's haversine uses. */
const R = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/**
 * The point `distanceM` from (lat, lng) along initial bearing `bearingDeg` on the sphere: the
 * "destination point" formula (Movable Type, "Calculate distance, bearing and more between
 * Latitude/Longitude points"), independent of the haversine under test.
 */
function destination(lat: number, lng: number, bearingDeg: number, distanceM: number): [number, number] {
  const d = distanceM / R;
  const b = rad(bearingDeg);
  const p1 = rad(lat);
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = rad(lng) + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [deg(p2), deg(l2)];
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
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

const square = (lng0: number, lat0: number, lng1: number, lat1: number): [number, number][] => [
  [lng0, lat0],
  [lng1, lat0],
  [lng1, lat1],
  [lng0, lat1],
  [lng0, lat0],
];

describe("geofence geometry", () => {
  it("tests polygons with holes by the even-odd rule", () => {
    // A 10×10 square with a 4×4 hole in the middle (lng/lat degrees near 0, 0).
    const shape: GeofenceShape = { kind: "polygon", coordinates: [square(0, 0, 10, 10), square(3, 3, 7, 7)] };
    expect(validateGeofenceShape(shape)).toBeNull();
    expect(geofenceContains(shape, 1, 1)).toBe(true); // (lat, lng)
    expect(geofenceContains(shape, 5, 5)).toBe(false); // in the hole
    expect(geofenceContains(shape, 5, 8)).toBe(true); // between hole and edge
    expect(geofenceContains(shape, 5, 11)).toBe(false);
    expect(geofenceContains(shape, -0.1, 5)).toBe(false);
  });

  it("tests concave polygons (a U open to the north) and rings in either winding", () => {
    const u: [number, number][] = [
      [0, 0],
      [6, 0],
      [6, 6],
      [4, 6],
      [4, 2],
      [2, 2],
      [2, 6],
      [0, 6],
      [0, 0],
    ];
    const cw: GeofenceShape = { kind: "polygon", coordinates: [u] };
    const ccw: GeofenceShape = { kind: "polygon", coordinates: [[...u].reverse()] };
    for (const shape of [cw, ccw]) {
      expect(geofenceContains(shape, 4, 1)).toBe(true); // left arm
      expect(geofenceContains(shape, 4, 5)).toBe(true); // right arm
      expect(geofenceContains(shape, 4, 3)).toBe(false); // the notch between the arms
      expect(geofenceContains(shape, 1, 3)).toBe(true); // the base under the notch
      expect(geofenceContains(shape, 1.99, 3)).toBe(true); // just below the notch's floor
      expect(geofenceContains(shape, 2.01, 3)).toBe(false); // just above it
      expect(geofenceContains(shape, 7, 3)).toBe(false);
    }
  });

  it("tests circles by great-circle distance, to the centimetre at the radius", () => {
    for (const [lat, lng] of [
      [30.2672, -97.7431], // Austin
      [60.17, 24.94], // Helsinki: longitude degrees half as long
      [-33.87, 151.21],
    ] as [number, number][]) {
      for (const radiusM of [50, 1_000, 25_000]) {
        const shape: GeofenceShape = { kind: "circle", latitude: lat, longitude: lng, radiusM };
        const index = new GeofenceIndex([{ id: "c", tenantId: "t", name: "C", shape, speedLimitKph: null }]);
        for (let bearing = 0; bearing < 360; bearing += 7.5) {
          const [inLat, inLng] = destination(lat, lng, bearing, radiusM - 0.01);
          const [outLat, outLng] = destination(lat, lng, bearing, radiusM + 0.01);
          expect(geofenceContains(shape, inLat, inLng)).toBe(true);
          expect(geofenceContains(shape, outLat, outLng)).toBe(false);
          // The index's bounding box must not cut off any point of the circle.
          expect(index.containing("t", inLat, inLng).map((g) => g.id)).toEqual(["c"]);
        }
      }
    }
  });

  it("bounds a circle by its widest longitude, which lies poleward of due east", () => {
    const shape: GeofenceShape = { kind: "circle", latitude: 60, longitude: 0, radiusM: 50_000 };
    const b = shapeBounds(shape);
    let widest = 0;
    for (let bearing = 0; bearing <= 180; bearing += 0.01) {
      widest = Math.max(widest, destination(60, 0, bearing, 50_000)[1]);
    }
    expect(b.maxLongitude).toBeGreaterThanOrEqual(widest);
    expect(b.maxLongitude - widest).toBeLessThan(1e-6);
    expect(destination(60, 0, 90, 50_000)[1]).toBeLessThan(widest); // due east is not the widest point
    expect(b.maxLatitude).toBeCloseTo(60 + deg(50_000 / R), 8);
  });

  it("refuses invalid shapes with a reason", () => {
    const bad: unknown[] = [
      { kind: "circle", latitude: 30, longitude: -97, radiusM: 0 },
      { kind: "circle", latitude: 30, longitude: -97, radiusM: 100_001 },
      { kind: "circle", latitude: 91, longitude: -97, radiusM: 10 },
      { kind: "circle", latitude: 89.9, longitude: 0, radiusM: 20_000 }, // reaches the pole
      { kind: "circle", latitude: 0, longitude: 179.99, radiusM: 5_000 }, // crosses ±180°
      { kind: "polygon", coordinates: [] },
      { kind: "polygon", coordinates: [square(0, 0, 1, 1).slice(0, 4)] }, // not closed
      {
        kind: "polygon",
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      }, // < 4 positions
      {
        kind: "polygon",
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [2, 2],
            [0, 0],
          ],
        ],
      }, // no area
      {
        kind: "polygon",
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      }, // 2 distinct positions
      { kind: "polygon", coordinates: [square(0, 0, 1, 100)] }, // latitude out of range
      { kind: "polygon", coordinates: [square(179, 0, -179, 1)] }, // antimeridian
      {
        kind: "polygon",
        coordinates: [
          square(0, 0, 1, 1),
          [
            [0.2, 0.2],
            [0.4, 0.2],
          ],
        ],
      }, // bad hole
      { kind: "square", coordinates: [] },
    ];
    for (const shape of bad)
      expect(validateGeofenceShape(shape as GeofenceShape), JSON.stringify(shape)).toBeTypeOf("string");
    expect(validateGeofenceShape({ kind: "circle", latitude: 30, longitude: -97, radiusM: 100_000 })).toBeNull();
  });
});

/** A random geofence within `box` (lng0, lat0, lng1, lat1): a circle, a star (concave), or a square with a hole. */
function randomGeofence(next: () => number, i: number, box: [number, number, number, number]): GeofenceDef {
  const lng = box[0] + next() * (box[2] - box[0]);
  const lat = box[1] + next() * (box[3] - box[1]);
  const sizeDeg = 0.002 + next() * 0.05;
  const tenantId = i % 3 === 0 ? "t2" : "t1";
  const base = { id: `g${i}`, tenantId, name: `Geofence ${i}`, speedLimitKph: null };
  const kind = i % 4;
  if (kind === 0)
    return { ...base, shape: { kind: "circle", latitude: lat, longitude: lng, radiusM: 50 + next() * 5_000 } };
  if (kind === 3) {
    const h = sizeDeg / 2;
    return {
      ...base,
      shape: {
        kind: "polygon",
        coordinates: [
          square(lng - h, lat - h, lng + h, lat + h),
          square(lng - h / 3, lat - h / 3, lng + h / 3, lat + h / 2),
        ],
      },
    };
  }
  const points = 5 + Math.floor(next() * 8);
  const ring: [number, number][] = [];
  for (let k = 0; k < points; k++) {
    const a = (2 * Math.PI * k) / points;
    const r = sizeDeg * (k % 2 === 0 ? 1 : 0.3 + next() * 0.5);
    ring.push([lng + r * Math.cos(a), lat + r * Math.sin(a)]);
  }
  ring.push([...(ring[0] as [number, number])]);
  return { ...base, shape: { kind: "polygon", coordinates: [ring] } };
}

describe("GeofenceIndex", () => {
  const AUSTIN: [number, number, number, number] = [-97.95, 30.1, -97.55, 30.5];

  function bruteForce(defs: GeofenceDef[], tenantId: string, lat: number, lng: number): string[] {
    return defs
      .filter((d) => d.tenantId === tenantId && geofenceContains(d.shape, lat, lng))
      .map((d) => d.id)
      .sort();
  }

  it("answers as brute force does, over 1,000 random geofences and 20,000 random points", () => {
    const next = rng(42);
    const defs = Array.from({ length: 1_000 }, (_, i) => randomGeofence(next, i, AUSTIN));
    // A 20 km circle (1,512 grid cells), and a 100 km circle and a 5° square, too large for the
    // grid (their tenant's list).
    defs.push({
      id: "mid-circle",
      tenantId: "t2",
      name: "Austin",
      shape: { kind: "circle", latitude: 30.27, longitude: -97.74, radiusM: 20_000 },
      speedLimitKph: null,
    });
    defs.push({
      id: "big-circle",
      tenantId: "t1",
      name: "Travis County",
      shape: { kind: "circle", latitude: 30.3, longitude: -97.75, radiusM: 100_000 },
      speedLimitKph: null,
    });
    defs.push({
      id: "big-poly",
      tenantId: "t2",
      name: "Central Texas",
      shape: { kind: "polygon", coordinates: [square(-100, 28, -95, 33)] },
      speedLimitKph: null,
    });
    for (const d of defs) expect(validateGeofenceShape(d.shape)).toBeNull();
    const index = new GeofenceIndex(defs);
    expect(index.size).toBe(defs.length);
    let hits = 0;
    for (let k = 0; k < 20_000; k++) {
      const lat = 30.05 + next() * 0.5;
      const lng = -98 + next() * 0.5;
      const tenantId = k % 2 === 0 ? "t1" : "t2";
      const expected = bruteForce(defs, tenantId, lat, lng);
      const got = index
        .containing(tenantId, lat, lng)
        .map((d) => d.id)
        .sort();
      expect(got).toEqual(expected);
      hits += expected.length;
    }
    expect(hits).toBeGreaterThan(20_000); // the points do land in geofences (beyond the two big ones)
    expect(index.containing("nobody", 30.3, -97.75)).toEqual([]);

    // CRUD: move 200 geofences elsewhere, delete 100, and the index still matches brute force.
    const live = new Map(defs.map((d) => [d.id, d]));
    for (let i = 0; i < 200; i++) {
      const moved = { ...randomGeofence(next, i, AUSTIN), id: `g${i}`, tenantId: i % 2 === 0 ? "t2" : "t1" };
      index.upsert(moved);
      live.set(moved.id, moved);
    }
    for (let i = 200; i < 300; i++) {
      expect(index.remove(`g${i}`)).toBe(true);
      live.delete(`g${i}`);
    }
    expect(index.remove("g250")).toBe(false);
    index.remove("big-circle");
    live.delete("big-circle");
    const after = [...live.values()];
    for (let k = 0; k < 5_000; k++) {
      const lat = 30.05 + next() * 0.5;
      const lng = -98 + next() * 0.5;
      const tenantId = k % 2 === 0 ? "t1" : "t2";
      const got = index
        .containing(tenantId, lat, lng)
        .map((d) => d.id)
        .sort();
      expect(got).toEqual(bruteForce(after, tenantId, lat, lng));
    }
  });

  it("leaves invalid geofences out of a reload and refuses them on upsert", () => {
    const ok: GeofenceDef = {
      id: "ok",
      tenantId: "t1",
      name: "Ok",
      shape: { kind: "circle", latitude: 30.27, longitude: -97.74, radiusM: 200 },
      speedLimitKph: 40,
    };
    const badShape = {
      ...ok,
      id: "bad",
      shape: { kind: "circle" as const, latitude: 30.27, longitude: -97.74, radiusM: -1 },
    };
    const badLimit = { ...ok, id: "bad-limit", speedLimitKph: 0 };
    const index = new GeofenceIndex();
    expect(index.replace([ok, badShape, badLimit]).map((r) => r.id)).toEqual(["bad", "bad-limit"]);
    expect(index.size).toBe(1);
    expect(() => index.upsert(badShape)).toThrow(RangeError);
  });
});

// Engine fixtures: the Texas State Capitol grounds and South Congress Avenue, Austin.
const T0 = Date.parse("2026-03-02T15:00:00Z");
const CAPITOL: GeofenceDef = {
  id: "capitol",
  tenantId: "t1",
  name: "Capitol grounds",
  shape: { kind: "polygon", coordinates: [square(-97.7425, 30.272, -97.738, 30.2765)] },
  speedLimitKph: null,
};
const SCHOOL_ZONE: GeofenceDef = {
  id: "school",
  tenantId: "t1",
  name: "Travis Heights school zone",
  shape: { kind: "circle", latitude: 30.2489, longitude: -97.7466, radiusM: 300 },
  speedLimitKph: 30,
};
const RESIDENTIAL: GeofenceDef = {
  id: "residential",
  tenantId: "t1",
  name: "Travis Heights",
  shape: { kind: "circle", latitude: 30.2489, longitude: -97.7466, radiusM: 1_500 },
  speedLimitKph: 50,
};

const HIGHWAY: GeofenceDef = {
  id: "i35",
  tenantId: "t1",
  name: "I-35 north",
  shape: { kind: "circle", latitude: 30.3101, longitude: -97.7139, radiusM: 800 },
  speedLimitKph: 110,
};

function fixAt(
  sec: number,
  at: [number, number],
  speedKph: number | null,
  extra: Partial<ObservedFix> & { ignition?: boolean } = {},
): ObservedFix {
  const { ignition, ...rest } = extra;
  return {
    tenantId: "t1",
    deviceId: "d1",
    vehicleId: "v1",
    time: new Date(T0 + sec * 1000),
    latitude: at[0],
    longitude: at[1],
    speedKph,
    attributes: ignition === undefined ? {} : { ignition },
    ...rest,
  };
}

/** Lat, lng on Congress Avenue: south of the Capitol, on its grounds, north of it; and a highway point. */
const SOUTH: [number, number] = [30.2685, -97.7402];
const CAPITOL_LAWN: [number, number] = [30.2742, -97.7403];
const NORTH: [number, number] = [30.2795, -97.7404];
const I35: [number, number] = [30.3101, -97.7139];
const SCHOOL: [number, number] = [30.2491, -97.7463];

function engineWith(defs: GeofenceDef[], limits: Partial<RuleLimits> = {}) {
  const full: RuleLimits = { overspeedKph: 80, overspeedMinDurationS: 15, idleMaxS: 300, ...limits };
  return new EventRulesEngine({ geofences: new GeofenceIndex(defs), limitsFor: () => full });
}

const kinds = (events: DerivedEvent[]) => events.map((e) => `${e.type}@${(e.time.getTime() - T0) / 1000}`);

describe("EventRulesEngine", () => {
  it("derives overspeed only after the minimal duration, once per episode, with the episode's top speed", () => {
    const engine = engineWith([]);
    // A 10 s burst above 80 km/h: too short.
    const burst = engine.observe([fixAt(0, I35, 95), fixAt(5, I35, 99), fixAt(10, I35, 90), fixAt(12, I35, 78)]);
    expect(burst).toEqual([]);
    // A sustained episode: fires at the fix 15 s after it started, then stays quiet.
    const events = engine.observe([
      fixAt(20, I35, 85),
      fixAt(25, I35, 101),
      fixAt(30, I35, 92),
      fixAt(35, I35, 90),
      fixAt(40, I35, 96),
      fixAt(100, I35, 88),
    ]);
    expect(kinds(events)).toEqual(["overspeed@35"]);
    expect(events[0]).toMatchObject({
      tenantId: "t1",
      vehicleId: "v1",
      deviceId: "d1",
      severity: "critical", // 101 ≥ 1.25 × 80
      speedKph: 90,
      geofenceId: null,
      title: "Overspeed: 101 km/h, limit 80 km/h",
      attributes: { limitKph: 80, maxSpeedKph: 101, durationS: 15 },
    });
    // Back to the limit (80 is not above it) ends the episode; the next one fires again.
    const again = engine.observe([fixAt(110, I35, 80), fixAt(120, I35, 84), fixAt(135, I35, 86)]);
    expect(kinds(again)).toEqual(["overspeed@135"]);
    expect(again[0]?.severity).toBe("warning");
  });

  it("uses the lowest limit of the geofences the vehicle is in, higher or lower than the vehicle's", () => {
    const engine = engineWith([RESIDENTIAL, SCHOOL_ZONE, HIGHWAY], { overspeedKph: 80 });
    const events = engine.observe([fixAt(0, SCHOOL, 45), fixAt(10, SCHOOL, 42), fixAt(20, SCHOOL, 38)]);
    expect(kinds(events)).toEqual(["overspeed@20"]);
    expect(events[0]).toMatchObject({
      geofenceId: "school",
      title: "Overspeed: 45 km/h, limit 30 km/h in Travis Heights school zone",
      attributes: { limitKph: 30, maxSpeedKph: 45, geofenceName: "Travis Heights school zone" },
    });
    // 100 km/h on the highway (limit 110 there, above the vehicle's 80): legal.
    const highway = engine.observe([fixAt(100, I35, 100), fixAt(200, I35, 100)]);
    expect(kinds(highway)).toEqual(["geofence_exit@100", "geofence_exit@100", "geofence_enter@100"]);
    // No vehicle/tenant limit: a geofence's limit still applies inside it (as in Traccar), nothing outside.
    const noDefault = engineWith([RESIDENTIAL, SCHOOL_ZONE], { overspeedKph: null });
    expect(kinds(noDefault.observe([fixAt(0, SCHOOL, 60), fixAt(60, SCHOOL, 60)]))).toEqual(["overspeed@60"]);
    const outside = engineWith([], { overspeedKph: null });
    expect(outside.observe([fixAt(0, I35, 160), fixAt(60, I35, 160)])).toEqual([]);
  });

  it("derives idle once per episode of ignition on and speed under 3 km/h for longer than idleMaxS", () => {
    const engine = engineWith([]);
    const stop = Array.from({ length: 11 }, (_, k) => fixAt(k * 60, SOUTH, k % 2 ? 1.5 : 0, { ignition: true }));
    const events = engine.observe(stop);
    // 300 s is not longer than 300 s; the fix at 360 s is.
    expect(kinds(events)).toEqual(["idle@360"]);
    expect(events[0]).toMatchObject({ severity: "info", attributes: { idleS: 360, idleMaxS: 300 } });
    expect(events[0]?.title).toBe("Idling: engine on, stationary for 6 min");
    // Moving ends the episode; the next stop is a new one.
    const later = engine.observe([
      fixAt(700, SOUTH, 25, { ignition: true }),
      fixAt(760, SOUTH, 0, { ignition: true }),
      fixAt(1100, SOUTH, 0, { ignition: true }),
      fixAt(1500, SOUTH, 0, { ignition: true }),
    ]);
    expect(kinds(later)).toEqual(["idle@1100"]);
    // Engine off, or ignition not reported: parked, not idling.
    const parked = engineWith([]);
    expect(
      parked.observe([fixAt(0, SOUTH, 0, { ignition: false }), fixAt(900, SOUTH, 0, { ignition: false })]),
    ).toEqual([]);
    expect(parked.observe([fixAt(1000, SOUTH, 0), fixAt(2000, SOUTH, 0)])).toEqual([]);
  });

  it("derives enter and exit on a track crossing a polygon, in fix-time order whatever the batch order", () => {
    const track = [
      fixAt(0, SOUTH, 30),
      fixAt(30, [30.2712, -97.7402], 28),
      fixAt(60, CAPITOL_LAWN, 10),
      fixAt(90, [30.2761, -97.7404], 12),
      fixAt(120, NORTH, 30),
    ];
    const engine = engineWith([CAPITOL]);
    const events = engine.observe(track);
    expect(kinds(events)).toEqual(["geofence_enter@60", "geofence_exit@120"]);
    expect(events[0]).toMatchObject({
      type: "geofence_enter",
      geofenceId: "capitol",
      severity: "info",
      title: "Entered Capitol grounds",
      latitude: CAPITOL_LAWN[0],
      longitude: CAPITOL_LAWN[1],
      attributes: { geofenceName: "Capitol grounds" },
    });
    expect(events[1]?.title).toBe("Left Capitol grounds");
    expect(engine.presenceOf("v1")).toEqual([]);

    const shuffled = engineWith([CAPITOL]);
    expect(kinds(shuffled.observe([...track].reverse()))).toEqual(["geofence_enter@60", "geofence_exit@120"]);
  });

  it("records the first fix's geofences silently, then reports changes", () => {
    const engine = engineWith([CAPITOL]);
    expect(engine.observe([fixAt(0, CAPITOL_LAWN, 5)])).toEqual([]);
    expect(engine.presenceOf("v1")).toEqual(["capitol"]);
    expect(engine.observe([fixAt(30, CAPITOL_LAWN, 5)])).toEqual([]);
    expect(kinds(engine.observe([fixAt(60, NORTH, 30)]))).toEqual(["geofence_exit@60"]);
  });

  it("ignores fixes older than the vehicle's newest, and fixes without a vehicle", () => {
    const engine = engineWith([CAPITOL]);
    engine.observe([fixAt(100, SOUTH, 30)]);
    // Late fixes inside the geofence and above the limit change nothing.
    expect(engine.observe([fixAt(50, CAPITOL_LAWN, 120), fixAt(100, CAPITOL_LAWN, 120)])).toEqual([]);
    expect(engine.presenceOf("v1")).toEqual([]);
    expect(engine.observe([fixAt(200, CAPITOL_LAWN, 5, { vehicleId: null })])).toEqual([]);
    expect(kinds(engine.observe([fixAt(110, CAPITOL_LAWN, 5)]))).toEqual(["geofence_enter@110"]);
    // An episode is not reset by a late fix at a legal speed.
    expect(kinds(engine.observe([fixAt(120, I35, 100)]))).toEqual(["geofence_exit@120"]);
    expect(engine.observe([fixAt(115, I35, 50)])).toEqual([]);
    expect(kinds(engine.observe([fixAt(135, I35, 100)]))).toEqual(["overspeed@135"]);
  });

  it("reports an exit when a seeded vehicle's first fix is outside, and keeps vehicles apart", () => {
    const engine = engineWith([CAPITOL, { ...CAPITOL, id: "other-tenant", tenantId: "t2" }]);
    engine.seedPresence("v1", ["capitol"]);
    expect(engine.presenceOf("v1")).toEqual(["capitol"]);
    const events = engine.observe([
      fixAt(0, NORTH, 30),
      fixAt(0, CAPITOL_LAWN, 5, { vehicleId: "v2", deviceId: "d2" }), // first fix, silent
      fixAt(30, SOUTH, 30, { vehicleId: "v2", deviceId: "d2" }),
    ]);
    expect(events.map((e) => `${e.vehicleId}:${e.type}@${(e.time.getTime() - T0) / 1000}`)).toEqual([
      "v1:geofence_exit@0",
      "v2:geofence_exit@30",
    ]);
    expect(events[1]?.deviceId).toBe("d2");
    // A seeded geofence since deleted, or of another tenant, is left silently; forget() makes the
    // next fix a first fix again.
    engine.seedPresence("v3", ["deleted", "other-tenant"]);
    expect(engine.observe([fixAt(0, NORTH, 30, { vehicleId: "v3" })])).toEqual([]);
    engine.forget("v1");
    expect(engine.presenceOf("v1")).toEqual([]);
    expect(engine.observe([fixAt(60, CAPITOL_LAWN, 5)])).toEqual([]);
  });
});
