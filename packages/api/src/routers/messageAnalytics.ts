import { messageAnalytics } from "@fleetcore/core";
import { ZMessageAnalytics, ZMessageAnalyticsRequest } from "@fleetcore/validators";
import { permittedProcedure, router } from "../trpc";

/** Message analytics of the caller's active tenant (messages:read). */
export const messageAnalyticsRouter = router({
  /**
   * Volume, dispatcher response (rate, median and p90 time) and delivery failures over [from, to)
   * (≤ 400 days), per time bucket in the tenant's time zone, hour of day, weekday and driver;
   * optionally for one driver (another tenant's driver id finds nothing). Definitions:
   * `messageAnalytics` in packages/core/src/messaging/analytics.ts. BAD_REQUEST for a bad period.
   */
  summary: permittedProcedure("messages", "read")
    .input(ZMessageAnalyticsRequest)
    .output(ZMessageAnalytics)
    .query(({ ctx, input }) => messageAnalytics(ctx.db, ctx.tenantId, input)),
});
