/**
 * Turning time-ordered fixes into a replay plan: rebased timestamps, send offsets at a speed-up
 * factor, derived bearings, and the OsmAnd query each fix is sent as.
 */
import type { ReplayFix } from "./csv";
import { haversineM, initialBearingDeg, mpsToKnots } from "./geo";

/**
 * Query parameters of one OsmAnd / Traccar Client request
 * (https://www.traccar.org/osmand/: `id`, `lat`, `lon`, `timestamp`, `speed`, `bearing`).
 */
export interface OsmAndQuery {
  /** Device unique id: `<prefix><vehicle_id>`. */
  id: string;
  /** WGS 84 degrees. */
  lat: number;
  /** WGS 84 degrees. */
  lon: number;
  /**
   * Fix time (rebased): Unix seconds with `time: "real"` or `"end"`, Unix milliseconds with `time: "wall"`
   * (Traccar, and Fleetcore after it, read an integer below 2^31−1 as seconds, a larger one as ms).
   */
  timestamp: number;
  /** Knots; absent when the row had no speed. */
  speed?: number;
  /** Degrees clockwise from true north, [0, 360); absent for a vehicle's first fix or when it did not move. */
  bearing?: number;
}

/** One fix ready to send. */
export interface PlannedFix {
  fix: ReplayFix;
  /** Wall-clock delay from the start of the replay before sending, ms (0 for `--speed max`). */
  sendOffsetMs: number;
  query: OsmAndQuery;
}

/** `--speed`: a real-time multiplier (> 0) or as fast as the server accepts. */
export type ReplaySpeed = number | "max";

/**
 * How fix times are rebased.
 * - `real`: the file's earliest fix is now and fixes keep their real spacing, `now0 + (t − t0)`,
 *   whatever the speed (so at a speed-up > 1 later fixes are ahead of the clock).
 * - `end`: the file's latest fix is now and fixes keep their real spacing, `now0 − (tEnd − t)`: every
 *   fix is in the past, so a server that refuses future fixes accepts them all even at `--speed max`.
 * - `wall`: each fix is stamped with the time it is scheduled to be sent, `now0 + (t − t0) / speed`
 *   (ms precision), so no fix is ahead of the clock; not defined for `--speed max`.
 */
export type TimeMode = "real" | "end" | "wall";

/** The time mode used when none is given: `end` for `--speed max` (see {@link TimeMode}), else `real`. */
export function defaultTimeMode(speed: ReplaySpeed): TimeMode {
  return speed === "max" ? "end" : "real";
}

/** Below this step, metres, a vehicle counts as standing still and gets no bearing (GPS jitter). */
export const MIN_MOVE_FOR_BEARING_M = 1;

/**
 * Rebases a fix time: the reference time `t0Ms` (the file's earliest fix in `real` mode, its latest
 * in `end` mode) maps to `now0S`, and every fix keeps its distance from it at real time:
 * `now0S + round((tMs − t0Ms) / 1000)`, Unix seconds (negative offsets for fixes before the reference).
 * Note that the timestamp does not depend on the speed-up factor; at `--speed N` the fix at t is
 * sent (t − first)/N after the start, so in `real` mode with N > 1 timestamps run ahead of the wall clock.
 */
export function rebaseTimestampS(tMs: number, t0Ms: number, now0S: number): number {
  return now0S + Math.round((tMs - t0Ms) / 1000);
}

/** `wall` mode: `now0Ms + (tMs − t0Ms) / speed`, rounded to Unix milliseconds. */
export function wallTimestampMs(tMs: number, t0Ms: number, now0Ms: number, speed: number): number {
  return Math.round(now0Ms + (tMs - t0Ms) / speed);
}

/**
 * Wall-clock send offset of a fix, ms after the start: `(tMs − t0Ms) / speed`, or 0 for "max"
 * (then only order and concurrency pace the sending).
 */
export function sendOffsetMs(tMs: number, t0Ms: number, speed: ReplaySpeed): number {
  return speed === "max" ? 0 : (tMs - t0Ms) / speed;
}

const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/**
 * Plans a replay of `fixes` (sorted by time, as {@link parseReplayCsv} returns them) starting at
 * `now0Ms` (epoch ms; whole seconds are used in `real` and `end` modes), timestamps per `opts.time`
 * (default {@link defaultTimeMode}: `end` for speed "max", else `real`; `wall` with speed "max" throws
 * a RangeError). Bearing is the initial great-circle bearing from the same vehicle's previous fix when
 * it moved at least {@link MIN_MOVE_FOR_BEARING_M}; speed is converted m/s → knots. Speed is rounded
 * to 0.001 kn and bearing to 0.1°.
 */
export function planReplay(
  fixes: readonly ReplayFix[],
  opts: { now0Ms: number; speed: ReplaySpeed; prefix: string; time?: TimeMode },
): PlannedFix[] {
  const first = fixes[0];
  const last = fixes.at(-1);
  if (!first || !last) return [];
  const { speed } = opts;
  const time = opts.time ?? defaultTimeMode(speed);
  if (time === "wall" && speed === "max") throw new RangeError('time mode "wall" needs a numeric speed');
  const t0Ms = first.timeMs;
  // The fix stamped now0: the earliest (real), or the latest so that every fix is in the past (end).
  const refMs = time === "end" ? last.timeMs : t0Ms;
  const now0S = Math.floor(opts.now0Ms / 1000);
  const previous = new Map<string, ReplayFix>();
  return fixes.map((fix) => {
    const query: OsmAndQuery = {
      id: `${opts.prefix}${fix.vehicleId}`,
      lat: fix.latitude,
      lon: fix.longitude,
      timestamp:
        time === "wall" && speed !== "max"
          ? wallTimestampMs(fix.timeMs, t0Ms, opts.now0Ms, speed)
          : rebaseTimestampS(fix.timeMs, refMs, now0S),
    };
    if (fix.speedMps !== null) query.speed = round(mpsToKnots(fix.speedMps), 3);
    const prev = previous.get(fix.vehicleId);
    if (prev && haversineM(prev.latitude, prev.longitude, fix.latitude, fix.longitude) >= MIN_MOVE_FOR_BEARING_M) {
      query.bearing = round(initialBearingDeg(prev.latitude, prev.longitude, fix.latitude, fix.longitude), 1) % 360;
    }
    previous.set(fix.vehicleId, fix);
    return { fix, sendOffsetMs: sendOffsetMs(fix.timeMs, t0Ms, speed), query };
  });
}

/**
 * The request URL of one fix: `base` with the query appended (`http://host:5055` →
 * `http://host:5055/?id=…`; a path such as `/ingest/osmand` is kept as is, with no slash added).
 */
export function osmAndUrl(base: string | URL, query: OsmAndQuery): URL {
  const url = new URL(base);
  url.search = "";
  url.searchParams.set("id", query.id);
  url.searchParams.set("lat", String(query.lat));
  url.searchParams.set("lon", String(query.lon));
  url.searchParams.set("timestamp", String(query.timestamp));
  if (query.speed !== undefined) url.searchParams.set("speed", String(query.speed));
  if (query.bearing !== undefined) url.searchParams.set("bearing", String(query.bearing));
  return url;
}
