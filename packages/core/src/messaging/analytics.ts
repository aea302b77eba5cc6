/**
 * Message analytics (customer-portal spec §4, "Communication Analytics"): how much a tenant and its
 * drivers write, how fast and how often dispatchers answer, and how many sends fail — over a period,
 * per time bucket, hour of day, weekday and driver. Reads msg_messages (a hypertable) with
 * TimescaleDB's `time_bucket(interval, time, timezone)` in the tenant's time zone.
 */
import type { Db } from "@fleetcore/db";
import {
  type MessageAnalytics,
  type MessageAnalyticsBucket,
  type MessageStats,
  usableTimeZone,
} from "@fleetcore/validators";
import { chooseBucket } from "../analytics/buckets";
import { DomainError } from "../errors";

const DAY_MS = 86_400_000;

/** The longest period {@link messageAnalytics} accepts, days (as ZMessageAnalyticsRequest). */
const MAX_PERIOD_DAYS = 400;
/** Most buckets one answer holds; a finer bucket size is widened (hour → day → week → month) to fit. */
export const MESSAGE_ANALYTICS_MAX_BUCKETS = 1000;
/** An inbound thread is answered when a dispatcher's reply comes within this time of its first message. */
export const MESSAGE_RESPONSE_WINDOW_S = 24 * 3600;

const BUCKET_ORDER: MessageAnalyticsBucket[] = ["hour", "day", "week", "month"];
const BUCKET_INTERVAL: Record<MessageAnalyticsBucket, string> = {
  hour: "1 hour",
  day: "1 day",
  week: "1 week",
  month: "1 month",
};
/**
 * The bucket size for a period: the one asked for, else hour up to 2 days, day up to 90 days, week
 * beyond; then widened while the period would need more than {@link MESSAGE_ANALYTICS_MAX_BUCKETS}.
 */
export function messageAnalyticsBucket(from: Date, to: Date, asked?: MessageAnalyticsBucket): MessageAnalyticsBucket {
  return chooseBucket(from, to, {
    order: BUCKET_ORDER,
    maxBuckets: MESSAGE_ANALYTICS_MAX_BUCKETS,
    asked,
    defaults: [
      [2 * DAY_MS, "hour"],
      [90 * DAY_MS, "day"],
      [Number.POSITIVE_INFINITY, "week"],
    ],
  });
}

interface StatsRow {
  grouped_by: "bucket" | "driver" | "hour" | "weekday" | "total";
  bucket: Date | null;
  driver_id: string | null;
  driver_name: string | null;
  hour: number | null;
  iso_weekday: number | null;
  sent: number;
  received: number;
  threads: number;
  answered: number;
  median_response_s: number | null;
  p90_response_s: number | null;
  delivery_attempts: number;
  failed: number;
}

const EMPTY_STATS: MessageStats = {
  sent: 0,
  received: 0,
  threads: 0,
  answered: 0,
  responseRate: null,
  medianResponseS: null,
  p90ResponseS: null,
  deliveryAttempts: 0,
  failed: 0,
  failureRate: null,
};

function toStats(r: StatsRow): MessageStats {
  return {
    sent: r.sent,
    received: r.received,
    threads: r.threads,
    answered: r.answered,
    responseRate: r.threads > 0 ? r.answered / r.threads : null,
    medianResponseS: r.median_response_s,
    p90ResponseS: r.p90_response_s,
    deliveryAttempts: r.delivery_attempts,
    failed: r.failed,
    failureRate: r.delivery_attempts > 0 ? r.failed / r.delivery_attempts : null,
  };
}

/*
 * Where a message falls, as SQL: the start of its bucket. Day, week and month buckets are TimescaleDB's
 * `time_bucket(interval, time, timezone)`: local midnight, Monday, the 1st. Hour buckets step one real
 * hour from the local hour that holds `from` ($8), so the day clocks go back has 25 distinct hours
 * rather than one local "02:00" bucket holding two (the same local hours wherever offsets change by
 * whole hours, as almost every zone's do).
 */
function bucketSql(bucket: MessageAnalyticsBucket, time: string): string {
  return bucket === "hour"
    ? `time_bucket($4::interval, ${time}, $8::timestamptz)`
    : `time_bucket($4::interval, ${time}, $5::text)`;
}

/**
 * SQL: whether message `m` is a dispatcher's reply (outbound, not blocked, sent by a person) — the
 * turns that answer a driver. Shared with the daily activity rollup (activity/queries.ts).
 */
export function messageIsReplySql(m: string): string {
  return `(${m}.direction = 'outbound' AND ${m}.status <> 'blocked' AND ${m}.sent_by_user_id IS NOT NULL)`;
}

/**
 * SQL: the `turns` CTE over `src` (rows with id, time, conversation_id, direction, is_reply and
 * `columns`): inbound messages and dispatcher replies in conversation order, each with the previous
 * turn's direction and time and `next_reply_at`, the first reply after it (a running min over the
 * conversation in reverse order). Shared with the daily activity rollup (activity/queries.ts).
 */
export function messageTurnsCte(src: string, columns: string): string {
  return `turns AS (
  SELECT ${columns}, s.time, s.direction,
         lag(s.direction) OVER forward AS prev_direction,
         lag(s.time) OVER forward AS prev_time,
         min(s.time) FILTER (WHERE s.is_reply) OVER (
           PARTITION BY s.conversation_id ORDER BY s.time DESC, s.id DESC
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS next_reply_at
    FROM ${src} s
   WHERE s.direction = 'inbound' OR s.is_reply
  WINDOW forward AS (PARTITION BY s.conversation_id ORDER BY s.time, s.id)
)`;
}

/**
 * SQL condition on a `turns` row `t`: an inbound message that starts a thread — the previous turn
 * was not inbound, or was more than `window` (an SQL interval) earlier.
 */
export function messageThreadStartSql(t: string, window: string): string {
  return `${t}.direction = 'inbound'
     AND (${t}.prev_direction IS DISTINCT FROM 'inbound' OR ${t}.prev_time < ${t}.time - ${window})`;
}

/*
 * One pass over the period's messages (plus 24 h either side, for thread context and late answers),
 * aggregated with GROUPING SETS: per bucket, per driver, per local hour, per local weekday, and in total.
 * $1 tenant, $2 from, $3 to, $4 bucket interval, $5 time zone, $6 driver or null, $7 response window (s),
 * $8 the first bucket's start (hour buckets only: a statement may not carry a parameter it does not use).
 *
 * - `turns` keeps what makes a conversation's threads: inbound messages and dispatcher replies, in order;
 *   `next_reply_at` is the first reply after each (a running min over the conversation in reverse order).
 * - `threads`: inbound messages that start a thread, with their response time when answered in the window.
 * - `facts`: one row per message in [from, to), one per thread that started in it.
 */
function statsSql(bucket: MessageAnalyticsBucket): string {
  return `
WITH src AS (
  SELECT m.id, m.time, m.conversation_id, m.driver_id, m.direction, m.status,
         ${messageIsReplySql("m")} AS is_reply
    FROM msg_messages m
   WHERE m.tenant_id = $1::uuid
     AND m.time >= $2::timestamptz - make_interval(secs => $7::float8)
     AND m.time < $3::timestamptz + make_interval(secs => $7::float8)
     AND ($6::uuid IS NULL OR m.driver_id = $6::uuid)
), ${messageTurnsCte("src", "s.driver_id")}, threads AS (
  SELECT t.time, t.driver_id,
         CASE WHEN t.next_reply_at <= t.time + make_interval(secs => $7::float8)
              THEN extract(epoch FROM t.next_reply_at - t.time)::float8 END AS response_s
    FROM turns t
   WHERE t.time >= $2::timestamptz AND t.time < $3::timestamptz
     AND ${messageThreadStartSql("t", "make_interval(secs => $7::float8)")}
), facts AS (
  SELECT s.time, s.driver_id, true AS is_message, s.direction, s.status, NULL::float8 AS response_s
    FROM src s
   WHERE s.time >= $2::timestamptz AND s.time < $3::timestamptz
  UNION ALL
  SELECT th.time, th.driver_id, false, NULL, NULL, th.response_s
    FROM threads th
), placed AS (
  SELECT f.*,
         ${bucketSql(bucket, "f.time")} AS bucket,
         extract(hour FROM f.time AT TIME ZONE $5::text)::int AS hour,
         extract(isodow FROM f.time AT TIME ZONE $5::text)::int AS iso_weekday
    FROM facts f
), stats AS (
  SELECT CASE WHEN grouping(p.bucket) = 0 THEN 'bucket'
              WHEN grouping(p.driver_id) = 0 THEN 'driver'
              WHEN grouping(p.hour) = 0 THEN 'hour'
              WHEN grouping(p.iso_weekday) = 0 THEN 'weekday'
              ELSE 'total' END AS grouped_by,
         p.bucket, p.driver_id, p.hour, p.iso_weekday,
         count(*) FILTER (WHERE p.is_message AND p.direction = 'outbound' AND p.status <> 'blocked')::int AS sent,
         count(*) FILTER (WHERE p.is_message AND p.direction = 'inbound')::int AS received,
         count(*) FILTER (WHERE NOT p.is_message)::int AS threads,
         count(p.response_s)::int AS answered,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY p.response_s) AS median_response_s,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY p.response_s) AS p90_response_s,
         count(*) FILTER (WHERE p.is_message AND p.direction = 'outbound'
                            AND p.status IN ('sent', 'delivered', 'read', 'failed'))::int AS delivery_attempts,
         count(*) FILTER (WHERE p.is_message AND p.direction = 'outbound' AND p.status = 'failed')::int AS failed
    FROM placed p
   GROUP BY GROUPING SETS ((p.bucket), (p.driver_id), (p.hour), (p.iso_weekday), ())
)
SELECT st.*,
       (SELECT d.first_name || ' ' || d.last_name FROM rid_drivers d
         WHERE d.id = st.driver_id AND d.tenant_id = $1::uuid) AS driver_name
  FROM stats st`;
}

/*
 * Every bucket start overlapping [from, to), as instants, matching {@link bucketSql}: hours step in real
 * time from the local hour holding `from`; larger buckets step in local time from the local bucket
 * holding `from` (DISTINCT: a local start that does not exist, at spring forward, maps to the same
 * instant as the next). $1 from, $2 to, $3 bucket interval, $4 time zone.
 */
function bucketsSql(bucket: MessageAnalyticsBucket): string {
  return bucket === "hour"
    ? `SELECT g AS start
         FROM generate_series(time_bucket($3::interval, $1::timestamptz, $4::text), $2::timestamptz, $3::interval) g
        WHERE g < $2::timestamptz
        ORDER BY 1`
    : `SELECT DISTINCT (g AT TIME ZONE $4::text) AS start
         FROM generate_series(time_bucket($3::interval, $1::timestamptz AT TIME ZONE $4::text),
                              $2::timestamptz AT TIME ZONE $4::text, $3::interval) g
        WHERE (g AT TIME ZONE $4::text) < $2::timestamptz
        ORDER BY 1`;
}

/**
 * Message analytics of a tenant (or one of its drivers) over [from, to). Runs in the caller's scoped
 * transaction; every statement also filters `tenant_id`, so another tenant's driver id finds nothing.
 *
 * Definitions (all times are msg_messages.time: received for inbound, created for outbound):
 * - **sent**: outbound messages that were not blocked (quiet hours, opt-out never leave the platform);
 *   queued and failed ones count. **received**: inbound messages.
 * - **thread**: a driver's turn to speak. An inbound message starts a thread unless the previous
 *   inbound-or-reply message of its conversation is an inbound message less than 24 h older; so a
 *   driver's consecutive messages before a reply form one thread, and one that writes again after a
 *   day unanswered starts a new one. A **reply** is an outbound message a dispatcher sent
 *   (`sent_by_user_id` set; automated notifications are not replies) that was not blocked — a failed
 *   reply still counts (the failure rate reports it).
 * - **answered**: the first reply after the thread's first message comes within
 *   {@link MESSAGE_RESPONSE_WINDOW_S} (24 h) of it; replies up to 24 h after `to` are looked at.
 *   **response rate** = answered threads / threads.
 * - **response time**: seconds from the thread's first message to that reply, answered threads only;
 *   median and p90 by `percentile_cont` (linear interpolation).
 * - **delivery failure rate**: failed / outbound messages handed to the transport (sent, delivered,
 *   read, failed — neither blocked nor queued).
 * - A message or thread belongs to the bucket, hour and weekday of its (first) message's time in the
 *   tenant's time zone (`adm_tenants.timezone`, UTC when unusable). Hours and weekdays count sent + received.
 *
 * Shape: {@link MessageAnalytics} (validators/messageAnalytics.ts): `totals`; `buckets` (every bucket,
 * empty ones with counts 0 and rates null); `hours` (24); `weekdays` (7, ISO: 1 = Monday); `drivers`
 * (with a message in the period, busiest first). Rates 0–1, times in seconds.
 * @param input.bucket the bucket size; by default from the period's length (≤ 2 days hour, ≤ 90 days
 *   day, else week), widened past {@link MESSAGE_ANALYTICS_MAX_BUCKETS} buckets; the one used is returned
 * @throws DomainError("invalid") for a period that does not end after it starts or exceeds 400 days
 */
export async function messageAnalytics(
  db: Db,
  tenantId: string,
  input: { from: Date; to: Date; bucket?: MessageAnalyticsBucket; driverId?: string | null },
): Promise<MessageAnalytics> {
  const { from, to } = input;
  if (!(from < to)) throw new DomainError("invalid", "the period must end after it starts");
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) {
    throw new DomainError("invalid", `the period may cover at most ${MAX_PERIOD_DAYS} days`);
  }
  const bucket = messageAnalyticsBucket(from, to, input.bucket);
  const interval = BUCKET_INTERVAL[bucket];
  const driverId = input.driverId ?? null;

  const [tenant] = await db.$queryRawUnsafe<{ timezone: string }[]>(
    "SELECT timezone FROM adm_tenants WHERE id = $1::uuid",
    tenantId,
  );
  const timezone = usableTimeZone(tenant?.timezone);

  const starts = await db.$queryRawUnsafe<{ start: Date }[]>(bucketsSql(bucket), from, to, interval, timezone);
  const rows = await db.$queryRawUnsafe<StatsRow[]>(
    statsSql(bucket),
    tenantId,
    from,
    to,
    interval,
    timezone,
    driverId,
    MESSAGE_RESPONSE_WINDOW_S,
    ...(bucket === "hour" ? [starts[0]?.start ?? from] : []),
  );

  const byBucket = new Map<number, MessageStats>();
  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, sent: 0, received: 0, total: 0 }));
  const weekdays = Array.from({ length: 7 }, (_, i) => ({ isoWeekday: i + 1, sent: 0, received: 0, total: 0 }));
  const drivers: MessageAnalytics["drivers"] = [];
  let totals = EMPTY_STATS;
  for (const r of rows) {
    const volume = { sent: r.sent, received: r.received, total: r.sent + r.received };
    if (r.grouped_by === "bucket" && r.bucket) byBucket.set(r.bucket.getTime(), toStats(r));
    else if (r.grouped_by === "hour" && r.hour !== null) Object.assign(hours[r.hour] ?? {}, volume);
    else if (r.grouped_by === "weekday" && r.iso_weekday !== null) {
      Object.assign(weekdays[r.iso_weekday - 1] ?? {}, volume);
    } else if (r.grouped_by === "driver" && r.driver_id) {
      drivers.push({ driverId: r.driver_id, driverName: r.driver_name ?? "Unknown driver", ...toStats(r) });
    } else if (r.grouped_by === "total") totals = toStats(r);
  }
  drivers.sort((a, b) => b.sent + b.received - (a.sent + a.received) || a.driverName.localeCompare(b.driverName));

  return {
    from,
    to,
    bucket,
    timezone,
    driverId,
    totals,
    buckets: starts.map(({ start }) => ({ start, ...(byBucket.get(start.getTime()) ?? EMPTY_STATS) })),
    hours,
    weekdays,
    drivers,
  };
}
