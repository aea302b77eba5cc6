/**
 * Vehicles, devices, drivers and driver assignments through the API against the real database:
 * CRUD and search, the assignment rules (one open assignment per vehicle and per driver, a new one
 * ends the previous ones at the same instant, also under concurrent calls), audit rows, tenant
 * isolation with crafted ids of another tenant's rows, and read-only roles refused.
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRows, createWorld, signIn, type TestClient, trpcCode, trpcError, type World } from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
let adminA: TestClient;
let ownerB: TestClient;
let phoneSeq = 0;
/** A fresh Austin number per call (phones are unique per tenant; test files share the database). */
const phone = () => `+1512555${1000 + phoneSeq++}`;

beforeAll(async () => {
  world = await createWorld();
  adminA = await signIn(world.users.adminA.email);
  ownerB = await signIn(world.users.ownerB.email);
});

const openAssignments = (where: { vehicleId?: string; driverId?: string }) =>
  testOwnerPrisma().vehicleAssignment.findMany({ where: { ...where, endAt: null } });

describe("vehicles", () => {
  it("lists each vehicle with its current driver, devices, last-seen time and odometer", async () => {
    const [vehicle] = await adminA.api.vehicle.list({});
    expect(vehicle).toMatchObject({
      id: world.a.vehicle.id,
      currentDriver: null,
      devices: [{ id: world.a.device.id, uniqueId: world.a.device.uniqueId, name: "tracker" }],
      odometerM: 0,
      lastSeenAt: null,
    });
  });

  it("searches name, plate, VIN, make and model case-insensitively, word by word, and filters by status", async () => {
    const tag = world.tag;
    const van = await adminA.api.vehicle.create({ name: `Van ${tag}`, licensePlate: `tx-${tag}`, make: "Ford" });
    const bus = await adminA.api.vehicle.create({
      name: `Bus ${tag}`,
      make: "Gillig",
      model: "Low Floor",
      vin: "1GBJ6C1B28F411234",
      status: "maintenance",
    });
    const ids = async (input: Parameters<typeof adminA.api.vehicle.list>[0]) =>
      (await adminA.api.vehicle.list(input)).map((v) => v.id);
    expect(await ids({ search: `TX-${tag.toUpperCase()}` })).toEqual([van.id]);
    expect(await ids({ search: "gillig low" })).toEqual([bus.id]);
    expect(await ids({ search: "f411234" })).toEqual([bus.id]);
    expect(await ids({ search: `ford ${tag}` })).toEqual([van.id]);
    expect(await ids({ search: "ford gillig" })).toEqual([]);
    expect(await ids({ search: "%" })).toEqual([]);
    expect(await ids({ status: "maintenance" })).toEqual([bus.id]);
    const active = await ids({ status: "active", search: tag });
    expect(active).toContain(van.id);
    expect(active).not.toContain(bus.id);
  });

  it("updates the given fields, clears with null, audits only what changed, refuses a taken plate", async () => {
    const v = await adminA.api.vehicle.create({ name: "Edit me", licensePlate: "ED-1", make: "Ford", year: 2020 });
    const updated = await adminA.api.vehicle.update({
      vehicleId: v.id,
      name: "Edited",
      make: null,
      status: "inactive",
      year: 2020,
    });
    expect(updated).toMatchObject({ name: "Edited", make: null, status: "inactive", licensePlate: "ED-1", year: 2020 });
    const [row] = await auditRows({ action: "vehicle.updated", entityId: v.id });
    expect(row?.changes).toEqual({
      name: { before: "Edit me", after: "Edited" },
      make: { before: "Ford", after: null },
      status: { before: "active", after: "inactive" },
    });
    expect(row?.actorUserId).toBe(world.users.adminA.id);
    await adminA.api.vehicle.create({ name: "Other", licensePlate: "ED-2" });
    expect(await trpcCode(adminA.api.vehicle.update({ vehicleId: v.id, licensePlate: "ed-2" }))).toBe("CONFLICT");
    expect(await trpcCode(adminA.api.vehicle.create({ name: "Dup", licensePlate: "ED-1" }))).toBe("CONFLICT");
    expect(await trpcCode(adminA.api.vehicle.update({ vehicleId: v.id, vin: "short" }))).toBe("BAD_REQUEST");
    // Another tenant may use the same plate.
    expect(await trpcCode(ownerB.api.vehicle.create({ name: "B's", licensePlate: "ED-1" }))).toBe("OK");
  });

  it("retires a vehicle: hidden, devices unbound, current assignment ended, all audited", async () => {
    const v = await adminA.api.vehicle.create({ name: "To retire" });
    const device = await adminA.api.device.create({ uniqueId: `retire-${world.tag}`, name: "t", vehicleId: v.id });
    const driver = await adminA.api.driver.create({ firstName: "Retiring", lastName: "Driver" });
    await adminA.api.driver.assign({ vehicleId: v.id, driverId: driver.id });
    expect(await adminA.api.vehicle.delete({ vehicleId: v.id })).toEqual({ ok: true });

    expect((await adminA.api.vehicle.list({})).map((x) => x.id)).not.toContain(v.id);
    expect(await trpcCode(adminA.api.vehicle.get({ vehicleId: v.id }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.vehicle.delete({ vehicleId: v.id }))).toBe("NOT_FOUND");
    const row = await testOwnerPrisma().vehicle.findUniqueOrThrow({ where: { id: v.id } });
    expect(row.status).toBe("retired");
    expect(row.deletedAt).not.toBeNull();
    expect((await testOwnerPrisma().device.findUniqueOrThrow({ where: { id: device.id } })).vehicleId).toBeNull();
    expect(await openAssignments({ vehicleId: v.id })).toEqual([]);
    expect((await adminA.api.driver.get({ driverId: driver.id })).currentVehicle).toBeNull();
    expect((await auditRows({ action: "vehicle.deleted", entityId: v.id })).length).toBe(1);
    expect((await auditRows({ action: "device.unbound", entityId: device.id })).length).toBe(1);
  });
});

describe("devices", () => {
  it("renames, deactivates, binds, moves, unbinds and deletes, each audited", async () => {
    const v1 = await adminA.api.vehicle.create({ name: "Bind 1" });
    const v2 = await adminA.api.vehicle.create({ name: "Bind 2" });
    const uniqueId = `bind-${world.tag}`;
    const d = await adminA.api.device.create({ uniqueId, name: "Phone" });
    expect(await adminA.api.device.update({ deviceId: d.id, name: "Phone 2", status: "inactive" })).toMatchObject({
      name: "Phone 2",
      status: "inactive",
    });
    expect((await auditRows({ action: "device.updated", entityId: d.id }))[0]?.changes).toEqual({
      name: { before: "Phone", after: "Phone 2" },
      status: { before: "active", after: "inactive" },
    });

    expect((await adminA.api.device.bind({ deviceId: d.id, vehicleId: v1.id })).vehicleId).toBe(v1.id);
    expect((await adminA.api.vehicle.get({ vehicleId: v1.id })).devices.map((x) => x.id)).toEqual([d.id]);
    await adminA.api.device.bind({ deviceId: d.id, vehicleId: v2.id });
    expect((await adminA.api.vehicle.get({ vehicleId: v1.id })).devices).toEqual([]);
    expect((await adminA.api.vehicle.get({ vehicleId: v2.id })).devices.map((x) => x.id)).toEqual([d.id]);
    expect((await adminA.api.device.unbind({ deviceId: d.id })).vehicleId).toBeNull();
    const bound = await auditRows({ action: "device.bound", entityId: d.id });
    expect(bound.map((r) => r.changes)).toEqual([
      { vehicleId: { before: null, after: v1.id } },
      { vehicleId: { before: v1.id, after: v2.id } },
    ]);
    expect((await auditRows({ action: "device.unbound", entityId: d.id })).length).toBe(1);

    await adminA.api.device.bind({ deviceId: d.id, vehicleId: v1.id });
    expect(await adminA.api.device.delete({ deviceId: d.id })).toEqual({ ok: true });
    expect((await adminA.api.device.list()).map((x) => x.id)).not.toContain(d.id);
    expect((await adminA.api.vehicle.get({ vehicleId: v1.id })).devices).toEqual([]);
    expect(await trpcCode(adminA.api.device.update({ deviceId: d.id, name: "x" }))).toBe("NOT_FOUND");
    expect((await auditRows({ action: "device.deleted", entityId: d.id })).length).toBe(1);

    // Its unique id stays reserved: the same tenant gets the device back, another tenant a conflict.
    expect(await trpcCode(ownerB.api.device.create({ uniqueId, name: "Thief" }))).toBe("CONFLICT");
    const restored = await adminA.api.device.create({ uniqueId, name: "Back", vehicleId: v2.id });
    expect(restored).toMatchObject({ id: d.id, name: "Back", vehicleId: v2.id, status: "active" });
  });
});

describe("drivers", () => {
  it("creates with the phone normalised to E.164, refuses national or duplicate numbers, frees them on delete", async () => {
    const number = phone();
    const spaced = `${number.slice(0, 2)} (${number.slice(2, 5)}) ${number.slice(5, 8)}-${number.slice(8)}`;
    const d = await adminA.api.driver.create({
      firstName: " Maria ",
      lastName: "Garcia",
      email: "Maria.Garcia@Example.com",
      phone: spaced,
      licenseNumber: "TX-123",
    });
    expect(d).toMatchObject({
      name: "Maria Garcia",
      phone: number,
      email: "maria.garcia@example.com",
      status: "active",
      currentVehicle: null,
    });
    expect(await adminA.api.driver.get({ driverId: d.id })).toEqual(d);
    expect((await adminA.api.driver.create({ firstName: "Zoé", lastName: "L", phone: "0033612345678" })).phone).toBe(
      "+33612345678",
    );
    const bad = await trpcError(adminA.api.driver.create({ firstName: "N", lastName: "L", phone: "(512) 555-0101" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toMatch(/international format/);
    expect(await trpcCode(adminA.api.driver.create({ firstName: "Dup", lastName: "L", phone: number }))).toBe(
      "CONFLICT",
    );
    // Another tenant may have a driver with the same number.
    expect(await trpcCode(ownerB.api.driver.create({ firstName: "B", lastName: "Same", phone: number }))).toBe("OK");
    const other = await adminA.api.driver.create({ firstName: "Other", lastName: "L", phone: phone() });
    expect(await trpcCode(adminA.api.driver.update({ driverId: other.id, phone: number }))).toBe("CONFLICT");

    await adminA.api.driver.delete({ driverId: d.id });
    expect(await trpcCode(adminA.api.driver.get({ driverId: d.id }))).toBe("NOT_FOUND");
    expect((await adminA.api.driver.update({ driverId: other.id, phone: number })).phone).toBe(number);
    expect((await auditRows({ action: "driver.created", entityId: d.id }))[0]?.changes).toMatchObject({
      phone: { before: null, after: number },
    });
    expect((await auditRows({ action: "driver.deleted", entityId: d.id })).length).toBe(1);
  });

  it("updates fields (null clears), audits the difference, searches and filters by status", async () => {
    const tag = world.tag;
    const d = await adminA.api.driver.create({ firstName: "Jamal", lastName: `Search${tag}`, licenseNumber: "L-1" });
    await adminA.api.driver.create({ firstName: "Ines", lastName: `Search${tag}`, status: "suspended" });
    const updated = await adminA.api.driver.update({ driverId: d.id, licenseNumber: null, status: "inactive" });
    expect(updated).toMatchObject({ licenseNumber: null, status: "inactive" });
    expect((await auditRows({ action: "driver.updated", entityId: d.id }))[0]?.changes).toEqual({
      licenseNumber: { before: "L-1", after: null },
      status: { before: "active", after: "inactive" },
    });
    const names = async (input: Parameters<typeof adminA.api.driver.list>[0]) =>
      (await adminA.api.driver.list(input)).map((x) => x.firstName);
    expect(await names({ search: `search${tag}` })).toEqual(["Ines", "Jamal"]);
    expect(await names({ search: `jam SEARCH${tag}` })).toEqual(["Jamal"]);
    expect(await names({ search: `search${tag}`, status: "suspended" })).toEqual(["Ines"]);
  });
});

describe("assignments", () => {
  it("re-assigning ends the previous assignments of the vehicle and of the driver at the same instant", async () => {
    const v1 = await adminA.api.vehicle.create({ name: "Assign 1" });
    const v2 = await adminA.api.vehicle.create({ name: "Assign 2" });
    const d1 = await adminA.api.driver.create({ firstName: "Ana", lastName: "One" });
    const d2 = await adminA.api.driver.create({ firstName: "Ben", lastName: "Two" });

    const a1 = await adminA.api.driver.assign({ vehicleId: v1.id, driverId: d1.id, notes: "morning shift" });
    expect(a1).toMatchObject({
      vehicle: { id: v1.id, name: "Assign 1" },
      driver: { id: d1.id, name: "Ana One" },
      endAt: null,
      notes: "morning shift",
      createdBy: world.users.adminA.email,
    });
    expect((await adminA.api.vehicle.get({ vehicleId: v1.id })).currentDriver).toEqual({ id: d1.id, name: "Ana One" });
    expect((await adminA.api.driver.get({ driverId: d1.id })).currentVehicle).toEqual({ id: v1.id, name: "Assign 1" });
    expect(await trpcCode(adminA.api.driver.assign({ vehicleId: v1.id, driverId: d1.id }))).toBe("CONFLICT");

    // d2 takes v1: d1's assignment ends when d2's starts.
    const a2 = await adminA.api.driver.assign({ vehicleId: v1.id, driverId: d2.id });
    const ended1 = await testOwnerPrisma().vehicleAssignment.findUniqueOrThrow({ where: { id: a1.id } });
    expect(ended1.endAt?.getTime()).toBe(a2.startAt.getTime());
    expect((await adminA.api.driver.get({ driverId: d1.id })).currentVehicle).toBeNull();

    // d2 moves to v2: their v1 assignment ends, v1 has no driver any more.
    const a3 = await adminA.api.driver.assign({ vehicleId: v2.id, driverId: d2.id });
    const ended2 = await testOwnerPrisma().vehicleAssignment.findUniqueOrThrow({ where: { id: a2.id } });
    expect(ended2.endAt?.getTime()).toBe(a3.startAt.getTime());
    expect((await adminA.api.vehicle.get({ vehicleId: v1.id })).currentDriver).toBeNull();
    expect((await adminA.api.vehicle.list({ search: "Assign 2" }))[0]?.currentDriver).toEqual({
      id: d2.id,
      name: "Ben Two",
    });
    expect(await openAssignments({ vehicleId: v1.id })).toHaveLength(0);
    expect(await openAssignments({ driverId: d2.id })).toHaveLength(1);

    const vehicleHistory = await adminA.api.vehicle.assignments({ vehicleId: v1.id });
    expect(vehicleHistory.map((h) => [h.driver.name, h.endAt !== null])).toEqual([
      ["Ben Two", true],
      ["Ana One", true],
    ]);
    const driverHistory = await adminA.api.driver.history({ driverId: d2.id });
    expect(driverHistory.map((h) => [h.vehicle.name, h.endAt === null])).toEqual([
      ["Assign 2", true],
      ["Assign 1", false],
    ]);

    expect((await auditRows({ action: "vehicle_assignment.ended", entityId: a1.id })).length).toBe(1);
    expect((await auditRows({ action: "vehicle_assignment.ended", entityId: a2.id })).length).toBe(1);
    expect((await auditRows({ action: "vehicle_assignment.created", entityId: a3.id }))[0]?.metadata).toEqual({
      endedAssignmentIds: [a2.id],
    });

    // Unassign by driver, then by vehicle: nothing left to end is NOT_FOUND.
    expect(await adminA.api.driver.unassign({ driverId: d2.id })).toEqual({ ok: true });
    expect(await trpcCode(adminA.api.driver.unassign({ vehicleId: v2.id }))).toBe("NOT_FOUND");
    expect(await openAssignments({ driverId: d2.id })).toHaveLength(0);
    expect(await trpcCode(adminA.api.driver.unassign({}))).toBe("BAD_REQUEST");
  });

  it("keeps one open assignment per vehicle and per driver under concurrent calls", async () => {
    const v = await adminA.api.vehicle.create({ name: "Contested" });
    const others = [
      await adminA.api.vehicle.create({ name: "Spare 1" }),
      await adminA.api.vehicle.create({ name: "Spare 2" }),
    ];
    const drivers = [];
    for (const n of [1, 2, 3, 4]) drivers.push(await adminA.api.driver.create({ firstName: "Race", lastName: `${n}` }));
    const clients = await Promise.all(drivers.map(() => signIn(world.users.adminA.email)));
    // Four drivers race for one vehicle…
    const results = await Promise.allSettled(
      drivers.map((d, i) => clients[i]?.api.driver.assign({ vehicleId: v.id, driverId: d.id })),
    );
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(await openAssignments({ vehicleId: v.id })).toHaveLength(1);
    // …and one driver races for two vehicles.
    const driver = drivers[0]?.id as string;
    await Promise.all(others.map((o, i) => clients[i]?.api.driver.assign({ vehicleId: o.id, driverId: driver })));
    expect(await openAssignments({ driverId: driver })).toHaveLength(1);
    const all = await testOwnerPrisma().vehicleAssignment.findMany({ where: { vehicleId: v.id } });
    for (const a of all) if (a.endAt) expect(a.endAt.getTime()).toBeGreaterThanOrEqual(a.startAt.getTime());
  });

  it("refuses drivers who are not active", async () => {
    const v = await adminA.api.vehicle.create({ name: "Suspended test" });
    const d = await adminA.api.driver.create({ firstName: "Sus", lastName: "Pended", status: "suspended" });
    expect(await trpcCode(adminA.api.driver.assign({ vehicleId: v.id, driverId: d.id }))).toBe("BAD_REQUEST");
  });

  it("deleting a driver ends their assignment", async () => {
    const v = await adminA.api.vehicle.create({ name: "Driver leaves" });
    const d = await adminA.api.driver.create({ firstName: "Leaving", lastName: "Soon" });
    await adminA.api.driver.assign({ vehicleId: v.id, driverId: d.id });
    await adminA.api.driver.delete({ driverId: d.id });
    expect((await adminA.api.vehicle.get({ vehicleId: v.id })).currentDriver).toBeNull();
    expect(await trpcCode(adminA.api.driver.assign({ vehicleId: v.id, driverId: d.id }))).toBe("NOT_FOUND");
    // History still names them.
    expect((await adminA.api.vehicle.assignments({ vehicleId: v.id }))[0]?.driver.name).toBe("Leaving Soon");
  });
});

describe("tenant isolation: A's admin with B's ids gets NOT_FOUND and changes nothing", () => {
  let b: { vehicleId: string; deviceId: string; driverId: string };
  let a: { vehicleId: string; deviceId: string; driverId: string };

  beforeAll(async () => {
    const driverB = await ownerB.api.driver.create({ firstName: "Bravo", lastName: "Driver", phone: phone() });
    await ownerB.api.driver.assign({ vehicleId: world.b.vehicle.id, driverId: driverB.id });
    b = { vehicleId: world.b.vehicle.id, deviceId: world.b.device.id, driverId: driverB.id };
    const driverA = await adminA.api.driver.create({ firstName: "Alpha", lastName: "Driver" });
    a = { vehicleId: world.a.vehicle.id, deviceId: world.a.device.id, driverId: driverA.id };
  });

  it("vehicle procedures", async () => {
    expect(await trpcCode(adminA.api.vehicle.update({ vehicleId: b.vehicleId, name: "hijacked" }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.vehicle.delete({ vehicleId: b.vehicleId }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.vehicle.assignments({ vehicleId: b.vehicleId }))).toBe("NOT_FOUND");
  });

  it("device procedures, including binding across tenants either way", async () => {
    expect(await trpcCode(adminA.api.device.update({ deviceId: b.deviceId, name: "hijacked" }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.device.bind({ deviceId: b.deviceId, vehicleId: a.vehicleId }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.device.bind({ deviceId: a.deviceId, vehicleId: b.vehicleId }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.device.unbind({ deviceId: b.deviceId }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.device.delete({ deviceId: b.deviceId }))).toBe("NOT_FOUND");
  });

  it("driver and assignment procedures, including assigning across tenants either way", async () => {
    expect(await trpcCode(adminA.api.driver.get({ driverId: b.driverId }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.driver.update({ driverId: b.driverId, firstName: "x" }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.driver.history({ driverId: b.driverId }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.driver.assign({ vehicleId: a.vehicleId, driverId: b.driverId }))).toBe(
      "NOT_FOUND",
    );
    expect(await trpcCode(adminA.api.driver.assign({ vehicleId: b.vehicleId, driverId: a.driverId }))).toBe(
      "NOT_FOUND",
    );
    expect(await trpcCode(adminA.api.driver.unassign({ driverId: b.driverId }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.driver.unassign({ vehicleId: b.vehicleId }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.driver.delete({ driverId: b.driverId }))).toBe("NOT_FOUND");
  });

  it("B's rows are unchanged and no list of A contains them", async () => {
    const owner = testOwnerPrisma();
    expect(await owner.vehicle.findUniqueOrThrow({ where: { id: b.vehicleId } })).toMatchObject({
      name: world.b.vehicle.name,
      deletedAt: null,
    });
    expect(await owner.device.findUniqueOrThrow({ where: { id: b.deviceId } })).toMatchObject({
      name: "tracker",
      vehicleId: b.vehicleId,
      deletedAt: null,
    });
    expect(await owner.driver.findUniqueOrThrow({ where: { id: b.driverId } })).toMatchObject({
      firstName: "Bravo",
      deletedAt: null,
    });
    expect(await openAssignments({ driverId: b.driverId })).toHaveLength(1);
    expect((await ownerB.api.vehicle.get({ vehicleId: b.vehicleId })).currentDriver?.id).toBe(b.driverId);

    const vehicles = await adminA.api.vehicle.list({ search: "Bravo" });
    expect(vehicles).toEqual([]);
    expect((await adminA.api.vehicle.list({})).map((v) => v.id)).not.toContain(b.vehicleId);
    expect((await adminA.api.driver.list({})).map((d) => d.id)).not.toContain(b.driverId);
    expect((await adminA.api.driver.list({ search: "Bravo" })).map((d) => d.id)).toEqual([]);
    expect((await adminA.api.device.list()).map((d) => d.id)).not.toContain(b.deviceId);
  });
});

describe("permissions", () => {
  it("a viewer reads but cannot write; a dispatcher (fleet:read) neither", async () => {
    for (const user of [world.users.viewerA, world.users.dispatcherA]) {
      const c = await signIn(user.email);
      expect(await trpcCode(c.api.driver.list({}))).toBe("OK");
      expect(await trpcCode(c.api.vehicle.assignments({ vehicleId: world.a.vehicle.id }))).toBe("OK");
      const writes = [
        () => c.api.vehicle.update({ vehicleId: world.a.vehicle.id, name: "no" }),
        () => c.api.vehicle.delete({ vehicleId: world.a.vehicle.id }),
        () => c.api.device.update({ deviceId: world.a.device.id, name: "no" }),
        () => c.api.device.unbind({ deviceId: world.a.device.id }),
        () => c.api.device.delete({ deviceId: world.a.device.id }),
        () => c.api.driver.create({ firstName: "No", lastName: "Way" }),
        () => c.api.driver.assign({ vehicleId: world.a.vehicle.id, driverId: crypto.randomUUID() }),
        () => c.api.driver.unassign({ vehicleId: world.a.vehicle.id }),
      ];
      for (const write of writes) expect(await trpcCode(write())).toBe("FORBIDDEN");
    }
    expect((await testOwnerPrisma().vehicle.findUniqueOrThrow({ where: { id: world.a.vehicle.id } })).deletedAt).toBe(
      null,
    );
  });
});
