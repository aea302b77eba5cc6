import { hashPassword } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import type { Tenant } from "@fleetcore/validators";

/** Shared password of every demo account (printed by `npm start`; demo data only). */
export const DEMO_PASSWORD = "fleetcore-demo";

/**
 * Tenant roles (system roles: tenant_id null) with their permission sets, as the RBAC spec's JSONB
 * `permissions`: resource → allowed actions.
 */
const SYSTEM_ROLES = {
  owner: { description: "Everything, including billing and deleting the tenant", permissions: { "*": ["*"] } },
  admin: {
    description: "Manage fleet, members, integrations and displays",
    permissions: {
      fleet: ["read", "write"],
      members: ["read", "write"],
      integrations: ["read", "write"],
      displays: ["read", "write"],
    },
  },
  dispatcher: {
    description: "Run live operations: map, messages, events",
    permissions: { fleet: ["read"], positions: ["read"], messages: ["read", "write"], events: ["read", "acknowledge"] },
  },
  viewer: {
    description: "Read-only",
    permissions: { fleet: ["read"], positions: ["read"], messages: ["read"], events: ["read"] },
  },
} as const;

type TenantRole = keyof typeof SYSTEM_ROLES;

/** Who signs in to the demo, and as what. */
export const DEMO_LOGINS: { email: string; fullName: string; as: string }[] = [
  { email: "admin@fleetcore.demo", fullName: "Fleetcore Admin", as: "provider admin (all tenants)" },
  { email: "am@fleetcore.demo", fullName: "Alex Morgan", as: "provider account manager" },
  { email: "owner@lonestar.demo", fullName: "Dana Reyes", as: "owner of Lone Star Transit" },
  { email: "dispatch@lonestar.demo", fullName: "Sam Ortiz", as: "dispatcher at Lone Star Transit" },
  { email: "owner@rhone.demo", fullName: "Claire Dubois", as: "owner of Rhône Livraisons" },
];

/** System roles, demo users (argon2id-hashed password), tenant memberships and provider staff. */
export async function seedIdentity(db: PrismaClient, tenants: Tenant[]): Promise<number> {
  const [lonestar, rhone] = tenants;
  if (!lonestar || !rhone) throw new Error("seedIdentity needs the two demo tenants");
  const roleIds = new Map<TenantRole, string>();
  for (const [name, role] of Object.entries(SYSTEM_ROLES) as [TenantRole, (typeof SYSTEM_ROLES)[TenantRole]][]) {
    const created = await db.role.create({
      data: { name, description: role.description, permissions: role.permissions },
    });
    roleIds.set(name, created.id);
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = new Date();
  const users = new Map<string, string>();
  for (const login of DEMO_LOGINS) {
    const user = await db.user.create({
      data: { email: login.email, fullName: login.fullName, passwordHash, emailVerifiedAt: now },
    });
    users.set(login.email, user.id);
  }
  const memberships: [string, Tenant, TenantRole][] = [
    ["owner@lonestar.demo", lonestar, "owner"],
    ["dispatch@lonestar.demo", lonestar, "dispatcher"],
    ["owner@rhone.demo", rhone, "owner"],
  ];
  for (const [email, tenant, role] of memberships) {
    const member = await db.member.create({
      data: { tenantId: tenant.id, userId: users.get(email) ?? "", status: "active", joinedAt: now },
    });
    await db.memberRole.create({ data: { memberId: member.id, roleId: roleIds.get(role) ?? "", tenantId: tenant.id } });
  }
  await db.providerEmployee.create({
    data: { userId: users.get("admin@fleetcore.demo") ?? "", role: "admin", title: "Platform admin" },
  });
  await db.providerEmployee.create({
    data: { userId: users.get("am@fleetcore.demo") ?? "", role: "account_manager", title: "Account manager" },
  });
  return DEMO_LOGINS.length;
}

/** Prints the demo logins that exist in this database (none when it holds real data only). */
export async function printDemoLogins(db: PrismaClient): Promise<void> {
  const existing = await db.user.findMany({
    where: { email: { in: DEMO_LOGINS.map((l) => l.email) }, deletedAt: null },
    select: { email: true },
  });
  if (existing.length === 0) return;
  const present = new Set(existing.map((u) => u.email));
  console.log(`\n  Demo logins (password: ${DEMO_PASSWORD}) — sign-in arrives with the accounts & sessions work:`);
  for (const login of DEMO_LOGINS.filter((l) => present.has(l.email))) {
    console.log(`    ${login.email.padEnd(24)} ${login.as}`);
  }
  console.log("");
}
