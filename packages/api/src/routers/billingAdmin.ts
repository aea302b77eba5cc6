import {
  archivePlan,
  createPlan,
  getBillingSettings,
  listPlans,
  listSubscriptions,
  reportUsage,
  syncPlanToStripe,
  updateBillingSettings,
  updatePlan,
} from "@fleetcore/core";
import {
  ZAdminSubscriptionRow,
  ZBillingPlan,
  ZBillingPlanId,
  ZBillingSettings,
  ZCreateBillingPlanRequest,
  ZListSubscriptionsRequest,
  ZUpdateBillingPlanRequest,
  ZUpdateBillingSettingsRequest,
  ZUsageReportResult,
} from "@fleetcore/validators";
import { z } from "zod";
import { providerExternalProcedure, providerProcedure, router, stripeOf } from "../trpc";

/**
 * The provider's billing admin (issue 7): plans and their Stripe catalogue, subscriptions across
 * tenants, dunning settings and usage reporting. Every staff role reads; provider admins change
 * (audited, platform-level). MRR/ARR reports are `billingMetrics`.
 */
export const billingAdminRouter = router({
  plans: router({
    /** Every plan, archived too, with Stripe ids and current subscriptions. */
    list: providerProcedure()
      .output(z.array(ZBillingPlan))
      .query(({ ctx }) => listPlans(ctx.db)),

    /** Creates a plan (not in Stripe until `syncToStripe`). CONFLICT for a taken code. */
    create: providerProcedure("admin")
      .input(ZCreateBillingPlanRequest)
      .output(ZBillingPlan)
      .mutation(({ ctx, input }) => createPlan(ctx, input)),

    /** Updates a plan; a price change bumps its version (sync again to create the new Prices). */
    update: providerProcedure("admin")
      .input(ZUpdateBillingPlanRequest)
      .output(ZBillingPlan)
      .mutation(({ ctx, input }) => updatePlan(ctx, input)),

    /** Archives a plan (no new checkouts; existing subscriptions continue). */
    archive: providerProcedure("admin")
      .input(ZBillingPlanId)
      .output(ZBillingPlan)
      .mutation(({ ctx, input }) => archivePlan(ctx, input.id)),

    /**
     * Creates or links the plan's Stripe Product and the Prices of its version (and the Billing
     * Meter, once). PRECONDITION_FAILED when billing is not configured; BAD_REQUEST with Stripe's
     * message when Stripe refuses; CONFLICT when the plan's prices changed during the sync. No
     * transaction is held while Stripe answers.
     */
    syncToStripe: providerExternalProcedure("admin")
      .input(ZBillingPlanId)
      .output(ZBillingPlan)
      .mutation(({ ctx, input }) => syncPlanToStripe(ctx.inTx, stripeOf(ctx), input.id)),
  }),

  subscriptions: router({
    /** Subscriptions across tenants, newest first (≤ 1000), optionally by status. */
    list: providerProcedure()
      .input(ZListSubscriptionsRequest)
      .output(z.array(ZAdminSubscriptionRow))
      .query(({ ctx, input }) => listSubscriptions(ctx.db, input ?? {})),
  }),

  settings: router({
    /** Dunning grace days, meter, and whether Stripe keys are set. */
    get: providerProcedure()
      .output(ZBillingSettings)
      .query(({ ctx }) => getBillingSettings(ctx.db, ctx.services.billing)),

    /** Sets the dunning grace period (days, 0–90). */
    update: providerProcedure("admin")
      .input(ZUpdateBillingSettingsRequest)
      .output(ZBillingSettings)
      .mutation(({ ctx, input }) => updateBillingSettings(ctx, ctx.services.billing, input)),
  }),

  usage: router({
    /** Runs the usage report now (what the hourly job does): meter events for complete unreported days. */
    reportNow: providerExternalProcedure("admin")
      .output(ZUsageReportResult)
      .mutation(async ({ ctx }) => {
        const result = await reportUsage(ctx.prisma, stripeOf(ctx), new Date());
        await ctx.inTx(({ audit }) =>
          audit.record({
            tenantId: null,
            entityType: "billing_usage",
            action: "billing.usage_reported",
            metadata: { eventsSent: result.eventsSent, failures: result.failures.length },
          }),
        );
        return result;
      }),
  }),
});
