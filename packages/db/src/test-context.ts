/**
 * For test files: the database their project's global setup created (see vitest-global-setup.ts).
 */
import { inject } from "vitest";
import { getPrisma, type PrismaClient } from "./client";

declare module "vitest" {
  export interface ProvidedContext {
    /** Application-role URL of this project's test database. */
    databaseUrl: string;
    /** Admin-role URL of the same database (for assertions about roles and catalogs). */
    adminDatabaseUrl: string;
  }
}

/** URL of this test project's own, freshly migrated database. */
export function testDatabaseUrl(): string {
  return inject("databaseUrl");
}

/** The PrismaClient for this test project's database (cached per URL; close with `disconnectAll`). */
export function testPrisma(): PrismaClient {
  return getPrisma(testDatabaseUrl(), { maxConnections: 5 });
}
