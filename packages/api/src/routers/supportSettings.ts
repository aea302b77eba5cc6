import { getSupportSettings, updateBusinessCalendar, updateSlaPolicy } from "@fleetcore/core";
import { ZBusinessCalendar, ZSlaPolicy, ZSupportSettings } from "@fleetcore/validators";
import { providerProcedure, router } from "../trpc";

/**
 * The support desk's SLA policies (per priority) and business calendar. Every staff role reads them;
 * provider admins change them (audited, platform-level). Changes apply to tickets created or
 * re-prioritised afterwards.
 */
export const supportSettingsRouter = router({
  /** Policies (urgent first) and the calendar. */
  get: providerProcedure()
    .output(ZSupportSettings)
    .query(({ ctx }) => getSupportSettings(ctx.db)),

  /** Sets one priority's targets, minutes. Admins. BAD_REQUEST when first response exceeds resolution. */
  updatePolicy: providerProcedure("admin")
    .input(ZSlaPolicy)
    .output(ZSlaPolicy)
    .mutation(({ ctx, input }) => updateSlaPolicy(ctx, input)),

  /** Replaces the business calendar (IANA zone, workdays, hours, holidays). Admins. BAD_REQUEST. */
  updateCalendar: providerProcedure("admin")
    .input(ZBusinessCalendar)
    .output(ZBusinessCalendar)
    .mutation(({ ctx, input }) => updateBusinessCalendar(ctx, input)),
});
