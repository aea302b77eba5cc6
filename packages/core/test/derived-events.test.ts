/**
 * DerivedEventPipeline against the real database: device connection changes become
 * device_offline / device_online events only for known devices and only when the tenant's rules
 * ask for them; derived events are stored with the vehicle's current driver and published after
 * COMMIT; geofence presence rows follow enter/exit; a geofence reload takes effect at once.
 */
import { disconnectAll, getPgPool, withScope } from "@fleetcore/db";
import { testDatabaseUrl, testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DerivedEventPipeline, type StoredVehicleEvent } from "../src/index";

afterAll(() => disconnectAll());

const unique = () => Math.random().toString(36).slice(2, 8);
let tenantId: string;
let vehicleId: string;
let deviceId: string;
let driverId: string;

beforeAll(async () => {
  const db = testOwnerPrisma();
  const tag = unique();
  const tenant = await db.tenant.create({
    data: { name: `Pipeline ${tag}`, slug: `pipeline-${tag}`, countryCode: "US", defaultCurrency: "USD" },
  });
  tenantId = tenant.id;
  vehicleId = (await db.vehicle.create({ data: { tenantId, name: "Bus 12" } })).id;
  deviceId = (await db.device.create({ data: { tenantId, uniqueId: `pipe-${tag}`, name: "tracker", vehicleId } })).id;
  driverId = (await db.driver.create({ data: { tenantId, firstName: "Lee", lastName: "Park" } })).id;
  await db.vehicleAssignment.create({
    data: { tenantId, vehicleId, driverId, startAt: new Date(Date.now() - 3600_000) },
  });
});

function pipeline() {
  const published: StoredVehicleEvent[] = [];
  const p = new DerivedEventPipeline(testPrisma(), {
    pool: getPgPool(testDatabaseUrl()),
    publish: (events) => published.push(...events),
  });
  return { p, published };
}

const status = (s: "online" | "offline") => [
  { deviceId, vehicleId, status: s, lastSeenAt: new Date(Date.now() - 400_000).toISOString() },
];

describe("device offline / online events", () => {
  it("derives them for a known device's transitions, with the vehicle's driver, published after commit", async () => {
    const { p, published } = pipeline();
    await p.start();
    p.observeDevices(tenantId, status("online")); // first sight: recorded, no event
    p.observeDevices(tenantId, status("online"));
    p.observeDevices(tenantId, status("offline"));
    p.observeDevices(tenantId, status("online"));
    await p.stop();
    expect(published.map((e) => e.type)).toEqual(["device_offline", "device_online"]);
    expect(published[0]).toMatchObject({
      tenantId,
      vehicleId,
      driverId,
      severity: "warning",
      title: "Device offline: no position for 5 min",
    });
    const stored = await testOwnerPrisma().vehicleEvent.findMany({ where: { tenantId, deviceId } });
    expect(stored.map((e) => e.type).sort()).toEqual(["device_offline", "device_online"]);
  });

  it("announces no 'back online' for a device already offline when the process started", async () => {
    await testOwnerPrisma().latestPosition.upsert({
      where: { deviceId },
      create: {
        deviceId,
        tenantId,
        vehicleId,
        time: new Date(Date.now() - 3600_000),
        receivedAt: new Date(Date.now() - 3600_000),
        latitude: 30.2,
        longitude: -97.7,
      },
      update: { receivedAt: new Date(Date.now() - 3600_000) },
    });
    const { p, published } = pipeline();
    await p.start();
    p.observeDevices(tenantId, status("online")); // back after the platform's downtime: no event
    p.observeDevices(tenantId, status("offline"));
    p.observeDevices(tenantId, status("online"));
    await p.stop();
    expect(published.map((e) => e.type)).toEqual(["device_offline", "device_online"]);
  });

  it("derives none when the tenant turned them off", async () => {
    await testOwnerPrisma().eventRules.create({ data: { tenantId, deviceOfflineEvents: false } });
    const { p, published } = pipeline();
    await p.start();
    p.observeDevices(tenantId, status("online"));
    p.observeDevices(tenantId, status("offline"));
    await p.stop();
    expect(published).toEqual([]);
    await testOwnerPrisma().eventRules.delete({ where: { tenantId } });
  });
});

describe("geofences", () => {
  it("reloads a tenant's geofences at once and keeps presence rows in step with enter/exit", async () => {
    const { p, published } = pipeline();
    await p.start();
    const fix = (s: number, latitude: number) => ({
      tenantId,
      deviceId,
      vehicleId,
      time: new Date(Date.now() - 300_000 + s * 1000),
      latitude,
      longitude: -97.7,
      speedKph: 20,
      attributes: {},
    });
    p.observe([fix(0, 30.2)]);
    const geofence = await testOwnerPrisma().geofence.create({
      data: {
        tenantId,
        name: "Yard",
        kind: "circle",
        shape: { latitude: 30.25, longitude: -97.7, radiusM: 200 },
      },
    });
    p.observe([fix(10, 30.25)]); // not loaded yet: nothing
    await p.reloadGeofences(tenantId);
    p.observe([fix(20, 30.2), fix(30, 30.25)]);
    await p.flush();
    expect(await presence()).toEqual([geofence.id]);
    p.observe([fix(40, 30.3)]);
    await p.stop();
    expect(published.map((e) => `${e.type}@${e.geofenceId}`)).toEqual([
      `geofence_enter@${geofence.id}`,
      `geofence_exit@${geofence.id}`,
    ]);
    expect(await presence()).toEqual([]);

    // Inside again, then the geofence is deleted: its presence row goes with the reload.
    const { p: p2 } = pipeline();
    await p2.start();
    p2.observe([fix(50, 30.25)]);
    p2.observe([fix(60, 30.2), fix(70, 30.25)]);
    await p2.flush();
    expect(await presence()).toEqual([geofence.id]);
    await testOwnerPrisma().geofence.update({ where: { id: geofence.id }, data: { deletedAt: new Date() } });
    await p2.reloadGeofences(tenantId);
    await p2.stop();
    expect(await presence()).toEqual([]);
  });
});

describe("backlog", () => {
  it("drops events beyond its bound, says so, and still keeps presence", async () => {
    const warnings: string[] = [];
    const published: StoredVehicleEvent[] = [];
    const p = new DerivedEventPipeline(testPrisma(), {
      pool: getPgPool(testDatabaseUrl()),
      publish: (events) => published.push(...events),
      log: { warn: (_obj, msg) => warnings.push(msg) },
      maxPendingEvents: 1,
    });
    await p.start();
    const fix = (s: number, latitude: number) => ({
      tenantId,
      deviceId,
      vehicleId,
      time: new Date(Date.now() - 200_000 + s * 1000),
      latitude,
      longitude: -97.6,
      speedKph: 20,
      attributes: {},
    });
    const small = await testOwnerPrisma().geofence.create({
      data: { tenantId, name: "Stop A", kind: "circle", shape: { latitude: 30.25, longitude: -97.6, radiusM: 100 } },
    });
    const large = await testOwnerPrisma().geofence.create({
      data: { tenantId, name: "Zone A", kind: "circle", shape: { latitude: 30.25, longitude: -97.6, radiusM: 2000 } },
    });
    await p.reloadGeofences(tenantId);
    // One fix enters both geofences at once: two events, room for one.
    p.observe([fix(0, 30.2), fix(10, 30.25)]);
    await p.stop();
    expect(published).toHaveLength(1);
    expect(warnings).toEqual(["derived events arrive faster than they can be stored: backlog full, events dropped"]);
    expect((await presence()).sort()).toEqual([small.id, large.id].sort());
  });
});

async function presence(): Promise<string[]> {
  const rows = await withScope(testPrisma(), { kind: "tenant", tenantId }, (db) =>
    db.geofencePresence.findMany({ where: { vehicleId } }),
  );
  return rows.map((r) => r.geofenceId);
}
