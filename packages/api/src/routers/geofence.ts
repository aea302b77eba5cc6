import {
  createGeofence,
  deleteGeofence,
  getGeofence,
  listGeofences,
  notifyGeofencesChanged,
  updateGeofence,
} from "@fleetcore/core";
import {
  ZCreateGeofenceRequest,
  ZGeofence,
  ZGeofenceIdRequest,
  ZListGeofencesRequest,
  ZUpdateGeofenceRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

const ZOk = z.object({ ok: z.literal(true) });

/**
 * Geofences of the caller's active tenant: reads need fleet:read, changes fleet:write. Once a
 * change commits, `notifyGeofencesChanged` tells this process's rules engine to reload the tenant's
 * geofences. Ids of other tenants' (or deleted) geofences are NOT_FOUND, like unknown ones.
 */
export const geofenceRouter = router({
  /** The tenant's live geofences by name; inactive ones too with `includeInactive`. */
  list: permittedProcedure("fleet", "read")
    .input(ZListGeofencesRequest)
    .output(z.array(ZGeofence))
    .query(({ ctx, input }) => listGeofences(ctx.db, ctx.tenantId, input)),

  /** One geofence. NOT_FOUND for an unknown id or another tenant's. */
  get: permittedProcedure("fleet", "read")
    .input(ZGeofenceIdRequest)
    .output(ZGeofence)
    .query(({ ctx, input }) => getGeofence(ctx.db, ctx.tenantId, input.geofenceId)),

  /** Creates a geofence (audited). BAD_REQUEST for an invalid shape (with the reason), CONFLICT for a taken name. */
  create: permittedProcedure("fleet", "write")
    .input(ZCreateGeofenceRequest)
    .output(ZGeofence)
    .mutation(async ({ ctx, input }) => {
      const geofence = await createGeofence(ctx, ctx.tenantId, input);
      ctx.afterCommit.push(() => notifyGeofencesChanged(ctx.tenantId));
      return geofence;
    }),

  /** Edits the given fields, shape included (audited field by field). NOT_FOUND, BAD_REQUEST, CONFLICT (name). */
  update: permittedProcedure("fleet", "write")
    .input(ZUpdateGeofenceRequest)
    .output(ZGeofence)
    .mutation(async ({ ctx, input }) => {
      const geofence = await updateGeofence(ctx, ctx.tenantId, input);
      ctx.afterCommit.push(() => notifyGeofencesChanged(ctx.tenantId));
      return geofence;
    }),

  /** Deletes a geofence (soft: events keep naming it). NOT_FOUND. */
  delete: permittedProcedure("fleet", "write")
    .input(ZGeofenceIdRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await deleteGeofence(ctx, ctx.tenantId, input.geofenceId);
      ctx.afterCommit.push(() => notifyGeofencesChanged(ctx.tenantId));
      return { ok: true as const };
    }),
});
