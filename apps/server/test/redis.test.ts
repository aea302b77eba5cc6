/**
 * Two server instances sharing Socket.IO rooms through the Redis Streams adapter (REDIS_URL): a fix
 * ingested by server A reaches a `/live` client connected to server B. Each instance is a full
 * buildApp (its own Fastify, Socket.IO server, writer, live fan-out and Redis connections) against
 * the same test database and a throw-away redis-server on a free port. `npm test` installs Debian's
 * redis-server when it is missing; without the binary this file skips and says so.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { LIVE_NAMESPACE, type LivePosition, type LiveServerToClientEvents } from "@fleetcore/realtime";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpLogin, startTestServer } from "./helpers";

const redisBin = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();
if (!redisBin) {
  console.warn(
    "redis.test.ts skipped: no redis-server binary (apt-get install redis-server, or run `npm test`, which installs it)",
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts redis-server (no persistence) and resolves once it accepts connections. */
function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    redisBin,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
}

type Server = Awaited<ReturnType<typeof startTestServer>>;

describe.skipIf(!redisBin)("Redis Streams adapter (REDIS_URL): two server processes share /live rooms", () => {
  let redis: ChildProcess | undefined;
  let a: Server | undefined;
  let b: Server | undefined;

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
    a = await startTestServer({ env });
    b = await startTestServer({ env });
  });

  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    redis?.kill("SIGTERM");
    await disconnectAll();
  });

  it("delivers a fix posted to server A to a /live client connected to server B", async () => {
    if (!a || !b) throw new Error("servers did not start");
    const device = await testOwnerPrisma().device.findFirstOrThrow({
      where: { tenant: { slug: "lone-star-transit" }, status: "active", deletedAt: null },
    });
    const { cookie } = await httpLogin(b.url, "owner@lonestar.demo");
    const socket: Socket<LiveServerToClientEvents> = io(`${b.url}${LIVE_NAMESPACE}`, {
      path: "/socket.io",
      transports: ["websocket"],
      forceNew: true,
      extraHeaders: { cookie },
    });
    try {
      const received = new Promise<LivePosition>((resolve) => {
        socket.on("positions", (batch) => {
          const mine = batch.find((p) => p.deviceId === device.id);
          if (mine) resolve(mine);
        });
      });
      await new Promise<void>((resolve, reject) => {
        socket.on("snapshot", () => resolve());
        socket.on("connect_error", reject);
      });
      // The adapter's stream reader on B starts asynchronously: keep sending fresh fixes to A until
      // one arrives on B (the first one normally does).
      const sent = new Set<string>();
      const { url } = a;
      let n = 0;
      const send = async () => {
        const t = Math.floor(Date.now() / 1000) - 30 + n;
        n += 1;
        sent.add(new Date(t * 1000).toISOString());
        const res = await fetch(
          `${url}/ingest/osmand?id=${encodeURIComponent(device.uniqueId)}&lat=${30.27 + n / 1000}&lon=-97.74&timestamp=${t}`,
        );
        expect(res.status).toBe(200);
      };
      await send();
      const timer = setInterval(() => void send().catch(() => {}), 1_000);
      try {
        const fix = await Promise.race([
          received,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error("no positions event on server B within 15 s")), 15_000),
          ),
        ]);
        expect(sent.has(fix.time)).toBe(true);
        expect(fix.deviceId).toBe(device.id);
      } finally {
        clearInterval(timer);
      }
    } finally {
      socket.disconnect();
    }
  });
});
