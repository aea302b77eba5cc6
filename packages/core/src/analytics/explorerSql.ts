/**
 * The SQL behind the explorer's catalog (validators/explorer.ts): which column each metric reads,
 * how it aggregates within a tenant (or vehicle/driver) and bucket, and how those combine across a
 * group — built into one statement per source table.
 */
import type { ExplorerBucket, ExplorerGroupBy, ExplorerMetric } from "@fleetcore/validators";
import { TRIP_SPEED_THRESHOLD_KPH } from "../telemetry/replay";

/** A table the explorer reads: the catalog's sources plus raw telemetry for vehicle/driver grouping. */
export type ExplorerTable = "activity" | "fleet_hourly" | "health" | "positions";

/** Collects statement parameters; `add` returns the placeholder with its cast (`$3::uuid`). */
export class SqlParams {
  readonly values: unknown[] = [];
  /** Appends `value` and returns `$n::cast`. */
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

interface TableSpec {
  /** FROM (alias `s`). */
  from: string;
  /** The hypertable's time column: chunk exclusion needs the range on it, untransformed. */
  time: string;
  /** A DATE holding a tenant's local day (daily tables) rather than an instant. */
  daily: boolean;
}

const TABLES: Record<ExplorerTable, TableSpec> = {
  activity: { from: "adm_tenant_activity_metrics s", time: "s.period_start", daily: true },
  fleet_hourly: { from: "adm_tenant_fleet_hourly s", time: "s.hour", daily: false },
  health: { from: "adm_tenant_health_scores s", time: "s.day", daily: true },
  positions: { from: "tel_positions s", time: "s.time", daily: false },
};

/** Column (and optional weight column for weighted means) of each metric in its tenant-level table. */
const COLUMNS: Record<string, { col: string; weight?: string }> = {
  "activity.activeUsers": { col: "s.active_users" },
  "activity.logins": { col: "s.logins" },
  "activity.sessions": { col: "s.sessions" },
  "activity.activeDrivers": { col: "s.active_drivers" },
  "activity.activeVehicles": { col: "s.active_vehicles" },
  "activity.positions": { col: "s.positions" },
  "activity.distanceM": { col: "s.distance_m" },
  "activity.trips": { col: "s.trips" },
  "activity.events": { col: "s.events" },
  "activity.alerts": { col: "s.alerts" },
  "activity.featureCount": { col: "s.feature_count" },
  "activity.seatsUsed": { col: "s.seats_used" },
  "activity.failedPayments": { col: "s.failed_payments" },
  "fleet.activeVehicles": { col: "s.active_vehicles" },
  "fleet.positions": { col: "s.positions" },
  "fleet.distanceM": { col: "s.distance_m" },
  "fleet.avgSpeedKph": { col: "s.avg_speed_kph", weight: "s.positions" },
  "fleet.events": { col: "s.events" },
  "fleet.alerts": { col: "s.alerts" },
  "messages.sent": { col: "s.messages_sent" },
  "messages.received": { col: "s.messages_received" },
  "messages.sentHourly": { col: "s.messages_sent" },
  "messages.receivedHourly": { col: "s.messages_received" },
  "messages.medianResponseS": { col: "s.median_response_s" },
  "support.ticketsOpened": { col: "s.tickets_opened" },
  "support.ticketsOpen": { col: "s.tickets_open" },
  "support.csatAvg": { col: "s.csat_avg", weight: "s.csat_responses" },
  "support.nps": { col: "s.nps", weight: "s.nps_responses" },
  "health.score": { col: "s.score" },
  "health.productUsage": { col: "s.product_usage_score" },
  "health.support": { col: "s.support_score" },
  "health.engagement": { col: "s.engagement_score" },
  "health.business": { col: "s.business_score" },
  "health.churnRisk": { col: "s.churn_risk" },
};

/** Telemetry metrics per vehicle or driver, straight from tel_positions. */
const TELEMETRY: Record<string, { value: string; weight: string }> = {
  "fleet.positions": { value: "count(*)::float8", weight: "count(*)::float8" },
  "fleet.distanceM": { value: "coalesce(sum(s.distance_m), 0)::float8", weight: "count(*)::float8" },
  // Moving fixes only, as the hourly rollup's avg_speed_kph.
  "fleet.avgSpeedKph": {
    value: `(avg(s.speed_kph) FILTER (WHERE s.speed_kph > ${TRIP_SPEED_THRESHOLD_KPH}))::float8`,
    weight: `(count(*) FILTER (WHERE s.speed_kph > ${TRIP_SPEED_THRESHOLD_KPH}))::float8`,
  },
};

/** The table a metric is read from under a grouping. */
export function explorerTable(metric: ExplorerMetric, groupBy: ExplorerGroupBy): ExplorerTable {
  return groupBy === "vehicle" || groupBy === "driver" ? "positions" : metric.source;
}

/** Per unit (tenant, vehicle or driver) and bucket: the metric's value and its weight for means. */
function innerAggregate(metric: ExplorerMetric, table: ExplorerTable): { value: string; weight: string } {
  if (table === "positions") {
    const t = TELEMETRY[metric.id];
    if (!t) throw new Error(`${metric.id} has no telemetry definition`);
    return t;
  }
  const c = COLUMNS[metric.id];
  if (!c) throw new Error(`${metric.id} has no column`);
  const { col, weight } = c;
  switch (metric.aggregation) {
    case "sum":
      return { value: `coalesce(sum(${col}), 0)::float8`, weight: "count(*)::float8" };
    case "avg":
      return weight
        ? {
            value: `(sum(${col} * ${weight}) / nullif(sum(${weight}) FILTER (WHERE ${col} IS NOT NULL), 0))::float8`,
            weight: `(sum(${weight}) FILTER (WHERE ${col} IS NOT NULL))::float8`,
          }
        : { value: `avg(${col})::float8`, weight: `count(${col})::float8` };
    case "max":
      return { value: `max(${col})::float8`, weight: `count(${col})::float8` };
    case "last":
      // TimescaleDB's last(value, time) (Apache edition): the value of the bucket's latest row.
      return { value: `last(${col}, ${TABLES[table].time})::float8`, weight: `count(${col})::float8` };
    case "median":
      return {
        value: `(percentile_cont(0.5) WITHIN GROUP (ORDER BY ${col}))::float8`,
        weight: `count(${col})::float8`,
      };
  }
}

/** Across the units of a group (in the `long` CTE, alias l). */
function combineAggregate(metric: ExplorerMetric): string {
  switch (metric.combine) {
    case "sum":
      return "sum(l.value)";
    case "avg":
      return "sum(l.value * l.weight) / nullif(sum(l.weight) FILTER (WHERE l.value IS NOT NULL), 0)";
    case "max":
      return "max(l.value)";
    case "median":
      return "percentile_cont(0.5) WITHIN GROUP (ORDER BY l.value)";
  }
}

/** The unit rows are first aggregated per, and the join that finds it. */
function unitOf(table: ExplorerTable, groupBy: ExplorerGroupBy): { unit: string; join: string } {
  if (table !== "positions") return { unit: "s.tenant_id", join: "" };
  if (groupBy === "vehicle") return { unit: "s.vehicle_id", join: "" };
  // The driver assigned to the fix's vehicle at the fix's time (an open assignment has no end).
  return {
    unit: "va.driver_id",
    join: `LEFT JOIN flt_vehicle_assignments va
             ON va.tenant_id = s.tenant_id AND va.vehicle_id = s.vehicle_id
            AND va.start_at <= s.time AND (va.end_at IS NULL OR s.time < va.end_at)`,
  };
}

/** A unit's group key ('__none__' where it has none: no segment, plan, vehicle or driver). */
function groupOf(groupBy: ExplorerGroupBy): string {
  switch (groupBy) {
    case "none":
      return "'all'";
    case "tenant":
      return "u.unit::text";
    case "segment":
      return "coalesce((SELECT t.segment FROM adm_tenants t WHERE t.id = u.unit), '__none__')";
    case "plan":
      // The tenant's current plan: its live subscription's, else its latest subscription's.
      return `coalesce((SELECT sub.plan_id::text FROM bil_tenant_subscriptions sub
                          WHERE sub.tenant_id = u.unit AND sub.plan_id IS NOT NULL
                          ORDER BY (sub.status IN ('active', 'trialing', 'past_due')) DESC, sub.created_at DESC
                          LIMIT 1), '__none__')`;
    case "vehicle":
    case "driver":
      return "coalesce(u.unit::text, '__none__')";
  }
}

/** The bucket start of a row, as an instant (see {@link explorerSourceSql}). */
function bucketOf(spec: TableSpec, bucket: ExplorerBucket, p: { interval: string; tz: string; origin: () => string }) {
  if (spec.daily) return `(time_bucket(${p.interval}, ${spec.time})::timestamp AT TIME ZONE ${p.tz})`;
  if (bucket === "hour") return `time_bucket(${p.interval}, ${spec.time}, ${p.origin()})`;
  return `time_bucket(${p.interval}, ${spec.time}, ${p.tz})`;
}

/** One row of {@link explorerSourceSql}: a metric (index in the statement), group, bucket and period. */
export interface ExplorerSqlRow {
  metric: number;
  grp: string;
  bucket: Date;
  prev: boolean;
  value: number | null;
  /** Groups the metric has in the current period (to label "Other (n)"); null for previous-only groups. */
  n_groups: number | null;
}

/**
 * One statement for all `metrics` read from `table`:
 *
 * 1. `raw`: rows in [lo, hi) on the hypertable's own time column (so TimescaleDB excludes chunks
 *    outside it), per unit (tenant; vehicle or driver for telemetry), bucket and period (`prev`: the
 *    row is before `from`), each metric aggregated within the unit (`innerAggregate`).
 * 2. `keyed`: each unit's group (tenant, segment, current plan, vehicle, driver, or 'all').
 * 3. `long`: one row per metric (LATERAL VALUES), so every metric ranks its own groups.
 * 4. `ranked`: groups by the sum of their current-period bucket values, largest first.
 * 5. Groups ranked beyond `topN` become '__other__'; values combine across units (`combineAggregate`).
 *
 * Buckets: day/week/month are TimescaleDB's `time_bucket(interval, time, timezone)` (local midnight,
 * Monday, the 1st); hour buckets step one real hour from `origin` (the local hour holding `from`),
 * so the night clocks go back has 25 buckets. Daily tables hold local days as DATEs: a day is bucketed
 * as a date and placed at its local midnight in the requested zone.
 */
export function explorerSourceSql(
  table: ExplorerTable,
  metrics: readonly ExplorerMetric[],
  q: {
    groupBy: ExplorerGroupBy;
    bucket: ExplorerBucket;
    interval: string;
    timezone: string;
    from: Date;
    to: Date;
    /** Start of the data range: `from`, or the previous period's start when comparing. */
    lo: Date;
    /** Local days bounding daily tables: [loDay, toDay), with `fromDay` splitting the periods. */
    loDay: string;
    fromDay: string;
    toDay: string;
    tenantIds: readonly string[] | undefined;
    topN: number;
  },
): { sql: string; params: unknown[] } {
  const spec = TABLES[table];
  const p = new SqlParams();
  const tz = p.add(q.timezone, "text");
  const interval = p.add(q.interval, "interval");
  // Only hour buckets use it (a statement may not carry a parameter it does not use).
  const origin = () => `time_bucket('1 hour'::interval, ${p.add(q.from, "timestamptz")}, ${tz})`;
  const range = spec.daily
    ? { lo: p.add(q.loDay, "date"), hi: p.add(q.toDay, "date"), split: p.add(q.fromDay, "date") }
    : { lo: p.add(q.lo, "timestamptz"), hi: p.add(q.to, "timestamptz"), split: p.add(q.from, "timestamptz") };
  const { unit, join } = unitOf(table, q.groupBy);
  const filters = [`${spec.time} >= ${range.lo}`, `${spec.time} < ${range.hi}`];
  if (table === "positions") filters.push(`s.tenant_id = ${p.add(q.tenantIds?.[0] ?? null, "uuid")}`);
  else if (q.tenantIds?.length) filters.push(`s.tenant_id = ANY(${p.add([...q.tenantIds], "uuid[]")})`);
  const aggregates = metrics.map((m) => innerAggregate(m, table));
  const topN = p.add(q.topN, "int");

  // The hourly rollup holds whole UTC hours: placing each hour of the range in its local bucket once
  // and joining is much cheaper than a time-zone conversion per row (a year × 1,000 tenants).
  const hourMap = table === "fleet_hourly" && q.bucket !== "hour";
  const bucket = hourMap ? "hm.bucket" : bucketOf(spec, q.bucket, { interval, tz, origin });
  const sql = `
WITH ${
    hourMap
      ? `hours AS MATERIALIZED (
  SELECT h AS hour, time_bucket(${interval}, h, ${tz}) AS bucket
    FROM generate_series(date_trunc('hour', ${range.lo}), ${range.hi}, '1 hour'::interval) h
), `
      : ""
  }raw AS (
  SELECT ${unit} AS unit, ${bucket} AS bucket,
         (${spec.time} < ${range.split}) AS prev,
         ${aggregates.map((a, i) => `${a.value} AS v${i}, ${a.weight} AS w${i}`).join(",\n         ")}
    FROM ${spec.from} ${join}${hourMap ? " JOIN hours hm ON hm.hour = s.hour" : ""}
   WHERE ${filters.join(" AND ")}
   GROUP BY 1, 2, 3
), keyed AS (
  SELECT u.unit, ${groupOf(q.groupBy)} AS grp FROM (SELECT DISTINCT unit FROM raw) u
), long AS (
  SELECT k.grp, r.bucket, r.prev, v.metric, v.value, v.weight
    FROM raw r
    -- A NULL unit (no vehicle, no driver) matched through a sentinel: an equality the planner can hash.
    JOIN keyed k ON coalesce(k.unit, '00000000-0000-0000-0000-000000000000'::uuid)
                  = coalesce(r.unit, '00000000-0000-0000-0000-000000000000'::uuid)
   CROSS JOIN LATERAL (VALUES ${metrics.map((_, i) => `(${i}, r.v${i}, r.w${i})`).join(", ")}) v(metric, value, weight)
), ranked AS (
  SELECT l.metric, l.grp,
         row_number() OVER (PARTITION BY l.metric ORDER BY sum(l.value) DESC NULLS LAST, l.grp) AS rank,
         count(*) OVER (PARTITION BY l.metric) AS n_groups
    FROM long l
   WHERE NOT l.prev
   GROUP BY l.metric, l.grp
)
SELECT l.metric, CASE WHEN rk.rank <= ${topN} THEN l.grp ELSE '__other__' END AS grp, l.bucket, l.prev,
       (CASE l.metric ${metrics.map((m, i) => `WHEN ${i} THEN ${combineAggregate(m)}`).join(" ")} END)::float8 AS value,
       max(rk.n_groups)::int AS n_groups
  FROM long l
  LEFT JOIN ranked rk ON rk.metric = l.metric AND rk.grp = l.grp
 GROUP BY 1, 2, 3, 4`;
  return { sql, params: p.values };
}

/**
 * Every bucket start overlapping [from, to) and, with `compare`, [prevFrom, from), matching
 * {@link explorerSourceSql}'s buckets: hours step in real time from the local hour holding `from`;
 * larger buckets step in local time (DISTINCT: a local start that does not exist at spring forward
 * maps to the same instant as the next).
 */
export function explorerBucketsSql(q: {
  bucket: ExplorerBucket;
  interval: string;
  timezone: string;
  from: Date;
  to: Date;
  prevFrom: Date | null;
}): { sql: string; params: unknown[] } {
  const p = new SqlParams();
  const tz = p.add(q.timezone, "text");
  const iv = p.add(q.interval, "interval");
  const from = p.add(q.from, "timestamptz");
  const origin = `time_bucket('1 hour'::interval, ${from}, ${tz})`;
  const list = (a: string, b: string) =>
    q.bucket === "hour"
      ? `SELECT g AS start FROM generate_series(time_bucket(${iv}, ${a}, ${origin}), ${b}, ${iv}) g WHERE g < ${b}`
      : `SELECT DISTINCT (g AT TIME ZONE ${tz}) AS start
           FROM generate_series(time_bucket(${iv}, ${a} AT TIME ZONE ${tz}), ${b} AT TIME ZONE ${tz}, ${iv}) g
          WHERE (g AT TIME ZONE ${tz}) < ${b}`;
  const to = p.add(q.to, "timestamptz");
  let sql = `SELECT false AS prev, c.start FROM (${list(from, to)}) c`;
  if (q.prevFrom) sql += `\nUNION ALL SELECT true, pr.start FROM (${list(p.add(q.prevFrom, "timestamptz"), from)}) pr`;
  return { sql: `${sql}\nORDER BY 1, 2`, params: p.values };
}
