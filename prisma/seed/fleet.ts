import type { PrismaClient } from "@fleetcore/db";
import type { Tenant } from "@fleetcore/validators";

const AUSTIN_VEHICLES = [
  { name: "Bus 2201", licensePlate: "TX-2201", make: "Gillig", model: "Low Floor 40'", year: 2016, speedLimitKph: 90 },
  { name: "Bus 2202", licensePlate: "TX-2202", make: "Gillig", model: "Low Floor 40'", year: 2016, speedLimitKph: 90 },
  {
    name: "Bus 5012",
    licensePlate: "TX-5012",
    make: "New Flyer",
    model: "Xcelsior XD40",
    year: 2019,
    speedLimitKph: 90,
  },
  {
    name: "Bus 5013",
    licensePlate: "TX-5013",
    make: "New Flyer",
    model: "Xcelsior XD40",
    year: 2019,
    speedLimitKph: 90,
  },
  { name: "Van 7", licensePlate: "TX-VAN07", make: "Ford", model: "Transit 350", year: 2021, speedLimitKph: 110 },
];
const LYON_VEHICLES = [
  {
    name: "Fourgon 1",
    licensePlate: "GA-123-BC",
    make: "Renault",
    model: "Master E-Tech",
    year: 2022,
    speedLimitKph: 110,
  },
  {
    name: "Fourgon 2",
    licensePlate: "GA-456-DE",
    make: "Renault",
    model: "Master E-Tech",
    year: 2022,
    speedLimitKph: 110,
  },
];
/** Vehicles and one GPS device per vehicle (unique ids as Traccar Client would send them); drivers are in drivers.ts. */
export async function seedFleet(db: PrismaClient, tenants: Tenant[]): Promise<{ vehicles: number; devices: number }> {
  const [austin, lyon] = tenants;
  if (!austin || !lyon) throw new Error("seedFleet needs the two demo tenants");
  let vehicles = 0;
  let devices = 0;
  for (const [tenant, list, prefix] of [
    [austin, AUSTIN_VEHICLES, "LST"],
    [lyon, LYON_VEHICLES, "RHL"],
  ] as const) {
    for (const [i, v] of list.entries()) {
      const vehicle = await db.vehicle.create({ data: { tenantId: tenant.id, ...v } });
      await db.device.create({
        data: {
          tenantId: tenant.id,
          vehicleId: vehicle.id,
          uniqueId: `${prefix}-${String(i + 1).padStart(4, "0")}`,
          name: `${v.name} tracker`,
          protocol: "osmand",
        },
      });
      vehicles += 1;
      devices += 1;
    }
  }
  return { vehicles, devices };
}
