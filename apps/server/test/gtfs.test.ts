/**
 * GTFS-realtime feeds end to end: a local HTTP server publishes a VehiclePositions FeedMessage (real
 * Capital Metro positions from ../shared/data/capmetro-austin when present, rebased to now; synthetic
 * Austin positions otherwise), the demo tenant registers the feed through the API, and the real
 * poller fetches it into tel_positions / tel_latest_positions through the shared ingest path —
 * the unregistered vehicle lands in tel_unknown_devices with the feed's tenant, and a device with the
 * same unique id registered in another tenant gets nothing.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { disconnectAll, getPgPool } from "@fleetcore/db";
import { testDatabaseUrl, testOwnerPrisma } from "@fleetcore/db/test-context";
import gtfsRealtimeBindings from "gtfs-realtime-bindings";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GtfsRealtimePoller } from "../src/gtfs";
import { httpLogin, startTestServer, trpcClient } from "./helpers";

const { transit_realtime: rt } = gtfsRealtimeBindings;
const CAPMETRO_CSV = join(import.meta.dirname, "../../../../shared/data/capmetro-austin/2016-11-25.csv");
const VEHICLES = 20;

interface Row {
  vehicleId: string;
  time: Date;
  speedMps: number;
  routeId: string;
  tripId: string;
  latitude: number;
  longitude: number;
}

/**
 * The first fix of each of the first 20 vehicles of the CapMetrics file (columns
 * vehicle_id,timestamp,speed,route_id,trip_id,latitude,longitude,trip_headsign; speed in m/s), or
 * synthetic rows when the shared data is absent. Times are shifted so the newest is a minute ago.
 */
function feedRows(): { rows: Row[]; source: string } {
  let rows: Row[] = [];
  let source = "synthetic";
  if (existsSync(CAPMETRO_CSV)) {
    const seen = new Set<string>();
    for (const line of readFileSync(CAPMETRO_CSV, "utf8").split("\n").slice(1)) {
      const [vehicleId, timestamp, speed, routeId, tripId, lat, lon] = line.split(",");
      if (!vehicleId || !timestamp || seen.has(vehicleId)) continue;
      const row = {
        vehicleId,
        time: new Date(timestamp),
        speedMps: Number(speed),
        routeId: routeId ?? "",
        tripId: tripId ?? "",
        latitude: Number(lat),
        longitude: Number(lon),
      };
      if (Number.isNaN(row.time.getTime()) || !Number.isFinite(row.latitude) || !Number.isFinite(row.longitude))
        continue;
      seen.add(vehicleId);
      rows.push(row);
      if (rows.length === VEHICLES) break;
    }
    source = "capmetro-austin/2016-11-25.csv";
  }
  if (rows.length < VEHICLES) {
    rows = Array.from({ length: VEHICLES }, (_, i) => ({
      vehicleId: String(8000 + i),
      time: new Date(Date.UTC(2016, 10, 25, 18, i)),
      speedMps: (i % 5) * 3,
      routeId: String(1 + (i % 3)),
      tripId: `trip-${i}`,
      latitude: 30.2672 + i / 1000,
      longitude: -97.7431 - i / 1000,
    }));
    source = "synthetic";
  }
  const newest = Math.max(...rows.map((r) => r.time.getTime()));
  const shift = Date.now() - 60_000 - newest;
  return { rows: rows.map((r) => ({ ...r, time: new Date(r.time.getTime() + shift) })), source };
}

let server: Awaited<ReturnType<typeof startTestServer>>;
let producer: ReturnType<typeof createServer>;
let producerUrl: string;
const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
const tag = Math.random().toString(36).slice(2, 8);
const prefix = `gtfs-${tag}-`;
const { rows, source } = feedRows();
const feedTimeS = Math.floor(Date.now() / 1000) - 30;
const body = rt.FeedMessage.encode({
  header: { gtfsRealtimeVersion: "2.0", incrementality: 0, timestamp: feedTimeS },
  entity: rows.map((r, i) => ({
    id: `entity-${i}`,
    vehicle: {
      trip: { tripId: r.tripId, routeId: r.routeId },
      vehicle: { id: r.vehicleId },
      position: { latitude: r.latitude, longitude: r.longitude, speed: r.speedMps },
      timestamp: Math.floor(r.time.getTime() / 1000),
    },
  })),
}).finish();

const client = (cookie: string) => trpcClient(server.url, cookie);
let lonestar: ReturnType<typeof client>;
let rhone: ReturnType<typeof client>;

/** Polls `check` until it returns a truthy value (or fails after `ms`). */
async function eventually<T>(check: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  producer = createServer((req, res) => {
    requests.push({ url: req.url ?? "", headers: req.headers });
    if (req.url === "/html") return void res.writeHead(200, { "content-type": "text/html" }).end("<html>down</html>");
    if (req.url === "/error") return void res.writeHead(500).end();
    if (req.headers["if-none-match"] === '"feed-1"') return void res.writeHead(304).end();
    res.writeHead(200, { "content-type": "application/x-protobuf", etag: '"feed-1"' }).end(body);
  });
  await new Promise<void>((resolve) => producer.listen(0, "127.0.0.1", resolve));
  producerUrl = `http://127.0.0.1:${(producer.address() as AddressInfo).port}`;

  server = await startTestServer();
  server.gtfs.start();
  lonestar = client((await httpLogin(server.url, "owner@lonestar.demo")).cookie);
  rhone = client((await httpLogin(server.url, "owner@rhone.demo")).cookie);
});
afterAll(async () => {
  await server?.app.close();
  await new Promise<void>((resolve) => producer.close(() => resolve()));
  await disconnectAll();
});

describe(`GTFS-realtime feed polling (${source})`, () => {
  it("stores the tenant's vehicles, records unknown ones for it, and never writes another tenant's device", async () => {
    const [unknownRow, otherTenantRow, ...mine] = rows as [Row, Row, ...Row[]];
    for (const r of mine)
      await lonestar.device.create.mutate({ uniqueId: `${prefix}${r.vehicleId}`, name: r.vehicleId });
    // Same unique id as one of the feed's vehicles, but registered in the other tenant.
    const foreign = await rhone.device.create.mutate({
      uniqueId: `${prefix}${otherTenantRow.vehicleId}`,
      name: "Lyon",
    });

    const feed = await lonestar.gtfsFeed.create.mutate({
      name: "CapMetro vehicle positions",
      url: `${producerUrl}/vehicle-positions.pb`,
      pollIntervalS: 5,
      deviceIdPrefix: prefix,
      headers: { "X-Api-Key": "k-123" },
    });

    // Real data holds implausible speeds (up to 81 m/s); ingest refuses those fixes, as for any source.
    const plausible = mine.filter((r) => r.speedMps * 3.6 <= 250);
    const polled = await eventually(async () => {
      const f = (await lonestar.gtfsFeed.list.query()).find((x) => x.id === feed.id);
      return f?.lastSuccessAt ? f : null;
    });
    expect(polled).toMatchObject({
      lastError: null,
      lastFeedTime: new Date(feedTimeS * 1000),
      lastAccepted: plausible.length,
      lastRejected: mine.length - plausible.length,
      lastUnknown: 2,
    });
    const first = requests.find((r) => r.url === "/vehicle-positions.pb");
    expect(first?.headers.accept).toMatch(/^application\/x-protobuf/);
    expect(first?.headers["x-api-key"]).toBe("k-123");

    const db = testOwnerPrisma();
    const lonestarTenant = await db.tenant.findFirstOrThrow({ where: { name: "Lone Star Transit" } });
    const devices = await db.device.findMany({
      where: { uniqueId: { in: plausible.map((r) => `${prefix}${r.vehicleId}`) } },
    });
    const positions = await db.position.findMany({ where: { deviceId: { in: devices.map((d) => d.id) } } });
    expect(positions).toHaveLength(plausible.length);
    for (const p of positions) {
      const device = devices.find((d) => d.id === p.deviceId);
      const row = plausible.find((r) => `${prefix}${r.vehicleId}` === device?.uniqueId);
      expect(p.tenantId).toBe(lonestarTenant.id);
      expect(p.time.getTime()).toBe(Math.floor((row?.time.getTime() ?? 0) / 1000) * 1000);
      expect(p.latitude).toBeCloseTo(row?.latitude ?? 0, 5);
      expect(p.speedKph).toBeCloseTo((row?.speedMps ?? 0) * 3.6, 3);
      expect(p.attributes).toMatchObject({ tripId: row?.tripId, routeId: row?.routeId });
    }
    expect(await db.latestPosition.count({ where: { deviceId: { in: devices.map((d) => d.id) } } })).toBe(
      plausible.length,
    );

    // The unregistered vehicle, and the one registered elsewhere, are unknown devices of the feed's tenant.
    const unknown = await db.unknownDevice.findMany({
      where: { uniqueId: { in: [`${prefix}${unknownRow.vehicleId}`, `${prefix}${otherTenantRow.vehicleId}`] } },
    });
    expect(unknown.map((u) => [u.uniqueId, u.protocol, u.tenantId]).sort()).toEqual(
      [
        [`${prefix}${otherTenantRow.vehicleId}`, "gtfs-rt", lonestarTenant.id],
        [`${prefix}${unknownRow.vehicleId}`, "gtfs-rt", lonestarTenant.id],
      ].sort(),
    );
    expect(await db.position.count({ where: { deviceId: foreign.id } })).toBe(0);
    expect(await db.latestPosition.count({ where: { deviceId: foreign.id } })).toBe(0);

    // The next poll is a conditional GET; 304 counts as success and changes nothing.
    const again = await eventually(async () => {
      const f = (await lonestar.gtfsFeed.list.query()).find((x) => x.id === feed.id);
      return f?.lastPolledAt && polled.lastPolledAt && f.lastPolledAt > polled.lastPolledAt ? f : null;
    });
    expect(requests.filter((r) => r.url === "/vehicle-positions.pb").at(-1)?.headers["if-none-match"]).toBe('"feed-1"');
    expect(again).toMatchObject({ lastError: null, lastAccepted: plausible.length, lastUnknown: 2 });

    // Deleting the feed stops its polling without a restart.
    await lonestar.gtfsFeed.delete.mutate({ id: feed.id });
    await eventually(async () => !server.gtfs.feedIds.includes(feed.id));
  });

  it("records a broken feed's error without affecting the server or other feeds", async () => {
    const html = await lonestar.gtfsFeed.create.mutate({ name: "Not protobuf", url: `${producerUrl}/html` });
    const failing = await lonestar.gtfsFeed.create.mutate({ name: "Failing", url: `${producerUrl}/error` });
    const errors = await eventually(async () => {
      const list = await lonestar.gtfsFeed.list.query();
      const a = list.find((f) => f.id === html.id)?.lastError;
      const b = list.find((f) => f.id === failing.id)?.lastError;
      return a && b ? [a, b] : null;
    });
    expect(errors[0]).toMatch(/not a GTFS-realtime FeedMessage/);
    expect(errors[1]).toBe("HTTP 500 Internal Server Error");
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await lonestar.gtfsFeed.delete.mutate({ id: html.id });
    await lonestar.gtfsFeed.delete.mutate({ id: failing.id });
  });

  it("polls from one process at a time: a second poller on the same database waits for the lock", async () => {
    const feed = await lonestar.gtfsFeed.create.mutate({ name: "Leader", url: `${producerUrl}/vehicle-positions.pb` });
    const second = new GtfsRealtimePoller({
      pool: getPgPool(testDatabaseUrl()),
      ingest: server.ingest,
      log: { info: () => {}, warn: () => {} },
      reloadIntervalMs: 200,
    });
    second.start();
    try {
      await eventually(async () => server.gtfs.feedIds.includes(feed.id));
      await second.reload();
      expect(second.feedIds).toEqual([]);
      // The first process stops (a deploy, a crash): the second takes over at its next reload.
      await server.gtfs.stop();
      await eventually(async () => second.feedIds.includes(feed.id));
    } finally {
      await second.stop();
      await lonestar.gtfsFeed.delete.mutate({ id: feed.id });
    }
  });
});
