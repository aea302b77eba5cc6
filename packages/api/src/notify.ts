/**
 * Glue between core's {@link notify} and the procedures: stores notifications (and email copies) in
 * the procedure's transaction and emits them on the recipients' rooms once it commits.
 */
import { type NotificationDraft, notify } from "@fleetcore/core";
import type { Db } from "@fleetcore/db";
import { userRoom } from "@fleetcore/realtime";
import type { Context } from "./trpc";

/**
 * Notifies `draft.userIds` in-app and, with `sendEmail`, by email to their addresses (read in `db`,
 * which must see those users: provider scope, or the tenant scope for its members and staff).
 */
export async function notifyAfterCommit(
  ctx: Pick<Context, "services" | "afterCommit">,
  db: Db,
  draft: NotificationDraft,
  sendEmail = true,
): Promise<void> {
  let addresses = new Map<string, string>();
  if (sendEmail && draft.userIds.length > 0) {
    const users = await db.user.findMany({
      where: { id: { in: draft.userIds }, deletedAt: null, status: "active" },
      select: { id: true, email: true },
    });
    addresses = new Map(users.map((u) => [u.id, u.email]));
  }
  const created = await notify(
    db,
    draft,
    sendEmail ? { transport: ctx.services.email, publicUrl: ctx.services.publicUrl, addresses } : undefined,
  );
  ctx.afterCommit.push(() => {
    for (const c of created) ctx.services.rooms(userRoom(c.userId), "notification", c.event);
  });
}
