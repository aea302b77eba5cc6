/**
 * Delivers what a support-desk change asks for ({@link SupportOutcome} from @fleetcore/core): its
 * notifications are stored in the procedure's transaction (with email copies) and emitted to the
 * recipients' rooms after commit; its `ticket:updated` events are emitted after commit to the
 * provider support room ({@link SUPPORT_ROOM}, every change) and to the ticket's tenant room (public
 * changes only — never for an internal note).
 */
import type { SupportOutcome } from "@fleetcore/core";
import type { Db } from "@fleetcore/db";
import { SUPPORT_ROOM } from "@fleetcore/realtime";
import { notifyAfterCommit } from "./notify";
import type { Context } from "./trpc";

/** Stores the outcome's notifications now and queues its live events for after commit. */
export async function deliverSupportOutcome(
  ctx: Pick<Context, "services" | "afterCommit" | "publish">,
  db: Db,
  outcome: SupportOutcome,
): Promise<void> {
  for (const draft of outcome.notifications) {
    if (draft.userIds.length > 0) await notifyAfterCommit(ctx, db, draft);
  }
  const events = outcome.events;
  if (events.length === 0) return;
  ctx.afterCommit.push(() => {
    for (const event of events) {
      ctx.services.rooms(SUPPORT_ROOM, "ticket:updated", event);
      if (event.change !== "note") ctx.publish(event.tenantId, "ticket:updated", event);
    }
  });
}
