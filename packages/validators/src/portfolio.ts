/**
 * The account manager screens (issue 8 "Account manager screens", customer-health.md "Health
 * Monitoring"): the portfolio of tenants with their latest health score, trend, churn risk, ARR and
 * renewal date; the score distribution, the at-risk list and the renewal bubble chart; one tenant's
 * health detail (components with their reason sentences, churn drivers, score history, daily
 * activity), its health alerts and customer-success tasks. Provider staff only.
 *
 * Money is an integer amount of minor units (`…Minor`, a `bigint`) with its ISO 4217 currency
 * beside it. Calendar days (score days, renewal dates) travel as the `Date` of their UTC midnight,
 * as SQL `date` columns are read.
 */
import { z } from "zod";
import { ZHealthComponent } from "./health";

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

/** Health bands (customer-health.md: red < 50, yellow 50–75, green > 75 by default; per profile). */
export const PORTFOLIO_BANDS = ["red", "yellow", "green"] as const;
export const ZPortfolioBand = z.enum(PORTFOLIO_BANDS);
export type PortfolioBand = z.infer<typeof ZPortfolioBand>;

/** Whose tenants: the signed-in employee's current assignments ("mine") or every tenant ("all"). */
export const PORTFOLIO_SCOPES = ["mine", "all"] as const;
export const ZPortfolioScope = z.enum(PORTFOLIO_SCOPES);
export type PortfolioScope = z.infer<typeof ZPortfolioScope>;

/** Sort keys of the portfolio table; `trend` is the 7-day change. */
export const PORTFOLIO_SORTS = ["score", "churnRisk", "arr", "renewal", "trend", "name"] as const;
export const ZPortfolioSort = z.enum(PORTFOLIO_SORTS);
export type PortfolioSort = z.infer<typeof ZPortfolioSort>;

/** The longest range of `scoreHistory` and `activity`, days (two years and a bit). */
export const PORTFOLIO_MAX_RANGE_DAYS = 800;

/**
 * `scope` of any portfolio query; omitted = the caller's default (account managers: "mine",
 * everyone else: "all").
 */
const scopeField = ZPortfolioScope.optional();

// ---------------------------------------------------------------------------------------------
// Portfolio
// ---------------------------------------------------------------------------------------------

/** Input of `portfolio.list`. Rows without a value for the sort key come last in either direction. */
export const ZPortfolioListRequest = z.object({
  scope: scopeField,
  sort: ZPortfolioSort.default("score"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  band: ZPortfolioBand.optional(),
  /** Part of the tenant's name (case-insensitive). */
  search: z.string().trim().max(100).optional(),
});
export type PortfolioListRequest = z.input<typeof ZPortfolioListRequest>;

/** A current account manager of a tenant. */
export const ZPortfolioAccountManager = z.object({
  employeeId: z.uuid(),
  name: z.string(),
  role: z.string(),
});
export type PortfolioAccountManager = z.infer<typeof ZPortfolioAccountManager>;

/** The churn driver contributing most, as the score row lists it. */
export const ZPortfolioChurnDriver = z.object({
  driver: z.string(),
  /** Points of churn risk it adds. */
  contribution: z.number(),
  reason: z.string(),
});
export type PortfolioChurnDriver = z.infer<typeof ZPortfolioChurnDriver>;

/**
 * One tenant of the portfolio. Score fields are null when the tenant has no score in the last
 * {@link PORTFOLIO_LATEST_WINDOW_DAYS} days; `trend7`/`trend30` = latest score − the score 7/30 days
 * before it (the nearest day on or before, at most 7 days earlier), null without one.
 * `arrMinor` = the MRR of its live subscriptions (active, past due, trialing) × 12, in `currency`.
 * `renewalDate` = the nearest expiry of an active or pending-renewal contract not yet renewed.
 */
export const ZPortfolioRow = z.object({
  tenantId: z.uuid(),
  name: z.string(),
  segment: z.string().nullable(),
  status: z.string(),
  day: z.date().nullable(),
  score: z.number().int().nullable(),
  band: ZPortfolioBand.nullable(),
  profile: z.string().nullable(),
  trend7: z.number().int().nullable(),
  trend30: z.number().int().nullable(),
  churnRisk: z.number().int().nullable(),
  churnHorizonDays: z.number().int().nullable(),
  /** The churn risk from which this tenant's profile raises an alert (null without a score). */
  churnRiskThreshold: z.number().int().nullable(),
  topDriver: ZPortfolioChurnDriver.nullable(),
  arrMinor: z.bigint().nullable(),
  currency: z.string().nullable(),
  renewalDate: z.date().nullable(),
  lastEngagementAt: z.date().nullable(),
  openAlerts: z.number().int(),
  accountManagers: z.array(ZPortfolioAccountManager),
});
export type PortfolioRow = z.infer<typeof ZPortfolioRow>;

/** How many days back the "latest" score may be (older scores count as none). */
export const PORTFOLIO_LATEST_WINDOW_DAYS = 14;

/** `portfolio.list`: the rows and which scope they are for (the default resolved). */
export const ZPortfolioList = z.object({ scope: ZPortfolioScope, rows: z.array(ZPortfolioRow) });
export type PortfolioList = z.infer<typeof ZPortfolioList>;

/** Input of `portfolio.distribution`. */
export const ZPortfolioScopeRequest = z.object({ scope: scopeField });
export type PortfolioScopeRequest = z.input<typeof ZPortfolioScopeRequest>;

/** `portfolio.distribution`: 10-point bins (0–9 … 90–100; 100 falls in the last) and band counts. */
export const ZPortfolioDistribution = z.object({
  scope: ZPortfolioScope,
  bins: z.array(
    z.object({
      /** Lowest score of the bin (0, 10, … 90). */
      from: z.number().int(),
      /** Highest score of the bin (9, 19, … 100). */
      to: z.number().int(),
      count: z.number().int(),
      /** Tenants of the bin per band (a bin can straddle a profile's threshold). */
      red: z.number().int(),
      yellow: z.number().int(),
      green: z.number().int(),
    }),
  ),
  bands: z.object({ red: z.number().int(), yellow: z.number().int(), green: z.number().int() }),
  /** Tenants in scope without a recent score. */
  unscored: z.number().int(),
});
export type PortfolioDistribution = z.infer<typeof ZPortfolioDistribution>;

/** Input of `portfolio.atRisk`; `threshold` overrides each profile's churn-risk alert threshold. */
export const ZPortfolioAtRiskRequest = z.object({
  scope: scopeField,
  limit: z.number().int().min(1).max(200).default(10),
  threshold: z.number().int().min(0).max(100).optional(),
});
export type PortfolioAtRiskRequest = z.input<typeof ZPortfolioAtRiskRequest>;

/** `portfolio.atRisk`: red tenants or churn risk ≥ threshold, highest churn risk first. */
export const ZPortfolioAtRisk = z.object({ scope: ZPortfolioScope, rows: z.array(ZPortfolioRow) });
export type PortfolioAtRisk = z.infer<typeof ZPortfolioAtRisk>;

/** One bubble of the renewal chart: x = renewal date, y = score, size = ARR. */
export const ZPortfolioRenewalPoint = z.object({
  tenantId: z.uuid(),
  name: z.string(),
  renewalDate: z.date(),
  score: z.number().int(),
  band: ZPortfolioBand,
  arrMinor: z.bigint().nullable(),
  currency: z.string().nullable(),
});
export type PortfolioRenewalPoint = z.infer<typeof ZPortfolioRenewalPoint>;

/** `portfolio.renewals`: scored tenants with an upcoming renewal, soonest first. */
export const ZPortfolioRenewals = z.object({ scope: ZPortfolioScope, points: z.array(ZPortfolioRenewalPoint) });
export type PortfolioRenewals = z.infer<typeof ZPortfolioRenewals>;

// ---------------------------------------------------------------------------------------------
// One tenant
// ---------------------------------------------------------------------------------------------

/** Input of `portfolio.tenant`. */
export const ZPortfolioTenantRequest = z.object({ tenantId: z.uuid() });
export type PortfolioTenantRequest = z.input<typeof ZPortfolioTenantRequest>;

/**
 * A component of the score as the daily scoring stored it (`components` JSON): {@link ZHealthComponent},
 * `score` null when the component had no data (left out; `effectiveWeight` 0).
 */
export const ZPortfolioComponent = ZHealthComponent;
export type PortfolioComponent = z.infer<typeof ZPortfolioComponent>;

/** `portfolio.tenant`: the portfolio row of the tenant plus its latest score's components and all drivers. */
export const ZPortfolioTenant = z.object({
  row: ZPortfolioRow,
  components: z.array(ZPortfolioComponent),
  churnDrivers: z.array(ZPortfolioChurnDriver),
});
export type PortfolioTenant = z.infer<typeof ZPortfolioTenant>;

/** Input of `portfolio.scoreHistory` and `portfolio.activity`: calendar days [from, to], both included. */
export const ZPortfolioRangeRequest = z
  .object({ tenantId: z.uuid(), from: z.date(), to: z.date() })
  .refine((r) => r.from.getTime() <= r.to.getTime(), { message: "from must not be after to", path: ["from"] })
  .refine((r) => r.to.getTime() - r.from.getTime() <= PORTFOLIO_MAX_RANGE_DAYS * 86_400_000, {
    message: `at most ${PORTFOLIO_MAX_RANGE_DAYS} days`,
    path: ["to"],
  });
export type PortfolioRangeRequest = z.input<typeof ZPortfolioRangeRequest>;

/**
 * One day of `portfolio.scoreHistory`: the score, its band, the four components (null: no data that
 * day — a gap in the chart, not the stored placeholder 50) and the churn risk.
 */
export const ZPortfolioScorePoint = z.object({
  day: z.date(),
  score: z.number().int(),
  band: ZPortfolioBand,
  productUsage: z.number().int().nullable(),
  support: z.number().int().nullable(),
  engagement: z.number().int().nullable(),
  business: z.number().int().nullable(),
  churnRisk: z.number().int(),
});
export type PortfolioScorePoint = z.infer<typeof ZPortfolioScorePoint>;

/** One day of `portfolio.activity` (adm_tenant_activity_metrics); counts as plain numbers for charts. */
export const ZPortfolioActivityPoint = z.object({
  day: z.date(),
  activeUsers: z.number().int(),
  logins: z.number().int(),
  activeVehicles: z.number().int(),
  positions: z.number(),
  distanceM: z.number(),
  messagesSent: z.number().int(),
  messagesReceived: z.number().int(),
  ticketsOpened: z.number().int(),
  ticketsOpen: z.number().int(),
  featureCount: z.number().int(),
});
export type PortfolioActivityPoint = z.infer<typeof ZPortfolioActivityPoint>;

// ---------------------------------------------------------------------------------------------
// Alerts and tasks
// ---------------------------------------------------------------------------------------------

/** Input of `portfolio.alerts`: the tenant's health alerts, newest first. */
export const ZPortfolioAlertsRequest = z.object({
  tenantId: z.uuid(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type PortfolioAlertsRequest = z.input<typeof ZPortfolioAlertsRequest>;

/**
 * A health alert. It is open while its suggested task is open (or, without a task, for
 * {@link PORTFOLIO_ALERT_OPEN_DAYS} days after it was raised).
 */
export const ZPortfolioAlert = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  day: z.date(),
  /** score_drop, red, churn_risk or renewal_no_engagement. */
  kind: z.string(),
  message: z.string(),
  taskId: z.uuid().nullable(),
  open: z.boolean(),
  createdAt: z.date(),
});
export type PortfolioAlert = z.infer<typeof ZPortfolioAlert>;

/** Days an alert without a task counts as open. */
export const PORTFOLIO_ALERT_OPEN_DAYS = 30;

/** Task statuses. */
export const PORTFOLIO_TASK_STATUSES = ["open", "done"] as const;
export const ZPortfolioTaskStatus = z.enum(PORTFOLIO_TASK_STATUSES);

/** Input of `portfolio.tasks.list`: the tenant's tasks (open first, then newest). */
export const ZPortfolioTasksRequest = z.object({ tenantId: z.uuid(), status: ZPortfolioTaskStatus.optional() });
export type PortfolioTasksRequest = z.input<typeof ZPortfolioTasksRequest>;

/** A customer-success task (crm_tasks). */
export const ZPortfolioTask = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  /** health_alert or manual. */
  source: z.string(),
  status: ZPortfolioTaskStatus,
  dueDate: z.date().nullable(),
  assigneeEmployeeId: z.uuid().nullable(),
  assigneeName: z.string().nullable(),
  completedAt: z.date().nullable(),
  createdAt: z.date(),
});
export type PortfolioTask = z.infer<typeof ZPortfolioTask>;

/** Input of `portfolio.tasks.complete`. */
export const ZCompletePortfolioTaskRequest = z.object({ taskId: z.uuid() });
export type CompletePortfolioTaskRequest = z.input<typeof ZCompletePortfolioTaskRequest>;

/**
 * Input of `portfolio.overview` (the portfolio page in one call): the table's view (scope, sort,
 * band, search) and the at-risk list's length and optional churn-risk threshold.
 */
export const ZPortfolioOverviewRequest = ZPortfolioListRequest.extend({
  atRiskLimit: z.number().int().min(1).max(200).default(10),
  threshold: z.number().int().min(0).max(100).optional(),
});
export type PortfolioOverviewRequest = z.input<typeof ZPortfolioOverviewRequest>;

/**
 * `portfolio.overview`: what `list`, `distribution`, `atRisk` and `renewals` answer, from one read of
 * the portfolio. The table honours `band` and `search`; the three panels cover the whole scope.
 */
export const ZPortfolioOverview = z.object({
  scope: ZPortfolioScope,
  rows: z.array(ZPortfolioRow),
  distribution: ZPortfolioDistribution.omit({ scope: true }),
  atRisk: z.array(ZPortfolioRow),
  renewals: z.array(ZPortfolioRenewalPoint),
});
export type PortfolioOverview = z.infer<typeof ZPortfolioOverview>;
