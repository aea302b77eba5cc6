import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate, readMigrations } from "../src/index";
import { testOwnerDatabaseUrl } from "../src/test-context";

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: testOwnerDatabaseUrl() });
  await client.connect();
});
afterAll(() => client.end());

/** A scratch migrations folder: copies of the real migrations plus extra ones. */
function scratchMigrations(extra: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "fleetcore-migrations-"));
  for (const m of readMigrations(MIGRATIONS_DIR)) {
    mkdirSync(join(dir, m.name));
    writeFileSync(join(dir, m.name, "migration.sql"), m.sql);
  }
  for (const [name, sql] of Object.entries(extra)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

describe("migration runner (Prisma-compatible, without the schema engine)", () => {
  it("recorded the init migration in _prisma_migrations the way prisma migrate deploy does", async () => {
    const local = readMigrations(MIGRATIONS_DIR);
    const { rows } = await client.query(
      `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, length(id) AS id_length
         FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(local.map((m) => m.name));
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(local[i]?.checksum);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id_length).toBe(36);
    }
  });

  it("is idempotent: a second run applies nothing", async () => {
    const result = await migrate({ databaseUrl: testOwnerDatabaseUrl(), migrationsDir: MIGRATIONS_DIR });
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied.length).toBeGreaterThan(0);
  });

  it("rolls a failing migration back entirely, records why, and applies it once fixed", async () => {
    const name = "29990101000000_broken";
    const broken = scratchMigrations({
      [name]: "CREATE TABLE zz_half (id int);\nSELECT this_function_does_not_exist();\n",
    });
    await expect(migrate({ databaseUrl: testOwnerDatabaseUrl(), migrationsDir: broken })).rejects.toThrow(
      /29990101000000_broken failed: .*this_function_does_not_exist/,
    );
    const half = await client.query("SELECT to_regclass('zz_half') AS t");
    expect(half.rows[0].t).toBeNull();
    const { rows } = await client.query(
      "SELECT logs, finished_at, rolled_back_at FROM _prisma_migrations WHERE migration_name = $1",
      [name],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].logs).toMatch(/this_function_does_not_exist/);
    expect(rows[0].finished_at).toBeNull();
    expect(rows[0].rolled_back_at).toBeInstanceOf(Date);

    const fixed = scratchMigrations({ [name]: "CREATE TABLE zz_half (id int);\nDROP TABLE zz_half;\n" });
    const result = await migrate({ databaseUrl: testOwnerDatabaseUrl(), migrationsDir: fixed });
    expect(result.applied).toEqual([name]);
    await client.query("DELETE FROM _prisma_migrations WHERE migration_name = $1", [name]);
  });

  it("runs migrations with their own transaction control unwrapped, as migrate deploy does", async () => {
    // CREATE INDEX CONCURRENTLY fails inside any transaction block; it must be a migration's only statement.
    const name = "29990303000000_concurrent_index";
    const dir = scratchMigrations({
      [name]: "CREATE INDEX CONCURRENTLY zz_drivers_email_idx ON rid_drivers (email);\n",
    });
    try {
      const result = await migrate({ databaseUrl: testOwnerDatabaseUrl(), migrationsDir: dir });
      expect(result.applied).toEqual([name]);
    } finally {
      await client.query("DROP INDEX IF EXISTS zz_drivers_email_idx");
      await client.query("DELETE FROM _prisma_migrations WHERE migration_name = $1", [name]);
    }
  });

  it("refuses to continue past an unresolved failed migration (Prisma P3009)", async () => {
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES (gen_random_uuid()::text, $1, $2, 'boom')`,
      ["0".repeat(64), "29990202000000_crashed"],
    );
    try {
      await expect(migrate({ databaseUrl: testOwnerDatabaseUrl(), migrationsDir: MIGRATIONS_DIR })).rejects.toThrow(
        /P3009/,
      );
    } finally {
      await client.query("DELETE FROM _prisma_migrations WHERE migration_name = '29990202000000_crashed'");
    }
  });
});
