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

/** Events the server emits. */
export interface ServerToClientEvents {
  /** A vehicle was created in a tenant the socket has joined. */
  "vehicle:created": (event: VehicleCreatedEvent) => void;
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
}

/** Room receiving one tenant's live events. */
export const tenantRoom = (tenantId: string): string => `tenant:${tenantId}`;

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
  latitude: number;
  longitude: number;
  speedKph: number | null;
  headingDeg: number | null;
}

/** Events of the `/live` namespace, server → client. */
export interface LiveServerToClientEvents {
  /** Sent once on connection: the newest position of every device of the tenant. */
  snapshot: (positions: LivePosition[]) => void;
  /**
   * New positions, coalesced per tenant on a short tick (250 ms): only the newest fix per device
   * within a tick is sent.
   */
  positions: (positions: LivePosition[]) => void;
}

/** Events of the `/live` namespace, client → server (none yet). */
export type LiveClientToServerEvents = Record<string, never>;
