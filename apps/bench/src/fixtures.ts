/**
 * A throw-away, migrated database per benchmark run (packages/db createTestDatabase, the same as
 * the test suites use), and the fixtures the benchmarks need in it: tenants, one vehicle and one
 * GPS device per unique id, a batch-ingest API key and a wall-display token per tenant. Written as
 * the owner role with plain SQL, so thousands of devices take a second.
 */
import { loadEnv } from "@fleetcore/config";
import { generateToken, hashToken } from "@fleetcore/core";
import { createTestDatabase, type TestDatabase } from "@fleetcore/db/testing";
import pg from "pg";

export interface BenchTenant {
  id: string;
  /** Batch ingest key (`Authorization: Bearer <key>`). */
  apiKey: string;
  /** Raw display token (`auth: { displayToken }` on /live). */
  displayToken: string;
  /** unique id → tel_devices.id, for this tenant's devices. */
  devices: Map<string, { deviceId: string; vehicleId: string }>;
}

/**
 * Creates `fleetcore_test_bench_<random>` from the environment's database (loadEnv: DATABASE_URL
 * or `.fleetcore/database.json`), migrated. Drop it with `db.drop()`; {@link onExit} helps.
 * @throws Error when the database server is unreachable (run `npm run db:up`)
 */
export async function createBenchDatabase(label: string): Promise<TestDatabase> {
  const env = loadEnv();
  return createTestDatabase({
    databaseUrl: env.DATABASE_URL,
    ownerUrl: env.DATABASE_OWNER_URL,
    adminUrl: env.DATABASE_ADMIN_URL ?? env.DATABASE_OWNER_URL,
    label,
  });
}

/**
 * Creates one active tenant per entry of `uniqueIdsPerTenant`, each with a vehicle + active device
 * per unique id, an ingest API key and a display token.
 * @param ownerUrl owner-role URL of the bench database (bypasses RLS as table owner)
 */
export async function seedBenchTenants(ownerUrl: string, uniqueIdsPerTenant: string[][]): Promise<BenchTenant[]> {
  const client = new pg.Client({ connectionString: ownerUrl, application_name: "fleetcore-bench-seed" });
  await client.connect();
  try {
    const tenants: BenchTenant[] = [];
    for (const [i, uniqueIds] of uniqueIdsPerTenant.entries()) {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO adm_tenants (name, slug, country_code, default_currency, status)
         VALUES ($1, $2, 'US', 'USD', 'active') RETURNING id`,
        [`Bench tenant ${i + 1}`, `bench-${i + 1}`],
      );
      const tenantId = (rows[0] as { id: string }).id;
      const { rows: devices } = await client.query<{ unique_id: string; id: string; vehicle_id: string }>(
        `WITH v AS (
           INSERT INTO flt_vehicles (tenant_id, name)
           SELECT $1, 'Vehicle ' || u FROM unnest($2::text[]) AS u RETURNING id, name
         )
         -- substr(name, 9): the unique id back from 'Vehicle <unique id>'
         INSERT INTO tel_devices (tenant_id, unique_id, name, vehicle_id)
         SELECT $1, substr(v.name, 9), substr(v.name, 9), v.id FROM v
         RETURNING unique_id, id, vehicle_id`,
        [tenantId, uniqueIds],
      );
      const apiKey = `fck_${generateToken()}`;
      await client.query(
        "INSERT INTO tel_ingest_api_keys (tenant_id, name, key_hash, prefix) VALUES ($1, 'bench', $2, $3)",
        [tenantId, hashToken(apiKey), apiKey.slice(0, 12)],
      );
      const displayToken = generateToken();
      await client.query("INSERT INTO adm_display_tokens (tenant_id, name, token_hash) VALUES ($1, 'bench', $2)", [
        tenantId,
        hashToken(displayToken),
      ]);
      tenants.push({
        id: tenantId,
        apiKey,
        displayToken,
        devices: new Map(devices.map((d) => [d.unique_id, { deviceId: d.id, vehicleId: d.vehicle_id }])),
      });
    }
    return tenants;
  } finally {
    await client.end();
  }
}

/**
 * Runs `cleanup` once: when `main` settles, or on SIGINT/SIGTERM (then exits 130).
 * @returns main's result
 */
export async function withCleanup<T>(main: () => Promise<T>, cleanup: () => Promise<void>): Promise<T> {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    await cleanup().catch((err) => console.error("cleanup failed:", err));
  };
  const onSignal = () => void once().then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await main();
  } finally {
    await once();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
