import { createDevice, listDevices } from "@fleetcore/core";
import { ZCreateDeviceRequest, ZDevice, ZUnknownDevice } from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

/** GPS devices of the active tenant, and the unknown devices its own sources reported. */
export const deviceRouter = router({
  /** Registered devices, by name. Needs fleet:read. */
  list: permittedProcedure("fleet", "read")
    .output(z.array(ZDevice))
    .query(({ ctx }) => listDevices(ctx.db, ctx.tenantId)),

  /** Registers (claims) a device by its unique id. Needs fleet:write. CONFLICT when the id is taken. */
  create: permittedProcedure("fleet", "write")
    .input(ZCreateDeviceRequest)
    .output(ZDevice)
    .mutation(({ ctx, input }) => createDevice(ctx, ctx.tenantId, input)),

  /** Devices that reported to this tenant's sources (batch key, feeds) without being registered. */
  unknown: permittedProcedure("fleet", "read")
    .output(z.array(ZUnknownDevice))
    .query(async ({ ctx }) => {
      const rows = await ctx.db.unknownDevice.findMany({
        where: { tenantId: ctx.tenantId },
        orderBy: { lastSeenAt: "desc" },
      });
      return rows.map((r) => ({ ...r, lastFix: (r.lastFix ?? {}) as Record<string, unknown> }));
    }),
});
