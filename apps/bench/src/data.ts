/**
 * The positions the ingest benchmark sends: real Austin bus fixes from CapMetrics CSV files
 * (../shared/data/capmetro-austin/*.csv beside the checkout, read at run time, never committed;
 * Capital Metro GTFS-realtime archived by the CapMetrics project, MIT, © 2015 Sean Cascketta), or a
 * synthetic fleet when that folder is absent.
 */
import { createReadStream, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@fleetcore/db";
import { initialBearingDeg, parseReplayCsv } from "@fleetcore/replay";

/** One fix as a batch-API client sends it (`POST /ingest/positions`). */
export interface BenchFix {
  uniqueId: string;
  timeMs: number;
  latitude: number;
  longitude: number;
  speedKph: number | null;
  headingDeg: number | null;
}

export interface BenchData {
  /** Sorted by time (a feed's order), then device. */
  fixes: BenchFix[];
  /** Every device's unique id. */
  uniqueIds: string[];
  /** Where the fixes came from, for the report. */
  source: string;
}

/** Default folder of the CapMetrics files. */
export const CAPMETRO_DIR = join(REPO_ROOT, "..", "shared", "data", "capmetro-austin");

/**
 * At least `minFixes` fixes: the CapMetrics files in `dir` (deduplicated on vehicle + time, heading
 * derived from each vehicle's previous fix, m/s → km/h, rebased so the newest fix is a minute ago),
 * repeated as `capmetro-<vehicle>-<copy>` fleets until there are enough; else a synthetic fleet.
 */
export async function loadBenchData(minFixes: number, dir: string = CAPMETRO_DIR): Promise<BenchData> {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".csv")) : [];
  if (files.length === 0) return syntheticData(minFixes);
  const seen = new Set<string>();
  const base: BenchFix[] = [];
  for (const file of files.sort()) {
    const parsed = await parseReplayCsv(createReadStream(join(dir, file)));
    for (const f of parsed.fixes) {
      const key = `${f.vehicleId}@${f.timeMs}`;
      if (seen.has(key)) continue; // other days of the archive repeat (vehicle, time) pairs
      seen.add(key);
      base.push({
        uniqueId: f.vehicleId,
        timeMs: f.timeMs,
        latitude: f.latitude,
        longitude: f.longitude,
        speedKph: f.speedMps === null ? null : Math.round(f.speedMps * 3.6 * 10) / 10,
        headingDeg: null,
      });
    }
  }
  deriveHeadings(base);
  const shift = Date.now() - 60_000 - Math.max(...base.map((f) => f.timeMs));
  const copies = Math.max(1, Math.ceil(minFixes / base.length));
  const fixes: BenchFix[] = [];
  for (let c = 0; c < copies; c++) {
    for (const f of base) fixes.push({ ...f, uniqueId: `capmetro-${f.uniqueId}-${c}`, timeMs: f.timeMs + shift });
  }
  sortFeed(fixes);
  return {
    fixes,
    uniqueIds: [...new Set(fixes.map((f) => f.uniqueId))],
    source: `CapMetrics ${files.join(", ")} (${base.length} distinct fixes, ${copies} fleet cop${copies === 1 ? "y" : "ies"})`,
  };
}

/** A synthetic fleet: 2,000 vehicles around Austin, one fix every 10 s each. */
function syntheticData(minFixes: number): BenchData {
  const vehicles = 2_000;
  const perVehicle = Math.ceil(minFixes / vehicles);
  const start = Date.now() - 60_000 - perVehicle * 10_000;
  const fixes: BenchFix[] = [];
  for (let v = 0; v < vehicles; v++) {
    let lat = 30.2 + (v % 50) / 250;
    let lon = -97.8 + Math.floor(v / 50) / 250;
    for (let i = 0; i < perVehicle; i++) {
      lat += 0.0003 * Math.sin(i / 7 + v);
      lon += 0.0003 * Math.cos(i / 7 + v);
      fixes.push({
        uniqueId: `synthetic-${v}`,
        timeMs: start + i * 10_000,
        latitude: lat,
        longitude: lon,
        speedKph: 30 + (i % 20),
        headingDeg: (i * 13 + v) % 360,
      });
    }
  }
  sortFeed(fixes);
  return { fixes, uniqueIds: [...new Set(fixes.map((f) => f.uniqueId))], source: "synthetic (no CapMetrics files)" };
}

function sortFeed(fixes: BenchFix[]): void {
  fixes.sort((a, b) => a.timeMs - b.timeMs || (a.uniqueId < b.uniqueId ? -1 : a.uniqueId > b.uniqueId ? 1 : 0));
}

/** CapMetrics has no heading: derive it from each vehicle's previous fix, as the replay tool does. */
function deriveHeadings(fixes: BenchFix[]): void {
  const byVehicle = new Map<string, BenchFix[]>();
  for (const f of fixes) {
    const list = byVehicle.get(f.uniqueId) ?? [];
    list.push(f);
    byVehicle.set(f.uniqueId, list);
  }
  for (const list of byVehicle.values()) {
    list.sort((a, b) => a.timeMs - b.timeMs);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1] as BenchFix;
      const cur = list[i] as BenchFix;
      if (prev.latitude !== cur.latitude || prev.longitude !== cur.longitude) {
        cur.headingDeg = Math.round(initialBearingDeg(prev.latitude, prev.longitude, cur.latitude, cur.longitude));
      }
    }
  }
}
