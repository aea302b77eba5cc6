/**
 * Requests and answers of the operations room's feed: vehicle events (list, acknowledge, rule
 * settings), driver conversations (list, thread, reply, read, outbox, messaging settings) and
 * messaging/telematics integrations (WhatsApp Cloud API, Samsara; secrets are write-only).
 */
import { z } from "zod";

export const EVENT_SEVERITIES = ["info", "warning", "critical"] as const;
export const ZEventSeverity = z.enum(EVENT_SEVERITIES);

export const MESSAGE_STATUSES = ["received", "queued", "sent", "delivered", "read", "failed", "blocked"] as const;
export const ZMessageStatus = z.enum(MESSAGE_STATUSES);

/** Event types Fleetcore derives itself (others come from Samsara and Traccar as they name them). */
export const DERIVED_EVENT_TYPES = [
  "overspeed",
  "idle",
  "geofence_enter",
  "geofence_exit",
  "device_offline",
  "device_online",
] as const;

/** A vehicle event as the feed shows it (LiveVehicleEvent of @fleetcore/realtime). */
export const ZVehicleEvent = z.object({
  id: z.uuid(),
  time: z.string(),
  source: z.enum(["fleetcore", "samsara", "traccar"]),
  type: z.string(),
  severity: ZEventSeverity,
  title: z.string(),
  vehicleId: z.string().nullable(),
  driverId: z.string().nullable(),
  geofenceId: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  speedKph: z.number().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});
export type VehicleEventDto = z.infer<typeof ZVehicleEvent>;

/** Filters of the event list; `before` pages backwards (ISO time of the oldest event shown). */
export const ZListVehicleEventsRequest = z.object({
  types: z.array(z.string().min(1).max(64)).max(50).optional(),
  severities: z.array(ZEventSeverity).max(3).optional(),
  vehicleId: z.uuid().optional(),
  driverId: z.uuid().optional(),
  unacknowledgedOnly: z.boolean().optional(),
  before: z.date().optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

export const ZEventIdRequest = z.object({ eventId: z.uuid() });

/** A tenant's event rule settings (tel_event_rules). */
export const ZEventRules = z.object({
  /** Default speed limit, km/h; null: none (geofence and vehicle limits still apply). */
  overspeedKph: z.number().int().min(1).max(300).nullable(),
  overspeedMinDurationS: z.number().int().min(0).max(3600),
  /** Allowed idling, seconds; null: no idle events. */
  idleMaxS: z.number().int().min(60).max(86_400).nullable(),
  deviceOfflineEvents: z.boolean(),
});
export const ZUpdateEventRulesRequest = ZEventRules.partial();

/** A driver message (LiveMessage of @fleetcore/realtime). */
export const ZMessage = z.object({
  id: z.uuid(),
  time: z.string(),
  conversationId: z.uuid(),
  driverId: z.uuid(),
  driverName: z.string(),
  direction: z.enum(["inbound", "outbound"]),
  channel: z.string(),
  status: ZMessageStatus,
  messageType: z.string(),
  body: z.string().nullable(),
  statusReason: z.string().nullable(),
});
export type MessageDto = z.infer<typeof ZMessage>;

export const ZConversation = z.object({
  id: z.uuid(),
  driverId: z.uuid(),
  driverName: z.string(),
  driverPhone: z.string().nullable(),
  optedOutAt: z.date().nullable(),
  unreadCount: z.number().int(),
  lastMessageAt: z.date().nullable(),
  lastInboundAt: z.date().nullable(),
  lastMessage: z
    .object({
      body: z.string().nullable(),
      direction: z.enum(["inbound", "outbound"]),
      status: z.string(),
      time: z.date(),
    })
    .nullable(),
});

export const ZListConversationsRequest = z.object({
  unreadOnly: z.boolean().optional(),
  search: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(200).optional(),
});

export const ZDriverMessagesRequest = z.object({
  driverId: z.uuid(),
  before: z.date().optional(),
  limit: z.number().int().min(1).max(200).optional(),
});

export const ZRecentMessagesRequest = z.object({
  before: z.date().optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

/** A dispatcher's reply: 1–4096 characters (WhatsApp's limit on a text message). */
export const ZSendMessageRequest = z.object({
  driverId: z.uuid(),
  body: z.string().trim().min(1, "write a message").max(4096, "at most 4096 characters"),
});

export const ZOutboxEntry = z.object({
  id: z.uuid(),
  messageId: z.uuid(),
  to: z.string(),
  body: z.string(),
  createdAt: z.date(),
});

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like "22:00"');

export const ZMessagingSettings = z.object({
  quietStart: HHMM.nullable(),
  quietEnd: HHMM.nullable(),
  transport: z.enum(["local", "whatsapp"]),
});
export const ZUpdateMessagingSettingsRequest = ZMessagingSettings.partial();

export const ZIntegrationProvider = z.enum(["whatsapp", "samsara"]);

/** An integration as tenants see it: whether each secret is set, never its value. */
export const ZIntegration = z.object({
  id: z.uuid(),
  provider: ZIntegrationProvider,
  externalId: z.string(),
  displayName: z.string().nullable(),
  enabled: z.boolean(),
  hasSecret: z.boolean(),
  hasVerifyToken: z.boolean(),
  hasAccessToken: z.boolean(),
  lastEventAt: z.date().nullable(),
  createdAt: z.date(),
  webhookPath: z.string(),
});

const secret = z.string().trim().min(1).max(4096);

export const ZCreateIntegrationRequest = z.object({
  provider: ZIntegrationProvider,
  externalId: z.string().trim().min(1).max(64),
  displayName: z.string().trim().max(120).nullable().optional(),
  secret,
  verifyToken: secret.nullable().optional(),
  accessToken: secret.nullable().optional(),
  enabled: z.boolean().optional(),
});

/** Omitted fields stay; secrets are replaced only when given; `accessToken: null` clears it. */
export const ZUpdateIntegrationRequest = z.object({
  integrationId: z.uuid(),
  externalId: z.string().trim().min(1).max(64).optional(),
  displayName: z.string().trim().max(120).nullable().optional(),
  secret: secret.optional(),
  verifyToken: secret.optional(),
  accessToken: secret.nullable().optional(),
  enabled: z.boolean().optional(),
});

export const ZIntegrationIdRequest = z.object({ integrationId: z.uuid() });
