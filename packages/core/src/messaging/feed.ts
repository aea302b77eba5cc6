/**
 * The operations room's feed records: vehicle events (tel_events, a hypertable) and driver messages
 * (msg_messages, a hypertable, one conversation per driver in msg_conversations), plus webhook
 * idempotency (msg_webhook_deliveries). Everything here runs inside a scoped transaction given by the
 * caller; what it returns is what the live feed (`event` / `message` on `/live`) publishes after COMMIT.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "@fleetcore/db";
import type { EventSeverity, LiveMessage, LiveVehicleEvent, MessageStatus } from "@fleetcore/realtime";

/** A vehicle event to store. Times are the event's own (fix time, provider time). */
export interface NewVehicleEvent {
  tenantId: string;
  time: Date;
  source: LiveVehicleEvent["source"];
  type: string;
  severity: EventSeverity;
  title: string;
  vehicleId?: string | null;
  driverId?: string | null;
  deviceId?: string | null;
  geofenceId?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  speedKph?: number | null;
  /** The provider's event id (Samsara eventId…); null for derived events. */
  externalId?: string | null;
  attributes?: Record<string, unknown>;
}

/** A stored event with its tenant (for routing to the tenant's room). */
export interface StoredVehicleEvent extends LiveVehicleEvent {
  tenantId: string;
}

/** A stored message with its tenant (for routing to the tenant's room). */
export interface StoredMessage extends LiveMessage {
  tenantId: string;
}

/**
 * Records that a webhook delivery is being processed; call first, in the transaction that stores
 * its effects. A provider's retry of the same delivery then finds the row and stores nothing twice.
 * @param deliveryId the provider's id (Samsara `eventId`, WhatsApp message id, "wamid:status")
 * @returns true the first time, false for a delivery already processed (or being processed by a
 * concurrent transaction, which then wins; ON CONFLICT waits for it)
 */
export async function claimWebhookDelivery(
  db: Db,
  provider: string,
  deliveryId: string,
  tenantId: string | null,
): Promise<boolean> {
  const rows = await db.$queryRaw<{ claimed: number }[]>`
    INSERT INTO msg_webhook_deliveries (provider, delivery_id, tenant_id)
    VALUES (${provider}, ${deliveryId}, ${tenantId}::uuid)
    ON CONFLICT DO NOTHING RETURNING 1 AS claimed`;
  return rows.length > 0;
}

interface EventRow {
  id: string;
  time: Date;
  tenant_id: string;
  source: string;
  type: string;
  severity: EventSeverity;
  title: string;
  vehicle_id: string | null;
  driver_id: string | null;
  geofence_id: string | null;
  latitude: number | null;
  longitude: number | null;
  speed_kph: number | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
}

function toLiveEvent(r: EventRow): StoredVehicleEvent {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    time: r.time.toISOString(),
    source: r.source as LiveVehicleEvent["source"],
    type: r.type,
    severity: r.severity,
    title: r.title,
    vehicleId: r.vehicle_id,
    driverId: r.driver_id,
    geofenceId: r.geofence_id,
    latitude: r.latitude,
    longitude: r.longitude,
    speedKph: r.speed_kph,
    acknowledgedAt: r.acknowledged_at ? r.acknowledged_at.toISOString() : null,
    acknowledgedBy: r.acknowledged_by,
  };
}

const EVENT_COLUMNS = `e.id, e.time, e.tenant_id, e.source, e.type, e.severity, e.title, e.vehicle_id, e.driver_id,
  e.geofence_id, e.latitude, e.longitude, e.speed_kph, e.acknowledged_at, e.acknowledged_by_user_id::text AS acknowledged_by`;

/**
 * One multi-row INSERT of vehicle events, for any client: ids are made here, so only the driver the
 * database filled in is read back (`RETURNING id, driver_id`). A vehicle's current driver (open
 * assignment) is filled in when the event names a vehicle and no driver. Run `sql` with `params`,
 * then build the stored events with {@link storedVehicleEvents}.
 */
export function vehicleEventInsert(events: NewVehicleEvent[]): { sql: string; params: unknown[]; ids: string[] } {
  const ids = events.map(() => randomUUID());
  return {
    ids,
    sql: `INSERT INTO tel_events (id, tenant_id, time, source, type, severity, title, vehicle_id, driver_id, device_id,
                                 geofence_id, latitude, longitude, speed_kph, external_id, attributes)
          SELECT x.id, x.tenant_id, x.time, x.source, x.type, x.severity, x.title, x.vehicle_id,
                 coalesce(x.driver_id, (SELECT a.driver_id FROM flt_vehicle_assignments a
                                         WHERE a.vehicle_id = x.vehicle_id AND a.end_at IS NULL LIMIT 1)),
                 x.device_id, x.geofence_id, x.latitude, x.longitude, x.speed_kph, x.external_id, x.attributes
            FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::tel_event_severity[],
                        $7::text[], $8::uuid[], $9::uuid[], $10::uuid[], $11::uuid[], $12::float8[], $13::float8[],
                        $14::real[], $15::text[], $16::jsonb[])
              AS x(id, tenant_id, time, source, type, severity, title, vehicle_id, driver_id, device_id, geofence_id,
                   latitude, longitude, speed_kph, external_id, attributes)
          RETURNING id::text, driver_id::text`,
    params: [
      ids,
      events.map((e) => e.tenantId),
      events.map((e) => e.time),
      events.map((e) => e.source),
      events.map((e) => e.type),
      events.map((e) => e.severity),
      events.map((e) => e.title),
      events.map((e) => e.vehicleId ?? null),
      events.map((e) => e.driverId ?? null),
      events.map((e) => e.deviceId ?? null),
      events.map((e) => e.geofenceId ?? null),
      events.map((e) => e.latitude ?? null),
      events.map((e) => e.longitude ?? null),
      events.map((e) => e.speedKph ?? null),
      events.map((e) => e.externalId ?? null),
      events.map((e) => JSON.stringify(e.attributes ?? {})),
    ],
  };
}

/** The events {@link vehicleEventInsert} stored, in the live feed's shape and input order. */
export function storedVehicleEvents(
  events: NewVehicleEvent[],
  ids: string[],
  returned: { id: string; driver_id: string | null }[],
): StoredVehicleEvent[] {
  const drivers = new Map(returned.map((r) => [r.id, r.driver_id]));
  return events.map((e, i) => ({
    id: ids[i] as string,
    tenantId: e.tenantId,
    time: e.time.toISOString(),
    source: e.source,
    type: e.type,
    severity: e.severity,
    title: e.title,
    vehicleId: e.vehicleId ?? null,
    driverId: drivers.get(ids[i] as string) ?? null,
    geofenceId: e.geofenceId ?? null,
    latitude: e.latitude ?? null,
    longitude: e.longitude ?? null,
    speedKph: e.speedKph ?? null,
    acknowledgedAt: null,
    acknowledgedBy: null,
  }));
}

/** Stores vehicle events in the caller's Prisma transaction ({@link vehicleEventInsert}); in input order. */
export async function insertVehicleEvents(db: Db, events: NewVehicleEvent[]): Promise<StoredVehicleEvent[]> {
  if (events.length === 0) return [];
  const { sql, params, ids } = vehicleEventInsert(events);
  return storedVehicleEvents(events, ids, await db.$queryRawUnsafe(sql, ...params));
}

/** Filters of the event list (the feed page). */
export interface VehicleEventFilter {
  types?: string[];
  severities?: EventSeverity[];
  vehicleId?: string;
  driverId?: string;
  unacknowledgedOnly?: boolean;
  /** Events before this time (paging backwards). */
  before?: Date;
  /** Default 100, at most 500. */
  limit?: number;
}

/** A tenant's events, newest first. RLS scopes the rows; `tenantId` keeps the plan on the tenant index. */
export async function listVehicleEvents(
  db: Db,
  tenantId: string,
  filter: VehicleEventFilter = {},
): Promise<StoredVehicleEvent[]> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
  const rows = await db.$queryRawUnsafe<EventRow[]>(
    `SELECT ${EVENT_COLUMNS} FROM tel_events e
      WHERE e.tenant_id = $1::uuid
        AND ($2::text[] IS NULL OR e.type = ANY($2::text[]))
        AND ($3::tel_event_severity[] IS NULL OR e.severity = ANY($3::tel_event_severity[]))
        AND ($4::uuid IS NULL OR e.vehicle_id = $4::uuid)
        AND ($5::uuid IS NULL OR e.driver_id = $5::uuid)
        AND (NOT $6::boolean OR e.acknowledged_at IS NULL)
        AND ($7::timestamptz IS NULL OR e.time < $7::timestamptz)
      ORDER BY e.time DESC LIMIT $8`,
    tenantId,
    filter.types?.length ? filter.types : null,
    filter.severities?.length ? filter.severities : null,
    filter.vehicleId ?? null,
    filter.driverId ?? null,
    filter.unacknowledgedOnly ?? false,
    filter.before ?? null,
    limit,
  );
  return rows.map(toLiveEvent);
}

/**
 * Acknowledges an event (idempotent: a second acknowledgement keeps the first's person and time).
 * @returns the event, or null when the tenant has no event with this id
 */
export async function acknowledgeVehicleEvent(
  db: Db,
  tenantId: string,
  eventId: string,
  userId: string | null,
): Promise<StoredVehicleEvent | null> {
  const rows = await db.$queryRawUnsafe<EventRow[]>(
    `WITH e AS (
       UPDATE tel_events SET acknowledged_at = coalesce(acknowledged_at, now()),
                             acknowledged_by_user_id = coalesce(acknowledged_by_user_id, $3::uuid)
        WHERE id = $2::uuid AND tenant_id = $1::uuid
       RETURNING *
     )
     SELECT ${EVENT_COLUMNS} FROM e`,
    tenantId,
    eventId,
    userId,
  );
  return rows[0] ? toLiveEvent(rows[0]) : null;
}

interface MessageRow {
  id: string;
  time: Date;
  tenant_id: string;
  conversation_id: string;
  driver_id: string;
  driver_name: string;
  direction: "inbound" | "outbound";
  channel: string;
  status: MessageStatus;
  message_type: string;
  body: string | null;
  status_reason: string | null;
}

/** msg_messages columns as a LiveMessage, for a query whose message alias is `m`. */
export const MESSAGE_COLUMNS = `m.id, m.time, m.tenant_id, m.conversation_id, m.driver_id,
  (SELECT d.first_name || ' ' || d.last_name FROM rid_drivers d WHERE d.id = m.driver_id) AS driver_name,
  m.direction, m.channel, m.status, m.message_type, m.body, m.status_reason`;

/** A msg_messages row (selected with {@link MESSAGE_COLUMNS}) in the live feed's shape. */
export function toLiveMessage(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    time: r.time.toISOString(),
    conversationId: r.conversation_id,
    driverId: r.driver_id,
    driverName: r.driver_name,
    direction: r.direction,
    channel: r.channel,
    status: r.status,
    messageType: r.message_type,
    body: r.body,
    statusReason: r.status_reason,
  };
}

export type { MessageRow };
