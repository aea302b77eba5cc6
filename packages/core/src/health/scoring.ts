/**
 * The daily health scoring job (issue 8): reads every input for all tenants in a few set-based
 * queries, computes the score (model.ts) and churn risk (churn.ts) per tenant and day, upserts
 * adm_tenant_health_scores (one row per tenant-day: re-running replaces it), writes the day's
 * churn risk into adm_tenant_activity_metrics.churn_risk_score (saas-provider-tables.md §3), and
 * raises alerts with a suggested next action (crm_tasks) and notifications to the tenant's
 * account managers.
 *
 * {@link scoreTenants} scores one day; {@link scoreHistory} a range of days in one pass over the
 * inputs (the seed and the benchmark). Both run in the `system` scope (the tables are provider-only).
 *
 * Days: `day` is a calendar date ("YYYY-MM-DD"), the same date as the activity rows' period_start
 * (the tenant's local day). Event tables (tickets, engagements, invoices, MRR changes) are cut at
 * UTC midnight after `day`: windows end at `day + 1` 00:00Z. The 30-day windows are `day − 29 … day`
 * (current) and `day − 59 … day − 30` (previous); 90-day windows `day − 89 … day`.
 *
 * Alerts (adm_health_alerts, unique per tenant, kind and day, so re-runs never duplicate them):
 * - `score_drop`: the score fell by MORE than the profile's `scoreDrop` vs the score 7 days earlier
 *   (not again within 7 days of the last one);
 * - `red`: the band is red and the latest score of the previous 30 days was not (or there was none);
 * - `churn_risk`: churn risk reached the profile's `churnRisk` and the latest earlier one had not;
 * - `renewal_no_engagement`: a contract (not renewed, not auto-renewing) expires within
 *   `renewalNoEngagementDays` days and no engagement was completed in that many days (not again
 *   within that many days of the last one).
 * Each new alert creates an open crm_tasks row (source health_alert) assigned to the tenant's owner
 * account manager and, with `notify`, an in-app notification for each current account manager.
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import type { HealthAlertKind } from "@fleetcore/validators";
import { type CreatedNotification, notify } from "../notifications/notifications";
import { type ChurnResult, computeChurnRisk } from "./churn";
import {
  computeHealth,
  HEALTH_LONG_WINDOW_DAYS,
  HEALTH_WINDOW_DAYS,
  type HealthInputs,
  type HealthProfileInput,
  type HealthResult,
  healthTrend,
  pickProfile,
} from "./model";
import { listHealthProfiles } from "./profiles";

const DAY_MS = 86_400_000;
/** The windows (model.ts): current = days i − (W − 1) … i, previous = the W days before; long = L days. */
const W = HEALTH_WINDOW_DAYS;
const L = HEALTH_LONG_WINDOW_DAYS;
/** Days of inputs needed before the first scored day (the long windows). */
const LOOKBACK_DAYS = L - 1;
/** Rows per upsert statement. */
const WRITE_BATCH = 2_000;
/** Tenant-days of inputs per chunk of tenants (see runScoring). */
const CHUNK_TENANT_DAYS = 200_000;

/**
 * SQL condition: the adm_tenant_account_managers row `alias` is current on `day` (an SQL date
 * expression) — started on or before it and not ended: `end_date` is the first day WITHOUT the
 * assignment (exclusive, as tenancy/provider.ts ends and lists assignments). The one rule of the
 * portfolio ("my tenants", the managers shown) and of the alerts' task assignee and notifications.
 */
export function currentAccountManagerSql(alias: string, day: string): string {
  return `${alias}.start_date <= ${day} AND (${alias}.end_date IS NULL OR ${alias}.end_date > ${day})`;
}

/** In-app path of a tenant's health page (the account manager's tenant detail). */
export function healthTenantLink(tenantId: string): string {
  return `/admin/portfolio/${tenantId}`;
}

/**
 * The newest day (YYYY-MM-DD, UTC calendar) whose scoring is due at `now`: day D after 12:00 UTC of
 * D + 1 — by then D has ended in every time zone (UTC−12 … UTC+14) and the activity rollup's
 * late-data window has covered it for half a day.
 */
export function scoringDayDue(now: Date = new Date()): string {
  const daysBack = now.getUTCHours() >= 12 ? 1 : 2;
  return new Date(now.getTime() - daysBack * DAY_MS).toISOString().slice(0, 10);
}

function toDayMs(day: string | Date): number {
  if (day instanceof Date) return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`"${day}" is not a day (YYYY-MM-DD)`);
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`"${day}" is not a day (YYYY-MM-DD)`);
  return ms;
}
const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A health alert raised by a run. */
export interface RaisedHealthAlert {
  id: string;
  tenantId: string;
  tenantName: string;
  /** "YYYY-MM-DD". */
  day: string;
  kind: HealthAlertKind;
  message: string;
  /** The crm_tasks row suggested as the next action. */
  taskId: string;
  taskTitle: string;
}

/** What {@link scoreTenants} returns. */
export interface ScoreTenantsResult {
  /** The scored day, "YYYY-MM-DD". */
  day: string;
  /** Tenants scored. */
  scored: number;
  /** Alerts newly raised (a re-run of the same day raises none again). */
  alerts: RaisedHealthAlert[];
  /** Notifications stored (with `notify`): emit each to `userRoom(userId)` as `notification`. */
  notifications: CreatedNotification[];
  durationMs: number;
}

/** What {@link scoreHistory} returns. */
export interface ScoreHistoryResult {
  from: string;
  to: string;
  /** Tenant-day rows upserted. */
  rows: number;
  tenants: number;
  alerts: number;
  durationMs: number;
}

/**
 * Scores every tenant (or `tenantIds`) for `day` and raises its alerts.
 * @param opts.day "YYYY-MM-DD" or a Date (its UTC day); default: the day due now ({@link scoringDayDue})
 * @param opts.notify also store notifications for the account managers (default true); the caller
 *   emits the returned payloads after this resolves
 * @throws Error for a malformed day, or when no health profile matches a tenant
 */
export async function scoreTenants(
  prisma: PrismaClient,
  opts: { day?: string | Date; tenantIds?: string[]; notify?: boolean } = {},
): Promise<ScoreTenantsResult> {
  const started = Date.now();
  const dayMs = toDayMs(opts.day ?? scoringDayDue());
  const run = await runScoring(prisma, {
    fromMs: dayMs,
    toMs: dayMs,
    tenantIds: opts.tenantIds,
    alerts: true,
    notify: opts.notify ?? true,
  });
  return {
    day: isoOf(dayMs),
    scored: run.rows,
    alerts: run.alerts,
    notifications: run.notifications,
    durationMs: Date.now() - started,
  };
}

/** adm_rollup_watermarks job of the daily scoring: its watermark is the last FULLY scored day (scores and alerts). */
export const HEALTH_SCORING_JOB = "health_scoring";
/** Most days one run catches up after downtime (the 30-day alerts look back this far). */
export const HEALTH_SCORING_MAX_CATCH_UP_DAYS = 31;

/** What {@link scoreDueDays} returns when it ran. */
export interface ScoreDueDaysResult {
  /** The days scored, oldest first ("YYYY-MM-DD"). */
  days: string[];
  /** Tenant-days scored. */
  scored: number;
  /** Alerts raised. */
  alerts: number;
}

/**
 * The scheduled daily scoring: scores every day after the `health_scoring` watermark up to the day
 * due at `now` ({@link scoringDayDue}), oldest first, so downtime leaves no gap in the history the
 * 7- and 30-day alerts compare with (at most {@link HEALTH_SCORING_MAX_CATCH_UP_DAYS} days back;
 * without a watermark, the due day only). Each day's watermark is written after its alerts, so a
 * failure after the scores (alerts, tasks, notifications) leaves the day due and the next run
 * re-scores it (idempotent: scores are upserted, alerts unique per tenant, kind and day).
 * One run at a time across processes: a transaction holds an advisory lock for the run; a run that
 * finds it taken returns null. Notification payloads are handed to `emit` after each day.
 * @returns null when another run holds the lock or nothing is due
 */
export async function scoreDueDays(
  prisma: PrismaClient,
  now: Date,
  emit: (n: CreatedNotification) => void = () => {},
): Promise<ScoreDueDaysResult | null> {
  const dueMs = toDayMs(scoringDayDue(now));
  return withScope(
    prisma,
    { kind: "system" },
    async (lockDb) => {
      const [lock] = await lockDb.$queryRawUnsafe<{ ok: boolean }[]>(
        "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok",
        `adm_rollup_watermarks:${HEALTH_SCORING_JOB}`,
      );
      if (!lock?.ok) return null;
      const [mark] = await lockDb.$queryRawUnsafe<{ watermark: Date }[]>(
        "SELECT watermark FROM adm_rollup_watermarks WHERE job = $1",
        HEALTH_SCORING_JOB,
      );
      const firstMs = mark
        ? Math.max(utcDayMs(mark.watermark) + DAY_MS, dueMs - (HEALTH_SCORING_MAX_CATCH_UP_DAYS - 1) * DAY_MS)
        : dueMs;
      if (firstMs > dueMs) return null;
      const result: ScoreDueDaysResult = { days: [], scored: 0, alerts: 0 };
      for (let dayMs = firstMs; dayMs <= dueMs; dayMs += DAY_MS) {
        const day = await scoreTenants(prisma, { day: isoOf(dayMs), notify: true });
        // Only now is the day done: its scores, alerts, tasks and notifications are committed.
        await withScope(prisma, { kind: "system" }, (db) =>
          db.$executeRawUnsafe(
            `INSERT INTO adm_rollup_watermarks (job, watermark, updated_at) VALUES ($1, $2, now())
             ON CONFLICT (job) DO UPDATE
               SET watermark = greatest(adm_rollup_watermarks.watermark, excluded.watermark), updated_at = now()`,
            HEALTH_SCORING_JOB,
            new Date(dayMs),
          ),
        );
        for (const n of day.notifications) emit(n);
        result.days.push(day.day);
        result.scored += day.scored;
        result.alerts += day.alerts.length;
      }
      return result;
    },
    // The lock is held while the days are scored in transactions of their own.
    { timeoutMs: 60 * 60_000 },
  );
}

/**
 * Scores a range of days (inclusive) in one pass: inputs are read once for the whole range, each
 * day's trend and alerts see the days computed before it. Re-running replaces the rows.
 * @param opts.alerts also raise alerts and tasks for the range (never notifications; default false)
 */
export async function scoreHistory(
  prisma: PrismaClient,
  opts: { from: string | Date; to: string | Date; tenantIds?: string[]; alerts?: boolean },
): Promise<ScoreHistoryResult> {
  const started = Date.now();
  const fromMs = toDayMs(opts.from);
  const toMs = toDayMs(opts.to);
  if (toMs < fromMs) throw new Error("scoreHistory: `to` is before `from`");
  const run = await runScoring(prisma, {
    fromMs,
    toMs,
    tenantIds: opts.tenantIds,
    alerts: opts.alerts ?? false,
    notify: false,
  });
  return {
    from: isoOf(fromMs),
    to: isoOf(toMs),
    rows: run.rows,
    tenants: run.tenants,
    alerts: run.alerts.length,
    durationMs: Date.now() - started,
  };
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

interface TenantRow {
  id: string;
  name: string;
  created_at: Date;
  segment: string | null;
}
interface ActivityRow {
  tenant_id: string;
  i: number;
  logins: number;
  positions: number;
  active_vehicles: number;
  vehicles_plan: number | null;
  csat_responses: number;
  csat_avg: number | null;
  nps_responses: number;
  nps: number | null;
  failed_payments: number;
  median_response_s: number | null;
  feature_count: number;
  features: string[];
}
interface TicketRow {
  tenant_id: string;
  priority: string;
  created_at: Date;
  resolved_at: Date | null;
  resolution_due_at: Date | null;
}
interface EngagementRow {
  tenant_id: string;
  completed_at: Date;
  outcome: string | null;
}
interface ContractRow {
  id: string;
  tenant_id: string;
  effective_date: Date;
  expiry_date: Date;
  status: string;
  auto_renew: boolean;
  renews_contract_id: string | null;
  terminated_at: Date | null;
  created_at: Date;
}
interface InvoiceRow {
  tenant_id: string;
  issued_at: Date;
  paid_at: Date | null;
  status: string;
  attempt_count: number;
}
interface MrrRow {
  tenant_id: string;
  occurred_at: Date;
  currency: string;
  from_mrr_minor: number;
  to_mrr_minor: number;
}
interface StoredScoreRow {
  tenant_id: string;
  i: number;
  score: number;
  band: string;
  churn_risk: number;
}
interface ManagerRow {
  tenant_id: string;
  employee_id: string;
  user_id: string;
  role: string;
}
interface AlertDayRow {
  tenant_id: string;
  kind: string;
  i: number;
}

interface Loaded {
  tenants: TenantRow[];
  activity: Map<string, ActivityRow[]>;
  tickets: Map<string, TicketRow[]>;
  engagements: Map<string, EngagementRow[]>;
  contracts: Map<string, ContractRow[]>;
  invoices: Map<string, InvoiceRow[]>;
  mrr: Map<string, MrrRow[]>;
  stored: Map<string, Map<number, { score: number; band: string; churnRisk: number }>>;
  profiles: HealthProfileInput[];
  managers: Map<string, ManagerRow[]>;
  pastAlerts: Map<string, number[]>;
}

function groupBy<T extends { tenant_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.tenant_id);
    if (list) list.push(r);
    else out.set(r.tenant_id, [r]);
  }
  return out;
}

async function load(db: Db, baseMs: number, fromMs: number, toMs: number, tenantIds?: string[]): Promise<Loaded> {
  const ids = tenantIds && tenantIds.length > 0 ? tenantIds : null;
  const base = isoOf(baseMs);
  const to = isoOf(toMs);
  const toEnd = new Date(toMs + DAY_MS);
  const ticketsFrom = new Date(fromMs + DAY_MS - 2 * W * DAY_MS);

  // One statement after the other: a transaction is one connection.
  const tenants = await db.$queryRawUnsafe<TenantRow[]>(
    `SELECT id::text, name, created_at, segment FROM adm_tenants
      WHERE deleted_at IS NULL AND status <> 'closed' AND created_at < $1
        AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
      ORDER BY name, id`,
    toEnd,
    ids,
  );
  const activity = await db.$queryRawUnsafe<ActivityRow[]>(
    `SELECT tenant_id::text, (period_start - $1::date) AS i, logins, positions::float8 AS positions,
            active_vehicles, vehicles_plan, csat_responses, csat_avg::float8 AS csat_avg, nps_responses, nps,
            failed_payments, median_response_s, feature_count,
            CASE WHEN jsonb_typeof(features_used) = 'object'
                 THEN ARRAY(SELECT jsonb_object_keys(features_used)) ELSE '{}'::text[] END AS features
       FROM adm_tenant_activity_metrics
      WHERE period_start BETWEEN $1::date AND $2::date AND ($3::uuid[] IS NULL OR tenant_id = ANY($3::uuid[]))`,
    base,
    to,
    ids,
  );
  const tickets = await db.$queryRawUnsafe<TicketRow[]>(
    `SELECT tenant_id::text, priority::text, created_at, resolved_at, resolution_due_at FROM sup_tickets
      WHERE created_at < $1 AND (created_at >= $2 OR resolved_at >= $2 OR resolution_due_at >= $2)
        AND ($3::uuid[] IS NULL OR tenant_id = ANY($3::uuid[]))`,
    toEnd,
    ticketsFrom,
    ids,
  );
  const engagements = await db.$queryRawUnsafe<EngagementRow[]>(
    `SELECT tenant_id::text, completed_at, outcome::text FROM crm_engagements
      WHERE deleted_at IS NULL AND completed_at IS NOT NULL AND completed_at < $1 AND type <> 'note'
        AND ($2::uuid[] IS NULL OR tenant_id = ANY($2::uuid[]))
      ORDER BY completed_at`,
    toEnd,
    ids,
  );
  const contracts = await db.$queryRawUnsafe<ContractRow[]>(
    `SELECT id::text, tenant_id::text, effective_date, expiry_date, status::text, auto_renew,
            renews_contract_id::text, terminated_at, created_at
       FROM crm_contracts WHERE created_at < $1 AND ($2::uuid[] IS NULL OR tenant_id = ANY($2::uuid[]))`,
    toEnd,
    ids,
  );
  const invoices = await db.$queryRawUnsafe<InvoiceRow[]>(
    `SELECT tenant_id::text, issued_at, paid_at, status::text, attempt_count FROM bil_tenant_invoices
      WHERE issued_at < $1 AND ($2::uuid[] IS NULL OR tenant_id = ANY($2::uuid[]))`,
    toEnd,
    ids,
  );
  const mrr = await db.$queryRawUnsafe<MrrRow[]>(
    `SELECT tenant_id::text, occurred_at, currency::text AS currency, from_mrr_minor, to_mrr_minor FROM bil_mrr_changes
      WHERE occurred_at < $1 AND ($2::uuid[] IS NULL OR tenant_id = ANY($2::uuid[]))
      ORDER BY occurred_at, created_at, id`,
    toEnd,
    ids,
  );
  const stored = await db.$queryRawUnsafe<StoredScoreRow[]>(
    `SELECT tenant_id::text, (day - $1::date) AS i, score, band, churn_risk FROM adm_tenant_health_scores
      WHERE day >= $2::date AND day < $3::date AND ($4::uuid[] IS NULL OR tenant_id = ANY($4::uuid[]))`,
    base,
    isoOf(fromMs - W * DAY_MS),
    isoOf(fromMs),
    ids,
  );
  const managers = await db.$queryRawUnsafe<ManagerRow[]>(
    `SELECT m.tenant_id::text, m.employee_id::text, e.user_id::text, m.role::text
       FROM adm_tenant_account_managers m
       JOIN adm_provider_employees e ON e.id = m.employee_id
       JOIN adm_users u ON u.id = e.user_id
      WHERE ${currentAccountManagerSql("m", "$1::date")}
        AND e.status = 'active' AND e.deleted_at IS NULL AND u.deleted_at IS NULL AND u.status = 'active'
        AND ($2::uuid[] IS NULL OR m.tenant_id = ANY($2::uuid[]))
      ORDER BY (m.role = 'owner') DESC, m.start_date, m.id`,
    to,
    ids,
  );
  const pastAlerts = await db.$queryRawUnsafe<AlertDayRow[]>(
    `SELECT tenant_id::text, kind, (day - $1::date) AS i FROM adm_health_alerts
      WHERE day >= $2::date AND day <= $3::date AND ($4::uuid[] IS NULL OR tenant_id = ANY($4::uuid[]))`,
    base,
    isoOf(fromMs - 366 * DAY_MS),
    to,
    ids,
  );
  const profiles = await listHealthProfiles(db);

  const storedMap = new Map<string, Map<number, { score: number; band: string; churnRisk: number }>>();
  for (const r of stored) {
    let m = storedMap.get(r.tenant_id);
    if (!m) {
      m = new Map();
      storedMap.set(r.tenant_id, m);
    }
    m.set(Number(r.i), { score: r.score, band: r.band, churnRisk: r.churn_risk });
  }
  const alertMap = new Map<string, number[]>();
  for (const a of pastAlerts) {
    const key = `${a.tenant_id}|${a.kind}`;
    const list = alertMap.get(key);
    if (list) list.push(Number(a.i));
    else alertMap.set(key, [Number(a.i)]);
  }
  return {
    tenants,
    activity: groupBy(activity),
    tickets: groupBy(tickets),
    engagements: groupBy(engagements),
    contracts: groupBy(contracts),
    invoices: groupBy(invoices),
    mrr: groupBy(mrr),
    stored: storedMap,
    profiles,
    managers: groupBy(managers),
    pastAlerts: alertMap,
  };
}

// ---------------------------------------------------------------------------------------------
// Inputs per tenant and day
// ---------------------------------------------------------------------------------------------

/** Dense per-day series of one tenant's activity rows with prefix sums (index 0 = the base day). */
class ActivitySeries {
  private readonly n: number;
  private readonly present: Float64Array;
  private readonly logins: Float64Array;
  private readonly positions: Float64Array;
  private readonly vehicles: Float64Array;
  private readonly csatN: Float64Array;
  private readonly csatSum: Float64Array;
  private readonly npsN: Float64Array;
  private readonly npsSum: Float64Array;
  private readonly failed: Float64Array;
  readonly rows: (ActivityRow | undefined)[];

  constructor(rows: readonly ActivityRow[], days: number) {
    this.n = days;
    this.rows = new Array(days);
    for (const r of rows) {
      const i = Number(r.i);
      if (i >= 0 && i < days) this.rows[i] = r;
    }
    const prefix = (f: (r: ActivityRow) => number) => {
      const out = new Float64Array(days + 1);
      for (let i = 0; i < days; i += 1) {
        const r = this.rows[i];
        out[i + 1] = (out[i] ?? 0) + (r ? f(r) : 0);
      }
      return out;
    };
    this.present = prefix(() => 1);
    this.logins = prefix((r) => Number(r.logins));
    this.positions = prefix((r) => Number(r.positions));
    this.vehicles = prefix((r) => Number(r.active_vehicles));
    this.csatN = prefix((r) => (r.csat_avg === null ? 0 : Number(r.csat_responses)));
    this.csatSum = prefix((r) => (r.csat_avg === null ? 0 : Number(r.csat_responses) * Number(r.csat_avg)));
    this.npsN = prefix((r) => (r.nps === null ? 0 : Number(r.nps_responses)));
    this.npsSum = prefix((r) => (r.nps === null ? 0 : Number(r.nps_responses) * Number(r.nps)));
    this.failed = prefix((r) => Number(r.failed_payments));
  }

  /** Sum over days [from, to] (inclusive, clipped to the series). */
  sum(
    which: "present" | "logins" | "positions" | "vehicles" | "csatN" | "csatSum" | "npsN" | "npsSum" | "failed",
    from: number,
    to: number,
  ): number {
    const a = Math.max(0, from);
    const b = Math.min(this.n - 1, to);
    if (b < a) return 0;
    const p = this[which];
    return (p[b + 1] ?? 0) - (p[a] ?? 0);
  }
}

/** Rolling distinct features of one tenant: call `advance(i)` for every day in order. */
class FeatureWindow {
  private readonly lastSeen = new Map<string, number>();
  private next = 0;
  constructor(private readonly series: ActivitySeries) {}
  /** Distinct features used in [i − 29, i] (at least the largest daily feature_count there). */
  distinct(i: number): number {
    for (; this.next <= i; this.next += 1) {
      for (const f of this.series.rows[this.next]?.features ?? []) this.lastSeen.set(f, this.next);
    }
    let n = 0;
    for (const seen of this.lastSeen.values()) if (seen >= i - (W - 1)) n += 1;
    let maxDaily = 0;
    for (let d = Math.max(0, i - (W - 1)); d <= i; d += 1) {
      maxDaily = Math.max(maxDaily, Number(this.series.rows[d]?.feature_count ?? 0));
    }
    return Math.max(n, maxDaily);
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

const daysBetweenMs = (fromMs: number, toMs: number) => Math.round((toMs - fromMs) / DAY_MS);
const utcDayMs = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());

/**
 * MRR at instant `t` from a tenant's ordered changes (billing/mrr.ts's rule), per currency: each
 * currency's latest `to_mrr_minor` before `t` (its first `from_mrr_minor` before its first change).
 * The tenant's MRR is that of its main currency — the largest, ties by code — so a currency switch
 * (the old currency to 0 and the new one from 0 at one instant, in either row order) is not churn.
 * @returns null before any change
 */
function mrrAt(changes: readonly MrrRow[], t: number): { currency: string; minor: number } | null {
  const byCurrency = new Map<string, number>();
  for (const c of changes) {
    if (c.occurred_at.getTime() >= t) break;
    byCurrency.set(c.currency, Number(c.to_mrr_minor));
  }
  if (byCurrency.size === 0) {
    const first = changes[0];
    return first ? { currency: first.currency, minor: Number(first.from_mrr_minor) } : null;
  }
  let best: { currency: string; minor: number } | null = null;
  for (const [currency, minor] of byCurrency) {
    if (!best || minor > best.minor || (minor === best.minor && currency < best.currency)) best = { currency, minor };
  }
  return best;
}

/**
 * MRR now and 90 days earlier, in the same currency: null then when the main currency changed in
 * between (amounts in two currencies are not comparable without exchange rates), 0 before any change.
 */
function mrrTrend(changes: readonly MrrRow[], end: number): { now: number | null; before: number | null } {
  const now = mrrAt(changes, end);
  if (!now) return { now: null, before: null };
  const before = mrrAt(changes, end - L * DAY_MS);
  return { now: now.minor, before: !before ? 0 : before.currency === now.currency ? before.minor : null };
}

/** Builds {@link HealthInputs} for one tenant on day index `i` (day = base + i). */
function inputsFor(
  t: {
    series: ActivitySeries;
    features: FeatureWindow;
    tickets: readonly TicketRow[];
    engagements: readonly EngagementRow[];
    contracts: readonly ContractRow[];
    invoices: readonly InvoiceRow[];
    mrr: readonly MrrRow[];
  },
  i: number,
  dayMs: number,
): HealthInputs {
  const s = t.series;
  const end = dayMs + DAY_MS;
  const curStart = end - W * DAY_MS;
  const prevStart = end - 2 * W * DAY_MS;
  const longStart = end - L * DAY_MS;

  const daysCurrent = s.sum("present", i - (W - 1), i);
  let vehiclesPlan: number | null = null;
  const responses: number[] = [];
  for (let d = i; d >= Math.max(0, i - (W - 1)); d -= 1) {
    const r = s.rows[d];
    if (!r) continue;
    if (vehiclesPlan === null && r.vehicles_plan !== null) vehiclesPlan = Number(r.vehicles_plan);
    if (r.median_response_s !== null) responses.push(Number(r.median_response_s));
  }
  const csatN = s.sum("csatN", i - (W - 1), i);
  const npsN = s.sum("npsN", i - (L - 1), i);

  let ticketsCurrent = 0;
  let ticketsPrevious = 0;
  let highCurrent = 0;
  let urgentCurrent = 0;
  let slaTickets = 0;
  let slaMet = 0;
  for (const tk of t.tickets) {
    const created = tk.created_at.getTime();
    if (created >= end) continue;
    if (created >= curStart) {
      ticketsCurrent += 1;
      if (tk.priority === "high") highCurrent += 1;
      if (tk.priority === "urgent") urgentCurrent += 1;
    } else if (created >= prevStart) ticketsPrevious += 1;
    const resolved = tk.resolved_at?.getTime() ?? null;
    const due = tk.resolution_due_at?.getTime() ?? null;
    if (resolved !== null && resolved >= curStart && resolved < end) {
      slaTickets += 1;
      if (due === null || resolved <= due) slaMet += 1;
    } else if ((resolved === null || resolved >= end) && due !== null && due >= curStart && due < end) {
      slaTickets += 1;
    }
  }

  let everEngaged = false;
  let engagements90d = 0;
  let lastEngagement: number | null = null;
  const outcomes90d = { positive: 0, neutral: 0, negative: 0, action_required: 0 };
  for (const e of t.engagements) {
    const at = e.completed_at.getTime();
    if (at >= end) break;
    everEngaged = true;
    lastEngagement = at;
    if (at >= longStart) {
      engagements90d += 1;
      if (e.outcome && e.outcome in outcomes90d) outcomes90d[e.outcome as keyof typeof outcomes90d] += 1;
    }
  }

  // The live contract with the latest expiry (recently expired ones count for 90 days).
  const liveOn = (c: ContractRow) =>
    c.created_at.getTime() < end &&
    !(c.terminated_at !== null && c.terminated_at.getTime() < end) &&
    !(c.status === "terminated" && c.terminated_at === null);
  let current: ContractRow | null = null;
  for (const c of t.contracts) {
    if (!liveOn(c) || utcDayMs(c.effective_date) > dayMs) continue;
    if (utcDayMs(c.expiry_date) < dayMs - L * DAY_MS) continue;
    if (!current || c.expiry_date.getTime() > current.expiry_date.getTime()) current = c;
  }
  const contract = current
    ? {
        daysToExpiry: daysBetweenMs(dayMs, utcDayMs(current.expiry_date)),
        renewed: t.contracts.some((c) => c.renews_contract_id === current.id && liveOn(c)),
        autoRenew: current.auto_renew,
        pendingRenewal: current.status === "pending_renewal",
      }
    : null;

  let unpaidInvoices = 0;
  let anyInvoice = false;
  for (const inv of t.invoices) {
    const issued = inv.issued_at.getTime();
    if (issued >= end) continue;
    anyInvoice = true;
    if (issued < longStart || inv.status === "void" || inv.status === "draft" || Number(inv.attempt_count) <= 0)
      continue;
    const paid = inv.paid_at ? inv.paid_at.getTime() < end : inv.status === "paid";
    if (!paid) unpaidInvoices += 1;
  }
  const mrr = mrrTrend(t.mrr, end);
  const mrrNow = mrr.now;
  const failedPayments90d = s.sum("failed", i - (L - 1), i);

  return {
    usage: {
      daysCurrent,
      daysPrevious: s.sum("present", i - (2 * W - 1), i - W),
      loginsCurrent: s.sum("logins", i - (W - 1), i),
      loginsPrevious: s.sum("logins", i - (2 * W - 1), i - W),
      positionsCurrent: s.sum("positions", i - (W - 1), i),
      positionsPrevious: s.sum("positions", i - (2 * W - 1), i - W),
      distinctFeatures: t.features.distinct(i),
      avgActiveVehicles: daysCurrent > 0 ? s.sum("vehicles", i - (W - 1), i) / daysCurrent : null,
      vehiclesPlan,
    },
    support: {
      ticketsCurrent,
      ticketsPrevious,
      highCurrent,
      urgentCurrent,
      slaTickets,
      slaMet,
      csatResponses: csatN,
      csatAvg: csatN > 0 ? Math.round((100 * s.sum("csatSum", i - (W - 1), i)) / csatN) / 100 : null,
    },
    engagement: {
      everEngaged,
      engagements90d,
      outcomes90d,
      daysSinceLastEngagement:
        lastEngagement === null ? null : daysBetweenMs(utcDayMs(new Date(lastEngagement)), dayMs),
      medianResponseS: median(responses),
    },
    business: {
      hasBilling: anyInvoice || mrrNow !== null || failedPayments90d > 0,
      failedPayments90d,
      unpaidInvoices,
      contract,
      mrrNowMinor: mrrNow,
      mrr90dAgoMinor: mrr.before,
    },
    nps: { responses: npsN, score: npsN > 0 ? Math.round(s.sum("npsSum", i - (L - 1), i) / npsN) : null },
  };
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

interface ScoredRow {
  tenantId: string;
  dayMs: number;
  health: HealthResult;
  churn: ChurnResult;
}

interface PendingAlert {
  tenantId: string;
  tenantName: string;
  dayMs: number;
  kind: HealthAlertKind;
  message: string;
  details: Record<string, unknown>;
  taskTitle: string;
  dueInDays: number;
}

type RunOptions = { fromMs: number; toMs: number; tenantIds?: string[]; alerts: boolean; notify: boolean };
type RunResult = { rows: number; tenants: number; alerts: RaisedHealthAlert[]; notifications: CreatedNotification[] };

/**
 * Splits the tenants into chunks of about CHUNK_TENANT_DAYS tenant-days of inputs (all 1,000 tenants
 * of a single day fit one chunk; two years go ~240 tenants at a time), so memory and each read
 * transaction stay bounded.
 */
async function runScoring(prisma: PrismaClient, opts: RunOptions): Promise<RunResult> {
  const days = daysBetweenMs(opts.fromMs - LOOKBACK_DAYS * DAY_MS, opts.toMs) + 1;
  const ids = opts.tenantIds && opts.tenantIds.length > 0 ? opts.tenantIds : null;
  const tenants = await withScope(prisma, { kind: "system" }, (db) =>
    db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text FROM adm_tenants
        WHERE deleted_at IS NULL AND status <> 'closed' AND created_at < $1
          AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
        ORDER BY id`,
      new Date(opts.toMs + DAY_MS),
      ids,
    ),
  );
  const perChunk = Math.max(20, Math.floor(CHUNK_TENANT_DAYS / days));
  const total: RunResult = { rows: 0, tenants: 0, alerts: [], notifications: [] };
  for (let start = 0; start < tenants.length; start += perChunk) {
    const chunk = tenants.slice(start, start + perChunk).map((t) => t.id);
    const r = await runScoringChunk(prisma, { ...opts, tenantIds: chunk });
    total.rows += r.rows;
    total.tenants += r.tenants;
    total.alerts.push(...r.alerts);
    total.notifications.push(...r.notifications);
  }
  return total;
}

async function runScoringChunk(prisma: PrismaClient, opts: RunOptions): Promise<RunResult> {
  const baseMs = opts.fromMs - LOOKBACK_DAYS * DAY_MS;
  const days = daysBetweenMs(baseMs, opts.toMs) + 1;
  const fromIdx = LOOKBACK_DAYS;
  const data = await withScope(prisma, { kind: "system" }, (db) =>
    load(db, baseMs, opts.fromMs, opts.toMs, opts.tenantIds),
  );

  const scored: ScoredRow[] = [];
  const pending: PendingAlert[] = [];
  for (const tenant of data.tenants) {
    const series = new ActivitySeries(data.activity.get(tenant.id) ?? [], days);
    const ctx = {
      series,
      features: new FeatureWindow(series),
      tickets: data.tickets.get(tenant.id) ?? [],
      engagements: data.engagements.get(tenant.id) ?? [],
      contracts: data.contracts.get(tenant.id) ?? [],
      invoices: data.invoices.get(tenant.id) ?? [],
      mrr: data.mrr.get(tenant.id) ?? [],
    };
    // Scores by day index: stored ones before the range, then those computed here.
    const history = new Map(data.stored.get(tenant.id) ?? []);
    const alertDays = (kind: HealthAlertKind) => data.pastAlerts.get(`${tenant.id}|${kind}`) ?? [];
    const createdDay = utcDayMs(tenant.created_at);
    for (let i = fromIdx; i < days; i += 1) {
      const dayMs = baseMs + i * DAY_MS;
      if (createdDay > dayMs) continue;
      const day = new Date(dayMs);
      const profile = pickProfile(data.profiles, { createdAt: tenant.created_at, segment: tenant.segment }, day);
      const inputs = inputsFor(ctx, i, dayMs);
      const health = computeHealth(inputs, profile);
      const score7 = history.get(i - 7)?.score ?? null;
      const score30 = history.get(i - W)?.score ?? null;
      const churn = computeChurnRisk(inputs, { today: health.score, thirtyDaysAgo: score30 });
      let previous: { score: number; band: string; churnRisk: number } | null = null;
      for (let d = i - 1; d >= i - W && !previous; d -= 1) previous = history.get(d) ?? null;
      history.set(i, { score: health.score, band: health.band, churnRisk: churn.risk });
      scored.push({ tenantId: tenant.id, dayMs, health, churn });

      if (!opts.alerts) continue;
      const rules = profile.alertRules;
      const trend = healthTrend(health.score, score7, score30);
      const topReason = health.reasons[0] ?? "health score changed";
      const recent = (kind: HealthAlertKind, withinDays: number) =>
        alertDays(kind).some((d) => d < i && d > i - withinDays);
      const base = { tenantId: tenant.id, tenantName: tenant.name, dayMs };
      // Later days of this run see the alert for their cooldowns.
      const raise = (alert: PendingAlert) => {
        pending.push(alert);
        const key = `${tenant.id}|${alert.kind}`;
        const list = data.pastAlerts.get(key);
        if (list) list.push(i);
        else data.pastAlerts.set(key, [i]);
      };
      const details = {
        score: health.score,
        band: health.band,
        profile: profile.name,
        score7dAgo: score7,
        delta7d: trend.delta7d,
        delta30d: trend.delta30d,
        churnRisk: churn.risk,
        churnHorizonDays: churn.horizonDays,
        reasons: health.reasons.slice(0, 3),
      };
      if (score7 !== null && score7 - health.score > rules.scoreDrop && !recent("score_drop", 7)) {
        raise({
          ...base,
          kind: "score_drop",
          message: `${tenant.name}'s health score fell ${score7 - health.score} points in 7 days (${score7} → ${health.score}): ${topReason}`,
          details,
          taskTitle: `Schedule a call with ${tenant.name}: ${topReason}`,
          dueInDays: 3,
        });
      }
      if (health.band === "red" && previous?.band !== "red") {
        raise({
          ...base,
          kind: "red",
          message: `${tenant.name} turned red (score ${health.score}): ${topReason}`,
          details,
          taskTitle: `Schedule a call with ${tenant.name}: ${topReason}`,
          dueInDays: 2,
        });
      }
      if (churn.risk >= rules.churnRisk && (previous === null || previous.churnRisk < rules.churnRisk)) {
        const driver = churn.drivers[0]?.reason ?? "several churn signals";
        raise({
          ...base,
          kind: "churn_risk",
          message: `${tenant.name}'s churn risk is ${churn.risk} within ${churn.horizonDays} days: ${driver}`,
          details: { ...details, drivers: churn.drivers },
          taskTitle: `Plan a retention review with ${tenant.name}: ${driver}`,
          dueInDays: 2,
        });
      }
      const n = rules.renewalNoEngagementDays;
      const c = inputs.business.contract;
      const quietDays = inputs.engagement.daysSinceLastEngagement;
      if (
        c &&
        !c.renewed &&
        !c.autoRenew &&
        c.daysToExpiry >= 0 &&
        c.daysToExpiry <= n &&
        (quietDays === null || quietDays >= n) &&
        !recent("renewal_no_engagement", n)
      ) {
        const quiet = quietDays === null ? "no engagement ever logged" : `no engagement in ${quietDays} days`;
        raise({
          ...base,
          kind: "renewal_no_engagement",
          message: `${tenant.name}'s contract expires in ${c.daysToExpiry} days and there was ${quiet}`,
          details: { ...details, daysToExpiry: c.daysToExpiry, daysSinceLastEngagement: quietDays },
          taskTitle: `Book a renewal meeting with ${tenant.name}: contract expires in ${c.daysToExpiry} days, ${quiet}`,
          dueInDays: Math.min(7, Math.max(1, c.daysToExpiry)),
        });
      }
    }
  }

  await writeScores(prisma, scored);
  const raised = opts.alerts
    ? await raiseAlerts(prisma, pending, data.managers, opts.notify)
    : { alerts: [], notifications: [] };
  return { rows: scored.length, tenants: data.tenants.length, ...raised };
}

/** Upserts the score rows and writes churn_risk_score into the matching activity rows, in batches. */
async function writeScores(prisma: PrismaClient, rows: readonly ScoredRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += WRITE_BATCH) {
    const batch = rows.slice(start, start + WRITE_BATCH);
    const col = <T>(f: (r: ScoredRow) => T) => batch.map(f);
    await withScope(prisma, { kind: "system" }, async (db) => {
      // One JSON document per batch (jsonb_to_recordset): far cheaper to send and parse than
      // text[] arrays of JSON strings, each quote of which would need escaping.
      const payload = batch.map((r) => ({
        tenant_id: r.tenantId,
        day: isoOf(r.dayMs),
        score: r.health.score,
        band: r.health.band,
        profile: r.health.profile,
        pu: r.health.columns.productUsage,
        su: r.health.columns.support,
        en: r.health.columns.engagement,
        bu: r.health.columns.business,
        components: r.health.components,
        churn_risk: r.churn.risk,
        horizon: r.churn.horizonDays,
        drivers: r.churn.drivers,
      }));
      await db.$executeRawUnsafe(
        `INSERT INTO adm_tenant_health_scores
           (tenant_id, day, score, band, profile, product_usage_score, support_score, engagement_score,
            business_score, components, churn_risk, churn_horizon_days, churn_drivers, computed_at)
         SELECT t.tenant_id, t.day, t.score, t.band, t.profile, t.pu, t.su, t.en, t.bu, t.components,
                t.churn_risk, t.horizon, t.drivers, now()
           FROM jsonb_to_recordset($1::jsonb)
                AS t(tenant_id uuid, day date, score int, band text, profile text, pu int, su int, en int, bu int,
                     components jsonb, churn_risk int, horizon int, drivers jsonb)
         ON CONFLICT (tenant_id, day) DO UPDATE SET
           score = EXCLUDED.score, band = EXCLUDED.band, profile = EXCLUDED.profile,
           product_usage_score = EXCLUDED.product_usage_score, support_score = EXCLUDED.support_score,
           engagement_score = EXCLUDED.engagement_score, business_score = EXCLUDED.business_score,
           components = EXCLUDED.components, churn_risk = EXCLUDED.churn_risk,
           churn_horizon_days = EXCLUDED.churn_horizon_days, churn_drivers = EXCLUDED.churn_drivers,
           computed_at = EXCLUDED.computed_at`,
        JSON.stringify(payload),
      );
      await db.$executeRawUnsafe(
        `UPDATE adm_tenant_activity_metrics m SET churn_risk_score = v.risk
           FROM unnest($1::uuid[], $2::date[], $3::numeric[]) AS v(tenant_id, day, risk)
          WHERE m.tenant_id = v.tenant_id AND m.period_start = v.day
            AND m.churn_risk_score IS DISTINCT FROM v.risk`,
        col((r) => r.tenantId),
        col((r) => isoOf(r.dayMs)),
        col((r) => r.churn.risk),
      );
    });
  }
}

/**
 * Inserts each alert once (ON CONFLICT on tenant, kind and day), and for each new one a crm_tasks
 * suggestion and — with `sendNotifications` — a notification per current account manager.
 */
async function raiseAlerts(
  prisma: PrismaClient,
  pending: readonly PendingAlert[],
  managers: Map<string, ManagerRow[]>,
  sendNotifications: boolean,
): Promise<{ alerts: RaisedHealthAlert[]; notifications: CreatedNotification[] }> {
  const alerts: RaisedHealthAlert[] = [];
  const notifications: CreatedNotification[] = [];
  for (const p of pending) {
    await withScope(prisma, { kind: "system" }, async (db) => {
      const day = isoOf(p.dayMs);
      const inserted = await db.$queryRawUnsafe<{ id: string }[]>(
        `INSERT INTO adm_health_alerts (tenant_id, day, kind, message, details)
         VALUES ($1::uuid, $2::date, $3, $4, $5::jsonb)
         ON CONFLICT (tenant_id, kind, day) DO NOTHING RETURNING id::text`,
        p.tenantId,
        day,
        p.kind,
        p.message,
        JSON.stringify(p.details),
      );
      const alertId = inserted[0]?.id;
      if (!alertId) return;
      const team = managers.get(p.tenantId) ?? [];
      const task = await db.crmTask.create({
        data: {
          tenantId: p.tenantId,
          title: p.taskTitle.length > 200 ? `${p.taskTitle.slice(0, 199)}…` : p.taskTitle,
          description: p.message,
          source: "health_alert",
          status: "open",
          dueDate: new Date(p.dayMs + p.dueInDays * 86_400_000),
          assigneeEmployeeId: team[0]?.employee_id ?? null,
        },
        select: { id: true },
      });
      await db.healthAlert.update({ where: { id: alertId }, data: { taskId: task.id } });
      alerts.push({
        id: alertId,
        tenantId: p.tenantId,
        tenantName: p.tenantName,
        day,
        kind: p.kind,
        message: p.message,
        taskId: task.id,
        taskTitle: p.taskTitle,
      });
      if (sendNotifications && team.length > 0) {
        const created = await notify(db, {
          userIds: team.map((m) => m.user_id),
          tenantId: p.tenantId,
          kind: `health.${p.kind}`,
          title: p.taskTitle,
          body: p.message,
          link: healthTenantLink(p.tenantId),
        });
        notifications.push(...created);
      }
    });
  }
  return { alerts, notifications };
}
