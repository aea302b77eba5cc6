/**
 * Dispatcher replies to drivers: {@link sendDriverMessage} decides, in the request's transaction,
 * whether a message may go (opt-out, phone number, quiet hours, WhatsApp's 24-hour window) and
 * stores it `queued` — or `blocked` with the reason, so the thread shows why; the
 * {@link OutboundMessageDispatcher} then hands queued messages to a {@link MessageTransport} after
 * COMMIT and records `sent` (with the provider's id, which later status webhooks update) or
 * `failed` (with the provider's reason). Transports: the tenant's WhatsApp Cloud API integration, or
 * the default {@link LocalOutboxTransport}, which records the message in msg_outbox so the product
 * works without a WhatsApp account.
 */
import type { Db, PrismaClient } from "@fleetcore/db";
import { inSequence, withScope } from "@fleetcore/db";
import type { Tx } from "../audit/audit";
import { DomainError } from "../errors";
import { fullName } from "../fleet/shared";
import { openSecret } from "../identity/secrets";
import {
  type MessageTransport,
  type OutboundTextMessage,
  WHATSAPP_TEXT_MAX_CHARS,
  WhatsAppApiError,
  WhatsAppCloudTransport,
} from "../webhooks/whatsapp";
import { MESSAGE_COLUMNS, type MessageRow, type StoredMessage, toLiveMessage } from "./feed";

/** How replies leave Fleetcore (msg_settings.transport). */
export type MessagingTransportKind = "local" | "whatsapp";

/** A tenant's messaging settings (msg_settings; absent = no quiet hours, local transport). */
export interface MessagingSettings {
  /** Local time "HH:MM" when quiet hours start, in the tenant's timezone; null: no quiet hours. */
  quietStart: string | null;
  /** Local time "HH:MM" when they end (earlier than the start: over midnight). */
  quietEnd: string | null;
  transport: MessagingTransportKind;
}

/**
 * WhatsApp delivers free-form (non-template) messages only within 24 h of the user's last message
 * (Meta, "Customer service windows", WhatsApp Cloud API docs); outside it the API answers 131047.
 */
export const WHATSAPP_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of `time` in `timeZone` (IANA name), e.g. 22:30 → 1350. */
export function localMinutes(time: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .formatToParts(time)
    .reduce<Record<string, string>>((acc, p) => {
      acc[p.type] = p.value;
      return acc;
    }, {});
  return Number(parts.hour) * 60 + Number(parts.minute);
}

/**
 * Whether `time` falls in the quiet hours [start, end) in `timeZone`. An end earlier than the start
 * spans midnight (22:00–06:00); equal start and end, or either null, means no quiet hours.
 */
export function inQuietHours(time: Date, timeZone: string, start: string | null, end: string | null): boolean {
  const s = start ? HHMM.exec(start) : null;
  const e = end ? HHMM.exec(end) : null;
  if (!s || !e) return false;
  const from = Number(s[1]) * 60 + Number(s[2]);
  const to = Number(e[1]) * 60 + Number(e[2]);
  if (from === to) return false;
  const now = localMinutes(time, timeZone);
  return from < to ? now >= from && now < to : now >= from || now < to;
}

/** A tenant's messaging settings (defaults when none were saved). */
export async function getMessagingSettings(db: Db, tenantId: string): Promise<MessagingSettings> {
  const row = await db.messagingSettings.findUnique({ where: { tenantId } });
  return {
    quietStart: row?.quietStart ?? null,
    quietEnd: row?.quietEnd ?? null,
    transport: row?.transport === "whatsapp" ? "whatsapp" : "local",
  };
}

/**
 * Saves messaging settings (audited `messaging_settings.updated`).
 * @throws DomainError("invalid") for a time not "HH:MM", only one of start/end, or the WhatsApp
 * transport without an enabled WhatsApp integration that has an access token
 */
export async function updateMessagingSettings(
  tx: Tx,
  tenantId: string,
  patch: Partial<MessagingSettings>,
): Promise<MessagingSettings> {
  const before = await getMessagingSettings(tx.db, tenantId);
  const next: MessagingSettings = {
    quietStart: patch.quietStart === undefined ? before.quietStart : patch.quietStart,
    quietEnd: patch.quietEnd === undefined ? before.quietEnd : patch.quietEnd,
    transport: patch.transport ?? before.transport,
  };
  for (const t of [next.quietStart, next.quietEnd]) {
    if (t !== null && !HHMM.test(t)) throw new DomainError("invalid", `quiet hours must be "HH:MM" (24 h), got "${t}"`);
  }
  if ((next.quietStart === null) !== (next.quietEnd === null)) {
    throw new DomainError("invalid", "quiet hours need both a start and an end (or neither)");
  }
  if (next.transport === "whatsapp" && !(await whatsAppIntegration(tx.db, tenantId))) {
    throw new DomainError(
      "invalid",
      "add an enabled WhatsApp integration with an access token before sending through WhatsApp",
    );
  }
  await tx.db.messagingSettings.upsert({ where: { tenantId }, create: { tenantId, ...next }, update: next });
  if (JSON.stringify(before) !== JSON.stringify(next)) {
    await tx.audit.record({
      tenantId,
      entityType: "messaging_settings",
      entityId: tenantId,
      action: "messaging_settings.updated",
      before: { ...before },
      after: { ...next },
    });
  }
  return next;
}

/** The tenant's WhatsApp integration replies go through (the oldest enabled one with a token), token opened. */
async function whatsAppIntegration(db: Db, tenantId: string) {
  const row = await db.integration.findFirst({
    where: { tenantId, provider: "whatsapp", enabled: true, accessToken: { not: null } },
    select: { externalId: true, accessToken: true },
    orderBy: { createdAt: "asc" },
  });
  return row ? { externalId: row.externalId, accessToken: openSecret(row.accessToken) } : null;
}

function formatMinutes(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;
}

/**
 * Stores a dispatcher's reply to a driver, in the caller's transaction, and returns it:
 * - `queued` (channel `whatsapp` or `local`), to be sent by {@link OutboundMessageDispatcher} after COMMIT;
 * - or `blocked`, with `statusReason` saying why, when the driver opted out (WhatsApp STOP or set
 *   by a dispatcher), has no phone number, it is quiet hours in the tenant's timezone, or (WhatsApp)
 *   the integration is missing or the driver has not written within 24 h
 *   ({@link WHATSAPP_SERVICE_WINDOW_MS}).
 * The driver's conversation is created on first contact. Audited `message.sent` or `message.blocked`
 * (ids only, not the text).
 * @param input.body 1–4096 characters (WhatsApp's limit), trimmed
 * @throws DomainError("not_found") unknown driver or another tenant's; ("invalid") empty or too long
 */
export async function sendDriverMessage(
  tx: Tx,
  tenantId: string,
  input: { driverId: string; body: string; userId: string | null },
  now = new Date(),
): Promise<StoredMessage> {
  const body = input.body.trim();
  if (body === "") throw new DomainError("invalid", "message is empty");
  if (body.length > WHATSAPP_TEXT_MAX_CHARS) {
    throw new DomainError("invalid", `message is longer than ${WHATSAPP_TEXT_MAX_CHARS} characters`);
  }
  const { db } = tx;
  const driver = await db.driver.findFirst({ where: { id: input.driverId, tenantId, deletedAt: null } });
  if (!driver) throw new DomainError("not_found", "driver not found");
  const [settings, tenant] = await inSequence(
    () => getMessagingSettings(db, tenantId),
    () => db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { timezone: true } }),
  );
  const conversation = await db.conversation.upsert({
    where: { tenantId_driverId: { tenantId, driverId: driver.id } },
    create: { tenantId, driverId: driver.id, lastMessageAt: now },
    update: { lastMessageAt: now },
  });
  const name = fullName(driver);

  let reason: string | null = null;
  if (driver.messagingOptOutAt) {
    reason = `${name} opted out of messages on ${driver.messagingOptOutAt.toISOString().slice(0, 10)}; they can reply START to opt back in`;
  } else if (!driver.phone) {
    reason = `${name} has no phone number`;
  } else if (inQuietHours(now, tenant.timezone, settings.quietStart, settings.quietEnd)) {
    reason = `quiet hours (${settings.quietStart}–${settings.quietEnd}, ${tenant.timezone}): drivers are not messaged until ${settings.quietEnd}; local time now ${formatMinutes(localMinutes(now, tenant.timezone))}`;
  } else if (settings.transport === "whatsapp") {
    if (!(await whatsAppIntegration(db, tenantId))) {
      reason = "WhatsApp is the messaging channel but no enabled WhatsApp integration has an access token";
    } else if (
      !conversation.lastInboundAt ||
      now.getTime() - conversation.lastInboundAt.getTime() > WHATSAPP_SERVICE_WINDOW_MS
    ) {
      reason = `WhatsApp delivers free-form messages only within 24 h of the driver's last message (${conversation.lastInboundAt ? `last at ${conversation.lastInboundAt.toISOString()}` : "the driver never wrote"})`;
    }
  }

  const rows = await db.$queryRawUnsafe<MessageRow[]>(
    `WITH m AS (
       INSERT INTO msg_messages (time, tenant_id, conversation_id, driver_id, direction, channel, status, message_type,
                                 body, sent_by_user_id, status_reason)
       VALUES ($1, $2::uuid, $3::uuid, $4::uuid, 'outbound', $5, $6::msg_status, 'text', $7, $8::uuid, $9)
       RETURNING *
     )
     SELECT ${MESSAGE_COLUMNS} FROM m`,
    now,
    tenantId,
    conversation.id,
    driver.id,
    settings.transport,
    reason ? "blocked" : "queued",
    body,
    input.userId,
    reason,
  );
  const message = toLiveMessage(rows[0] as MessageRow);
  await tx.audit.record({
    tenantId,
    entityType: "message",
    entityId: message.id,
    action: reason ? "message.blocked" : "message.sent",
    after: { driverId: driver.id, channel: settings.transport, status: message.status, statusReason: reason },
  });
  return message;
}

/**
 * The default transport: records each message in msg_outbox (recipient, text, our message id)
 * instead of sending it anywhere. Bound to the transaction and tenant of one dispatch.
 */
export class LocalOutboxTransport implements MessageTransport {
  readonly name = "local_outbox";

  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    private readonly messageId: string,
  ) {}

  /** Inserts the outbox row; the provider id is `outbox:<row id>`. */
  async send(message: OutboundTextMessage): Promise<{ providerMessageId: string }> {
    const row = await this.db.outboxMessage.create({
      data: { tenantId: this.tenantId, messageId: this.messageId, to: message.to, body: message.text },
      select: { id: true },
    });
    return { providerMessageId: `outbox:${row.id}` };
  }
}

/** An outbox row (what the local transport "sent"). */
export interface OutboxEntry {
  id: string;
  messageId: string;
  to: string;
  body: string;
  createdAt: Date;
}

/** The tenant's outbox, newest first (at most `limit`, default 50). */
export async function listOutbox(db: Db, tenantId: string, limit = 50): Promise<OutboxEntry[]> {
  return db.outboxMessage.findMany({
    where: { tenantId },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(limit, 1), 200),
    select: { id: true, messageId: true, to: true, body: true, createdAt: true },
  });
}

/** Options of {@link OutboundMessageDispatcher}. */
export interface OutboundDispatcherOptions {
  /** Called with the messages whose status changed, after COMMIT (the live feed's `message`). */
  publish: (messages: StoredMessage[]) => void;
  /** Graph API origin for WhatsApp (tests point it at a local server); default graph.facebook.com. */
  whatsAppBaseUrl?: string;
  /** Period of the sweep for queued messages left behind (crash, another process), ms. Default 10,000. */
  sweepMs?: number;
  log?: { warn: (obj: object, msg: string) => void };
}

/** Queued messages older than this are not sent any more (marked failed): a late reply misleads. */
export const OUTBOUND_MAX_QUEUE_AGE_MS = 60 * 60 * 1000;

interface QueuedRow {
  id: string;
  time: Date;
  tenant_id: string;
  channel: string;
  body: string;
  phone: string | null;
}

/**
 * Sends queued outbound messages. `kick()` after a reply commits sends it at once; a periodic sweep
 * catches anything left queued. Each batch is claimed with `FOR UPDATE SKIP LOCKED`, so several
 * server processes never send a message twice. A transport error marks the message `failed` with
 * the provider's reason (e.g. Meta's code 131047, outside the 24-hour window).
 */
export class OutboundMessageDispatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly opts: OutboundDispatcherOptions,
  ) {}

  /** Starts the periodic sweep. */
  start(): void {
    this.timer = setInterval(() => this.kick(), this.opts.sweepMs ?? 10_000);
    this.timer.unref();
  }

  /** Stops the sweep and waits for a dispatch in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Sends what is queued now (coalesces calls made while a dispatch runs). Never throws. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while ((await this.dispatchBatch()) > 0) {
            // More may be queued behind this batch.
          }
        } while (this.again);
      } catch (err) {
        this.opts.log?.warn({ err }, "dispatching outbound messages failed");
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Claims and sends up to 20 queued messages; returns how many were handled. */
  private async dispatchBatch(): Promise<number> {
    const updated = await withScope(this.prisma, { kind: "system" }, async (db) => {
      const queued = await db.$queryRaw<QueuedRow[]>`
        SELECT m.id::text, m.time, m.tenant_id::text, m.channel, m.body, d.phone
          FROM msg_messages m JOIN rid_drivers d ON d.id = m.driver_id
         WHERE m.status = 'queued' AND m.direction = 'outbound' AND m.time > now() - interval '1 day'
         ORDER BY m.time LIMIT 20
           FOR UPDATE OF m SKIP LOCKED`;
      const out: StoredMessage[] = [];
      for (const q of queued) out.push(await this.dispatchOne(db, q));
      return out;
    });
    if (updated.length > 0) this.opts.publish(updated);
    return updated.length;
  }

  private async dispatchOne(db: Db, q: QueuedRow): Promise<StoredMessage> {
    let status: "sent" | "failed";
    let providerMessageId: string | null = null;
    let reason: string | null = null;
    try {
      if (Date.now() - q.time.getTime() > OUTBOUND_MAX_QUEUE_AGE_MS) {
        throw new DomainError("invalid", "not sent within an hour of being written; send it again if it still matters");
      }
      if (!q.phone) throw new DomainError("invalid", "the driver has no phone number");
      const transport = await this.transportFor(db, q);
      ({ providerMessageId } = await transport.send({ to: q.phone, text: q.body }));
      status = "sent";
    } catch (err) {
      status = "failed";
      reason =
        err instanceof WhatsAppApiError
          ? `WhatsApp: ${err.details ?? err.message}${err.code !== null ? ` (code ${err.code})` : ""}`
          : err instanceof DomainError
            ? err.message
            : `sending failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    const rows = await db.$queryRawUnsafe<MessageRow[]>(
      `WITH m AS (
         UPDATE msg_messages SET status = $3::msg_status, provider_message_id = $4, status_reason = $5,
                sent_at = CASE WHEN $3 = 'sent' THEN now() END, failed_at = CASE WHEN $3 = 'failed' THEN now() END
          WHERE id = $1::uuid AND time = $2
         RETURNING *
       )
       SELECT ${MESSAGE_COLUMNS} FROM m`,
      q.id,
      q.time,
      status,
      providerMessageId,
      reason,
    );
    return toLiveMessage(rows[0] as MessageRow);
  }

  private async transportFor(db: Db, q: QueuedRow): Promise<MessageTransport> {
    if (q.channel !== "whatsapp") return new LocalOutboxTransport(db, q.tenant_id, q.id);
    const integration = await whatsAppIntegration(db, q.tenant_id);
    if (!integration?.accessToken) {
      throw new DomainError("invalid", "no enabled WhatsApp integration with an access token");
    }
    return new WhatsAppCloudTransport({
      accessToken: integration.accessToken,
      phoneNumberId: integration.externalId,
      ...(this.opts.whatsAppBaseUrl ? { baseUrl: this.opts.whatsAppBaseUrl } : {}),
    });
  }
}
