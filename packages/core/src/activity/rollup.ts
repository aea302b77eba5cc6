/**
 * Incremental activity rollups (issue 8): keeps adm_tenant_fleet_hourly (per tenant and UTC hour)
 * and adm_tenant_activity_metrics (per tenant-local day) up to date from the source tables, on
 * TimescaleDB's Apache edition (no continuous aggregates; see queries.ts for where they could replace
 * the hourly SQL).
 *
 * Watermark-based: adm_rollup_watermarks holds, per job, the instant up to which everything is
 * aggregated. A run recomputes [watermark − late window, now) — so positions that devices buffered
 * offline and delivered late, answers to yesterday's messages, late audit rows… are picked up by
 * the following runs for as long as they are within the window (default 48 h) — then moves the
 * watermark to `now` in the same transaction as the rows (it only advances with a commit). Every
 * statement recomputes whole hours and whole local days from all their source rows, so re-running
 * any range is idempotent. A long catch-up (server down for days) is done in chunks of at most
 * `maxChunkMs`, each its own transaction, each advancing the watermark.
 *
 * Concurrency: each chunk's transaction first takes a transaction-scoped advisory lock; a process
 * that does not get it stops (another is rolling up), so several server processes may schedule the
 * job. {@link backfillActivity} waits for the same lock.
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import { usableTimeZone } from "@fleetcore/validators";
import { DomainError } from "../errors";
import { type ActivityRollupQueries, apacheActivityQueries, type RollupTenant } from "./queries";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The watermark job name of the activity rollup (both tables advance together). */
export const ACTIVITY_ROLLUP_JOB = "tenant_activity";
/** Default late-data window: what arrives up to 48 h late is still counted. */
export const ACTIVITY_LATE_WINDOW_MS = 48 * HOUR_MS;
/** Default most time one chunk (transaction) of a catch-up covers beyond the late window. */
export const ACTIVITY_MAX_CHUNK_MS = 7 * DAY_MS;
/** A chunk's transaction may run this long (withScope's 30 s is too short for a 1,000-tenant backfill week). */
const ROLLUP_TX = { timeoutMs: 10 * 60_000 };

/** Options shared by {@link runActivityRollup} and {@link backfillActivity}. */
export interface ActivityRollupOptions {
  /** The statements to run (default {@link apacheActivityQueries}). */
  queries?: ActivityRollupQueries;
  /**
   * Only these tenants (tests, or a seed recomputing its live demo tenants). A restricted rollup
   * must use its own `job`, since a watermark is shared by every tenant it covers.
   */
  tenantIds?: readonly string[];
}

/** What one {@link runActivityRollup} did. */
export interface ActivityRollupResult {
  /** False when another process held the job's lock (nothing done by this one). */
  ran: boolean;
  /** The first range start recomputed, null when nothing ran. */
  from: Date | null;
  /** The watermark after the run (null when none was ever written). */
  watermark: Date | null;
  /** Transactions committed. */
  chunks: number;
  tenants: number;
  hourlyUpserted: number;
  hourlyDeleted: number;
  dailyUpserted: number;
}

function lockKey(job: string): string {
  return `adm_rollup_watermarks:${job}`;
}

/**
 * The tenants whose activity is measured: not deleted, and not the seed's modelled demo portfolio
 * (`metadata.demoPortfolio = true`, prisma/seed/portfolio.ts: their history is generated, and a
 * measured zero would overwrite it), each with its usable time zone: the stored one when both this
 * runtime (Intl) and PostgreSQL (pg_timezone_names — the SQL casts `AT TIME ZONE` with it) know it,
 * else UTC, so one tenant's bad setting cannot fail the whole set-based statement.
 */
export async function listRollupTenants(db: Db, tenantIds?: readonly string[]): Promise<RollupTenant[]> {
  const rows = await db.$queryRawUnsafe<{ id: string; timezone: string | null }[]>(
    `SELECT t.id::text AS id, z.name AS timezone
       FROM adm_tenants t
       LEFT JOIN (SELECT name FROM pg_timezone_names) z ON z.name = t.timezone
      WHERE t.deleted_at IS NULL
        AND NOT coalesce(t.metadata @> '{"demoPortfolio": true}'::jsonb, false)
        AND ($1::uuid[] IS NULL OR t.id = ANY($1::uuid[]))
      ORDER BY t.id`,
    tenantIds ? [...tenantIds] : null,
  );
  return rows.map((r) => ({ tenantId: r.id, timeZone: usableTimeZone(r.timezone) }));
}

/** Reads a job's watermark (null when the job never ran). */
export async function readRollupWatermark(db: Db, job: string = ACTIVITY_ROLLUP_JOB): Promise<Date | null> {
  const rows = await db.$queryRawUnsafe<{ watermark: Date }[]>(
    "SELECT watermark FROM adm_rollup_watermarks WHERE job = $1",
    job,
  );
  return rows[0]?.watermark ?? null;
}

async function writeWatermark(db: Db, job: string, watermark: Date): Promise<void> {
  await db.$executeRawUnsafe(
    `INSERT INTO adm_rollup_watermarks (job, watermark, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (job) DO UPDATE SET watermark = greatest(adm_rollup_watermarks.watermark, excluded.watermark),
                                     updated_at = now()`,
    job,
    watermark,
  );
}

/**
 * One incremental pass of both rollups up to `now`.
 *
 * Range: from (watermark − lateWindowMs) — or (now − lateWindowMs) on the very first run (history is
 * {@link backfillActivity}'s job) — to `now`; when the watermark is more than `maxChunkMs` behind,
 * in several transactions, each covering the late window plus up to `maxChunkMs` and moving the
 * watermark to its end. The watermark never moves backwards (a clock behind it recomputes the
 * window and leaves it). Each transaction: advisory lock (skip if taken), watermark, tenants,
 * hourly rollup, daily rollup, new watermark — committed together.
 * @param now the clock (tests pass a fixed instant)
 * @param opts.job watermark row (default {@link ACTIVITY_ROLLUP_JOB})
 * @param opts.lateWindowMs default {@link ACTIVITY_LATE_WINDOW_MS}
 * @param opts.maxChunkMs default {@link ACTIVITY_MAX_CHUNK_MS}
 * @throws DomainError("invalid") when `tenantIds` is given with the default job; database errors
 *   (that chunk rolled back, the watermark where the last commit left it)
 */
export async function runActivityRollup(
  prisma: PrismaClient,
  now: Date,
  opts: ActivityRollupOptions & { job?: string; lateWindowMs?: number; maxChunkMs?: number } = {},
): Promise<ActivityRollupResult> {
  const job = opts.job ?? ACTIVITY_ROLLUP_JOB;
  if (opts.tenantIds && job === ACTIVITY_ROLLUP_JOB) {
    throw new DomainError("invalid", "a rollup restricted to some tenants needs its own job name");
  }
  const queries = opts.queries ?? apacheActivityQueries;
  const lateMs = opts.lateWindowMs ?? ACTIVITY_LATE_WINDOW_MS;
  const chunkMs = Math.max(HOUR_MS, opts.maxChunkMs ?? ACTIVITY_MAX_CHUNK_MS);
  const result: ActivityRollupResult = {
    ran: false,
    from: null,
    watermark: null,
    chunks: 0,
    tenants: 0,
    hourlyUpserted: 0,
    hourlyDeleted: 0,
    dailyUpserted: 0,
  };
  for (;;) {
    const step = await withScope(
      prisma,
      { kind: "system" },
      async (db) => {
        const [lock] = await db.$queryRawUnsafe<{ ok: boolean }[]>(
          "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok",
          lockKey(job),
        );
        if (!lock?.ok) return null;
        const watermark = await readRollupWatermark(db, job);
        const base = watermark && watermark < now ? watermark : new Date(now.getTime());
        const from = new Date((watermark ? base.getTime() : now.getTime()) - lateMs);
        const to = new Date(Math.min(now.getTime(), base.getTime() + chunkMs));
        const tenants = await listRollupTenants(db, opts.tenantIds);
        const range = { from, to, tenants };
        const hourly = await queries.fleetHourly(db, range);
        const daily = await queries.dailyActivity(db, range);
        await writeWatermark(db, job, range.to);
        return { from, to: range.to, tenants: tenants.length, hourly, daily };
      },
      ROLLUP_TX,
    );
    if (!step) return result;
    result.ran = true;
    result.from ??= step.from;
    result.watermark = step.to;
    result.chunks++;
    result.tenants = step.tenants;
    result.hourlyUpserted += step.hourly.upserted;
    result.hourlyDeleted += step.hourly.deleted;
    result.dailyUpserted += step.daily.upserted;
    if (step.to >= now) break;
  }
  return result;
}

/** What one {@link backfillActivity} did. */
export interface ActivityBackfillResult {
  /** Transactions committed (one per chunk). */
  chunks: number;
  tenants: number;
  hourlyUpserted: number;
  hourlyDeleted: number;
  dailyUpserted: number;
}

/**
 * Computes the rollups over a past period once — the seed and the benchmark fill history with it —
 * with the same statements as the incremental job, in chunks of `chunkDays` days (each its own
 * transaction, waiting for the job's advisory lock so it never interleaves with a run). Hours in
 * [floor-hour(from), to) and every tenant-local day overlapping [from, to) are recomputed. The
 * watermark is not moved: the incremental job keeps covering [watermark − window, now).
 * @param opts.onProgress called after each chunk with the chunk's end (seed progress output)
 * @throws DomainError("invalid") when `from` is not before `to`
 */
export async function backfillActivity(
  prisma: PrismaClient,
  period: { from: Date; to: Date },
  opts: ActivityRollupOptions & { chunkDays?: number; onProgress?: (doneUntil: Date) => void } = {},
): Promise<ActivityBackfillResult> {
  if (!(period.from < period.to)) throw new DomainError("invalid", "the period must end after it starts");
  const queries = opts.queries ?? apacheActivityQueries;
  const chunkMs = Math.max(1, opts.chunkDays ?? 7) * DAY_MS;
  const result: ActivityBackfillResult = {
    chunks: 0,
    tenants: 0,
    hourlyUpserted: 0,
    hourlyDeleted: 0,
    dailyUpserted: 0,
  };
  for (let start = period.from.getTime(); start < period.to.getTime(); start += chunkMs) {
    const range = { from: new Date(start), to: new Date(Math.min(period.to.getTime(), start + chunkMs)) };
    const step = await withScope(
      prisma,
      { kind: "system" },
      async (db) => {
        await db.$queryRawUnsafe(
          "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text",
          lockKey(ACTIVITY_ROLLUP_JOB),
        );
        const tenants = await listRollupTenants(db, opts.tenantIds);
        const hourly = await queries.fleetHourly(db, { ...range, tenants });
        const daily = await queries.dailyActivity(db, { ...range, tenants });
        return { tenants: tenants.length, hourly, daily };
      },
      ROLLUP_TX,
    );
    result.chunks++;
    result.tenants = step.tenants;
    result.hourlyUpserted += step.hourly.upserted;
    result.hourlyDeleted += step.hourly.deleted;
    result.dailyUpserted += step.daily.upserted;
    opts.onProgress?.(range.to);
  }
  return result;
}
