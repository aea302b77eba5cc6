/**
 * GPS devices (tel_devices): registering ("claiming") a tracker by the unique id it reports, editing,
 * binding it to a vehicle and deleting it. Unique ids are unique across all tenants, deleted devices
 * included (ingest resolves them without a tenant), so re-registering a deleted device's id in its
 * own tenant restores that device. Ingest caches device resolutions for up to 15 s, so a re-binding
 * reaches newly stored positions within that time.
 */
import type { Db } from "@fleetcore/db";
import type { CreateDeviceRequest, Device, UpdateDeviceRequest } from "@fleetcore/validators";
import { ZCreateDeviceRequest, ZUpdateDeviceRequest } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError, describeIssues } from "../errors";
import { lockVehicle } from "./assignments";
import { recordUpdate } from "./shared";
import { setDeviceVehicle } from "./vehicles";

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
  let row: DeviceRow;
  let restored = false;
  if (inserted === 1) {
    row = await db.device.findUniqueOrThrow({ where: { id } });
  } else {
    // Taken: by one of this tenant's deleted devices (visible here) it comes back; otherwise a conflict.
    const deleted = await db.device.findFirst({
      where: { uniqueId: data.uniqueId, tenantId, deletedAt: { not: null } },
      select: { id: true },
    });
    if (!deleted) throw new DomainError("conflict", `a device with id "${data.uniqueId}" is already registered`);
    row = await db.device.update({
      where: { id: deleted.id },
      data: {
        name: data.name,
        protocol: data.protocol ?? null,
        vehicleId: data.vehicleId ?? null,
        status: "active",
        deletedAt: null,
      },
    });
    restored = true;
  }
  await db.unknownDevice.deleteMany({ where: { uniqueId: data.uniqueId, tenantId } });
  await audit.record({
    tenantId,
    entityType: "device",
    entityId: row.id,
    action: "device.created",
    after: { uniqueId: row.uniqueId, name: row.name, vehicleId: row.vehicleId },
    metadata: restored ? { restored: true } : undefined,
  });
  return toDevice(row);
}

/** The tenant's live device, or DomainError("not_found") (also for another tenant's id). */
async function findDevice(db: Db, tenantId: string, deviceId: string): Promise<DeviceRow> {
  const row = await db.device.findFirst({ where: { id: deviceId, tenantId, deletedAt: null } });
  if (!row) throw new DomainError("not_found", "device not found");
  return row;
}

/**
 * Renames a device or changes its status (audited `device.updated` with the field-level difference;
 * nothing written when nothing changed). @throws DomainError("not_found"), ("invalid")
 */
export async function updateDevice(tx: Tx, tenantId: string, input: UpdateDeviceRequest): Promise<Device> {
  const parsed = ZUpdateDeviceRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const { deviceId, name, status } = parsed.data;
  const before = await findDevice(tx.db, tenantId, deviceId);
  const row = await tx.db.device.update({
    where: { id: deviceId },
    data: { ...(name !== undefined ? { name } : {}), ...(status !== undefined ? { status } : {}) },
  });
  await recordUpdate(
    tx,
    { tenantId, entityType: "device", entityId: deviceId },
    { name: before.name, status: before.status },
    { name: row.name, status: row.status },
  );
  return toDevice(row);
}

/**
 * Mounts a device in one of the tenant's live vehicles, moving it from any other (audited
 * `device.bound`; a no-op when already there). Takes the vehicle's row lock, so it cannot race
 * the vehicle's retirement. @throws DomainError("not_found") device or vehicle
 */
export async function bindDevice(
  tx: Tx,
  tenantId: string,
  input: { deviceId: string; vehicleId: string },
): Promise<Device> {
  const device = await findDevice(tx.db, tenantId, input.deviceId);
  if (!(await lockVehicle(tx.db, tenantId, input.vehicleId))) throw new DomainError("not_found", "vehicle not found");
  if (device.vehicleId !== input.vehicleId) {
    await setDeviceVehicle(tx, tenantId, device, device.vehicleId, input.vehicleId);
  }
  return toDevice(await tx.db.device.findUniqueOrThrow({ where: { id: device.id } }));
}

/** Takes a device out of its vehicle (audited `device.unbound`; a no-op when unbound). @throws DomainError("not_found") */
export async function unbindDevice(tx: Tx, tenantId: string, deviceId: string): Promise<Device> {
  const device = await findDevice(tx.db, tenantId, deviceId);
  if (device.vehicleId) await setDeviceVehicle(tx, tenantId, device, device.vehicleId, null);
  return toDevice(await tx.db.device.findUniqueOrThrow({ where: { id: device.id } }));
}

/**
 * Deletes a device (soft: unbound, inactive, hidden; audited `device.deleted`). Its positions stay;
 * a fix it sends afterwards is an unknown device's. Its unique id stays reserved for this tenant:
 * registering it again restores the device. @throws DomainError("not_found")
 */
export async function deleteDevice(tx: Tx, tenantId: string, deviceId: string): Promise<void> {
  const device = await findDevice(tx.db, tenantId, deviceId);
  await tx.db.device.update({
    where: { id: deviceId },
    data: { vehicleId: null, status: "inactive", deletedAt: new Date() },
  });
  await tx.db.latestPosition.updateMany({ where: { deviceId }, data: { vehicleId: null } });
  await tx.audit.record({
    tenantId,
    entityType: "device",
    entityId: deviceId,
    action: "device.deleted",
    before: { uniqueId: device.uniqueId, name: device.name, vehicleId: device.vehicleId, status: device.status },
    after: null,
  });
}
