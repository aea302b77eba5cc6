import {
  billingOverview,
  changePlan,
  listInvoices,
  listPeriodUsage,
  listPublicPlans,
  openBillingPortal,
  previewPlanChange,
  setCancelAtPeriodEnd,
  startCheckout,
  upcomingInvoice,
} from "@fleetcore/core";
import {
  ZBillingInvoice,
  ZBillingOverview,
  ZBillingPlanPublic,
  ZBillingUsageDay,
  ZChangePlanRequest,
  ZPlanChangePreview,
  ZPlanChoice,
  ZRedirectUrl,
  ZSetCancelAtPeriodEndRequest,
  ZStartCheckoutRequest,
  ZSubscriptionChangeResult,
  ZUpcomingInvoice,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedExternalProcedure, permittedProcedure, router, stripeOf } from "../trpc";

/** Open while the tenant is suspended for non-payment too: its owners and admins must be able to pay. */
const PAYING = { whileSuspendedForPayment: true } as const;
const read = permittedProcedure("billing", "read").meta(PAYING);
/** Calls Stripe: no transaction is held across the call (reads and the audit row use `ctx.inTx`). */
const stripeWrite = permittedExternalProcedure("billing", "write");

/**
 * The tenant's billing (issue 7; customer-portal.md §5). Reads need billing:read (owner, admin),
 * changes billing:write (owner). Stripe is the source of truth: mutations return Stripe's answer for
 * display and the local state follows its webhooks. Without STRIPE_SECRET_KEY `overview` answers
 * `configured: false` and every Stripe action fails with PRECONDITION_FAILED. Procedures that call
 * Stripe hold no database transaction while they wait for it. While the tenant is suspended for
 * non-payment, the reads stay open to owners and admins, and the Customer Portal and Checkout (a new
 * subscription once the old one has ended) to owners: the ways to pay.
 */
export const billingRouter = router({
  /** Plan, subscription, usage projection, next invoice (estimate) and payment method. */
  overview: read
    .output(ZBillingOverview)
    .query(({ ctx }) => billingOverview(ctx.db, ctx.tenantId, { configured: ctx.services.billing.stripe !== null })),

  /** Invoices, newest first, with lines (kind base/overage/proration/other). */
  invoices: read.output(z.array(ZBillingInvoice)).query(({ ctx }) => listInvoices(ctx.db, ctx.tenantId)),

  /** Public, active plans to choose from (`available`: synced to Stripe). */
  plans: read.output(z.array(ZBillingPlanPublic)).query(({ ctx }) => listPublicPlans(ctx.db)),

  /**
   * Stripe's preview of the next invoice (prorations, discounts and tax included); null without a
   * subscription. Calls Stripe (no transaction held); PRECONDITION_FAILED when billing is not configured.
   */
  upcomingInvoice: permittedExternalProcedure("billing", "read")
    .meta(PAYING)
    .output(ZUpcomingInvoice.nullable())
    .query(({ ctx }) => upcomingInvoice(ctx.inTx, stripeOf(ctx), ctx.tenantId)),

  /** The current period's daily usage rows (complete local days, oldest first). */
  usage: read.output(z.array(ZBillingUsageDay)).query(({ ctx }) => listPeriodUsage(ctx.db, ctx.tenantId)),

  /**
   * Stripe Checkout for a new subscription → `{ url }` to redirect to. CONFLICT when a subscription
   * exists (change plan instead); NOT_FOUND / BAD_REQUEST for an unknown or unavailable plan.
   */
  startCheckout: stripeWrite
    // Open while suspended for non-payment too: when the subscription has ended, subscribing again is the way back.
    .meta(PAYING)
    .input(ZStartCheckoutRequest)
    .output(ZRedirectUrl)
    .mutation(async ({ ctx, input }) => {
      const stripe = stripeOf(ctx);
      const result = await startCheckout(
        {
          prisma: ctx.prisma,
          inTx: ctx.inTx,
          stripe,
          tenantId: ctx.tenantId,
          publicUrl: ctx.services.publicUrl,
          email: ctx.session.user?.email ?? null,
        },
        input,
      );
      await ctx.inTx(({ audit }) =>
        audit.record({
          tenantId: ctx.tenantId,
          entityType: "billing_subscription",
          action: "billing.checkout_started",
          metadata: { planId: input.planId, interval: input.interval },
        }),
      );
      return result;
    }),

  /** Stripe Customer Portal (payment methods, invoices) → `{ url }`. */
  openPortal: stripeWrite
    .meta(PAYING)
    .output(ZRedirectUrl)
    .mutation(async ({ ctx }) => {
      const stripe = stripeOf(ctx);
      const result = await openBillingPortal({
        prisma: ctx.prisma,
        stripe,
        tenantId: ctx.tenantId,
        publicUrl: ctx.services.publicUrl,
        email: ctx.session.user?.email ?? null,
      });
      await ctx.inTx(({ audit }) =>
        audit.record({ tenantId: ctx.tenantId, entityType: "billing_account", action: "billing.portal_opened" }),
      );
      return result;
    }),

  /** Proration preview of a plan change (Stripe `invoices.createPreview`). billing:write. */
  previewChange: stripeWrite
    .input(ZPlanChoice)
    .output(ZPlanChangePreview)
    .query(({ ctx, input }) => previewPlanChange(ctx.inTx, stripeOf(ctx), ctx.tenantId, input)),

  /** Changes plan/interval with prorations (pass the preview's prorationDate). */
  changePlan: stripeWrite
    .input(ZChangePlanRequest)
    .output(ZSubscriptionChangeResult)
    .mutation(async ({ ctx, input }) => {
      const result = await changePlan(ctx.inTx, stripeOf(ctx), ctx.tenantId, input);
      await ctx.inTx(({ audit }) =>
        audit.record({
          tenantId: ctx.tenantId,
          entityType: "billing_subscription",
          action: "billing.plan_changed",
          after: { planId: input.planId, interval: input.interval },
        }),
      );
      return result;
    }),

  /** `{ cancel: true }` cancels at the period's end; `{ cancel: false }` undoes it. */
  setCancelAtPeriodEnd: stripeWrite
    .input(ZSetCancelAtPeriodEndRequest)
    .output(ZSubscriptionChangeResult)
    .mutation(async ({ ctx, input }) => {
      const result = await setCancelAtPeriodEnd(ctx.inTx, stripeOf(ctx), ctx.tenantId, input.cancel);
      await ctx.inTx(({ audit }) =>
        audit.record({
          tenantId: ctx.tenantId,
          entityType: "billing_subscription",
          action: input.cancel ? "billing.cancel_scheduled" : "billing.cancel_undone",
          after: { cancelAtPeriodEnd: input.cancel },
        }),
      );
      return result;
    }),
});
