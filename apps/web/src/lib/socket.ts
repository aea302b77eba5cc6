/**
 * One Socket.IO connection for the page, typed by the shared event maps.
 */
import type { ClientToServerEvents, ServerToClientEvents } from "@fleetcore/realtime";
import { SOCKET_PATH } from "@fleetcore/realtime";
import { io, type Socket } from "socket.io-client";

export type FleetcoreSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: FleetcoreSocket | undefined;

export function getSocket(): FleetcoreSocket {
  socket ??= io({ path: SOCKET_PATH });
  return socket;
}
