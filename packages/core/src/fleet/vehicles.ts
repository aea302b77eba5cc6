/**
 * Vehicles of a tenant's fleet (flt_vehicles): listing and creation.
 */
import type { PrismaClient } from "@fleetcore/db";
import type { CreateVehicleRequest, Vehicle, VehicleStatus } from "@fleetcore/validators";
import { ZCreateVehicleRequest } from "@fleetcore/validators";
import { DomainError, describeIssues } from "../errors";

type VehicleRow = Awaited<ReturnType<PrismaClient["vehicle"]["findFirstOrThrow"]>>;

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

/**
 * Lists a tenant's vehicles that are not soft-deleted, newest first.
 * @throws DomainError("not_found") when the tenant does not exist (or is deleted).
 */
export async function listVehicles(
  db: PrismaClient,
  tenantId: string,
  filter: { status?: VehicleStatus } = {},
): Promise<Vehicle[]> {
  await assertTenantExists(db, tenantId);
  const rows = await db.vehicle.findMany({
    where: { tenantId, deletedAt: null, ...(filter.status ? { status: filter.status } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  return rows.map(toVehicle);
}

/**
 * Creates a vehicle in `tenantId`.
 * @throws DomainError("invalid") on bad input; ("not_found") when the tenant does not exist.
 */
export async function createVehicle(db: PrismaClient, input: CreateVehicleRequest): Promise<Vehicle> {
  const parsed = ZCreateVehicleRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const { tenantId, ...data } = parsed.data;
  await assertTenantExists(db, tenantId);
  const row = await db.vehicle.create({ data: { tenantId, ...data } });
  return toVehicle(row);
}

async function assertTenantExists(db: PrismaClient, tenantId: string): Promise<void> {
  const tenant = await db.tenant.findFirst({ where: { id: tenantId, deletedAt: null }, select: { id: true } });
  if (!tenant) throw new DomainError("not_found", `tenant ${tenantId} not found`);
}
