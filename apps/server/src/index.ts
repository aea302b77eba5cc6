/**
 * Process entry: validate the environment, connect, serve; shut down cleanly on SIGINT/SIGTERM.
 */
import { loadEnv } from "@fleetcore/config";
import { disconnectAll, getPrisma } from "@fleetcore/db";
import { buildApp } from "./app";

const env = loadEnv();
const db = getPrisma(env.DATABASE_URL);
const { app } = await buildApp({ env, db });

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    await app.close();
    await disconnectAll();
    process.exit(0);
  });
}

try {
  await app.listen({ port: env.PORT, host: env.HOST });
  const url = `http://localhost:${env.PORT}`;
  app.log.info({ url }, "Fleetcore is running");
  console.log(
    `\n  Fleetcore is running at ${url}\n  Health: ${url}/healthz\n  Stop with Ctrl+C; stop the local database with \`npm run db:stop\`.\n`,
  );
} catch (err) {
  app.log.fatal({ err }, "could not start the server");
  await disconnectAll();
  process.exit(1);
}
