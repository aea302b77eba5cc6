import { hashPassword } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import type { ProviderRole, Tenant, TenantRoleName } from "@fleetcore/validators";

/** Shared password of every demo account (printed by `npm start`; demo data only). */
export const DEMO_PASSWORD = "fleetcore-demo";

interface DemoLogin {
  email: string;
  fullName: string;
  as: string;
  provider?: { role: ProviderRole; title: string };
  /** tenant slug → role */
  memberships?: [string, TenantRoleName][];
}

/** One login per role, provider side and tenant side. */
export const DEMO_LOGINS: DemoLogin[] = [
  {
    email: "admin@fleetcore.demo",
    fullName: "Fleetcore Admin",
    as: "provider admin (all tenants)",
    provider: { role: "admin", title: "Platform admin" },
  },
  {
    email: "am@fleetcore.demo",
    fullName: "Alex Morgan",
    as: "provider account manager",
    provider: { role: "account_manager", title: "Senior account manager" },
  },
  {
    email: "support@fleetcore.demo",
    fullName: "Priya Shah",
    as: "provider support agent",
    provider: { role: "support_agent", title: "Support agent" },
  },
  {
    email: "analyst@fleetcore.demo",
    fullName: "Jonas Berg",
    as: "provider analyst",
    provider: { role: "analyst", title: "Data analyst" },
  },
  {
    email: "owner@lonestar.demo",
    fullName: "Dana Reyes",
    as: "owner of Lone Star Transit",
    memberships: [["lone-star-transit", "owner"]],
  },
  {
    email: "admin@lonestar.demo",
    fullName: "Chris Walker",
    as: "admin at Lone Star Transit",
    memberships: [["lone-star-transit", "admin"]],
  },
  {
    email: "dispatch@lonestar.demo",
    fullName: "Sam Ortiz",
    as: "dispatcher at Lone Star Transit",
    memberships: [["lone-star-transit", "dispatcher"]],
  },
  {
    email: "viewer@lonestar.demo",
    fullName: "Robin Lee",
    as: "viewer at Lone Star Transit and Rhône Livraisons (tenant switcher)",
    memberships: [
      ["lone-star-transit", "viewer"],
      ["rhone-livraisons", "viewer"],
    ],
  },
  {
    email: "owner@rhone.demo",
    fullName: "Claire Dubois",
    as: "owner of Rhône Livraisons",
    memberships: [["rhone-livraisons", "owner"]],
  },
];

/**
 * Demo users (argon2id-hashed password), their tenant memberships (system roles come from the auth
 * migration), provider staff and the account-manager assignment of Lone Star Transit.
 * Runs as the database owner. Returns the number of users created.
 */
export async function seedIdentity(db: PrismaClient, tenants: Tenant[]): Promise<number> {
  const bySlug = new Map(tenants.map((t) => [t.slug, t]));
  const roles = await db.role.findMany({ where: { tenantId: null } });
  const roleId = (name: TenantRoleName) => {
    const role = roles.find((r) => r.name === name);
    if (!role) throw new Error(`system role ${name} is missing: run the migrations`);
    return role.id;
  };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = new Date();
  let amEmployeeId: string | null = null;
  for (const login of DEMO_LOGINS) {
    const user = await db.user.create({
      data: { email: login.email, fullName: login.fullName, passwordHash, emailVerifiedAt: now },
    });
    if (login.provider) {
      const employee = await db.providerEmployee.create({
        data: { userId: user.id, role: login.provider.role, title: login.provider.title },
      });
      if (login.provider.role === "account_manager") amEmployeeId = employee.id;
    }
    for (const [slug, role] of login.memberships ?? []) {
      const tenant = bySlug.get(slug);
      if (!tenant) throw new Error(`demo tenant ${slug} is missing`);
      const member = await db.member.create({
        data: { tenantId: tenant.id, userId: user.id, status: "active", invitedAt: now, joinedAt: now },
      });
      await db.memberRole.create({ data: { memberId: member.id, roleId: roleId(role), tenantId: tenant.id } });
    }
  }
  const lonestar = bySlug.get("lone-star-transit");
  if (amEmployeeId && lonestar) {
    await db.tenantAccountManager.create({
      data: {
        tenantId: lonestar.id,
        employeeId: amEmployeeId,
        role: "owner",
        startDate: new Date(Date.UTC(2026, 0, 1)),
      },
    });
  }
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
  console.log(`\n  Demo logins (password: ${DEMO_PASSWORD}):`);
  for (const login of DEMO_LOGINS.filter((l) => present.has(l.email))) {
    console.log(`    ${login.email.padEnd(24)} ${login.as}`);
  }
  console.log("");
}
