import { z } from "zod";
import { ZEmail } from "./auth";
import { ZNamedRef } from "./fleet";

/** Driver states (rid_drivers.status). Only active drivers can be assigned to a vehicle. */
export const DRIVER_STATUSES = ["active", "inactive", "suspended"] as const;
export const ZDriverStatus = z.enum(DRIVER_STATUSES);
export type DriverStatus = z.infer<typeof ZDriverStatus>;

/**
 * ITU-T E.164: "+", a country code starting 1–9, at most 15 digits in all. The shortest numbers in
 * service (e.g. Niue, +683 + 4 digits) have 7 digits, hence 7–15.
 */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

/**
 * A phone number in E.164 form ("+15125550101"), what WhatsApp addresses and later maps back to a
 * driver. Spaces, dots, dashes and parentheses are dropped and a leading international "00" becomes
 * "+", so "+33 6 12 34 56 78" and "0033612345678" are both "+33612345678"; a national number without
 * its country code ("(512) 555-0101") is refused rather than guessed.
 */
export const ZPhoneE164 = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s().-]/g, "").replace(/^00/, "+"))
  .pipe(z.string().regex(E164_PATTERN, "use the international format with the country code, e.g. +15125550101"));

const driverFields = {
  firstName: z.string().trim().min(1).max(60),
  lastName: z.string().trim().min(1).max(60),
  email: ZEmail,
  phone: ZPhoneE164,
  licenseNumber: z.string().trim().min(1).max(40),
};

/** Input of `driver.create`. The phone must not belong to another of the tenant's live drivers. */
export const ZCreateDriverRequest = z.object({
  firstName: driverFields.firstName,
  lastName: driverFields.lastName,
  email: driverFields.email.optional(),
  phone: driverFields.phone.optional(),
  licenseNumber: driverFields.licenseNumber.optional(),
  status: ZDriverStatus.optional(),
});
export type CreateDriverRequest = z.input<typeof ZCreateDriverRequest>;

/** Input of `driver.update`: only the fields given change; `null` clears an optional field. */
export const ZUpdateDriverRequest = z.object({
  driverId: z.uuid(),
  firstName: driverFields.firstName.optional(),
  lastName: driverFields.lastName.optional(),
  email: driverFields.email.nullish(),
  phone: driverFields.phone.nullish(),
  licenseNumber: driverFields.licenseNumber.nullish(),
  status: ZDriverStatus.optional(),
});
export type UpdateDriverRequest = z.input<typeof ZUpdateDriverRequest>;

/** Input of `driver.get`, `driver.delete`. */
export const ZDriverIdRequest = z.object({ driverId: z.uuid() });

/**
 * Input of `driver.list`. `search`: whitespace-separated words, each found (case-insensitively) in
 * the first or last name, email, phone or licence number.
 */
export const ZListDriversRequest = z.object({
  status: ZDriverStatus.optional(),
  search: z.string().trim().max(120).optional(),
});

/** A driver as the API returns it, with the vehicle of their open assignment. */
export const ZDriver = z.object({
  id: z.uuid(),
  firstName: z.string(),
  lastName: z.string(),
  /** "First Last", as lists show it. */
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  licenseNumber: z.string().nullable(),
  status: ZDriverStatus,
  currentVehicle: ZNamedRef.nullable(),
  createdAt: z.date(),
});
export type Driver = z.infer<typeof ZDriver>;

/**
 * Input of `driver.assign`: the driver now drives the vehicle. The vehicle's and the driver's
 * current assignments end at the same instant the new one starts.
 */
export const ZAssignDriverRequest = z.object({
  vehicleId: z.uuid(),
  driverId: z.uuid(),
  notes: z.string().trim().max(500).optional(),
});
export type AssignDriverRequest = z.input<typeof ZAssignDriverRequest>;

/** Input of `driver.unassign`: ends the current assignment of one vehicle or of one driver. */
export const ZEndAssignmentRequest = z
  .object({ vehicleId: z.uuid().optional(), driverId: z.uuid().optional() })
  .refine((v) => (v.vehicleId === undefined) !== (v.driverId === undefined), {
    message: "give either vehicleId or driverId",
  });
export type EndAssignmentRequest = z.input<typeof ZEndAssignmentRequest>;

/** Input of `driver.history` (one driver's assignments), newest first. */
export const ZDriverHistoryRequest = z.object({
  driverId: z.uuid(),
  limit: z.number().int().min(1).max(500).default(100),
});

/** Input of `vehicle.assignments` (one vehicle's assignments), newest first. */
export const ZVehicleAssignmentsRequest = z.object({
  vehicleId: z.uuid(),
  limit: z.number().int().min(1).max(500).default(100),
});

/**
 * One row of flt_vehicle_assignments: who drove what from `startAt` until `endAt` (null: still
 * driving). Names are those of today, including a since-deleted vehicle or driver.
 * `createdBy` is the email of whoever made the assignment, when visible to the caller.
 */
export const ZVehicleAssignment = z.object({
  id: z.uuid(),
  vehicle: ZNamedRef,
  driver: ZNamedRef,
  startAt: z.date(),
  endAt: z.date().nullable(),
  notes: z.string().nullable(),
  createdBy: z.string().nullable(),
});
export type VehicleAssignment = z.infer<typeof ZVehicleAssignment>;
