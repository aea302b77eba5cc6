/**
 * Tenants: creation (with its `created` lifecycle event), listing, status changes and notes.
 * Lifecycle states and events follow saas-provider-tables.md §2.1: trial → active → suspended →
 * closed, one adm_tenant_lifecycle_events row per change (actor, reason, details).
 */
import type { Db } from "@fleetcore/db";
import type { CreateTenantRequest, Tenant, TenantStatus } from "@fleetcore/validators";
import { ZCreateTenantRequest } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError, isUniqueViolation, parseInput } from "../errors";

type TenantRow = Awaited<ReturnType<Db["tenant"]["findFirstOrThrow"]>>;

/** Maps a tenant row and its vehicle count to the API shape. */
export function toTenant(t: TenantRow, vehicleCount: number): Tenant {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    countryCode: t.countryCode,
    defaultCurrency: t.defaultCurrency,
    timezone: t.timezone,
    status: t.status,
    positionRetentionDays: t.positionRetentionDays,
    createdAt: t.createdAt,
    vehicleCount,
  };
}

/** Tenants visible in `db`'s scope that are not soft-deleted, by name, with their vehicle counts. */
export async function listTenants(db: Db, filter: { status?: TenantStatus; search?: string } = {}): Promise<Tenant[]> {
  const rows = await db.tenant.findMany({
    where: {
      deletedAt: null,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.search
        ? {
            OR: [
              { name: { contains: filter.search, mode: "insensitive" } },
              { slug: { contains: filter.search.toLowerCase() } },
            ],
          }
        : {}),
    },
    orderBy: { name: "asc" },
    include: { _count: { select: { vehicles: { where: { deletedAt: null } } } } },
  });
  return rows.map((t) => toTenant(t, t._count.vehicles));
}

/**
 * Creates a tenant (status `trial` unless given) and its `created` lifecycle event, audited.
 * Needs a cross-tenant scope (provider or system).
 * @throws DomainError("conflict") when the slug is taken; ("invalid") when input fails validation.
 */
export async function createTenant(
  tx: Tx,
  input: CreateTenantRequest & { status?: "trial" | "active"; notes?: string },
): Promise<Tenant> {
  const { db, audit } = tx;
  const data = parseInput(ZCreateTenantRequest, input);
  const actorId = audit.actor.userId;
  try {
    // A savepoint-free check keeps the transaction usable on conflict (a failed INSERT would abort it).
    const taken = await db.tenant.findUnique({ where: { slug: data.slug }, select: { id: true } });
    if (taken) throw new DomainError("conflict", `a tenant with slug "${data.slug}" already exists`);
    const created = await db.tenant.create({
      data: { ...data, status: input.status ?? "trial", notes: input.notes ?? null, createdById: actorId },
    });
    await db.tenantLifecycleEvent.create({
      data: { tenantId: created.id, eventType: "created", toStatus: created.status, performedByUserId: actorId },
    });
    await audit.record({
      tenantId: created.id,
      entityType: "tenant",
      entityId: created.id,
      action: "tenant.created",
      after: { name: created.name, slug: created.slug, status: created.status, countryCode: created.countryCode },
    });
    return toTenant(created, 0);
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError("conflict", `a tenant with slug "${data.slug}" already exists`);
    throw err;
  }
}

/** Allowed status moves (closed is final; reopening a closed tenant is a new tenant). */
const TRANSITIONS: Record<TenantStatus, TenantStatus[]> = {
  trial: ["active", "suspended", "closed"],
  active: ["suspended", "closed"],
  suspended: ["active", "closed"],
  closed: [],
};

/** The lifecycle event type of a status move. */
function eventTypeFor(from: TenantStatus, to: TenantStatus) {
  if (to === "suspended") return "suspended" as const;
  if (to === "closed") return "closed" as const;
  if (from === "suspended") return "reactivated" as const;
  return "activated" as const;
}

/**
 * Moves a tenant to `status` and records the lifecycle event (actor, reason, details) and audit row.
 * Suspending or closing ends the tenant's wall-display sessions; members' sessions are refused
 * on their next request (tenantProcedure checks the status every time).
 * @throws DomainError not_found; invalid (same status, or a move the lifecycle forbids)
 */
export async function changeTenantStatus(
  tx: Tx,
  input: { tenantId: string; status: TenantStatus; reason: string },
): Promise<Tenant> {
  const { db, audit } = tx;
  const tenant = await db.tenant.findFirst({ where: { id: input.tenantId, deletedAt: null } });
  if (!tenant) throw new DomainError("not_found", "tenant not found");
  if (tenant.status === input.status) throw new DomainError("invalid", `the tenant is already ${input.status}`);
  if (!TRANSITIONS[tenant.status].includes(input.status)) {
    throw new DomainError("invalid", `a ${tenant.status} tenant cannot become ${input.status}`);
  }
  const updated = await db.tenant.update({ where: { id: tenant.id }, data: { status: input.status } });
  await db.tenantLifecycleEvent.create({
    data: {
      tenantId: tenant.id,
      eventType: eventTypeFor(tenant.status, input.status),
      fromStatus: tenant.status,
      toStatus: input.status,
      reason: input.reason,
      performedByUserId: audit.actor.userId,
      details: { actorEmail: audit.actor.email },
    },
  });
  if (input.status === "suspended" || input.status === "closed") {
    await db.session.deleteMany({ where: { activeTenantId: tenant.id, displayTokenId: { not: null } } });
  }
  await audit.record({
    tenantId: tenant.id,
    entityType: "tenant",
    entityId: tenant.id,
    action: "tenant.status_changed",
    before: { status: tenant.status },
    after: { status: updated.status },
    metadata: { reason: input.reason },
  });
  const vehicles = await db.vehicle.count({ where: { tenantId: tenant.id, deletedAt: null } });
  return toTenant(updated, vehicles);
}

/** Replaces the provider's internal notes on a tenant. @throws DomainError not_found */
export async function updateTenantNotes(tx: Tx, input: { tenantId: string; notes: string }): Promise<void> {
  const { db, audit } = tx;
  const tenant = await db.tenant.findFirst({ where: { id: input.tenantId, deletedAt: null }, select: { notes: true } });
  if (!tenant) throw new DomainError("not_found", "tenant not found");
  const notes = input.notes.trim() === "" ? null : input.notes;
  await db.tenant.update({ where: { id: input.tenantId }, data: { notes } });
  await audit.record({
    tenantId: input.tenantId,
    entityType: "tenant",
    entityId: input.tenantId,
    action: "tenant.notes_updated",
    before: { notes: tenant.notes },
    after: { notes },
  });
}

/**
 * Sets how long a tenant's positions are kept (days, 7–3650, enforced by a CHECK constraint too);
 * the retention job applies it at its next run. Audited `tenant.retention_changed`.
 * @throws DomainError("not_found")
 */
export async function setTenantRetention(
  tx: Tx,
  input: { tenantId: string; positionRetentionDays: number },
): Promise<Tenant> {
  const { db, audit } = tx;
  const before = await db.tenant.findFirst({ where: { id: input.tenantId, deletedAt: null } });
  if (!before) throw new DomainError("not_found", "tenant not found");
  const updated = await db.tenant.update({
    where: { id: input.tenantId },
    data: { positionRetentionDays: input.positionRetentionDays },
  });
  await audit.record({
    tenantId: input.tenantId,
    entityType: "tenant",
    entityId: input.tenantId,
    action: "tenant.retention_changed",
    before: { positionRetentionDays: before.positionRetentionDays },
    after: { positionRetentionDays: updated.positionRetentionDays },
  });
  const vehicles = await db.vehicle.count({ where: { tenantId: input.tenantId, deletedAt: null } });
  return toTenant(updated, vehicles);
}

/**
 * Whether a tenant's devices may report positions: refused (with the reason ingest returns) while
 * the tenant is suspended or closed.
 */
export function positionRejectionReason(tenant: { name: string; status: TenantStatus }): string | null {
  if (tenant.status === "suspended") return `tenant "${tenant.name}" is suspended: positions are not accepted`;
  if (tenant.status === "closed") return `tenant "${tenant.name}" is closed: positions are not accepted`;
  return null;
}
