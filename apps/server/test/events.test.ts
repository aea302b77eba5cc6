/**
 * Derived events and dispatcher replies through the real server, database and a Socket.IO client:
 * a replayed track crossing a geofence drawn through the API (enter, overspeed by the geofence's
 * limit, exit — stored, published live, presence kept across a restart), the tenant's rules taking
 * effect at once, acknowledgement published again, and replies: through the local outbox, blocked
 * by opt-out and quiet hours with the reason, and through the WhatsApp Cloud API wire format (a
 * local server standing in for graph.facebook.com) with Meta's status webhooks and errors.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AppRouter } from "@fleetcore/api";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import {
  LIVE_NAMESPACE,
  type LiveClientToServerEvents,
  type LiveMessage,
  type LiveServerToClientEvents,
  type LiveVehicleEvent,
} from "@fleetcore/realtime";
import type { TRPCClient } from "@trpc/client";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenantWithFleet, createUser, PASSWORD } from "../../../packages/api/test/fixtures";
import { httpLogin, startTestServer, trpcClient } from "./helpers";
import { postWhatsApp, whatsAppStatus, whatsAppText } from "./whatsapp";

type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/** A stand-in for graph.facebook.com: records requests, answers like the Cloud API. */
class FakeGraphApi {
  readonly requests: { url: string; authorization: string | undefined; body: Record<string, unknown> }[] = [];
  /** The next answer's error (Meta's error object), or null for success. */
  nextError: Record<string, unknown> | null = null;
  private server: Server | null = null;
  url = "";

  async start(): Promise<void> {
    const server = createServer(async (req: IncomingMessage, res) => {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      this.requests.push({ url: req.url ?? "", authorization: req.headers.authorization, body: JSON.parse(raw) });
      res.setHeader("content-type", "application/json");
      if (this.nextError) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: this.nextError }));
        this.nextError = null;
        return;
      }
      const to = (JSON.parse(raw) as { to: string }).to;
      res.end(
        JSON.stringify({
          messaging_product: "whatsapp",
          contacts: [{ input: to, wa_id: to }],
          messages: [{ id: `wamid.${randomBytes(12).toString("hex")}` }],
        }),
      );
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const graph = new FakeGraphApi();
let server: Awaited<ReturnType<typeof startTestServer>>;
let api: TRPCClient<AppRouter>;
let cookie: string;
let fleet: Awaited<ReturnType<typeof createTenantWithFleet>>;
let ingestKey: string;

beforeAll(async () => {
  await graph.start();
  server = await startTestServer({ env: { WHATSAPP_API_BASE_URL: graph.url } });
  fleet = await createTenantWithFleet("Events");
  const owner = await createUser(`owner.events.${fleet.tenant.id.slice(0, 8)}@example.com`, {
    tenantId: fleet.tenant.id,
    role: "owner",
  });
  cookie = (await httpLogin(server.url, owner.email, PASSWORD)).cookie;
  api = trpcClient(server.url, cookie);
  ingestKey = (await api.ingestKey.create.mutate({ name: "events test" })).key;
});
afterAll(async () => {
  await server.app.close();
  await graph.close();
  await disconnectAll();
});

function connect(url = server.url): Promise<LiveSocket> {
  const socket: LiveSocket = io(`${url}${LIVE_NAMESPACE}`, {
    path: "/socket.io",
    transports: ["websocket"],
    forceNew: true,
    extraHeaders: { cookie },
  });
  return new Promise((resolve, reject) => {
    socket.once("snapshot", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/** Collects `event`s until `done(list)` holds (or times out). */
function collectEvents(socket: LiveSocket, done: (list: LiveVehicleEvent[]) => boolean, ms = 5000) {
  const list: LiveVehicleEvent[] = [];
  return new Promise<LiveVehicleEvent[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only got ${list.map((e) => e.type).join(", ")}`)), ms);
    socket.on("event", (e) => {
      list.push(e);
      if (done(list)) {
        clearTimeout(timer);
        resolve(list);
      }
    });
  });
}

function nextMessage(socket: LiveSocket, match: (m: LiveMessage) => boolean, ms = 5000): Promise<LiveMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no matching message")), ms);
    const on = (m: LiveMessage) => {
      if (!match(m)) return;
      clearTimeout(timer);
      socket.off("message", on);
      resolve(m);
    };
    socket.on("message", on);
  });
}

/** Posts positions through the batch API, as a device (our fixture's tracker) would send them. */
async function postTrack(points: { t: number; latitude: number; longitude: number; speedKph: number }[]) {
  const res = await fetch(`${server.url}/ingest/positions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ingestKey}` },
    body: JSON.stringify(
      points.map((p) => ({
        deviceId: fleet.device.uniqueId,
        time: p.t,
        latitude: p.latitude,
        longitude: p.longitude,
        speedKph: p.speedKph,
      })),
    ),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(points.length);
}

/** Fix times only move forward across the tests (the rules ignore fixes older than a vehicle's newest). */
let clockMs = Date.now() - 10 * 60_000;
const advance = (ms: number) => {
  const t = clockMs;
  clockMs += ms;
  return t;
};

// A depot yard south of downtown Austin: a 200 m × 200 m square.
const YARD = { south: 30.25, north: 30.2518, west: -97.75, east: -97.7479 };

describe("events derived from positions", () => {
  it("detects a replayed track crossing a geofence: enter, overspeed by the geofence's limit, exit", async () => {
    const yard = await api.geofence.create.mutate({
      name: "South yard",
      shape: {
        kind: "polygon",
        coordinates: [
          [
            [YARD.west, YARD.south],
            [YARD.east, YARD.south],
            [YARD.east, YARD.north],
            [YARD.west, YARD.north],
            [YARD.west, YARD.south],
          ],
        ],
      },
      speedLimitKph: 15,
    });
    await server.derivedEvents.reloaded(); // started after commit, before the answer
    const socket = await connect();
    const wanted = collectEvents(socket, (l) => l.some((e) => e.type === "geofence_exit"));
    // North along the yard's middle meridian, one fix every 10 s: outside, 4 fixes inside at 25 km/h, outside.
    const t0 = advance(120_000);
    const lng = (YARD.west + YARD.east) / 2;
    const lats = [30.2485, 30.249, 30.2503, 30.2507, 30.2511, 30.2515, 30.2525, 30.253];
    await postTrack(lats.map((latitude, i) => ({ t: t0 + i * 10_000, latitude, longitude: lng, speedKph: 25 })));
    const events = (await wanted).filter((e) => e.vehicleId === fleet.vehicle.id);
    socket.close();

    expect(events.map((e) => e.type)).toEqual(["geofence_enter", "overspeed", "geofence_exit"]);
    expect(events[0]).toMatchObject({ geofenceId: yard.id, title: "Entered South yard", source: "fleetcore" });
    expect(events[0]?.time).toBe(new Date(t0 + 20_000).toISOString());
    // 15 s at > 15 km/h inside the yard (the tenant has no limit of its own): at the third fix inside.
    expect(events[1]).toMatchObject({ severity: "critical", geofenceId: yard.id, speedKph: 25 });
    expect(events[1]?.title).toBe("Overspeed: 25 km/h, limit 15 km/h in South yard");
    expect(events[2]).toMatchObject({ title: "Left South yard", time: new Date(t0 + 60_000).toISOString() });

    const stored = await api.event.list.query({ vehicleId: fleet.vehicle.id });
    expect(stored.map((e) => e.type).sort()).toEqual(["geofence_enter", "geofence_exit", "overspeed"]);
    const presence = await testOwnerPrisma().geofencePresence.count({ where: { vehicleId: fleet.vehicle.id } });
    expect(presence).toBe(0);
  });

  it("keeps presence across a restart: the exit after it is not missed, the entry not repeated", async () => {
    const depot = await api.geofence.create.mutate({
      name: "North depot",
      shape: { kind: "circle", latitude: 30.3, longitude: -97.7, radiusM: 150 },
    });
    await server.derivedEvents.reloaded();
    const t0 = advance(60_000);
    const socket = await connect();
    const entered = collectEvents(socket, (l) => l.some((e) => e.geofenceId === depot.id));
    await postTrack([
      { t: t0, latitude: 30.31, longitude: -97.7, speedKph: 10 },
      { t: t0 + 5000, latitude: 30.3, longitude: -97.7, speedKph: 5 },
    ]);
    expect((await entered).find((e) => e.geofenceId === depot.id)?.type).toBe("geofence_enter");
    socket.close();
    await waitFor(
      async () => (await testOwnerPrisma().geofencePresence.count({ where: { geofenceId: depot.id } })) === 1,
    );

    // A second server process starts (as after a restart) and gets the next fixes.
    const second = await startTestServer({ env: { WHATSAPP_API_BASE_URL: graph.url } });
    try {
      const s2 = await connect(second.url);
      const after = collectEvents(s2, (l) => l.some((e) => e.geofenceId === depot.id && e.type === "geofence_exit"));
      const res = await fetch(`${second.url}/ingest/positions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ingestKey}` },
        body: JSON.stringify([
          { deviceId: fleet.device.uniqueId, time: t0 + 10_000, latitude: 30.3001, longitude: -97.7, speedKph: 5 },
          { deviceId: fleet.device.uniqueId, time: t0 + 20_000, latitude: 30.32, longitude: -97.7, speedKph: 30 },
        ]),
      });
      expect(res.status).toBe(200);
      const got = (await after).filter((e) => e.geofenceId === depot.id);
      expect(got.map((e) => e.type)).toEqual(["geofence_exit"]);
      s2.close();
    } finally {
      await second.app.close();
    }
  });

  it("applies the tenant's rule settings at once and publishes an acknowledgement", async () => {
    await expect(api.event.updateRules.mutate({ overspeedKph: 0 })).rejects.toThrow();
    const rules = await api.event.updateRules.mutate({ overspeedKph: 50, overspeedMinDurationS: 0 });
    expect(rules).toMatchObject({
      overspeedKph: 50,
      overspeedMinDurationS: 0,
      idleMaxS: 600,
      deviceOfflineEvents: true,
    });
    await server.derivedEvents.reloaded(); // the reload starts after commit, before the answer
    const socket = await connect();
    const got = collectEvents(socket, (l) => l.some((e) => e.type === "overspeed"));
    const t0 = advance(30_000);
    await postTrack([
      { t: t0, latitude: 30.4, longitude: -97.8, speedKph: 40 },
      { t: t0 + 5000, latitude: 30.401, longitude: -97.8, speedKph: 72 },
    ]);
    const overspeed = (await got).find((e) => e.type === "overspeed");
    expect(overspeed?.title).toBe("Overspeed: 72 km/h, limit 50 km/h");
    expect(overspeed?.severity).toBe("critical");

    const acked = nextEvent(socket, (e) => e.id === overspeed?.id && e.acknowledgedAt !== null);
    const result = await api.event.acknowledge.mutate({ eventId: overspeed?.id ?? "" });
    expect(result.acknowledgedAt).not.toBeNull();
    expect((await acked).acknowledgedBy).toBe(result.acknowledgedBy);
    expect(await api.event.list.query({ unacknowledgedOnly: true, types: ["overspeed"] })).toHaveLength(1);
    // A crafted id of another tenant's (or no) event is NOT_FOUND.
    await expect(api.event.acknowledge.mutate({ eventId: crypto.randomUUID() })).rejects.toThrow(/not found/);
    socket.close();
  });
});

describe("feed-only sockets", () => {
  it("get events and messages but no positions, snapshot or statuses", async () => {
    const socket: LiveSocket = io(`${server.url}${LIVE_NAMESPACE}`, {
      path: "/socket.io",
      transports: ["websocket"],
      forceNew: true,
      extraHeaders: { cookie },
      auth: { feedOnly: true },
    });
    const unwanted: string[] = [];
    for (const name of ["snapshot", "positions", "vehicle", "device"] as const)
      socket.on(name, () => unwanted.push(name));
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    const [event] = await api.event.list.query({ limit: 1 });
    // The server joins the socket to the feed room after its access check: acknowledging (idempotent,
    // published again each time) until the socket hears it proves the join without guessing a delay.
    const republished = nextEvent(socket, (e) => e.id === event?.id);
    let heard = false;
    void republished.then(() => {
      heard = true;
    });
    for (let i = 0; i < 50 && !heard; i++) {
      await api.event.acknowledge.mutate({ eventId: event?.id ?? "" });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await republished).acknowledgedAt).not.toBeNull();
    const t0 = advance(10_000);
    await postTrack([{ t: t0, latitude: 30.5, longitude: -97.9, speedKph: 10 }]);
    await new Promise((r) => setTimeout(r, 600)); // more than the 250 ms positions tick
    expect(unwanted).toEqual([]);
    socket.close();
  });
});

function nextEvent(socket: LiveSocket, match: (e: LiveVehicleEvent) => boolean): Promise<LiveVehicleEvent> {
  return new Promise((resolve) => {
    const on = (e: LiveVehicleEvent) => {
      if (!match(e)) return;
      socket.off("event", on);
      resolve(e);
    };
    socket.on("event", on);
  });
}

async function waitFor(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("dispatcher replies", () => {
  let driverId: string;
  beforeAll(async () => {
    const driver = await testOwnerPrisma().driver.create({
      data: { tenantId: fleet.tenant.id, firstName: "Ana", lastName: "Reyes", phone: "+15125550177" },
    });
    driverId = driver.id;
  });

  it("sends through the local outbox by default: queued, then sent, recorded in the outbox", async () => {
    const socket = await connect();
    const sent = nextMessage(socket, (m) => m.status === "sent");
    const queued = await api.conversation.send.mutate({ driverId, body: "  Please call dispatch  " });
    expect(queued).toMatchObject({
      status: "queued",
      direction: "outbound",
      channel: "local",
      body: "Please call dispatch",
    });
    const update = await sent;
    expect(update.id).toBe(queued.id);
    const outbox = await api.conversation.outbox.query({});
    expect(outbox[0]).toMatchObject({ messageId: queued.id, to: "+15125550177", body: "Please call dispatch" });
    const thread = await api.conversation.messages.query({ driverId });
    expect(thread[0]).toMatchObject({ id: queued.id, status: "sent" });
    const list = await api.conversation.list.query({});
    expect(list.find((c) => c.driverId === driverId)?.lastMessage?.body).toBe("Please call dispatch");
    socket.close();
  });

  it("blocks a reply during quiet hours and to an opted-out driver, saying why", async () => {
    // Quiet hours that always contain "now": from the current minute to the one before it, tenant time.
    const tz = fleet.tenant.timezone;
    const hhmm = (d: Date) =>
      new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
        d,
      );
    const now = new Date();
    await api.conversation.updateSettings.mutate({
      quietStart: hhmm(now),
      quietEnd: hhmm(new Date(now.getTime() - 60_000)),
    });
    const quiet = await api.conversation.send.mutate({ driverId, body: "Late shift tomorrow" });
    expect(quiet.status).toBe("blocked");
    expect(quiet.statusReason).toMatch(/^quiet hours \(\d\d:\d\d–\d\d:\d\d, /);
    await api.conversation.updateSettings.mutate({ quietStart: null, quietEnd: null });
    await expect(api.conversation.updateSettings.mutate({ quietStart: "25:00", quietEnd: "06:00" })).rejects.toThrow();

    await testOwnerPrisma().driver.update({ where: { id: driverId }, data: { messagingOptOutAt: new Date() } });
    const optedOut = await api.conversation.send.mutate({ driverId, body: "Are you there?" });
    expect(optedOut.status).toBe("blocked");
    expect(optedOut.statusReason).toMatch(/Ana Reyes opted out of messages on .*START to opt back in/);
    await testOwnerPrisma().driver.update({ where: { id: driverId }, data: { messagingOptOutAt: null } });
    // Nothing blocked reached the outbox.
    const outbox = await api.conversation.outbox.query({});
    expect(outbox.map((o) => o.messageId)).not.toContain(quiet.id);
    expect(outbox.map((o) => o.messageId)).not.toContain(optedOut.id);
    // Another tenant's driver id is NOT_FOUND.
    const other = await testOwnerPrisma().driver.findFirstOrThrow({ where: { tenantId: { not: fleet.tenant.id } } });
    await expect(api.conversation.send.mutate({ driverId: other.id, body: "hi" })).rejects.toThrow(/not found/);
  });

  it("sends through the WhatsApp Cloud API: Meta's request format, status webhooks, errors kept", async () => {
    const phoneNumberId = `2${Date.now()}`;
    const appSecret = randomBytes(16).toString("hex");
    const integration = await api.integration.create.mutate({
      provider: "whatsapp",
      externalId: phoneNumberId,
      secret: appSecret,
      verifyToken: "verify-events-test",
      accessToken: "EAAG-test-token",
    });
    expect(integration).toMatchObject({ hasSecret: true, hasVerifyToken: true, hasAccessToken: true });
    expect(JSON.stringify(integration)).not.toContain(appSecret);
    // At rest, the app secret and the access token are sealed (AES-256-GCM), the verify token is not.
    const row = await testOwnerPrisma().integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(row.secret).toMatch(/^fcs1:/);
    expect(row.accessToken).toMatch(/^fcs1:/);
    expect(`${row.secret}${row.accessToken}`).not.toContain(appSecret);
    expect(row.verifyToken).toBe("verify-events-test");
    await api.conversation.updateSettings.mutate({ transport: "whatsapp" });

    // Never wrote: outside the 24-hour window, blocked before reaching Meta.
    const early = await api.conversation.send.mutate({ driverId, body: "Hello" });
    expect(early.statusReason).toMatch(/24 h/);

    // The driver writes (an inbound webhook), then the reply goes out.
    const inbound = whatsAppText(phoneNumberId, {
      id: `wamid.in${Date.now()}`,
      from: "15125550177",
      text: "On my way",
    });
    const hook = (body: string) => postWhatsApp(server.url, body, appSecret);
    expect((await hook(inbound)).status).toBe(200);
    const touched = (await api.integration.list.query()).find((i) => i.id === integration.id);
    expect(touched?.lastEventAt).toBeInstanceOf(Date);

    const socket = await connect();
    const sent = nextMessage(socket, (m) => m.status === "sent" && m.channel === "whatsapp");
    const reply = await api.conversation.send.mutate({ driverId, body: "Thanks, see you at the yard" });
    expect(reply.status).toBe("queued");
    await sent;
    const request = graph.requests.at(-1);
    expect(request?.url).toBe(`/v25.0/${phoneNumberId}/messages`);
    expect(request?.authorization).toBe("Bearer EAAG-test-token");
    expect(request?.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "15125550177",
      type: "text",
      text: { preview_url: false, body: "Thanks, see you at the yard" },
    });
    const stored = await testOwnerPrisma().message.findFirstOrThrow({ where: { id: reply.id } });
    expect(stored.providerMessageId).toMatch(/^wamid\./);

    // Meta reports delivery: the message moves on, live.
    const delivered = nextMessage(socket, (m) => m.id === reply.id && m.status === "delivered");
    const status = whatsAppStatus(phoneNumberId, {
      id: stored.providerMessageId ?? "",
      status: "delivered",
      recipient: "15125550177",
    });
    expect((await hook(status)).status).toBe(200);
    await delivered;

    // Meta refuses the next one: failed, with Meta's reason and code.
    graph.nextError = {
      message: "(#131047) Re-engagement message",
      type: "OAuthException",
      code: 131047,
      error_data: {
        messaging_product: "whatsapp",
        details: "Message failed to send because more than 24 hours have passed",
      },
      fbtrace_id: "Az8or2yhqkZfEZ-_4Qn_Bam",
    };
    const failed = nextMessage(socket, (m) => m.status === "failed");
    await api.conversation.send.mutate({ driverId, body: "One more thing" });
    expect((await failed).statusReason).toBe(
      "WhatsApp: Message failed to send because more than 24 hours have passed (code 131047)",
    );
    socket.close();
    await api.conversation.updateSettings.mutate({ transport: "local" });
  });
});
