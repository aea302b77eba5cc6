import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppRouter } from "@fleetcore/api";
import { disconnectAll } from "@fleetcore/db";
import type { ClientToServerEvents, ServerToClientEvents, VehicleCreatedEvent } from "@fleetcore/realtime";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { io, type Socket } from "socket.io-client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "./helpers";

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

const trpc = () =>
  createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/trpc`, transformer: superjson })] });
const slug = () => `srv-${Math.random().toString(36).slice(2, 10)}`;

describe("HTTP server", () => {
  it("GET /healthz reports the database and TimescaleDB with version and license", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { timescale: { version: string; license: string } };
    expect(body).toMatchObject({ status: "ok", database: { ok: true }, timescale: { installed: true } });
    expect(body.timescale.version).toMatch(/^2\./);
    expect(["apache", "timescale"]).toContain(body.timescale.license);
  });

  it("serves tRPC at /trpc with superjson (dates stay dates) and proper HTTP status codes", async () => {
    const client = trpc();
    const tenant = await client.tenant.create.mutate({
      name: "Http Co",
      slug: slug(),
      countryCode: "US",
      defaultCurrency: "USD",
    });
    expect(tenant.createdAt).toBeInstanceOf(Date);
    const res = await fetch(
      `${server.url}/trpc/vehicle.list?input=${encodeURIComponent(JSON.stringify({ json: { tenantId: crypto.randomUUID() } }))}`,
    );
    expect(res.status).toBe(404);
    const bad = await fetch(`${server.url}/trpc/tenant.create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { name: "x" } }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { json: { data: { fieldErrors: Record<string, string[]> } } } };
    expect(body.error.json.data.fieldErrors).toHaveProperty("slug");
  });

  it("serves the web app with client-side routes falling back to index.html, and JSON 404s elsewhere", async () => {
    const page = await fetch(`${server.url}/tenants/some-id`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Fleetcore</title>");
    const missing = await fetch(`${server.url}/nope.json`, { headers: { accept: "application/json" } });
    expect(missing.status).toBe(404);
  });
});

describe("Socket.IO at /socket.io", () => {
  function connect(): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, {
      path: "/socket.io",
      transports: ["websocket"],
      forceNew: true,
    });
    return new Promise((resolve, reject) => {
      socket.on("connect", () => resolve(socket));
      socket.on("connect_error", reject);
    });
  }

  it("delivers vehicle:created only to sockets that joined that tenant", async () => {
    const client = trpc();
    const mine = await client.tenant.create.mutate({
      name: "Mine",
      slug: slug(),
      countryCode: "US",
      defaultCurrency: "USD",
    });
    const other = await client.tenant.create.mutate({
      name: "Other",
      slug: slug(),
      countryCode: "US",
      defaultCurrency: "USD",
    });
    const watcher = await connect();
    const bystander = await connect();
    try {
      expect(await watcher.emitWithAck("tenant:join", mine.id)).toEqual({ ok: true });
      expect(await bystander.emitWithAck("tenant:join", other.id)).toEqual({ ok: true });
      const seenByBystander: VehicleCreatedEvent[] = [];
      bystander.on("vehicle:created", (e) => seenByBystander.push(e));
      const received = new Promise<VehicleCreatedEvent>((resolve) => watcher.once("vehicle:created", resolve));
      const vehicle = await client.vehicle.create.mutate({ tenantId: mine.id, name: "Live 1" });
      expect(await received).toEqual({
        id: vehicle.id,
        tenantId: mine.id,
        name: "Live 1",
        createdAt: vehicle.createdAt.toISOString(),
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(seenByBystander).toEqual([]);
    } finally {
      watcher.disconnect();
      bystander.disconnect();
    }
  });

  it("refuses to join a tenant that does not exist or a malformed id, with a reason", async () => {
    const socket = await connect();
    try {
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
});
