import { explore, explorerCatalog } from "@fleetcore/core";
import { ZExploreRequest, ZExploreResult, ZExplorerCatalog } from "@fleetcore/validators";
import { providerProcedure, router } from "../trpc";

/**
 * The analyst chart explorer for provider staff (every staff role): the metric catalog and charted
 * queries over the customer-success hypertables and telemetry, across tenants. Definitions:
 * packages/core/src/analytics/explorer.ts.
 */
export const explorerRouter = router({
  /** Every chartable metric: id, label, unit, category, source, kind (count/gauge), aggregation, groupings. */
  catalog: providerProcedure()
    .output(ZExplorerCatalog)
    .query(() => [...explorerCatalog()]),

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
