/**
 * For test files: the database their project's global setup created (see vitest-global-setup.ts).
 */
import { inject } from "vitest";
import { getPrisma, type PrismaClient } from "./client";

declare module "vitest" {
  export interface ProvidedContext {
    /** Application-role URL of this project's test database (row-level security applies). */
    databaseUrl: string;
    /** Owner-role URL of the same database (migrations, fixtures; bypasses RLS as owner). */
    ownerDatabaseUrl: string;
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

/** URL of the same database as its owner (for migrations and cross-tenant fixtures). */
export function testOwnerDatabaseUrl(): string {
  return inject("ownerDatabaseUrl");
}

/** A PrismaClient connected as the owner: fixtures that must ignore row-level security. */
export function testOwnerPrisma(): PrismaClient {
  return getPrisma(testOwnerDatabaseUrl(), { maxConnections: 3 });
}
