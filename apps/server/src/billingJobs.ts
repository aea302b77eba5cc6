/**
 * Billing jobs on a timer, started only when Stripe is configured (index.ts):
 * - usage: core `reportUsage` — each subscribed tenant's complete, unreported local days of the
 *   current period go to Stripe's Billing Meter (one meter event per tenant-day, idempotent);
 * - dunning: core `runDunning` — tenants past due longer than the grace period are suspended
 *   (lifecycle event "payment overdue"), their owners notified.
 * First run 60 s after start, then hourly. Both are safe to run in several processes at once
 * (idempotency keys and identifiers at Stripe; row locks and status checks locally); failures are
 * logged and retried at the next run.
 */

import type { Services } from "@fleetcore/api";
import { type BillingEmail, reportUsage, runDunning, type Stripe } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import { userRoom } from "@fleetcore/realtime";

/** The logger calls made (pino's shape). */
export interface BillingJobsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const BILLING_JOBS_FIRST_RUN_MS = 60_000;
export const BILLING_JOBS_INTERVAL_MS = 60 * 60_000;

/** One pass of both jobs. @returns meter events sent, failures, tenants suspended */
export async function runBillingJobs(
  prisma: PrismaClient,
  deps: { stripe: Stripe; email: BillingEmail; rooms: Services["rooms"]; log: BillingJobsLog },
  now = new Date(),
): Promise<{ eventsSent: number; usageFailures: number; suspended: number }> {
  let eventsSent = 0;
  let usageFailures = 0;
  let suspended = 0;
  try {
    const usage = await reportUsage(prisma, deps.stripe, now);
    eventsSent = usage.eventsSent;
    usageFailures = usage.failures.length;
    if (usage.eventsSent > 0) deps.log.info({ eventsSent: usage.eventsSent }, "usage reported to Stripe");
    for (const f of usage.failures) deps.log.warn(f, "usage report failed for a tenant (retried next run)");
  } catch (err) {
    deps.log.error({ err }, "usage reporting failed");
  }
  try {
    const dunning = await runDunning(prisma, now, { email: deps.email });
    suspended = dunning.suspended.length;
    for (const n of dunning.notifications) deps.rooms(userRoom(n.userId), "notification", n.event);
    if (suspended > 0) deps.log.info({ tenants: dunning.suspended }, "tenants suspended for non-payment");
  } catch (err) {
    deps.log.error({ err }, "dunning failed");
  }
  return { eventsSent, usageFailures, suspended };
}

/** Starts the schedule; returns a function that stops it. */
export function scheduleBillingJobs(
  prisma: PrismaClient,
  deps: { stripe: Stripe; email: BillingEmail; rooms: Services["rooms"]; log: BillingJobsLog },
): () => void {
  const run = () => void runBillingJobs(prisma, deps);
  const first = setTimeout(run, BILLING_JOBS_FIRST_RUN_MS);
  const every = setInterval(run, BILLING_JOBS_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
