import { disconnectAll } from "@fleetcore/db";
import {
  type Ack,
  type DeviceStatusEvent,
  LIVE_NAMESPACE,
  type LiveClientToServerEvents,
  type LivePosition,
  type LiveServerToClientEvents,
  trackRoom,
  type VehicleStatusEvent,
} from "@fleetcore/realtime";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpLogin, startTestServer, trpcClient } from "./helpers";

type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

let server: Awaited<ReturnType<typeof startTestServer>>;
let ownerCookie: string;
let vehicleId: string;
let rhoneVehicleId: string;
const uniqueId = `live-${Math.random().toString(36).slice(2, 8)}`;

const client = (cookie: string) => trpcClient(server.url, cookie);

beforeAll(async () => {
  server = await startTestServer();
  ownerCookie = (await httpLogin(server.url, "owner@lonestar.demo")).cookie;
  const owner = client(ownerCookie);
  const vehicle = await owner.vehicle.create.mutate({ name: `Live test ${uniqueId}` });
  vehicleId = vehicle.id;
  await owner.device.create.mutate({ uniqueId, name: "Tracker", vehicleId });
  const rhone = client((await httpLogin(server.url, "owner@rhone.demo")).cookie);
  rhoneVehicleId = (await rhone.vehicle.list.query({}))[0]?.id ?? "";
});
afterAll(async () => {
  await server.app.close();
  await disconnectAll();
});

function connect(cookie: string): Promise<{ socket: LiveSocket; statuses: VehicleStatusEvent[] }> {
  const socket: LiveSocket = io(`${server.url}${LIVE_NAMESPACE}`, {
    path: "/socket.io",
    transports: ["websocket"],
    forceNew: true,
    extraHeaders: { cookie },
  });
  return new Promise((resolve, reject) => {
    socket.once("vehicle", (statuses) => resolve({ socket, statuses }));
    socket.once("connect_error", reject);
  });
}

const send = (t: number, lat: number, speedKnots: number) =>
  fetch(`${server.url}/ingest/osmand?id=${uniqueId}&lat=${lat}&lon=-97.74&timestamp=${t}&speed=${speedKnots}`);

describe("/live statuses and full-rate tracks", () => {
  it("sends every vehicle's status after the snapshot, then status changes as they happen", async () => {
    const { socket, statuses } = await connect(ownerCookie);
    try {
      expect(statuses.find((s) => s.vehicleId === vehicleId)).toBeUndefined();
      const changes: VehicleStatusEvent[] = [];
      socket.on("vehicle", (events) => changes.push(...events));
      // Other devices of the tenant (other test files feed the same database) may change status too:
      // wait for this vehicle's device coming online, not for any `device` message.
      const deviceOnline = new Promise<DeviceStatusEvent>((resolve) =>
        socket.on("device", (events) => {
          const online = events.find((e) => e.vehicleId === vehicleId && e.status === "online");
          if (online) resolve(online);
        }),
      );
      const t = Math.floor(Date.now() / 1000);
      expect((await send(t, 30.26, 20)).status).toBe(200);
      await expect.poll(() => changes.find((c) => c.vehicleId === vehicleId)?.status, { timeout: 5000 }).toBe("moving");
      expect(await deviceOnline).toMatchObject({ vehicleId, status: "online", lastSeenAt: expect.any(String) });
      expect((await send(t + 1, 30.2601, 0)).status).toBe(200);
      await expect
        .poll(() => changes.filter((c) => c.vehicleId === vehicleId).at(-1)?.status, { timeout: 5000 })
        .toBe("idle");
    } finally {
      socket.disconnect();
    }
  });

  it("streams every fix of a subscribed vehicle, refuses another tenant's vehicle", async () => {
    const { socket } = await connect(ownerCookie);
    try {
      const subscribe = (id: string) => new Promise<Ack>((resolve) => socket.emit("track:subscribe", id, resolve));
      expect(await subscribe(rhoneVehicleId)).toEqual({ ok: false, error: "vehicle not found" });
      expect(await subscribe("not-a-uuid")).toEqual({ ok: false, error: "vehicleId must be a UUID" });
      expect(await subscribe(vehicleId)).toEqual({ ok: true });
      const track: LivePosition[] = [];
      /** This vehicle's positions in each `positions` message that had any. */
      const coalesced: LivePosition[][] = [];
      socket.on("track", (batch) => track.push(...batch));
      socket.on("positions", (batch) => {
        const mine = batch.filter((p) => p.vehicleId === vehicleId);
        if (mine.length > 0) coalesced.push(mine);
      });
      const newestOnMap = () => coalesced.at(-1)?.map((p) => p.latitude);
      const t = Math.floor(Date.now() / 1000) + 10;
      // Three fixes, each sent once the previous one was answered (that is, committed), so they reach
      // the feed in this order however they fall on its 250 ms ticks: the track gets all three, in
      // order; the map gets one position per tick for the device, the newest, ending on the last fix.
      for (const [i, lat] of [30.27, 30.271, 30.272].entries()) {
        expect((await send(t + i, lat, 10)).status).toBe(200);
      }
      await expect.poll(() => track.length, { timeout: 5000 }).toBe(3);
      expect(track.map((p) => p.latitude)).toEqual([30.27, 30.271, 30.272]);
      await expect.poll(newestOnMap, { timeout: 5000 }).toEqual([30.272]);
      expect(coalesced.every((positions) => positions.length === 1)).toBe(true);
      const onMap = coalesced.flat().map((p) => p.latitude);
      expect(onMap).toEqual([...onMap].sort((a, b) => a - b));

      // Unsubscribing has no answer: wait until the server has taken the socket out of the track room.
      const tracking = async () =>
        (await server.io.of(LIVE_NAMESPACE).in(trackRoom(vehicleId)).fetchSockets()).some((s) => s.id === socket.id);
      expect(await tracking()).toBe(true);
      socket.emit("track:unsubscribe", vehicleId);
      await expect.poll(tracking, { timeout: 5000, interval: 20 }).toBe(false);
      expect((await send(t + 3, 30.273, 10)).status).toBe(200);
      // The map gets that fix; a track message would go out in the same flush, right after it. Then a
      // round trip (a subscribe the server refuses without a query): its answer is sent after anything
      // that flush sent, so by then a track message for the fix would have arrived.
      await expect.poll(newestOnMap, { timeout: 5000 }).toEqual([30.273]);
      expect(await subscribe("not-a-uuid")).toEqual({ ok: false, error: "vehicleId must be a UUID" });
      expect(track).toHaveLength(3);
    } finally {
      socket.disconnect();
    }
  });

  it("a device moved to another vehicle reports under it at once (ingest's device cache is dropped on commit)", async () => {
    const owner = client(ownerCookie);
    const other = await owner.vehicle.create.mutate({ name: `Rebind ${uniqueId}` });
    const device = (await owner.device.list.query()).find((d) => d.uniqueId === uniqueId);
    if (!device) throw new Error("test device missing");
    const t = Math.floor(Date.now() / 1000) + 20;
    expect((await send(t, 30.28, 5)).status).toBe(200);
    await owner.device.bind.mutate({ deviceId: device.id, vehicleId: other.id });
    expect((await send(t + 1, 30.281, 5)).status).toBe(200);
    const history = await owner.vehicle.positions.query({ vehicleId: other.id, to: new Date(Date.now() + 120_000) });
    expect(history.map((p) => p.latitude)).toEqual([30.281]);
  });
});
