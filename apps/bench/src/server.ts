/**
 * Child-process entry: the real Fleetcore server (buildApp: Fastify, ingest, writer, Socket.IO with
 * /live) on a free port of 127.0.0.1, configured from its environment (DATABASE_URL points at the
 * bench database). Started by the benchmarks through child.ts; no simulator, no OsmAnd port.
 */
import type { AddressInfo } from "node:net";
import { loadEnv } from "@fleetcore/config";
import { disconnectAll, getPrisma } from "@fleetcore/db";
import { buildApp } from "@fleetcore/server";
import { failToParent, serveParent } from "./child";

try {
  const env = loadEnv();
  const db = getPrisma(env.DATABASE_URL);
  const { app } = await buildApp({ env, db });
  await app.listen({ port: 0, host: "127.0.0.1" });
  serveParent((app.server.address() as AddressInfo).port, async () => {
    await app.close();
    await disconnectAll();
  });
} catch (err) {
  failToParent(err);
}
