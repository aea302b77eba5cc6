/**
 * Builds the Fastify 5 application: tRPC at /trpc, Socket.IO at /socket.io, GET /healthz, the
 * ingest routes (/ingest/…), the webhooks (/webhooks/whatsapp, /webhooks/samsara, /webhooks/stripe),
 * GET /display/<token> (opens a wall-display session) and, when a built web app exists, the
 * dashboard at / (with client-side routes falling back to index.html).
 * Wiring only: business rules live in @fleetcore/core, procedures in @fleetcore/api.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import { type AppRouter, appRouter, type Services, type TenantEventPublisher } from "@fleetcore/api";
import type { Env } from "@fleetcore/config";
import {
  type BillingServices,
  configureGtfsFeedFetch,
  configureSecrets,
  createStripeClient,
  DerivedEventPipeline,
  DomainError,
  IngestService,
  LoginThrottle,
  OutboundMessageDispatcher,
  OutboxEmailTransport,
  onDevicesChanged,
  onEventRulesChanged,
  onGeofencesChanged,
  openDisplaySession,
  PositionWriter,
  UsageRecorder,
} from "@fleetcore/core";
import { getPgPool, getTimescaleStatus, type PrismaClient, REPO_ROOT } from "@fleetcore/db";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "@fleetcore/realtime";
import { SOCKET_PATH, tenantRoom } from "@fleetcore/realtime";
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance } from "fastify";
import { Server as SocketServer } from "socket.io";
import { GtfsRealtimePoller } from "./gtfs";
import { registerFileRoutes } from "./http/files";
import { checkOrigin, clientMeta, cookieJar, createRequestContext } from "./http/session";
import { buildOsmAndServer, registerIngestRoutes } from "./ingest";
import { startLiveFeed } from "./live";
import { authenticateSocket, registerSocketHandlers, sweepEndedSockets } from "./realtime";
import { connectRedisAdapter } from "./redisAdapter";
import { registerWebhookRoutes } from "./webhooks";

export type FleetcoreSocketServer = SocketServer<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export interface BuiltApp {
  app: FastifyInstance;
  io: FleetcoreSocketServer;
  /** The OsmAnd protocol listener (not listening yet: `osmand.listen({ port: env.OSMAND_PORT })`). */
  osmand: FastifyInstance;
  ingest: IngestService;
  /** The GTFS-realtime feed poller (not polling yet: `gtfs.start()`; stopped on close). */
  gtfs: GtfsRealtimePoller;
  /** Events derived from positions (tests wait on `derivedEvents.reloaded()` after a settings change). */
  derivedEvents: DerivedEventPipeline;
  /** The services procedures receive (index.ts starts the billing jobs when `services.billing.stripe` is set). */
  services: Services;
}

/**
 * @param opts.env validated environment (see @fleetcore/config)
 * @param opts.db the process's PrismaClient
 * @param opts.webDistDir built web app to serve; defaults to env.WEB_DIST_DIR or apps/web/dist
 * @param opts.services overrides (tests inject a login throttle or email transport)
 */
export async function buildApp(opts: {
  env: Env;
  db: PrismaClient;
  webDistDir?: string;
  services?: Partial<Services>;
}): Promise<BuiltApp> {
  const { env, db } = opts;
  configureSecrets(env.SECRETS_KEY);
  const production = env.NODE_ENV === "production";
  const app = Fastify({
    trustProxy: env.TRUST_PROXY,
    logger: {
      level: env.LOG_LEVEL,
      ...(env.NODE_ENV === "development" ? {} : { redact: ["req.headers.cookie", "req.headers.authorization"] }),
    },
    routerOptions: { maxParamLength: 5000 },
  });

  // REDIS_URL: several server processes share rooms (see redisAdapter.ts).
  const redis = env.REDIS_URL ? await connectRedisAdapter(env.REDIS_URL, app.log) : null;
  const io: FleetcoreSocketServer = new SocketServer(app.server, {
    ...(redis ? { adapter: redis.adapter } : {}),
    path: SOCKET_PATH,
    serveClient: false,
    // A wall display that drops for under two minutes gets what it missed on reconnection.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000 },
  });
  const publish: TenantEventPublisher = (tenantId, event, ...args) => {
    io.to(tenantRoom(tenantId)).emit(event, ...args);
  };

  const publicUrl = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  // Billing with Stripe: off (billing pages say "not configured") without STRIPE_SECRET_KEY.
  const billing: BillingServices = opts.services?.billing ?? {
    stripe: env.STRIPE_SECRET_KEY
      ? createStripeClient({ secretKey: env.STRIPE_SECRET_KEY, apiBaseUrl: env.STRIPE_API_BASE_URL ?? null })
      : null,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? null,
  };
  const email = opts.services?.email ?? new OutboxEmailTransport(app.log);
  const services: Services = {
    email,
    loginThrottle: opts.services?.loginThrottle ?? new LoginThrottle(),
    publicUrl: opts.services?.publicUrl ?? publicUrl,
    // Replaced below, once the live feed and the dispatcher exist.
    feed: { publishFeed() {} },
    outbound: { kick() {} },
    rooms: opts.services?.rooms ?? ((room, event, ...args) => io.to(room).emit(event, ...args)),
    billing,
    billingEmail: opts.services?.billingEmail ?? { transport: email, publicUrl: opts.services?.publicUrl ?? publicUrl },
  };
  // Product usage events: buffered, written in batches every few seconds, flushed on close.
  const ownUsage = opts.services?.usage
    ? null
    : UsageRecorder.forPrisma(db, { onError: (err, lost) => app.log.warn({ err, lost }, "usage events lost") }).start();
  services.usage = opts.services?.usage ?? ownUsage ?? undefined;
  const allowedOrigins = env.PUBLIC_URL ? [new URL(env.PUBLIC_URL).origin] : [];

  const fanout = startLiveFeed(io, db, { clustered: redis !== null });
  // Events derived from positions (overspeed, idle, geofences) and device connection changes.
  const pool = getPgPool(env.DATABASE_URL);
  const derivedEvents = new DerivedEventPipeline(db, {
    pool,
    publish: (events) => fanout.publishFeed({ events }),
    log: app.log,
  });
  await derivedEvents.start();
  fanout.onDeviceStatus((tenantId, changes) => derivedEvents.observeDevices(tenantId, changes));
  const reloadFailed = (err: unknown) => app.log.warn({ err }, "reloading event rules failed");
  const stopGeofenceWatch = onGeofencesChanged((tenantId) => {
    derivedEvents.reloadGeofences(tenantId).catch(reloadFailed);
  });
  const stopRulesWatch = onEventRulesChanged(() => {
    derivedEvents.reloadLimits().catch(reloadFailed);
  });
  // Dispatcher replies: queued by conversation.send, sent after commit (and swept every 10 s).
  const outbound = new OutboundMessageDispatcher(db, {
    publish: (messages) => fanout.publishFeed({ messages }),
    ...(env.WHATSAPP_API_BASE_URL ? { whatsAppBaseUrl: env.WHATSAPP_API_BASE_URL } : {}),
    log: app.log,
  });
  outbound.start();
  services.feed = opts.services?.feed ?? fanout;
  services.outbound = opts.services?.outbound ?? outbound;
  const writer = new PositionWriter(pool, {
    onCommitted: (fixes) => {
      fanout.push(fixes);
      derivedEvents.observe(fixes);
    },
  });
  const ingest = new IngestService(pool, writer);
  const stopDeviceWatch = onDevicesChanged(() => ingest.invalidateDevices());
  const osmand = buildOsmAndServer(ingest, { logLevel: env.LOG_LEVEL });
  configureGtfsFeedFetch({
    allowPrivateNetworks: (env.GTFS_ALLOW_PRIVATE_URLS ?? String(env.NODE_ENV !== "production")) === "true",
  });
  const gtfs = new GtfsRealtimePoller({ pool, ingest, log: app.log });

  io.use(authenticateSocket(db));
  registerSocketHandlers(io, db);
  // Ended sessions (logout, member removed, display revoked) lose their live feed within a minute.
  const sweep = setInterval(() => {
    sweepEndedSockets(io, db).catch((err) => app.log.warn({ err }, "socket sweep failed"));
  }, 60_000);
  sweep.unref();

  await app.register(fastifyCookie);
  app.addHook("onRequest", async (req, reply) => {
    const refused = checkOrigin(req, allowedOrigins);
    if (refused) return reply.code(403).send({ error: "Forbidden", message: refused });
  });

  // A wall display opens this URL once: the token becomes a display session cookie, and the
  // browser lands on /wall without the token in its address bar or history.
  app.get<{ Params: { token: string } }>("/display/:token", async (req, reply) => {
    try {
      const session = await openDisplaySession(db, req.params.token, clientMeta(req));
      cookieJar(req, reply, production).set(session.token, session.expiresAt);
      return reply.header("Cache-Control", "no-store").redirect("/wall", 303);
    } catch (err) {
      if (err instanceof DomainError) {
        return reply
          .code(401)
          .header("Cache-Control", "no-store")
          .type("text/html")
          .send(displayRefusedPage(err.message));
      }
      throw err;
    }
  });

  registerIngestRoutes(app, { ingest, pool, db, publish: (events) => fanout.publishFeed({ events }) });
  registerWebhookRoutes(app, { db, fanout, services });
  await registerFileRoutes(app, { db, production });

  // tRPC bodies keep Fastify's default limit (1 MiB): files travel through /api/files, not tRPC.
  await app.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }) => createRequestContext(req, res, { prisma: db, publish, services, production }),
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
    clearInterval(sweep);
    stopDeviceWatch();
    stopGeofenceWatch();
    stopRulesWatch();
    await outbound.stop();
    await ownUsage?.stop();
    await derivedEvents.stop();
    await gtfs.stop();
    fanout.stop();
    await osmand.close();
    await io.close();
    await redis?.close();
  });

  return { app, io, osmand, ingest, gtfs, derivedEvents, services };
}

function displayRefusedPage(message: string): string {
  const safe = message.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fleetcore display</title></head>
<body style="font-family:system-ui;background:#0f172a;color:#e2e8f0;display:grid;place-items:center;height:100vh;margin:0">
<main><h1>This display link does not work</h1><p>${safe}</p><p>Ask a tenant admin for a new display link.</p></main></body></html>`;
}
