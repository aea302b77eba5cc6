/**
 * GPS devices (tel_devices): registering ("claiming") a tracker by the unique id it reports, and
 * binding it to a vehicle. Unique ids are unique across all tenants (ingest resolves them without a tenant).
 */
import type { Db } from "@fleetcore/db";
import type { CreateDeviceRequest, Device } from "@fleetcore/validators";
import { ZCreateDeviceRequest } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError } from "../errors";

type DeviceRow = Awaited<ReturnType<Db["device"]["findFirstOrThrow"]>>;

function toDevice(d: DeviceRow): Device {
  return {
    id: d.id,
    uniqueId: d.uniqueId,
    name: d.name,
    protocol: d.protocol,
    vehicleId: d.vehicleId,
    status: d.status,
    lastSeenAt: d.lastSeenAt,
    createdAt: d.createdAt,
  };
}

/** The tenant's devices (not deleted), by name. */
export async function listDevices(db: Db, tenantId: string): Promise<Device[]> {
  const rows = await db.device.findMany({ where: { tenantId, deletedAt: null }, orderBy: { name: "asc" } });
  return rows.map(toDevice);
}

/**
 * Registers a device (audited); the tenant's matching unknown-device records are cleared.
 * The unique-id check runs in the caller's scope plus a database unique index across tenants.
 * @throws DomainError conflict (unique id taken, in any tenant), not_found (vehicle)
 */
export async function createDevice(tx: Tx, tenantId: string, input: CreateDeviceRequest): Promise<Device> {
  const { db, audit } = tx;
  const data = ZCreateDeviceRequest.parse(input);
  if (data.vehicleId) {
    const vehicle = await db.vehicle.findFirst({
      where: { id: data.vehicleId, tenantId, deletedAt: null },
      select: { id: true },
    });
    if (!vehicle) throw new DomainError("not_found", "vehicle not found");
  }
  // RLS hides other tenants' devices, so ask the unique index (ON CONFLICT DO NOTHING) instead.
  const id = crypto.randomUUID();
  const inserted = await db.$executeRaw`
    INSERT INTO tel_devices (id, tenant_id, unique_id, name, protocol, vehicle_id, updated_at)
    VALUES (${id}::uuid, ${tenantId}::uuid, ${data.uniqueId}, ${data.name}, ${data.protocol ?? null}, ${data.vehicleId ?? null}::uuid, now())
    ON CONFLICT (unique_id) DO NOTHING`;
  if (inserted !== 1) throw new DomainError("conflict", `a device with id "${data.uniqueId}" is already registered`);
  await db.unknownDevice.deleteMany({ where: { uniqueId: data.uniqueId, tenantId } });
  const row = await db.device.findUniqueOrThrow({ where: { id } });
  await audit.record({
    tenantId,
    entityType: "device",
    entityId: id,
    action: "device.created",
    after: { uniqueId: row.uniqueId, name: row.name, vehicleId: row.vehicleId },
  });
  return toDevice(row);
}
