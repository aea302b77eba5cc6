/**
 * `pnpm exec tsx apps/bench/src/geofences.ts` — the cost of deriving events on ingest: fixes/s of
 * `EventRulesEngine.observe` (overspeed, idle and geofence rules on, in one process, no database)
 * with no geofences and with 1,000 active geofences, over the same fixes, and their ratio.
 *
 * Fixes: real Austin bus positions (CapMetrics, via ./data.ts; repeated as extra fleets up to
 * --fixes) or the synthetic fleet when the files are absent, all in one tenant, with ignition on.
 * Geofences, all of that tenant (./geofenceFixtures.ts): site-sized (a third circles of radius
 * 50–500 m, a third concave 10-point stars and a third squares with a hole, of the same reach:
 * depots, yards, customers), one in five with its own speed limit, from a seeded PRNG so every run
 * uses the same ones; placed two ways: spread uniformly over the fixes' extent (1st–99th percentile
 * of latitude and longitude), and centred on randomly chosen fixes — on the bus routes, dense
 * downtown, so that most fixes fall in several geofences (a worst case). Each round replays every fix in batches of
 * --batch through a fresh engine (first fixes included); the configurations alternate round by
 * round so machine noise falls on all alike; the median round counts. Only `observe` is timed.
 * Options: --fixes 500000  --geofences 1000  --rounds 7  --batch 5000
 *   --ingest-rate 60000 (positions/s the ingest path sustains, README "Performance", to express
 *   the engine's cost as a share of one core at that rate)
 */
import { parseArgs } from "node:util";
import { type DerivedEvent, EventRulesEngine, GeofenceIndex, type ObservedFix, type RuleLimits } from "@fleetcore/core";
import { CAPMETRO_DIR, loadBenchData } from "./data";
import { makeGeofences } from "./geofenceFixtures";
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
      index: new GeofenceIndex(makeGeofences(GEOFENCES, fixes, "spread", TENANT)),
    },
    {
      label: `${int(GEOFENCES)} geofences on the routes`,
      index: new GeofenceIndex(makeGeofences(GEOFENCES, fixes, "routes", TENANT)),
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
