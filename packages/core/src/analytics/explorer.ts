/**
 * The analyst chart explorer (issue 8): any catalog metric (validators/explorer.ts) over time
 * buckets, grouped by tenant, plan, segment, vehicle or driver, optionally against the preceding
 * period. Reads the customer-success hypertables (adm_tenant_activity_metrics,
 * adm_tenant_fleet_hourly, adm_tenant_health_scores) and, for vehicle/driver grouping, tel_positions.
 * Provider-only data: call it in the provider (or system) scope.
 */
import type { Db } from "@fleetcore/db";
import {
  EXPLORER_OTHER_GROUP,
  type ExploreParams,
  type ExploreRequest,
  type ExploreResult,
  type ExplorerGroupBy,
  type ExplorerMetric,
  type ExploreSeries,
  type ExploreTotal,
  explorerMetric,
  ZExploreRequest,
} from "@fleetcore/validators";
import { parseInput } from "../errors";
import { EXPLORER_BUCKET_INTERVAL, explorerBucket, explorerLocalDay, explorerPreviousFrom } from "./buckets";
import {
  type ExplorerSqlRow,
  type ExplorerTable,
  explorerBucketsSql,
  explorerSourceSql,
  explorerTable,
} from "./explorerSql";

const SEGMENT_LABELS: Record<string, string> = { smb: "SMB", mid_market: "Mid-market", enterprise: "Enterprise" };
const NONE_LABELS: Record<ExplorerGroupBy, string> = {
  none: "All",
  tenant: "Unknown tenant",
  plan: "No plan",
  segment: "No segment",
  vehicle: "No vehicle",
  driver: "No driver",
};
const GROUP_NOUN: Record<ExplorerGroupBy, string> = {
  none: "",
  tenant: "tenants",
  plan: "plans",
  segment: "segments",
  vehicle: "vehicles",
  driver: "drivers",
};

/** Names of the groups found (tenants, plans, vehicles, drivers), by key. */
async function groupLabels(db: Db, groupBy: ExplorerGroupBy, keys: string[]): Promise<Map<string, string>> {
  const ids = keys.filter((k) => /^[0-9a-f-]{36}$/i.test(k));
  const labels = new Map<string, string>();
  if (groupBy === "segment") for (const k of keys) labels.set(k, SEGMENT_LABELS[k] ?? k);
  if (ids.length === 0) return labels;
  const sql: Partial<Record<ExplorerGroupBy, string>> = {
    tenant: "SELECT id::text, name AS label FROM adm_tenants WHERE id = ANY($1::uuid[])",
    plan: "SELECT id::text, name AS label FROM bil_billing_plans WHERE id = ANY($1::uuid[])",
    vehicle: `SELECT id::text, name || coalesce(' (' || license_plate || ')', '') AS label
                FROM flt_vehicles WHERE id = ANY($1::uuid[])`,
    driver: "SELECT id::text, first_name || ' ' || last_name AS label FROM rid_drivers WHERE id = ANY($1::uuid[])",
  };
  const statement = sql[groupBy];
  if (!statement) return labels;
  for (const r of await db.$queryRawUnsafe<{ id: string; label: string }[]>(statement, ids)) labels.set(r.id, r.label);
  return labels;
}

/** A series' figure over a period (see ZExploreTotal): sum for counts, max for `max` gauges, else the mean. */
export function explorerTotal(metric: ExplorerMetric, values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  if (metric.kind === "count") return present.reduce((a, b) => a + b, 0);
  if (present.length === 0) return null;
  if (metric.aggregation === "max") return Math.max(...present);
  return present.reduce((a, b) => a + b, 0) / present.length;
}

/**
 * Charts `input.metrics` over [from, to) — see ZExploreRequest for the input and ZExploreResult for
 * the shape. Definitions:
 *
 * - **Buckets**: `auto` takes the finest size the data allows (hour only when every metric has
 *   hourly data, i.e. the hourly fleet rollup or telemetry) that keeps a series within 400 points;
 *   an explicit size is widened the same way. Bucket starts are local (`timezone`): midnight, Monday,
 *   the 1st; hours are real hours (25 on the night clocks go back). Daily tables hold each tenant's
 *   own local day: that day is placed at its midnight in `timezone`. A daily row belongs to the
 *   period holding its day's start ([from's day, to) — a partial first day counts in full).
 * - **Missing buckets**: counts are 0, gauges null (a gap), per series.
 * - **Groups**: a unit (tenant; vehicle or driver for telemetry) is aggregated over time first
 *   (`aggregation`), then units combine within their group (`combine`) — e.g. open tickets are each
 *   tenant's last value in the bucket, summed over a segment's tenants; CSAT is weighted by answers.
 *   Per metric, the `topN` groups with the largest sum of current-period bucket values get their own
 *   series, the rest one "Other" series (combined from their units, not from the groups' values).
 *   Plan = the tenant's current plan (its live subscription's, else its latest's). Driver = the
 *   driver assigned to the fix's vehicle at the fix's time (flt_vehicle_assignments).
 * - **Compare**: the preceding period of the same length ({@link explorerPreviousFrom}: real hours
 *   for hour buckets, local calendar time for day, week and month buckets), same buckets and groups (a group
 *   only in that period is part of "Other"); its bucket i is reported at the current bucket i's `t`.
 *
 * One SQL statement per source table (plus one for the bucket list and one for group names).
 * @throws DomainError("invalid") when the input does not pass ZExploreRequest
 */
export async function explore(db: Db, input: ExploreRequest | ExploreParams): Promise<ExploreResult> {
  const q = parseInput(ZExploreRequest, input);
  const metrics = q.metrics.map((id) => explorerMetric(id) as ExplorerMetric);
  const finest = metrics.some((m) => explorerTable(m, q.groupBy) !== "positions" && m.finestBucket === "day")
    ? "day"
    : "hour";
  const bucket = explorerBucket(q.from, q.to, q.bucket, finest);
  const interval = EXPLORER_BUCKET_INTERVAL[bucket];
  const prevFrom = q.compare ? explorerPreviousFrom(q.from, q.to, bucket, q.timezone) : null;

  const buckets = explorerBucketsSql({ bucket, interval, timezone: q.timezone, from: q.from, to: q.to, prevFrom });
  const starts = await db.$queryRawUnsafe<{ prev: boolean; start: Date }[]>(buckets.sql, ...buckets.params);
  const current = starts.filter((s) => !s.prev).map((s) => s.start);
  const previous = starts.filter((s) => s.prev).map((s) => s.start);

  // One statement per table, each carrying all the metrics it holds.
  const byTable = new Map<ExplorerTable, ExplorerMetric[]>();
  for (const m of metrics) {
    const table = explorerTable(m, q.groupBy);
    byTable.set(table, [...(byTable.get(table) ?? []), m]);
  }
  // Room for the hash aggregates of a year of hourly rows without spilling to disk (this transaction only).
  await db.$executeRawUnsafe("SET LOCAL work_mem = '64MB'");
  const values = new Map<string, Map<number, number | null>>(); // metric|group|prev → bucket ms → value
  const groupsOf = new Map<string, string[]>(); // metric → current-period groups
  const groupCount = new Map<string, number>(); // metric → groups before top-N
  const key = (metric: string, group: string, prev: boolean) => `${metric}|${group}|${prev ? 1 : 0}`;
  for (const [table, tableMetrics] of byTable) {
    const { sql, params } = explorerSourceSql(table, tableMetrics, {
      groupBy: q.groupBy,
      bucket,
      interval,
      timezone: q.timezone,
      from: q.from,
      to: q.to,
      lo: prevFrom ?? q.from,
      loDay: explorerLocalDay(prevFrom ?? q.from, q.timezone),
      fromDay: explorerLocalDay(q.from, q.timezone),
      toDay: explorerLocalDay(q.to, q.timezone, true),
      tenantIds: q.tenantIds,
      topN: q.topN,
    });
    const rows = await db.$queryRawUnsafe<ExplorerSqlRow[]>(sql, ...params);
    for (const r of rows) {
      const metric = tableMetrics[r.metric];
      if (!metric) continue;
      const k = key(metric.id, r.grp, r.prev);
      let points = values.get(k);
      if (!points) {
        points = new Map();
        values.set(k, points);
        if (!r.prev) groupsOf.set(metric.id, [...(groupsOf.get(metric.id) ?? []), r.grp]);
      }
      points.set(r.bucket.getTime(), r.value);
      if (r.n_groups !== null) groupCount.set(metric.id, Math.max(groupCount.get(metric.id) ?? 0, r.n_groups));
    }
  }

  const allGroups = [...new Set([...groupsOf.values()].flat())];
  const labels = await groupLabels(db, q.groupBy, allGroups);
  const labelOf = (metricId: string, group: string): string => {
    if (group === "all") return q.tenantIds?.length ? "Selected tenants" : "All tenants";
    if (group === EXPLORER_OTHER_GROUP) {
      const rest = (groupCount.get(metricId) ?? 0) - q.topN;
      return rest > 0 ? `Other (${rest} ${GROUP_NOUN[q.groupBy]})` : "Other";
    }
    if (group === "__none__") return NONE_LABELS[q.groupBy];
    return labels.get(group) ?? group;
  };

  const series: ExploreSeries[] = [];
  const previousSeries: ExploreSeries[] = [];
  const totals: ExploreTotal[] = [];
  for (const metric of metrics) {
    const empty = metric.kind === "count" ? 0 : null;
    const groups = groupsOf.get(metric.id) ?? (q.groupBy === "none" ? ["all"] : []);
    const pointsOf = (group: string, prev: boolean) => {
      const found = values.get(key(metric.id, group, prev));
      return (prev ? previous : current).map((t) => found?.get(t.getTime()) ?? empty);
    };
    const ranked = groups
      .map((group) => ({ group, cur: pointsOf(group, false) }))
      .sort(
        (a, b) =>
          Number(a.group === EXPLORER_OTHER_GROUP) - Number(b.group === EXPLORER_OTHER_GROUP) ||
          sumOf(b.cur) - sumOf(a.cur) ||
          a.group.localeCompare(b.group),
      );
    for (const { group, cur } of ranked) {
      const groupLabel = labelOf(metric.id, group);
      series.push({
        metric: metric.id,
        group,
        groupLabel,
        points: current.map((t, i) => ({ t, value: cur[i] ?? null })),
      });
      let previousValue: number | null = null;
      if (prevFrom) {
        const prev = pointsOf(group, true);
        // Aligned by position: the previous period's bucket i drawn at the current bucket i.
        const aligned = current.map((t, i) => ({ t, value: i < prev.length ? (prev[i] ?? null) : null }));
        previousSeries.push({ metric: metric.id, group, groupLabel, points: aligned });
        previousValue = explorerTotal(metric, prev);
      }
      totals.push({ metric: metric.id, group, value: explorerTotal(metric, cur), previousValue });
    }
  }

  return {
    bucket,
    timezone: q.timezone,
    groupBy: q.groupBy,
    from: q.from,
    to: q.to,
    series,
    previous: prevFrom ? { from: prevFrom, to: q.from, series: previousSeries } : null,
    totals,
  };
}

function sumOf(values: readonly (number | null)[]): number {
  let sum = 0;
  for (const v of values) sum += v ?? 0;
  return sum;
}
