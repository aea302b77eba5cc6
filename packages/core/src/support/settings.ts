/**
 * The support desk's configuration, edited by provider admins: SLA targets per priority
 * (sup_sla_policies) and the business calendar (sup_business_calendar, one row). Both are readable
 * from every scope and written only cross-tenant (row-level security). Changes apply to tickets
 * created (or re-prioritised) afterwards; existing due times are kept.
 */
import type { Db } from "@fleetcore/db";
import type { BusinessCalendarSettings, SlaPolicy } from "@fleetcore/validators";
import { TICKET_PRIORITIES, ZBusinessCalendar, ZSlaPolicy } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError, parseInput } from "../errors";
import { loadCalendar } from "./shared";
import { isValidTimeZone } from "./sla";

/** The SLA policies (in priority order, urgent first) and the business calendar. */
export async function getSupportSettings(
  db: Db,
): Promise<{ policies: SlaPolicy[]; calendar: BusinessCalendarSettings }> {
  const rows = await db.supSlaPolicy.findMany();
  const order = [...TICKET_PRIORITIES].reverse();
  const policies = rows
    .map((r) => ({
      priority: r.priority,
      firstResponseMinutes: r.firstResponseMinutes,
      resolutionMinutes: r.resolutionMinutes,
      businessHoursOnly: r.businessHoursOnly,
    }))
    .sort((a, b) => order.indexOf(a.priority) - order.indexOf(b.priority));
  return { policies, calendar: await loadCalendar(db) };
}

/**
 * Sets one priority's targets (audited `support_sla.policy_updated`, no tenant).
 * @throws DomainError("invalid") out-of-range minutes or first response above resolution
 */
export async function updateSlaPolicy(tx: Tx, input: SlaPolicy): Promise<SlaPolicy> {
  const p = parseInput(ZSlaPolicy, input);
  const before = await tx.db.supSlaPolicy.findUnique({ where: { priority: p.priority } });
  const data = {
    firstResponseMinutes: p.firstResponseMinutes,
    resolutionMinutes: p.resolutionMinutes,
    businessHoursOnly: p.businessHoursOnly,
  };
  await tx.db.supSlaPolicy.upsert({
    where: { priority: p.priority },
    create: { priority: p.priority, ...data },
    update: data,
  });
  await tx.audit.record({
    tenantId: null,
    entityType: "support_sla_policy",
    entityId: null,
    action: "support_sla.policy_updated",
    before: before
      ? {
          firstResponseMinutes: before.firstResponseMinutes,
          resolutionMinutes: before.resolutionMinutes,
          businessHoursOnly: before.businessHoursOnly,
        }
      : null,
    after: data,
    metadata: { priority: p.priority },
  });
  return p;
}

function isRealDate(ymd: string): boolean {
  const d = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === ymd;
}

/**
 * Replaces the business calendar (audited `support_sla.calendar_updated`). Holidays are de-duplicated
 * and sorted.
 * @throws DomainError("invalid") unknown time zone, impossible dates, end not after start
 */
export async function updateBusinessCalendar(
  tx: Tx,
  input: BusinessCalendarSettings,
): Promise<BusinessCalendarSettings> {
  const c = parseInput(ZBusinessCalendar, input);
  if (!isValidTimeZone(c.timezone)) throw new DomainError("invalid", `timezone: unknown time zone ${c.timezone}`);
  const bad = c.holidays.find((h) => !isRealDate(h));
  if (bad) throw new DomainError("invalid", `holidays: ${bad} is not a date`);
  const calendar = {
    timezone: c.timezone,
    workdays: [...new Set(c.workdays)].sort((a, b) => a - b),
    dayStart: c.dayStart,
    dayEnd: c.dayEnd,
    holidays: [...new Set(c.holidays)].sort(),
  };
  const before = await loadCalendar(tx.db);
  await tx.db.supBusinessCalendar.upsert({ where: { id: 1 }, create: { id: 1, ...calendar }, update: calendar });
  await tx.audit.record({
    tenantId: null,
    entityType: "support_calendar",
    action: "support_sla.calendar_updated",
    before: { ...before },
    after: calendar,
  });
  return calendar;
}
