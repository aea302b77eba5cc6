import type { AddressInfo } from "node:net";
import type { AppRouter } from "@fleetcore/api";
import { loadEnv } from "@fleetcore/config";
import { testDatabaseUrl, testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import superjson from "superjson";
import { seedDemo } from "../../../prisma/seed/demo";
import { DEMO_PASSWORD } from "../../../prisma/seed/identity";
import { type BuiltApp, buildApp } from "../src/app";

export { DEMO_PASSWORD };

/**
 * Starts the real server (Fastify + tRPC + Socket.IO) on a free port against the test database,
 * with the demo data set (tenants, fleet, one login per role) seeded once per database.
 */
export async function startTestServer(
  opts: { webDistDir?: string; env?: Record<string, string> } = {},
): Promise<BuiltApp & { url: string }> {
  await seedDemo(testOwnerPrisma());
  const env = loadEnv({
    ...process.env,
    DATABASE_URL: testDatabaseUrl(),
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    PORT: "0",
    ...opts.env,
  });
  const built = await buildApp({ env, db: testPrisma(), webDistDir: opts.webDistDir });
  await built.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = built.app.server.address() as AddressInfo;
  return { ...built, url: `http://127.0.0.1:${port}` };
}

/** Signs in over HTTP; returns the `name=value` cookie pair to send back and the Set-Cookie header. */
export async function httpLogin(
  url: string,
  email: string,
  password = DEMO_PASSWORD,
  headers: Record<string, string> = {},
): Promise<{ cookie: string; setCookie: string }> {
  const res = await fetch(`${url}/trpc/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url, ...headers },
    body: JSON.stringify({ json: { email, password } }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: HTTP ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get("set-cookie") ?? "";
  return { cookie: setCookie.split(";")[0] ?? "", setCookie };
}

/**
 * A typed tRPC client of the server at `url` sending `cookie` (a signed-in browser, as far as the
 * server can tell) and the server's own Origin; without a cookie, an anonymous caller.
 */
export function trpcClient(url: string, cookie?: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url}/trpc`,
        transformer: superjson,
        headers: () => (cookie ? { cookie, origin: url } : { origin: url }),
      }),
    ],
  });
}
