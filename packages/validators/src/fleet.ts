import { z } from "zod";

/** Vehicle states (flt_vehicles.status). */
export const VEHICLE_STATUSES = ["active", "inactive", "maintenance", "retired"] as const;
export const ZVehicleStatus = z.enum(VEHICLE_STATUSES);
export type VehicleStatus = z.infer<typeof ZVehicleStatus>;

/** Statuses a vehicle can be given by editing; `retired` is what `vehicle.delete` sets. */
export const ZEditableVehicleStatus = ZVehicleStatus.exclude(["retired"]);

const currentYear = new Date().getUTCFullYear();

/** The editable vehicle fields, shared by create and update. */
const vehicleFields = {
  name: z.string().trim().min(1).max(80),
  licensePlate: z.string().trim().toUpperCase().min(1).max(20),
  vin: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-HJ-NPR-Z0-9]{17}$/, "a VIN has 17 characters, no I, O or Q"),
  make: z.string().trim().max(60),
  model: z.string().trim().max(60),
  year: z
    .number()
    .int()
    .min(1900)
    .max(currentYear + 1),
  speedLimitKph: z.number().int().positive().max(300),
};

/**
 * Input of `vehicle.create` (in the caller's active tenant). `vin` is the 17-character ISO 3779 vehicle identification number
 * (letters I, O and Q never occur); `speedLimitKph` is this vehicle's overspeed threshold in km/h.
 * Plate and VIN must not be used by another of the tenant's live vehicles.
 */
export const ZCreateVehicleRequest = z.object({
  name: vehicleFields.name,
  licensePlate: vehicleFields.licensePlate.optional(),
  vin: vehicleFields.vin.optional(),
  make: vehicleFields.make.optional(),
  model: vehicleFields.model.optional(),
  year: vehicleFields.year.optional(),
  speedLimitKph: vehicleFields.speedLimitKph.optional(),
  status: ZEditableVehicleStatus.optional(),
});
export type CreateVehicleRequest = z.input<typeof ZCreateVehicleRequest>;

/**
 * Input of `vehicle.update`: only the fields given change; `null` clears an optional field.
 * Retiring is `vehicle.delete`, not a status edit.
 */
export const ZUpdateVehicleRequest = z.object({
  vehicleId: z.uuid(),
  name: vehicleFields.name.optional(),
  licensePlate: vehicleFields.licensePlate.nullish(),
  vin: vehicleFields.vin.nullish(),
  make: vehicleFields.make.nullish(),
  model: vehicleFields.model.nullish(),
  year: vehicleFields.year.nullish(),
  speedLimitKph: vehicleFields.speedLimitKph.nullish(),
  status: ZEditableVehicleStatus.optional(),
});
export type UpdateVehicleRequest = z.input<typeof ZUpdateVehicleRequest>;

/** Input of `vehicle.get`, `vehicle.delete`. */
export const ZVehicleIdRequest = z.object({ vehicleId: z.uuid() });

/**
 * Input of `vehicle.list` (the tenant is the caller's active tenant, never an input). `search`:
 * whitespace-separated words, each found (case-insensitively) in the name, plate, VIN, make or model.
 */
export const ZListVehiclesRequest = z.object({
  status: ZVehicleStatus.optional(),
  search: z.string().trim().max(120).optional(),
});

/** Someone or something named, as lists show it. */
export const ZNamedRef = z.object({ id: z.uuid(), name: z.string() });
export type NamedRef = z.infer<typeof ZNamedRef>;

/**
 * A vehicle as the API returns it, with what the fleet lists show beside it: the driver of its open
 * assignment, its bound devices, the newest `lastSeenAt` of those devices (server time of the last
 * accepted fix) and its odometer in metres (derived from accepted positions).
 */
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
  odometerM: z.number(),
  lastSeenAt: z.date().nullable(),
  currentDriver: ZNamedRef.nullable(),
  devices: z.array(z.object({ id: z.uuid(), uniqueId: z.string(), name: z.string() })),
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

/**
 * One position of the batch ingest API (`POST /ingest/positions`, JSON array or NDJSON).
 * `deviceId` is the device's unique id as registered; `time` ISO 8601 or Unix milliseconds.
 */
export const ZBatchPosition = z.object({
  deviceId: z.string().trim().min(1).max(128),
  time: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).transform((t) => new Date(t)),
  latitude: z.number(),
  longitude: z.number(),
  speedKph: z.number().nullish(),
  headingDeg: z.number().nullish(),
  altitudeM: z.number().nullish(),
  accuracyM: z.number().nullish(),
  valid: z.boolean().nullish(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export type BatchPosition = z.output<typeof ZBatchPosition>;

/** A batch-ingest API key as listed (the key itself is shown once, at creation). */
export const ZIngestApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  createdBy: z.string().nullable(),
});
export type IngestApiKey = z.infer<typeof ZIngestApiKey>;

/** A GPS device (tel_devices) as the API returns it. */
export const ZDevice = z.object({
  id: z.uuid(),
  uniqueId: z.string(),
  name: z.string(),
  protocol: z.string().nullable(),
  vehicleId: z.uuid().nullable(),
  status: z.enum(["active", "inactive"]),
  lastSeenAt: z.date().nullable(),
  createdAt: z.date(),
});
export type Device = z.infer<typeof ZDevice>;

/**
 * Input of `device.create`: registers a tracker by the id it sends (OsmAnd `id`, Traccar unique id,
 * IMEI…), optionally in a vehicle. Claiming an unknown device is creating it with that id.
 */
export const ZCreateDeviceRequest = z.object({
  uniqueId: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .regex(/^[\w.:@-]+$/, "letters, digits and . _ : @ - only"),
  name: z.string().trim().min(1).max(80),
  vehicleId: z.uuid().optional(),
  protocol: z.string().trim().max(40).optional(),
});
export type CreateDeviceRequest = z.input<typeof ZCreateDeviceRequest>;

/** Input of `device.update`: only the fields given change. */
export const ZUpdateDeviceRequest = z.object({
  deviceId: z.uuid(),
  name: z.string().trim().min(1).max(80).optional(),
  status: z.enum(["active", "inactive"]).optional(),
});
export type UpdateDeviceRequest = z.input<typeof ZUpdateDeviceRequest>;

/** Input of `device.bind`: mounts the device in the vehicle (moving it from any other). */
export const ZBindDeviceRequest = z.object({ deviceId: z.uuid(), vehicleId: z.uuid() });

/** Input of `device.unbind`, `device.delete`. */
export const ZDeviceIdRequest = z.object({ deviceId: z.uuid() });

/** An unregistered device that reported (tel_unknown_devices). */
export const ZUnknownDevice = z.object({
  id: z.uuid(),
  uniqueId: z.string(),
  protocol: z.string(),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
  reportCount: z.number().int(),
  lastFix: z.record(z.string(), z.unknown()),
});
