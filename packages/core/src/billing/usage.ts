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
 * Reporting: for each subscribed tenant, every complete local day after the last reported one (from
 * the subscription's start when none was) up to yesterday, whichever billing period it belongs to
 * (a period that renewed since the last run still gets its last days), gets ONE meter event
 * { stripe_customer_id, value: overage vehicles } with identifier `fc-usage-<tenantId>-<YYYY-MM-DD>`
 * and the same idempotency key, in two steps:
 * 1. freeze: the day's figures are computed and stored together with the identifier — an upsert
 *    that only writes a row with neither reported_at nor meter_event_identifier, so a frozen row is
 *    never recomputed (late positions, a second process) and every process reads the same value;
 * 2. send the stored value, then set reported_at.
 * So a retry always resends the exact request Stripe may already have accepted: the idempotency key
 * replays Stripe's first answer (never a 400 idempotency_error for a changed value), and the
 * identifier makes Stripe drop a second event. Both last about 24 hours at Stripe, and the hourly
 * job retries long before that. Days whose timestamp is older than Stripe's 35-day window for meter
 * events cannot be reported any more: they are skipped with a recorded failure.
 * Stripe sums the period's values (vehicle-days) and bills them at the per-vehicle-day overage price.
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import type { BillingUsageDay, UsageReportResult } from "@fleetcore/validators";
import { meteredAmountMinor } from "./money";
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
 * transaction), overageVehicles = max(0, activeVehicles − plan.includedVehicles). A day frozen for
 * or already reported to Stripe (meter_event_identifier or reported_at set) is not changed: what is
 * billed stays what is shown.
 * @returns the stored row
 */
export async function computeDailyUsage(prisma: PrismaClient, tenantId: string, day: string): Promise<BillingUsageDay> {
  return withScope(prisma, { kind: "system" }, async (db) =>
    toUsageDay(await storeDailyUsage(db, tenantId, day, null)),
  );
}

/**
 * Measures `day` and writes it, with `identifier` (null: only computed, not frozen), unless the row
 * is already frozen or reported — the guard is in the upsert's WHERE, so two processes cannot
 * overwrite a frozen row between a read and a write. Returns the row as stored afterwards.
 */
async function storeDailyUsage(db: Db, tenantId: string, day: string, identifier: string | null) {
  const date = new Date(`${day}T00:00:00Z`);
  const existing = await db.bilTenantUsageMetric.findUnique({ where: { tenantId_day: { tenantId, day: date } } });
  if (existing?.reportedAt || existing?.meterEventIdentifier) return existing;
  const f = await measureDailyUsage(db, tenantId, day);
  const overageVehicles = Math.max(0, f.activeVehicles - (await includedVehicles(db, tenantId)));
  await db.$executeRaw`
    INSERT INTO bil_tenant_usage_metrics AS m
      (tenant_id, day, active_vehicles, active_drivers, positions, messages, overage_vehicles, computed_at,
       meter_event_identifier)
    VALUES (${tenantId}::uuid, ${day}::date, ${f.activeVehicles}, ${f.activeDrivers}, ${BigInt(f.positions)},
            ${f.messages}, ${overageVehicles}, now(), ${identifier})
    ON CONFLICT (tenant_id, day) DO UPDATE SET
      active_vehicles = EXCLUDED.active_vehicles, active_drivers = EXCLUDED.active_drivers,
      positions = EXCLUDED.positions, messages = EXCLUDED.messages,
      overage_vehicles = EXCLUDED.overage_vehicles, computed_at = EXCLUDED.computed_at,
      meter_event_identifier = EXCLUDED.meter_event_identifier
    WHERE m.reported_at IS NULL AND m.meter_event_identifier IS NULL`;
  return db.bilTenantUsageMetric.findUniqueOrThrow({ where: { tenantId_day: { tenantId, day: date } } });
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

/** Stripe accepts meter events whose timestamp is within the past 35 calendar days (API reference). */
export const METER_EVENT_MAX_AGE_MS = 35 * DAY_MS;

/** The meter event identifier (and idempotency key) of a tenant's local day. */
export function usageIdentifier(tenantId: string, day: string): string {
  return `fc-usage-${tenantId}-${day}`;
}

/**
 * The days {@link reportUsage} sends for one subscription: from the day after `lastReportedDay`
 * (or the subscription's first local day, whichever is later) up to the last complete local day at
 * `now` — never the day split by `periodEnd`, which belongs to the next period and waits for the
 * renewal. Days of an earlier period than the current one are included (they may have been missed).
 * Each day's timestamp is its local start, clamped into the period containing it: the period's
 * first, split day starts at `periodStart` (or `subscriptionStart`). At most 400 days.
 */
export function daysToReport(input: {
  lastReportedDay: string | null;
  subscriptionStart: Date;
  periodStart: Date;
  periodEnd: Date;
  now: Date;
  timeZone: string;
}): Array<{ day: string; timestamp: Date }> {
  const tz = input.timeZone;
  const startDay = localDay(input.subscriptionStart, tz);
  const after = input.lastReportedDay ? nextDay(input.lastReportedDay) : startDay;
  const first = [after, startDay].sort()[1] as string; // the later of the two "YYYY-MM-DD"
  const stop = [localDay(input.now, tz), localDay(input.periodEnd, tz)].sort()[0] as string;
  const boundaries = [input.subscriptionStart, input.periodStart];
  const out: Array<{ day: string; timestamp: Date }> = [];
  for (let d = first; d < stop && out.length < 400; d = nextDay(d)) {
    let at = startOfLocalDay(d, tz).getTime();
    for (const b of boundaries) if (localDay(b, tz) === d) at = Math.max(at, b.getTime());
    out.push({ day: d, timestamp: new Date(at) });
  }
  return out;
}

/**
 * Reports the overage of every subscribed tenant's complete, unreported days to the Billing Meter
 * (see the file comment): for each day of {@link daysToReport}, freeze the day (figures +
 * identifier, never recomputed once frozen), send ONE meter event with the stored value, then set
 * reported_at. A Stripe failure stops that tenant's days (the frozen day is resent unchanged next
 * run) and is returned, other tenants go on; a day older than {@link METER_EVENT_MAX_AGE_MS} is
 * skipped with a failure (Stripe would refuse it) and the later days still go.
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
  const oldest = now.getTime() - METER_EVENT_MAX_AGE_MS + 60_000;
  for (const sub of subs) {
    const periodStart = sub.currentPeriodStart as Date;
    const last = await withScope(prisma, { kind: "system" }, (db) =>
      db.bilTenantUsageMetric.findFirst({
        where: { tenantId: sub.tenantId, reportedAt: { not: null } },
        orderBy: { day: "desc" },
        select: { day: true },
      }),
    );
    const days = daysToReport({
      lastReportedDay: last ? last.day.toISOString().slice(0, 10) : null,
      // The local row appears with the first webhook, at the latest at the subscription's start.
      subscriptionStart: new Date(Math.min(sub.createdAt.getTime(), periodStart.getTime())),
      periodStart,
      periodEnd: sub.currentPeriodEnd as Date,
      now,
      timeZone: sub.tenant.timezone,
    });
    for (const { day, timestamp } of days) {
      if (timestamp.getTime() < oldest) {
        result.failures.push({
          tenantId: sub.tenantId,
          message: `${day} is older than Stripe's 35-day window for meter events: not reported`,
        });
        continue;
      }
      // Step 1: freeze the day (or read the value frozen by an earlier run or another process).
      const identifier = usageIdentifier(sub.tenantId, day);
      const row = await withScope(prisma, { kind: "system" }, async (db) => {
        const before = await db.bilTenantUsageMetric.findUnique({
          where: { tenantId_day: { tenantId: sub.tenantId, day: new Date(`${day}T00:00:00Z`) } },
          select: { meterEventIdentifier: true },
        });
        const stored = await storeDailyUsage(db, sub.tenantId, day, identifier);
        return { ...stored, frozenNow: !before?.meterEventIdentifier && stored.meterEventIdentifier === identifier };
      });
      if (row.reportedAt) continue;
      if (row.frozenNow) result.daysComputed += 1;
      // Step 2: send exactly what was frozen, under the identifier stored with it.
      const frozenIdentifier = row.meterEventIdentifier ?? identifier;
      try {
        await stripe.billing.meterEvents.create(
          {
            event_name: eventName,
            payload: { stripe_customer_id: sub.stripeCustomerId, value: String(row.overageVehicles) },
            identifier: frozenIdentifier,
            timestamp: toUnix(timestamp),
          },
          { idempotencyKey: frozenIdentifier },
        );
      } catch (err) {
        result.failures.push({ tenantId: sub.tenantId, message: err instanceof Error ? err.message : String(err) });
        break;
      }
      const marked = await withScope(prisma, { kind: "system" }, (db) =>
        db.bilTenantUsageMetric.updateMany({
          where: { tenantId: sub.tenantId, day: new Date(`${day}T00:00:00Z`), reportedAt: null },
          data: { reportedAt: new Date() },
        }),
      );
      if (marked.count > 0) result.eventsSent += 1;
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
 * (active − included)⁺; projectedOverageMinor = {@link meteredAmountMinor} of those vehicle-days at
 * the subscription's own overage Price (Stripe's arithmetic, rounded once); projectedTotalMinor =
 * the subscription's base amount per interval + projected overage. `prices` are what the
 * subscription was sold at (its plan version), not the plan's current prices.
 * Reads only (tenant scope is enough).
 */
export async function projectUsage(
  db: Db,
  input: {
    tenantId: string;
    timeZone: string;
    periodStart: Date;
    periodEnd: Date;
    includedVehicles: number;
    /** Base amount per interval (minor units) and overage per vehicle-day (Stripe decimal string). */
    prices: { baseMinor: number; overageUnitAmountDecimal: string; currency: string };
    now: Date;
  },
): Promise<UsageProjection> {
  const { tenantId, timeZone, prices, now } = input;
  const days = completeDaysOfPeriod(input.periodStart, input.periodEnd, now, timeZone);
  const stored = await db.bilTenantUsageMetric.findMany({
    where: { tenantId, day: { in: days.map((d) => new Date(`${d}T00:00:00Z`)) } },
    select: { day: true, activeVehicles: true, overageVehicles: true, reportedAt: true, meterEventIdentifier: true },
  });
  const byDay = new Map(stored.map((r) => [r.day.toISOString().slice(0, 10), r]));
  const overageOf = (active: number) => Math.max(0, active - input.includedVehicles);
  let vehicleDays = 0;
  for (const day of days) {
    const row = byDay.get(day);
    // A frozen or reported day counts what Stripe is sent; others with the plan's included vehicles.
    if (row)
      vehicleDays += row.reportedAt || row.meterEventIdentifier ? row.overageVehicles : overageOf(row.activeVehicles);
    else vehicleDays += overageOf((await measureDailyUsage(db, tenantId, day)).activeVehicles);
  }
  const today = localDay(now, timeZone);
  const inPeriod = now >= input.periodStart && now < input.periodEnd;
  const activeVehiclesToday = (await measureDailyUsage(db, tenantId, today)).activeVehicles;
  if (inPeriod) vehicleDays += overageOf(activeVehiclesToday);
  const projectedOverageMinor = meteredAmountMinor(vehicleDays, prices.overageUnitAmountDecimal);
  const baseMinor = prices.baseMinor;
  return {
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
    activeVehiclesToday,
    includedVehicles: input.includedVehicles,
    overageVehicleDays: vehicleDays,
    projectedOverageMinor,
    projectedTotalMinor: baseMinor + projectedOverageMinor,
    currency: prices.currency,
  };
}
