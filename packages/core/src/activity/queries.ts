/**
 * The SQL of the activity rollups (issue 8, "Activity metrics"), behind one interface,
 * {@link ActivityRollupQueries}, so the rest of the platform never depends on how the rows are made.
 * {@link apacheActivityQueries} is plain PostgreSQL + TimescaleDB Apache-edition features
 * (hypertables, `time_bucket`): every statement is set-based over ALL tenants for one time range —
 * no per-tenant loop — and idempotent (`INSERT … ON CONFLICT DO UPDATE`, rows rewritten only when a
 * value changed, so a re-run leaves identical rows, `computed_at` included).
 *
 * ## Where continuous aggregates could replace it (`timescaledb.license = 'timescale'`)
 * The hourly fleet rollup is a continuous aggregate in all but name: one hypertable per source
 * grouped by (tenant_id, time_bucket('1 hour', time)). On the Timescale-License edition an
 * implementation of this interface could create three hierarchical-free caggs
 * (`CREATE MATERIALIZED VIEW … WITH (timescaledb.continuous) AS SELECT tenant_id,
 * time_bucket('1 hour', time) …` over tel_positions, tel_events and msg_messages), refresh them in
 * {@link ActivityRollupQueries.fleetHourly} with `CALL refresh_continuous_aggregate(view, from, to)`
 * (or a refresh policy) and expose a view with adm_tenant_fleet_hourly's columns joining the three;
 * `count(DISTINCT vehicle_id)` is allowed in caggs since TimescaleDB 2.7 (non-parallel finalized form).
 * The daily rows cannot be a cagg: each tenant's day is bucketed in its own time zone (caggs take one
 * fixed zone), and they join ten tables (caggs read one hypertable). They stay this SQL on both
 * editions; only the hourly implementation would change. Choosing the implementation by
 * `getTimescaleStatus(db).tslFeatures` is left for when the licence is present.
 */
import type { Db } from "@fleetcore/db";
import { localDay, nextDay, startOfLocalDay } from "../billing/usage";
import {
  MESSAGE_RESPONSE_WINDOW_S,
  messageIsReplySql,
  messageThreadStartSql,
  messageTurnsCte,
} from "../messaging/analytics";
import { MIN_STOP_DURATION_S, TRIP_SPEED_THRESHOLD_KPH } from "../telemetry/replay";

/** A tenant the rollup covers, with the IANA zone its days are counted in. */
export interface RollupTenant {
  tenantId: string;
  timeZone: string;
}

/** One range of one rollup statement. */
export interface RollupRange {
  /** Start of the range (inclusive). The hourly rollup widens it down to its UTC hour. */
  from: Date;
  /** End of the range (exclusive); usually "now". */
  to: Date;
  /** The tenants to (re)compute; the statement touches no other tenant's rows. */
  tenants: readonly RollupTenant[];
}

/** What one rollup statement changed. */
export interface RollupWrite {
  /** Rows inserted or updated (rows whose values were unchanged are not rewritten and not counted). */
  upserted: number;
  /** Rows removed because their source rows are gone (hourly rollup only). */
  deleted: number;
}

/**
 * The rollups as statements over a time range for a set of tenants, run inside the caller's
 * transaction (system scope: every table read or written is provider-only under RLS).
 */
export interface ActivityRollupQueries {
  /**
   * Recomputes adm_tenant_fleet_hourly for every UTC hour overlapping [from, to): hours with data
   * are upserted, rows of hours whose data vanished (deleted positions) are deleted.
   */
  fleetHourly(db: Db, range: RollupRange): Promise<RollupWrite>;
  /**
   * Recomputes adm_tenant_activity_metrics for every tenant-local day overlapping [from, to), each
   * day from all its source rows (not only those inside the range). Never writes churn_risk_score.
   */
  dailyActivity(db: Db, range: RollupRange): Promise<RollupWrite>;
}

/** A new product session starts after this much inactivity (Google Analytics' default, 30 min). */
export const USAGE_SESSION_GAP_S = 30 * 60;

/** Rounds an instant down to its UTC hour. */
export function floorToHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
}

/*
 * Hourly fleet rollup. $1 tenant ids, $2 first hour (inclusive), $3 end (exclusive).
 * One GROUP BY per source, combined with UNION ALL and a second GROUP BY: active vehicles and the
 * speed average come from positions alone, so max() of the per-source values is the value.
 */
const FLEET_HOURLY_SQL = `
WITH agg AS (
  SELECT x.tenant_id, x.hour,
         max(x.active_vehicles)::int AS active_vehicles, sum(x.positions)::int AS positions,
         round(sum(x.distance_m))::bigint AS distance_m, max(x.avg_speed_kph) AS avg_speed_kph,
         sum(x.events)::int AS events, sum(x.alerts)::int AS alerts,
         sum(x.sent)::int AS messages_sent, sum(x.received)::int AS messages_received
    FROM (
      SELECT p.tenant_id, time_bucket('1 hour', p.time) AS hour,
             count(DISTINCT p.vehicle_id) AS active_vehicles, count(*) AS positions,
             coalesce(sum(p.distance_m::float8), 0) AS distance_m,
             avg(p.speed_kph::float8) FILTER (WHERE p.speed_kph > ${TRIP_SPEED_THRESHOLD_KPH}) AS avg_speed_kph,
             0 AS events, 0 AS alerts, 0 AS sent, 0 AS received
        FROM tel_positions p
       WHERE p.tenant_id = ANY($1::uuid[]) AND p.time >= $2::timestamptz AND p.time < $3::timestamptz
       GROUP BY 1, 2
      UNION ALL
      SELECT e.tenant_id, time_bucket('1 hour', e.time), 0, 0, 0, NULL,
             count(*), count(*) FILTER (WHERE e.severity IN ('warning', 'critical')), 0, 0
        FROM tel_events e
       WHERE e.tenant_id = ANY($1::uuid[]) AND e.time >= $2::timestamptz AND e.time < $3::timestamptz
       GROUP BY 1, 2
      UNION ALL
      SELECT m.tenant_id, time_bucket('1 hour', m.time), 0, 0, 0, NULL, 0, 0,
             count(*) FILTER (WHERE m.direction = 'outbound' AND m.status <> 'blocked'),
             count(*) FILTER (WHERE m.direction = 'inbound')
        FROM msg_messages m
       WHERE m.tenant_id = ANY($1::uuid[]) AND m.time >= $2::timestamptz AND m.time < $3::timestamptz
       GROUP BY 1, 2
    ) x
   GROUP BY x.tenant_id, x.hour
), up AS (
  INSERT INTO adm_tenant_fleet_hourly AS h
         (tenant_id, hour, active_vehicles, positions, distance_m, avg_speed_kph, events, alerts,
          messages_sent, messages_received, computed_at)
  SELECT a.tenant_id, a.hour, a.active_vehicles, a.positions, a.distance_m, a.avg_speed_kph, a.events, a.alerts,
         a.messages_sent, a.messages_received, now()
    FROM agg a
  ON CONFLICT (tenant_id, hour) DO UPDATE
     SET active_vehicles = excluded.active_vehicles, positions = excluded.positions,
         distance_m = excluded.distance_m, avg_speed_kph = excluded.avg_speed_kph, events = excluded.events,
         alerts = excluded.alerts, messages_sent = excluded.messages_sent,
         messages_received = excluded.messages_received, computed_at = excluded.computed_at
   WHERE (h.active_vehicles, h.positions, h.distance_m, h.avg_speed_kph, h.events, h.alerts,
          h.messages_sent, h.messages_received)
         IS DISTINCT FROM
         (excluded.active_vehicles, excluded.positions, excluded.distance_m, excluded.avg_speed_kph,
          excluded.events, excluded.alerts, excluded.messages_sent, excluded.messages_received)
  RETURNING 1
), del AS (
  DELETE FROM adm_tenant_fleet_hourly h
   WHERE h.tenant_id = ANY($1::uuid[]) AND h.hour >= $2::timestamptz AND h.hour < $3::timestamptz
     AND NOT EXISTS (SELECT 1 FROM agg a WHERE a.tenant_id = h.tenant_id AND a.hour = h.hour)
  RETURNING 1
)
SELECT (SELECT count(*) FROM up)::int AS upserted, (SELECT count(*) FROM del)::int AS deleted`;

/*
 * Daily activity per tenant-local day. Parameters:
 *   $1 tenant ids, $2 their time zones (parallel arrays), $3 from, $4 to (the range whose local days
 *   are recomputed), $5 lo, $6 hi (the instants that bound every one of those days in every zone:
 *   source scans use constants, so TimescaleDB excludes chunks outside them).
 * A source row belongs to the day `(time AT TIME ZONE tz)::date`, so a day is 23 or 25 hours long
 * when clocks change. Each CTE aggregates one source per (tenant, day); days outside a tenant's
 * [from_day, to_day] that a scan also sees are dropped by the final join with `days`.
 */
const DAILY_ACTIVITY_SQL = `
WITH tenants AS (
  SELECT u.tenant_id, u.tz, (t.created_at AT TIME ZONE u.tz)::date AS first_day,
         ($3::timestamptz AT TIME ZONE u.tz)::date AS from_day,
         (($4::timestamptz - interval '1 millisecond') AT TIME ZONE u.tz)::date AS to_day
    FROM unnest($1::uuid[], $2::text[]) AS u(tenant_id, tz)
    JOIN adm_tenants t ON t.id = u.tenant_id
), days AS (
  SELECT te.tenant_id, te.first_day, g::date AS day,
         (g::date)::timestamp AT TIME ZONE te.tz AS day_start,
         (g::date + 1)::timestamp AT TIME ZONE te.tz AS day_end
    FROM tenants te, generate_series(te.from_day::timestamp, te.to_day::timestamp, interval '1 day') g
), pos AS (
  SELECT p.tenant_id, (p.time AT TIME ZONE te.tz)::date AS day,
         count(*) AS positions, coalesce(sum(p.distance_m::float8), 0) AS distance_m,
         count(DISTINCT p.vehicle_id) AS active_vehicles
    FROM tel_positions p JOIN tenants te ON te.tenant_id = p.tenant_id
   WHERE p.time >= $5::timestamptz AND p.time < $6::timestamptz
   GROUP BY 1, 2
), moves AS (
  -- Moving fixes, each with the time since the device's previous moving fix (looking back far
  -- enough before $5 to know whether the first one continues a trip).
  SELECT p.tenant_id, p.time,
         p.time - lag(p.time) OVER (PARTITION BY p.device_id ORDER BY p.time) AS since_prev
    FROM tel_positions p
   WHERE p.tenant_id = ANY($1::uuid[]) AND p.speed_kph > ${TRIP_SPEED_THRESHOLD_KPH}
     AND p.time >= $5::timestamptz - interval '${MIN_STOP_DURATION_S} seconds' AND p.time < $6::timestamptz
), trips AS (
  SELECT m.tenant_id, (m.time AT TIME ZONE te.tz)::date AS day, count(*) AS trips
    FROM moves m JOIN tenants te ON te.tenant_id = m.tenant_id
   WHERE m.time >= $5::timestamptz
     AND (m.since_prev IS NULL OR m.since_prev >= interval '${MIN_STOP_DURATION_S} seconds')
   GROUP BY 1, 2
), drivers AS (
  SELECT x.tenant_id, x.day, count(DISTINCT x.driver_id) AS active_drivers
    FROM (
      SELECT p.tenant_id, (p.time AT TIME ZONE te.tz)::date AS day, a.driver_id
        FROM tel_positions p
        JOIN tenants te ON te.tenant_id = p.tenant_id
        JOIN flt_vehicle_assignments a
          ON a.vehicle_id = p.vehicle_id AND a.tenant_id = p.tenant_id
         AND a.start_at <= p.time AND (a.end_at IS NULL OR a.end_at > p.time)
       WHERE p.time >= $5::timestamptz AND p.time < $6::timestamptz
      UNION ALL
      SELECT m.tenant_id, (m.time AT TIME ZONE te.tz)::date, m.driver_id
        FROM msg_messages m JOIN tenants te ON te.tenant_id = m.tenant_id
       WHERE m.time >= $5::timestamptz AND m.time < $6::timestamptz
         AND m.direction = 'inbound' AND m.driver_id IS NOT NULL
    ) x
   GROUP BY 1, 2
), msrc AS (
  -- Messages with 24 h of context either side: threads need the turn before, answers come later.
  SELECT m.id, m.time, m.tenant_id, m.conversation_id, m.direction, m.status,
         ${messageIsReplySql("m")} AS is_reply
    FROM msg_messages m
   WHERE m.tenant_id = ANY($1::uuid[])
     AND m.time >= $5::timestamptz - interval '${MESSAGE_RESPONSE_WINDOW_S} seconds'
     AND m.time < $6::timestamptz + interval '${MESSAGE_RESPONSE_WINDOW_S} seconds'
), ${messageTurnsCte("msrc", "s.tenant_id")}, responses AS (
  SELECT t.tenant_id, (t.time AT TIME ZONE te.tz)::date AS day,
         round(percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM t.next_reply_at - t.time)::float8))::int AS median_response_s
    FROM turns t JOIN tenants te ON te.tenant_id = t.tenant_id
   WHERE t.time >= $5::timestamptz AND t.time < $6::timestamptz
     AND ${messageThreadStartSql("t", `interval '${MESSAGE_RESPONSE_WINDOW_S} seconds'`)}
     AND t.next_reply_at <= t.time + interval '${MESSAGE_RESPONSE_WINDOW_S} seconds'
   GROUP BY 1, 2
), msgs AS (
  SELECT s.tenant_id, (s.time AT TIME ZONE te.tz)::date AS day,
         count(*) FILTER (WHERE s.direction = 'outbound' AND s.status <> 'blocked') AS sent,
         count(*) FILTER (WHERE s.direction = 'inbound') AS received
    FROM msrc s JOIN tenants te ON te.tenant_id = s.tenant_id
   WHERE s.time >= $5::timestamptz AND s.time < $6::timestamptz
   GROUP BY 1, 2
), events AS (
  SELECT e.tenant_id, (e.time AT TIME ZONE te.tz)::date AS day, count(*) AS events,
         count(*) FILTER (WHERE e.severity IN ('warning', 'critical')) AS alerts
    FROM tel_events e JOIN tenants te ON te.tenant_id = e.tenant_id
   WHERE e.time >= $5::timestamptz AND e.time < $6::timestamptz
   GROUP BY 1, 2
), tickets AS (
  -- Tickets created before the day's end and not resolved/closed before it started.
  SELECT d.tenant_id, d.day,
         count(*) FILTER (WHERE tk.created_at >= d.day_start) AS opened,
         count(*) FILTER (WHERE least(tk.resolved_at, tk.closed_at) IS NULL
                             OR least(tk.resolved_at, tk.closed_at) >= d.day_end) AS still_open
    FROM days d
    JOIN sup_tickets tk ON tk.tenant_id = d.tenant_id AND tk.created_at < d.day_end
     AND (least(tk.resolved_at, tk.closed_at) IS NULL OR least(tk.resolved_at, tk.closed_at) >= d.day_start)
   GROUP BY 1, 2
), feedback AS (
  SELECT f.tenant_id, (f.responded_at AT TIME ZONE te.tz)::date AS day,
         count(*) FILTER (WHERE f.kind = 'csat') AS csat_responses,
         round(avg(f.rating) FILTER (WHERE f.kind = 'csat'), 2) AS csat_avg,
         count(*) FILTER (WHERE f.kind = 'nps') AS nps_responses,
         round(100.0 * (count(*) FILTER (WHERE f.kind = 'nps' AND f.rating >= 9)
                        - count(*) FILTER (WHERE f.kind = 'nps' AND f.rating <= 6))
               / nullif(count(*) FILTER (WHERE f.kind = 'nps'), 0))::int AS nps
    FROM sup_customer_feedback f JOIN tenants te ON te.tenant_id = f.tenant_id
   WHERE f.rating IS NOT NULL AND f.responded_at >= $5::timestamptz AND f.responded_at < $6::timestamptz
   GROUP BY 1, 2
), payments AS (
  SELECT e.tenant_id, (e.created_at AT TIME ZONE te.tz)::date AS day, count(*) AS failed_payments
    FROM bil_stripe_events e JOIN tenants te ON te.tenant_id = e.tenant_id
   WHERE e.type = 'invoice.payment_failed' AND e.created_at >= $5::timestamptz AND e.created_at < $6::timestamptz
   GROUP BY 1, 2
), logins AS (
  -- A sign-in counts for every tenant the person is an active member of (staff are no members).
  SELECT mb.tenant_id, (l.created_at AT TIME ZONE te.tz)::date AS day, l.actor_user_id AS user_id
    FROM adm_audit_logs l
    JOIN adm_members mb ON mb.user_id = l.actor_user_id AND mb.status = 'active' AND mb.deleted_at IS NULL
    JOIN tenants te ON te.tenant_id = mb.tenant_id
   WHERE l.action = 'auth.login' AND l.created_at >= $5::timestamptz AND l.created_at < $6::timestamptz
), uses AS (
  SELECT u.tenant_id, (u.time AT TIME ZONE te.tz)::date AS day, u.user_id, u.feature, u.time
    FROM adm_product_usage_events u JOIN tenants te ON te.tenant_id = u.tenant_id
   WHERE u.time >= $5::timestamptz AND u.time < $6::timestamptz
), features AS (
  SELECT f.tenant_id, f.day, jsonb_object_agg(f.feature, f.uses) AS features_used, count(*) AS feature_count
    FROM (SELECT tenant_id, day, feature, count(*) AS uses FROM uses GROUP BY 1, 2, 3) f
   GROUP BY 1, 2
), sessions AS (
  SELECT s.tenant_id, s.day,
         count(*) FILTER (WHERE s.gap IS NULL OR s.gap >= interval '${USAGE_SESSION_GAP_S} seconds') AS sessions
    FROM (SELECT u.tenant_id, u.day,
                 u.time - lag(u.time) OVER (PARTITION BY u.tenant_id, u.user_id, u.day ORDER BY u.time) AS gap
            FROM uses u WHERE u.user_id IS NOT NULL) s
   GROUP BY 1, 2
), people AS (
  SELECT x.tenant_id, x.day, count(DISTINCT x.user_id) AS active_users,
         count(*) FILTER (WHERE x.is_login) AS logins
    FROM (SELECT tenant_id, day, user_id, true AS is_login FROM logins
          UNION ALL
          SELECT tenant_id, day, user_id, false FROM uses WHERE user_id IS NOT NULL) x
   GROUP BY 1, 2
), seats AS (
  SELECT d.tenant_id, d.day, count(*) AS seats_used
    FROM days d
    JOIN adm_members mb ON mb.tenant_id = d.tenant_id AND mb.status = 'active'
     AND coalesce(mb.joined_at, mb.created_at) < d.day_end
     AND (mb.deleted_at IS NULL OR mb.deleted_at >= d.day_end)
   GROUP BY 1, 2
), plans AS (
  -- The subscription in force that day (the newest one not yet ended), else the newest at all.
  SELECT d.tenant_id, d.day, pl.included_drivers AS seats_plan, pl.included_vehicles AS vehicles_plan
    FROM days d
    CROSS JOIN LATERAL (
      SELECT s.plan_id
        FROM bil_tenant_subscriptions s
       WHERE s.tenant_id = d.tenant_id AND s.status NOT IN ('incomplete', 'incomplete_expired')
         AND coalesce(s.ended_at, CASE WHEN s.status = 'canceled' THEN coalesce(s.canceled_at, s.updated_at) END,
                      'infinity'::timestamptz) > d.day_start
       ORDER BY (s.created_at < d.day_end) DESC, s.created_at DESC
       LIMIT 1) s
    JOIN bil_billing_plans pl ON pl.id = s.plan_id
)
INSERT INTO adm_tenant_activity_metrics AS t
       (tenant_id, period_start, period_end, active_users, logins, sessions, active_drivers, active_vehicles,
        positions, distance_m, trips, messages_sent, messages_received, median_response_s, events, alerts,
        tickets_opened, tickets_open, csat_responses, csat_avg, nps_responses, nps, failed_payments,
        features_used, feature_count, seats_used, seats_plan, vehicles_plan, computed_at)
SELECT d.tenant_id, d.day, d.day + 1,
       coalesce(pe.active_users, 0), coalesce(pe.logins, 0), coalesce(se.sessions, 0),
       coalesce(dr.active_drivers, 0), coalesce(po.active_vehicles, 0),
       coalesce(po.positions, 0), round(coalesce(po.distance_m, 0))::bigint, coalesce(tr.trips, 0),
       coalesce(ms.sent, 0), coalesce(ms.received, 0), re.median_response_s,
       coalesce(ev.events, 0), coalesce(ev.alerts, 0),
       coalesce(tk.opened, 0), coalesce(tk.still_open, 0),
       coalesce(fb.csat_responses, 0), fb.csat_avg, coalesce(fb.nps_responses, 0), fb.nps,
       coalesce(pa.failed_payments, 0),
       coalesce(fe.features_used, '{}'::jsonb), coalesce(fe.feature_count, 0),
       coalesce(st.seats_used, 0), pl.seats_plan, pl.vehicles_plan, now()
  FROM days d
  LEFT JOIN pos po ON po.tenant_id = d.tenant_id AND po.day = d.day
  LEFT JOIN trips tr ON tr.tenant_id = d.tenant_id AND tr.day = d.day
  LEFT JOIN drivers dr ON dr.tenant_id = d.tenant_id AND dr.day = d.day
  LEFT JOIN responses re ON re.tenant_id = d.tenant_id AND re.day = d.day
  LEFT JOIN msgs ms ON ms.tenant_id = d.tenant_id AND ms.day = d.day
  LEFT JOIN events ev ON ev.tenant_id = d.tenant_id AND ev.day = d.day
  LEFT JOIN tickets tk ON tk.tenant_id = d.tenant_id AND tk.day = d.day
  LEFT JOIN feedback fb ON fb.tenant_id = d.tenant_id AND fb.day = d.day
  LEFT JOIN payments pa ON pa.tenant_id = d.tenant_id AND pa.day = d.day
  LEFT JOIN features fe ON fe.tenant_id = d.tenant_id AND fe.day = d.day
  LEFT JOIN sessions se ON se.tenant_id = d.tenant_id AND se.day = d.day
  LEFT JOIN people pe ON pe.tenant_id = d.tenant_id AND pe.day = d.day
  LEFT JOIN seats st ON st.tenant_id = d.tenant_id AND st.day = d.day
  LEFT JOIN plans pl ON pl.tenant_id = d.tenant_id AND pl.day = d.day
 -- Days before the tenant existed get a row only when something happened (back-dated imports).
 WHERE d.day >= d.first_day
    OR po.tenant_id IS NOT NULL OR ms.tenant_id IS NOT NULL OR ev.tenant_id IS NOT NULL
    OR pe.tenant_id IS NOT NULL OR fb.tenant_id IS NOT NULL OR pa.tenant_id IS NOT NULL OR tk.opened > 0
ON CONFLICT (tenant_id, period_start) DO UPDATE
   SET period_end = excluded.period_end, active_users = excluded.active_users, logins = excluded.logins,
       sessions = excluded.sessions, active_drivers = excluded.active_drivers,
       active_vehicles = excluded.active_vehicles, positions = excluded.positions,
       distance_m = excluded.distance_m, trips = excluded.trips, messages_sent = excluded.messages_sent,
       messages_received = excluded.messages_received, median_response_s = excluded.median_response_s,
       events = excluded.events, alerts = excluded.alerts, tickets_opened = excluded.tickets_opened,
       tickets_open = excluded.tickets_open, csat_responses = excluded.csat_responses,
       csat_avg = excluded.csat_avg, nps_responses = excluded.nps_responses, nps = excluded.nps,
       failed_payments = excluded.failed_payments, features_used = excluded.features_used,
       feature_count = excluded.feature_count, seats_used = excluded.seats_used,
       seats_plan = excluded.seats_plan, vehicles_plan = excluded.vehicles_plan,
       computed_at = excluded.computed_at
       -- churn_risk_score is the daily scoring's column: never touched here.
 WHERE (t.period_end, t.active_users, t.logins, t.sessions, t.active_drivers, t.active_vehicles, t.positions,
        t.distance_m, t.trips, t.messages_sent, t.messages_received, t.median_response_s, t.events, t.alerts,
        t.tickets_opened, t.tickets_open, t.csat_responses, t.csat_avg, t.nps_responses, t.nps,
        t.failed_payments, t.features_used, t.feature_count, t.seats_used, t.seats_plan, t.vehicles_plan)
       IS DISTINCT FROM
       (excluded.period_end, excluded.active_users, excluded.logins, excluded.sessions, excluded.active_drivers,
        excluded.active_vehicles, excluded.positions, excluded.distance_m, excluded.trips,
        excluded.messages_sent, excluded.messages_received, excluded.median_response_s, excluded.events,
        excluded.alerts, excluded.tickets_opened, excluded.tickets_open, excluded.csat_responses,
        excluded.csat_avg, excluded.nps_responses, excluded.nps, excluded.failed_payments,
        excluded.features_used, excluded.feature_count, excluded.seats_used, excluded.seats_plan,
        excluded.vehicles_plan)`;

/**
 * The instants that bound every tenant-local day overlapping [from, to) in every zone of `tenants`:
 * lo = the earliest local midnight starting such a day, hi = the latest local midnight ending one —
 * exactly the `day_start` / `day_end` the SQL derives (`day::timestamp AT TIME ZONE tz`), DST included.
 */
export function dailyScanBounds(range: RollupRange): { lo: Date; hi: Date } {
  let lo = range.from.getTime();
  let hi = range.to.getTime();
  for (const timeZone of new Set(range.tenants.map((t) => t.timeZone))) {
    const firstDay = localDay(range.from, timeZone);
    const lastDay = localDay(new Date(range.to.getTime() - 1), timeZone);
    lo = Math.min(lo, startOfLocalDay(firstDay, timeZone).getTime());
    hi = Math.max(hi, startOfLocalDay(nextDay(lastDay), timeZone).getTime());
  }
  return { lo: new Date(lo), hi: new Date(hi) };
}

/**
 * The Apache-edition implementation of {@link ActivityRollupQueries} (plain SQL; see the file comment
 * for what a Timescale-License implementation would replace). Definitions of the daily figures, for a
 * tenant's local calendar day D (adm_tenants.timezone):
 *
 * - **active_vehicles, positions, distance_m**: vehicles with ≥ 1 position in D; positions in D; the
 *   sum of tel_positions.distance_m (metres from the device's previous fix, derived at ingest).
 * - **trips**: motion segments, after Traccar's report rules as replay.ts applies them: a fix moves above
 *   {@link TRIP_SPEED_THRESHOLD_KPH} km/h; a trip starts at a moving fix when the device's previous
 *   moving fix is at least {@link MIN_STOP_DURATION_S} s (a stop, or a data gap) earlier, or there is
 *   none; the trip counts on the day it starts.
 * - **active_drivers**: as billing/usage.ts — drivers assigned (flt_vehicle_assignments) to a vehicle
 *   when it reported a position in D, plus drivers who wrote a message in D.
 * - **messages_sent / received**: outbound not blocked / inbound (messaging/analytics.ts);
 *   **median_response_s**: median response time of the threads that started in D and were answered
 *   within 24 h — the thread, reply and window definitions of `messageAnalytics`; null when none.
 * - **events / alerts**: tel_events in D / those of severity warning or critical.
 * - **tickets_opened**: created in D; **tickets_open**: created before D's end and neither resolved
 *   nor closed by then (a ticket reopened later shows its current resolution only).
 * - **csat_***: answered csat feedback in D (responded_at), count and mean rating (1–5, 2 decimals);
 *   **nps_***: answered nps feedback, count and % promoters (9–10) − % detractors (0–6), rounded.
 * - **failed_payments**: Stripe `invoice.payment_failed` events of the tenant created in D.
 * - **logins**: `auth.login` audit rows of people who are active members of the tenant (a person in
 *   two tenants counts for both); **features_used / feature_count**: adm_product_usage_events in D,
 *   `{feature: uses}` and the number of distinct features; **sessions**: usage sessions — a person's
 *   events more than {@link USAGE_SESSION_GAP_S} s apart (or across midnight) start a new one, Google
 *   Analytics' rule (adm_sessions rows are deleted at sign-out, so they cannot count past days);
 *   **active_users**: distinct people who signed in or used a feature in D.
 * - **seats_used**: active members who had joined by D's end and were not removed by then;
 *   **seats_plan / vehicles_plan**: included drivers / vehicles of the plan of the subscription in
 *   force in D (null without one).
 *
 * Rows are written for every day from the tenant's creation day (zeros included, so "no logins" is a
 * fact, not a gap), and for earlier days that have activity.
 */
export const apacheActivityQueries: ActivityRollupQueries = {
  async fleetHourly(db, range) {
    if (range.tenants.length === 0 || !(range.from < range.to)) return { upserted: 0, deleted: 0 };
    const [row] = await db.$queryRawUnsafe<RollupWrite[]>(
      FLEET_HOURLY_SQL,
      range.tenants.map((t) => t.tenantId),
      floorToHour(range.from),
      range.to,
    );
    return row ?? { upserted: 0, deleted: 0 };
  },

  async dailyActivity(db, range) {
    if (range.tenants.length === 0 || !(range.from < range.to)) return { upserted: 0, deleted: 0 };
    const { lo, hi } = dailyScanBounds(range);
    const upserted = await db.$executeRawUnsafe(
      DAILY_ACTIVITY_SQL,
      range.tenants.map((t) => t.tenantId),
      range.tenants.map((t) => t.timeZone),
      range.from,
      range.to,
      lo,
      hi,
    );
    return { upserted, deleted: 0 };
  },
};
