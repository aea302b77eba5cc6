/** Unit conversions and great-circle geometry for the replay. */

/** Metres per second in one knot: 1 kn = 1852 m/h by definition, i.e. 0.514444… m/s. */
export const MPS_PER_KNOT = 1852 / 3600;

/** Mean Earth radius, metres (IUGG R1), the usual sphere for haversine distances. */
export const EARTH_RADIUS_M = 6_371_008.8;

const toRad = (deg: number): number => (deg * Math.PI) / 180;
const toDeg = (rad: number): number => (rad * 180) / Math.PI;

/**
 * m/s → knots, the unit the OsmAnd / Traccar Client protocol uses for `speed`
 * (1 kn = 1852/3600 m/s exactly).
 */
export function mpsToKnots(speedMps: number): number {
  return speedMps / MPS_PER_KNOT;
}

/**
 * Great-circle distance between two WGS 84 points in degrees, metres, on a sphere of
 * {@link EARTH_RADIUS_M} (haversine formula; Sinnott 1984, as given at
 * https://www.movable-type.co.uk/scripts/latlong.html).
 */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = toRad(lat2 - lat1);
  const dLon = toRad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(lat1)) * Math.cos(toRad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Initial great-circle bearing (forward azimuth) from point 1 to point 2, degrees clockwise from
 * true north in [0, 360). Inputs are WGS 84 degrees. Formula:
 * θ = atan2(sin Δλ · cos φ2, cos φ1 · sin φ2 − sin φ1 · cos φ2 · cos Δλ)
 * (Ed Williams' Aviation Formulary; https://www.movable-type.co.uk/scripts/latlong.html "Bearing").
 * Identical points give 0; callers should not ask for the bearing of a vehicle that did not move.
 */
export function initialBearingDeg(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const phi1 = toRad(lat1);
  const phi2 = toRad(lat2);
  const dLon = toRad(lon2 - lon1);
  const y = Math.sin(dLon) * Math.cos(phi2);
  const x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(dLon);
  const deg = (toDeg(Math.atan2(y, x)) + 360) % 360;
  // (-0 + 360) % 360 and rounding can give 360 for a tiny negative angle.
  return deg >= 360 ? 0 : deg;
}
