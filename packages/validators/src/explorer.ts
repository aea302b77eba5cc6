import { z } from "zod";
import { isValidTimeZone } from "./timeZones";

/**
 * The analyst chart explorer (issue 8, "Analyst chart explorer"): a catalog of metrics over the
 * customer-success hypertables and telemetry, and one query shape — metrics × group × time buckets,
 * optionally compared with the preceding period. The SQL behind each metric lives in
 * packages/core/src/analytics/explorer.ts; this file holds what the web app and the API share.
 */

/** Where a metric's rows come from (each source is read with one SQL statement per query). */
export const EXPLORER_SOURCES = ["activity", "fleet_hourly", "health"] as const;
/** A metric's source table: daily activity, the hourly fleet rollup, or daily health scores. */
export type ExplorerSource = (typeof EXPLORER_SOURCES)[number];

/** How the explorer groups series. `vehicle` and `driver` read telemetry (tel_positions) of one tenant. */
export const EXPLORER_GROUP_BYS = ["none", "tenant", "plan", "segment", "vehicle", "driver"] as const;
/** Validates a grouping. */
export const ZExplorerGroupBy = z.enum(EXPLORER_GROUP_BYS);
/** A grouping of series. */
export type ExplorerGroupBy = z.infer<typeof ZExplorerGroupBy>;

/** Bucket sizes; `auto` picks one from the period (≤ {@link EXPLORER_MAX_POINTS} points per series). */
export const EXPLORER_BUCKETS = ["auto", "hour", "day", "week", "month"] as const;
/** Validates a bucket choice. */
export const ZExplorerBucketChoice = z.enum(EXPLORER_BUCKETS);
/** A bucket choice, `auto` included. */
export type ExplorerBucketChoice = z.infer<typeof ZExplorerBucketChoice>;
/** A concrete bucket size (what a query used). */
export type ExplorerBucket = Exclude<ExplorerBucketChoice, "auto">;

/** Most points one series holds: a finer bucket is widened (hour → day → week → month) to stay below. */
export const EXPLORER_MAX_POINTS = 400;
/** The longest period one query may cover, days (three years of daily figures, weekly buckets). */
export const EXPLORER_MAX_DAYS = 1100;
/** Most series per metric: the largest groups by total; the rest are summed up as one "Other" series. */
export const EXPLORER_DEFAULT_TOP_N = 10;
/** The group key of the "Other" series. */
export const EXPLORER_OTHER_GROUP = "__other__";

/**
 * How a metric combines rows.
 * - `kind` count: additive events (logins, positions, tickets opened) — a bucket without rows is 0.
 *   gauge: a level or an average (active vehicles, open tickets, scores) — a bucket without rows is a gap (null).
 * - `aggregation`: over time within one tenant (or vehicle/driver) and bucket: sum, avg, max, last
 *   (the value of the bucket's latest row), median.
 * - `combine`: across the tenants (vehicles, drivers) of a group: sum (levels and counts add up),
 *   avg (scores and rates; weighted where the catalog names a weight), max, median.
 */
export interface ExplorerMetric {
  /** Stable id, used in URLs and CSV headers (e.g. "activity.logins"). */
  id: string;
  label: string;
  /** Unit of the values: "count", "m", "s", "km/h", "score" (0–100), "1–5", "−100…100". */
  unit: string;
  /** Picker heading. */
  category: "activity" | "fleet" | "messages" | "support" | "health";
  source: ExplorerSource;
  kind: "count" | "gauge";
  aggregation: "sum" | "avg" | "max" | "last" | "median";
  combine: "sum" | "avg" | "max" | "median";
  /** The finest bucket the data allows: hour for the hourly fleet rollup and telemetry, else day. */
  finestBucket: "hour" | "day";
  /** Groupings it supports (vehicle and driver only for metrics computed from telemetry). */
  groupBys: readonly ExplorerGroupBy[];
  /** One sentence: what is counted or measured. */
  description: string;
}

const TENANT_GROUPS = ["none", "tenant", "plan", "segment"] as const;
const TELEMETRY_GROUPS = [...TENANT_GROUPS, "vehicle", "driver"] as const;

const count = (
  id: string,
  label: string,
  category: ExplorerMetric["category"],
  source: ExplorerSource,
  description: string,
  unit = "count",
): ExplorerMetric => ({
  id,
  label,
  unit,
  category,
  source,
  kind: "count",
  aggregation: "sum",
  combine: "sum",
  finestBucket: source === "fleet_hourly" ? "hour" : "day",
  groupBys: id === "fleet.positions" || id === "fleet.distanceM" ? TELEMETRY_GROUPS : TENANT_GROUPS,
  description,
});

const gauge = (
  m: Omit<ExplorerMetric, "kind" | "finestBucket" | "groupBys"> & { groupBys?: readonly ExplorerGroupBy[] },
): ExplorerMetric => ({
  ...m,
  kind: "gauge",
  finestBucket: m.source === "fleet_hourly" ? "hour" : "day",
  groupBys: m.groupBys ?? TENANT_GROUPS,
});

/**
 * Every metric the explorer can chart, in picker order. Daily metrics read adm_tenant_activity_metrics
 * (one row per tenant and local day), hourly fleet metrics adm_tenant_fleet_hourly (and tel_positions
 * when grouped by vehicle or driver), health metrics adm_tenant_health_scores.
 */
export const EXPLORER_METRICS: readonly ExplorerMetric[] = [
  gauge({
    id: "activity.activeUsers",
    label: "Active users",
    unit: "count",
    category: "activity",
    source: "activity",
    aggregation: "avg",
    combine: "sum",
    description: "People who signed in or used the product, mean per day.",
  }),
  count("activity.logins", "Logins", "activity", "activity", "Sign-ins."),
  count("activity.sessions", "Sessions", "activity", "activity", "Sessions opened."),
  gauge({
    id: "activity.activeDrivers",
    label: "Active drivers",
    unit: "count",
    category: "activity",
    source: "activity",
    aggregation: "avg",
    combine: "sum",
    description: "Drivers with activity, mean per day.",
  }),
  gauge({
    id: "activity.activeVehicles",
    label: "Active vehicles (daily)",
    unit: "count",
    category: "activity",
    source: "activity",
    aggregation: "avg",
    combine: "sum",
    description: "Vehicles that reported a position, mean per day.",
  }),
  count("activity.positions", "Positions (daily)", "activity", "activity", "GPS fixes stored."),
  count("activity.distanceM", "Distance driven (daily)", "activity", "activity", "Distance driven.", "m"),
  count("activity.trips", "Trips", "activity", "activity", "Trips driven."),
  count("activity.events", "Vehicle events (daily)", "activity", "activity", "Vehicle events, all severities."),
  count("activity.alerts", "Alerts (daily)", "activity", "activity", "Vehicle events of warning or critical severity."),
  gauge({
    id: "activity.featureCount",
    label: "Features used",
    unit: "count",
    category: "activity",
    source: "activity",
    aggregation: "avg",
    combine: "avg",
    description: "Distinct features (pages and procedures) used, mean per tenant and day.",
  }),
  gauge({
    id: "activity.seatsUsed",
    label: "Seats used",
    unit: "count",
    category: "activity",
    source: "activity",
    aggregation: "last",
    combine: "sum",
    description: "Active members at the end of the bucket.",
  }),
  count("activity.failedPayments", "Failed payments", "activity", "activity", "Failed payment attempts."),
  gauge({
    id: "fleet.activeVehicles",
    label: "Active vehicles (peak hour)",
    unit: "count",
    category: "fleet",
    source: "fleet_hourly",
    aggregation: "max",
    combine: "sum",
    description: "Vehicles that reported a position in the busiest hour of the bucket.",
  }),
  count("fleet.positions", "Positions", "fleet", "fleet_hourly", "GPS fixes stored."),
  count("fleet.distanceM", "Distance driven", "fleet", "fleet_hourly", "Distance driven.", "m"),
  gauge({
    id: "fleet.avgSpeedKph",
    label: "Average speed (moving)",
    unit: "km/h",
    category: "fleet",
    source: "fleet_hourly",
    aggregation: "avg",
    combine: "avg",
    groupBys: TELEMETRY_GROUPS,
    description: "Mean speed of moving fixes (> 3 km/h), weighted by the fixes.",
  }),
  count("fleet.events", "Vehicle events", "fleet", "fleet_hourly", "Vehicle events, all severities."),
  count("fleet.alerts", "Alerts", "fleet", "fleet_hourly", "Vehicle events of warning or critical severity."),
  count("messages.sent", "Messages sent", "messages", "activity", "Messages sent to drivers (not blocked)."),
  count("messages.received", "Messages received", "messages", "activity", "Messages received from drivers."),
  count("messages.sentHourly", "Messages sent (hourly)", "messages", "fleet_hourly", "Messages sent to drivers."),
  count(
    "messages.receivedHourly",
    "Messages received (hourly)",
    "messages",
    "fleet_hourly",
    "Messages received from drivers.",
  ),
  gauge({
    id: "messages.medianResponseS",
    label: "Median response time",
    unit: "s",
    category: "messages",
    source: "activity",
    aggregation: "median",
    combine: "median",
    description: "Median of the daily median dispatcher response times to drivers.",
  }),
  count("support.ticketsOpened", "Tickets opened", "support", "activity", "Support tickets created."),
  gauge({
    id: "support.ticketsOpen",
    label: "Open tickets (backlog)",
    unit: "count",
    category: "support",
    source: "activity",
    aggregation: "last",
    combine: "sum",
    description: "Tickets neither resolved nor closed at the end of the bucket.",
  }),
  gauge({
    id: "support.csatAvg",
    label: "CSAT",
    unit: "1–5",
    category: "support",
    source: "activity",
    aggregation: "avg",
    combine: "avg",
    description: "Mean CSAT rating, weighted by the number of answers.",
  }),
  gauge({
    id: "support.nps",
    label: "NPS",
    unit: "−100…100",
    category: "support",
    source: "activity",
    aggregation: "avg",
    combine: "avg",
    description: "Net Promoter Score, weighted by the number of answers.",
  }),
  gauge({
    id: "health.score",
    label: "Health score",
    unit: "score",
    category: "health",
    source: "health",
    aggregation: "avg",
    combine: "avg",
    description: "Daily health score 0–100, mean over tenants and days.",
  }),
  ...(
    [
      ["health.productUsage", "Product usage score"],
      ["health.support", "Support score"],
      ["health.engagement", "Engagement score"],
      ["health.business", "Business score"],
    ] as const
  ).map(([id, label]) =>
    gauge({
      id,
      label,
      unit: "score",
      category: "health",
      source: "health",
      aggregation: "avg",
      combine: "avg",
      description: `${label} component 0–100, mean over tenants and days.`,
    }),
  ),
  gauge({
    id: "health.churnRisk",
    label: "Churn risk",
    unit: "score",
    category: "health",
    source: "health",
    aggregation: "avg",
    combine: "avg",
    description: "Churn risk 0–100, mean over tenants and days.",
  }),
];

/** Metric ids, for validation. */
export const EXPLORER_METRIC_IDS = EXPLORER_METRICS.map((m) => m.id) as [string, ...string[]];

/** The catalog entry of `id`, or undefined. */
export function explorerMetric(id: string): ExplorerMetric | undefined {
  return EXPLORER_METRICS.find((m) => m.id === id);
}

/**
 * Input of `explorer.query`: 1–6 metrics, a grouping, optional tenants (≤ 200; vehicle and driver
 * grouping need exactly one), the period [from, to) (Dates or ISO strings, ≤ {@link EXPLORER_MAX_DAYS}
 * days), a bucket (auto by default), whether to compare with the preceding period of equal length,
 * the IANA time zone of bucket boundaries (default UTC) and how many groups get their own series.
 */
export const ZExploreRequest = z
  .object({
    metrics: z
      .array(z.enum(EXPLORER_METRIC_IDS))
      .min(1)
      .max(6)
      .refine((ids) => new Set(ids).size === ids.length, { message: "each metric once" }),
    groupBy: ZExplorerGroupBy.default("none"),
    tenantIds: z.array(z.uuid()).max(200).optional(),
    from: z.coerce.date<Date | string>(),
    to: z.coerce.date<Date | string>(),
    bucket: ZExplorerBucketChoice.default("auto"),
    compare: z.boolean().default(false),
    timezone: z.string().min(1).max(64).refine(isValidTimeZone, { message: "unknown time zone" }).default("UTC"),
    topN: z.number().int().min(1).max(25).default(EXPLORER_DEFAULT_TOP_N),
  })
  .refine((r) => r.from < r.to, { path: ["to"], message: "the period must end after it starts" })
  .refine((r) => r.to.getTime() - r.from.getTime() <= EXPLORER_MAX_DAYS * 86_400_000, {
    path: ["to"],
    message: `the period may cover at most ${EXPLORER_MAX_DAYS} days`,
  })
  .refine((r) => (r.groupBy !== "vehicle" && r.groupBy !== "driver") || r.tenantIds?.length === 1, {
    path: ["tenantIds"],
    message: "grouping by vehicle or driver needs exactly one tenant",
  })
  .refine((r) => r.metrics.every((id) => explorerMetric(id)?.groupBys.includes(r.groupBy)), {
    path: ["groupBy"],
    message: "a chosen metric cannot be grouped this way (vehicle and driver: fleet positions, distance, speed)",
  });
/** What callers send (defaults optional). */
export type ExploreRequest = z.input<typeof ZExploreRequest>;
/** The request after defaults. */
export type ExploreParams = z.output<typeof ZExploreRequest>;

/** One bucket of a series: its start (the local bucket start as an instant) and the value, null = gap. */
export const ZExplorePoint = z.object({ t: z.date(), value: z.number().nullable() });
/** A bucket's value. */
export type ExplorePoint = z.infer<typeof ZExplorePoint>;

/** One line of the chart: a metric for one group (group "all" when not grouped; {@link EXPLORER_OTHER_GROUP}). */
export const ZExploreSeries = z.object({
  metric: z.string(),
  group: z.string(),
  groupLabel: z.string(),
  points: z.array(ZExplorePoint),
});
/** One series. */
export type ExploreSeries = z.infer<typeof ZExploreSeries>;

/**
 * A series' figure over the whole period: counts the sum of the buckets, `max` gauges the largest
 * bucket, other gauges the mean of the non-empty buckets (null when all are empty).
 */
export const ZExploreTotal = z.object({
  metric: z.string(),
  group: z.string(),
  value: z.number().nullable(),
  /** The same over the previous period (null without compare). */
  previousValue: z.number().nullable(),
});
/** A series' total. */
export type ExploreTotal = z.infer<typeof ZExploreTotal>;

/** Output of `explorer.query`. */
export const ZExploreResult = z.object({
  bucket: z.enum(["hour", "day", "week", "month"]),
  timezone: z.string(),
  groupBy: ZExplorerGroupBy,
  from: z.date(),
  to: z.date(),
  /** Every (metric, group): metrics in request order, groups by total (largest first), Other last. */
  series: z.array(ZExploreSeries),
  /**
   * The preceding period [from − length, from) when `compare` was asked: the same series, point i
   * being bucket i of that period but carrying `t` of the current period's bucket i (to overlay).
   */
  previous: z.object({ from: z.date(), to: z.date(), series: z.array(ZExploreSeries) }).nullable(),
  totals: z.array(ZExploreTotal),
});
/** The explorer's answer. */
export type ExploreResult = z.infer<typeof ZExploreResult>;
