/**
 * @fleetcore/db — the Prisma client (one per process), TimescaleDB helpers and the migration runner.
 * Imports nothing above it (no core, api or apps).
 */
export * from "./client";
export * from "./generated/prisma/enums";
export * from "./migrate";
export * from "./paths";
export * from "./scope";
export * from "./timescale";
