import { z } from "zod";

/**
 * Billing metrics for provider staff (issue 7 "Web": MRR/ARR and its movement per month). Money is
 * integer minor units of an ISO 4217 currency; figures of different currencies are never added up.
 * Definitions live with the computation: `mrrMovement` in packages/core/src/billing/mrr.ts.
 */

/** Most months one movement report covers. */
export const MRR_MAX_MONTHS = 36;

/** A UTC calendar month, "YYYY-MM" (month 01–12). */
export const ZUtcMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month as YYYY-MM");

/**
 * Input of `billingMetrics.mrr`: the first month ("YYYY-MM", UTC) and how many months (1–36).
 * Absent: the 12 months ending with the current one.
 */
export const ZMrrMovementRequest = z.object({
  fromMonth: ZUtcMonth.optional(),
  months: z.number().int().min(1).max(MRR_MAX_MONTHS).optional(),
});
export type MrrMovementRequest = z.input<typeof ZMrrMovementRequest>;

/**
 * One month's MRR movement in one currency (minor units). Per tenant, the MRR at the month's start
 * is compared with the MRR at its end; the identity
 * `startMrrMinor + newMinor + reactivationMinor + expansionMinor − contractionMinor − churnMinor = endMrrMinor`
 * always holds. Contraction and churn are positive amounts (what was lost).
 */
export const ZMrrMonth = z.object({
  /** "YYYY-MM" (UTC calendar month). */
  month: ZUtcMonth,
  /** ISO 4217, upper case. */
  currency: z.string().length(3),
  /** MRR at the month's first instant. */
  startMrrMinor: z.number().int(),
  /** MRR of tenants that had none at the start and never had any before. */
  newMinor: z.number().int(),
  /** Increase of tenants that had MRR at both ends. */
  expansionMinor: z.number().int(),
  /** Decrease of tenants that still have MRR at the end (positive number). */
  contractionMinor: z.number().int(),
  /** MRR at the start of tenants that have none at the end (positive number). */
  churnMinor: z.number().int(),
  /** MRR of tenants that had none at the start but had some before. */
  reactivationMinor: z.number().int(),
  /** MRR at the month's end (= the next month's start). */
  endMrrMinor: z.number().int(),
  /** Annual run rate at the month's end: endMrrMinor × 12. */
  arrMinor: z.number().int(),
  /** Tenants with MRR > 0 at the start / at the end. */
  customersStart: z.number().int(),
  customersEnd: z.number().int(),
  /** Tenants counted in newMinor / churnMinor / reactivationMinor. */
  newCustomers: z.number().int(),
  churnedCustomers: z.number().int(),
  reactivatedCustomers: z.number().int(),
});
export type MrrMonth = z.infer<typeof ZMrrMonth>;

/** Output of `billingMetrics.mrr`. */
export const ZMrrMovement = z.object({
  /** First and last month covered ("YYYY-MM", UTC). */
  fromMonth: ZUtcMonth,
  toMonth: ZUtcMonth,
  /** Every currency with an MRR change before the last month's end, sorted; each month has one row per currency. */
  currencies: z.array(z.string().length(3)),
  /** Oldest month first; within a month, by currency. */
  months: z.array(ZMrrMonth),
});
export type MrrMovement = z.infer<typeof ZMrrMovement>;

/** Current MRR of one currency from the subscriptions as Stripe last reported them. */
export const ZMrrCurrent = z.object({
  currency: z.string().length(3),
  /** Sum of the subscriptions' normalised monthly amounts (0 while trialing), minor units. */
  mrrMinor: z.number().int(),
  /** mrrMinor × 12. */
  arrMinor: z.number().int(),
  /** Tenants contributing MRR (> 0). */
  payingCustomers: z.number().int(),
  /** Subscriptions by status. */
  active: z.number().int(),
  trialing: z.number().int(),
  pastDue: z.number().int(),
});
export type MrrCurrent = z.infer<typeof ZMrrCurrent>;

/** Output of `billingMetrics.current`: one entry per currency with a live subscription, sorted. */
export const ZMrrCurrentTotals = z.object({
  asOf: z.date(),
  currencies: z.array(ZMrrCurrent),
});
export type MrrCurrentTotals = z.infer<typeof ZMrrCurrentTotals>;
