/**
 * One Socket.IO connection for the page, typed by the shared event maps. The server authenticates it
 * from the session cookie at handshake and joins the session's active tenant room, so after a sign-in,
 * sign-out or tenant switch the connection is re-made ({@link reconnectSocket}).
 */
import type { ClientToServerEvents, ServerToClientEvents } from "@fleetcore/realtime";
import { SOCKET_PATH } from "@fleetcore/realtime";
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
