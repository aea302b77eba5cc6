import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root, from this file's location (packages/db/src). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** `prisma/migrations` — Prisma's layout, read by {@link migrate} and by `prisma migrate deploy`. */
export const MIGRATIONS_DIR = join(REPO_ROOT, "prisma", "migrations");
/** The one schema. */
export const SCHEMA_PATH = join(REPO_ROOT, "prisma", "schema.prisma");
