/**
 * Socket.IO contract shared by the server and the web app: event maps and room names.
 * Socket.IO 4 typed events: `new Server<ClientToServerEvents, ServerToClientEvents>()` on the server,
 * `io() as Socket<ServerToClientEvents, ClientToServerEvents>` in the browser.
 */
/** Path Socket.IO is served at (the default, spelled out because clients rely on it). */
export const SOCKET_PATH = "/socket.io";

/** Acknowledgement of a client request: ok, or an error a person can read. */
export type Ack = { ok: true } | { ok: false; error: string };

/**
 * Payload of `vehicle:created`. Socket.IO serialises to JSON, so times travel as ISO 8601 strings.
 */
export interface VehicleCreatedEvent {
  id: string;
  tenantId: string;
  name: string;
  /** ISO 8601. */
  createdAt: string;
}

/**
 * Payload of `ticket:updated`: something changed on a support ticket. It carries no content, only
 * what changed, so clients refetch through the API (which applies the reader's access rules).
 * Tenants' rooms get it for public changes only (never for an internal note); the provider support
 * room ({@link SUPPORT_ROOM}) gets every change.
 */
export interface TicketUpdatedEvent {
  ticketId: string;
  tenantId: string;
  /** The ticket's human number (#1042). */
  number: number;
  /** created, message (a public reply), note (internal, provider room only), status, assigned, feedback. */
  change: "created" | "message" | "note" | "status" | "assigned" | "feedback";
  status: "open" | "in_progress" | "awaiting_customer" | "resolved" | "closed";
  /** ISO 8601. */
  at: string;
}

/** Payload of `notification`: a new in-app notification for the socket's user (adm_notifications). */
export interface NotificationEvent {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  /** In-app path, e.g. "/support/tickets/…". */
  link: string | null;
  tenantId: string | null;
  /** ISO 8601. */
  createdAt: string;
}

/** Events the server emits. */
export interface ServerToClientEvents {
  /** A vehicle was created in a tenant the socket has joined. */
  "vehicle:created": (event: VehicleCreatedEvent) => void;
  /** A support ticket changed (tenant room: public changes; {@link SUPPORT_ROOM}: all). */
  "ticket:updated": (event: TicketUpdatedEvent) => void;
  /** A notification for this socket's user ({@link userRoom}). */
  notification: (event: NotificationEvent) => void;
}

/** Events clients send. */
export interface ClientToServerEvents {
  /**
   * Subscribe to one tenant's live events. A socket is joined to its session's active tenant at
   * connection; joining another works for that user's other tenants (members) or any tenant
   * (provider staff); otherwise the ack says "tenant not found".
   */
  "tenant:join": (tenantId: string, ack: (result: Ack) => void) => void;
  /** Stop receiving a tenant's live events. */
  "tenant:leave": (tenantId: string) => void;
}

/** Server-to-server events (none yet: a single process, no adapter). */
export type InterServerEvents = Record<string, never>;

/**
 * Per-socket data set at handshake, where the connection authenticates with the session cookie
 * (people and wall displays that opened /display/<token>) or `auth: { displayToken }` (a screen
 * that cannot hold cookies). Unauthenticated connections are refused ("unauthorized").
 */
export interface SocketData {
  kind: "user" | "display";
  /** adm_sessions.id (token hash) of a cookie-authenticated socket; null for a display-token socket. */
  sessionId: string | null;
  /** adm_display_tokens.id of a wall display (cookie or handshake token). */
  displayTokenId: string | null;
  userId: string | null;
  /** The session's active tenant (joined automatically), or the display token's tenant. */
  activeTenantId: string | null;
  /** Tenants this socket has joined. */
  tenantIds: Set<string>;
}

/** Handshake `auth` payload accepted from clients that cannot use the session cookie. */
export interface SocketAuth {
  displayToken?: string;
  /**
   * `/live` only: this socket wants the feed (`event`, `message`) and nothing else — no position
   * `snapshot`, `positions`, statuses or tracks (the feed page, the wall's ticker).
   */
  feedOnly?: boolean;
}

/** Room receiving one tenant's live events. */
export const tenantRoom = (tenantId: string): string => `tenant:${tenantId}`;

/** Room of one person's sockets (default namespace): their notifications. Joined at connection. */
export const userRoom = (userId: string): string => `user:${userId}`;

/**
 * Room of provider staff (default namespace): every support ticket change across tenants, for the
 * agents' queue. Sockets of active provider employees join it at connection.
 */
export const SUPPORT_ROOM = "provider:support";

/**
 * Namespace of the live operations feed (positions). Authenticated like the default namespace
 * (session cookie or `auth.displayToken`); each socket is joined to its tenant's room.
 */
export const LIVE_NAMESPACE = "/live";

/** A vehicle's (device's) newest position, as the live feed carries it. Times are ISO 8601. */
export interface LivePosition {
  deviceId: string;
  vehicleId: string | null;
  /** Fix time, ISO 8601. */
  time: string;
  /** Server time the fix was committed, ISO 8601 (`receivedAt - time` is the ingest lag). */
  receivedAt: string;
  latitude: number;
  longitude: number;
  speedKph: number | null;
  headingDeg: number | null;
  /** Engine on/off when the device reports it (Traccar `ignition`), else null. */
  ignition: boolean | null;
}

/**
 * Movement status of a vehicle, as fleet products show it (Samsara/Traccar): `moving` above
 * {@link MOVING_SPEED_KPH}; `idle` when not moving but the engine is on or it stopped less than
 * {@link IDLE_MAX_MS} ago; `stopped` when parked longer (engine off or unknown); `offline` when no
 * fix for {@link OFFLINE_AFTER_MS}.
 */
export type VehicleMovementStatus = "moving" | "idle" | "stopped" | "offline";

/** Speed above which a vehicle counts as moving, km/h (GPS jitter at rest stays below this). */
export const MOVING_SPEED_KPH = 3;
/** A vehicle stationary for less than this (ms) with unknown ignition is `idle`, longer `stopped`. */
export const IDLE_MAX_MS = 5 * 60_000;
/** No fix for this long (ms, by fix time) makes a vehicle/device `offline`. */
export const OFFLINE_AFTER_MS = 5 * 60_000;

/**
 * Classifies a vehicle from its newest fix.
 * @param p newest fix, or undefined when it never reported (→ offline)
 * @param nowMs current time, ms since epoch
 * @param lastMovingAtMs when it last had a moving fix (ms since epoch), if known; without it a
 *   stationary vehicle with unknown ignition is `idle` until {@link IDLE_MAX_MS} after its fix time
 */
export function classifyMovement(
  p: Pick<LivePosition, "time" | "speedKph" | "ignition"> | undefined,
  nowMs: number,
  lastMovingAtMs?: number | null,
): VehicleMovementStatus {
  if (!p) return "offline";
  return classifyMovementAt(Date.parse(p.time), p.speedKph, p.ignition, nowMs, lastMovingAtMs ?? null);
}

/** {@link classifyMovement} on plain numbers (fix time in ms since epoch), for hot paths. */
export function classifyMovementAt(
  fixMs: number,
  speedKph: number | null,
  ignition: boolean | null,
  nowMs: number,
  lastMovingAtMs: number | null,
): VehicleMovementStatus {
  if (nowMs - fixMs > OFFLINE_AFTER_MS) return "offline";
  if ((speedKph ?? 0) > MOVING_SPEED_KPH) return "moving";
  if (ignition === true) return "idle";
  if (ignition === false) return "stopped";
  return nowMs - (lastMovingAtMs ?? fixMs) < IDLE_MAX_MS ? "idle" : "stopped";
}

/** A vehicle's movement status changed (or, in the burst after `snapshot`, its current status). */
export interface VehicleStatusEvent {
  vehicleId: string;
  status: VehicleMovementStatus;
  /** When the vehicle entered this status, ISO 8601. */
  since: string;
  /** Fix time of its newest position, ISO 8601, or null if it never reported. */
  lastFixAt: string | null;
}

/** Traccar's device statuses: `online` (reported within {@link OFFLINE_AFTER_MS}) or `offline`. */
export type DeviceConnectionStatus = "online" | "offline";

/** A device went online/offline (or, after `snapshot`, its current status). */
export interface DeviceStatusEvent {
  deviceId: string;
  vehicleId: string | null;
  status: DeviceConnectionStatus;
  /** Server time of its newest accepted fix, ISO 8601, or null. */
  lastSeenAt: string | null;
}

/** Events of the `/live` namespace, server → client. */
/** Severity of a vehicle event (tel_events.severity). */
export type EventSeverity = "info" | "warning" | "critical";

/**
 * A vehicle event as the live feed carries it (`event` on `/live`): derived by Fleetcore from
 * positions (overspeed, idle, geofence_enter/exit, device_offline/online) or received from Samsara
 * webhooks or Traccar event forwarding. Times ISO 8601 UTC; coordinates WGS 84 degrees.
 */
export interface LiveVehicleEvent {
  id: string;
  time: string;
  source: "fleetcore" | "samsara" | "traccar";
  type: string;
  severity: EventSeverity;
  title: string;
  vehicleId: string | null;
  driverId: string | null;
  geofenceId: string | null;
  latitude: number | null;
  longitude: number | null;
  speedKph: number | null;
  acknowledgedAt: string | null;
  /** The user id of who acknowledged it. */
  acknowledgedBy: string | null;
}

/** Delivery state of a message (msg_messages.status). */
export type MessageStatus = "received" | "queued" | "sent" | "delivered" | "read" | "failed" | "blocked";

/**
 * A driver message as the live feed carries it (`message` on `/live`): an inbound one when it is
 * stored, an outbound reply when it is created and again on each delivery-status change (same id).
 */
export interface LiveMessage {
  id: string;
  time: string;
  conversationId: string;
  driverId: string;
  driverName: string;
  direction: "inbound" | "outbound";
  channel: string;
  status: MessageStatus;
  messageType: string;
  body: string | null;
  statusReason: string | null;
}

export interface LiveServerToClientEvents {
  /** Sent once on connection: the newest position of every device of the tenant. */
  snapshot: (positions: LivePosition[]) => void;
  /**
   * New positions, coalesced per tenant on a short tick (250 ms): only the newest fix per device
   * within a tick is sent.
   */
  positions: (positions: LivePosition[]) => void;
  /** Vehicle movement status changes (batched); all current statuses right after `snapshot`. */
  vehicle: (events: VehicleStatusEvent[]) => void;
  /** Device online/offline changes (batched); all current statuses right after `snapshot`. */
  device: (events: DeviceStatusEvent[]) => void;
  /**
   * Every fix (not coalesced) of the vehicles this socket subscribed to with `track:subscribe`,
   * in fix-time order per batch.
   */
  track: (positions: LivePosition[]) => void;
  /** A vehicle event, once stored (see {@link LiveVehicleEvent}); again when acknowledged. */
  event: (event: LiveVehicleEvent) => void;
  /** A driver message, once stored, and again on each status change (see {@link LiveMessage}). */
  message: (message: LiveMessage) => void;
}

/** Events of the `/live` namespace, client → server. */
export interface LiveClientToServerEvents {
  /**
   * Receive the full-rate track (`track` events) of one vehicle of a joined tenant. The ack says
   * "vehicle not found" for a vehicle outside the socket's tenants. At most 20 per socket.
   */
  "track:subscribe": (vehicleId: string, ack: (result: Ack) => void) => void;
  /** Stop receiving a vehicle's full-rate track. */
  "track:unsubscribe": (vehicleId: string) => void;
}

/**
 * Events between server processes on `/live` (through the Redis Streams adapter when REDIS_URL is
 * set): each process announces which vehicles its sockets track, so the process that ingests a
 * vehicle's fixes knows to emit its full-rate `track`.
 */
export interface LiveInterServerEvents {
  "track:interest": (vehicleIds: string[]) => void;
}

/** `/live` room of the sockets that asked for a tenant's feed only (see {@link SocketAuth.feedOnly}). */
export const feedRoom = (tenantId: string): string => `feed:${tenantId}`;

/** Room receiving one vehicle's full-rate track. */
export const trackRoom = (vehicleId: string): string => `track:${vehicleId}`;
