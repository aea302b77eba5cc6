/**
 * GTFS-realtime VehiclePositions decoding and fetching. Messages are built with MobilityData's own
 * bindings (`FeedMessage.encode`), so the bytes are what a conforming producer sends
 * (https://gtfs.org/realtime/reference/).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import gtfsRealtimeBindings from "gtfs-realtime-bindings";
import protobuf from "protobufjs/minimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  configureGtfsFeedFetch,
  decodeGtfsRealtimeVehiclePositions,
  fetchGtfsRealtimeFeed,
  GtfsFeedFetchError,
} from "../src/ingest/gtfsRealtime";
import { DecodeError, MPS_TO_KPH } from "../src/ingest/types";

const { transit_realtime: rt } = gtfsRealtimeBindings;
type FeedEntityInput = Parameters<typeof rt.FeedEntity.create>[0];

const FEED_TIME_S = 1_700_000_100;

function feed(entity: FeedEntityInput[], header: Record<string, unknown> = {}): Uint8Array {
  return rt.FeedMessage.encode({
    header: { gtfsRealtimeVersion: "2.0", incrementality: 0, timestamp: FEED_TIME_S, ...header },
    entity: entity as never,
  }).finish();
}

describe("decodeGtfsRealtimeVehiclePositions", () => {
  it("maps a full VehiclePosition: id, units, time, trip and status attributes", () => {
    const bytes = feed([
      {
        id: "entity-8940",
        vehicle: {
          trip: { tripId: "1669591", routeId: "1", directionId: 0, startDate: "20161125", scheduleRelationship: 0 },
          vehicle: { id: "8940", label: "Bus 8940", licensePlate: "TX-123" },
          position: { latitude: 30.421946, longitude: -97.665924, bearing: 450, speed: 7.15264, odometer: 123456.5 },
          currentStopSequence: 12,
          stopId: "5870",
          currentStatus: rt.VehiclePosition.VehicleStopStatus.IN_TRANSIT_TO,
          timestamp: 1_700_000_000,
          occupancyStatus: rt.VehiclePosition.OccupancyStatus.MANY_SEATS_AVAILABLE,
          occupancyPercentage: 35,
        },
      },
    ]);
    const out = decodeGtfsRealtimeVehiclePositions(bytes, { deviceIdPrefix: "capmetro-" });
    expect(out).toMatchObject({
      version: "2.0",
      incrementality: "FULL_DATASET",
      feedTime: new Date(FEED_TIME_S * 1000),
      entityCount: 1,
      rejected: [],
      skipped: 0,
    });
    expect(out.positions).toHaveLength(1);
    const p = out.positions[0];
    expect(p).toMatchObject({
      uniqueId: "capmetro-8940",
      time: new Date(1_700_000_000 * 1000),
      // Float32 on the wire, read back as the producer's decimal.
      latitude: 30.421946,
      longitude: -97.665924,
      headingDeg: 90,
      altitudeM: null,
      accuracyM: null,
    });
    expect(p?.speedKph).toBeCloseTo(7.15264 * MPS_TO_KPH, 5);
    expect(p?.attributes).toEqual({
      tripId: "1669591",
      routeId: "1",
      directionId: 0,
      startDate: "20161125",
      scheduleRelationship: "SCHEDULED",
      currentStatus: "IN_TRANSIT_TO",
      stopId: "5870",
      currentStopSequence: 12,
      occupancyStatus: "MANY_SEATS_AVAILABLE",
      occupancyPercentage: 35,
      odometerM: 123456.5,
      vehicleLabel: "Bus 8940",
      licensePlate: "TX-123",
    });
  });

  it("falls back to the entity id and the header timestamp; absent speed and bearing stay unknown", () => {
    const out = decodeGtfsRealtimeVehiclePositions(
      feed([{ id: "v-17", vehicle: { position: { latitude: 45.75, longitude: 4.85 } } }]),
    );
    expect(out.positions[0]).toMatchObject({
      uniqueId: "v-17",
      time: new Date(FEED_TIME_S * 1000),
      speedKph: null,
      headingDeg: null,
      attributes: {},
    });
  });

  it("takes a uint64 timestamp beyond 2^32 (a Long on the wire) as POSIX seconds", () => {
    const t = 4_300_000_000; // year 2106
    const out = decodeGtfsRealtimeVehiclePositions(
      feed([{ id: "a", vehicle: { vehicle: { id: "a" }, position: { latitude: 1, longitude: 1 }, timestamp: t } }]),
    );
    expect(out.positions[0]?.time.getTime()).toBe(t * 1000);
  });

  it("skips entities without a vehicle position (trip updates, alerts, deletions, status only)", () => {
    const out = decodeGtfsRealtimeVehiclePositions(
      feed([
        { id: "tu", tripUpdate: { trip: { tripId: "t1" }, stopTimeUpdate: [] } },
        { id: "al", alert: { informedEntity: [{ routeId: "1" }] } },
        { id: "del", isDeleted: true, vehicle: { position: { latitude: 1, longitude: 1 } } },
        { id: "stop-only", vehicle: { vehicle: { id: "9" }, stopId: "S1" } },
        { id: "ok", vehicle: { vehicle: { id: "7" }, position: { latitude: 30.2, longitude: -97.7 } } },
      ]),
    );
    expect(out.entityCount).toBe(5);
    expect(out.skipped).toBe(4);
    expect(out.rejected).toEqual([]);
    expect(out.positions.map((p) => p.uniqueId)).toEqual(["7"]);
  });

  it("rejects bad entities with a reason and keeps the good ones", () => {
    const bytes = feed(
      [
        { id: "lat", vehicle: { vehicle: { id: "1" }, position: { latitude: 91, longitude: 0 } } },
        { id: "nan", vehicle: { vehicle: { id: "2" }, position: { latitude: Number.NaN, longitude: 0 } } },
        { id: "speed", vehicle: { vehicle: { id: "3" }, position: { latitude: 1, longitude: 1, speed: -2 } } },
        {
          id: "bearing",
          vehicle: { vehicle: { id: "4" }, position: { latitude: 1, longitude: 1, bearing: Infinity } },
        },
        { id: "", vehicle: { vehicle: { label: "no id" }, position: { latitude: 1, longitude: 1 } } },
        { id: "good", vehicle: { vehicle: { id: "5" }, position: { latitude: 1, longitude: 1 } } },
      ],
      {},
    );
    const out = decodeGtfsRealtimeVehiclePositions(bytes);
    expect(out.positions.map((p) => p.uniqueId)).toEqual(["5"]);
    expect(out.rejected.map((r) => r.entityId)).toEqual(["lat", "nan", "speed", "bearing", "#4"]);
    expect(out.rejected[0]?.reason).toMatch(/latitude 91/);
    expect(out.rejected[2]?.reason).toMatch(/speed -2/);
    expect(out.rejected[4]?.reason).toMatch(/no vehicle id/);
  });

  it("rejects a position with no timestamp anywhere", () => {
    const bytes = rt.FeedMessage.encode({
      header: { gtfsRealtimeVersion: "2.0" },
      entity: [{ id: "x", vehicle: { vehicle: { id: "x" }, position: { latitude: 1, longitude: 1 } } }],
    }).finish();
    const out = decodeGtfsRealtimeVehiclePositions(bytes);
    expect(out.feedTime).toBeNull();
    expect(out.rejected).toEqual([{ entityId: "x", reason: expect.stringMatching(/no timestamp/) }]);
  });

  it("rejects only the entity that lacks a required field, not the whole message", () => {
    // A Position without its required latitude, written field by field (gtfs-realtime.proto numbers:
    // FeedMessage.entity = 2, FeedEntity.id = 1 / vehicle = 4, VehiclePosition.position = 2, Position.longitude = 2).
    const W = protobuf.Writer;
    const position = W.create()
      .uint32((2 << 3) | 5)
      .float(1)
      .finish();
    const vehicle = W.create()
      .uint32((2 << 3) | 2)
      .bytes(position)
      .finish();
    const entity = W.create()
      .uint32((1 << 3) | 2)
      .string("broken")
      .uint32((4 << 3) | 2)
      .bytes(vehicle)
      .finish();
    const good = feed([{ id: "fine", vehicle: { vehicle: { id: "f" }, position: { latitude: 2, longitude: 2 } } }]);
    // Concatenated protobuf messages merge: the repeated entity field gains the broken entity.
    const bytes = Buffer.concat([
      good,
      W.create()
        .uint32((2 << 3) | 2)
        .bytes(entity)
        .finish(),
    ]);
    expect(() => rt.FeedMessage.decode(bytes)).toThrow(/latitude/);
    const out = decodeGtfsRealtimeVehiclePositions(bytes);
    expect(out.positions.map((p) => p.uniqueId)).toEqual(["f"]);
    expect(out.rejected).toEqual([
      { entityId: "broken", reason: expect.stringMatching(/undecodable entity.*latitude/) },
    ]);
  });

  it("refuses what is not a FeedMessage", () => {
    const truncated = feed([{ id: "a", vehicle: { position: { latitude: 1, longitude: 1 } } }]).slice(0, -3);
    for (const [bytes, message] of [
      [new TextEncoder().encode("<html>"), /not a GTFS-realtime FeedMessage/],
      [new Uint8Array(0), /no FeedHeader/],
      [truncated, /not a GTFS-realtime FeedMessage/],
    ] as const) {
      expect(() => decodeGtfsRealtimeVehiclePositions(bytes)).toThrow(DecodeError);
      expect(() => decodeGtfsRealtimeVehiclePositions(bytes)).toThrow(message);
    }
  });
});

describe("fetchGtfsRealtimeFeed", () => {
  let server: ReturnType<typeof createServer>;
  let base: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const body = feed([{ id: "a", vehicle: { vehicle: { id: "a" }, position: { latitude: 1, longitude: 1 } } }]);

  beforeAll(async () => {
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => configureGtfsFeedFetch({ allowPrivateNetworks: false }));

  it("refuses loopback and private addresses unless allowed (SSRF)", async () => {
    for (const url of [`${base}/feed`, "http://10.1.2.3/feed", "http://[::1]:9/feed", "http://169.254.169.254/"]) {
      await expect(fetchGtfsRealtimeFeed(url, { timeoutMs: 1000 })).rejects.toThrow(/private or local address/);
    }
  });

  it("sends Accept, the feed's headers and a conditional GET; 304 is not_modified", async () => {
    configureGtfsFeedFetch({ allowPrivateNetworks: true });
    const seen: IncomingMessage["headers"][] = [];
    handler = (req, res) => {
      seen.push(req.headers);
      if (req.headers["if-none-match"] === '"v1"') {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/x-protobuf", etag: '"v1"' }).end(body);
    };
    const first = await fetchGtfsRealtimeFeed(`${base}/feed`, { headers: { "X-Api-Key": "secret" } });
    expect(first).toMatchObject({ status: "ok", etag: '"v1"' });
    expect(first.status === "ok" && Buffer.from(first.bytes).equals(Buffer.from(body))).toBe(true);
    expect(seen[0]?.accept).toMatch(/^application\/x-protobuf/);
    expect(seen[0]?.["x-api-key"]).toBe("secret");
    expect(await fetchGtfsRealtimeFeed(`${base}/feed`, { etag: '"v1"' })).toEqual({ status: "not_modified" });
  });

  it("fails on HTTP errors (with Retry-After), oversize bodies, timeouts; follows redirects", async () => {
    configureGtfsFeedFetch({ allowPrivateNetworks: true });
    handler = (req, res) => {
      if (req.url === "/busy") res.writeHead(503, { "retry-after": "120" }).end();
      else if (req.url === "/big") res.writeHead(200).end(Buffer.alloc(4096));
      else if (req.url === "/slow") setTimeout(() => res.end(body), 1500);
      else if (req.url === "/moved") res.writeHead(302, { location: "/feed" }).end();
      else res.writeHead(200).end(body);
    };
    const busy = await fetchGtfsRealtimeFeed(`${base}/busy`).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(GtfsFeedFetchError);
    expect(busy).toMatchObject({ message: "HTTP 503 Service Unavailable", retryAfterS: 120 });
    await expect(fetchGtfsRealtimeFeed(`${base}/big`, { maxBytes: 1024 })).rejects.toThrow(/larger than/);
    await expect(fetchGtfsRealtimeFeed(`${base}/slow`, { timeoutMs: 200 })).rejects.toThrow(/within 0.2 s/);
    expect(await fetchGtfsRealtimeFeed(`${base}/moved`)).toMatchObject({ status: "ok" });
  });
});
