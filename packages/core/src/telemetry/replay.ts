/**
 * History for replay: one vehicle's track over a period with its trip summary, or the whole
 * fleet's positions over a period bucketed in time (TimescaleDB `time_bucket` + `last()`, both in
 * the Apache edition), so a replay UI can scrub through any period without loading every fix.
 */
import type { Db } from "@fleetcore/db";
import { DomainError } from "../errors";

/** One point of a replayed track. Degrees WGS 84, km/h. */
export interface TrackPoint {
  time: Date;
  latitude: number;
  longitude: number;
  speedKph: number | null;
  headingDeg: number | null;
}

/**
 * Summary of a track, following Traccar's report semantics (https://www.traccar.org/documentation/reports/):
 * a fix is moving above {@link TRIP_SPEED_THRESHOLD_KPH}; a stop is a stationary stretch of at least
 * {@link MIN_STOP_DURATION_S} (Traccar's `minimalParkingDuration` default, 300 s); gaps longer than
 * {@link MAX_GAP_S} (no data) count neither as moving time nor as distance driven at speed.
 */
export interface TripSummary {
  positions: number;
  /** Sum of the stored great-circle steps between consecutive fixes, metres. */
  distanceM: number;
  /** Time spent moving, seconds. */
  movingTimeS: number;
  /** Stationary stretches of at least 5 minutes. */
  stops: number;
  maxSpeedKph: number | null;
  /** Distance over moving time, km/h (null when it never moved). */
  avgSpeedKph: number | null;
  startedAt: Date | null;
  endedAt: Date | null;
}

export const TRIP_SPEED_THRESHOLD_KPH = 3;
export const MIN_STOP_DURATION_S = 300;
export const MAX_GAP_S = 300;
/** Longest period one vehicle's history may cover, days. */
export const MAX_VEHICLE_HISTORY_DAYS = 31;
/** Most points returned for one vehicle's track (the summary always uses every fix). */
export const MAX_TRACK_POINTS = 10_000;
/** Most rows a fleet replay may return (vehicles × buckets); the bucket widens to fit. */
export const MAX_FLEET_REPLAY_ROWS = 200_000;

/** A fix as the summary needs it, in time order. */
export interface SummaryFix {
  time: Date;
  speedKph: number | null;
  distanceM: number | null;
}

/** Summarises fixes sorted by time (see {@link TripSummary} for the rules). */
export function summarizeTrip(fixes: readonly SummaryFix[]): TripSummary {
  let distanceM = 0;
  let movingTimeS = 0;
  let stops = 0;
  let maxSpeedKph: number | null = null;
  let stationarySinceMs: number | null = null;
  let counted = false;
  for (let i = 0; i < fixes.length; i++) {
    const f = fixes[i] as SummaryFix;
    const t = f.time.getTime();
    const prev = i > 0 ? (fixes[i - 1] as SummaryFix) : null;
    const gapS = prev ? (t - prev.time.getTime()) / 1000 : 0;
    if (f.speedKph !== null) maxSpeedKph = Math.max(maxSpeedKph ?? 0, f.speedKph);
    if (prev) distanceM += f.distanceM ?? 0;
    const moving = (f.speedKph ?? 0) > TRIP_SPEED_THRESHOLD_KPH;
    if (moving) {
      if (prev && gapS <= MAX_GAP_S) movingTimeS += gapS;
      stationarySinceMs = null;
      counted = false;
    } else {
      stationarySinceMs ??= t;
      if (!counted && (t - stationarySinceMs) / 1000 >= MIN_STOP_DURATION_S) {
        stops++;
        counted = true;
      }
    }
  }
  const first = fixes[0];
  const last = fixes[fixes.length - 1];
  return {
    positions: fixes.length,
    distanceM,
    movingTimeS,
    stops,
    maxSpeedKph,
    avgSpeedKph: movingTimeS > 0 ? distanceM / 1000 / (movingTimeS / 3600) : null,
    startedAt: first?.time ?? null,
    endedAt: last?.time ?? null,
  };
}

function checkPeriod(from: Date, to: Date, maxDays: number): void {
  if (!(from < to)) throw new DomainError("invalid", "the period must end after it starts");
  if (to.getTime() - from.getTime() > maxDays * 24 * 3600 * 1000) {
    throw new DomainError("invalid", `the period may cover at most ${maxDays} days`);
  }
}

/**
 * One vehicle's track in [from, to) (at most 31 days) in time order, thinned evenly to at most
 * {@link MAX_TRACK_POINTS} points (first and last kept), with the summary of every fix.
 * @throws DomainError("not_found") for an unknown vehicle or another tenant's; ("invalid") for a bad period
 */
export async function getVehicleHistory(
  db: Db,
  tenantId: string,
  input: { vehicleId: string; from: Date; to: Date },
): Promise<{ track: TrackPoint[]; summary: TripSummary }> {
  checkPeriod(input.from, input.to, MAX_VEHICLE_HISTORY_DAYS);
  const vehicle = await db.vehicle.findFirst({
    where: { id: input.vehicleId, tenantId, deletedAt: null },
    select: { id: true },
  });
  if (!vehicle) throw new DomainError("not_found", "vehicle not found");
  const rows = await db.position.findMany({
    where: { tenantId, vehicleId: vehicle.id, time: { gte: input.from, lt: input.to } },
    orderBy: { time: "asc" },
    select: { time: true, latitude: true, longitude: true, speedKph: true, headingDeg: true, distanceM: true },
  });
  const summary = summarizeTrip(rows);
  const step = Math.max(1, Math.ceil(rows.length / MAX_TRACK_POINTS));
  const track: TrackPoint[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (i % step !== 0 && i !== rows.length - 1) continue;
    const r = rows[i] as (typeof rows)[number];
    track.push({
      time: r.time,
      latitude: r.latitude,
      longitude: r.longitude,
      speedKph: r.speedKph,
      headingDeg: r.headingDeg,
    });
  }
  return { track, summary };
}

/** A vehicle's last fix within one time bucket of a fleet replay. */
export interface FleetReplayRow extends TrackPoint {
  vehicleId: string;
  /** Start of the bucket. */
  bucket: Date;
}

/**
 * The fleet in [from, to) (at most 7 days): per vehicle and per `bucketS`-second bucket, its last
 * fix (`time_bucket` + `last()`), in bucket order. The bucket widens (doubling) until the rows fit
 * {@link MAX_FLEET_REPLAY_ROWS}; the bucket used is returned.
 * @throws DomainError("invalid") for a bad period
 */
export async function getFleetReplay(
  db: Db,
  tenantId: string,
  input: { from: Date; to: Date; bucketS?: number },
): Promise<{ bucketS: number; rows: FleetReplayRow[] }> {
  checkPeriod(input.from, input.to, 7);
  const periodS = (input.to.getTime() - input.from.getTime()) / 1000;
  const [counted] = await db.$queryRaw<{ vehicles: number }[]>`
    SELECT count(DISTINCT vehicle_id)::int AS vehicles FROM tel_positions
    WHERE tenant_id = ${tenantId}::uuid AND vehicle_id IS NOT NULL AND time >= ${input.from} AND time < ${input.to}`;
  const vehicles = Math.max(1, counted?.vehicles ?? 0);
  let bucketS = Math.max(1, Math.round(input.bucketS ?? 10));
  while ((vehicles * periodS) / bucketS > MAX_FLEET_REPLAY_ROWS) bucketS *= 2;
  const rows = await db.$queryRaw<FleetReplayRow[]>`
    SELECT vehicle_id AS "vehicleId",
           time_bucket(make_interval(secs => ${bucketS}::float8), time) AS bucket,
           max(time) AS time,
           last(latitude, time) AS latitude,
           last(longitude, time) AS longitude,
           last(speed_kph, time) AS "speedKph",
           last(heading_deg, time) AS "headingDeg"
    FROM tel_positions
    WHERE tenant_id = ${tenantId}::uuid AND vehicle_id IS NOT NULL AND time >= ${input.from} AND time < ${input.to}
    GROUP BY vehicle_id, bucket
    ORDER BY bucket, vehicle_id`;
  return { bucketS, rows };
}
