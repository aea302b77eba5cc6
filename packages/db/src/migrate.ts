/**
 * Applies `prisma/migrations/<timestamp>_<name>/migration.sql` in order WITHOUT Prisma's schema engine
 * (which cannot be downloaded on every machine), recording each in `_prisma_migrations` exactly as
 * `prisma migrate deploy` does, so that `prisma migrate status`/`deploy` agree wherever the engine exists.
 *
 * Compatibility with Prisma Migrate (prisma-engines, schema-engine/connectors/sql-schema-connector):
 * - the history table's DDL below is Prisma's own for PostgreSQL;
 * - `checksum` is the lowercase hex SHA-256 of the migration.sql bytes;
 * - a migration is applied when `finished_at` is set and `rolled_back_at` is null; a row with neither
 *   is a failed migration, which blocks further migrations until resolved (Prisma's P3009);
 * - concurrent runners are serialised by the same session-level advisory lock key Prisma uses.
 *
 * One difference, on purpose: a migration runs inside one transaction, so a failing migration leaves no
 * half-applied schema; its row keeps the error in `logs` and is marked rolled back, so the fixed file
 * simply runs again. A migration that cannot run in a transaction — it has its own BEGIN/COMMIT (as
 * Prisma writes for some enum changes), uses CONCURRENTLY, or carries the marker
 * `-- fleetcore:no-transaction` — runs as `migrate deploy` runs it, and a failure leaves it failed
 * (P3009) for a person to resolve.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";

/** Prisma Migrate's advisory lock key on PostgreSQL. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

const HISTORY_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** One migration directory on disk. */
export interface LocalMigration {
  /** Directory name, e.g. `20261121000000_init`. */
  name: string;
  sql: string;
  /** Lowercase hex SHA-256 of migration.sql. */
  checksum: string;
}

/** Result of {@link migrate}. */
export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  /** Applied migrations whose file changed since (Prisma warns about these too). */
  modified: string[];
}

/** True when `sql` must not be wrapped in a transaction (see the module comment). */
export function needsOwnTransactionControl(sql: string): boolean {
  return (
    /^\s*(BEGIN|COMMIT|START\s+TRANSACTION|ROLLBACK)\s*;/im.test(sql) ||
    /\bCONCURRENTLY\b/i.test(sql) ||
    sql.includes("-- fleetcore:no-transaction")
  );
}

/** Reads migration directories in lexical (= timestamp) order. */
export function readMigrations(migrationsDir: string): LocalMigration[] {
  if (!existsSync(migrationsDir)) return [];
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(migrationsDir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(migrationsDir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

interface HistoryRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

/**
 * Applies pending migrations to the database at `databaseUrl`.
 * @param opts.migrationsDir folder holding `<name>/migration.sql`
 * @param opts.log progress sink (defaults to silent)
 * @throws Error when a previous migration failed and was not resolved, or when a migration fails
 *   (the error names the migration and carries PostgreSQL's message).
 */
export async function migrate(opts: {
  databaseUrl: string;
  migrationsDir: string;
  log?: (message: string) => void;
}): Promise<MigrateResult> {
  const log = opts.log ?? (() => {});
  const local = readMigrations(opts.migrationsDir);
  const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: "fleetcore-migrate" });
  await client.connect();
  const result: MigrateResult = { applied: [], alreadyApplied: [], modified: [] };
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
    await client.query(HISTORY_TABLE_DDL);
    const { rows } = await client.query<HistoryRow>(
      `SELECT id, migration_name, checksum, finished_at, rolled_back_at, logs
         FROM "_prisma_migrations" ORDER BY started_at`,
    );
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new Error(
        `migration ${failed.migration_name} failed earlier and is not resolved (Prisma P3009).\n` +
          `Fix the database, then mark it with \`prisma migrate resolve --rolled-back ${failed.migration_name}\` ` +
          `or delete its row from _prisma_migrations. Its log:\n${failed.logs ?? "(none)"}`,
      );
    }
    const applied = new Map(
      rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r]),
    );
    for (const m of local) {
      const done = applied.get(m.name);
      if (done) {
        result.alreadyApplied.push(m.name);
        if (done.checksum !== m.checksum) {
          result.modified.push(m.name);
          log(`warning: ${m.name} was modified after it was applied`);
        }
        continue;
      }
      const id = randomUUID();
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), 0)`,
        [id, m.checksum, m.name],
      );
      const ownTransactionControl = needsOwnTransactionControl(m.sql);
      try {
        if (ownTransactionControl) {
          await client.query(m.sql);
        } else {
          await client.query("BEGIN");
          await client.query(m.sql);
          await client.query("COMMIT");
        }
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        const message = err instanceof Error ? err.message : String(err);
        if (ownTransactionControl) {
          // Possibly half-applied, exactly like `migrate deploy`: leave it failed for a person (P3009).
          await client.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, message]);
          throw new Error(`migration ${m.name} failed and may be partly applied: ${message}`);
        }
        // The transaction rolled back, so record the attempt as rolled back (what `prisma migrate
        // resolve --rolled-back` would do): the fixed migration can then simply be re-run.
        await client.query(`UPDATE "_prisma_migrations" SET logs = $2, rolled_back_at = now() WHERE id = $1`, [
          id,
          message,
        ]);
        throw new Error(`migration ${m.name} failed: ${message}`);
      }
      await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [
        id,
      ]);
      result.applied.push(m.name);
      log(`applied ${m.name}`);
    }
    const unknown = [...applied.keys()].filter((name) => !local.some((m) => m.name === name));
    if (unknown.length > 0) log(`warning: the database has migrations not found locally: ${unknown.join(", ")}`);
    return result;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
