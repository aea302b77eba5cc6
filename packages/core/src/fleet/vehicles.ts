/**
 * Vehicles of a tenant's fleet (flt_vehicles): listing with search, creation, editing and retiring.
 * Retired vehicles are soft-deleted (deleted_at set): hidden everywhere, history kept.
 */
import type { Db, Prisma } from "@fleetcore/db";
import type { CreateVehicleRequest, UpdateVehicleRequest, Vehicle, VehicleStatus } from "@fleetcore/validators";
import { ZCreateVehicleRequest, ZUpdateVehicleRequest } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError, describeIssues } from "../errors";
import { endOpenAssignments, lockVehicle } from "./assignments";
import { fullName, pick, recordUpdate, searchWhere } from "./shared";

/** What a vehicle row is read with: its live devices and the driver of its open assignment. */
const include = {
  devices: {
    where: { deletedAt: null },
    select: { id: true, uniqueId: true, name: true, lastSeenAt: true },
    orderBy: { name: "asc" },
  },
  assignments: {
    where: { endAt: null },
    select: { driver: { select: { id: true, firstName: true, lastName: true } } },
    take: 1,
  },
} satisfies Prisma.VehicleInclude;

type VehicleRow = Prisma.VehicleGetPayload<{ include: typeof include }>;

function toVehicle(v: VehicleRow): Vehicle {
  const driver = v.assignments[0]?.driver;
  const seen = v.devices.map((d) => d.lastSeenAt?.getTime() ?? 0);
  const lastSeenMs = Math.max(0, ...seen);
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
    odometerM: v.odometerM,
    lastSeenAt: lastSeenMs > 0 ? new Date(lastSeenMs) : null,
    currentDriver: driver ? { id: driver.id, name: fullName(driver) } : null,
    devices: v.devices.map((d) => ({ id: d.id, uniqueId: d.uniqueId, name: d.name })),
    createdAt: v.createdAt,
  };
}

/** The audited fields of a vehicle (what `diffFields` compares). */
const AUDITED = ["name", "licensePlate", "vin", "make", "model", "year", "status", "speedLimitKph"] as const;
const snapshot = (v: Pick<Vehicle, (typeof AUDITED)[number]>) => pick(v, AUDITED);

/**
 * Lists a tenant's vehicles that are not soft-deleted, newest first, each with its current driver,
 * bound devices, last-seen time and odometer (metres). `search`: every whitespace-separated word must
 * occur, case-insensitively, in the name, plate, VIN, make or model.
 */
export async function listVehicles(
  db: Db,
  tenantId: string,
  filter: { status?: VehicleStatus; search?: string } = {},
): Promise<Vehicle[]> {
  const rows = await db.vehicle.findMany({
    where: {
      tenantId,
      deletedAt: null,
      ...(filter.status ? { status: filter.status } : {}),
      AND: searchWhere(filter.search, ["name", "licensePlate", "vin", "make", "model"]),
    },
    include,
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  return rows.map(toVehicle);
}

/** One vehicle of the tenant. @throws DomainError("not_found") (also for another tenant's id or a retired one) */
export async function getVehicle(db: Db, tenantId: string, vehicleId: string): Promise<Vehicle> {
  const row = await db.vehicle.findFirst({ where: { id: vehicleId, tenantId, deletedAt: null }, include });
  if (!row) throw new DomainError("not_found", "vehicle not found");
  return toVehicle(row);
}

/**
 * Refuses a plate or VIN already used by another of the tenant's live vehicles (the schema cannot
 * express a unique index over live rows only). @throws DomainError("conflict")
 */
async function assertUniqueIdentifiers(
  db: Db,
  tenantId: string,
  ids: { licensePlate?: string | null; vin?: string | null },
  exceptId?: string,
): Promise<void> {
  for (const field of ["licensePlate", "vin"] as const) {
    const value = ids[field];
    if (!value) continue;
    const where: Prisma.VehicleWhereInput = {
      tenantId,
      deletedAt: null,
      ...(exceptId ? { id: { not: exceptId } } : {}),
    };
    where[field] = value;
    const taken = await db.vehicle.findFirst({ where, select: { name: true } });
    if (taken) {
      const what = field === "vin" ? "VIN" : "license plate";
      throw new DomainError("conflict", `${taken.name} already has the ${what} ${value}`);
    }
  }
}

/**
 * Creates a vehicle in `tenantId` (audited `vehicle.created`).
 * @throws DomainError("invalid") on bad input, ("conflict") for a plate or VIN another live vehicle has.
 */
export async function createVehicle(tx: Tx, tenantId: string, input: CreateVehicleRequest): Promise<Vehicle> {
  const parsed = ZCreateVehicleRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  await assertUniqueIdentifiers(tx.db, tenantId, parsed.data);
  const row = await tx.db.vehicle.create({ data: { tenantId, ...parsed.data }, include });
  const vehicle = toVehicle(row);
  await tx.audit.record({
    tenantId,
    entityType: "vehicle",
    entityId: row.id,
    action: "vehicle.created",
    after: snapshot(vehicle),
  });
  return vehicle;
}

/**
 * Changes the given fields of a vehicle (`null` clears an optional one); audited `vehicle.updated`
 * with the field-level difference. An edit that changes nothing writes no audit row.
 * @throws DomainError("not_found") (also another tenant's id), ("invalid"), ("conflict") plate/VIN taken
 */
export async function updateVehicle(tx: Tx, tenantId: string, input: UpdateVehicleRequest): Promise<Vehicle> {
  const parsed = ZUpdateVehicleRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const { vehicleId, ...fields } = parsed.data;
  const before = await tx.db.vehicle.findFirst({ where: { id: vehicleId, tenantId, deletedAt: null } });
  if (!before) throw new DomainError("not_found", "vehicle not found");
  // An empty optional text means "none".
  const data = Object.fromEntries(
    Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v === "" ? null : v]),
  ) as Prisma.VehicleUpdateInput;
  await assertUniqueIdentifiers(tx.db, tenantId, parsed.data, vehicleId);
  const row = await tx.db.vehicle.update({ where: { id: vehicleId }, data, include });
  const vehicle = toVehicle(row);
  await recordUpdate(tx, { tenantId, entityType: "vehicle", entityId: vehicleId }, snapshot(before), snapshot(vehicle));
  return vehicle;
}

/**
 * Retires a vehicle: status `retired`, soft-deleted, its devices unbound (audited `device.unbound`
 * each) and its open driver assignment ended now (`vehicle_assignment.ended`); audited `vehicle.deleted`.
 * Runs under the vehicle's row lock, like assignments. Positions and history are kept.
 * @throws DomainError("not_found") (also another tenant's id, or already retired)
 */
export async function deleteVehicle(tx: Tx, tenantId: string, vehicleId: string): Promise<void> {
  const { db, audit } = tx;
  if (!(await lockVehicle(db, tenantId, vehicleId))) throw new DomainError("not_found", "vehicle not found");
  const now = new Date();
  const before = await db.vehicle.findUniqueOrThrow({ where: { id: vehicleId } });
  await endOpenAssignments(tx, tenantId, { vehicleId }, now);
  const devices = await db.device.findMany({
    where: { tenantId, vehicleId, deletedAt: null },
    select: { id: true, uniqueId: true },
  });
  for (const d of devices) await setDeviceVehicle(tx, tenantId, d, vehicleId, null);
  await db.vehicle.update({ where: { id: vehicleId }, data: { status: "retired", deletedAt: now } });
  await audit.record({
    tenantId,
    entityType: "vehicle",
    entityId: vehicleId,
    action: "vehicle.deleted",
    before: snapshot(before),
    after: { ...snapshot(before), status: "retired" },
    metadata: { unboundDeviceIds: devices.map((d) => d.id) },
  });
}

/**
 * Mounts a device in `vehicleId` (or unmounts it with null) and audits `device.bound` / `device.unbound`.
 * The device's newest fix (tel_latest_positions) follows, so the live map's first paint agrees.
 * The caller has checked that both belong to the tenant.
 */
export async function setDeviceVehicle(
  tx: Tx,
  tenantId: string,
  device: { id: string; uniqueId: string },
  fromVehicleId: string | null,
  toVehicleId: string | null,
): Promise<void> {
  await tx.db.device.update({ where: { id: device.id }, data: { vehicleId: toVehicleId } });
  await tx.db.latestPosition.updateMany({ where: { deviceId: device.id }, data: { vehicleId: toVehicleId } });
  await tx.audit.record({
    tenantId,
    entityType: "device",
    entityId: device.id,
    action: toVehicleId ? "device.bound" : "device.unbound",
    before: { vehicleId: fromVehicleId },
    after: { vehicleId: toVehicleId },
    metadata: { uniqueId: device.uniqueId },
  });
}
