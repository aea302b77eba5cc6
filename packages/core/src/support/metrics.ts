/**
 * Support metrics (issue 6 "Support metrics"): per time bucket, per tenant and over the whole period,
 * in one pass of GROUPING SETS per measure. Definitions:
 *
 * - **opened / resolved / closed**: tickets by `created_at` / `resolved_at` (the latest resolution of
 *   a reopened ticket) / `closed_at`.
 * - **backlog**: tickets created before the group's end whose latest status change before that end
 *   (sup_ticket_status_changes; none = `open`) is neither resolved nor closed. A bucket's end is the
 *   bucket's end or now, whichever is earlier; a tenant's and the total's end is the period's end.
 * - **median first response / resolution**: medians of `first_response_minutes` (by when the first
 *   public agent reply came) and `resolution_minutes` (by `resolved_at`): minutes on each ticket's SLA
 *   clock, business minutes under a business-hours policy, time awaiting the customer excluded.
 * - **SLA attainment**: each ticket has two targets. A target is *decided* when it is achieved (first
 *   reply; resolution) or, not achieved, when its due time passes; it is met when achieved by its due
 *   time. Attainment = met / decided, counted where the decision falls. A ticket resolved before any
 *   agent reply decides its first-response target at the resolution (as Zendesk does, and as the
 *   desk's breach flags do); a resolution target whose clock is paused (awaiting the customer) is
 *   not decided by its due time passing.
 * - **CSAT**: answered csat feedback by `responded_at`; average rating and the share of 4s and 5s
 *   (the "CSAT score", e.g. Zendesk's and HubSpot's definition).
 * - **NPS**: answered nps feedback: % promoters (9–10) − % detractors (0–6), Reichheld, "The One
 *   Number You Need to Grow", HBR 2003.
 *
 * Buckets are local calendar days, ISO weeks (Monday) or months in the requested time zone
 * (`date_trunc(unit, time, zone)`, so DST days have 23 or 25 hours).
 */
import { type Db, Prisma } from "@fleetcore/db";
import type { SupportMetrics, SupportMetricsBucket, SupportStats } from "@fleetcore/validators";
import { chooseBucket } from "../analytics/buckets";
import { DomainError } from "../errors";
import { isValidTimeZone } from "./sla";

/** Most buckets one answer holds; a finer bucket is widened (day → week → month) to fit. */
export const SUPPORT_METRICS_MAX_BUCKETS = 400;

const ORDER: SupportMetricsBucket[] = ["day", "week", "month"];
const DAY_MS = 86_400_000;

/**
 * The bucket size: the one asked for, else day up to 31 days, week up to 200 days, month beyond
 * (support volumes are small: finer buckets would be mostly empty); widened to fit ({@link chooseBucket}).
 */
export function supportMetricsBucket(from: Date, to: Date, asked?: SupportMetricsBucket): SupportMetricsBucket {
  return chooseBucket(from, to, {
    order: ORDER,
    maxBuckets: SUPPORT_METRICS_MAX_BUCKETS,
    asked,
    defaults: [
      [31 * DAY_MS, "day"],
      [200 * DAY_MS, "week"],
      [Number.POSITIVE_INFINITY, "month"],
    ],
  });
}

function emptyStats(): SupportStats {
  return {
    opened: 0,
    resolved: 0,
    closed: 0,
    backlog: 0,
    medianFirstResponseMinutes: null,
    medianResolutionMinutes: null,
    slaTargets: 0,
    slaMet: 0,
    slaAttainmentPct: null,
    csatResponses: 0,
    csatAverage: null,
    csatSatisfiedPct: null,
    npsResponses: 0,
    nps: null,
  };
}

/** A row of a grouped measure: `g` = 1 bucket rows, 2 tenant rows, 3 the total (GROUPING bits). */
interface GroupedRow {
  g: number;
  b: Date | null;
  tenant_id: string | null;
  [measure: string]: unknown;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Support metrics over [from, to) for every tenant, or one (`tenantId`). `db` must be a provider or
 * system scope (the figures cross tenants); under a tenant scope RLS limits them to that tenant.
 * @throws DomainError invalid — unknown time zone
 */
export async function supportMetrics(
  db: Db,
  req: { from: Date; to: Date; bucket?: SupportMetricsBucket; tenantId?: string; timezone?: string },
): Promise<SupportMetrics> {
  const calendar = await db.supBusinessCalendar.findUnique({ where: { id: 1 }, select: { timezone: true } });
  const timezone = req.timezone ?? calendar?.timezone ?? "UTC";
  if (!isValidTimeZone(timezone)) throw new DomainError("invalid", `unknown time zone "${timezone}"`);
  const bucket = supportMetricsBucket(req.from, req.to, req.bucket);
  const { from, to } = req;
  const now = new Date();
  const step = Prisma.raw(`interval '1 ${bucket}'`);
  const unit = Prisma.raw(`'${bucket}'`);
  const tenant = req.tenantId ? Prisma.sql`AND t.tenant_id = ${req.tenantId}::uuid` : Prisma.empty;
  const feedbackTenant = req.tenantId ? Prisma.sql`AND f.tenant_id = ${req.tenantId}::uuid` : Prisma.empty;
  const sets = Prisma.raw("GROUPING SETS ((b), (tenant_id), ())");
  const grouping = Prisma.raw("GROUPING(b, tenant_id)");

  // Local bucket starts as wall times, converted back to instants (DST days are 23 or 25 hours).
  const localSeries = Prisma.sql`generate_series(date_trunc(${unit}, ${from}::timestamptz AT TIME ZONE ${timezone}),
    (${to}::timestamptz AT TIME ZONE ${timezone}) - interval '1 millisecond', ${step})`;
  const starts = await db.$queryRaw<{ start: Date }[]>`
    SELECT g AT TIME ZONE ${timezone} AS start FROM ${localSeries} g`;

  // Events of a ticket, one column per measure: each is counted where (and when) it happened.
  const ticketRows = await db.$queryRaw<GroupedRow[]>`
    WITH ev AS (
      SELECT t.tenant_id, t.created_at AS at, 'opened' AS kind, NULL::int AS minutes, NULL::boolean AS met
        FROM sup_tickets t WHERE t.created_at >= ${from} AND t.created_at < ${to} ${tenant}
      UNION ALL
      SELECT t.tenant_id, t.resolved_at, 'resolved', t.resolution_minutes, NULL
        FROM sup_tickets t WHERE t.resolved_at >= ${from} AND t.resolved_at < ${to} ${tenant}
      UNION ALL
      SELECT t.tenant_id, t.closed_at, 'closed', NULL, NULL
        FROM sup_tickets t WHERE t.closed_at >= ${from} AND t.closed_at < ${to} ${tenant}
      UNION ALL
      SELECT t.tenant_id, t.first_response_at, 'first_response', t.first_response_minutes, NULL
        FROM sup_tickets t WHERE t.first_response_at >= ${from} AND t.first_response_at < ${to} ${tenant}
      UNION ALL
      SELECT t.tenant_id, d.at, 'sla', NULL, d.met
        FROM sup_tickets t
        CROSS JOIN LATERAL (VALUES
          (CASE WHEN t.first_response_due_at IS NULL THEN NULL
                WHEN coalesce(t.first_response_at, t.resolved_at) IS NOT NULL
                  THEN coalesce(t.first_response_at, t.resolved_at)
                WHEN t.first_response_due_at < ${now} THEN t.first_response_due_at END,
           coalesce(t.first_response_at, t.resolved_at) <= t.first_response_due_at),
          (CASE WHEN t.resolution_due_at IS NULL THEN NULL
                WHEN t.resolved_at IS NOT NULL THEN t.resolved_at
                WHEN t.sla_paused_at IS NULL AND t.closed_at IS NULL AND t.resolution_due_at < ${now}
                  THEN t.resolution_due_at END,
           t.resolved_at IS NOT NULL AND t.resolved_at <= t.resolution_due_at)
        ) AS d(at, met)
        WHERE d.at >= ${from} AND d.at < ${to} ${tenant}
    )
    SELECT ${grouping}::int AS g, b, tenant_id,
           count(*) FILTER (WHERE kind = 'opened')::int AS opened,
           count(*) FILTER (WHERE kind = 'resolved')::int AS resolved,
           count(*) FILTER (WHERE kind = 'closed')::int AS closed,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) FILTER (WHERE kind = 'first_response') AS median_fr,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) FILTER (WHERE kind = 'resolved') AS median_res,
           count(*) FILTER (WHERE kind = 'sla')::int AS sla_targets,
           count(*) FILTER (WHERE kind = 'sla' AND met)::int AS sla_met
      FROM (SELECT date_trunc(${unit}, at, ${timezone}) AS b, tenant_id, kind, minutes, met FROM ev) x
     GROUP BY ${sets}`;

  const feedbackRows = await db.$queryRaw<GroupedRow[]>`
    SELECT ${grouping}::int AS g, b, tenant_id,
           count(*) FILTER (WHERE kind = 'csat')::int AS csat_n,
           avg(rating) FILTER (WHERE kind = 'csat') AS csat_avg,
           count(*) FILTER (WHERE kind = 'csat' AND rating >= 4)::int AS csat_sat,
           count(*) FILTER (WHERE kind = 'nps')::int AS nps_n,
           count(*) FILTER (WHERE kind = 'nps' AND rating >= 9)::int AS promoters,
           count(*) FILTER (WHERE kind = 'nps' AND rating <= 6)::int AS detractors
      FROM (SELECT date_trunc(${unit}, f.responded_at, ${timezone}) AS b, f.tenant_id, f.kind::text AS kind, f.rating
              FROM sup_customer_feedback f
             WHERE f.rating IS NOT NULL AND f.responded_at >= ${from} AND f.responded_at < ${to} ${feedbackTenant}) x
     GROUP BY ${sets}`;

  // Backlog at each bucket's end (or now), and at the period's end per tenant and overall.
  const backlogRows = await db.$queryRaw<{ gb: number; b: Date | null; tenant_id: string | null; backlog: number }[]>`
    WITH ends AS (
      SELECT s AT TIME ZONE ${timezone} AS b,
             least((s + ${step}) AT TIME ZONE ${timezone}, ${to}::timestamptz, ${now}::timestamptz) AS end_at
        FROM ${localSeries} s
      UNION ALL
      SELECT NULL, least(${to}::timestamptz, ${now}::timestamptz)
    )
    SELECT GROUPING(e.b)::int AS gb, e.b, CASE WHEN e.b IS NULL THEN t.tenant_id END AS tenant_id,
           count(*)::int AS backlog
      FROM ends e
      JOIN sup_tickets t ON t.created_at < e.end_at ${tenant}
      LEFT JOIN LATERAL (
        SELECT s.to_status FROM sup_ticket_status_changes s
         WHERE s.ticket_id = t.id AND s.created_at < e.end_at
         ORDER BY s.created_at DESC, s.id DESC LIMIT 1
      ) last ON true
     WHERE coalesce(last.to_status, 'open') NOT IN ('resolved', 'closed')
     GROUP BY GROUPING SETS ((e.b), (CASE WHEN e.b IS NULL THEN t.tenant_id END))`;

  const byBucket = new Map<number, SupportStats>(starts.map((s) => [s.start.getTime(), emptyStats()]));
  const byTenant = new Map<string, SupportStats>();
  const total = emptyStats();
  const target = (row: { g?: number; b: Date | null; tenant_id: string | null }): SupportStats | null => {
    if (row.b) return byBucket.get(row.b.getTime()) ?? null;
    if (row.tenant_id) {
      let s = byTenant.get(row.tenant_id);
      if (!s) {
        s = emptyStats();
        byTenant.set(row.tenant_id, s);
      }
      return s;
    }
    return row.g === 3 ? total : null;
  };
  for (const row of ticketRows) {
    const s = target(row);
    if (!s) continue;
    s.opened = num(row.opened);
    s.resolved = num(row.resolved);
    s.closed = num(row.closed);
    const fr = numOrNull(row.median_fr);
    const res = numOrNull(row.median_res);
    s.medianFirstResponseMinutes = fr === null ? null : round1(fr);
    s.medianResolutionMinutes = res === null ? null : round1(res);
    s.slaTargets = num(row.sla_targets);
    s.slaMet = num(row.sla_met);
    s.slaAttainmentPct = s.slaTargets > 0 ? round1((100 * s.slaMet) / s.slaTargets) : null;
  }
  for (const row of feedbackRows) {
    const s = target(row);
    if (!s) continue;
    s.csatResponses = num(row.csat_n);
    const avg = numOrNull(row.csat_avg);
    s.csatAverage = avg === null ? null : Math.round(avg * 100) / 100;
    s.csatSatisfiedPct = s.csatResponses > 0 ? round1((100 * num(row.csat_sat)) / s.csatResponses) : null;
    s.npsResponses = num(row.nps_n);
    s.nps = s.npsResponses > 0 ? round1((100 * (num(row.promoters) - num(row.detractors))) / s.npsResponses) : null;
  }
  // gb = 0: per end (a bucket's, or the period's for the total); gb = 1: per tenant at the period's end.
  for (const row of backlogRows) {
    if (row.gb === 0 && row.b) {
      const s = byBucket.get(row.b.getTime());
      if (s) s.backlog = row.backlog;
    } else if (row.gb === 0) {
      total.backlog = row.backlog;
    } else if (row.tenant_id) {
      const s = target(row);
      if (s) s.backlog = row.backlog;
    }
  }

  const names = new Map(
    (await db.tenant.findMany({ where: { id: { in: [...byTenant.keys()] } }, select: { id: true, name: true } })).map(
      (t) => [t.id, t.name],
    ),
  );
  return {
    bucket,
    timezone,
    buckets: starts.map((s) => ({ start: s.start, ...(byBucket.get(s.start.getTime()) ?? emptyStats()) })),
    tenants: [...byTenant.entries()]
      .map(([tenantId, s]) => ({ tenantId, tenantName: names.get(tenantId) ?? tenantId, ...s }))
      .sort((a, b) => a.tenantName.localeCompare(b.tenantName)),
    total,
  };
}
