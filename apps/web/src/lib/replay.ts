/**
 * Replay arithmetic, independent of React and the map: where a vehicle was at a given instant of a
 * recorded track (linear interpolation between fixes, as Traccar's and Samsara's replays animate),
 * and where every vehicle of a fleet replay was (its last bucketed fix at or before that instant).
 */

/** A recorded point: time, WGS 84 degrees, km/h, degrees from north. */
export interface ReplayPoint {
  time: Date;
  latitude: number;
  longitude: number;
  speedKph: number | null;
  headingDeg: number | null;
}

/** Index of the last point with `time ≤ tMs` in points sorted by time, or -1 (binary search). */
export function lastIndexAtOrBefore(points: readonly { time: Date }[], tMs: number): number {
  let lo = 0;
  let hi = points.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((points[mid] as { time: Date }).time.getTime() <= tMs) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The vehicle's position at `tMs`: interpolated linearly between the fixes around it (speed too;
 * heading from the later fix), clamped to the first/last fix outside the track. Null for an empty track.
 * Also returns the index of the fix at or before `tMs` (the travelled part of the track ends there).
 */
export function positionAt(track: readonly ReplayPoint[], tMs: number): { point: ReplayPoint; index: number } | null {
  if (track.length === 0) return null;
  const i = lastIndexAtOrBefore(track, tMs);
  if (i < 0) return { point: track[0] as ReplayPoint, index: 0 };
  const a = track[i] as ReplayPoint;
  const b = track[i + 1];
  if (!b) return { point: a, index: i };
  const span = b.time.getTime() - a.time.getTime();
  const f = span > 0 ? (tMs - a.time.getTime()) / span : 0;
  const lerp = (x: number, y: number) => x + (y - x) * f;
  return {
    index: i,
    point: {
      time: new Date(tMs),
      latitude: lerp(a.latitude, b.latitude),
      longitude: lerp(a.longitude, b.longitude),
      speedKph: a.speedKph !== null && b.speedKph !== null ? lerp(a.speedKph, b.speedKph) : a.speedKph,
      headingDeg: b.headingDeg ?? a.headingDeg,
    },
  };
}

/** A fleet replay's rows grouped per vehicle, each list in time order. */
export type FleetIndex = Map<string, ReplayPoint[]>;

/** Groups fleet replay rows (bucket order) by vehicle. */
export function indexFleet(rows: readonly (ReplayPoint & { vehicleId: string })[]): FleetIndex {
  const index: FleetIndex = new Map();
  for (const r of rows) {
    const list = index.get(r.vehicleId);
    if (list) list.push(r);
    else index.set(r.vehicleId, [r]);
  }
  for (const list of index.values()) list.sort((a, b) => a.time.getTime() - b.time.getTime());
  return index;
}

/**
 * Every vehicle's last known point at `tMs` (vehicles with no point yet are left out), and whether
 * that point is older than `staleAfterMs` (shown as offline).
 */
export function fleetAt(
  index: FleetIndex,
  tMs: number,
  staleAfterMs: number,
): { vehicleId: string; point: ReplayPoint; stale: boolean }[] {
  const out: { vehicleId: string; point: ReplayPoint; stale: boolean }[] = [];
  for (const [vehicleId, points] of index) {
    const i = lastIndexAtOrBefore(points, tMs);
    if (i < 0) continue;
    const point = points[i] as ReplayPoint;
    out.push({ vehicleId, point, stale: tMs - point.time.getTime() > staleAfterMs });
  }
  return out;
}

/** Replay speeds offered (× real time). */
export const REPLAY_SPEEDS = [1, 2, 5, 10, 30, 60] as const;

/** Seconds → "1 h 02 min" / "12 min 30 s" / "45 s". */
export function formatDurationS(totalS: number): string {
  const s = Math.round(totalS);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
}
