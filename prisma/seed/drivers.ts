import type { PrismaClient } from "@fleetcore/db";
import type { Tenant } from "@fleetcore/validators";

interface DemoDriver {
  firstName: string;
  lastName: string;
  /** E.164. US numbers are in 555-0100…0199 and French ones in 06 39 98, the ranges set aside for fiction. */
  phone: string;
  email?: string;
  licenseNumber?: string;
  status?: "active" | "inactive" | "suspended";
  /** Name of the vehicle they currently drive. */
  drives?: string;
}

/** Per demo tenant slug: its drivers, most of them at the wheel of one of its vehicles (fleet.ts). */
const DEMO_DRIVERS: Record<string, DemoDriver[]> = {
  "lone-star-transit": [
    { firstName: "Maria", lastName: "Garcia", phone: "+15125550101", licenseNumber: "41827365", drives: "Bus 2201" },
    { firstName: "James", lastName: "Johnson", phone: "+15125550102", licenseNumber: "39271846", drives: "Bus 2202" },
    { firstName: "Aisha", lastName: "Khan", phone: "+15125550103", licenseNumber: "40516273", drives: "Bus 5012" },
    {
      firstName: "Luis",
      lastName: "Hernandez",
      phone: "+15125550104",
      email: "luis.hernandez@lonestar.demo",
      licenseNumber: "38264519",
      drives: "Van 7",
    },
    { firstName: "DeShawn", lastName: "Williams", phone: "+15125550105", licenseNumber: "42690137" },
    { firstName: "Emily", lastName: "Nguyen", phone: "+15125550106", status: "inactive" },
  ],
  "rhone-livraisons": [
    {
      firstName: "Camille",
      lastName: "Martin",
      phone: "+33655500101",
      email: "camille.martin@rhone.demo",
      drives: "Fourgon 1",
    },
    { firstName: "Karim", lastName: "Haddad", phone: "+33639980102", drives: "Fourgon 2" },
    { firstName: "Léa", lastName: "Fontaine", phone: "+33639980103" },
  ],
};

/**
 * The demo tenants' drivers and their current assignments (each started a few hours ago, at the
 * morning shift), in one transaction. Runs only while the demo tenants have never had an assignment
 * (checked under an advisory lock, so concurrent seeds — parallel test files — do it once); drivers
 * already there (same phone) are kept, so it also upgrades a demo database seeded before assignments
 * existed. Runs as the database owner. Returns what it created, or null when it had nothing to do.
 */
export async function seedDrivers(
  db: PrismaClient,
  tenants: Tenant[],
): Promise<{ drivers: number; assignments: number } | null> {
  const tenantIds = tenants.map((t) => t.id);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('fleetcore.seed.drivers', 0))`;
    if ((await tx.vehicleAssignment.count({ where: { tenantId: { in: tenantIds } } })) > 0) return null;
    let drivers = 0;
    let assignments = 0;
    const shiftStart = new Date(Date.now() - 3 * 60 * 60 * 1000);
    for (const tenant of tenants) {
      for (const d of DEMO_DRIVERS[tenant.slug] ?? []) {
        const { drives, ...fields } = d;
        let driver = await tx.driver.findFirst({ where: { tenantId: tenant.id, phone: d.phone, deletedAt: null } });
        if (!driver) {
          driver = await tx.driver.create({ data: { tenantId: tenant.id, ...fields } });
          drivers += 1;
        }
        if (!drives) continue;
        const vehicle = await tx.vehicle.findFirst({
          where: { tenantId: tenant.id, name: drives, deletedAt: null },
        });
        if (!vehicle) continue;
        await tx.vehicleAssignment.create({
          data: {
            tenantId: tenant.id,
            vehicleId: vehicle.id,
            driverId: driver.id,
            startAt: shiftStart,
            notes: "Morning shift",
          },
        });
        assignments += 1;
      }
    }
    return { drivers, assignments };
  });
}
