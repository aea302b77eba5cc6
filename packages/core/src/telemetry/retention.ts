/**
 * Position retention: each tenant keeps its positions for `adm_tenants.position_retention_days`
 * (default 365, bounded 7–3650). TimescaleDB's Apache edition has no retention policies, so the
 * server runs {@link applyPositionRetention} on a schedule:
 *
 * 1. Chunks of the `tel_positions` hypertable hold every tenant's rows for a day, so a whole chunk
 *    can go only once it is older than the LONGEST period of any tenant: those are dropped with
 *    `drop_chunks` (through the SECURITY DEFINER `app_drop_position_chunks`, as the application
 *    role owns no table) — a metadata operation, no row scan, space returned at once.
 * 2. Tenants with a shorter period have their older rows deleted, one day-window per statement,
 *    oldest first, so each DELETE touches one chunk through the (tenant_id, time) index and no
 *    transaction grows large.
 *
 * Source: TimescaleDB `drop_chunks` (https://docs.timescale.com/api/latest/hypertable/drop_chunks/).
 * A Postgres advisory lock keeps two server processes from running it at once.
 */
import { type PgPool, withPgScope } from "@fleetcore/db";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Advisory lock key of the retention job (arbitrary, fixed). */
const RETENTION_LOCK_KEY = 4_604_771_201;

export interface RetentionResult {
  /** False when another process held the job's lock (nothing done). */
  ran: boolean;
  /** Cut-off applied to whole chunks: the longest retention period among tenants. */
  chunkCutoff: Date | null;
  chunksDropped: number;
  /** Rows deleted per tenant id whose period is shorter than the longest. */
  rowsDeletedByTenant: Record<string, number>;
}

/**
 * Applies every tenant's position retention period once.
 * @param pool application-role pool (runs in the `system` scope)
 * @param now the clock, for tests
 */
export async function applyPositionRetention(pool: PgPool, now = new Date()): Promise<RetentionResult> {
  const client = await pool.connect();
  try {
    const { rows: lock } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
      RETENTION_LOCK_KEY,
    ]);
    if (!lock[0]?.ok) return { ran: false, chunkCutoff: null, chunksDropped: 0, rowsDeletedByTenant: {} };
    try {
      return await runRetention(pool, now);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [RETENTION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function runRetention(pool: PgPool, now: Date): Promise<RetentionResult> {
  const tenants = await withPgScope(pool, { kind: "system" }, async (c) => {
    const { rows } = await c.query<{ id: string; days: number }>(
      "SELECT id, position_retention_days AS days FROM adm_tenants",
    );
    return rows;
  });
  const result: RetentionResult = { ran: true, chunkCutoff: null, chunksDropped: 0, rowsDeletedByTenant: {} };
  if (tenants.length === 0) return result;
  const longestDays = Math.max(...tenants.map((t) => t.days));
  const chunkCutoff = new Date(now.getTime() - longestDays * DAY_MS);
  result.chunkCutoff = chunkCutoff;
  result.chunksDropped = await withPgScope(pool, { kind: "system" }, async (c) => {
    const { rows } = await c.query<{ n: number }>("SELECT app_drop_position_chunks($1) AS n", [chunkCutoff]);
    return rows[0]?.n ?? 0;
  });
  for (const tenant of tenants) {
    if (tenant.days >= longestDays) continue;
    const cutoff = new Date(now.getTime() - tenant.days * DAY_MS);
    const deleted = await deleteTenantPositionsBefore(pool, tenant.id, cutoff);
    if (deleted > 0) result.rowsDeletedByTenant[tenant.id] = deleted;
  }
  return result;
}

/** Deletes one tenant's positions older than `cutoff`, one day-window per statement. Returns rows deleted. */
async function deleteTenantPositionsBefore(pool: PgPool, tenantId: string, cutoff: Date): Promise<number> {
  const scope = { kind: "tenant", tenantId } as const;
  const oldest = await withPgScope(pool, scope, async (c) => {
    const { rows } = await c.query<{ t: Date | null }>(
      "SELECT min(time) AS t FROM tel_positions WHERE tenant_id = $1 AND time < $2",
      [tenantId, cutoff],
    );
    return rows[0]?.t ?? null;
  });
  if (!oldest) return 0;
  let deleted = 0;
  for (let from = oldest.getTime(); from < cutoff.getTime(); from += DAY_MS) {
    const to = Math.min(from + DAY_MS, cutoff.getTime());
    deleted += await withPgScope(pool, scope, async (c) => {
      const res = await c.query("DELETE FROM tel_positions WHERE tenant_id = $1 AND time >= $2 AND time < $3", [
        tenantId,
        new Date(from),
        new Date(to),
      ]);
      return res.rowCount ?? 0;
    });
  }
  return deleted;
}
