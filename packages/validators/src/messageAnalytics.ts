import { z } from "zod";

/**
 * Message analytics (customer-portal spec §4, "Communication Analytics"): volume, dispatcher response
 * and delivery failures of a tenant's driver messages (msg_messages), per time bucket, per hour of day,
 * per weekday and per driver. Definitions live with the computation: `messageAnalytics` in
 * packages/core/src/messaging/analytics.ts.
 */

/** The longest period one request may cover, days. */
export const MESSAGE_ANALYTICS_MAX_DAYS = 400;

/** Bucket sizes, in the tenant's time zone (a "day" starts at local midnight, a "week" on Monday). */
export const MESSAGE_ANALYTICS_BUCKETS = ["hour", "day", "week", "month"] as const;
export const ZMessageAnalyticsBucket = z.enum(MESSAGE_ANALYTICS_BUCKETS);
export type MessageAnalyticsBucket = z.infer<typeof ZMessageAnalyticsBucket>;

/**
 * Input of `messageAnalytics.summary`: the period [from, to) (Dates or ISO 8601 strings, at most
 * {@link MESSAGE_ANALYTICS_MAX_DAYS} days), an optional bucket size (chosen from the period's length
 * when absent) and an optional driver.
 */
export const ZMessageAnalyticsRequest = z
  .object({
    from: z.coerce.date<Date | string>(),
    to: z.coerce.date<Date | string>(),
    bucket: ZMessageAnalyticsBucket.optional(),
    driverId: z.uuid().optional(),
  })
  .refine((r) => r.from < r.to, { path: ["to"], message: "the period must end after it starts" })
  .refine((r) => r.to.getTime() - r.from.getTime() <= MESSAGE_ANALYTICS_MAX_DAYS * 86_400_000, {
    path: ["to"],
    message: `the period may cover at most ${MESSAGE_ANALYTICS_MAX_DAYS} days`,
  });
export type MessageAnalyticsRequest = z.input<typeof ZMessageAnalyticsRequest>;

/**
 * Counts, rates (0–1) and response times (seconds) of one group of messages. Rates and times are
 * null when their denominator is empty (no thread, no answered thread, no delivery attempt).
 */
export const ZMessageStats = z.object({
  /** Outbound messages, blocked ones excluded (queued, sent, delivered, read, failed). */
  sent: z.number().int(),
  /** Inbound messages (from drivers). */
  received: z.number().int(),
  /** Driver threads that started in the group (see `messageAnalytics` for the definition). */
  threads: z.number().int(),
  /** Threads a dispatcher answered within 24 hours. */
  answered: z.number().int(),
  /** answered / threads. */
  responseRate: z.number().nullable(),
  /** Median time from a thread's first message to its answer, seconds (answered threads only). */
  medianResponseS: z.number().nullable(),
  /** 90th percentile of the same, seconds. */
  p90ResponseS: z.number().nullable(),
  /** Outbound messages handed to the transport: sent, delivered, read or failed (not queued, not blocked). */
  deliveryAttempts: z.number().int(),
  /** Outbound messages whose delivery failed. */
  failed: z.number().int(),
  /** failed / deliveryAttempts. */
  failureRate: z.number().nullable(),
});
export type MessageStats = z.infer<typeof ZMessageStats>;

/** Messages by local hour of day or by weekday: sent and received as in {@link ZMessageStats}. */
const ZMessageVolume = z.object({
  sent: z.number().int(),
  received: z.number().int(),
  /** sent + received. */
  total: z.number().int(),
});

/** Output of `messageAnalytics.summary`. */
export const ZMessageAnalytics = z.object({
  from: z.date(),
  to: z.date(),
  /** The bucket size used (the one asked for, widened when it would make too many buckets). */
  bucket: ZMessageAnalyticsBucket,
  /** IANA time zone of buckets, hours and weekdays: the tenant's (UTC when it has none usable). */
  timezone: z.string(),
  driverId: z.uuid().nullable(),
  /** The whole period. */
  totals: ZMessageStats,
  /**
   * Every bucket overlapping [from, to), in time order, empty ones included (counts 0, rates null).
   * `start` is the bucket's local start as an instant; the first and last buckets may be partial.
   */
  buckets: z.array(ZMessageStats.extend({ start: z.date() })),
  /** 24 rows, hour 0–23 of the tenant's local time. */
  hours: z.array(ZMessageVolume.extend({ hour: z.number().int().min(0).max(23) })),
  /** 7 rows, ISO weekday 1 (Monday) – 7 (Sunday), local time. */
  weekdays: z.array(ZMessageVolume.extend({ isoWeekday: z.number().int().min(1).max(7) })),
  /** Drivers with at least one message in the period, busiest first. */
  drivers: z.array(ZMessageStats.extend({ driverId: z.uuid(), driverName: z.string() })),
});
export type MessageAnalytics = z.infer<typeof ZMessageAnalytics>;
