/**
 * The live positions feed (Socket.IO namespace `/live`): a snapshot of the tenant's latest positions
 * on connection, then coalesced `positions` batches. Kept in a Map outside React state and published
 * at most twice a second, so a busy fleet does not re-render per fix.
 */
import {
  LIVE_NAMESPACE,
  type LiveClientToServerEvents,
  type LivePosition,
  type LiveServerToClientEvents,
  SOCKET_PATH,
} from "@fleetcore/realtime";
import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";

export interface LiveState {
  /** Newest position per vehicle id (devices without a vehicle are left out). */
  byVehicle: Map<string, LivePosition>;
  connected: boolean;
  /** Positions received in the last minute. */
  perMinute: number;
  /** When the last message arrived (ms since epoch), or null. */
  lastMessageAt: number | null;
}

export function useLivePositions(): LiveState {
  const [state, setState] = useState<LiveState>({
    byVehicle: new Map(),
    connected: false,
    perMinute: 0,
    lastMessageAt: null,
  });
  useEffect(() => {
    const byVehicle = new Map<string, LivePosition>();
    const arrivals: number[] = [];
    let connected = false;
    let lastMessageAt: number | null = null;
    let dirty = true;
    const socket: Socket<LiveServerToClientEvents, LiveClientToServerEvents> = io(LIVE_NAMESPACE, {
      path: SOCKET_PATH,
      withCredentials: true,
    });
    const apply = (positions: LivePosition[], count: boolean) => {
      const now = Date.now();
      for (const p of positions) {
        if (!p.vehicleId) continue;
        const cur = byVehicle.get(p.vehicleId);
        if (!cur || cur.time < p.time) byVehicle.set(p.vehicleId, p);
        if (count) arrivals.push(now);
      }
      lastMessageAt = now;
      dirty = true;
    };
    socket.on("connect", () => {
      connected = true;
      dirty = true;
    });
    socket.on("disconnect", () => {
      connected = false;
      dirty = true;
    });
    socket.on("snapshot", (positions) => apply(positions, false));
    socket.on("positions", (positions) => apply(positions, true));
    const timer = setInterval(() => {
      const cutoff = Date.now() - 60_000;
      while (arrivals.length > 0 && (arrivals[0] ?? 0) < cutoff) arrivals.shift();
      if (!dirty && arrivals.length === 0) return;
      dirty = false;
      setState({ byVehicle: new Map(byVehicle), connected, perMinute: arrivals.length, lastMessageAt });
    }, 500);
    return () => {
      clearInterval(timer);
      socket.disconnect();
    };
  }, []);
  return state;
}

/** Moving / stopped / offline from a position's age and speed (offline: no fix for 5 minutes). */
export function movementOf(p: LivePosition | undefined, now: number): "moving" | "stopped" | "offline" {
  if (!p || now - Date.parse(p.time) > 5 * 60_000) return "offline";
  return (p.speedKph ?? 0) > 3 ? "moving" : "stopped";
}
