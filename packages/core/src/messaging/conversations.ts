/**
 * Driver conversations as dispatchers read them: one conversation per driver (msg_conversations),
 * its messages (msg_messages, newest first, paged by time) and the unread count dispatchers clear.
 * Runs in the caller's tenant-scoped transaction; every query also names the tenant.
 */
import type { Db } from "@fleetcore/db";
import { DomainError } from "../errors";
import { fullName } from "../fleet/shared";
import { MESSAGE_COLUMNS, type MessageRow, type StoredMessage, toLiveMessage } from "./feed";

/** A conversation in the dispatcher's list. */
export interface ConversationSummary {
  id: string;
  driverId: string;
  driverName: string;
  /** E.164, or null. */
  driverPhone: string | null;
  /** When the driver opted out of messages, or null. */
  optedOutAt: Date | null;
  unreadCount: number;
  lastMessageAt: Date | null;
  lastInboundAt: Date | null;
  /** The newest message, for the list's preview line. */
  lastMessage: { body: string | null; direction: "inbound" | "outbound"; status: string; time: Date } | null;
}

interface ConversationRow {
  id: string;
  driver_id: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  messaging_opt_out_at: Date | null;
  unread_count: number;
  last_message_at: Date | null;
  last_inbound_at: Date | null;
  last_body: string | null;
  last_direction: "inbound" | "outbound" | null;
  last_status: string | null;
  last_time: Date | null;
}

/**
 * The tenant's conversations, most recent first.
 * @param opts.unreadOnly only those with unread inbound messages
 * @param opts.search words matched against the driver's name and phone
 * @param opts.limit default 50, at most 200
 */
export async function listConversations(
  db: Db,
  tenantId: string,
  opts: { unreadOnly?: boolean; search?: string; limit?: number } = {},
): Promise<ConversationSummary[]> {
  const words = (opts.search ?? "").trim().split(/\s+/).filter(Boolean).slice(0, 6);
  const rows = await db.$queryRawUnsafe<ConversationRow[]>(
    `SELECT c.id, c.driver_id, d.first_name, d.last_name, d.phone, d.messaging_opt_out_at, c.unread_count,
            c.last_message_at, c.last_inbound_at, l.body AS last_body, l.direction AS last_direction,
            l.status::text AS last_status, l.time AS last_time
       FROM msg_conversations c
       JOIN rid_drivers d ON d.id = c.driver_id AND d.deleted_at IS NULL
       LEFT JOIN LATERAL (
         SELECT m.body, m.direction, m.status, m.time FROM msg_messages m
          WHERE m.conversation_id = c.id AND m.tenant_id = c.tenant_id
          ORDER BY m.time DESC LIMIT 1
       ) l ON true
      WHERE c.tenant_id = $1::uuid
        AND (NOT $2::boolean OR c.unread_count > 0)
        AND NOT EXISTS (
          SELECT 1 FROM unnest($3::text[]) w
           WHERE (d.first_name || ' ' || d.last_name || ' ' || coalesce(d.phone, '')) NOT ILIKE '%' || w || '%')
      ORDER BY c.last_message_at DESC NULLS LAST
      LIMIT $4`,
    tenantId,
    opts.unreadOnly ?? false,
    words.map((w) => w.replace(/[\\%_]/g, "\\$&")),
    Math.min(Math.max(opts.limit ?? 50, 1), 200),
  );
  return rows.map((r) => ({
    id: r.id,
    driverId: r.driver_id,
    driverName: fullName({ firstName: r.first_name, lastName: r.last_name }),
    driverPhone: r.phone,
    optedOutAt: r.messaging_opt_out_at,
    unreadCount: r.unread_count,
    lastMessageAt: r.last_message_at,
    lastInboundAt: r.last_inbound_at,
    lastMessage:
      r.last_direction && r.last_time && r.last_status
        ? { body: r.last_body, direction: r.last_direction, status: r.last_status, time: r.last_time }
        : null,
  }));
}

/**
 * A driver's messages, newest first (the thread pages backwards with `before`).
 * @param opts.limit default 50, at most 200
 * @throws DomainError("not_found") for an unknown driver or another tenant's
 */
export async function listDriverMessages(
  db: Db,
  tenantId: string,
  driverId: string,
  opts: { before?: Date; limit?: number } = {},
): Promise<StoredMessage[]> {
  const driver = await db.driver.findFirst({ where: { id: driverId, tenantId }, select: { id: true } });
  if (!driver) throw new DomainError("not_found", "driver not found");
  const rows = await db.$queryRawUnsafe<MessageRow[]>(
    `SELECT ${MESSAGE_COLUMNS} FROM msg_messages m
      WHERE m.tenant_id = $1::uuid AND m.driver_id = $2::uuid AND ($3::timestamptz IS NULL OR m.time < $3)
      ORDER BY m.time DESC LIMIT $4`,
    tenantId,
    driverId,
    opts.before ?? null,
    Math.min(Math.max(opts.limit ?? 50, 1), 200),
  );
  return rows.map(toLiveMessage);
}

/** The tenant's newest messages of all drivers (the live feed's history on open), newest first. */
export async function listRecentMessages(
  db: Db,
  tenantId: string,
  opts: { before?: Date; limit?: number } = {},
): Promise<StoredMessage[]> {
  const rows = await db.$queryRawUnsafe<MessageRow[]>(
    `SELECT ${MESSAGE_COLUMNS} FROM msg_messages m
      WHERE m.tenant_id = $1::uuid AND ($2::timestamptz IS NULL OR m.time < $2)
      ORDER BY m.time DESC LIMIT $3`,
    tenantId,
    opts.before ?? null,
    Math.min(Math.max(opts.limit ?? 100, 1), 500),
  );
  return rows.map(toLiveMessage);
}

/**
 * Marks a driver's conversation read (unread count 0). A driver without a conversation is a no-op.
 * @returns the unread count before
 */
export async function markConversationRead(db: Db, tenantId: string, driverId: string): Promise<number> {
  const rows = await db.$queryRaw<{ before: number }[]>`
    UPDATE msg_conversations c SET unread_count = 0
      FROM (SELECT id, unread_count AS before FROM msg_conversations
             WHERE tenant_id = ${tenantId}::uuid AND driver_id = ${driverId}::uuid FOR UPDATE) o
     WHERE c.id = o.id
    RETURNING o.before`;
  return rows[0]?.before ?? 0;
}
