/**
 * Reading a vehicle's positions (tel_positions hypertable). Queries name the tenant and the vehicle
 * and a time range, so TimescaleDB prunes chunks by time and uses (vehicle_id, time DESC).
 */
import type { Db } from "@fleetcore/db";
import type { Position } from "@fleetcore/validators";
import { DomainError } from "../errors";

/**
 * Positions of one of the tenant's vehicles in [from, to), newest first, at most `limit`.
 * @throws DomainError("not_found") for an unknown vehicle or another tenant's
 */
export async function listVehiclePositions(
  db: Db,
  tenantId: string,
  input: { vehicleId: string; from?: Date; to?: Date; limit?: number },
): Promise<Position[]> {
  const vehicle = await db.vehicle.findFirst({
    where: { id: input.vehicleId, tenantId, deletedAt: null },
    select: { id: true },
  });
  if (!vehicle) throw new DomainError("not_found", "vehicle not found");
  const to = input.to ?? new Date();
  const from = input.from ?? new Date(to.getTime() - 24 * 60 * 60 * 1000);
  const rows = await db.position.findMany({
    where: { tenantId, vehicleId: vehicle.id, time: { gte: from, lt: to } },
    orderBy: { time: "desc" },
    take: input.limit ?? 1000,
  });
  return rows.map((p) => ({
    time: p.time,
    deviceId: p.deviceId,
    vehicleId: p.vehicleId,
    latitude: p.latitude,
    longitude: p.longitude,
    speedKph: p.speedKph,
    headingDeg: p.headingDeg,
    altitudeM: p.altitudeM,
    accuracyM: p.accuracyM,
  }));
}
