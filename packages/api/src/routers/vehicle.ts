import {
  createVehicle,
  deleteVehicle,
  getVehicle,
  listAssignments,
  listVehiclePositions,
  listVehicles,
  notifyDevicesChanged,
  notifyEventRulesChanged,
  updateVehicle,
} from "@fleetcore/core";
import {
  ZCreateVehicleRequest,
  ZListVehiclePositionsRequest,
  ZListVehiclesRequest,
  ZPosition,
  ZUpdateVehicleRequest,
  ZVehicle,
  ZVehicleAssignment,
  ZVehicleAssignmentsRequest,
  ZVehicleIdRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

const ZOk = z.object({ ok: z.literal(true) });

/**
 * Vehicles of the caller's active tenant. Reads need fleet:read (wall displays have it), changes
 * fleet:write. Every vehicle carries its current driver, bound devices, last-seen time and odometer
 * (metres). Ids of other tenants' (or retired) vehicles are NOT_FOUND, like unknown ones.
 */
export const vehicleRouter = router({
  /** The tenant's live vehicles, newest first; `search` (words in name/plate/VIN/make/model) and `status` narrow it. */
  list: permittedProcedure("fleet", "read")
    .input(ZListVehiclesRequest)
    .output(z.array(ZVehicle))
    .query(({ ctx, input }) => listVehicles(ctx.db, ctx.tenantId, input)),

  /** One vehicle. NOT_FOUND for an unknown id or another tenant's. */
  get: permittedProcedure("fleet", "read")
    .input(ZVehicleIdRequest)
    .output(ZVehicle)
    .query(({ ctx, input }) => getVehicle(ctx.db, ctx.tenantId, input.vehicleId)),

  /** A vehicle's positions in [from, to) (default: last 24 h), newest first. Needs positions:read. NOT_FOUND. */
  positions: permittedProcedure("positions", "read")
    .input(ZListVehiclePositionsRequest)
    .output(z.array(ZPosition))
    .query(({ ctx, input }) => listVehiclePositions(ctx.db, ctx.tenantId, input)),

  /** A vehicle's driver assignments, newest first (the open one has `endAt` null). NOT_FOUND. */
  assignments: permittedProcedure("fleet", "read")
    .input(ZVehicleAssignmentsRequest)
    .output(z.array(ZVehicleAssignment))
    .query(({ ctx, input }) => listAssignments(ctx.db, ctx.tenantId, { vehicleId: input.vehicleId }, input.limit)),

  /**
   * Creates a vehicle (audited) and, once committed, announces it live (`vehicle:created` to the
   * tenant's room). BAD_REQUEST for invalid fields (e.g. a malformed VIN), CONFLICT for a plate or
   * VIN another live vehicle of the tenant has.
   */
  create: permittedProcedure("fleet", "write")
    .input(ZCreateVehicleRequest)
    .output(ZVehicle)
    .mutation(async ({ ctx, input }) => {
      const vehicle = await createVehicle(ctx, ctx.tenantId, input);
      ctx.afterCommit.push(() =>
        ctx.publish(vehicle.tenantId, "vehicle:created", {
          id: vehicle.id,
          tenantId: vehicle.tenantId,
          name: vehicle.name,
          createdAt: vehicle.createdAt.toISOString(),
        }),
      );
      return vehicle;
    }),

  /** Edits the given fields (`null` clears one; audited field by field). NOT_FOUND, BAD_REQUEST, CONFLICT (plate/VIN). */
  update: permittedProcedure("fleet", "write")
    .input(ZUpdateVehicleRequest)
    .output(ZVehicle)
    .mutation(async ({ ctx, input }) => {
      const vehicle = await updateVehicle(ctx, ctx.tenantId, input);
      // Its own speed limit feeds the overspeed rule.
      if (input.speedLimitKph !== undefined) ctx.afterCommit.push(() => notifyEventRulesChanged(ctx.tenantId));
      return vehicle;
    }),

  /** Retires a vehicle: hidden from now on, its devices unbound and its current assignment ended. NOT_FOUND. */
  delete: permittedProcedure("fleet", "write")
    .input(ZVehicleIdRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await deleteVehicle(ctx, ctx.tenantId, input.vehicleId);
      // Its devices were unbound: ingest must stop attributing their fixes to it.
      ctx.afterCommit.push(notifyDevicesChanged);
      return { ok: true as const };
    }),
});
