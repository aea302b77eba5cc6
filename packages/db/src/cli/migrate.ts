/**
 * `pnpm db:migrate`: applies pending migrations as DATABASE_OWNER_URL (or the embedded cluster's database).
 * Exit code 1 with the failing migration's name and PostgreSQL's error when one fails.
 */
import { loadEnv } from "@fleetcore/config";
import { migrate } from "../migrate";
import { MIGRATIONS_DIR } from "../paths";

const env = loadEnv();
try {
  const result = await migrate({
    databaseUrl: env.DATABASE_OWNER_URL,
    migrationsDir: MIGRATIONS_DIR,
    log: console.log,
  });
  console.log(
    result.applied.length > 0
      ? `migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`
      : `migrations: database is up to date (${result.alreadyApplied.length} applied)`,
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
