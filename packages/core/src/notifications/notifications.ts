/**
 * In-app notifications (adm_notifications, the bell) with an optional email copy through the
 * pluggable {@link EmailTransport}. {@link notify} writes in the caller's transaction and returns
 * the `notification` payloads to emit on each recipient's Socket.IO room after commit.
 *
 * Row-level security: a person reads and marks only their own rows; any scope may create rows for
 * its own tenant (a customer's reply notifies the agents), so inserts never use RETURNING.
 */
import type { Db } from "@fleetcore/db";
import type { NotificationEvent } from "@fleetcore/realtime";
import type { EmailTransport } from "../email/transport";
import { DomainError } from "../errors";

/** One notification, for one or more people. */
export interface NotificationDraft {
  /** Recipients (adm_users ids); duplicates are ignored. */
  userIds: string[];
  tenantId: string | null;
  /** Dotted kind, e.g. "ticket.created", "ticket.reply", "feedback.requested". */
  kind: string;
  title: string;
  body?: string | null;
  /** In-app path, e.g. "/support/tickets/<id>". */
  link?: string | null;
}

/** What {@link notify} created: one payload per recipient, to publish to `userRoom(userId)` after commit. */
export interface CreatedNotification {
  userId: string;
  event: NotificationEvent;
}

/**
 * Stores `draft` for each recipient and, when `email` is given, queues an email copy to each
 * recipient's address (the link made absolute with `email.publicUrl`).
 * @returns the payloads to emit after commit (the caller publishes them)
 */
export async function notify(
  db: Db,
  draft: NotificationDraft,
  email?: { transport: EmailTransport; publicUrl: string; addresses: Map<string, string> },
): Promise<CreatedNotification[]> {
  const userIds = [...new Set(draft.userIds)];
  if (userIds.length === 0) return [];
  const createdAt = new Date();
  const rows = userIds.map((userId) => ({
    id: crypto.randomUUID(),
    userId,
    tenantId: draft.tenantId,
    kind: draft.kind,
    title: draft.title,
    body: draft.body ?? null,
    link: draft.link ?? null,
    createdAt,
  }));
  await db.notification.createMany({ data: rows });
  if (email) {
    for (const row of rows) {
      const to = email.addresses.get(row.userId);
      if (!to) continue;
      const link = row.link ? `\n\n${new URL(row.link, email.publicUrl).toString()}` : "";
      await email.transport.send(db, {
        to,
        subject: row.title,
        text: `${row.body ?? row.title}${link}\n\n— Fleetcore`,
        template: draft.kind,
        tenantId: draft.tenantId,
      });
    }
  }
  return rows.map((r) => ({
    userId: r.userId,
    event: {
      id: r.id,
      kind: r.kind,
      title: r.title,
      body: r.body,
      link: r.link,
      tenantId: r.tenantId,
      createdAt: createdAt.toISOString(),
    },
  }));
}

/** A notification as the bell lists it. Times are Dates (superjson carries them). */
export interface NotificationItem {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  tenantId: string | null;
  readAt: Date | null;
  createdAt: Date;
}

/**
 * The caller's notifications, newest first.
 * @param opts.limit at most this many (1–100, default 30); `before` pages by creation time
 */
export async function listNotifications(
  db: Db,
  userId: string,
  opts: { limit?: number; before?: Date | null; unreadOnly?: boolean } = {},
): Promise<{ items: NotificationItem[]; unread: number }> {
  const limit = Math.min(Math.max(opts.limit ?? 30, 1), 100);
  // One after the other: a transaction is one connection, and node-postgres deprecates overlapping queries.
  const items = await db.notification.findMany({
    where: {
      userId,
      ...(opts.before ? { createdAt: { lt: opts.before } } : {}),
      ...(opts.unreadOnly ? { readAt: null } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: {
      id: true,
      kind: true,
      title: true,
      body: true,
      link: true,
      tenantId: true,
      readAt: true,
      createdAt: true,
    },
  });
  const unread = await db.notification.count({ where: { userId, readAt: null } });
  return { items, unread };
}

/**
 * Marks the caller's notifications read: the given ids, or all when `ids` is omitted.
 * @returns how many changed. NOT_FOUND when a given id is not the caller's (RLS hides others').
 */
export async function markNotificationsRead(db: Db, userId: string, ids?: string[]): Promise<number> {
  const now = new Date();
  if (ids && ids.length > 0) {
    const found = await db.notification.count({ where: { userId, id: { in: ids } } });
    if (found !== new Set(ids).size) throw new DomainError("not_found", "Notification not found");
    const r = await db.notification.updateMany({
      where: { userId, id: { in: ids }, readAt: null },
      data: { readAt: now },
    });
    return r.count;
  }
  const r = await db.notification.updateMany({ where: { userId, readAt: null }, data: { readAt: now } });
  return r.count;
}
