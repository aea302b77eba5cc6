import { mrrCurrent, mrrMovement } from "@fleetcore/core";
import { ZMrrCurrentTotals, ZMrrMovement, ZMrrMovementRequest } from "@fleetcore/validators";
import { providerProcedure, router } from "../trpc";

/**
 * Revenue metrics across tenants for provider staff (every staff role may read them): MRR/ARR and
 * its monthly movement (new, expansion, contraction, churn, reactivation) per currency.
 * Definitions: packages/core/src/billing/mrr.ts.
 */
export const billingMetricsRouter = router({
  /**
   * MRR movement per UTC calendar month and currency, from `fromMonth` ("YYYY-MM") for `months`
   * months (1–36); both optional (default: the 12 months ending with the current one). Amounts are
   * integer minor units; `arrMinor` = end MRR × 12. BAD_REQUEST for a bad month or count.
   */
  mrr: providerProcedure()
    .input(ZMrrMovementRequest.optional())
    .output(ZMrrMovement)
    .query(({ ctx, input }) => mrrMovement(ctx.db, input ?? {})),

  /**
   * Current MRR and ARR (minor units) per currency from the live subscriptions, with counts of
   * active, trialing and past-due subscriptions and paying tenants.
   */
  current: providerProcedure()
    .output(ZMrrCurrentTotals)
    .query(({ ctx }) => mrrCurrent(ctx.db)),
});
