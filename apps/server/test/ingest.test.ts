import type { AddressInfo } from "node:net";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { LIVE_NAMESPACE, type LivePosition, type LiveServerToClientEvents } from "@fleetcore/realtime";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FleetSimulator } from "../src/simulator";
import { httpLogin, startTestServer, trpcClient } from "./helpers";

let server: Awaited<ReturnType<typeof startTestServer>>;
let osmandUrl: string;
let owner: ReturnType<typeof client>;
let ownerCookie: string;
const tag = Math.random().toString(36).slice(2, 8);
const deviceId = `osmand-${tag}`;

const client = (cookie: string) => trpcClient(server.url, cookie);

beforeAll(async () => {
  server = await startTestServer();
  await server.osmand.listen({ port: 0, host: "127.0.0.1" });
  osmandUrl = `http://127.0.0.1:${(server.osmand.server.address() as AddressInfo).port}`;
  ownerCookie = (await httpLogin(server.url, "owner@lonestar.demo")).cookie;
  owner = client(ownerCookie);
  const vehicles = await owner.vehicle.list.query({});
  await owner.device.create.mutate({ uniqueId: deviceId, name: "Phone", vehicleId: vehicles[0]?.id });
});
afterAll(async () => {
  await server.app.close();
  await disconnectAll();
});

/** Stored positions of a device (read as the owner, past RLS). */
async function positionsOf(uniqueId: string) {
  const db = testOwnerPrisma();
  const device = await db.device.findUniqueOrThrow({ where: { uniqueId } });
  return db.position.findMany({ where: { deviceId: device.id }, orderBy: { time: "asc" } });
}
const nowS = () => Math.floor(Date.now() / 1000);

describe("OsmAnd protocol (Traccar Client)", () => {
  it("stores a GET with query parameters on the main port: speed in knots becomes km/h, extras kept", async () => {
    const t = nowS() - 60;
    const res = await fetch(
      `${server.url}/ingest/osmand?id=${deviceId}&lat=30.2672&lon=-97.7431&timestamp=${t}&speed=10&bearing=90&altitude=150&accuracy=5&batt=87&ignition=true`,
    );
    expect(res.status).toBe(200);
    const rows = await positionsOf(deviceId);
    const stored = rows.find((r) => r.time.getTime() === t * 1000);
    expect(stored).toMatchObject({
      latitude: 30.2672,
      longitude: -97.7431,
      headingDeg: 90,
      altitudeM: 150,
      accuracyM: 5,
    });
    expect(stored?.speedKph).toBeCloseTo(18.52, 2);
    expect(stored?.attributes).toMatchObject({ ignition: true });
  });

  it("serves the same protocol on its own port (5055 by default), GET and POST, and JSON bodies", async () => {
    const t = nowS() - 50;
    expect((await fetch(`${osmandUrl}/?id=${deviceId}&location=30.2680,-97.7431&timestamp=${t}`)).status).toBe(200);
    expect(
      (await fetch(`${osmandUrl}/?id=${deviceId}&lat=30.2690&lon=-97.7431&timestamp=${t + 1}`, { method: "POST" }))
        .status,
    ).toBe(200);
    const json = await fetch(`${osmandUrl}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        device_id: deviceId,
        location: {
          timestamp: new Date((t + 2) * 1000).toISOString(),
          coords: { latitude: 30.27, longitude: -97.7431, speed: 5, heading: 180, accuracy: 8, altitude: 140 },
          is_moving: true,
          odometer: 1234,
          battery: { level: 0.5, is_charging: false },
        },
      }),
    });
    expect(json.status).toBe(200);
    const rows = await positionsOf(deviceId);
    expect(rows.find((r) => r.time.getTime() === (t + 2) * 1000)?.speedKph).toBeCloseTo(18, 1);
  });

  it("answers 400 with a reason for bad input and unknown devices, and stores nothing for them", async () => {
    const before = (await positionsOf(deviceId)).length;
    const bad = await fetch(`${server.url}/ingest/osmand?id=${deviceId}&lat=123&lon=0&timestamp=${nowS()}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/lat/);
    const missing = await fetch(`${server.url}/ingest/osmand?lat=1&lon=1`);
    expect(missing.status).toBe(400);
    const unknown = await fetch(`${server.url}/ingest/osmand?id=stranger-${tag}&lat=30&lon=-97&timestamp=${nowS()}`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/unknown device/);
    expect((await positionsOf(deviceId)).length).toBe(before);
  });
});

describe("Traccar forwarding and the batch API", () => {
  it("stores a Traccar JSON position forward (speed in knots)", async () => {
    const fixTime = new Date(Date.now() - 40_000).toISOString();
    const res = await fetch(`${server.url}/ingest/traccar`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        position: {
          id: 1,
          deviceId: 7,
          protocol: "teltonika",
          fixTime,
          deviceTime: fixTime,
          valid: true,
          latitude: 30.28,
          longitude: -97.74,
          altitude: 10,
          speed: 20,
          course: 45,
          attributes: { ignition: true },
        },
        device: { id: 7, name: "Truck", uniqueId: deviceId, status: "online" },
      }),
    });
    expect(res.status).toBe(200);
    const stored = (await positionsOf(deviceId)).find((r) => r.time.toISOString() === fixTime);
    expect(stored?.speedKph).toBeCloseTo(37.04, 2);
  });

  it("stores a Traccar event forward as a vehicle event (source traccar), and refuses an unknown device's", async () => {
    const eventTime = new Date(Date.now() - 20_000).toISOString();
    const body = (uniqueId: string) =>
      JSON.stringify({
        event: {
          id: 9,
          type: "alarm",
          eventTime,
          deviceId: 7,
          positionId: 0,
          geofenceId: 0,
          attributes: { alarm: "sos" },
        },
        position: null,
        device: { id: 7, name: "Truck", uniqueId, status: "online" },
      });
    const post = (uniqueId: string) =>
      fetch(`${server.url}/ingest/traccar`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: body(uniqueId),
      });
    const res = await post(deviceId);
    expect(res.status).toBe(200);
    const { event } = (await res.json()) as { event: string };
    const stored = await testOwnerPrisma().vehicleEvent.findFirstOrThrow({ where: { id: event } });
    expect(stored).toMatchObject({
      source: "traccar",
      type: "alarm",
      severity: "critical",
      title: "Traccar alarm: sos",
    });
    expect(stored.time.toISOString()).toBe(eventTime);
    const unknown = await post(`nobody-${deviceId}`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/unknown device/);
  });

  it("takes a JSON array or NDJSON with a tenant key: good rows kept, bad rows reported by index", async () => {
    const { key } = await owner.ingestKey.create.mutate({ name: "integration" });
    const t = Date.now() - 30_000;
    const post = (body: string, type = "application/json", auth = `Bearer ${key}`) =>
      fetch(`${server.url}/ingest/positions`, {
        method: "POST",
        headers: { "content-type": type, authorization: auth },
        body,
      });
    const res = await post(
      JSON.stringify([
        { deviceId, time: new Date(t).toISOString(), latitude: 30.29, longitude: -97.74, speedKph: 40 },
        { deviceId, time: t + 1000, latitude: "north", longitude: -97.74 },
        { deviceId: "LST-9999-not-mine", time: t + 2000, latitude: 30.3, longitude: -97.74 },
        { deviceId, time: t + 3000, latitude: 30.31, longitude: -97.74 },
      ]),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2]);
    expect(body.rejected[0]?.reason).toMatch(/latitude/);
    expect(body.rejected[1]?.reason).toMatch(/unknown device/);

    const nd = await post(
      `{"deviceId":"${deviceId}","time":${t + 4000},"latitude":30.32,"longitude":-97.74}\nnot json\n`,
      "application/x-ndjson",
    );
    expect(await nd.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [{ index: 1, reason: "not valid JSON" }] });

    expect((await post("[]", "application/json", "Bearer fck_wrong")).status).toBe(401);
    expect((await post("{}")).status).toBe(400);
  });
});

describe("live feed (/live) and the demo simulator", () => {
  function connectLive(
    cookie: string,
  ): Promise<{ socket: Socket<LiveServerToClientEvents>; snapshot: LivePosition[] }> {
    const socket: Socket<LiveServerToClientEvents> = io(`${server.url}${LIVE_NAMESPACE}`, {
      path: "/socket.io",
      transports: ["websocket"],
      forceNew: true,
      extraHeaders: { cookie },
    });
    return new Promise((resolve, reject) => {
      socket.once("snapshot", (snapshot) => resolve({ socket, snapshot }));
      socket.once("connect_error", reject);
    });
  }

  it("sends the tenant's latest positions on connection, then coalesced positions of that tenant only", async () => {
    const { socket, snapshot } = await connectLive(ownerCookie);
    const rhone = await connectLive((await httpLogin(server.url, "owner@rhone.demo")).cookie);
    try {
      const device = await testOwnerPrisma().device.findUniqueOrThrow({ where: { uniqueId: deviceId } });
      expect(snapshot.some((p) => p.deviceId === device.id)).toBe(true);
      const seenByRhone: LivePosition[] = [];
      rhone.socket.on("positions", (batch) => seenByRhone.push(...batch));
      const t = nowS();
      // The first batch may still carry an earlier test's fix of this device (coalesced on the same
      // 250 ms tick): wait for the batch holding this one.
      const received = new Promise<LivePosition[]>((resolve) =>
        socket.on("positions", (batch) => {
          if (batch.some((p) => p.deviceId === device.id && p.time === new Date(t * 1000).toISOString()))
            resolve(batch);
        }),
      );
      await fetch(`${server.url}/ingest/osmand?id=${deviceId}&lat=30.3000&lon=-97.7000&timestamp=${t}&speed=5`);
      const batch = await received;
      expect(batch).toContainEqual(
        expect.objectContaining({
          deviceId: device.id,
          latitude: 30.3,
          longitude: -97.7,
          time: new Date(t * 1000).toISOString(),
        }),
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(seenByRhone).toEqual([]);
    } finally {
      socket.disconnect();
      rhone.socket.disconnect();
    }
  });

  it("refuses /live without a session", async () => {
    const socket = io(`${server.url}${LIVE_NAMESPACE}`, {
      path: "/socket.io",
      transports: ["websocket"],
      forceNew: true,
    });
    await expect(
      new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", reject);
      }),
    ).rejects.toThrow("unauthorized");
    socket.disconnect();
  });

  it("the simulator moves the demo fleet through the real OsmAnd endpoint", async () => {
    const db = testOwnerPrisma();
    const demoDevices = await db.device.findMany({ where: { uniqueId: { startsWith: "LST-" } }, select: { id: true } });
    const demoPositions = () => db.position.count({ where: { deviceId: { in: demoDevices.map((d) => d.id) } } });
    const before = await demoPositions();
    const simulator = new FleetSimulator(testPrisma(), `${server.url}/ingest/osmand`, { intervalMs: 100 });
    simulator.start();
    try {
      // Until its fixes are stored, however long its first ticks take on a busy machine.
      await expect.poll(demoPositions, { timeout: 10_000, interval: 100 }).toBeGreaterThan(before);
    } finally {
      // Waits for the ticks still running: a request answered while the server closes would keep its
      // connection open until the keep-alive timeout, holding close().
      await simulator.stop();
    }
    const moved = await db.latestPosition.count({ where: { deviceId: { in: demoDevices.map((d) => d.id) } } });
    expect(moved).toBeGreaterThan(0);
  });
});
