/**
 * `pnpm exec tsx apps/bench/src/geofences.ts` — the cost of deriving events on ingest: fixes/s of
 * `EventRulesEngine.observe` (overspeed, idle and geofence rules on, in one process, no database)
 * with no geofences and with 1,000 active geofences, over the same fixes, and their ratio.
 *
 * Fixes: real Austin bus positions (CapMetrics, via ./data.ts; repeated as extra fleets up to
 * --fixes) or the synthetic fleet when the files are absent, all in one tenant, with ignition on.
 * Geofences, all of that tenant: site-sized (a third circles of radius 50–500 m, a third concave
 * 10-point stars and a third squares with a hole, of the same reach: depots, yards, customers),
 * one in five with its own speed limit, from a seeded PRNG so every run uses the same ones; placed
 * two ways: spread uniformly over the fixes' extent (1st–99th percentile of latitude and
 * longitude), and centred on randomly chosen fixes — on the bus routes, dense downtown, so that
 * most fixes fall in several geofences (a worst case). Each round replays every fix in batches of
 * --batch through a fresh engine (first fixes included); the configurations alternate round by
 * round so machine noise falls on all alike; the median round counts. Only `observe` is timed.
 * Options: --fixes 500000  --geofences 1000  --rounds 7  --batch 5000
 *   --ingest-rate 60000 (positions/s the ingest path sustains, README "Performance", to express
 *   the engine's cost as a share of one core at that rate)
 */
import { parseArgs } from "node:util";
import {
  type DerivedEvent,
  EventRulesEngine,
  type GeofenceDef,
  GeofenceIndex,
  type GeofenceShape,
  type ObservedFix,
  type RuleLimits,
} from "@fleetcore/core";
import { CAPMETRO_DIR, loadBenchData } from "./data";
import { int, quantile, table } from "./report";

const { values: opts } = parseArgs({
  options: {
    fixes: { type: "string", default: "500000" },
    geofences: { type: "string", default: "1000" },
    rounds: { type: "string", default: "7" },
    batch: { type: "string", default: "5000" },
    "ingest-rate": { type: "string", default: "60000" },
    data: { type: "string", default: CAPMETRO_DIR },
  },
});
const GEOFENCES = Number(opts.geofences);
const ROUNDS = Number(opts.rounds);
const BATCH = Number(opts.batch);
const INGEST_RATE = Number(opts["ingest-rate"]);
const TENANT = "bench-tenant";
const LIMITS: RuleLimits = { overspeedKph: 80, overspeedMinDurationS: 15, idleMaxS: 300 };

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

/** The q-quantile of the fixes' latitudes or longitudes. */
function coordQuantile(fixes: readonly ObservedFix[], key: "latitude" | "longitude", q: number): number {
  return quantile(
    fixes.map((f) => f[key]).sort((a, b) => a - b),
    q,
  );
}

/** `count` geofences, spread uniformly over the fixes' extent or centred on fixes picked at random. */
function makeGeofences(count: number, fixes: readonly ObservedFix[], placement: "spread" | "routes"): GeofenceDef[] {
  const next = rng(20_161_124);
  const [lat0, lat1] = [coordQuantile(fixes, "latitude", 0.01), coordQuantile(fixes, "latitude", 0.99)];
  const [lng0, lng1] = [coordQuantile(fixes, "longitude", 0.01), coordQuantile(fixes, "longitude", 0.99)];
  const defs: GeofenceDef[] = [];
  for (let i = 0; i < count; i++) {
    let lat = lat0 + next() * (lat1 - lat0);
    let lng = lng0 + next() * (lng1 - lng0);
    if (placement === "routes") {
      const at = fixes[Math.floor(next() * fixes.length)] as ObservedFix;
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
      tenantId: TENANT,
      name: `Geofence ${i}`,
      shape,
      speedLimitKph: i % 5 === 0 ? 40 : null,
    });
  }
  return defs;
}

/** One pass over every batch through a fresh engine: elapsed ms and events by type. */
function run(batches: readonly ObservedFix[][], index: GeofenceIndex): { ms: number; events: Map<string, number> } {
  const engine = new EventRulesEngine({ geofences: index, limitsFor: () => LIMITS });
  const events = new Map<string, number>();
  let ms = 0;
  for (const b of batches) {
    const t0 = performance.now();
    const derived: DerivedEvent[] = engine.observe(b);
    ms += performance.now() - t0;
    for (const e of derived) events.set(e.type, (events.get(e.type) ?? 0) + 1);
  }
  return { ms, events };
}

async function main() {
  console.log(`bench:geofences — loading positions (${opts.data})`);
  const data = await loadBenchData(Number(opts.fixes), opts.data);
  const fixes: ObservedFix[] = data.fixes.map((f) => ({
    tenantId: TENANT,
    deviceId: f.uniqueId,
    vehicleId: f.uniqueId,
    time: new Date(f.timeMs),
    latitude: f.latitude,
    longitude: f.longitude,
    speedKph: f.speedKph,
    attributes: { ignition: true },
  }));
  const batches: ObservedFix[][] = [];
  for (let i = 0; i < fixes.length; i += BATCH) batches.push(fixes.slice(i, i + BATCH));
  const configs = [
    { label: "no geofences", index: new GeofenceIndex() },
    {
      label: `${int(GEOFENCES)} geofences spread over the area`,
      index: new GeofenceIndex(makeGeofences(GEOFENCES, fixes, "spread")),
    },
    {
      label: `${int(GEOFENCES)} geofences on the routes`,
      index: new GeofenceIndex(makeGeofences(GEOFENCES, fixes, "routes")),
    },
  ];
  console.log(`  data: ${data.source}`);
  console.log(`  ${int(fixes.length)} fixes of ${int(data.uniqueIds.length)} vehicles in batches of ${int(BATCH)}`);
  for (const c of configs.slice(1)) {
    let inAny = 0;
    let memberships = 0;
    for (const f of fixes) {
      const n = c.index.containing(TENANT, f.latitude, f.longitude).length;
      if (n > 0) inAny++;
      memberships += n;
    }
    console.log(
      `  ${c.label}: ${((inAny / fixes.length) * 100).toFixed(1)} % of fixes inside one or more, ${(memberships / fixes.length).toFixed(2)} per fix on average`,
    );
  }
  console.log(
    `  rules: overspeed > ${LIMITS.overspeedKph} km/h for ${LIMITS.overspeedMinDurationS} s (40 km/h in one geofence in 5), idle > ${LIMITS.idleMaxS} s`,
  );

  // Warm-up: let V8 optimise both paths before timing.
  for (const c of configs) run(batches, c.index);
  const ms: number[][] = configs.map(() => []);
  const events = configs.map(() => new Map<string, number>());
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, c] of configs.entries()) {
      const res = run(batches, c.index);
      ms[i]?.push(res.ms);
      events[i] = res.events;
    }
    process.stdout.write(".");
  }
  const rates = ms.map((list) => {
    const median = quantile(
      [...list].sort((a, b) => a - b),
      0.5,
    );
    return fixes.length / (median / 1000);
  });
  const base = rates[0] ?? Number.NaN;
  console.log(`\n\nEventRulesEngine.observe, median of ${ROUNDS} interleaved rounds (events: per pass)`);
  const kinds = ["geofence_enter", "geofence_exit", "overspeed", "idle"];
  table(
    ["configuration", "fixes/s", "ns/fix", "vs none", `CPU at ${int(INGEST_RATE)}/s`, ...kinds],
    configs.map((c, i) => {
      const rate = rates[i] ?? Number.NaN;
      return [
        c.label,
        int(rate),
        int(1e9 / rate),
        (rate / base).toFixed(2),
        `${((INGEST_RATE / rate) * 100).toFixed(2)} %`,
        ...kinds.map((k) => int(events[i]?.get(k) ?? 0)),
      ];
    }),
  );
  console.log(
    `  ratio to no geofences: ${((rates[1] ?? Number.NaN) / base).toFixed(2)} spread, ${((rates[2] ?? Number.NaN) / base).toFixed(2)} on the routes; ` +
      `"CPU at ${int(INGEST_RATE)}/s": share of one core the engine takes at that ingest rate`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
