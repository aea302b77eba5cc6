/**
 * Real data through the real ingest path: a day of Capital Metro bus positions (CapMetrics CSV,
 * ../shared/data/capmetro-austin/ beside the checkout; skipped when absent) replayed at max speed by
 * the replay tool's own functions into the test server's OsmAnd listener, then checked against what a
 * `/live` client's snapshot holds, and for the geofence crossings derived on the way. Also the device registration behind `pnpm replay --tenant`.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "@fleetcore/core";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import {
  LIVE_NAMESPACE,
  type LiveClientToServerEvents,
  type LivePosition,
  type LiveServerToClientEvents,
} from "@fleetcore/realtime";
import {
  type DeviceRegistration,
  formatSummary,
  type PlannedFix,
  parseReplayCsv,
  planReplay,
  readReplayCsvFile,
  registerReplayDevices,
  replayDevices,
  runReplay,
  type SendResult,
  UnknownTenantError,
} from "@fleetcore/replay";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../../prisma/seed/demo";
import { httpLogin, startTestServer } from "./helpers";

const REPO_ROOT = join(import.meta.dirname, "../../..");
// The smallest of the three days (24,490 rows, Thanksgiving service).
const DAY_FILE = join(REPO_ROOT, "../shared/data/capmetro-austin/2016-11-24.csv");
const PASSWORD = "austin replay password";
/** What the server's ingest refuses as implausible (packages/core/src/ingest/validate.ts DEFAULT_LIMITS). */
const MAX_SPEED_KPH = 250;
const KPH_PER_KNOT = 1.852;

const tag = () => Math.random().toString(36).slice(2, 8);

async function createTenant(name: string) {
  const t = tag();
  return testOwnerPrisma().tenant.create({
    data: {
      name: `${name} ${t}`,
      slug: `${name.toLowerCase().replace(/[^a-z]+/g, "-")}-${t}`,
      countryCode: "US",
      defaultCurrency: "USD",
      timezone: "America/Chicago",
      status: "active",
    },
  });
}

// The demo data first: the seed (which every server test file's startTestServer runs) only fills an
// empty database, so a tenant created here before it would leave the demo logins of other files missing.
beforeAll(() => seedDemo(testOwnerPrisma()));
afterAll(() => disconnectAll());

describe("registerReplayDevices (pnpm replay --tenant)", () => {
  it("registers missing devices in vehicles of their own, idempotently, and refuses other tenants' devices", async () => {
    const db = testOwnerPrisma();
    const mine = await createTenant("Replay mine");
    const other = await createTenant("Replay other");
    const prefix = `reg-${tag()}-`;
    await db.device.create({ data: { tenantId: other.id, uniqueId: `${prefix}3`, name: "theirs" } });
    const devices = replayDevices(["1", "2", "3", "1"], prefix);
    expect(devices.map((d) => [d.uniqueId, d.vehicleName])).toEqual([
      [`${prefix}1`, `${prefix}1`],
      [`${prefix}2`, `${prefix}2`],
      [`${prefix}3`, `${prefix}3`],
    ]);
    expect(replayDevices(["2619"], "capmetro-")[0]?.vehicleName).toBe("CapMetro 2619");

    const dry = await registerReplayDevices(db, mine.slug, devices, { dryRun: true });
    expect(dry.created.map((d) => d.uniqueId)).toEqual([`${prefix}1`, `${prefix}2`]);
    expect(await db.device.count({ where: { tenantId: mine.id } })).toBe(0);

    const first = await registerReplayDevices(db, mine.slug, devices);
    expect(first.created).toHaveLength(2);
    expect(first).toMatchObject({ vehiclesCreated: 2, vehiclesReused: 0, existing: [], unusable: [] });
    expect(first.foreign).toEqual([{ uniqueId: `${prefix}3`, tenantSlug: other.slug }]);
    const rows = await db.device.findMany({
      where: { tenantId: mine.id },
      select: { uniqueId: true, protocol: true, vehicle: { select: { name: true, tenantId: true } } },
      orderBy: { uniqueId: "asc" },
    });
    expect(rows).toEqual([
      { uniqueId: `${prefix}1`, protocol: "osmand", vehicle: { name: `${prefix}1`, tenantId: mine.id } },
      { uniqueId: `${prefix}2`, protocol: "osmand", vehicle: { name: `${prefix}2`, tenantId: mine.id } },
    ]);
    // Never moved: the other tenant's device stays there, unbound.
    expect(await db.device.findUnique({ where: { uniqueId: `${prefix}3` } })).toMatchObject({
      tenantId: other.id,
      vehicleId: null,
    });

    const again = await registerReplayDevices(db, mine.slug, devices);
    expect(again).toMatchObject({ created: [], vehiclesCreated: 0, vehiclesReused: 0 });
    expect(again.existing.map((d) => d.uniqueId)).toEqual([`${prefix}1`, `${prefix}2`]);

    // A device removed by hand comes back in the vehicle of the same name.
    const vehicleOf1 = first.created.find((d) => d.uniqueId === `${prefix}1`)?.vehicleId;
    await db.device.delete({ where: { uniqueId: `${prefix}1` } });
    const restored = await registerReplayDevices(db, mine.slug, devices);
    expect(restored).toMatchObject({ vehiclesCreated: 0, vehiclesReused: 1 });
    expect(restored.created).toEqual([{ uniqueId: `${prefix}1`, deviceId: expect.any(String), vehicleId: vehicleOf1 }]);
    expect(await db.vehicle.count({ where: { tenantId: mine.id } })).toBe(2);

    await expect(registerReplayDevices(db, `no-such-${tag()}`, devices)).rejects.toBeInstanceOf(UnknownTenantError);
  });
});

type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/** Quirks appended to the real file, modelled on what other days of the archive hold (see the data README). */
function quirks(parsedFixes: { vehicleId: string; timeMs: number; latitude: number; longitude: number }[]) {
  const lastOf = new Map<string, (typeof parsedFixes)[number]>();
  for (const f of parsedFixes) lastOf.set(f.vehicleId, f);
  const byEnd = [...lastOf.values()].sort((a, b) => b.timeMs - a.timeMs);
  const [a, b, c] = byEnd;
  if (!a || !b || !c) throw new Error("the day file has fewer than three vehicles");
  const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
  const row = (v: string, ms: number, speed: string, lat: number | string, lon: number | string) =>
    `${v},${iso(ms)},${speed},1,1,${lat},${lon},quirk`;
  return {
    /** Vehicle whose newest row is an implausible speed (81 m/s, as on 2016-11-26): its snapshot must be the row before. */
    tooFast: a.vehicleId,
    lines: [
      row(a.vehicleId, a.timeMs + 30_000, "80.91424", a.latitude + 0.01, a.longitude),
      // A repeated (vehicle_id, timestamp): idempotent, the first fix stays.
      row(b.vehicleId, b.timeMs, "0.0", b.latitude, b.longitude),
      row(c.vehicleId, c.timeMs, "0.0", c.latitude + 0.001, c.longitude + 0.001),
      // Unparseable rows: counted, reported with their line numbers, never sent.
      row(a.vehicleId, a.timeMs, "1.0", "", a.longitude),
      `${a.vehicleId},2016-11-24 25:61,1.0,1,1,30.2,-97.7,quirk`,
      row(b.vehicleId, b.timeMs, "-3", b.latitude, b.longitude),
    ],
    badRows: 3,
    duplicates: 2,
  };
}

describe.skipIf(!existsSync(DAY_FILE))("replaying a real day of Capital Metro positions (2016-11-24)", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let osmandUrl: string;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer();
    await server.osmand.listen({ port: 0, host: "127.0.0.1" });
    osmandUrl = `http://127.0.0.1:${(server.osmand.server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), "fleetcore-austin-"));
  });
  afterAll(async () => {
    await server?.app.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("ends with the map's snapshot holding each vehicle's last accepted fix; bad rows and rejections counted", async () => {
    const db = testOwnerPrisma();
    // The real file plus a few labelled quirks (the 24th itself is clean: no bad rows, implausible speeds or repeats).
    const original = await readFile(DAY_FILE, "utf8");
    const extra = quirks((await parseReplayCsv(original)).fixes);
    const csvPath = join(dir, "2016-11-24-with-quirks.csv");
    await writeFile(csvPath, `${original.trimEnd()}\n${extra.lines.join("\n")}\n`);
    const firstQuirkLine = original.trimEnd().split("\n").length + 1;

    const parsed = await readReplayCsvFile(csvPath);
    expect(parsed.rowCount).toBe(firstQuirkLine - 2 + extra.lines.length);
    expect(parsed.badRowCount).toBe(extra.badRows);
    expect(parsed.badRows.map((b) => b.line)).toEqual([3, 4, 5].map((i) => firstQuirkLine + i));

    // The same code path as `pnpm replay --tenant <slug>`.
    const tenant = await createTenant("Austin replay");
    const prefix = "capmetro-";
    const registration: DeviceRegistration = await registerReplayDevices(
      db,
      tenant.slug,
      replayDevices(
        parsed.fixes.map((f) => f.vehicleId),
        prefix,
      ),
    );
    const vehicleCount = new Set(parsed.fixes.map((f) => f.vehicleId)).size;
    expect(registration.created).toHaveLength(vehicleCount);
    expect(registration.foreign).toEqual([]);

    // A 300 m geofence on the busiest spot: the 0.002° cell the most distinct buses pass through.
    const cells = new Map<string, { vehicles: Set<string>; latitude: number; longitude: number }>();
    for (const f of parsed.fixes) {
      const key = `${Math.round(f.latitude / 0.002)}:${Math.round(f.longitude / 0.002)}`;
      const cell = cells.get(key) ?? { vehicles: new Set<string>(), latitude: f.latitude, longitude: f.longitude };
      cell.vehicles.add(f.vehicleId);
      cells.set(key, cell);
    }
    const hub = [...cells.values()].sort((a, b) => b.vehicles.size - a.vehicles.size)[0];
    if (!hub) throw new Error("no fixes");
    const RADIUS_M = 300;
    const geofence = await db.geofence.create({
      data: {
        tenantId: tenant.id,
        name: "Busiest stop",
        kind: "circle",
        shape: { latitude: hub.latitude, longitude: hub.longitude, radiusM: RADIUS_M },
      },
    });
    await server.derivedEvents.reloadGeofences(tenant.id);

    const plan = planReplay(parsed.fixes, { now0Ms: Date.now(), speed: "max", prefix, time: "end" });
    const results: { planned: PlannedFix; result: SendResult }[] = [];
    const started = performance.now();
    const stats = await runReplay(plan, {
      url: osmandUrl,
      concurrency: 16,
      onResult: (planned, result) => results.push({ planned, result }),
    });
    const replayS = (performance.now() - started) / 1000;
    console.info(
      `austin replay: ${stats.planned} fixes in ${replayS.toFixed(1)} s (${(stats.planned / replayS).toFixed(0)}/s)`,
    );

    // (c) Every planned fix was answered; only what the server's rules refuse was rejected.
    expect(stats.failed).toBe(0);
    expect(stats.accepted + stats.rejected + stats.failed).toBe(stats.planned);
    expect(stats.planned).toBe(parsed.fixes.length);
    const implausible = (p: PlannedFix) => (p.query.speed ?? 0) * KPH_PER_KNOT > MAX_SPEED_KPH;
    const rejectedFixes = results.filter((r) => r.result.outcome === "rejected").map((r) => r.planned);
    expect(rejectedFixes.length).toBeGreaterThan(0);
    const lines = (fixes: PlannedFix[]) => fixes.map((p) => p.fix.line).sort((x, y) => x - y);
    expect(lines(rejectedFixes)).toEqual(lines(plan.filter(implausible)));
    expect(rejectedFixes.map((p) => p.fix.vehicleId)).toContain(extra.tooFast);
    expect([...stats.rejectReasons.values()].map((r) => r.example)).toEqual([
      expect.stringMatching(/^speed [\d.]+ km\/h is implausible \(0\.\.250\)$/),
    ]);
    const summary = formatSummary(parsed, stats, false);
    expect(summary).toMatch(
      new RegExp(`unparseable:\\s+${extra.badRows} \\(skipped\\)\\n\\s+line ${firstQuirkLine + 3}: bad latitude`),
    );
    expect(summary).toMatch(new RegExp(`rejected:\\s+${stats.rejected}\\n\\s+${stats.rejected} × speed`));
    expect(summary).toMatch(/failed:\s+0\n/);
    // Repeated (vehicle, time) pairs were answered 200 but stored once.
    expect(await db.position.count({ where: { tenantId: tenant.id } })).toBe(stats.accepted - extra.duplicates);

    // The expectation: per vehicle, the newest accepted fix; of equal times the first sent (a repeat is a no-op).
    const expected = new Map<string, PlannedFix>();
    for (const { planned, result } of results) {
      if (result.outcome !== "accepted") continue;
      const cur = expected.get(planned.query.id);
      if (!cur || planned.query.timestamp > cur.query.timestamp) expected.set(planned.query.id, planned);
    }

    // A /live client of the tenant: an owner who signs in over HTTP.
    const email = `austin.${tag()}@example.com`;
    const user = await db.user.create({
      data: { email, fullName: "Austin Owner", passwordHash: await hashPassword(PASSWORD) },
    });
    const ownerRole = await db.role.findFirstOrThrow({ where: { tenantId: null, name: "owner" } });
    const member = await db.member.create({
      data: { tenantId: tenant.id, userId: user.id, status: "active", joinedAt: new Date() },
    });
    await db.memberRole.create({ data: { memberId: member.id, roleId: ownerRole.id, tenantId: tenant.id } });
    const { cookie } = await httpLogin(server.url, email, PASSWORD);
    const socket: LiveSocket = io(`${server.url}${LIVE_NAMESPACE}`, {
      path: "/socket.io",
      transports: ["websocket"],
      forceNew: true,
      extraHeaders: { cookie },
    });
    let snapshot: LivePosition[];
    try {
      snapshot = await new Promise<LivePosition[]>((resolve, reject) => {
        socket.once("snapshot", resolve);
        socket.once("connect_error", reject);
      });
    } finally {
      socket.disconnect();
    }

    // (a) One position per vehicle that had an accepted fix.
    const uniqueIdOfDevice = new Map(registration.created.map((d) => [d.deviceId, d.uniqueId]));
    const vehicleOfDevice = new Map(registration.created.map((d) => [d.deviceId, d.vehicleId]));
    expect(snapshot).toHaveLength(expected.size);
    expect(new Set(snapshot.map((p) => p.vehicleId)).size).toBe(expected.size);
    // (b) Each is that vehicle's last valid fix of the file, at its rebased time.
    for (const p of snapshot) {
      const uniqueId = uniqueIdOfDevice.get(p.deviceId);
      const want = uniqueId ? expected.get(uniqueId) : undefined;
      if (!want) throw new Error(`snapshot position of an unexpected device ${p.deviceId}`);
      expect(p.vehicleId).toBe(vehicleOfDevice.get(p.deviceId));
      expect(Math.abs(p.latitude - want.fix.latitude), uniqueId).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(p.longitude - want.fix.longitude), uniqueId).toBeLessThanOrEqual(1e-6);
      expect(Date.parse(p.time), uniqueId).toBe(want.query.timestamp * 1000);
    }
    // The vehicle whose newest row was refused shows the row before it, 30 s older.
    const [previous, last] = plan.filter((p) => p.fix.vehicleId === extra.tooFast).slice(-2);
    const shown = snapshot.find((p) => uniqueIdOfDevice.get(p.deviceId) === `${prefix}${extra.tooFast}`);
    if (!previous || !last || !shown) throw new Error(`no track or snapshot of vehicle ${extra.tooFast}`);
    expect(implausible(last)).toBe(true);
    expect(Date.parse(shown.time)).toBe(previous.query.timestamp * 1000);
    expect(previous.query.timestamp).toBe(last.query.timestamp - 30);

    // (d) The geofence crossings were detected on ingest. Checked independently: an entry lies
    // inside the circle (haversine, here), an exit outside; per vehicle they alternate, entry first;
    // and only buses whose own track crosses the circle have any.
    await server.derivedEvents.flush();
    const crossings = await db.vehicleEvent.findMany({
      where: { tenantId: tenant.id, geofenceId: geofence.id },
      orderBy: { time: "asc" },
    });
    const enters = crossings.filter((e) => e.type === "geofence_enter");
    expect(enters.length).toBeGreaterThan(10);
    const metres = (lat: number, lon: number) => {
      const rad = Math.PI / 180;
      const a =
        Math.sin(((lat - hub.latitude) * rad) / 2) ** 2 +
        Math.cos(lat * rad) * Math.cos(hub.latitude * rad) * Math.sin(((lon - hub.longitude) * rad) / 2) ** 2;
      return 2 * 6_371_008.8 * Math.asin(Math.sqrt(a));
    };
    const crossesCircle = new Set<string>();
    const sides = new Map<string, Set<boolean>>();
    for (const f of parsed.fixes) {
      const set = sides.get(f.vehicleId) ?? new Set<boolean>();
      set.add(metres(f.latitude, f.longitude) <= RADIUS_M);
      sides.set(f.vehicleId, set);
    }
    for (const [vehicleId, set] of sides)
      if (set.size === 2) crossesCircle.add(vehicleOfUniqueId(`${prefix}${vehicleId}`));
    const byVehicle = new Map<string, string[]>();
    for (const e of crossings) {
      const inside = metres(e.latitude ?? 0, e.longitude ?? 0) <= RADIUS_M;
      expect(inside, `${e.type} at ${e.latitude}, ${e.longitude}`).toBe(e.type === "geofence_enter");
      expect(crossesCircle.has(e.vehicleId ?? "")).toBe(true);
      byVehicle.set(e.vehicleId ?? "", [...(byVehicle.get(e.vehicleId ?? "") ?? []), e.type]);
    }
    for (const types of byVehicle.values()) {
      expect(types).toEqual(types.map((_, i) => (i % 2 === 0 ? "geofence_enter" : "geofence_exit")));
    }
    console.info(
      `austin replay: ${enters.length} entries into a ${RADIUS_M} m geofence by ${byVehicle.size} of the ${crossesCircle.size} buses whose track crosses it`,
    );

    function vehicleOfUniqueId(uniqueId: string): string {
      const d = registration.created.find((r) => r.uniqueId === uniqueId);
      return d?.vehicleId ?? "";
    }
  }, 150_000);
});
