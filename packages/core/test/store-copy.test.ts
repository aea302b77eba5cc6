/**
 * The writer's binary COPY path (store.ts): every column arrives exactly as PostgreSQL's own input
 * conversion would store it, fixes repeated within a batch count once, queued requests that
 * share a transaction get their own inserted/duplicate counts, late fixes are stored, and a fix
 * another writer (another server process) stored first is a duplicate, not an error.
 */
import { disconnectAll, getPgPool } from "@fleetcore/db";
import { testDatabaseUrl, testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PositionWriter, type ResolvedFix, type StoredFix } from "../src/index";

afterAll(() => disconnectAll());

const tag = Math.random().toString(36).slice(2, 8);
let tenantId: string;
let vehicleId: string;
let deviceId: string;
let bareDeviceId: string;
const committed: StoredFix[] = [];
let writer: PositionWriter;

beforeAll(async () => {
  const db = testOwnerPrisma();
  const tenant = await db.tenant.create({
    data: { name: `Copy ${tag}`, slug: `copy-${tag}`, countryCode: "US", defaultCurrency: "USD", status: "active" },
  });
  tenantId = tenant.id;
  vehicleId = (await db.vehicle.create({ data: { tenantId, name: "Bus 1" } })).id;
  deviceId = (await db.device.create({ data: { tenantId, uniqueId: `copy-${tag}`, name: "tracker", vehicleId } })).id;
  bareDeviceId = (await db.device.create({ data: { tenantId, uniqueId: `copy-bare-${tag}`, name: "phone" } })).id;
  writer = new PositionWriter(getPgPool(testDatabaseUrl()), { onCommitted: (f) => committed.push(...f) });
});

const at = (minute: number, ms = 0) => new Date(Date.UTC(2026, 10, 19, 8, minute, 0, ms));
const fix = (time: Date, extra: Partial<ResolvedFix> = {}): ResolvedFix => ({
  deviceId,
  tenantId,
  vehicleId,
  time,
  latitude: 30.267153,
  longitude: -97.743057,
  speedKph: 42.7,
  headingDeg: 271.3,
  altitudeM: -12.25,
  accuracyM: 3.3,
  attributes: {},
  ...extra,
});

describe("PositionWriter binary COPY", () => {
  it("stores every column as PostgreSQL's own input conversion would", async () => {
    const attributes = { note: 'quote " back\\slash \t tab\nnewline é 🚌', nested: { a: [1, null, true] }, n: 1.5e-7 };
    const fixes = [
      fix(at(1, 123), { attributes }),
      fix(at(2, 999), { vehicleId: null, deviceId: bareDeviceId, speedKph: null, headingDeg: null, altitudeM: null }),
      fix(at(3), { latitude: -0.000001, longitude: 179.999999, speedKph: 1 / 3, accuracyM: 1e-3 }),
    ];
    expect(await writer.submit(fixes)).toEqual({ inserted: 3, duplicates: 0 });
    const db = testOwnerPrisma();
    for (const f of fixes) {
      const row = await db.position.findUniqueOrThrow({
        where: { deviceId_time: { deviceId: f.deviceId, time: f.time } },
      });
      // What `$n::real` etc. make of the same values: the unnest INSERT the writer used before.
      const [expected] = await db.$queryRaw<{ speed: number | null; heading: number | null; alt: number | null }[]>`
        SELECT ${f.speedKph}::real AS speed, ${f.headingDeg}::real AS heading, ${f.altitudeM}::real AS alt`;
      expect(row).toMatchObject({
        tenantId,
        vehicleId: f.vehicleId,
        latitude: f.latitude,
        longitude: f.longitude,
        speedKph: expected?.speed ?? null,
        headingDeg: expected?.heading ?? null,
        altitudeM: expected?.alt ?? null,
        attributes: f.attributes,
      });
      expect(row.time.getTime()).toBe(f.time.getTime());
    }
  });

  it("counts a fix repeated within one batch once and stores its first copy", async () => {
    committed.length = 0;
    const first = fix(at(10), { latitude: 30.3 });
    const again = fix(at(10), { latitude: 30.4 });
    expect(await writer.submit([first, again])).toEqual({ inserted: 1, duplicates: 1 });
    const row = await testOwnerPrisma().position.findUniqueOrThrow({
      where: { deviceId_time: { deviceId, time: at(10) } },
    });
    expect(row.latitude).toBe(30.3);
    expect(committed.filter((f) => f.time.getTime() === at(10).getTime())).toHaveLength(1);
  });

  it("gives requests sharing a transaction their own counts", async () => {
    await writer.submit([fix(at(20))]);
    const [a, b] = await Promise.all([
      writer.submit([fix(at(20)), fix(at(21))]), // one already stored
      writer.submit([fix(at(22)), fix(at(23)), fix(at(21))]), // at(21) also in the other request
    ]);
    expect(a).toEqual({ inserted: 1, duplicates: 1 });
    expect(b).toEqual({ inserted: 2, duplicates: 1 });
  });

  it("stores a late fix (older than the device's newest) once, through ON CONFLICT", async () => {
    await writer.submit([fix(at(40))]);
    expect(await writer.submit([fix(at(35)), fix(at(22)), fix(at(41))])).toEqual({ inserted: 2, duplicates: 1 });
    const latest = await testOwnerPrisma().latestPosition.findUniqueOrThrow({ where: { deviceId } });
    expect(latest.time.getTime()).toBe(at(41).getTime());
  });

  it("treats a fix another writer stored first as a duplicate (its cache was behind)", async () => {
    const other = new PositionWriter(getPgPool(testDatabaseUrl()));
    await other.submit([fix(at(50))]); // `other` now believes at(50) is the device's newest
    await writer.submit([fix(at(51)), fix(at(52))]);
    // at(51) looks fresh to `other`: its plain INSERT hits the primary key, and the batch is rewritten.
    expect(await other.submit([fix(at(51)), fix(at(53))])).toEqual({ inserted: 1, duplicates: 1 });
    const rows = await testOwnerPrisma().position.count({ where: { deviceId, time: { gte: at(50) } } });
    expect(rows).toBe(4);
  });
});
