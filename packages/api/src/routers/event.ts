import {
  acknowledgeVehicleEvent,
  DomainError,
  getEventRules,
  listVehicleEvents,
  notifyEventRulesChanged,
  updateEventRules,
} from "@fleetcore/core";
import {
  ZEventIdRequest,
  ZEventRules,
  ZListVehicleEventsRequest,
  ZUpdateEventRulesRequest,
  ZVehicleEvent,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

/**
 * Vehicle events of the caller's tenant (tel_events): those Fleetcore derives from positions
 * (overspeed, idle, geofence enter/exit, device offline/online), Samsara's and Traccar's. Reads need
 * events:read (wall displays have it), acknowledging events:acknowledge, rule settings settings:write.
 */
export const eventRouter = router({
  /** Events newest first, filtered by type, severity, vehicle, driver, unacknowledged; `before` pages back. */
  list: permittedProcedure("events", "read")
    .input(ZListVehicleEventsRequest)
    .output(z.array(ZVehicleEvent))
    .query(async ({ ctx, input }) =>
      (await listVehicleEvents(ctx.db, ctx.tenantId, input)).map(({ tenantId: _, ...e }) => e),
    ),

  /**
   * Acknowledges an event (who and when; a second acknowledgement keeps the first) and, after
   * commit, publishes it again on `/live` so every open feed shows it acknowledged. NOT_FOUND for an
   * unknown id or another tenant's.
   */
  acknowledge: permittedProcedure("events", "acknowledge")
    .input(ZEventIdRequest)
    .output(ZVehicleEvent)
    .mutation(async ({ ctx, input }) => {
      const event = await acknowledgeVehicleEvent(ctx.db, ctx.tenantId, input.eventId, ctx.session.user?.id ?? null);
      if (!event) throw new DomainError("not_found", "event not found");
      await ctx.audit.record({
        tenantId: ctx.tenantId,
        entityType: "vehicle_event",
        entityId: event.id,
        action: "vehicle_event.acknowledged",
        after: { type: event.type, acknowledgedAt: event.acknowledgedAt },
      });
      ctx.afterCommit.push(() => ctx.services.feed.publishFeed({ events: [event] }));
      const { tenantId: _, ...dto } = event;
      return dto;
    }),

  /** The tenant's rule settings (speed limit, overspeed duration, idle time, offline events). */
  rules: permittedProcedure("events", "read")
    .output(ZEventRules)
    .query(({ ctx }) => getEventRules(ctx.db, ctx.tenantId)),

  /** Saves rule settings (audited); the rules engine applies them at once. BAD_REQUEST out of range. */
  updateRules: permittedProcedure("settings", "write")
    .input(ZUpdateEventRulesRequest)
    .output(ZEventRules)
    .mutation(async ({ ctx, input }) => {
      const rules = await updateEventRules(ctx, ctx.tenantId, input);
      ctx.afterCommit.push(() => notifyEventRulesChanged(ctx.tenantId));
      return rules;
    }),
});
