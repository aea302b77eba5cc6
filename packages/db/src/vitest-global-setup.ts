/**
 * Vitest global setup for projects that touch the database: one fresh, migrated database per project
 * per run (dropped afterwards), handed to tests as `inject("databaseUrl")`.
 */
import { loadEnv } from "@fleetcore/config";
import type { TestProject } from "vitest/node";
import type {} from "./test-context";
import { createTestDatabase } from "./testing";

export default async function setup(project: TestProject) {
  const env = loadEnv();
  const db = await createTestDatabase({
    databaseUrl: env.DATABASE_URL,
    adminUrl: env.DATABASE_ADMIN_URL ?? env.DATABASE_URL,
    label: project.name,
  });
  project.provide("databaseUrl", db.databaseUrl);
  project.provide("adminDatabaseUrl", db.adminUrl);
  return async () => {
    if (process.env.FLEETCORE_KEEP_TEST_DB) {
      console.log(`kept test database ${db.name}`);
      return;
    }
    await db.drop();
  };
}
