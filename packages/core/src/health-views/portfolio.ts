/**
 * Read models of the account manager's portfolio (issue 8 "Account manager screens"): every tenant
 * in scope with its latest health score (adm_tenant_health_scores, written by the daily scoring),
 * the 7- and 30-day trend, churn risk and horizon, ARR, renewal date, last engagement, open alerts
 * and current account managers — in ONE query, so the page stays within the benchmark's p95 ≤ 150 ms
 * at 1,000 tenants × 2 years of daily scores:
 *
 * - the latest score is a per-tenant LATERAL `ORDER BY day DESC LIMIT 1` on the hypertable's
 *   (tenant_id, day) primary key, bounded to the last {@link PORTFOLIO_LATEST_WINDOW_DAYS} days so
 *   TimescaleDB excludes every older chunk (90-day chunks: one or two are touched);
 * - the 7- and 30-day trends are the model's one definition (health/model.ts `healthTrend`, what the
 *   scoring's alerts use): the latest score minus the score exactly 7 (30) days before the latest
 *   scored day, null when that day has no score — a point lookup, also bounded by constants derived
 *   from today: under row-level
 *   security the planner cannot use the bounds relative to the latest day as index conditions
 *   (they are evaluated after the policy), but it does use these, so each probe reads a row or two;
 * - ARR = Σ `mrr_minor` of the tenant's live subscriptions (active, past_due, trialing — as
 *   billing/mrr.ts counts MRR) × 12, in the currency with the largest MRR (a tenant normally has one);
 * - renewal date = the nearest `expiry_date` ≥ today of an active or pending-renewal contract that
 *   has no (non-terminated) renewal yet — what crm.contracts.renewalsDue lists;
 * - last engagement = the latest `COALESCE(completed_at, scheduled_at, created_at)` not in the future;
 * - open alerts = alerts whose suggested task is open, plus alerts without a task raised in the last
 *   {@link PORTFOLIO_ALERT_OPEN_DAYS} days.
 *
 * "My tenants" = tenants where the employee has a current assignment (start ≤ today < end,
 * {@link currentAccountManagerSql}) in adm_tenant_account_managers. Days are UTC calendar days. Sorting by ARR compares minor units
 * without currency conversion. Needs a provider or system scope (RLS hides all of it from tenants).
 */
import { type Db, Prisma } from "@fleetcore/db";
import {
  PORTFOLIO_ALERT_OPEN_DAYS,
  PORTFOLIO_LATEST_WINDOW_DAYS,
  type PortfolioAccountManager,
  type PortfolioAtRisk,
  type PortfolioAtRiskRequest,
  type PortfolioBand,
  type PortfolioChurnDriver,
  type PortfolioDistribution,
  type PortfolioList,
  type PortfolioListRequest,
  type PortfolioOverview,
  type PortfolioOverviewRequest,
  type PortfolioRenewalPoint,
  type PortfolioRenewals,
  type PortfolioRow,
  type PortfolioScope,
  type PortfolioScopeRequest,
  type PortfolioSort,
  ZPortfolioAtRiskRequest,
  ZPortfolioListRequest,
  ZPortfolioOverviewRequest,
  ZPortfolioScopeRequest,
} from "@fleetcore/validators";
import { isoDay, parseInput } from "../crm/shared";
import { currentAccountManagerSql } from "../health/scoring";

/** Who asks: the provider employee (their id for "mine", their role for the default scope). */
export interface PortfolioViewer {
  employeeId: string;
  role: string;
}

/** The scope a viewer gets when they do not choose: account managers their own tenants, others all. */
export function defaultPortfolioScope(viewer: PortfolioViewer, scope?: PortfolioScope): PortfolioScope {
  return scope ?? (viewer.role === "account_manager" ? "mine" : "all");
}

interface PortfolioQuery {
  scope: PortfolioScope;
  sort?: PortfolioSort;
  dir?: "asc" | "desc";
  band?: PortfolioBand;
  search?: string;
  tenantId?: string;
}

interface RawRow {
  tenant_id: string;
  name: string;
  segment: string | null;
  status: string;
  day: Date | null;
  score: number | null;
  band: string | null;
  profile: string | null;
  trend7: number | null;
  trend30: number | null;
  churn_risk: number | null;
  churn_horizon_days: number | null;
  churn_threshold: number | null;
  top_driver: unknown;
  arr_minor: bigint | null;
  currency: string | null;
  renewal_date: Date | null;
  last_engagement_at: Date | null;
  open_alerts: number;
  account_managers: unknown;
}

const SORT_COLUMNS: Record<PortfolioSort, string> = {
  score: "score",
  churnRisk: "churn_risk",
  arr: "arr_minor",
  renewal: "renewal_date",
  trend: "trend7",
  name: "lower(name)",
};

function asBand(v: string | null): PortfolioBand | null {
  return v === "red" || v === "yellow" || v === "green" ? v : null;
}

/** A churn driver from the score row's JSON, or null when it is not one. */
export function toChurnDriver(v: unknown): PortfolioChurnDriver | null {
  if (!v || typeof v !== "object") return null;
  const d = v as Record<string, unknown>;
  if (typeof d.driver !== "string") return null;
  return {
    driver: d.driver,
    contribution: Number(d.contribution ?? 0),
    reason: typeof d.reason === "string" ? d.reason : "",
  };
}

function toManagers(v: unknown): PortfolioAccountManager[] {
  if (!Array.isArray(v)) return [];
  return v.map((m: { employeeId: string; name: string; role: string }) => ({
    employeeId: m.employeeId,
    name: m.name,
    role: m.role,
  }));
}

function toRow(r: RawRow): PortfolioRow {
  return {
    tenantId: r.tenant_id,
    name: r.name,
    segment: r.segment,
    status: r.status,
    day: r.day,
    score: r.score,
    band: asBand(r.band),
    profile: r.profile,
    trend7: r.trend7,
    trend30: r.trend30,
    churnRisk: r.churn_risk,
    churnHorizonDays: r.churn_horizon_days,
    churnRiskThreshold: r.churn_threshold,
    topDriver: toChurnDriver(r.top_driver),
    arrMinor: r.arr_minor,
    currency: r.currency,
    renewalDate: r.renewal_date,
    lastEngagementAt: r.last_engagement_at,
    openAlerts: r.open_alerts,
    accountManagers: toManagers(r.account_managers),
  };
}

/**
 * The portfolio rows (see the module comment) for `viewer`, filtered and sorted in SQL. Rows
 * without a value for the sort key come last either way; ties by name, then id.
 */
export async function loadPortfolioRows(
  db: Db,
  viewer: PortfolioViewer,
  q: PortfolioQuery,
  now = new Date(),
): Promise<PortfolioRow[]> {
  const today = isoDay(now);
  // `today` is isoDay's "YYYY-MM-DD": safe as a literal.
  const current = Prisma.raw(currentAccountManagerSql("am", `'${today}'::date`));
  const mine =
    q.scope === "mine"
      ? Prisma.sql`AND EXISTS (SELECT 1 FROM adm_tenant_account_managers am
                                WHERE am.tenant_id = t.id AND am.employee_id = ${viewer.employeeId}::uuid AND ${current})`
      : Prisma.empty;
  const search = q.search ? Prisma.sql`AND t.name ILIKE ${`%${q.search.replace(/[\\%_]/g, "\\$&")}%`}` : Prisma.empty;
  const tenant = q.tenantId ? Prisma.sql`AND t.id = ${q.tenantId}::uuid` : Prisma.empty;
  const band = q.band ? Prisma.sql`WHERE band = ${q.band}` : Prisma.empty;
  const dir = Prisma.raw(q.dir === "desc" ? "DESC" : "ASC");
  const sortColumn = Prisma.raw(SORT_COLUMNS[q.sort ?? "score"]);
  const window = PORTFOLIO_LATEST_WINDOW_DAYS;
  const rows = await db.$queryRaw<RawRow[]>`
    WITH scoped AS (
      SELECT t.id, t.name, t.segment, t.status::text AS status
        FROM adm_tenants t
       WHERE t.deleted_at IS NULL ${mine} ${search} ${tenant}
    ), base AS (
      SELECT s.id AS tenant_id, s.name, s.segment, s.status,
             l.day, l.score, l.band, l.profile, l.churn_risk, l.churn_horizon_days,
             l.score - w7.score AS trend7,
             l.score - w30.score AS trend30,
             CASE WHEN l.day IS NULL THEN NULL ELSE (p.alert_rules->>'churnRisk')::int END AS churn_threshold,
             CASE WHEN jsonb_typeof(l.churn_drivers) = 'array' THEN
               (SELECT d FROM jsonb_array_elements(l.churn_drivers) d
                 ORDER BY (d->>'contribution')::numeric DESC NULLS LAST LIMIT 1)
             END AS top_driver,
             arr.arr_minor, arr.currency,
             ren.renewal_date, eng.last_engagement_at,
             COALESCE(al.open_alerts, 0) AS open_alerts,
             COALESCE(ams.managers, '[]'::json) AS account_managers
        FROM scoped s
        LEFT JOIN LATERAL (
          SELECT h.day, h.score, h.band, h.profile, h.churn_risk, h.churn_horizon_days, h.churn_drivers
            FROM adm_tenant_health_scores h
           WHERE h.tenant_id = s.id AND h.day > ${today}::date - ${window}::int AND h.day <= ${today}::date
           ORDER BY h.day DESC LIMIT 1
        ) l ON true
        LEFT JOIN LATERAL (
          SELECT h.score FROM adm_tenant_health_scores h
           WHERE h.tenant_id = s.id AND h.day = l.day - 7
             AND h.day <= ${today}::date - 7 AND h.day > ${today}::date - ${window + 7}::int
        ) w7 ON true
        LEFT JOIN LATERAL (
          SELECT h.score FROM adm_tenant_health_scores h
           WHERE h.tenant_id = s.id AND h.day = l.day - 30
             AND h.day <= ${today}::date - 30 AND h.day > ${today}::date - ${window + 30}::int
        ) w30 ON true
        LEFT JOIN adm_health_profiles p ON p.name = l.profile
        LEFT JOIN LATERAL (
          SELECT sub.currency::text AS currency, SUM(sub.mrr_minor)::bigint * 12 AS arr_minor
            FROM bil_tenant_subscriptions sub
           WHERE sub.tenant_id = s.id AND sub.status IN ('active', 'past_due', 'trialing')
           GROUP BY sub.currency
           ORDER BY 2 DESC, 1 LIMIT 1
        ) arr ON true
        LEFT JOIN LATERAL (
          SELECT MIN(c.expiry_date) AS renewal_date
            FROM crm_contracts c
           WHERE c.tenant_id = s.id AND c.status IN ('active', 'pending_renewal') AND c.expiry_date >= ${today}::date
             AND NOT EXISTS (SELECT 1 FROM crm_contracts r WHERE r.renews_contract_id = c.id AND r.status <> 'terminated')
        ) ren ON true
        LEFT JOIN LATERAL (
          SELECT MAX(COALESCE(e.completed_at, e.scheduled_at, e.created_at)) AS last_engagement_at
            FROM crm_engagements e
           WHERE e.tenant_id = s.id AND e.deleted_at IS NULL
             AND COALESCE(e.completed_at, e.scheduled_at, e.created_at) <= ${now}
        ) eng ON true
        LEFT JOIN LATERAL (
          SELECT COUNT(*)::int AS open_alerts
            FROM adm_health_alerts a
            LEFT JOIN crm_tasks tk ON tk.id = a.task_id
           WHERE a.tenant_id = s.id
             AND CASE WHEN a.task_id IS NULL THEN a.day > ${today}::date - ${PORTFOLIO_ALERT_OPEN_DAYS}::int
                      ELSE tk.status = 'open' END
        ) al ON true
        LEFT JOIN LATERAL (
          SELECT json_agg(json_build_object('employeeId', am.employee_id, 'name', COALESCE(u.full_name, u.email),
                                            'role', am.role::text) ORDER BY am.role, u.email) AS managers
            FROM adm_tenant_account_managers am
            JOIN adm_provider_employees pe ON pe.id = am.employee_id
            JOIN adm_users u ON u.id = pe.user_id
           WHERE am.tenant_id = s.id AND ${current}
        ) ams ON true
    )
    SELECT * FROM base ${band}
     ORDER BY ${sortColumn} ${dir} NULLS LAST, lower(name), tenant_id`;
  return rows.map(toRow);
}

/** `portfolio.list`: the portfolio table (see {@link loadPortfolioRows}). */
export async function listPortfolio(
  db: Db,
  viewer: PortfolioViewer,
  input: PortfolioListRequest,
  now = new Date(),
): Promise<PortfolioList> {
  const q = parseInput(ZPortfolioListRequest, input);
  const scope = defaultPortfolioScope(viewer, q.scope);
  const rows = await loadPortfolioRows(db, viewer, { ...q, scope }, now);
  return { scope, rows };
}

/**
 * The score histogram (10-point bins: 0–9, 10–19 … 90–100, a 100 in the last) split by band, the
 * count per band and how many tenants have no recent score. Pure.
 */
export function scoreDistribution(rows: readonly Pick<PortfolioRow, "score" | "band">[]) {
  const bins = Array.from({ length: 10 }, (_, i) => ({
    from: i * 10,
    to: i === 9 ? 100 : i * 10 + 9,
    count: 0,
    red: 0,
    yellow: 0,
    green: 0,
  }));
  const bands = { red: 0, yellow: 0, green: 0 };
  let unscored = 0;
  for (const r of rows) {
    if (r.score === null || r.band === null) {
      unscored += 1;
      continue;
    }
    const bin = bins[Math.min(9, Math.max(0, Math.floor(r.score / 10)))];
    if (!bin) continue;
    bin.count += 1;
    bin[r.band] += 1;
    bands[r.band] += 1;
  }
  return { bins, bands, unscored };
}

/** `portfolio.distribution` for the viewer's scope. */
export async function portfolioDistribution(
  db: Db,
  viewer: PortfolioViewer,
  input: PortfolioScopeRequest,
  now = new Date(),
): Promise<PortfolioDistribution> {
  const q = parseInput(ZPortfolioScopeRequest, input);
  const scope = defaultPortfolioScope(viewer, q.scope);
  const rows = await loadPortfolioRows(db, viewer, { scope }, now);
  return { scope, ...scoreDistribution(rows) };
}

/**
 * `portfolio.atRisk`: tenants in the red band or with churn risk ≥ the threshold (`threshold`, else
 * each tenant's profile's churn-risk alert threshold, 70 when unknown); highest churn risk first,
 * then lowest score. Each row carries its top churn driver.
 */
export async function portfolioAtRisk(
  db: Db,
  viewer: PortfolioViewer,
  input: PortfolioAtRiskRequest,
  now = new Date(),
): Promise<PortfolioAtRisk> {
  const q = parseInput(ZPortfolioAtRiskRequest, input);
  const scope = defaultPortfolioScope(viewer, q.scope);
  const rows = await loadPortfolioRows(db, viewer, { scope, sort: "churnRisk", dir: "desc" }, now);
  return { scope, rows: atRiskRows(rows, q.threshold, q.limit) };
}

/** Portfolio rows sorted in memory as the SQL sorts them: by `sort` and `dir`, nulls last, then name and id. */
function sortRows(rows: PortfolioRow[], sort: PortfolioSort, dir: "asc" | "desc"): PortfolioRow[] {
  const key = (r: PortfolioRow): number | string | null => {
    switch (sort) {
      case "score":
        return r.score;
      case "churnRisk":
        return r.churnRisk;
      case "arr":
        return r.arrMinor === null ? null : Number(r.arrMinor);
      case "renewal":
        return r.renewalDate?.getTime() ?? null;
      case "trend":
        return r.trend7;
      case "name":
        return r.name.toLowerCase();
    }
  };
  const sign = dir === "desc" ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * sign;
    }
    const an = a.name.toLowerCase();
    const bn = b.name.toLowerCase();
    return an < bn ? -1 : an > bn ? 1 : a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0;
  });
}

/** Red or at/above the churn-risk threshold (`threshold`, else the row's profile's, else 70); riskiest first. */
function atRiskRows(rows: readonly PortfolioRow[], threshold: number | undefined, limit: number): PortfolioRow[] {
  const atRisk = rows.filter(
    (r) => r.score !== null && (r.band === "red" || (r.churnRisk ?? 0) >= (threshold ?? r.churnRiskThreshold ?? 70)),
  );
  atRisk.sort(
    (a, b) =>
      (b.churnRisk ?? 0) - (a.churnRisk ?? 0) ||
      (a.score ?? 0) - (b.score ?? 0) ||
      a.name.toLowerCase().localeCompare(b.name.toLowerCase()),
  );
  return atRisk.slice(0, limit);
}

/** Renewal bubbles of scored tenants with a renewal date, soonest first. */
function renewalPoints(rows: readonly PortfolioRow[]): PortfolioRenewalPoint[] {
  return sortRows([...rows], "renewal", "asc").flatMap((r) =>
    r.renewalDate && r.score !== null && r.band
      ? [
          {
            tenantId: r.tenantId,
            name: r.name,
            renewalDate: r.renewalDate,
            score: r.score,
            band: r.band,
            arrMinor: r.arrMinor,
            currency: r.currency,
          },
        ]
      : [],
  );
}

/**
 * `portfolio.overview`: the portfolio page in ONE read of {@link loadPortfolioRows} for the scope —
 * the table (filtered by band and name, sorted as `list` sorts), the score distribution, the at-risk
 * list and the renewal bubbles (those three over the whole scope, as `distribution`, `atRisk` and
 * `renewals` answer them).
 */
export async function portfolioOverview(
  db: Db,
  viewer: PortfolioViewer,
  input: PortfolioOverviewRequest,
  now = new Date(),
): Promise<PortfolioOverview> {
  const q = parseInput(ZPortfolioOverviewRequest, input);
  const scope = defaultPortfolioScope(viewer, q.scope);
  const all = await loadPortfolioRows(db, viewer, { scope, sort: q.sort, dir: q.dir }, now);
  const needle = q.search?.toLowerCase();
  const rows = all.filter((r) => (!q.band || r.band === q.band) && (!needle || r.name.toLowerCase().includes(needle)));
  const { bins, bands, unscored } = scoreDistribution(all);
  return {
    scope,
    rows,
    distribution: { bins, bands, unscored },
    atRisk: atRiskRows(all, q.threshold, q.atRiskLimit),
    renewals: renewalPoints(all),
  };
}

/** `portfolio.renewals`: bubbles (renewal date × score, ARR as size) of scored tenants with a renewal, soonest first. */
export async function portfolioRenewals(
  db: Db,
  viewer: PortfolioViewer,
  input: PortfolioScopeRequest,
  now = new Date(),
): Promise<PortfolioRenewals> {
  const q = parseInput(ZPortfolioScopeRequest, input);
  const scope = defaultPortfolioScope(viewer, q.scope);
  const rows = await loadPortfolioRows(db, viewer, { scope, sort: "renewal", dir: "asc" }, now);
  return { scope, points: renewalPoints(rows) };
}
