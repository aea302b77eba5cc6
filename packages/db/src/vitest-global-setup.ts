/**
 * Vitest global setup for projects that touch the database: one fresh, migrated database per project
 * per run (dropped afterwards), handed to tests as `inject("databaseUrl")` (application role) and `inject("ownerDatabaseUrl")`.
 */
import { loadEnv } from "@fleetcore/config";
import type { TestProject } from "vitest/node";
import type {} from "./test-context";
import { createTestDatabase } from "./testing";

export default async function setup(project: TestProject) {
  const env = loadEnv();
  const db = await createTestDatabase({
    databaseUrl: env.DATABASE_URL,
    ownerUrl: env.DATABASE_OWNER_URL,
    adminUrl: env.DATABASE_ADMIN_URL ?? env.DATABASE_OWNER_URL,
    label: project.name,
  });
  project.provide("databaseUrl", db.databaseUrl);
  project.provide("ownerDatabaseUrl", db.ownerUrl);
  project.provide("adminDatabaseUrl", db.adminUrl);
  return async () => {
    if (process.env.FLEETCORE_KEEP_TEST_DB) {
      console.log(`kept test database ${db.name}`);
      return;
    }
    await db.drop();
  };
}
