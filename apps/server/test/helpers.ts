import type { AddressInfo } from "node:net";
import { loadEnv } from "@fleetcore/config";
import { testDatabaseUrl, testPrisma } from "@fleetcore/db/test-context";
import { type BuiltApp, buildApp } from "../src/app";

/** Starts the real server (Fastify + tRPC + Socket.IO) on a free port against the test database. */
export async function startTestServer(opts: { webDistDir?: string } = {}): Promise<BuiltApp & { url: string }> {
  const env = loadEnv({
    ...process.env,
    DATABASE_URL: testDatabaseUrl(),
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    PORT: "0",
  });
  const built = await buildApp({ env, db: testPrisma(), webDistDir: opts.webDistDir });
  await built.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = built.app.server.address() as AddressInfo;
  return { ...built, url: `http://127.0.0.1:${port}` };
}
