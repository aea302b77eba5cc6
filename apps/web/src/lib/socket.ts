/**
 * One Socket.IO connection for the page, typed by the shared event maps. The server authenticates it
 * from the session cookie at handshake and joins the session's active tenant room, so after a sign-in,
 * sign-out or tenant switch the connection is re-made ({@link reconnectSocket}).
 */
import type {
  ClientToServerEvents,
  LiveClientToServerEvents,
  LiveServerToClientEvents,
  ServerToClientEvents,
  SocketAuth,
} from "@fleetcore/realtime";
import { LIVE_NAMESPACE, SOCKET_PATH } from "@fleetcore/realtime";
import { io, type Socket } from "socket.io-client";

export type FleetcoreSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: FleetcoreSocket | undefined;

export function getSocket(): FleetcoreSocket {
  socket ??= io({ path: SOCKET_PATH, withCredentials: true });
  return socket;
}

/** Re-handshakes with the current session cookie (no-op when no page has opened the socket yet). */
export function reconnectSocket(): void {
  if (!socket) return;
  socket.disconnect();
  socket.connect();
}

/** Closes the connection (sign-out): the next {@link getSocket} opens a fresh one. */
export function closeSocket(): void {
  socket?.disconnect();
  socket = undefined;
}

export type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/** Reconnection back-off after the server refused or dropped us (Socket.IO does not retry those), ms. */
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 60_000;

/**
 * Opens a `/live` connection (session cookie, or `auth.displayToken` for a wall display) and keeps it
 * connected: Socket.IO reconnects by itself after network loss (back-off up to 5 s, so a wall display
 * is back within seconds of the network); when the server refuses the handshake or disconnects us,
 * which Socket.IO does not retry, this retries with back-off (2 s doubling to 60 s).
 * @param on.connect each (re)connection; `recovered` when Socket.IO's connection state recovery
 *   replayed what was missed (no refetch needed)
 * @param on.disconnect each loss of the connection, and the final {@link stop}
 * @returns the socket (add event listeners to it) and `stop`, which disconnects and stops retrying
 */
export function openLiveSocket(
  auth: SocketAuth,
  on: { connect: (recovered: boolean) => void; disconnect: () => void },
): { socket: LiveSocket; stop: () => void } {
  const socket: LiveSocket = io(LIVE_NAMESPACE, {
    path: SOCKET_PATH,
    withCredentials: true,
    auth: Object.keys(auth).length > 0 ? auth : undefined,
    reconnectionDelayMax: 5000,
  });
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = RETRY_MIN_MS;
  const retry = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!stopped && !socket.connected && !socket.active) socket.connect();
    }, retryMs);
    retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
  };
  socket.on("connect", () => {
    retryMs = RETRY_MIN_MS;
    on.connect(socket.recovered);
  });
  socket.on("disconnect", (reason) => {
    on.disconnect();
    if (reason === "io server disconnect") retry();
  });
  socket.on("connect_error", () => {
    if (!socket.active) retry();
  });
  const stop = () => {
    stopped = true;
    if (retryTimer) clearTimeout(retryTimer);
    socket.disconnect();
    on.disconnect();
  };
  return { socket, stop };
}
