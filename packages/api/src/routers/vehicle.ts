import { createVehicle, getVehicle, listVehiclePositions, listVehicles } from "@fleetcore/core";
import {
  ZCreateVehicleRequest,
  ZListVehiclePositionsRequest,
  ZListVehiclesRequest,
  ZPosition,
  ZVehicle,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

/** Vehicles of the caller's active tenant. */
export const vehicleRouter = router({
  /** The tenant's vehicles, newest first. Needs fleet:read (wall displays have it). */
  list: permittedProcedure("fleet", "read")
    .input(ZListVehiclesRequest)
    .output(z.array(ZVehicle))
    .query(({ ctx, input }) => listVehicles(ctx.db, ctx.tenantId, { status: input.status })),

  /** One vehicle. NOT_FOUND for an unknown id or another tenant's. */
  get: permittedProcedure("fleet", "read")
    .input(z.object({ vehicleId: z.uuid() }))
    .output(ZVehicle)
    .query(({ ctx, input }) => getVehicle(ctx.db, ctx.tenantId, input.vehicleId)),

  /** A vehicle's positions in [from, to) (default: last 24 h), newest first. Needs positions:read. NOT_FOUND. */
  positions: permittedProcedure("positions", "read")
    .input(ZListVehiclePositionsRequest)
    .output(z.array(ZPosition))
    .query(({ ctx, input }) => listVehiclePositions(ctx.db, ctx.tenantId, input)),

  /**
   * Creates a vehicle (audited) and, once committed, announces it live (`vehicle:created` to the
   * tenant's room). Needs fleet:write. BAD_REQUEST for invalid fields (e.g. a malformed VIN).
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
});
