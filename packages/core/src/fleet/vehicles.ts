/**
 * Vehicles of a tenant's fleet (flt_vehicles): listing and creation.
 */
import type { Db } from "@fleetcore/db";
import type { CreateVehicleRequest, Vehicle, VehicleStatus } from "@fleetcore/validators";
import { ZCreateVehicleRequest } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError, describeIssues } from "../errors";

type VehicleRow = Awaited<ReturnType<Db["vehicle"]["findFirstOrThrow"]>>;

function toVehicle(v: VehicleRow): Vehicle {
  return {
    id: v.id,
    tenantId: v.tenantId,
    name: v.name,
    licensePlate: v.licensePlate,
    vin: v.vin,
    make: v.make,
    model: v.model,
    year: v.year,
    status: v.status,
    speedLimitKph: v.speedLimitKph,
    createdAt: v.createdAt,
  };
}

/** Lists a tenant's vehicles that are not soft-deleted, newest first. */
export async function listVehicles(
  db: Db,
  tenantId: string,
  filter: { status?: VehicleStatus } = {},
): Promise<Vehicle[]> {
  const rows = await db.vehicle.findMany({
    where: { tenantId, deletedAt: null, ...(filter.status ? { status: filter.status } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  return rows.map(toVehicle);
}

/**
 * Creates a vehicle in `tenantId` (audited `vehicle.created`).
 * @throws DomainError("invalid") on bad input.
 */
export async function createVehicle(tx: Tx, tenantId: string, input: CreateVehicleRequest): Promise<Vehicle> {
  const parsed = ZCreateVehicleRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const row = await tx.db.vehicle.create({ data: { tenantId, ...parsed.data } });
  const vehicle = toVehicle(row);
  await tx.audit.record({
    tenantId,
    entityType: "vehicle",
    entityId: row.id,
    action: "vehicle.created",
    after: { ...vehicle, id: undefined, tenantId: undefined, createdAt: undefined },
  });
  return vehicle;
}

/** One vehicle of the tenant. @throws DomainError("not_found") (also for another tenant's id) */
export async function getVehicle(db: Db, tenantId: string, vehicleId: string): Promise<Vehicle> {
  const row = await db.vehicle.findFirst({ where: { id: vehicleId, tenantId, deletedAt: null } });
  if (!row) throw new DomainError("not_found", "vehicle not found");
  return toVehicle(row);
}
