import { z } from "zod";

/** Vehicle states (flt_vehicles.status). */
export const VEHICLE_STATUSES = ["active", "inactive", "maintenance", "retired"] as const;
export const ZVehicleStatus = z.enum(VEHICLE_STATUSES);
export type VehicleStatus = z.infer<typeof ZVehicleStatus>;

const currentYear = new Date().getUTCFullYear();

/**
 * Input of `vehicle.create` (in the caller's active tenant). `vin` is the 17-character ISO 3779 vehicle identification number
 * (letters I, O and Q never occur); `speedLimitKph` is this vehicle's overspeed threshold in km/h.
 */
export const ZCreateVehicleRequest = z.object({
  name: z.string().trim().min(1).max(80),
  licensePlate: z.string().trim().toUpperCase().min(1).max(20).optional(),
  vin: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-HJ-NPR-Z0-9]{17}$/, "a VIN has 17 characters, no I, O or Q")
    .optional(),
  make: z.string().trim().max(60).optional(),
  model: z.string().trim().max(60).optional(),
  year: z
    .number()
    .int()
    .min(1900)
    .max(currentYear + 1)
    .optional(),
  speedLimitKph: z.number().int().positive().max(300).optional(),
});
export type CreateVehicleRequest = z.input<typeof ZCreateVehicleRequest>;

/** Input of `vehicle.list` (the tenant is the caller's active tenant, never an input). */
export const ZListVehiclesRequest = z.object({
  status: ZVehicleStatus.optional(),
});

/** A vehicle as the API returns it. */
export const ZVehicle = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  name: z.string(),
  licensePlate: z.string().nullable(),
  vin: z.string().nullable(),
  make: z.string().nullable(),
  model: z.string().nullable(),
  year: z.number().int().nullable(),
  status: ZVehicleStatus,
  speedLimitKph: z.number().int().nullable(),
  createdAt: z.date(),
});
export type Vehicle = z.infer<typeof ZVehicle>;

/** A GPS fix as the API returns it (tel_positions). Degrees WGS 84, km/h, metres. */
export const ZPosition = z.object({
  time: z.date(),
  deviceId: z.uuid(),
  vehicleId: z.uuid().nullable(),
  latitude: z.number(),
  longitude: z.number(),
  speedKph: z.number().nullable(),
  headingDeg: z.number().nullable(),
  altitudeM: z.number().nullable(),
  accuracyM: z.number().nullable(),
});
export type Position = z.infer<typeof ZPosition>;

/** Input of `vehicle.positions`: [from, to), default the last 24 hours; newest first. */
export const ZListVehiclePositionsRequest = z.object({
  vehicleId: z.uuid(),
  from: z.date().optional(),
  to: z.date().optional(),
  limit: z.number().int().min(1).max(10_000).default(1000),
});
