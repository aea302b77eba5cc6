/**
 * Customer-success analytics on a timer (issue 8): the incremental activity rollup (packages/core
 * `runActivityRollup`: hourly fleet rows and daily tenant activity rows, late data within 48 h
 * re-aggregated) every 10 minutes, first run a minute after start; then, in the process that ran it,
 * the `afterRollup` hook (the daily health scoring). The rollup takes an advisory lock per
 * transaction, so several server processes may all schedule it: one does the work, the others skip.
 * A pass still running when the next is due is not started twice. Failures are logged and retried
 * at the next run.
 */
import { type ActivityRollupResult, runActivityRollup } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";

/** The logger calls made (pino's shape). */
export interface AnalyticsJobsLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const ANALYTICS_FIRST_RUN_MS = 60_000;
export const ANALYTICS_INTERVAL_MS = 10 * 60_000;

/** What runs after a rollup that did work; it decides itself whether anything is due (e.g. once a day). */
export type AfterRollup = (now: Date) => Promise<void>;

/** Options of {@link runAnalyticsPass} and {@link scheduleAnalyticsJobs}. */
export interface AnalyticsPassOptions {
  /**
   * Called after every pass whose rollup ran in this process (not when another process held the
   * lock), with the pass's clock. HOOK for the daily health scoring (packages/core/src/health).
   */
  afterRollup?: AfterRollup;
  /**
   * Called before every pass's rollup, with the pass's clock (the demo portfolio's modelled days are
   * written here, so the scoring that follows sees them). It handles its own errors.
   */
  beforeRollup?: (now: Date) => Promise<void>;
  /** The rollup's late-data window, ms (default 48 h: `ACTIVITY_LATE_WINDOW_MS`). */
  lateWindowMs?: number;
}

/**
 * One analytics pass: `beforeRollup`, the activity rollup up to `now`, then `afterRollup` when it ran here.
 * @returns the rollup's result and whether the hook was called
 * @throws what the rollup or the hook throws (the scheduler logs it; the watermark stays at the last commit)
 */
export async function runAnalyticsPass(
  prisma: PrismaClient,
  now: Date = new Date(),
  opts: AnalyticsPassOptions = {},
): Promise<{ rollup: ActivityRollupResult; afterRollupCalled: boolean }> {
  if (opts.beforeRollup) await opts.beforeRollup(now);
  const rollup = await runActivityRollup(
    prisma,
    now,
    opts.lateWindowMs === undefined ? {} : { lateWindowMs: opts.lateWindowMs },
  );
  if (!rollup.ran || !opts.afterRollup) return { rollup, afterRollupCalled: false };
  await opts.afterRollup(now);
  return { rollup, afterRollupCalled: true };
}

/** Starts the schedule; returns a function that stops it (a pass under way finishes on its own). */
export function scheduleAnalyticsJobs(
  prisma: PrismaClient,
  opts: AnalyticsPassOptions & { log: AnalyticsJobsLog },
): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    const startedMs = Date.now();
    try {
      const { rollup, afterRollupCalled } = await runAnalyticsPass(prisma, new Date(), opts);
      if (!rollup.ran) opts.log.info({}, "activity rollup: another process is running it");
      else {
        opts.log.info(
          {
            from: rollup.from,
            watermark: rollup.watermark,
            tenants: rollup.tenants,
            hourlyUpserted: rollup.hourlyUpserted,
            hourlyDeleted: rollup.hourlyDeleted,
            dailyUpserted: rollup.dailyUpserted,
            afterRollupCalled,
            durationMs: Date.now() - startedMs,
          },
          "activity rollup done",
        );
      }
    } catch (err) {
      opts.log.error({ err }, "analytics pass failed");
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void run(), ANALYTICS_FIRST_RUN_MS);
  const every = setInterval(() => void run(), ANALYTICS_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
