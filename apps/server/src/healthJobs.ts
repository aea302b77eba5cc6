/**
 * The daily health scoring (packages/core `scoreTenants`), run after the activity rollup
 * (./analyticsJobs.ts `afterRollup`): day D is scored once, after 12:00 UTC of D + 1 — by then D
 * has ended in every time zone (UTC−12 … UTC+14) and the rollup's late-data window has covered it
 * for half a day. New alerts notify the tenants' account managers; their payloads are emitted to
 * the recipients' Socket.IO rooms.
 */
import { scoreTenants } from "@fleetcore/core";
import { type PrismaClient, withScope } from "@fleetcore/db";
import type { NotificationEvent } from "@fleetcore/realtime";

const DAY_MS = 86_400_000;

/** The newest day (YYYY-MM-DD, UTC calendar) whose scoring is due at `now`. */
export function scoringDayDue(now: Date): string {
  const daysBack = now.getUTCHours() >= 12 ? 1 : 2;
  return new Date(now.getTime() - daysBack * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Scores all tenants for the due day unless that day already has scores.
 * @returns the day scored, or null when there was nothing to do
 */
export async function runDailyScoringIfDue(
  prisma: PrismaClient,
  now: Date,
  emit: (userId: string, event: NotificationEvent) => void,
): Promise<{ day: string; scored: number; alerts: number } | null> {
  const day = scoringDayDue(now);
  const existing = await withScope(prisma, { kind: "system" }, (db) =>
    db.tenantHealthScore.count({ where: { day: new Date(`${day}T00:00:00Z`) } }),
  );
  if (existing > 0) return null;
  const result = await scoreTenants(prisma, { day, notify: true });
  for (const n of result.notifications) emit(n.userId, n.event);
  return { day: result.day, scored: result.scored, alerts: result.alerts.length };
}
