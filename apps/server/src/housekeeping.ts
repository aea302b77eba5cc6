/**
 * Support and CRM housekeeping on a timer: resolved tickets close themselves after
 * `AUTO_CLOSE_RESOLVED_AFTER_DAYS` (packages/core `closeResolvedTickets`, each close emitted as
 * `ticket:updated` like any other change) and contracts past their expiry date move to `expired`
 * (`expireContracts`), and customer-success goals are measured and marked achieved or missed
 * (`refreshGoals`), and tenants due for their quarterly NPS survey are asked (`requestDueNps`). First run 30 s after start, then every 15 minutes. The jobs lock the rows they
 * move or are idempotent, so several server processes may run them at once; failures are logged and
 * retried at the next run.
 */
import {
  type CreatedNotification,
  closeResolvedTickets,
  type EmailTransport,
  expireContracts,
  type GoalRefresh,
  refreshGoals,
  requestDueNps,
} from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import type { TicketUpdatedEvent } from "@fleetcore/realtime";

/** The logger calls made (pino's shape). */
export interface HousekeepingLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const HOUSEKEEPING_FIRST_RUN_MS = 30_000;
export const HOUSEKEEPING_INTERVAL_MS = 15 * 60_000;

/** Where the periodic survey's notifications go: email copies, and the live emit after commit. */
export interface HousekeepingNotify {
  email?: { transport: EmailTransport; publicUrl: string };
  emit(created: CreatedNotification): void;
}

/**
 * One pass of the jobs.
 * @returns how many tickets were closed, contracts expired, goals changed and people asked for NPS
 */
export async function runHousekeeping(
  prisma: PrismaClient,
  publishTicket: (event: TicketUpdatedEvent) => void,
  log: HousekeepingLog,
  now = new Date(),
  notifications?: HousekeepingNotify,
): Promise<{ ticketsClosed: number; contractsExpired: number; goals: GoalRefresh | null; npsRequested: number }> {
  let ticketsClosed = 0;
  let contractsExpired = 0;
  let goals: GoalRefresh | null = null;
  let npsRequested = 0;
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
  try {
    const nps = await requestDueNps(prisma, now, notifications?.email ? { email: notifications.email } : {});
    npsRequested = nps.requested;
    for (const created of nps.notifications) notifications?.emit(created);
    if (nps.tenants > 0) log.info({ tenants: nps.tenants, requested: nps.requested }, "periodic NPS survey sent");
  } catch (err) {
    log.error({ err }, "the periodic NPS survey failed");
  }
  return { ticketsClosed, contractsExpired, goals, npsRequested };
}

/** Starts the schedule; returns a function that stops it. */
export function scheduleHousekeeping(
  prisma: PrismaClient,
  publishTicket: (event: TicketUpdatedEvent) => void,
  log: HousekeepingLog,
  notifications?: HousekeepingNotify,
): () => void {
  const run = () => void runHousekeeping(prisma, publishTicket, log, new Date(), notifications);
  const first = setTimeout(run, HOUSEKEEPING_FIRST_RUN_MS);
  const every = setInterval(run, HOUSEKEEPING_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
