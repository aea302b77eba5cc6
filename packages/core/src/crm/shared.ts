/**
 * Shared by the CRM services: input parsing into DomainErrors, UTC calendar days, and the checks
 * that a referenced tenant or provider employee exists. Every CRM service runs in the provider (or
 * system) scope: the crm_ tables are invisible to tenant scopes (row-level security).
 */
import type { Db } from "@fleetcore/db";
import { DomainError } from "../errors";

export { parseInput } from "../errors";

export const DAY_MS = 86_400_000;

/** UTC midnight of `d`'s UTC calendar day (how a SQL `date` is read and written). */
export function utcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** The UTC calendar day `days` after `d`'s. */
export function addUtcDays(d: Date, days: number): Date {
  const day = utcDay(d);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + days));
}

/** Whole days from the UTC day of `from` to the UTC day of `to` (negative when `to` is earlier). */
export function daysBetween(from: Date, to: Date): number {
  return Math.round((utcDay(to).getTime() - utcDay(from).getTime()) / DAY_MS);
}

/** "YYYY-MM-DD" of a UTC calendar day. */
export function isoDay(d: Date): string {
  return utcDay(d).toISOString().slice(0, 10);
}

/** How a person is named: full name, else email. */
export function personName(u: { fullName: string | null; email: string }): string {
  return u.fullName ?? u.email;
}

/** Prisma `include` that brings an employee's user name and email. */
export const EMPLOYEE_WITH_USER = { include: { user: { select: { fullName: true, email: true } } } } as const;

/** @throws DomainError("invalid") when `employeeId` is not an active provider employee. */
export async function assertEmployee(db: Db, employeeId: string | null | undefined): Promise<void> {
  if (!employeeId) return;
  const e = await db.providerEmployee.findFirst({
    where: { id: employeeId, status: "active", deletedAt: null },
    select: { id: true },
  });
  if (!e) throw new DomainError("invalid", "the employee does not exist or is no longer active");
}

/** @throws DomainError("invalid") when `tenantId` is not a live tenant. */
export async function assertTenant(db: Db, tenantId: string | null | undefined): Promise<void> {
  if (!tenantId) return;
  const t = await db.tenant.findFirst({ where: { id: tenantId, deletedAt: null }, select: { id: true } });
  if (!t) throw new DomainError("invalid", "the tenant does not exist");
}

/**
 * Serialises concurrent changes of one row: a transaction-scoped advisory lock on `key` (the row's
 * table and id), held until commit. Used where a check-then-write must not race (conversion,
 * renewal) without SELECT … FOR UPDATE through Prisma.
 */
export async function lockKey(db: Db, key: string): Promise<void> {
  await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}
