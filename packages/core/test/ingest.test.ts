import { disconnectAll, getPgPool } from "@fleetcore/db";
import { testDatabaseUrl, testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BackpressureError,
  type DecodedPosition,
  haversineM,
  IngestService,
  PositionWriter,
  type StoredFix,
} from "../src/index";

afterAll(() => disconnectAll());

const tag = Math.random().toString(36).slice(2, 8);
let tenantId: string;
let vehicleId: string;
const committed: StoredFix[] = [];
let service: IngestService;

beforeAll(async () => {
  const db = testOwnerPrisma();
  const tenant = await db.tenant.create({
    data: { name: `Ingest ${tag}`, slug: `ingest-${tag}`, countryCode: "US", defaultCurrency: "USD", status: "active" },
  });
  tenantId = tenant.id;
  const vehicle = await db.vehicle.create({ data: { tenantId, name: "Bus 1" } });
  vehicleId = vehicle.id;
  await db.device.create({ data: { tenantId, uniqueId: `bus-${tag}`, name: "tracker", vehicleId } });
  const pool = getPgPool(testDatabaseUrl());
  service = new IngestService(pool, new PositionWriter(pool, { onCommitted: (f) => committed.push(...f) }));
});

const fix = (minutesAgo: number, lat: number, lon: number, extra: Partial<DecodedPosition> = {}): DecodedPosition => ({
  uniqueId: `bus-${tag}`,
  time: new Date(Date.UTC(2026, 10, 20, 12, 0) - minutesAgo * 60_000),
  latitude: lat,
  longitude: lon,
  speedKph: 30,
  attributes: { batteryLevel: 80 },
  ...extra,
});

describe("ingest write path (application role, system scope)", () => {
  it("stores good fixes, rejects bad ones by index with a reason, and is idempotent on (device, fix time)", async () => {
    const batch = [
      fix(10, 30.2672, -97.7431),
      fix(9, 30.2682, -97.7431),
      fix(8, 91, 0),
      fix(7, 0, 0),
      fix(6, 30.2692, -97.7431, { speedKph: 900 }),
      fix(5, 30.2672, -97.7431, { uniqueId: `nobody-${tag}` }),
    ];
    const result = await service.ingest(batch, { protocol: "osmand", ip: "198.51.100.4" });
    expect(result.inserted).toBe(2);
    expect(result.rejected.map((r) => r.index)).toEqual([2, 3, 4, 5]);
    expect(result.rejected[0]?.reason).toMatch(/latitude 91/);
    expect(result.rejected[1]?.reason).toMatch(/0,0/);
    expect(result.rejected[2]?.reason).toMatch(/speed 900/);
    expect(result.rejected[3]?.reason).toMatch(/unknown device/);
    const again = await service.ingest(batch.slice(0, 2), { protocol: "osmand" });
    expect(again).toMatchObject({ inserted: 0, duplicates: 2 });
    const db = testOwnerPrisma();
    expect(await db.position.count({ where: { tenantId } })).toBe(2);
    const unknown = await db.unknownDevice.findFirst({ where: { uniqueId: `nobody-${tag}` } });
    expect(unknown).toMatchObject({ protocol: "osmand", lastIp: "198.51.100.4", reportCount: 1 });
  });

  it("derives distance per fix and odometers, and keeps the newest fix as the latest position", async () => {
    await service.ingest([fix(4, 30.2702, -97.7431)], { protocol: "osmand" });
    await service.ingest([fix(30, 30.1, -97.1)], { protocol: "osmand" }); // late fix: stored, no distance
    const db = testOwnerPrisma();
    const latest = await db.latestPosition.findMany({ where: { tenantId } });
    expect(latest).toHaveLength(1);
    expect(latest[0]?.latitude).toBeCloseTo(30.2702, 6);
    const expected =
      haversineM(30.2672, -97.7431, 30.2682, -97.7431) + haversineM(30.2682, -97.7431, 30.2702, -97.7431);
    expect(latest[0]?.odometerM).toBeCloseTo(expected, 1);
    const vehicle = await db.vehicle.findUniqueOrThrow({ where: { id: vehicleId } });
    expect(vehicle.odometerM).toBeCloseTo(expected, 1);
    const late = await db.position.findFirst({ where: { tenantId, latitude: 30.1 } });
    expect(late?.distanceM).toBeNull();
    expect(committed.length).toBeGreaterThanOrEqual(4);
  });

  it("refuses positions of a suspended tenant's devices with a clear reason", async () => {
    await testOwnerPrisma().tenant.update({ where: { id: tenantId }, data: { status: "suspended" } });
    service.invalidateDevices();
    const result = await service.ingest([fix(1, 30.3, -97.7)], { protocol: "osmand" });
    expect(result.inserted).toBe(0);
    expect(result.rejected[0]?.reason).toMatch(/is suspended: positions are not accepted/);
    await testOwnerPrisma().tenant.update({ where: { id: tenantId }, data: { status: "active" } });
    service.invalidateDevices();
  });

  it("refuses at once with BackpressureError when the queue is full, never queueing beyond its bound", async () => {
    const pool = getPgPool(testDatabaseUrl());
    const writer = new PositionWriter(pool, { maxQueued: 3 });
    const tiny = new IngestService(pool, writer);
    const many = [0, 1, 2, 3].map((i) => fix(100 + i, 30.2 + i / 100, -97.7));
    await expect(tiny.ingest(many, { protocol: "osmand" })).rejects.toBeInstanceOf(BackpressureError);
    expect(writer.depth).toBe(0);
  });
});
