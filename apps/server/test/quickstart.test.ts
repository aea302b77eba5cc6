/**
 * README's first command, `npm start`, end to end (packages/cli/bin/fleetcore.mjs start): against
 * this project's test database (DATABASE_URL given, so no cluster is started) it generates the
 * client, migrates, seeds (only an empty database), builds (cached) and serves with
 * NODE_ENV=production — without SECRETS_KEY in the environment, as on a newcomer's machine. The
 * server must answer /healthz. (It once refused to start: production requires SECRETS_KEY and the
 * CLI did not pass the checkout's key.) The database is seeded first, as the other server tests
 * have it, so the CLI's seed adds nothing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { disconnectAll } from "@fleetcore/db";
import { testDatabaseUrl, testOwnerDatabaseUrl, testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../../prisma/seed/demo";

const root = join(import.meta.dirname, "..", "..", "..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let child: ChildProcess | undefined;
afterAll(async () => {
  await disconnectAll();
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child?.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
});

describe("npm start", () => {
  it("serves the platform with NODE_ENV=production and no SECRETS_KEY set", async () => {
    // The seed's demo tenants, as every server test has them; and a marker that makes the seed skip
    // the 48 modelled portfolio tenants, which would change what other tests in this database see.
    await seedDemo(testOwnerPrisma());
    const marker = `quickstart-${Math.random().toString(36).slice(2, 8)}`;
    await testOwnerPrisma().tenant.create({
      data: {
        name: "Quick start marker",
        slug: marker,
        countryCode: "US",
        defaultCurrency: "USD",
        metadata: { demoPortfolio: true },
      },
    });
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_OWNER_URL: testOwnerDatabaseUrl(),
      PORT: String(port),
      OSMAND_PORT: "0",
      SIMULATOR: "off",
      LOG_LEVEL: "warn",
    };
    // What a newcomer's shell has: neither (vitest sets NODE_ENV=test).
    delete env.NODE_ENV;
    delete env.SECRETS_KEY;
    delete env.DATABASE_ADMIN_URL;
    let output = "";
    child = spawn(process.execPath, [join(root, "packages/cli/bin/fleetcore.mjs"), "start"], { cwd: root, env });
    child.stdout?.on("data", (d) => {
      output += String(d);
    });
    child.stderr?.on("data", (d) => {
      output += String(d);
    });
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + 170_000;
    let health: { status?: string } | null = null;
    while (Date.now() < deadline && health === null) {
      const early = await Promise.race([exited, new Promise<"wait">((r) => setTimeout(() => r("wait"), 1_000))]);
      if (early !== "wait") throw new Error(`npm start exited with ${early}:\n${output.slice(-3000)}`);
      health = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => (r.ok ? (r.json() as Promise<{ status?: string }>) : null))
        .catch(() => null);
    }
    expect(health, output.slice(-3000)).toMatchObject({ status: "ok" });
  }, 180_000);
});
