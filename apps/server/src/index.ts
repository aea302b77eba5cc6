/**
 * Process entry: validate the environment, connect, serve; shut down cleanly on SIGINT/SIGTERM.
 */
import { loadEnv } from "@fleetcore/config";
import { extendDemoPortfolio } from "@fleetcore/core";
import { disconnectAll, getPgPool, getPrisma } from "@fleetcore/db";
import { SUPPORT_ROOM, tenantRoom, userRoom } from "@fleetcore/realtime";
import { scheduleAnalyticsJobs } from "./analyticsJobs";
import { buildApp } from "./app";
import { scheduleBillingJobs } from "./billingJobs";
import { runDailyScoringIfDue } from "./healthJobs";
import { scheduleHousekeeping } from "./housekeeping";
import { scheduleRetention } from "./retention";
import { FleetSimulator } from "./simulator";

const env = loadEnv();
const db = getPrisma(env.DATABASE_URL);
const { app, io, osmand, gtfs, services } = await buildApp({ env, db });

let closing = false;
let simulator: FleetSimulator | undefined;
const stopRetention = scheduleRetention(getPgPool(env.DATABASE_URL), app.log);
// Tickets resolved a week ago close; contracts past expiry expire (both emitted/recorded like manual
// changes); goals are measured; tenants due for their quarterly NPS survey are asked.
const stopHousekeeping = scheduleHousekeeping(
  db,
  (event) => io.to(SUPPORT_ROOM).to(tenantRoom(event.tenantId)).emit("ticket:updated", event),
  app.log,
  { email: services.billingEmail, emit: (c) => io.to(userRoom(c.userId)).emit("notification", c.event) },
);
// Activity metrics: the incremental rollup (hourly fleet rows, daily tenant rows) every 10 minutes.
// Then, once a day is complete everywhere, the daily health scoring (alerts notify account managers).
// With the simulator on (the demo), the generated portfolio tenants' modelled days are written first.
const demoMoving = (env.SIMULATOR ?? (env.NODE_ENV === "test" ? "off" : "on")) === "on";
const stopAnalyticsJobs = scheduleAnalyticsJobs(db, {
  log: app.log,
  lateWindowMs: env.ACTIVITY_LATE_WINDOW_HOURS * 3_600_000,
  ...(demoMoving
    ? {
        beforeRollup: async (now: Date) => {
          try {
            const demo = await extendDemoPortfolio(db, now);
            if (demo.daysWritten > 0 || demo.engagements > 0) app.log.info(demo, "demo portfolio moved on");
          } catch (err) {
            app.log.error({ err }, "demo portfolio extension failed");
          }
        },
      }
    : {}),
  afterRollup: async (now) => {
    const scored = await runDailyScoringIfDue(db, now, (userId, event) =>
      io.to(userRoom(userId)).emit("notification", event),
    );
    if (scored) app.log.info(scored, "daily health scores computed");
  },
});
// Usage reports to Stripe's Billing Meter and dunning, hourly — only when Stripe is configured.
const stripe = services.billing.stripe;
const stopBillingJobs = stripe
  ? scheduleBillingJobs(db, {
      stripe,
      email: services.billingEmail,
      rooms: services.rooms,
      log: app.log,
    })
  : () => {};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    await simulator?.stop();
    stopRetention();
    stopHousekeeping();
    stopAnalyticsJobs();
    stopBillingJobs();
    await app.close();
    await disconnectAll();
    process.exit(0);
  });
}

try {
  await app.listen({ port: env.PORT, host: env.HOST });
  const url = `http://localhost:${env.PORT}`;
  let osmandLine = `OsmAnd / Traccar Client: ${url}/ingest/osmand`;
  try {
    await osmand.listen({ port: env.OSMAND_PORT, host: env.HOST });
    osmandLine += ` and port ${env.OSMAND_PORT}`;
  } catch (err) {
    // The main port still serves the protocol; a taken 5055 must not take the platform down.
    app.log.error({ err, port: env.OSMAND_PORT }, "OsmAnd listener could not start (set OSMAND_PORT)");
  }
  if (demoMoving) {
    simulator = new FleetSimulator(db, `http://127.0.0.1:${env.PORT}/ingest/osmand`, {
      log: (msg, err) => app.log.warn({ err }, msg),
      whatsAppWebhookUrl: `http://127.0.0.1:${env.PORT}/webhooks/whatsapp`,
    });
    simulator.start();
    osmandLine += "\n  Demo fleet simulator: on (SIMULATOR=off to stop it)";
  }
  gtfs.start(); // tenants' GTFS-realtime feeds (stopped by app.close())
  app.log.info({ url }, "Fleetcore is running");
  console.log(
    `\n  Fleetcore is running at ${url}\n  Health: ${url}/healthz\n  ${osmandLine}\n  Stop with Ctrl+C; stop the local database with \`npm run db:stop\`.\n`,
  );
} catch (err) {
  app.log.fatal({ err }, "could not start the server");
  await disconnectAll();
  process.exit(1);
}
