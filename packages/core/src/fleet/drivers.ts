/**
 * Drivers of a tenant (rid_drivers): listing with search, creation, editing and soft deletion.
 * A driver's phone is stored in E.164 ("+15125550101") and is unique among the tenant's live
 * drivers, so an incoming message (WhatsApp) maps to at most one driver.
 */
import type { Db, Prisma } from "@fleetcore/db";
import type { CreateDriverRequest, Driver, DriverStatus, UpdateDriverRequest } from "@fleetcore/validators";
import { ZCreateDriverRequest, ZUpdateDriverRequest } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError, describeIssues } from "../errors";
import { endOpenAssignments } from "./assignments";
import { fullName, pick, recordUpdate, searchWhere } from "./shared";

/** What a driver row is read with: the vehicle of their open assignment. */
const include = {
  assignments: {
    where: { endAt: null },
    select: { vehicle: { select: { id: true, name: true } } },
    take: 1,
  },
} satisfies Prisma.DriverInclude;

type DriverRow = Prisma.DriverGetPayload<{ include: typeof include }>;

function toDriver(d: DriverRow): Driver {
  const vehicle = d.assignments[0]?.vehicle;
  return {
    id: d.id,
    firstName: d.firstName,
    lastName: d.lastName,
    name: fullName(d),
    email: d.email,
    phone: d.phone,
    licenseNumber: d.licenseNumber,
    status: d.status,
    currentVehicle: vehicle ? { id: vehicle.id, name: vehicle.name } : null,
    createdAt: d.createdAt,
  };
}

/** The audited fields of a driver. */
const AUDITED = ["firstName", "lastName", "email", "phone", "licenseNumber", "status"] as const;
const snapshot = (d: Pick<Driver, (typeof AUDITED)[number]>) => pick(d, AUDITED);

/**
 * The tenant's live drivers by last then first name, each with their current vehicle. `search`:
 * every whitespace-separated word must occur, case-insensitively, in the first or last name, email,
 * phone or licence number.
 */
export async function listDrivers(
  db: Db,
  tenantId: string,
  filter: { status?: DriverStatus; search?: string } = {},
): Promise<Driver[]> {
  const rows = await db.driver.findMany({
    where: {
      tenantId,
      deletedAt: null,
      ...(filter.status ? { status: filter.status } : {}),
      AND: searchWhere(filter.search, ["firstName", "lastName", "email", "phone", "licenseNumber"]),
    },
    include,
    orderBy: [{ lastName: "asc" }, { firstName: "asc" }, { id: "asc" }],
  });
  return rows.map(toDriver);
}

/** One live driver of the tenant. @throws DomainError("not_found") (also another tenant's id) */
export async function getDriver(db: Db, tenantId: string, driverId: string): Promise<Driver> {
  const row = await db.driver.findFirst({ where: { id: driverId, tenantId, deletedAt: null }, include });
  if (!row) throw new DomainError("not_found", "driver not found");
  return toDriver(row);
}

/**
 * Refuses a phone another of the tenant's live drivers has. A transaction-scoped advisory lock on
 * (tenant, phone) makes two concurrent claims of one number wait for each other, since no unique
 * index can cover live rows only. @throws DomainError("conflict")
 */
async function assertPhoneFree(db: Db, tenantId: string, phone: string | null | undefined, exceptId?: string) {
  if (!phone) return;
  await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`rid_drivers.phone:${tenantId}:${phone}`}, 0))`;
  const taken = await db.driver.findFirst({
    where: { tenantId, deletedAt: null, phone, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { firstName: true, lastName: true },
  });
  if (taken) throw new DomainError("conflict", `${fullName(taken)} already has the phone number ${phone}`);
}

/**
 * Creates a driver (audited `driver.created`); the phone is normalised to E.164.
 * @throws DomainError("invalid") bad input (e.g. a phone without country code), ("conflict") phone taken
 */
export async function createDriver(tx: Tx, tenantId: string, input: CreateDriverRequest): Promise<Driver> {
  const parsed = ZCreateDriverRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  await assertPhoneFree(tx.db, tenantId, parsed.data.phone);
  const row = await tx.db.driver.create({ data: { tenantId, ...parsed.data }, include });
  const driver = toDriver(row);
  await tx.audit.record({
    tenantId,
    entityType: "driver",
    entityId: row.id,
    action: "driver.created",
    after: snapshot(driver),
  });
  return driver;
}

/**
 * Changes the given fields of a driver (`null` clears an optional one); audited `driver.updated` with
 * the field-level difference (nothing written when nothing changed). A driver who stops being
 * active keeps their current assignment until it is ended.
 * @throws DomainError("not_found"), ("invalid"), ("conflict") phone taken
 */
export async function updateDriver(tx: Tx, tenantId: string, input: UpdateDriverRequest): Promise<Driver> {
  const parsed = ZUpdateDriverRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const { driverId, ...fields } = parsed.data;
  const before = await tx.db.driver.findFirst({ where: { id: driverId, tenantId, deletedAt: null } });
  if (!before) throw new DomainError("not_found", "driver not found");
  await assertPhoneFree(tx.db, tenantId, fields.phone, driverId);
  const data = Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as Prisma.DriverUpdateInput;
  const row = await tx.db.driver.update({ where: { id: driverId }, data, include });
  const driver = toDriver(row);
  await recordUpdate(tx, { tenantId, entityType: "driver", entityId: driverId }, snapshot(before), snapshot(driver));
  return driver;
}

/**
 * Soft-deletes a driver (audited `driver.deleted`) and ends their current assignment now; their
 * history stays, and their phone number becomes free for another driver.
 * @throws DomainError("not_found") (also another tenant's id, or already deleted)
 */
export async function deleteDriver(tx: Tx, tenantId: string, driverId: string): Promise<void> {
  const before = await tx.db.driver.findFirst({ where: { id: driverId, tenantId, deletedAt: null } });
  if (!before) throw new DomainError("not_found", "driver not found");
  const now = new Date();
  const ended = await endOpenAssignments(tx, tenantId, { driverId }, now);
  await tx.db.driver.update({ where: { id: driverId }, data: { deletedAt: now } });
  await tx.audit.record({
    tenantId,
    entityType: "driver",
    entityId: driverId,
    action: "driver.deleted",
    before: snapshot(before),
    after: null,
    metadata: { endedAssignmentIds: ended },
  });
}
