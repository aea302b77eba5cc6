import { createVehicle, listVehicles } from "@fleetcore/core";
import { ZCreateVehicleRequest, ZListVehiclesRequest, ZVehicle } from "@fleetcore/validators";
import { z } from "zod";
import { publicProcedure, router } from "../trpc";

export const vehicleRouter = router({
  /** A tenant's vehicles, newest first. Errors: NOT_FOUND (unknown tenant). */
  list: publicProcedure
    .input(ZListVehiclesRequest)
    .output(z.array(ZVehicle))
    .query(({ ctx, input }) => listVehicles(ctx.db, input.tenantId, { status: input.status })),

  /**
   * Creates a vehicle and announces it live (`vehicle:created` to the tenant's room).
   * Errors: NOT_FOUND (unknown tenant), BAD_REQUEST (invalid fields, e.g. a malformed VIN).
   */
  create: publicProcedure
    .input(ZCreateVehicleRequest)
    .output(ZVehicle)
    .mutation(async ({ ctx, input }) => {
      const vehicle = await createVehicle(ctx.db, input);
      ctx.publish(vehicle.tenantId, "vehicle:created", {
        id: vehicle.id,
        tenantId: vehicle.tenantId,
        name: vehicle.name,
        createdAt: vehicle.createdAt.toISOString(),
      });
      return vehicle;
    }),
});
