/**
 * The daily health scoring (packages/core `scoreDueDays`), run after the activity rollup
 * (./analyticsJobs.ts `afterRollup`): every day from the `health_scoring` watermark to the day due
 * (day D after 12:00 UTC of D + 1) is scored, oldest first, under an advisory lock. New alerts
 * notify the tenants' account managers; their payloads are emitted to the recipients' Socket.IO rooms.
 */
import { type ScoreDueDaysResult, scoreDueDays } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import type { NotificationEvent } from "@fleetcore/realtime";

/**
 * Scores the days due at `now` that are not yet fully scored.
 * @returns the days scored, or null when there was nothing to do (or another process is scoring)
 */
export async function runDailyScoringIfDue(
  prisma: PrismaClient,
  now: Date,
  emit: (userId: string, event: NotificationEvent) => void,
): Promise<ScoreDueDaysResult | null> {
  return scoreDueDays(prisma, now, (n) => emit(n.userId, n.event));
}
