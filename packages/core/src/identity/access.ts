/**
 * Who may act in which tenant, with which permissions. Read on every tenant request (nothing is
 * cached in the session, so a role change or removal takes effect on the next request).
 */
import type { Db } from "@fleetcore/db";
import {
  DISPLAY_PERMISSIONS,
  type Me,
  mergePermissions,
  type PermissionSet,
  type ProviderRole,
} from "@fleetcore/validators";
import type { SessionContext } from "./sessions";

/** How a caller reaches a tenant and what it may do there. */
export interface TenantAccess {
  tenantId: string;
  tenantName: string;
  tenantSlug: string;
  tenantStatus: "trial" | "active" | "suspended" | "closed";
  access: "member" | "provider" | "display";
  roles: string[];
  permissions: PermissionSet;
  memberId: string | null;
}

/**
 * What provider staff may do inside a tenant they visit: admins everything, everyone else read only
 * ("they see all tenants, read-only unless their role allows").
 */
export function providerTenantPermissions(role: ProviderRole): PermissionSet {
  return role === "admin" ? { "*": ["*"] } : { "*": ["read"] };
}

/** The active provider-employee record of a user, if any. */
export async function findProviderEmployee(
  db: Db,
  userId: string,
): Promise<{ id: string; role: ProviderRole; title: string | null } | null> {
  const e = await db.providerEmployee.findFirst({
    where: { userId, status: "active", deletedAt: null },
    select: { id: true, role: true, title: true },
  });
  return e;
}

/**
 * Resolves a user's access to a tenant: an active membership (roles → merged permissions) or, for
 * provider staff, provider access. Null when neither (callers answer NOT_FOUND: existence of other
 * tenants is not revealed). `db` must see the user's memberships (user or tenant scope of that tenant).
 */
export async function resolveTenantAccess(db: Db, userId: string, tenantId: string): Promise<TenantAccess | null> {
  const member = await db.member.findFirst({
    where: { tenantId, userId, status: "active", deletedAt: null, tenant: { deletedAt: null } },
    include: { tenant: true, roles: { include: { role: true } } },
  });
  if (member) {
    return {
      tenantId,
      tenantName: member.tenant.name,
      tenantSlug: member.tenant.slug,
      tenantStatus: member.tenant.status,
      access: "member",
      roles: member.roles.map((r) => r.role.name).sort(),
      permissions: mergePermissions(member.roles.map((r) => (r.role.permissions ?? {}) as PermissionSet)),
      memberId: member.id,
    };
  }
  const employee = await findProviderEmployee(db, userId);
  if (!employee) return null;
  const tenant = await db.tenant.findFirst({ where: { id: tenantId, deletedAt: null } });
  if (!tenant) return null;
  return {
    tenantId,
    tenantName: tenant.name,
    tenantSlug: tenant.slug,
    tenantStatus: tenant.status,
    access: "provider",
    roles: [`provider:${employee.role}`],
    permissions: providerTenantPermissions(employee.role),
    memberId: null,
  };
}

/** A wall display's access: its token's tenant, read-only. */
export async function resolveDisplayAccess(db: Db, tenantId: string): Promise<TenantAccess | null> {
  const tenant = await db.tenant.findFirst({ where: { id: tenantId, deletedAt: null } });
  if (!tenant) return null;
  return {
    tenantId,
    tenantName: tenant.name,
    tenantSlug: tenant.slug,
    tenantStatus: tenant.status,
    access: "display",
    roles: ["display"],
    permissions: DISPLAY_PERMISSIONS,
    memberId: null,
  };
}

/** True when members and displays of a tenant in this status are refused (provider staff are not). */
export function isTenantLocked(status: TenantAccess["tenantStatus"]): boolean {
  return status === "suspended" || status === "closed";
}

/** A user's active memberships, by tenant name, for the switcher. `db`: user scope at least. */
export async function listMemberships(db: Db, userId: string): Promise<Me["memberships"]> {
  const rows = await db.member.findMany({
    where: { userId, status: "active", deletedAt: null, tenant: { deletedAt: null } },
    include: { tenant: true, roles: { include: { role: true } } },
    orderBy: { tenant: { name: "asc" } },
  });
  return rows.map((m) => ({
    tenantId: m.tenantId,
    tenantName: m.tenant.name,
    tenantSlug: m.tenant.slug,
    tenantStatus: m.tenant.status,
    roles: m.roles.map((r) => r.role.name).sort(),
  }));
}

/** The `auth.me` answer for a caller without a session. */
export const ANONYMOUS_ME: Me = {
  kind: "anonymous",
  user: null,
  display: null,
  provider: null,
  activeTenant: null,
  memberships: [],
};

/**
 * The `auth.me` answer for a session (`access` is the already-resolved active-tenant access, if any).
 * `db`: the session's scope. `opts.billingOnly`: the tenant is suspended for non-payment and this
 * person may only pay (see `mayPayWhileSuspended`).
 */
export async function describeSession(
  db: Db,
  session: SessionContext | null,
  access: TenantAccess | null,
  opts: { billingOnly?: boolean } = {},
): Promise<Me> {
  const activeTenant = access
    ? {
        id: access.tenantId,
        name: access.tenantName,
        slug: access.tenantSlug,
        status: access.tenantStatus,
        access: access.access,
        roles: access.roles,
        permissions: access.permissions,
        billingOnly: opts.billingOnly ?? false,
      }
    : null;
  if (!session) return ANONYMOUS_ME;
  if (session.display) {
    return {
      kind: "display",
      user: null,
      display: { id: session.display.id, name: session.display.name },
      provider: null,
      activeTenant,
      memberships: [],
    };
  }
  const user = session.user;
  if (!user) return ANONYMOUS_ME;
  const memberships = await listMemberships(db, user.id);
  const employee = await findProviderEmployee(db, user.id);
  return {
    kind: "user",
    user,
    display: null,
    provider: employee ? { role: employee.role, title: employee.title } : null,
    activeTenant,
    memberships,
  };
}
