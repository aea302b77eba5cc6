/**
 * Prisma CLI configuration (Prisma 7 reads the database URL from here, not from schema.prisma).
 *
 * Here, migrations are applied by `pnpm db:migrate` (packages/db/src/migrate.ts) because Prisma's
 * schema engine cannot be downloaded on every machine; where it can, `prisma migrate deploy` and
 * `prisma migrate status` read the same folder and the same `_prisma_migrations` history.
 * DATABASE_URL is read directly because this file is loaded by the Prisma CLI, not by Fleetcore.
 */
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
    seed: "pnpm db:seed",
  },
  datasource: {
    // `prisma generate` needs no database; the empty fallback keeps it working without one.
    // Migrations run as the database owner (DATABASE_OWNER_URL), not the application role.
    url: process.env.DATABASE_OWNER_URL ?? process.env.DATABASE_URL ?? "",
  },
});
