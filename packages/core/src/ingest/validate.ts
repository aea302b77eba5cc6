/**
 * Plausibility checks every decoded fix passes before it is stored (Traccar applies similar
 * "filter.*" rules: invalid, zero, future, speed). A failed check rejects that fix with a reason;
 * the other fixes of the same request are unaffected.
 */
import type { DecodedPosition } from "./types";

export interface ValidationLimits {
  /** Fixes more than this far in the future (device clock ahead) are rejected. Default 5 minutes. */
  maxFutureMs: number;
  /** Fixes older than this are rejected (a device with a reset clock reports 1970 or 1980). */
  earliest: Date;
  /** Speeds above this are implausible for road vehicles. Default 250 km/h. */
  maxSpeedKph: number;
}

export const DEFAULT_LIMITS: ValidationLimits = {
  maxFutureMs: 5 * 60 * 1000,
  earliest: new Date("2000-01-01T00:00:00Z"),
  maxSpeedKph: 250,
};

/** Why `fix` cannot be stored, or null when it can. `now` is the server's clock. */
export function rejectionReason(
  fix: DecodedPosition,
  now: Date,
  limits: ValidationLimits = DEFAULT_LIMITS,
): string | null {
  const { latitude: lat, longitude: lon } = fix;
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) return `latitude ${lat} is outside -90..90`;
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) return `longitude ${lon} is outside -180..180`;
  // (0,0) is what many trackers send before their first fix; accepted only when the device marks it valid.
  if (lat === 0 && lon === 0 && fix.valid !== true) return "position 0,0 (no GPS fix yet) without valid=true";
  const t = fix.time.getTime();
  if (Number.isNaN(t)) return "invalid timestamp";
  if (t > now.getTime() + limits.maxFutureMs) {
    return `timestamp ${fix.time.toISOString()} is in the future (server time ${now.toISOString()})`;
  }
  if (t < limits.earliest.getTime())
    return `timestamp ${fix.time.toISOString()} is before ${limits.earliest.toISOString()}`;
  if (
    fix.speedKph != null &&
    (!Number.isFinite(fix.speedKph) || fix.speedKph < 0 || fix.speedKph > limits.maxSpeedKph)
  ) {
    return `speed ${fix.speedKph} km/h is implausible (0..${limits.maxSpeedKph})`;
  }
  if (fix.headingDeg != null && !Number.isFinite(fix.headingDeg)) return "heading is not a number";
  return null;
}

/** Heading normalised to [0, 360), or null. */
export function normaliseHeading(deg: number | null | undefined): number | null {
  if (deg == null || !Number.isFinite(deg)) return null;
  const h = deg % 360; // exact for in-range values, unlike ((deg % 360) + 360) % 360
  return h < 0 ? h + 360 : h;
}
