import { createTenant } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import type { Tenant } from "@fleetcore/validators";

/** Two tenants, so tenant isolation is visible in the demo from the start. */
export async function seedTenants(db: PrismaClient): Promise<Tenant[]> {
  const austin = await createTenant(db, {
    name: "Lone Star Transit",
    slug: "lone-star-transit",
    countryCode: "US",
    defaultCurrency: "USD",
    timezone: "America/Chicago",
  });
  const lyon = await createTenant(db, {
    name: "Rhône Livraisons",
    slug: "rhone-livraisons",
    countryCode: "FR",
    defaultCurrency: "EUR",
    timezone: "Europe/Paris",
  });
  await db.tenant.update({ where: { id: austin.id }, data: { status: "active" } });
  await db.tenantLifecycleEvent.create({
    data: { tenantId: austin.id, eventType: "activated", fromStatus: "trial", toStatus: "active", reason: "demo" },
  });
  return [
    { ...austin, status: "active" },
    { ...lyon, status: "trial" },
  ];
}
