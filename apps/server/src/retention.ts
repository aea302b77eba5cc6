/**
 * Schedules the position retention job (packages/core `applyPositionRetention`): first run a minute
 * after start, then every 6 hours. Failures are logged and retried at the next run; an advisory
 * lock in the job makes concurrent server processes harmless.
 */
import { applyPositionRetention } from "@fleetcore/core";
import type { PgPool } from "@fleetcore/db";
import type { FastifyBaseLogger } from "fastify";

export const RETENTION_FIRST_RUN_MS = 60_000;
export const RETENTION_INTERVAL_MS = 6 * 60 * 60 * 1000;

/** Starts the schedule; returns a function that stops it. */
export function scheduleRetention(pool: PgPool, log: FastifyBaseLogger): () => void {
  const run = async () => {
    try {
      const r = await applyPositionRetention(pool);
      if (!r.ran) return log.info("position retention: another process is running it");
      const rows = Object.values(r.rowsDeletedByTenant).reduce((a, b) => a + b, 0);
      log.info(
        { chunkCutoff: r.chunkCutoff, chunksDropped: r.chunksDropped, rowsDeleted: rows },
        "position retention applied",
      );
    } catch (err) {
      log.error({ err }, "position retention failed");
    }
  };
  const first = setTimeout(run, RETENTION_FIRST_RUN_MS);
  const every = setInterval(run, RETENTION_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
