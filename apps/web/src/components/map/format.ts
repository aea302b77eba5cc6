/** Small formatters shared by the map page, its popup and the wall display. */

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago" from an ISO 8601 time; "—" for null. */
export function formatAgo(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return "—";
  const ageS = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (ageS < 60) return `${ageS} s ago`;
  if (ageS < 3600) return `${Math.round(ageS / 60)} min ago`;
  if (ageS < 86_400) return `${Math.round(ageS / 3600)} h ago`;
  return `${Math.round(ageS / 86_400)} d ago`;
}

/** Whole km/h, "—" when unknown. */
export function formatSpeed(speedKph: number | null | undefined): string {
  return speedKph === null || speedKph === undefined ? "—" : `${Math.round(speedKph)} km/h`;
}

/** The driver's name from a `vehicle.list` item, "—" without one (older APIs have no `currentDriver`). */
export function driverNameOf(vehicle: { currentDriver?: { name: string } | null } | undefined): string {
  return vehicle?.currentDriver?.name ?? "—";
}
