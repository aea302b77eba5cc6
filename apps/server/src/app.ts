/**
 * Builds the Fastify 5 application: tRPC at /trpc, Socket.IO at /socket.io, GET /healthz and, when a
 * built web app exists, the dashboard at / (with client-side routes falling back to index.html).
 * Wiring only: business rules live in @fleetcore/core, procedures in @fleetcore/api.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import { type AppRouter, appRouter, createContextInner, type TenantEventPublisher } from "@fleetcore/api";
import type { Env } from "@fleetcore/config";
import { getTimescaleStatus, type PrismaClient, REPO_ROOT } from "@fleetcore/db";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "@fleetcore/realtime";
import { SOCKET_PATH, tenantRoom } from "@fleetcore/realtime";
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance } from "fastify";
import { Server as SocketServer } from "socket.io";
import { z } from "zod";

export type FleetcoreSocketServer = SocketServer<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export interface BuiltApp {
  app: FastifyInstance;
  io: FleetcoreSocketServer;
}

/**
 * @param opts.env validated environment (see @fleetcore/config)
 * @param opts.db the process's PrismaClient
 * @param opts.webDistDir built web app to serve; defaults to env.WEB_DIST_DIR or apps/web/dist
 */
export async function buildApp(opts: { env: Env; db: PrismaClient; webDistDir?: string }): Promise<BuiltApp> {
  const { env, db } = opts;
  const app = Fastify({
    logger: {
      level: env.LOG_LEVEL,
      ...(env.NODE_ENV === "development" ? {} : { redact: ["req.headers.cookie", "req.headers.authorization"] }),
    },
    routerOptions: { maxParamLength: 5000 },
  });

  const io: FleetcoreSocketServer = new SocketServer(app.server, { path: SOCKET_PATH, serveClient: false });
  const publish: TenantEventPublisher = (tenantId, event, ...args) => {
    io.to(tenantRoom(tenantId)).emit(event, ...args);
  };

  io.on("connection", (socket) => {
    socket.data.tenantIds = new Set();
    socket.on("tenant:join", async (tenantId, ack) => {
      if (typeof ack !== "function") return;
      if (!z.uuid().safeParse(tenantId).success) return ack({ ok: false, error: "tenantId must be a UUID" });
      const tenant = await db.tenant.findFirst({ where: { id: tenantId, deletedAt: null }, select: { id: true } });
      if (!tenant) return ack({ ok: false, error: "tenant not found" });
      await socket.join(tenantRoom(tenantId));
      socket.data.tenantIds.add(tenantId);
      ack({ ok: true });
    });
    socket.on("tenant:leave", async (tenantId) => {
      if (typeof tenantId !== "string") return;
      await socket.leave(tenantRoom(tenantId));
      socket.data.tenantIds.delete(tenantId);
    });
  });

  await app.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      createContext: () => createContextInner({ db, publish }),
      onError({ path, error }) {
        if (error.code === "INTERNAL_SERVER_ERROR") app.log.error({ err: error, path }, "tRPC procedure failed");
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });

  app.get("/healthz", async (_req, reply) => {
    const started = performance.now();
    try {
      const timescale = await getTimescaleStatus(db);
      const ok = timescale.version !== null;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? "ok" : "degraded",
        database: { ok: true, latencyMs: Math.round(performance.now() - started) },
        timescale: {
          installed: timescale.version !== null,
          version: timescale.version,
          license: timescale.license,
          tslFeatures: timescale.tslFeatures,
        },
      });
    } catch (err) {
      app.log.warn({ err }, "health check: database unreachable");
      return reply.code(503).send({
        status: "down",
        database: { ok: false, error: err instanceof Error ? err.message : String(err) },
        timescale: { installed: false, version: null, license: null, tslFeatures: false },
      });
    }
  });

  const webDistDir = opts.webDistDir ?? env.WEB_DIST_DIR ?? join(REPO_ROOT, "apps", "web", "dist");
  if (existsSync(join(webDistDir, "index.html"))) {
    await app.register(fastifyStatic, { root: webDistDir, wildcard: false });
    // Client-side routes: any other GET that accepts HTML gets the app shell.
    app.setNotFoundHandler((req, reply) => {
      const isApi = req.url.startsWith("/trpc") || req.url.startsWith(SOCKET_PATH);
      if (req.method === "GET" && !isApi && req.headers.accept?.includes("text/html")) {
        return reply.sendFile("index.html");
      }
      return reply.code(404).send({ error: "Not Found", message: `${req.method} ${req.url} not found` });
    });
  } else {
    app.log.warn({ webDistDir }, "no built web app found: serving the API only (run `pnpm build`)");
  }

  app.addHook("onClose", async () => {
    await io.close();
  });

  return { app, io };
}
