import {
  assignDriver,
  createDriver,
  deleteDriver,
  endAssignment,
  getDriver,
  listAssignments,
  listDrivers,
  updateDriver,
} from "@fleetcore/core";
import {
  ZAssignDriverRequest,
  ZCreateDriverRequest,
  ZDriver,
  ZDriverHistoryRequest,
  ZDriverIdRequest,
  ZEndAssignmentRequest,
  ZListDriversRequest,
  ZUpdateDriverRequest,
  ZVehicleAssignment,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

const ZOk = z.object({ ok: z.literal(true) });

/**
 * Drivers of the caller's active tenant and their vehicle assignments. Drivers are part of the
 * fleet: reads need fleet:read, changes fleet:write. Other tenants' (or deleted) driver and vehicle
 * ids are NOT_FOUND, like unknown ones.
 */
export const driverRouter = router({
  /** Live drivers by name, each with their current vehicle; `search` and `status` narrow the list. */
  list: permittedProcedure("fleet", "read")
    .input(ZListDriversRequest)
    .output(z.array(ZDriver))
    .query(({ ctx, input }) => listDrivers(ctx.db, ctx.tenantId, input)),

  /** One driver. NOT_FOUND. */
  get: permittedProcedure("fleet", "read")
    .input(ZDriverIdRequest)
    .output(ZDriver)
    .query(({ ctx, input }) => getDriver(ctx.db, ctx.tenantId, input.driverId)),

  /** Creates a driver (phone normalised to E.164; audited). BAD_REQUEST, CONFLICT when a live driver has the phone. */
  create: permittedProcedure("fleet", "write")
    .input(ZCreateDriverRequest)
    .output(ZDriver)
    .mutation(({ ctx, input }) => createDriver(ctx, ctx.tenantId, input)),

  /** Edits the given fields (`null` clears one; audited field by field). NOT_FOUND, BAD_REQUEST, CONFLICT (phone). */
  update: permittedProcedure("fleet", "write")
    .input(ZUpdateDriverRequest)
    .output(ZDriver)
    .mutation(({ ctx, input }) => updateDriver(ctx, ctx.tenantId, input)),

  /** Deletes a driver (soft; history kept) and ends their current assignment. NOT_FOUND. */
  delete: permittedProcedure("fleet", "write")
    .input(ZDriverIdRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await deleteDriver(ctx, ctx.tenantId, input.driverId);
      return { ok: true as const };
    }),

  /**
   * The driver drives the vehicle from now on; the vehicle's and the driver's current assignments end
   * at that instant. NOT_FOUND (vehicle or driver), BAD_REQUEST (driver not active), CONFLICT (already so).
   */
  assign: permittedProcedure("fleet", "write")
    .input(ZAssignDriverRequest)
    .output(ZVehicleAssignment)
    .mutation(({ ctx, input }) => assignDriver(ctx, ctx.tenantId, input)),

  /** Ends the current assignment of a vehicle (`vehicleId`) or of a driver (`driverId`). NOT_FOUND when none. */
  unassign: permittedProcedure("fleet", "write")
    .input(ZEndAssignmentRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await endAssignment(ctx, ctx.tenantId, input);
      return { ok: true as const };
    }),

  /** A driver's assignments, newest first (the open one has `endAt` null). NOT_FOUND. */
  history: permittedProcedure("fleet", "read")
    .input(ZDriverHistoryRequest)
    .output(z.array(ZVehicleAssignment))
    .query(({ ctx, input }) => listAssignments(ctx.db, ctx.tenantId, { driverId: input.driverId }, input.limit)),
});
