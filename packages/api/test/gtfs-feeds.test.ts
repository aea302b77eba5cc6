/**
 * gtfsFeed router: who may manage feeds, tenant isolation with crafted ids (tenant A's admin gets
 * NOT_FOUND for every procedure on tenant B's feed, and B's row is unchanged), write-only header
 * values, audit rows, validation, and the one-off `test` fetch against a local protobuf feed.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { configureGtfsFeedFetch } from "@fleetcore/core";
import { disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import type { CreateGtfsFeedRequest } from "@fleetcore/validators";
import gtfsRealtimeBindings from "gtfs-realtime-bindings";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRows, createWorld, signIn, type TestClient, trpcCode, type World } from "./fixtures";

const { transit_realtime: rt } = gtfsRealtimeBindings;

let world: World;
let adminA: TestClient;
let ownerB: TestClient;
let feedB: { id: string };
let server: ReturnType<typeof createServer>;
let feedUrl: string;

const nowS = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  world = await createWorld();
  adminA = await signIn(world.users.adminA.email);
  ownerB = await signIn(world.users.ownerB.email);
  feedB = await ownerB.api.gtfsFeed.create({ name: "Bravo buses", url: "https://feeds.example.com/b.pb" });

  // A producer with two vehicles: one registered in A (as prefix + id), one not.
  const body = rt.FeedMessage.encode({
    header: { gtfsRealtimeVersion: "2.0", timestamp: nowS() },
    entity: [
      { id: "e1", vehicle: { vehicle: { id: "101" }, position: { latitude: 30.27, longitude: -97.74 } } },
      { id: "e2", vehicle: { vehicle: { id: "102" }, position: { latitude: 30.28, longitude: -97.75 } } },
      { id: "e3", vehicle: { vehicle: { id: "103" }, position: { latitude: 95, longitude: -97.75 } } },
      { id: "e4", tripUpdate: { trip: { tripId: "t" }, stopTimeUpdate: [] } },
    ],
  }).finish();
  server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/x-protobuf" }).end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/vehicle-positions.pb`;
  await testOwnerPrisma().device.create({
    data: { tenantId: world.a.tenant.id, uniqueId: `gtfs-${world.tag}-101`, name: "Bus 101" },
  });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await disconnectAll();
});

describe("gtfsFeed: permissions and validation", () => {
  it("lets owners and admins manage feeds; dispatchers and viewers may not even list them", async () => {
    const dispatcher = await signIn(world.users.dispatcherA.email);
    const viewer = await signIn(world.users.viewerA.email);
    expect(await trpcCode(dispatcher.api.gtfsFeed.list())).toBe("FORBIDDEN");
    expect(await trpcCode(viewer.api.gtfsFeed.create({ name: "x", url: "https://x.example/f" }))).toBe("FORBIDDEN");
    expect(await trpcCode(adminA.api.gtfsFeed.list())).toBe("OK");
  });

  it("refuses bad intervals, URLs, prefixes and reserved or malformed headers", async () => {
    const base = { name: "Bad", url: "https://feeds.example.com/a.pb" };
    const inputs: CreateGtfsFeedRequest[] = [
      { ...base, pollIntervalS: 4 },
      { ...base, pollIntervalS: 3601 },
      { ...base, url: "ftp://feeds.example.com/a.pb" },
      { ...base, deviceIdPrefix: "bus /" },
      { ...base, headers: { Host: "evil.example" } },
      { ...base, headers: { "X-Key": "a\r\nInjected: yes" } },
      { ...base, headers: { "bad name": "v" } },
    ];
    for (const input of inputs) {
      expect(await trpcCode(adminA.api.gtfsFeed.create(input)), JSON.stringify(input)).toBe("BAD_REQUEST");
    }
  });
});

describe("gtfsFeed: create, update, delete (audited, header values write-only)", () => {
  it("stores a feed, shows header names only, and keeps secrets out of the audit log", async () => {
    const feed = await adminA.api.gtfsFeed.create({
      name: "Austin buses",
      url: "https://feeds.example.com/vp.pb?api_key=s3cret",
      pollIntervalS: 15,
      deviceIdPrefix: "capmetro-",
      headers: { "X-Api-Key": "hunter2" },
    });
    expect(feed).toMatchObject({
      name: "Austin buses",
      pollIntervalS: 15,
      deviceIdPrefix: "capmetro-",
      headerNames: ["X-Api-Key"],
      enabled: true,
      lastPolledAt: null,
      lastError: null,
    });
    expect(JSON.stringify(feed)).not.toContain("hunter2");
    const stored = await testOwnerPrisma().gtfsRealtimeFeed.findUniqueOrThrow({ where: { id: feed.id } });
    expect(stored.headers).toEqual({ "X-Api-Key": "hunter2" });
    expect(stored.tenantId).toBe(world.a.tenant.id);

    const updated = await adminA.api.gtfsFeed.update({ id: feed.id, pollIntervalS: 60, enabled: false });
    expect(updated).toMatchObject({ pollIntervalS: 60, enabled: false, headerNames: ["X-Api-Key"] });
    const cleared = await adminA.api.gtfsFeed.update({ id: feed.id, headers: {} });
    expect(cleared.headerNames).toEqual([]);

    await adminA.api.gtfsFeed.delete({ id: feed.id });
    expect((await adminA.api.gtfsFeed.list()).map((f) => f.id)).not.toContain(feed.id);
    expect(await trpcCode(adminA.api.gtfsFeed.update({ id: feed.id, name: "again" }))).toBe("NOT_FOUND");

    const audit = await auditRows({ entityId: feed.id });
    expect(audit.map((r) => r.action)).toEqual([
      "gtfs_feed.created",
      "gtfs_feed.updated",
      "gtfs_feed.updated",
      "gtfs_feed.deleted",
    ]);
    const logged = JSON.stringify(audit);
    expect(logged).not.toContain("hunter2");
    expect(logged).not.toContain("s3cret");
  });
});

describe("gtfsFeed: tenant isolation with crafted ids", () => {
  it("tenant A cannot read, update, delete or test tenant B's feed", async () => {
    expect((await adminA.api.gtfsFeed.list()).map((f) => f.id)).not.toContain(feedB.id);
    expect(await trpcCode(adminA.api.gtfsFeed.update({ id: feedB.id, url: "https://attacker.example/x" }))).toBe(
      "NOT_FOUND",
    );
    expect(await trpcCode(adminA.api.gtfsFeed.update({ id: feedB.id, enabled: false }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.gtfsFeed.delete({ id: feedB.id }))).toBe("NOT_FOUND");
    expect(await trpcCode(adminA.api.gtfsFeed.test({ id: feedB.id }))).toBe("NOT_FOUND");

    const row = await testOwnerPrisma().gtfsRealtimeFeed.findUniqueOrThrow({ where: { id: feedB.id } });
    expect(row).toMatchObject({ url: "https://feeds.example.com/b.pb", enabled: true, deletedAt: null });
    expect((await ownerB.api.gtfsFeed.list()).map((f) => f.id)).toEqual([feedB.id]);
  });

  it("row-level security hides B's feed from A's scope even without the tenant filter", async () => {
    const seen = await withScope(testPrisma(), { kind: "tenant", tenantId: world.a.tenant.id }, (db) =>
      db.gtfsRealtimeFeed.findMany({ where: { id: feedB.id } }),
    );
    expect(seen).toEqual([]);
    const own = await withScope(testPrisma(), { kind: "tenant", tenantId: world.b.tenant.id }, (db) =>
      db.gtfsRealtimeFeed.findMany({ where: { id: feedB.id } }),
    );
    expect(own).toHaveLength(1);
  });
});

describe("gtfsFeed.test", () => {
  it("refuses loopback and private addresses by default (SSRF)", async () => {
    const result = await adminA.api.gtfsFeed.test({ url: feedUrl });
    expect(result.error).toMatch(/private or local address/);
    expect(result.entities).toBe(0);
  });

  it("fetches once and reports counts, sample ids and matches, storing nothing", async () => {
    configureGtfsFeedFetch({ allowPrivateNetworks: true });
    try {
      const prefix = `gtfs-${world.tag}-`;
      const result = await adminA.api.gtfsFeed.test({ url: feedUrl, deviceIdPrefix: prefix });
      expect(result).toMatchObject({
        error: null,
        entities: 4,
        vehiclePositions: 2,
        rejected: 1,
        matchedDevices: 1,
        sampleDeviceIds: [`${prefix}101`, `${prefix}102`],
      });
      expect(result.sampleRejections[0]).toMatchObject({ id: "e3", reason: expect.stringMatching(/latitude/) });

      const saved = await adminA.api.gtfsFeed.create({ name: "Local", url: feedUrl, deviceIdPrefix: prefix });
      expect(await adminA.api.gtfsFeed.test({ id: saved.id })).toMatchObject({ error: null, matchedDevices: 1 });
      const device = await testOwnerPrisma().device.findUniqueOrThrow({ where: { uniqueId: `${prefix}101` } });
      expect(await testOwnerPrisma().position.count({ where: { deviceId: device.id } })).toBe(0);
    } finally {
      configureGtfsFeedFetch({ allowPrivateNetworks: false });
    }
  });
});
