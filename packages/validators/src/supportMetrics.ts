import { z } from "zod";

/**
 * Support metrics (issue 6): tickets opened/resolved/closed per period, backlog, median first response
 * and resolution times, SLA attainment, CSAT and NPS — per time bucket, per tenant and overall.
 * Definitions live with the computation: `supportMetrics` in packages/core/src/support/metrics.ts.
 */

/** The longest period one request may cover, days. */
export const SUPPORT_METRICS_MAX_DAYS = 800;

/** Bucket sizes, in the requested time zone (a "week" starts on Monday at local midnight). */
export const SUPPORT_METRICS_BUCKETS = ["day", "week", "month"] as const;
export const ZSupportMetricsBucket = z.enum(SUPPORT_METRICS_BUCKETS);
export type SupportMetricsBucket = z.infer<typeof ZSupportMetricsBucket>;

/**
 * Input of `supportMetrics.summary`: the period [from, to), an optional bucket size (from the period's
 * length when absent), an optional tenant and an optional IANA time zone for bucket boundaries
 * (default: the support team's business calendar zone).
 */
export const ZSupportMetricsRequest = z
  .object({
    from: z.coerce.date<Date | string>(),
    to: z.coerce.date<Date | string>(),
    bucket: ZSupportMetricsBucket.optional(),
    tenantId: z.uuid().optional(),
    timezone: z.string().min(1).max(64).optional(),
  })
  .refine((r) => r.from < r.to, { path: ["to"], message: "the period must end after it starts" })
  .refine((r) => r.to.getTime() - r.from.getTime() <= SUPPORT_METRICS_MAX_DAYS * 86_400_000, {
    path: ["to"],
    message: `the period may cover at most ${SUPPORT_METRICS_MAX_DAYS} days`,
  });
export type SupportMetricsRequest = z.input<typeof ZSupportMetricsRequest>;

/**
 * Figures of one group of tickets and feedback. Times are minutes on each ticket's SLA clock
 * (business minutes under a business-hours policy). Rates and averages are null when nothing was
 * measured in the group (a gap, not a zero).
 */
export const ZSupportStats = z.object({
  /** Tickets created. */
  opened: z.number().int(),
  /** Tickets whose (latest) resolution falls in the group. */
  resolved: z.number().int(),
  /** Tickets closed. */
  closed: z.number().int(),
  /** Tickets neither resolved nor closed at the group's end (bucket end, or now): open + in progress + awaiting customer. */
  backlog: z.number().int(),
  medianFirstResponseMinutes: z.number().nullable(),
  medianResolutionMinutes: z.number().nullable(),
  /** SLA targets (first response + resolution) that were met or breached in the group. */
  slaTargets: z.number().int(),
  /** Of those, met. */
  slaMet: z.number().int(),
  /** slaMet / slaTargets, percent. */
  slaAttainmentPct: z.number().nullable(),
  csatResponses: z.number().int(),
  /** Mean CSAT rating, 1–5. */
  csatAverage: z.number().nullable(),
  /** Share of CSAT ratings of 4 or 5, percent (the usual "CSAT score"). */
  csatSatisfiedPct: z.number().nullable(),
  npsResponses: z.number().int(),
  /** Net Promoter Score, −100…100: % promoters (9–10) − % detractors (0–6). */
  nps: z.number().nullable(),
});
export type SupportStats = z.infer<typeof ZSupportStats>;

export const ZSupportMetrics = z.object({
  bucket: ZSupportMetricsBucket,
  timezone: z.string(),
  /** One entry per bucket of the period, oldest first, including empty ones. */
  buckets: z.array(ZSupportStats.extend({ start: z.date() })),
  /** Per tenant over the whole period (tenants with any ticket or feedback), by name. */
  tenants: z.array(ZSupportStats.extend({ tenantId: z.uuid(), tenantName: z.string() })),
  /** The whole period. */
  total: ZSupportStats,
});
export type SupportMetrics = z.infer<typeof ZSupportMetrics>;
