import { z } from "zod";
import { ZCurrency } from "./crm";

/**
 * Billing with Stripe (issue 7): plans, the tenant's subscription, daily usage, invoices, payment
 * methods, checkout/portal redirects, plan changes and the provider's billing admin.
 *
 * Money is always integer minor units of an ISO 4217 currency (`…Minor` + `currency`), never a
 * float; figures of different currencies are never added up. Times are Dates (superjson carries
 * them); calendar days are "YYYY-MM-DD" strings in the tenant's time zone.
 * Definitions live with the computations in packages/core/src/billing/*.
 */

/** A price in minor units (cents for USD/EUR): a non-negative integer that fits Stripe's `unit_amount`. */
export const ZPriceMinor = z.number().int().min(0).max(99_999_999);

/** A calendar day "YYYY-MM-DD". */
export const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day as YYYY-MM-DD");

/** Billing intervals of a plan's licensed price (Stripe `recurring.interval`). */
export const BILLING_INTERVALS = ["month", "year"] as const;
export const ZBillingInterval = z.enum(BILLING_INTERVALS);
export type BillingInterval = z.infer<typeof ZBillingInterval>;

/** Stripe's subscription statuses, mirrored as-is (Stripe API reference: Subscription.status). */
export const SUBSCRIPTION_STATUSES = [
  "incomplete",
  "incomplete_expired",
  "trialing",
  "active",
  "past_due",
  "canceled",
  "unpaid",
  "paused",
] as const;
export const ZSubscriptionStatus = z.enum(SUBSCRIPTION_STATUSES);
export type SubscriptionStatus = z.infer<typeof ZSubscriptionStatus>;

/** Stripe's invoice statuses (Stripe API reference: Invoice.status). */
export const INVOICE_STATUSES = ["draft", "open", "paid", "uncollectible", "void"] as const;
export const ZInvoiceStatus = z.enum(INVOICE_STATUSES);
export type InvoiceStatus = z.infer<typeof ZInvoiceStatus>;

/** What an invoice line bills: the plan's base price, vehicle overage, a proration, anything else. */
export const INVOICE_LINE_KINDS = ["base", "overage", "proration", "other"] as const;
export const ZInvoiceLineKind = z.enum(INVOICE_LINE_KINDS);
export type InvoiceLineKind = z.infer<typeof ZInvoiceLineKind>;

/** Plan code: lower-case letters, digits and dashes (prefix of its Stripe Prices' lookup keys). */
export const ZPlanCode = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "use 2–63 lower-case letters, digits and dashes");

/** A plan's feature flags and limits, e.g. `{ "whatsapp": true, "retentionDays": 365 }`. */
export const ZPlanFeatures = z.record(z.string(), z.union([z.boolean(), z.number(), z.string()]));
export type PlanFeatures = z.infer<typeof ZPlanFeatures>;

// ---------------------------------------------------------------------------------------------
// Plans
// ---------------------------------------------------------------------------------------------

/**
 * A plan as tenants see it (`billing.plans`, `billing.overview.plan`). `overagePerVehicleMinor` is
 * per active vehicle above `includedVehicles`, per month (billed per vehicle-day: /30 per day).
 * `available`: synced to Stripe and active — a checkout can start with it.
 */
export const ZBillingPlanPublic = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  currency: z.string().length(3),
  monthlyPriceMinor: z.number().int(),
  /** null: no yearly option. */
  yearlyPriceMinor: z.number().int().nullable(),
  includedVehicles: z.number().int(),
  includedDrivers: z.number().int(),
  overagePerVehicleMinor: z.number().int(),
  features: ZPlanFeatures,
  version: z.number().int(),
  available: z.boolean(),
});
export type BillingPlanPublic = z.infer<typeof ZBillingPlanPublic>;

/** A plan as provider staff see it (`billingAdmin.plans.*`): everything, Stripe ids included. */
export const ZBillingPlan = ZBillingPlanPublic.extend({
  isActive: z.boolean(),
  isPublic: z.boolean(),
  stripeProductId: z.string().nullable(),
  stripeMonthlyPriceId: z.string().nullable(),
  stripeYearlyPriceId: z.string().nullable(),
  stripeOveragePriceId: z.string().nullable(),
  /** Every price of the current version exists in Stripe (false after a price change until synced). */
  syncedToStripe: z.boolean(),
  /** Subscriptions not ended on this plan (any version). */
  activeSubscriptions: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type BillingPlan = z.infer<typeof ZBillingPlan>;

/** Input of `billingAdmin.plans.create`. Code and currency cannot change afterwards. */
export const ZCreateBillingPlanRequest = z.object({
  code: ZPlanCode,
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(1000).nullable().optional(),
  currency: ZCurrency,
  monthlyPriceMinor: ZPriceMinor,
  yearlyPriceMinor: ZPriceMinor.nullable().optional(),
  includedVehicles: z.number().int().min(0).max(1_000_000),
  includedDrivers: z.number().int().min(0).max(1_000_000),
  overagePerVehicleMinor: ZPriceMinor,
  features: ZPlanFeatures.optional(),
  isPublic: z.boolean().optional(),
});
export type CreateBillingPlanRequest = z.input<typeof ZCreateBillingPlanRequest>;

/**
 * Input of `billingAdmin.plans.update`: the fields to change. Changing a price (monthly, yearly or
 * overage) bumps the plan's `version`: new Stripe Prices are created at the next sync (Stripe Prices
 * are immutable) and existing subscriptions keep the prices they were sold.
 */
export const ZUpdateBillingPlanRequest = z.object({
  id: z.uuid(),
  name: z.string().trim().min(1).max(100).optional(),
  description: z.string().trim().max(1000).nullable().optional(),
  monthlyPriceMinor: ZPriceMinor.optional(),
  yearlyPriceMinor: ZPriceMinor.nullable().optional(),
  includedVehicles: z.number().int().min(0).max(1_000_000).optional(),
  includedDrivers: z.number().int().min(0).max(1_000_000).optional(),
  overagePerVehicleMinor: ZPriceMinor.optional(),
  features: ZPlanFeatures.optional(),
  isPublic: z.boolean().optional(),
  isActive: z.boolean().optional(),
});
export type UpdateBillingPlanRequest = z.input<typeof ZUpdateBillingPlanRequest>;

/** `{ id }` of a plan (archive, syncToStripe). */
export const ZBillingPlanId = z.object({ id: z.uuid() });

// ---------------------------------------------------------------------------------------------
// Tenant: overview, usage, invoices
// ---------------------------------------------------------------------------------------------

/** The tenant's current subscription, as Stripe last told us (webhooks). */
export const ZBillingSubscription = z.object({
  status: ZSubscriptionStatus,
  interval: ZBillingInterval,
  planId: z.uuid().nullable(),
  planVersion: z.number().int().nullable(),
  currentPeriodStart: z.date().nullable(),
  currentPeriodEnd: z.date().nullable(),
  cancelAtPeriodEnd: z.boolean(),
  canceledAt: z.date().nullable(),
  trialEnd: z.date().nullable(),
  /** Since when payment has failed (dunning clock); null when paid up. */
  pastDueSince: z.date().nullable(),
  /** When the tenant will be suspended if still unpaid (pastDueSince + grace days); null when paid up. */
  suspendsAt: z.date().nullable(),
  /** Recurring amount per month, minor units (yearly / 12, rounded half-up; 0 while trialing). */
  mrrMinor: z.number().int(),
  currency: z.string().length(3),
  /**
   * The base price per interval as sold, minor units: the subscription keeps its plan version's
   * prices when the plan's prices change (`planVersion` < the plan's `version`). Null: unknown.
   */
  baseAmountMinor: z.number().int().nullable(),
  /** The overage price as sold, minor units per vehicle-day (Stripe's unit_amount_decimal, ≤ 12 decimals). */
  overageUnitAmountDecimal: z.string().nullable(),
});
export type BillingSubscription = z.infer<typeof ZBillingSubscription>;

/**
 * Usage of the current billing period and its projected charge (before Stripe's invoice exists).
 * overageVehicleDays = Σ over the period's days of max(0, active vehicles − included), today's
 * partial count included; projectedOverageMinor = round(overageVehicleDays × the subscription's
 * per-vehicle-day overage price) (Stripe's arithmetic for the metered price, rounded once);
 * projectedTotalMinor = the subscription's base price per interval + projectedOverageMinor (before
 * tax/discounts). Prices are those the subscription was sold at, not the plan's current ones.
 */
export const ZBillingUsageSummary = z.object({
  periodStart: z.date(),
  periodEnd: z.date(),
  activeVehiclesToday: z.number().int(),
  includedVehicles: z.number().int(),
  overageVehicleDays: z.number().int(),
  projectedOverageMinor: z.number().int(),
  projectedTotalMinor: z.number().int(),
  currency: z.string().length(3),
});
export type BillingUsageSummary = z.infer<typeof ZBillingUsageSummary>;

/** The next invoice, estimated locally: at the period's end, for projectedTotalMinor. */
export const ZNextInvoice = z.object({
  date: z.date(),
  amountDueMinor: z.number().int(),
  currency: z.string().length(3),
});
export type NextInvoice = z.infer<typeof ZNextInvoice>;

/** The default payment method's display data (never a card number). */
export const ZBillingPaymentMethod = z.object({
  /** card, sepa_debit, us_bank_account… (Stripe PaymentMethod.type). */
  type: z.string(),
  /** Card brand (visa, mastercard, amex…) or bank name; null when Stripe gives none. */
  brand: z.string().nullable(),
  last4: z.string().nullable(),
  expMonth: z.number().int().nullable(),
  expYear: z.number().int().nullable(),
});
export type BillingPaymentMethod = z.infer<typeof ZBillingPaymentMethod>;

/**
 * Output of `billing.overview`. `configured: false` (no STRIPE_SECRET_KEY on the server): every
 * other field is null and billing mutations fail with PRECONDITION_FAILED. With billing configured,
 * a tenant without a subscription gets `subscription: null` (and plan/usage/nextInvoice null).
 */
export const ZBillingOverview = z.object({
  configured: z.boolean(),
  plan: ZBillingPlanPublic.nullable(),
  subscription: ZBillingSubscription.nullable(),
  usage: ZBillingUsageSummary.nullable(),
  nextInvoice: ZNextInvoice.nullable(),
  paymentMethod: ZBillingPaymentMethod.nullable(),
});
export type BillingOverview = z.infer<typeof ZBillingOverview>;

/** One day of usage (`billing.usage`): the tenant's local calendar day. */
export const ZBillingUsageDay = z.object({
  day: ZDay,
  activeVehicles: z.number().int(),
  activeDrivers: z.number().int(),
  positions: z.number().int(),
  messages: z.number().int(),
  /** Active vehicles above the plan's included amount (what is reported to Stripe). */
  overageVehicles: z.number().int(),
  /** When it was reported to Stripe's Billing Meter; null: not yet (today, or pending). */
  reportedAt: z.date().nullable(),
});
export type BillingUsageDay = z.infer<typeof ZBillingUsageDay>;

/** One invoice line. */
export const ZBillingInvoiceLine = z.object({
  description: z.string().nullable(),
  amountMinor: z.number().int(),
  kind: ZInvoiceLineKind,
  quantity: z.number().int().nullable(),
});
export type BillingInvoiceLine = z.infer<typeof ZBillingInvoiceLine>;

/** One invoice (`billing.invoices`), newest first. URLs are Stripe's hosted page and PDF. */
export const ZBillingInvoice = z.object({
  id: z.uuid(),
  number: z.string().nullable(),
  status: ZInvoiceStatus,
  issuedAt: z.date(),
  periodStart: z.date().nullable(),
  periodEnd: z.date().nullable(),
  totalMinor: z.number().int(),
  /** Taken off by coupons / promotion codes (already deducted from totalMinor), minor units. */
  discountMinor: z.number().int(),
  amountDueMinor: z.number().int(),
  amountPaidMinor: z.number().int(),
  currency: z.string().length(3),
  hostedInvoiceUrl: z.string().nullable(),
  invoicePdfUrl: z.string().nullable(),
  lines: z.array(ZBillingInvoiceLine),
});
export type BillingInvoice = z.infer<typeof ZBillingInvoice>;

// ---------------------------------------------------------------------------------------------
// Tenant: checkout, portal, plan changes
// ---------------------------------------------------------------------------------------------

/** A plan and interval to subscribe to or change to. */
export const ZPlanChoice = z.object({ planId: z.uuid(), interval: ZBillingInterval });
export type PlanChoice = z.infer<typeof ZPlanChoice>;

/**
 * Input of `billing.startCheckout`: the plan choice and a client-made request id (a UUID the page
 * makes once per plan choice and sends again on a repeated click or a retry): the Checkout Session's
 * idempotency key, so a double click opens one session.
 */
export const ZStartCheckoutRequest = ZPlanChoice.extend({ clientRequestId: z.uuid() });
export type StartCheckoutRequest = z.infer<typeof ZStartCheckoutRequest>;

/** A Stripe-hosted page to send the browser to (Checkout, Customer Portal). */
export const ZRedirectUrl = z.object({ url: z.string() });
export type RedirectUrl = z.infer<typeof ZRedirectUrl>;

/**
 * Output of `billing.previewChange` (Stripe `invoices.createPreview`): what the tenant would be
 * invoiced now-ish for switching. `prorationMinor` = Σ proration lines (negative: credit);
 * pass `prorationDate` back to `billing.changePlan` so the change bills exactly what was shown.
 */
export const ZPlanChangePreview = z.object({
  amountDueMinor: z.number().int(),
  currency: z.string().length(3),
  prorationMinor: z.number().int(),
  prorationDate: z.date(),
  lines: z.array(z.object({ description: z.string().nullable(), amountMinor: z.number().int() })),
});
export type PlanChangePreview = z.infer<typeof ZPlanChangePreview>;

/**
 * Stripe's preview of the tenant's next invoice (`billing.upcomingInvoice`): the subscription as it
 * stands — next period's plan price, the metered overage reported so far, pending prorations,
 * discounts and tax — due on `date` (the current period's end). Minor units.
 */
export const ZUpcomingInvoice = z.object({
  date: z.date().nullable(),
  subtotalMinor: z.number().int(),
  discountMinor: z.number().int(),
  taxMinor: z.number().int(),
  amountDueMinor: z.number().int(),
  currency: z.string().length(3),
  lines: z.array(z.object({ description: z.string().nullable(), amountMinor: z.number().int() })),
});
export type UpcomingInvoice = z.infer<typeof ZUpcomingInvoice>;

/** Input of `billing.changePlan`: the preview's `prorationDate` (≤ 1 hour old), or now when absent. */
export const ZChangePlanRequest = ZPlanChoice.extend({ prorationDate: z.coerce.date<Date | string>().optional() });
export type ChangePlanRequest = z.input<typeof ZChangePlanRequest>;

/** Input of `billing.setCancelAtPeriodEnd`: true cancels at the period's end, false undoes it. */
export const ZSetCancelAtPeriodEndRequest = z.object({ cancel: z.boolean() });

/**
 * What Stripe answered to a subscription change (for display only: local state follows the
 * webhooks that Stripe sends for the change).
 */
export const ZSubscriptionChangeResult = z.object({
  status: ZSubscriptionStatus,
  cancelAtPeriodEnd: z.boolean(),
  currentPeriodEnd: z.date().nullable(),
  planId: z.uuid().nullable(),
  interval: ZBillingInterval,
});
export type SubscriptionChangeResult = z.infer<typeof ZSubscriptionChangeResult>;

// ---------------------------------------------------------------------------------------------
// Provider: subscriptions, settings, usage reporting
// ---------------------------------------------------------------------------------------------

/** Input of `billingAdmin.subscriptions.list`. */
export const ZListSubscriptionsRequest = z.object({ status: ZSubscriptionStatus.optional() }).optional();

/** A row of `billingAdmin.subscriptions.list` (newest first). */
export const ZAdminSubscriptionRow = z.object({
  tenantId: z.uuid(),
  tenantName: z.string(),
  planId: z.uuid().nullable(),
  planName: z.string().nullable(),
  status: ZSubscriptionStatus,
  interval: ZBillingInterval,
  mrrMinor: z.number().int(),
  currency: z.string().length(3),
  currentPeriodEnd: z.date().nullable(),
  cancelAtPeriodEnd: z.boolean(),
  pastDueSince: z.date().nullable(),
  stripeSubscriptionId: z.string(),
});
export type AdminSubscriptionRow = z.infer<typeof ZAdminSubscriptionRow>;

/** Billing settings (`billingAdmin.settings.get/update`). */
export const ZBillingSettings = z.object({
  /** Days after the first failed payment before the tenant is suspended (0–90). */
  dunningGraceDays: z.number().int().min(0).max(90),
  /** The Billing Meter's event name. */
  meterEventName: z.string(),
  stripeMeterId: z.string().nullable(),
  /** Whether the server has STRIPE_SECRET_KEY. */
  configured: z.boolean(),
  /** Whether the server has STRIPE_WEBHOOK_SECRET (webhooks are refused without it). */
  webhooksConfigured: z.boolean(),
});
export type BillingSettings = z.infer<typeof ZBillingSettings>;

/** Input of `billingAdmin.settings.update`. */
export const ZUpdateBillingSettingsRequest = z.object({ dunningGraceDays: z.number().int().min(0).max(90) });

/** Output of `billingAdmin.usage.reportNow` (and of the hourly job). */
export const ZUsageReportResult = z.object({
  /** Subscribed tenants looked at. */
  tenants: z.number().int(),
  /** Days whose usage was (re)computed. */
  daysComputed: z.number().int(),
  /** Meter events sent to Stripe now. */
  eventsSent: z.number().int(),
  failures: z.array(z.object({ tenantId: z.uuid(), message: z.string() })),
});
export type UsageReportResult = z.infer<typeof ZUsageReportResult>;
