/**
 * Test support: every test run gets its own freshly migrated database, so runs never collide and
 * never touch real data. Used by vitest global setups (see vitest.config.ts).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "./migrate";
import { MIGRATIONS_DIR } from "./paths";

/** A throw-away database. */
export interface TestDatabase {
  /** URL for the application role (DATABASE_URL's role, subject to row-level security). */
  databaseUrl: string;
  /** URL for the owning role (DATABASE_OWNER_URL's): migrations and fixtures, bypasses RLS as owner. */
  ownerUrl: string;
  /** URL for the admin role on the new database. */
  adminUrl: string;
  name: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: "fleetcore-test-setup" });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates `fleetcore_test_<label>_<random>` owned by the owner role, installs TimescaleDB in it
 * (as admin: the extension needs superuser unless it already exists) and applies every migration
 * as the owner, exactly as production does.
 * @param opts.databaseUrl the application role's URL (its database part is ignored)
 * @param opts.ownerUrl the owner role's URL (its database part is ignored)
 * @param opts.adminUrl a role that may CREATE DATABASE and CREATE EXTENSION
 */
export async function createTestDatabase(opts: {
  databaseUrl: string;
  ownerUrl: string;
  adminUrl: string;
  label?: string;
}): Promise<TestDatabase> {
  const label = (opts.label ?? "run").replace(/[^a-z0-9_]/gi, "_").toLowerCase();
  const name = `fleetcore_test_${label}_${randomBytes(4).toString("hex")}`;
  const owner = decodeURIComponent(new URL(opts.ownerUrl).username);
  const adminServerUrl = opts.adminUrl;
  await adminQuery(adminServerUrl, `CREATE DATABASE "${name}" OWNER "${owner}"`);
  const adminUrl = withDatabase(opts.adminUrl, name);
  const databaseUrl = withDatabase(opts.databaseUrl, name);
  const ownerUrl = withDatabase(opts.ownerUrl, name);
  const drop = () => adminQuery(adminServerUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  try {
    await adminQuery(adminUrl, "CREATE EXTENSION IF NOT EXISTS timescaledb");
    await migrate({ databaseUrl: ownerUrl, migrationsDir: MIGRATIONS_DIR });
  } catch (err) {
    await drop().catch(() => {});
    throw err;
  }
  return { name, databaseUrl, ownerUrl, adminUrl, drop };
}
