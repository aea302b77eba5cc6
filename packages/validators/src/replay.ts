import { z } from "zod";

/** Input of `replay.vehicle`: one vehicle's history in [from, to), at most 31 days. */
export const ZVehicleHistoryRequest = z.object({
  vehicleId: z.uuid(),
  from: z.date(),
  to: z.date(),
});

/** Input of `replay.fleet`: the fleet's history in [from, to), at most 7 days, in buckets of `bucketS` seconds (widened to fit). */
export const ZFleetReplayRequest = z.object({
  from: z.date(),
  to: z.date(),
  bucketS: z.number().int().min(1).max(3600).optional(),
});

/** A replayed point. Degrees WGS 84, km/h. */
export const ZTrackPoint = z.object({
  time: z.date(),
  latitude: z.number(),
  longitude: z.number(),
  speedKph: z.number().nullable(),
  headingDeg: z.number().nullable(),
});

/** Trip summary of a period (Traccar report semantics: moving above 3 km/h, stops of 5 minutes or more). */
export const ZTripSummary = z.object({
  positions: z.number().int(),
  distanceM: z.number(),
  movingTimeS: z.number(),
  stops: z.number().int(),
  maxSpeedKph: z.number().nullable(),
  avgSpeedKph: z.number().nullable(),
  startedAt: z.date().nullable(),
  endedAt: z.date().nullable(),
});
export type TripSummary = z.infer<typeof ZTripSummary>;

export const ZVehicleHistory = z.object({ track: z.array(ZTrackPoint), summary: ZTripSummary });
export type VehicleHistory = z.infer<typeof ZVehicleHistory>;

export const ZFleetReplay = z.object({
  bucketS: z.number().int(),
  rows: z.array(ZTrackPoint.extend({ vehicleId: z.uuid(), bucket: z.date() })),
});
export type FleetReplay = z.infer<typeof ZFleetReplay>;
