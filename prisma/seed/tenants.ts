import { AuditTrail, createTenant, systemActor } from "@fleetcore/core";
import { type PrismaClient, withScope } from "@fleetcore/db";
import type { Tenant } from "@fleetcore/validators";

/** Two tenants, so tenant isolation is visible in the demo from the start. */
export async function seedTenants(db: PrismaClient): Promise<Tenant[]> {
  return withScope(db, { kind: "system" }, async (tx) => {
    const ctx = { db: tx, audit: new AuditTrail(tx, systemActor()) };
    const austin = await createTenant(ctx, {
      name: "Lone Star Transit",
      slug: "lone-star-transit",
      countryCode: "US",
      defaultCurrency: "USD",
      timezone: "America/Chicago",
      status: "active",
    });
    const lyon = await createTenant(ctx, {
      name: "Rhône Livraisons",
      slug: "rhone-livraisons",
      countryCode: "FR",
      defaultCurrency: "EUR",
      timezone: "Europe/Paris",
    });
    return [austin, lyon];
  });
}
