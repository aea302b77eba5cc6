/**
 * Support and CRM housekeeping on a timer: resolved tickets close themselves after
 * `AUTO_CLOSE_RESOLVED_AFTER_DAYS` (packages/core `closeResolvedTickets`, each close emitted as
 * `ticket:updated` like any other change) and contracts past their expiry date move to `expired`
 * (`expireContracts`), and customer-success goals are measured and marked achieved or missed
 * (`refreshGoals`). First run 30 s after start, then every 15 minutes. The jobs lock the rows they
 * move or are idempotent, so several server processes may run them at once; failures are logged and
 * retried at the next run.
 */
import { closeResolvedTickets, expireContracts, type GoalRefresh, refreshGoals } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import type { TicketUpdatedEvent } from "@fleetcore/realtime";

/** The logger calls made (pino's shape). */
export interface HousekeepingLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const HOUSEKEEPING_FIRST_RUN_MS = 30_000;
export const HOUSEKEEPING_INTERVAL_MS = 15 * 60_000;

/** One pass of the jobs. @returns how many tickets were closed, contracts expired and goals changed. */
export async function runHousekeeping(
  prisma: PrismaClient,
  publishTicket: (event: TicketUpdatedEvent) => void,
  log: HousekeepingLog,
  now = new Date(),
): Promise<{ ticketsClosed: number; contractsExpired: number; goals: GoalRefresh | null }> {
  let ticketsClosed = 0;
  let contractsExpired = 0;
  let goals: GoalRefresh | null = null;
  try {
    const r = await closeResolvedTickets(prisma, now);
    ticketsClosed = r.closed;
    for (const event of r.events) publishTicket(event);
    if (r.closed > 0) log.info({ closed: r.closed }, "resolved tickets closed automatically");
  } catch (err) {
    log.error({ err }, "closing resolved tickets failed");
  }
  try {
    contractsExpired = await expireContracts(prisma, now);
    if (contractsExpired > 0) log.info({ expired: contractsExpired }, "contracts expired");
  } catch (err) {
    log.error({ err }, "expiring contracts failed");
  }
  try {
    goals = await refreshGoals(prisma, now);
    if (goals.achieved > 0 || goals.missed > 0) log.info(goals, "customer-success goals moved");
  } catch (err) {
    log.error({ err }, "refreshing goals failed");
  }
  return { ticketsClosed, contractsExpired, goals };
}

/** Starts the schedule; returns a function that stops it. */
export function scheduleHousekeeping(
  prisma: PrismaClient,
  publishTicket: (event: TicketUpdatedEvent) => void,
  log: HousekeepingLog,
): () => void {
  const run = () => void runHousekeeping(prisma, publishTicket, log);
  const first = setTimeout(run, HOUSEKEEPING_FIRST_RUN_MS);
  const every = setInterval(run, HOUSEKEEPING_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
