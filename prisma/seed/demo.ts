/**
 * The demo data set, shared by `pnpm db:seed` and the browser tests. Each part runs only when its
 * data is absent (no tenants → tenants and fleet; no users → identity), so it never writes over
 * real data and upgrades a demo database seeded by an older version (demo tenants that never had a
 * driver assignment → drivers and assignments). Runs as the database owner.
 */
import type { PrismaClient } from "@fleetcore/db";
import type { Tenant } from "@fleetcore/validators";
import { seedBilling } from "./billing";
import { seedCrm } from "./crm";
import { seedDrivers } from "./drivers";
import { seedFleet } from "./fleet";
import { seedIdentity } from "./identity";
import { seedOperations } from "./operations";
import { seedSupport } from "./support";
import { seedTenants } from "./tenants";

export async function seedDemo(db: PrismaClient): Promise<string[]> {
  const done: string[] = [];
  let tenants: Tenant[];
  if ((await db.tenant.count()) === 0) {
    tenants = await seedTenants(db);
    const fleet = await seedFleet(db, tenants);
    done.push(
      `demo tenants ${tenants.map((t) => `"${t.name}"`).join(", ")} with ${fleet.vehicles} vehicles ` +
        `and ${fleet.devices} GPS devices`,
    );
  } else {
    const rows = await db.tenant.findMany({ where: { slug: { in: ["lone-star-transit", "rhone-livraisons"] } } });
    tenants = rows.map((t) => ({ ...t, vehicleCount: 0 }));
  }
  const drivers = tenants.length === 2 ? await seedDrivers(db, tenants) : null;
  if (drivers) done.push(`${drivers.drivers} drivers and ${drivers.assignments} current driver assignments`);
  if ((await db.user.count()) === 0 && tenants.length === 2) {
    done.push(`${await seedIdentity(db, tenants)} demo users`);
  }
  // After the users: seeded replies are the demo dispatcher's.
  const operations = tenants.length === 2 ? await seedOperations(db, tenants) : null;
  if (operations) done.push(operations);
  // After the users: the CRM's account manager and authors are the demo provider staff.
  const crm = tenants.length === 2 ? await seedCrm(db, tenants) : null;
  if (crm) done.push(crm);
  const support = tenants.length === 2 ? await seedSupport(db, tenants) : null;
  if (support) done.push(support);
  const billing = tenants.length === 2 ? await seedBilling(db, tenants) : null;
  if (billing) done.push(billing);
  return done;
}
