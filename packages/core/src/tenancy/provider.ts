/**
 * The provider's back office (saas-provider-tables.md §2): tenant list and detail for Fleetcore
 * staff, tenant creation with its first owner invited, account-manager assignments
 * (TenantAccountManager: owner, coordinator, technical_contact, billing_contact; start/end dates).
 * Callers run these in the provider scope (cross-tenant); the API decides which staff role may call what.
 */
import type { Db } from "@fleetcore/db";
import type {
  ProviderCreateTenantRequest,
  ProviderTenant,
  ProviderTenantDetail,
  TenantStatus,
} from "@fleetcore/validators";
import { ZProviderCreateTenantRequest } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import type { EmailTransport } from "../email/transport";
import { DomainError } from "../errors";
import { inviteMember } from "../members/members";
import { createTenant, listTenants, toTenant } from "./tenants";

/** An assignment is current from its start date until (excluding) its end date. */
function isCurrent(a: { startDate: Date; endDate: Date | null }, today = startOfUtcDay(new Date())): boolean {
  return a.startDate <= today && (a.endDate === null || a.endDate > today);
}

function startOfUtcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

function displayName(u: { fullName: string | null; email: string }): string {
  return u.fullName ?? u.email;
}

/** All tenants with member counts and current account managers. */
export async function listProviderTenants(
  db: Db,
  filter: { status?: TenantStatus; search?: string } = {},
): Promise<ProviderTenant[]> {
  const tenants = await listTenants(db, filter);
  if (tenants.length === 0) return [];
  const ids = tenants.map((t) => t.id);
  const memberCounts = await db.member.groupBy({
    by: ["tenantId"],
    where: { tenantId: { in: ids }, deletedAt: null, status: "active" },
    _count: { _all: true },
  });
  const assignments = await db.tenantAccountManager.findMany({
    where: { tenantId: { in: ids } },
    include: { employee: { include: { user: { select: { fullName: true, email: true } } } } },
  });
  const counts = new Map(memberCounts.map((c) => [c.tenantId, c._count._all]));
  return tenants.map((t) => ({
    ...t,
    memberCount: counts.get(t.id) ?? 0,
    accountManagers: assignments
      .filter((a) => a.tenantId === t.id && isCurrent(a))
      .map((a) => ({ name: displayName(a.employee.user), role: a.role })),
  }));
}

/** Everything staff see about one tenant. @throws DomainError not_found */
export async function getProviderTenant(db: Db, tenantId: string): Promise<ProviderTenantDetail> {
  const t = await db.tenant.findFirst({
    where: { id: tenantId, deletedAt: null },
    include: { _count: { select: { vehicles: { where: { deletedAt: null } } } } },
  });
  if (!t) throw new DomainError("not_found", "tenant not found");
  const events = await db.tenantLifecycleEvent.findMany({
    where: { tenantId },
    include: { performedBy: { select: { email: true } } },
    orderBy: { occurredAt: "desc" },
  });
  const assignments = await db.tenantAccountManager.findMany({
    where: { tenantId },
    include: { employee: { include: { user: { select: { fullName: true, email: true } } } } },
    orderBy: [{ endDate: { sort: "desc", nulls: "first" } }, { startDate: "desc" }],
  });
  const members = await db.member.findMany({
    where: { tenantId, deletedAt: null },
    include: {
      user: { select: { email: true, fullName: true } },
      roles: { include: { role: { select: { name: true } } } },
    },
    orderBy: { user: { email: "asc" } },
  });
  const invitations = await db.invitation.findMany({
    where: { tenantId, status: "pending", expiresAt: { gt: new Date() } },
    include: { role: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
  });
  return {
    tenant: { ...toTenant(t, t._count.vehicles), notes: t.notes },
    lifecycleEvents: events.map((e) => ({
      id: e.id,
      eventType: e.eventType,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      reason: e.reason,
      performedBy: e.performedBy?.email ?? null,
      occurredAt: e.occurredAt,
      details: (e.details ?? {}) as Record<string, unknown>,
    })),
    accountManagers: assignments.map((a) => ({
      id: a.id,
      employeeId: a.employeeId,
      name: displayName(a.employee.user),
      email: a.employee.user.email,
      role: a.role,
      startDate: a.startDate,
      endDate: a.endDate,
      current: isCurrent(a),
    })),
    members: members.map((m) => ({
      id: m.id,
      userId: m.userId,
      email: m.user.email,
      fullName: m.user.fullName,
      status: m.status,
      roles: m.roles.map((r) => r.role.name),
    })),
    pendingInvitations: invitations.map((i) => ({
      id: i.id,
      email: i.email,
      role: i.role.name,
      expiresAt: i.expiresAt,
    })),
  };
}

/**
 * Creates a tenant and invites its first owner by email (the invitation link goes through the
 * email transport). One transaction: both happen or neither.
 */
export async function createTenantWithOwner(
  tx: Tx,
  input: ProviderCreateTenantRequest,
  opts: { email: EmailTransport; publicUrl: string },
) {
  const { ownerEmail, ...data } = ZProviderCreateTenantRequest.parse(input);
  const tenant = await createTenant(tx, data);
  const owner = await tx.db.role.findFirst({ where: { tenantId: null, name: "owner" }, select: { id: true } });
  if (!owner) throw new Error("the system role 'owner' is missing (run the seed)");
  await inviteMember(
    tx,
    tenant.id,
    { email: ownerEmail, roleId: owner.id },
    {
      caller: { roles: [], isProviderAdmin: true },
      email: opts.email,
      publicUrl: opts.publicUrl,
    },
  );
  return tenant;
}

/** Active provider employees, by name. */
export async function listProviderEmployees(db: Db) {
  const rows = await db.providerEmployee.findMany({
    where: { status: "active", deletedAt: null },
    include: { user: { select: { email: true, fullName: true } } },
  });
  return rows
    .map((e) => ({
      id: e.id,
      userId: e.userId,
      name: displayName(e.user),
      email: e.user.email,
      role: e.role,
      title: e.title,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Assigns an employee to a tenant in a role from `startDate`. One current assignment per
 * (employee, role) and tenant.
 * @throws DomainError not_found (tenant or employee), conflict (already assigned in that role)
 */
export async function assignAccountManager(
  tx: Tx,
  input: {
    tenantId: string;
    employeeId: string;
    role: "owner" | "coordinator" | "technical_contact" | "billing_contact";
    startDate: Date;
  },
): Promise<void> {
  const { db, audit } = tx;
  const tenant = await db.tenant.findFirst({ where: { id: input.tenantId, deletedAt: null }, select: { id: true } });
  if (!tenant) throw new DomainError("not_found", "tenant not found");
  const employee = await db.providerEmployee.findFirst({
    where: { id: input.employeeId, status: "active", deletedAt: null },
    include: { user: { select: { email: true } } },
  });
  if (!employee) throw new DomainError("not_found", "employee not found");
  const startDate = startOfUtcDay(input.startDate);
  const open = await db.tenantAccountManager.findFirst({
    where: {
      tenantId: input.tenantId,
      employeeId: input.employeeId,
      role: input.role,
      OR: [{ endDate: null }, { endDate: { gt: startDate } }],
    },
  });
  if (open) throw new DomainError("conflict", `${employee.user.email} is already ${input.role} for this tenant`);
  const created = await db.tenantAccountManager.create({
    data: { tenantId: input.tenantId, employeeId: input.employeeId, role: input.role, startDate },
  });
  await audit.record({
    tenantId: input.tenantId,
    entityType: "account_manager",
    entityId: created.id,
    action: "account_manager.assigned",
    after: { employee: employee.user.email, role: input.role, startDate },
  });
}

/** Ends an assignment on `endDate`. @throws DomainError not_found; invalid (end before start) */
export async function endAccountManager(tx: Tx, input: { assignmentId: string; endDate: Date }): Promise<void> {
  const { db, audit } = tx;
  const a = await db.tenantAccountManager.findUnique({ where: { id: input.assignmentId } });
  if (!a) throw new DomainError("not_found", "assignment not found");
  const endDate = startOfUtcDay(input.endDate);
  if (endDate < a.startDate) throw new DomainError("invalid", "the end date is before the start date");
  await db.tenantAccountManager.update({ where: { id: a.id }, data: { endDate } });
  await audit.record({
    tenantId: a.tenantId,
    entityType: "account_manager",
    entityId: a.id,
    action: "account_manager.ended",
    before: { endDate: a.endDate },
    after: { endDate },
  });
}
