import {
  bindDevice,
  createDevice,
  deleteDevice,
  listDevices,
  notifyDevicesChanged,
  unbindDevice,
  updateDevice,
} from "@fleetcore/core";
import {
  ZBindDeviceRequest,
  ZCreateDeviceRequest,
  ZDevice,
  ZDeviceIdRequest,
  ZUnknownDevice,
  ZUpdateDeviceRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

/**
 * GPS devices of the active tenant, and the unknown devices its own sources reported. Reads need
 * fleet:read, changes fleet:write; other tenants' device or vehicle ids are NOT_FOUND.
 */
/** Device changes: once committed, ingest forgets its cached device lookups (new binding applies at once). */
const deviceChange = permittedProcedure("fleet", "write").use(({ ctx, next }) => {
  ctx.afterCommit.push(notifyDevicesChanged);
  return next();
});

export const deviceRouter = router({
  /** Registered devices, by name. */
  list: permittedProcedure("fleet", "read")
    .output(z.array(ZDevice))
    .query(({ ctx }) => listDevices(ctx.db, ctx.tenantId)),

  /**
   * Registers (claims) a device by its unique id, optionally in a vehicle. CONFLICT when the id is
   * taken; re-registering one of the tenant's deleted devices restores it.
   */
  create: deviceChange
    .input(ZCreateDeviceRequest)
    .output(ZDevice)
    .mutation(({ ctx, input }) => createDevice(ctx, ctx.tenantId, input)),

  /** Renames a device or changes its status (audited). NOT_FOUND. */
  update: deviceChange
    .input(ZUpdateDeviceRequest)
    .output(ZDevice)
    .mutation(({ ctx, input }) => updateDevice(ctx, ctx.tenantId, input)),

  /** Mounts a device in a vehicle, moving it from any other (audited). NOT_FOUND for the device or vehicle. */
  bind: deviceChange
    .input(ZBindDeviceRequest)
    .output(ZDevice)
    .mutation(({ ctx, input }) => bindDevice(ctx, ctx.tenantId, input)),

  /** Takes a device out of its vehicle (audited). NOT_FOUND. */
  unbind: deviceChange
    .input(ZDeviceIdRequest)
    .output(ZDevice)
    .mutation(({ ctx, input }) => unbindDevice(ctx, ctx.tenantId, input.deviceId)),

  /** Deletes a device (soft; its positions stay, its unique id stays reserved to this tenant). NOT_FOUND. */
  delete: deviceChange
    .input(ZDeviceIdRequest)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteDevice(ctx, ctx.tenantId, input.deviceId);
      return { ok: true as const };
    }),

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
