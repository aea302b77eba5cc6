import { z } from "zod";

/** Geofence kinds (flt_geofences.kind). */
export const GEOFENCE_KINDS = ["circle", "polygon"] as const;
export const ZGeofenceKind = z.enum(GEOFENCE_KINDS);
export type GeofenceKind = z.infer<typeof ZGeofenceKind>;

/** A GeoJSON position, `[longitude, latitude]` in WGS 84 degrees (RFC 7946 §3.1.1). */
const ZLngLat = z.tuple([z.number(), z.number()]);

/**
 * A geofence's area, as `GeofenceShape` in @fleetcore/core (telemetry/geofences.ts):
 * - `circle`: centre `latitude`/`longitude` in degrees, `radiusM` in metres;
 * - `polygon`: the `coordinates` of a GeoJSON Polygon (RFC 7946 §3.1.6): closed rings of
 *   `[longitude, latitude]`, the first the outer boundary, the others holes.
 * Only the structure is checked here; ranges, closed rings, area, radius limits and the antimeridian
 * are the service's `validateGeofenceShape`, whose reason the API returns as BAD_REQUEST.
 */
export const ZGeofenceShape = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("circle"), latitude: z.number(), longitude: z.number(), radiusM: z.number() }),
  z.object({ kind: z.literal("polygon"), coordinates: z.array(z.array(ZLngLat).max(10_000)).min(1).max(64) }),
]);
export type GeofenceShapeData = z.infer<typeof ZGeofenceShape>;

/** The editable geofence fields, shared by create and update. */
const geofenceFields = {
  name: z.string().trim().min(1).max(80),
  /** Speed limit inside the geofence, km/h, overriding the vehicle's. */
  speedLimitKph: z.number().int().min(1).max(300),
  /** CSS colour on the map. */
  color: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^#[0-9a-f]{6}$/, "a colour as #rrggbb"),
};

/**
 * Input of `geofence.create` (in the caller's active tenant). The name must not be used by another
 * of the tenant's live geofences (case-insensitively). Colour defaults to #2563eb, active to true.
 */
export const ZCreateGeofenceRequest = z.object({
  name: geofenceFields.name,
  shape: ZGeofenceShape,
  speedLimitKph: geofenceFields.speedLimitKph.nullish(),
  color: geofenceFields.color.optional(),
  active: z.boolean().optional(),
});
export type CreateGeofenceRequest = z.input<typeof ZCreateGeofenceRequest>;

/** Input of `geofence.update`: only the fields given change; `speedLimitKph: null` removes the limit. */
export const ZUpdateGeofenceRequest = z.object({
  geofenceId: z.uuid(),
  name: geofenceFields.name.optional(),
  shape: ZGeofenceShape.optional(),
  speedLimitKph: geofenceFields.speedLimitKph.nullish(),
  color: geofenceFields.color.optional(),
  active: z.boolean().optional(),
});
export type UpdateGeofenceRequest = z.input<typeof ZUpdateGeofenceRequest>;

/** Input of `geofence.get`, `geofence.delete`. */
export const ZGeofenceIdRequest = z.object({ geofenceId: z.uuid() });

/** Input of `geofence.list`: active geofences only unless `includeInactive`. */
export const ZListGeofencesRequest = z.object({ includeInactive: z.boolean().optional() });

/** A geofence as the API returns it (`kind` repeats `shape.kind`, for lists). */
export const ZGeofence = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: ZGeofenceKind,
  shape: ZGeofenceShape,
  speedLimitKph: z.number().int().nullable(),
  color: z.string(),
  active: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Geofence = z.infer<typeof ZGeofence>;
