import { explore } from "@fleetcore/core";
import { ZExploreRequest, ZExploreResult } from "@fleetcore/validators";
import { providerProcedure, router } from "../trpc";

/**
 * The analyst chart explorer for provider staff (every staff role): charted queries over the
 * customer-success hypertables and telemetry, across tenants (the metric catalog is
 * EXPLORER_METRICS in @fleetcore/validators, which the web app imports directly). Definitions:
 * packages/core/src/analytics/explorer.ts.
 */
export const explorerRouter = router({
  /**
   * Series per (metric, group) over time buckets, optionally with the previous period aligned, and
   * totals. BAD_REQUEST for an unknown metric, a bad period (≤ 1100 days), an unknown time zone, or
   * vehicle/driver grouping without exactly one tenant or with a metric that has no telemetry.
   */
  query: providerProcedure()
    .input(ZExploreRequest)
    .output(ZExploreResult)
    .query(({ ctx, input }) => explore(ctx.db, input)),
});
