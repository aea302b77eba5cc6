/**
 * Which driver drives which vehicle (flt_vehicle_assignments). An assignment with `endAt` null is
 * current; at most one is open per vehicle and per driver. Prisma cannot express the partial unique
 * indexes that would enforce this, so every change that opens an assignment first takes the
 * vehicle's and then the driver's row lock (`SELECT … FOR UPDATE`, always in that order, so two
 * assignments cannot deadlock) and ends what is open at the instant the new one starts. Ending needs
 * no lock: the UPDATE … WHERE end_at IS NULL re-checks the row once it holds it.
 */
import type { Db } from "@fleetcore/db";
import type { AssignDriverRequest, EndAssignmentRequest, VehicleAssignment } from "@fleetcore/validators";
import { ZAssignDriverRequest, ZEndAssignmentRequest } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError, describeIssues } from "../errors";
import { fullName } from "./shared";

/**
 * Locks the tenant's live vehicle row for the rest of the transaction; false when there is none
 * (unknown id, another tenant's — row-level security hides it too — or retired).
 */
export async function lockVehicle(db: Db, tenantId: string, vehicleId: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM flt_vehicles
    WHERE id = ${vehicleId}::uuid AND tenant_id = ${tenantId}::uuid AND deleted_at IS NULL
    FOR UPDATE`;
  return rows.length === 1;
}

/** Locks the tenant's live driver row for the rest of the transaction; false when there is none. */
export async function lockDriver(db: Db, tenantId: string, driverId: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM rid_drivers
    WHERE id = ${driverId}::uuid AND tenant_id = ${tenantId}::uuid AND deleted_at IS NULL
    FOR UPDATE`;
  return rows.length === 1;
}

/**
 * Ends the open assignments of a vehicle or a driver at `at` (audited `vehicle_assignment.ended`
 * each) and returns their ids. Never moves an end before its start.
 */
export async function endOpenAssignments(
  tx: Tx,
  tenantId: string,
  of: { vehicleId: string } | { driverId: string },
  at: Date,
): Promise<string[]> {
  const open = await tx.db.vehicleAssignment.findMany({ where: { tenantId, endAt: null, ...of } });
  const ended: string[] = [];
  for (const a of open) {
    const endAt = a.startAt > at ? a.startAt : at;
    const { count } = await tx.db.vehicleAssignment.updateMany({ where: { id: a.id, endAt: null }, data: { endAt } });
    if (count === 0) continue; // ended meanwhile by someone else
    ended.push(a.id);
    await tx.audit.record({
      tenantId,
      entityType: "vehicle_assignment",
      entityId: a.id,
      action: "vehicle_assignment.ended",
      before: { endAt: null },
      after: { endAt },
      metadata: { vehicleId: a.vehicleId, driverId: a.driverId },
    });
  }
  return ended;
}

/**
 * Assigns an active driver to a vehicle from now on: the vehicle's current assignment and the
 * driver's current one end at the same instant the new one starts. Audited
 * `vehicle_assignment.created` (and `.ended` for each ended one); `createdByUserId` is the actor.
 * @throws DomainError("not_found") vehicle or driver unknown, retired/deleted or another tenant's;
 *   ("invalid") driver not active; ("conflict") this driver already drives this vehicle.
 */
export async function assignDriver(tx: Tx, tenantId: string, input: AssignDriverRequest): Promise<VehicleAssignment> {
  const parsed = ZAssignDriverRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const { vehicleId, driverId, notes } = parsed.data;
  const { db, audit } = tx;
  if (!(await lockVehicle(db, tenantId, vehicleId))) throw new DomainError("not_found", "vehicle not found");
  if (!(await lockDriver(db, tenantId, driverId))) throw new DomainError("not_found", "driver not found");
  const driver = await db.driver.findUniqueOrThrow({ where: { id: driverId } });
  if (driver.status !== "active") {
    throw new DomainError("invalid", `${fullName(driver)} is ${driver.status}: only active drivers can be assigned`);
  }
  const current = await db.vehicleAssignment.findFirst({ where: { tenantId, vehicleId, endAt: null } });
  if (current?.driverId === driverId) {
    throw new DomainError("conflict", `${fullName(driver)} already drives this vehicle`);
  }
  // Taken after the locks, so it is later than any assignment a concurrent call committed first.
  const now = new Date();
  const endedOfVehicle = await endOpenAssignments(tx, tenantId, { vehicleId }, now);
  const endedOfDriver = await endOpenAssignments(tx, tenantId, { driverId }, now);
  const row = await db.vehicleAssignment.create({
    data: { tenantId, vehicleId, driverId, startAt: now, notes: notes || null, createdByUserId: audit.actor.userId },
  });
  await audit.record({
    tenantId,
    entityType: "vehicle_assignment",
    entityId: row.id,
    action: "vehicle_assignment.created",
    after: { vehicleId, driverId, startAt: now, notes: row.notes },
    metadata: { endedAssignmentIds: [...endedOfVehicle, ...endedOfDriver] },
  });
  const [assignment] = await toAssignments(db, [row]);
  if (!assignment) throw new Error("unreachable: the new assignment is missing");
  return assignment;
}

/**
 * Ends the current assignment of a vehicle or of a driver now (audited `vehicle_assignment.ended`).
 * @throws DomainError("not_found") unknown / another tenant's id, or nothing is assigned
 */
export async function endAssignment(tx: Tx, tenantId: string, input: EndAssignmentRequest): Promise<void> {
  const parsed = ZEndAssignmentRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const { vehicleId, driverId } = parsed.data;
  const of = vehicleId ? { vehicleId } : { driverId: driverId as string };
  const ended = await endOpenAssignments(tx, tenantId, of, new Date());
  if (ended.length === 0) {
    throw new DomainError(
      "not_found",
      vehicleId ? "this vehicle has no current driver" : "this driver has no current vehicle",
    );
  }
}

/**
 * Assignment history of one live vehicle or driver of the tenant, newest first, at most `limit`.
 * @throws DomainError("not_found") unknown, deleted or another tenant's id
 */
export async function listAssignments(
  db: Db,
  tenantId: string,
  of: { vehicleId: string } | { driverId: string },
  limit = 100,
): Promise<VehicleAssignment[]> {
  const exists =
    "vehicleId" in of
      ? await db.vehicle.findFirst({ where: { id: of.vehicleId, tenantId, deletedAt: null }, select: { id: true } })
      : await db.driver.findFirst({ where: { id: of.driverId, tenantId, deletedAt: null }, select: { id: true } });
  if (!exists) throw new DomainError("not_found", "vehicleId" in of ? "vehicle not found" : "driver not found");
  const rows = await db.vehicleAssignment.findMany({
    where: { tenantId, ...of },
    orderBy: [{ startAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  return toAssignments(db, rows);
}

type AssignmentRow = Awaited<ReturnType<Db["vehicleAssignment"]["findFirstOrThrow"]>>;

/** Rows → API shape, with vehicle and driver names and the creator's email (when visible). */
async function toAssignments(db: Db, rows: AssignmentRow[]): Promise<VehicleAssignment[]> {
  const ids = (key: "vehicleId" | "driverId" | "createdByUserId") => [
    ...new Set(rows.map((r) => r[key]).filter((id): id is string => id !== null)),
  ];
  // One after another: they share the transaction's connection.
  const vehicles = await db.vehicle.findMany({
    where: { id: { in: ids("vehicleId") } },
    select: { id: true, name: true },
  });
  const drivers = await db.driver.findMany({
    where: { id: { in: ids("driverId") } },
    select: { id: true, firstName: true, lastName: true },
  });
  const users = await db.user.findMany({
    where: { id: { in: ids("createdByUserId") } },
    select: { id: true, email: true },
  });
  const vehicleName = new Map(vehicles.map((v) => [v.id, v.name]));
  const driverName = new Map(drivers.map((d) => [d.id, fullName(d)]));
  const email = new Map(users.map((u) => [u.id, u.email]));
  return rows.map((r) => ({
    id: r.id,
    vehicle: { id: r.vehicleId, name: vehicleName.get(r.vehicleId) ?? "" },
    driver: { id: r.driverId, name: driverName.get(r.driverId) ?? "" },
    startAt: r.startAt,
    endAt: r.endAt,
    notes: r.notes,
    createdBy: r.createdByUserId ? (email.get(r.createdByUserId) ?? null) : null,
  }));
}
