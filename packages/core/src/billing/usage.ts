/**
 * Daily usage per tenant (bil_tenant_usage_metrics), computed from the hypertables in the tenant's
 * time zone, and its report to Stripe's usage-based billing (Billing Meter events; API reference:
 * "Billing Meter Events", "Record usage for billing").
 *
 * Definitions for a tenant's local calendar day D (adm_tenants.timezone):
 * - active vehicles: distinct vehicles with at least one position (tel_positions) during D;
 * - active drivers: distinct drivers assigned (flt_vehicle_assignments) to a vehicle while it
 *   reported a position during D, plus drivers who wrote a message (msg_messages inbound) during D;
 * - positions, messages: counts during D (messages both directions);
 * - overage vehicles: max(0, active vehicles − the plan's included vehicles).
 *
 * Reporting: for each subscribed tenant, each complete local day of the current billing period not
 * yet reported gets ONE meter event { stripe_customer_id, value: overage vehicles } with identifier
 * `fc-usage-<tenantId>-<YYYY-MM-DD>` and the same idempotency key; then reported_at is set. Three
 * guards make re-runs safe: reported_at locally, the idempotency key (a retry after Stripe accepted
 * returns Stripe's first answer), and the identifier (Stripe drops a second event with it).
 * Stripe sums the period's values (vehicle-days) and bills them at the per-vehicle-day overage price.
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import type { BillingUsageDay, UsageReportResult } from "@fleetcore/validators";
import { overageAmountMinor } from "./money";
import { type Stripe, toUnix } from "./stripe";

const DAY_MS = 86_400_000;

/** The local calendar day ("YYYY-MM-DD") of `at` in `timeZone` (IANA). */
export function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** The next calendar day of "YYYY-MM-DD". */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** The instant local midnight of `day` begins in `timeZone` (handles DST: offset at that midnight). */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  // Offset = local wall time − UTC at that instant; two passes settle DST edges.
  let guess = utcMidnight;
  for (let i = 0; i < 2; i++) {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(new Date(guess));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
    guess = utcMidnight - (wall - guess);
  }
  return new Date(guess);
}

/** Raw figures of one local day. */
export interface DailyUsageFigures {
  activeVehicles: number;
  activeDrivers: number;
  positions: number;
  messages: number;
}

/**
 * Measures one local day of a tenant from the hypertables (definitions in the file comment). Reads
 * only: any scope that sees the tenant's rows (tenant scope for live projections, system for jobs).
 * @param day "YYYY-MM-DD" in the tenant's time zone
 */
export async function measureDailyUsage(db: Db, tenantId: string, day: string): Promise<DailyUsageFigures> {
  const rows = await db.$queryRaw<
    { active_vehicles: bigint; active_drivers: bigint; positions: bigint; messages: bigint }[]
  >`
    WITH bounds AS (
      SELECT (${day}::date)::timestamp AT TIME ZONE t.timezone AS start_at,
             (${day}::date + 1)::timestamp AT TIME ZONE t.timezone AS end_at
      FROM adm_tenants t WHERE t.id = ${tenantId}::uuid
    ), pos AS (
      SELECT p.vehicle_id, count(*) AS n
      FROM tel_positions p, bounds b
      WHERE p.tenant_id = ${tenantId}::uuid AND p.time >= b.start_at AND p.time < b.end_at
      GROUP BY p.vehicle_id
    ), drivers AS (
      SELECT a.driver_id
      FROM flt_vehicle_assignments a, bounds b
      WHERE a.tenant_id = ${tenantId}::uuid
        AND a.start_at < b.end_at AND (a.end_at IS NULL OR a.end_at > b.start_at)
        AND EXISTS (
          SELECT 1 FROM tel_positions p
          WHERE p.vehicle_id = a.vehicle_id AND p.tenant_id = ${tenantId}::uuid
            AND p.time >= greatest(a.start_at, b.start_at)
            AND p.time < least(coalesce(a.end_at, b.end_at), b.end_at))
      UNION
      SELECT m.driver_id
      FROM msg_messages m, bounds b
      WHERE m.tenant_id = ${tenantId}::uuid AND m.direction = 'inbound'
        AND m.time >= b.start_at AND m.time < b.end_at
    )
    SELECT (SELECT count(*) FROM pos WHERE vehicle_id IS NOT NULL) AS active_vehicles,
           (SELECT count(*) FROM drivers) AS active_drivers,
           (SELECT coalesce(sum(n), 0) FROM pos)::bigint AS positions,
           (SELECT count(*) FROM msg_messages m, bounds b
              WHERE m.tenant_id = ${tenantId}::uuid AND m.time >= b.start_at AND m.time < b.end_at) AS messages`;
  const r = rows[0];
  return {
    activeVehicles: Number(r?.active_vehicles ?? 0),
    activeDrivers: Number(r?.active_drivers ?? 0),
    positions: Number(r?.positions ?? 0),
    messages: Number(r?.messages ?? 0),
  };
}

/** The included vehicles of the tenant's current subscription's plan (0 without one). */
async function includedVehicles(db: Db, tenantId: string): Promise<number> {
  const sub = await db.bilTenantSubscription.findFirst({
    where: { tenantId, status: { notIn: ["canceled", "incomplete_expired"] } },
    include: { plan: { select: { includedVehicles: true } } },
  });
  return sub?.plan?.includedVehicles ?? 0;
}

/**
 * Computes one local day's usage and stores it in bil_tenant_usage_metrics (system scope, own
 * transaction), overageVehicles = max(0, activeVehicles − plan.includedVehicles). A day already
 * reported to Stripe is not changed (what was billed stays what is shown).
 * @returns the stored row
 */
export async function computeDailyUsage(prisma: PrismaClient, tenantId: string, day: string): Promise<BillingUsageDay> {
  return withScope(prisma, { kind: "system" }, (db) => computeDailyUsageIn(db, tenantId, day));
}

async function computeDailyUsageIn(db: Db, tenantId: string, day: string): Promise<BillingUsageDay> {
  const date = new Date(`${day}T00:00:00Z`);
  const existing = await db.bilTenantUsageMetric.findUnique({ where: { tenantId_day: { tenantId, day: date } } });
  if (existing?.reportedAt) return toUsageDay(existing);
  const f = await measureDailyUsage(db, tenantId, day);
  const overageVehicles = Math.max(0, f.activeVehicles - (await includedVehicles(db, tenantId)));
  const values = {
    activeVehicles: f.activeVehicles,
    activeDrivers: f.activeDrivers,
    positions: BigInt(f.positions),
    messages: f.messages,
    overageVehicles,
    computedAt: new Date(),
  };
  const row = await db.bilTenantUsageMetric.upsert({
    where: { tenantId_day: { tenantId, day: date } },
    create: { tenantId, day: date, ...values },
    update: values,
  });
  return toUsageDay(row);
}

/** A usage row in the API shape. */
export function toUsageDay(r: {
  day: Date;
  activeVehicles: number;
  activeDrivers: number;
  positions: bigint;
  messages: number;
  overageVehicles: number;
  reportedAt: Date | null;
}): BillingUsageDay {
  return {
    day: r.day.toISOString().slice(0, 10),
    activeVehicles: r.activeVehicles,
    activeDrivers: r.activeDrivers,
    positions: Number(r.positions),
    messages: r.messages,
    overageVehicles: r.overageVehicles,
    reportedAt: r.reportedAt,
  };
}

/**
 * The local days of a billing period [periodStart, periodEnd) that are complete at `now`: from the
 * local day of periodStart up to (not including) the local day of `now` and of periodEnd (a day
 * split by the period's end belongs to the next period).
 */
export function completeDaysOfPeriod(periodStart: Date, periodEnd: Date, now: Date, timeZone: string): string[] {
  const first = localDay(periodStart, timeZone);
  const today = localDay(now, timeZone);
  const endDay = localDay(periodEnd, timeZone);
  const stop = [today, endDay].sort()[0] as string;
  const days: string[] = [];
  for (let d = first; d < stop && days.length < 400; d = nextDay(d)) days.push(d);
  return days;
}

/** Subscription statuses whose usage is reported. */
const REPORTED_STATUSES = ["trialing", "active", "past_due", "unpaid"] as const;

/**
 * Reports the overage of every subscribed tenant's complete, unreported days of the current period
 * to the Billing Meter (see the file comment): one meter event per tenant-day, `timestamp` = the
 * day's local start (or the period start, for the period's first, split day), then reported_at.
 * A Stripe failure stops that tenant's days (reported next run) and is returned, others go on.
 * @param opts.tenantIds limit to these tenants (tests; a provider's "report now" for one tenant)
 */
export async function reportUsage(
  prisma: PrismaClient,
  stripe: Stripe,
  now: Date,
  opts: { tenantIds?: string[] } = {},
): Promise<UsageReportResult> {
  const { subs, eventName } = await withScope(prisma, { kind: "system" }, async (db) => {
    const settings = await db.bilSettings.findUniqueOrThrow({ where: { id: 1 } });
    const subs = await db.bilTenantSubscription.findMany({
      where: {
        status: { in: [...REPORTED_STATUSES] },
        currentPeriodStart: { not: null },
        currentPeriodEnd: { not: null },
        ...(opts.tenantIds ? { tenantId: { in: opts.tenantIds } } : {}),
      },
      include: { tenant: { select: { timezone: true } } },
      orderBy: { tenantId: "asc" },
    });
    return { subs, eventName: settings.meterEventName };
  });
  const result: UsageReportResult = { tenants: subs.length, daysComputed: 0, eventsSent: 0, failures: [] };
  for (const sub of subs) {
    const start = sub.currentPeriodStart as Date;
    const end = sub.currentPeriodEnd as Date;
    const tz = sub.tenant.timezone;
    const days = completeDaysOfPeriod(start, end, now, tz);
    const reported = await withScope(prisma, { kind: "system" }, (db) =>
      db.bilTenantUsageMetric.findMany({
        where: {
          tenantId: sub.tenantId,
          day: { in: days.map((d) => new Date(`${d}T00:00:00Z`)) },
          reportedAt: { not: null },
        },
        select: { day: true },
      }),
    );
    const done = new Set(reported.map((r) => r.day.toISOString().slice(0, 10)));
    for (const day of days) {
      if (done.has(day)) continue;
      const usage = await computeDailyUsage(prisma, sub.tenantId, day);
      result.daysComputed += 1;
      const identifier = `fc-usage-${sub.tenantId}-${day}`;
      const dayStart = startOfLocalDay(day, tz);
      const timestamp = toUnix(new Date(Math.max(dayStart.getTime(), start.getTime())));
      try {
        await stripe.billing.meterEvents.create(
          {
            event_name: eventName,
            payload: { stripe_customer_id: sub.stripeCustomerId, value: String(usage.overageVehicles) },
            identifier,
            timestamp,
          },
          { idempotencyKey: identifier },
        );
      } catch (err) {
        result.failures.push({ tenantId: sub.tenantId, message: err instanceof Error ? err.message : String(err) });
        break;
      }
      await withScope(prisma, { kind: "system" }, (db) =>
        db.bilTenantUsageMetric.update({
          where: { tenantId_day: { tenantId: sub.tenantId, day: new Date(`${day}T00:00:00Z`) } },
          data: { reportedAt: new Date(), meterEventIdentifier: identifier },
        }),
      );
      result.eventsSent += 1;
    }
  }
  return result;
}

/** The current period's usage and projected charge (see ZBillingUsageSummary). */
export interface UsageProjection {
  periodStart: Date;
  periodEnd: Date;
  activeVehiclesToday: number;
  includedVehicles: number;
  overageVehicleDays: number;
  projectedOverageMinor: number;
  projectedTotalMinor: number;
  currency: string;
}

/**
 * Projects the current period's charge before Stripe invoices it: stored daily rows of the period,
 * days not stored yet measured live, plus today's partial count; overageVehicleDays = Σ
 * (active − included)⁺; projectedOverageMinor = {@link overageAmountMinor} (Stripe's arithmetic,
 * rounded once); projectedTotalMinor = base price of the interval + projected overage.
 * Reads only (tenant scope is enough).
 */
export async function projectUsage(
  db: Db,
  input: {
    tenantId: string;
    timeZone: string;
    periodStart: Date;
    periodEnd: Date;
    interval: "month" | "year";
    plan: {
      includedVehicles: number;
      overagePerVehicleMinor: number;
      monthlyPriceMinor: number;
      yearlyPriceMinor: number | null;
      currency: string;
    };
    now: Date;
  },
): Promise<UsageProjection> {
  const { tenantId, timeZone, plan, now } = input;
  const days = completeDaysOfPeriod(input.periodStart, input.periodEnd, now, timeZone);
  const stored = await db.bilTenantUsageMetric.findMany({
    where: { tenantId, day: { in: days.map((d) => new Date(`${d}T00:00:00Z`)) } },
    select: { day: true, activeVehicles: true, overageVehicles: true, reportedAt: true },
  });
  const byDay = new Map(stored.map((r) => [r.day.toISOString().slice(0, 10), r]));
  const overageOf = (active: number) => Math.max(0, active - plan.includedVehicles);
  let vehicleDays = 0;
  for (const day of days) {
    const row = byDay.get(day);
    if (row) vehicleDays += row.reportedAt ? row.overageVehicles : overageOf(row.activeVehicles);
    else vehicleDays += overageOf((await measureDailyUsage(db, tenantId, day)).activeVehicles);
  }
  const today = localDay(now, timeZone);
  const inPeriod = now >= input.periodStart && now < input.periodEnd;
  const activeVehiclesToday = (await measureDailyUsage(db, tenantId, today)).activeVehicles;
  if (inPeriod) vehicleDays += overageOf(activeVehiclesToday);
  const projectedOverageMinor = overageAmountMinor(vehicleDays, plan.overagePerVehicleMinor);
  const baseMinor = input.interval === "year" ? (plan.yearlyPriceMinor ?? 0) : plan.monthlyPriceMinor;
  return {
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
    activeVehiclesToday,
    includedVehicles: plan.includedVehicles,
    overageVehicleDays: vehicleDays,
    projectedOverageMinor,
    projectedTotalMinor: baseMinor + projectedOverageMinor,
    currency: plan.currency,
  };
}
