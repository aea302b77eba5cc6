import { supportMetrics } from "@fleetcore/core";
import { ZSupportMetrics, ZSupportMetricsRequest } from "@fleetcore/validators";
import { providerProcedure, router } from "../trpc";

/**
 * Support metrics across tenants for provider staff (every staff role may read them): tickets
 * opened/resolved/closed, backlog, median first response and resolution, SLA attainment, CSAT and
 * NPS, per bucket, per tenant and overall. Definitions: packages/core/src/support/metrics.ts.
 */
export const supportMetricsRouter = router({
  /** The period's figures; BAD_REQUEST for a period over 800 days or an unknown time zone. */
  summary: providerProcedure()
    .input(ZSupportMetricsRequest)
    .output(ZSupportMetrics)
    .query(({ ctx, input }) => supportMetrics(ctx.db, input)),
});
