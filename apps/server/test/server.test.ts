import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { disconnectAll } from "@fleetcore/db";
import { testPrisma } from "@fleetcore/db/test-context";
import {
  type ClientToServerEvents,
  type ServerToClientEvents,
  tenantRoom,
  type VehicleCreatedEvent,
} from "@fleetcore/realtime";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sweepEndedSockets } from "../src/realtime";
import { httpLogin, startTestServer, trpcClient } from "./helpers";

let server: Awaited<ReturnType<typeof startTestServer>>;
const webDir = mkdtempSync(join(tmpdir(), "fleetcore-web-"));
writeFileSync(join(webDir, "index.html"), "<!doctype html><title>Fleetcore</title><div id=root></div>");

beforeAll(async () => {
  server = await startTestServer({ webDistDir: webDir });
});
afterAll(async () => {
  await server.app.close();
  await disconnectAll();
});

const trpc = (cookie?: string) => trpcClient(server.url, cookie);

describe("HTTP server", () => {
  it("GET /healthz reports the database and TimescaleDB with version and license", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { timescale: { version: string; license: string } };
    expect(body).toMatchObject({ status: "ok", database: { ok: true }, timescale: { installed: true } });
    expect(body.timescale.version).toMatch(/^2\./);
    expect(["apache", "timescale"]).toContain(body.timescale.license);
  });

  it("signs in with an HttpOnly, SameSite=Lax session cookie and serves tRPC with superjson", async () => {
    const { cookie, setCookie } = await httpLogin(server.url, "owner@lonestar.demo");
    expect(cookie).toMatch(/^fc_session=[a-z2-7]{32}$/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/i);
    const me = await trpc(cookie).auth.me.query();
    expect(me).toMatchObject({ kind: "user", user: { email: "owner@lonestar.demo" } });
    expect(me.activeTenant?.name).toBe("Lone Star Transit");
    const vehicles = await trpc(cookie).vehicle.list.query({});
    expect(vehicles.length).toBeGreaterThan(0);
    expect(vehicles[0]?.createdAt).toBeInstanceOf(Date);
  });

  it("answers HTTP 401 without a session, 400 with field errors for bad input", async () => {
    const res = await fetch(
      `${server.url}/trpc/vehicle.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`,
    );
    expect(res.status).toBe(401);
    const bad = await fetch(`${server.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { email: "not-an-email", password: "" } }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { json: { data: { fieldErrors: Record<string, string[]> } } } };
    expect(body.error.json.data.fieldErrors).toHaveProperty("email");
  });

  it("refuses cookie-authenticated state changes from another origin or without an Origin header", async () => {
    const { cookie } = await httpLogin(server.url, "dispatch@lonestar.demo");
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/trpc/auth.signOutOtherSessions`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie, ...headers },
        body: JSON.stringify({ json: null }),
      });
    expect((await post({ origin: "https://evil.example" })).status).toBe(403);
    expect((await post({})).status).toBe(403);
    expect((await post({ origin: server.url })).status).toBe(200);
  });

  it("uses the __Host- prefixed Secure cookie when served over HTTPS (behind a trusted proxy)", async () => {
    const tls = await startTestServer({ webDistDir: webDir, env: { TRUST_PROXY: "true" } });
    try {
      const { setCookie } = await httpLogin(tls.url, "viewer@lonestar.demo", undefined, {
        "x-forwarded-proto": "https",
        origin: tls.url.replace("http:", "https:"),
      });
      expect(setCookie).toMatch(/^__Host-fc_session=[a-z2-7]{32};/);
      expect(setCookie).toMatch(/Secure/);
    } finally {
      await tls.app.close();
    }
  });

  it("opens a wall-display session from /display/<token> and redirects to /wall; a bad token gets 401", async () => {
    const { cookie } = await httpLogin(server.url, "owner@lonestar.demo");
    const created = await trpc(cookie).display.create.mutate({ name: "North wall" });
    const res = await fetch(`${server.url}${created.path}`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/wall");
    const displayCookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const me = await trpc(displayCookie).auth.me.query();
    expect(me).toMatchObject({ kind: "display", display: { name: "North wall" } });
    expect(me.activeTenant?.name).toBe("Lone Star Transit");
    const refused = await fetch(`${server.url}/display/notavalidtokennotavalidtoken`, { redirect: "manual" });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("does not work");
  });

  it("serves the web app with client-side routes falling back to index.html, and JSON 404s elsewhere", async () => {
    const page = await fetch(`${server.url}/members`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Fleetcore</title>");
    const missing = await fetch(`${server.url}/nope.json`, { headers: { accept: "application/json" } });
    expect(missing.status).toBe(404);
  });
});

describe("Socket.IO at /socket.io", () => {
  type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
  function connect(opts: { cookie?: string; displayToken?: string } = {}): Promise<ClientSocket> {
    const socket: ClientSocket = io(server.url, {
      path: "/socket.io",
      transports: ["websocket"],
      forceNew: true,
      extraHeaders: opts.cookie ? { cookie: opts.cookie } : {},
      auth: opts.displayToken ? { displayToken: opts.displayToken } : {},
    });
    return new Promise((resolve, reject) => {
      socket.on("connect", () => resolve(socket));
      socket.on("connect_error", (err) => {
        socket.disconnect();
        reject(err);
      });
    });
  }

  /**
   * Resolves once the server has joined `socket` to `tenantId`'s room. It does so after "connect",
   * once its access check (a database transaction) is done, so an event published before that would
   * miss the socket: wait for the join itself rather than guess a delay.
   */
  async function joinedTenantRoom(socket: ClientSocket, tenantId: string): Promise<void> {
    await vi.waitFor(
      async () => {
        const inRoom = await server.io.in(tenantRoom(tenantId)).fetchSockets();
        if (!inRoom.some((s) => s.id === socket.id)) throw new Error(`socket not in ${tenantRoom(tenantId)} yet`);
      },
      { timeout: 5000, interval: 20 },
    );
  }

  const activeTenantId = async (cookie: string) => (await trpc(cookie).auth.me.query()).activeTenant?.id ?? "";

  it("refuses connections without a session cookie or display token", async () => {
    await expect(connect()).rejects.toThrow("unauthorized");
    await expect(connect({ cookie: "fc_session=forgedforgedforgedforgedforged22" })).rejects.toThrow("unauthorized");
  });

  it("joins each socket to its session's tenant: vehicle:created reaches that tenant only", async () => {
    const lonestar = await httpLogin(server.url, "owner@lonestar.demo");
    const rhone = await httpLogin(server.url, "owner@rhone.demo");
    const watcher = await connect({ cookie: lonestar.cookie });
    const bystander = await connect({ cookie: rhone.cookie });
    try {
      const seenByBystander: VehicleCreatedEvent[] = [];
      bystander.on("vehicle:created", (e) => seenByBystander.push(e));
      const received = new Promise<VehicleCreatedEvent>((resolve) => watcher.once("vehicle:created", resolve));
      // Both in their rooms before the event: the watcher must get it, the bystander could.
      await joinedTenantRoom(watcher, await activeTenantId(lonestar.cookie));
      await joinedTenantRoom(bystander, await activeTenantId(rhone.cookie));
      const vehicle = await trpc(lonestar.cookie).vehicle.create.mutate({ name: "Live 1" });
      expect(await received).toEqual({
        id: vehicle.id,
        tenantId: vehicle.tenantId,
        name: "Live 1",
        createdAt: vehicle.createdAt.toISOString(),
      });
      // A round trip on the bystander's connection (a malformed tenant:join, answered without a query):
      // the server sends its answer after the event was published, so an event sent to the bystander
      // would have arrived before it.
      expect(await bystander.emitWithAck("tenant:join", "not-a-uuid")).toMatchObject({ ok: false });
      expect(seenByBystander).toEqual([]);
    } finally {
      watcher.disconnect();
      bystander.disconnect();
    }
  });

  it("refuses tenant:join for another tenant's id, an unknown id or a malformed one", async () => {
    const rhone = await httpLogin(server.url, "owner@rhone.demo");
    const lonestarOwner = await httpLogin(server.url, "owner@lonestar.demo");
    const lonestarId = (await trpc(lonestarOwner.cookie).auth.me.query()).activeTenant?.id ?? "";
    const socket = await connect({ cookie: rhone.cookie });
    try {
      expect(await socket.emitWithAck("tenant:join", lonestarId)).toEqual({ ok: false, error: "tenant not found" });
      expect(await socket.emitWithAck("tenant:join", crypto.randomUUID())).toEqual({
        ok: false,
        error: "tenant not found",
      });
      expect(await socket.emitWithAck("tenant:join", "1 OR 1=1")).toEqual({
        ok: false,
        error: "tenantId must be a UUID",
      });
    } finally {
      socket.disconnect();
    }
  });

  it("authenticates a wall display from its token at handshake and streams its tenant's events", async () => {
    const owner = await httpLogin(server.url, "owner@lonestar.demo");
    const { token } = await trpc(owner.cookie).display.create.mutate({ name: "Lobby" });
    const wall = await connect({ displayToken: token });
    try {
      const received = new Promise<VehicleCreatedEvent>((resolve) => wall.once("vehicle:created", resolve));
      await joinedTenantRoom(wall, await activeTenantId(owner.cookie));
      const vehicle = await trpc(owner.cookie).vehicle.create.mutate({ name: "Live 2" });
      expect((await received).id).toBe(vehicle.id);
    } finally {
      wall.disconnect();
    }
    await expect(connect({ displayToken: "nottherighttokennottherighttoken" })).rejects.toThrow("unauthorized");
  });

  it("disconnects sockets whose session ended (logout) or whose display token was revoked", async () => {
    const viewer = await httpLogin(server.url, "viewer@lonestar.demo");
    const owner = await httpLogin(server.url, "owner@lonestar.demo");
    const display = await trpc(owner.cookie).display.create.mutate({ name: "Sweep test" });
    const person = await connect({ cookie: viewer.cookie });
    const wall = await connect({ displayToken: display.token });
    const bystander = await connect({ cookie: owner.cookie });
    try {
      await trpc(viewer.cookie).auth.logout.mutate();
      await trpc(owner.cookie).display.revoke.mutate({ displayTokenId: display.display.id });
      const gone = (s: ClientSocket) => new Promise<void>((resolve) => s.once("disconnect", () => resolve()));
      const ended = Promise.all([gone(person), gone(wall)]);
      expect(await sweepEndedSockets(server.io, testPrisma())).toBe(2);
      await ended;
      expect(bystander.connected).toBe(true);
    } finally {
      person.disconnect();
      wall.disconnect();
      bystander.disconnect();
    }
  });
});
