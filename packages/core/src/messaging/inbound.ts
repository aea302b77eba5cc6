/**
 * What inbound webhooks store, once their signature and shape have been checked
 * (webhooks/whatsapp.ts, webhooks/samsara.ts): driver messages and their delivery statuses from the
 * WhatsApp Cloud API, and vehicle events from Samsara. Idempotent per provider id through
 * {@link claimWebhookDelivery}, in the caller's transaction, so a 2xx sent after COMMIT means durable.
 */
import type { Db, IntegrationProvider } from "@fleetcore/db";
import type { EventSeverity, MessageStatus } from "@fleetcore/realtime";
import { openSecret } from "../identity/secrets";
import {
  claimWebhookDelivery,
  insertVehicleEvents,
  MESSAGE_COLUMNS,
  type MessageRow,
  type StoredMessage,
  type StoredVehicleEvent,
  toLiveMessage,
} from "./feed";

/** A tenant's integration as webhooks need it (secrets included: never send this to a client). */
export interface IntegrationSecrets {
  id: string;
  tenantId: string;
  provider: IntegrationProvider;
  externalId: string;
  secret: string | null;
  verifyToken: string | null;
  accessToken: string | null;
  enabled: boolean;
}

/**
 * The enabled integration whose external id a webhook carries (WhatsApp phone number id, Samsara
 * org id). Call in the system scope (the tenant is not known yet).
 */
export async function findIntegration(
  db: Db,
  provider: IntegrationProvider,
  externalId: string,
): Promise<IntegrationSecrets | null> {
  const row = await db.integration.findUnique({ where: { provider_externalId: { provider, externalId } } });
  if (!row?.enabled) return null;
  return {
    id: row.id,
    tenantId: row.tenantId,
    provider: row.provider,
    externalId: row.externalId,
    secret: openSecret(row.secret),
    verifyToken: row.verifyToken,
    accessToken: openSecret(row.accessToken),
    enabled: row.enabled,
  };
}

/** Whether any enabled WhatsApp integration uses this verify token (the GET handshake). */
export async function isWhatsAppVerifyToken(db: Db, token: string): Promise<boolean> {
  const n = await db.integration.count({ where: { provider: "whatsapp", verifyToken: token, enabled: true } });
  return n > 0;
}

/** An inbound WhatsApp message, as webhooks/whatsapp.ts parses it (the fields used here). */
export interface InboundWhatsAppMessage {
  id: string;
  from: string;
  contactName: string | null;
  time: Date;
  type: string;
  text: string | null;
  location: { latitude: number; longitude: number; name: string | null; address: string | null } | null;
  media: { id: string; mimeType: string | null } | null;
  replyToId: string | null;
}

/** A WhatsApp delivery status, as webhooks/whatsapp.ts parses it (the fields used here). */
export interface WhatsAppStatusInput {
  id: string;
  status: "sent" | "delivered" | "read" | "failed";
  time: Date;
  errors: { code: number; title: string; details: string | null }[];
}

/** What storing a webhook's content produced (published on the live feed after COMMIT). */
export interface InboundResult {
  messages: StoredMessage[];
  events: StoredVehicleEvent[];
  /** Deliveries already processed before (provider retries): nothing stored for them. */
  duplicates: number;
}

/** Keywords (case-insensitive, whole message) by which a driver opts out of / back into messages. */
const OPT_OUT = new Set(["stop", "unsubscribe", "stopall", "cancel"]);
const OPT_IN = new Set(["start", "unstop", "subscribe"]);

/**
 * Stores inbound WhatsApp messages for a tenant: each maps to the tenant's driver whose phone is
 * "+" + the sender's wa_id, into that driver's conversation (created on first contact; unread count
 * and last times updated). A sender who is no driver of the tenant becomes a
 * `message_unknown_sender` event, so the room sees it and an admin can add the driver. "STOP"
 * opts the driver out of messages (replies are then blocked), "START" back in.
 */
export async function storeWhatsAppMessages(
  db: Db,
  tenantId: string,
  messages: InboundWhatsAppMessage[],
): Promise<InboundResult> {
  const result: InboundResult = { messages: [], events: [], duplicates: 0 };
  for (const m of messages) {
    if (!(await claimWebhookDelivery(db, "whatsapp", m.id, tenantId))) {
      result.duplicates += 1;
      continue;
    }
    const driver = await db.driver.findFirst({
      where: { tenantId, phone: `+${m.from}`, deletedAt: null },
      select: { id: true, firstName: true, lastName: true },
    });
    const body = m.text ?? (m.location ? `📍 ${m.location.latitude}, ${m.location.longitude}` : null);
    if (!driver) {
      result.events.push(
        ...(await insertVehicleEvents(db, [
          {
            tenantId,
            time: m.time,
            source: "fleetcore",
            type: "message_unknown_sender",
            severity: "warning",
            title: `WhatsApp message from +${m.from}${m.contactName ? ` (${m.contactName})` : ""}, who is not a driver`,
            latitude: m.location?.latitude ?? null,
            longitude: m.location?.longitude ?? null,
            externalId: m.id,
            attributes: { from: `+${m.from}`, contactName: m.contactName, type: m.type, text: body },
          },
        ])),
      );
      continue;
    }
    const keyword = (m.text ?? "").trim().toLowerCase();
    if (m.type === "text" && OPT_OUT.has(keyword)) {
      await db.driver.update({ where: { id: driver.id }, data: { messagingOptOutAt: m.time } });
    } else if (m.type === "text" && OPT_IN.has(keyword)) {
      await db.driver.update({ where: { id: driver.id }, data: { messagingOptOutAt: null } });
    }
    const conversation = await db.conversation.upsert({
      where: { tenantId_driverId: { tenantId, driverId: driver.id } },
      create: { tenantId, driverId: driver.id, lastMessageAt: m.time, lastInboundAt: m.time, unreadCount: 1 },
      update: { lastMessageAt: m.time, lastInboundAt: m.time, unreadCount: { increment: 1 } },
      select: { id: true },
    });
    const rows = await db.$queryRawUnsafe<MessageRow[]>(
      `WITH m AS (
         INSERT INTO msg_messages (time, tenant_id, conversation_id, driver_id, direction, channel, status,
                                   message_type, body, provider_message_id, attributes)
         VALUES ($1, $2::uuid, $3::uuid, $4::uuid, 'inbound', 'whatsapp', 'received', $5, $6, $7, $8::jsonb)
         RETURNING *
       )
       SELECT ${MESSAGE_COLUMNS} FROM m`,
      m.time,
      tenantId,
      conversation.id,
      driver.id,
      m.type,
      body,
      m.id,
      JSON.stringify({
        contactName: m.contactName,
        location: m.location,
        media: m.media,
        replyToId: m.replyToId,
      }),
    );
    if (rows[0]) result.messages.push(toLiveMessage(rows[0]));
  }
  return result;
}

/** Order of delivery states: a late "sent" never undoes "delivered" or "read". */
const STATUS_RANK: Record<string, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * Applies WhatsApp delivery statuses to the tenant's outbound messages (found by wamid). A status
 * only moves a message forward (sent → delivered → read; failed from any of them), so redelivered
 * or out-of-order statuses never regress it; each status's time is kept (deliveredAt, readAt…).
 * A failed status keeps Meta's error code and title as the reason. Statuses of unknown ids are
 * ignored (a message sent outside Fleetcore).
 */
export async function applyWhatsAppStatuses(
  db: Db,
  tenantId: string,
  statuses: WhatsAppStatusInput[],
): Promise<InboundResult> {
  const result: InboundResult = { messages: [], events: [], duplicates: 0 };
  for (const s of statuses) {
    if (!(await claimWebhookDelivery(db, "whatsapp", `${s.id}:${s.status}`, tenantId))) {
      result.duplicates += 1;
      continue;
    }
    const reason =
      s.status === "failed" && s.errors.length > 0
        ? s.errors.map((e) => `${e.code} ${e.title}${e.details ? `: ${e.details}` : ""}`).join("; ")
        : null;
    const rank = STATUS_RANK[s.status] ?? 0;
    const timeColumn = { sent: "sent_at", delivered: "delivered_at", read: "read_at", failed: "failed_at" }[s.status];
    const rows = await db.$queryRawUnsafe<MessageRow[]>(
      `WITH m AS (
         UPDATE msg_messages SET
           status = CASE WHEN (CASE status WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2
                                           WHEN 'read' THEN 3 WHEN 'failed' THEN 4 ELSE 0 END) < $3
                         THEN $4::msg_status ELSE status END,
           ${timeColumn} = coalesce(${timeColumn}, $5),
           status_reason = coalesce($6, status_reason)
          WHERE tenant_id = $1::uuid AND provider_message_id = $2 AND direction = 'outbound'
         RETURNING *
       )
       SELECT ${MESSAGE_COLUMNS} FROM m`,
      tenantId,
      s.id,
      rank,
      s.status as MessageStatus,
      s.time,
      reason,
    );
    for (const r of rows) result.messages.push(toLiveMessage(r));
  }
  return result;
}

/** A Samsara webhook event, as webhooks/samsara.ts parses it (the fields used here). */
export interface SamsaraEventInput {
  eventId: string;
  eventTime: Date;
  eventType: string;
  normalized: {
    type: string;
    severity: EventSeverity;
    title: string;
    vehicle: { id: string; name: string | null } | null;
    driver: { id: string; name: string | null; phone: string | null } | null;
    location: { latitude: number; longitude: number } | null;
    address: string | null;
  };
  data: unknown;
}

/**
 * Stores a Samsara event as a vehicle event of the tenant (source "samsara"; unknown types kept with
 * their raw data). The Samsara vehicle maps to the tenant's vehicle whose `metadata.samsaraId` is
 * its id, else whose name equals its name; the driver to the tenant's driver with the same phone.
 */
export async function storeSamsaraEvent(db: Db, tenantId: string, event: SamsaraEventInput): Promise<InboundResult> {
  if (!(await claimWebhookDelivery(db, "samsara", event.eventId, tenantId))) {
    return { messages: [], events: [], duplicates: 1 };
  }
  const n = event.normalized;
  let vehicleId: string | null = null;
  if (n.vehicle) {
    const rows = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM flt_vehicles
       WHERE tenant_id = ${tenantId}::uuid AND deleted_at IS NULL
         AND (metadata->>'samsaraId' = ${n.vehicle.id} OR (${n.vehicle.name}::text IS NOT NULL AND name = ${n.vehicle.name}))
       ORDER BY (metadata->>'samsaraId' = ${n.vehicle.id}) DESC NULLS LAST LIMIT 1`;
    vehicleId = rows[0]?.id ?? null;
  }
  let driverId: string | null = null;
  if (n.driver?.phone) {
    const d = await db.driver.findFirst({
      where: { tenantId, phone: n.driver.phone, deletedAt: null },
      select: { id: true },
    });
    driverId = d?.id ?? null;
  }
  const events = await insertVehicleEvents(db, [
    {
      tenantId,
      time: event.eventTime,
      source: "samsara",
      type: n.type,
      severity: n.severity,
      title: n.title,
      vehicleId,
      driverId,
      latitude: n.location?.latitude ?? null,
      longitude: n.location?.longitude ?? null,
      externalId: event.eventId,
      attributes: {
        samsaraEventType: event.eventType,
        samsaraVehicle: n.vehicle,
        samsaraDriver: n.driver,
        address: n.address,
        data: event.data,
      },
    },
  ]);
  return { messages: [], events, duplicates: 0 };
}

/** Records that an integration's webhook was just stored (shown as "last event" in its settings). */
export async function touchIntegration(db: Db, provider: IntegrationProvider, externalId: string): Promise<void> {
  await db.integration.updateMany({ where: { provider, externalId }, data: { lastEventAt: new Date() } });
}
