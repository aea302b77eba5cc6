/**
 * `pnpm db:seed`: the demo data `npm start` shows. Runs only against an empty database (no tenants), so
 * it never writes over real data; one file per domain, called in dependency order.
 */
import { loadEnv } from "@fleetcore/config";
import { disconnectAll, getPrisma } from "@fleetcore/db";
import { seedFleet } from "./fleet";
import { printDemoLogins, seedIdentity } from "./identity";
import { seedTenants } from "./tenants";

const env = loadEnv();
const db = getPrisma(env.DATABASE_URL);
try {
  const existing = await db.tenant.count();
  if (existing > 0) {
    console.log(`seed: skipped (the database already has ${existing} tenant${existing === 1 ? "" : "s"})`);
  } else {
    const tenants = await seedTenants(db);
    const fleet = await seedFleet(db, tenants);
    const users = await seedIdentity(db, tenants);
    console.log(
      `seed: demo tenants ${tenants.map((t) => `"${t.name}"`).join(", ")} with ${fleet.vehicles} vehicles, ` +
        `${fleet.drivers} drivers, ${fleet.devices} GPS devices and ${users} users`,
    );
  }
  await printDemoLogins(db);
} finally {
  await disconnectAll();
}
