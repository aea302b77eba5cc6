/**
 * Live events of the default Socket.IO namespace for React components: {@link useSocketEvent} for any
 * server event (the notification bell can use it too), and {@link useTicketUpdates}, which refetches
 * support queries when a ticket changes. The server joins each socket to its active tenant's room (a
 * tenant user hears public changes of their tenant's tickets), its user room and, for provider staff,
 * the support room (every change).
 */
import type { ServerToClientEvents, TicketUpdatedEvent } from "@fleetcore/realtime";
import { type QueryKey, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { getSocket } from "./socket";

/**
 * Calls `handler` for each `event` on the page's socket while the component is mounted (the latest
 * handler, without re-subscribing on every render). With `onReconnect`, it is also called with no
 * payload after each reconnection, when events may have been missed.
 */
export function useSocketEvent<E extends keyof ServerToClientEvents>(
  event: E,
  handler: (...args: Parameters<ServerToClientEvents[E]> | []) => void,
  opts: { onReconnect?: boolean } = {},
): void {
  const latest = useRef(handler);
  latest.current = handler;
  const onReconnect = opts.onReconnect ?? false;
  useEffect(() => {
    const socket = getSocket();
    const listener = (...args: Parameters<ServerToClientEvents[E]>) => latest.current(...args);
    const reconnect = () => latest.current();
    // Socket.IO's typed `on` cannot relate a generic E to its listener type; the cast is sound.
    const typed = socket as unknown as {
      on(e: string, fn: (...a: unknown[]) => void): void;
      off(e: string, fn: (...a: unknown[]) => void): void;
    };
    typed.on(event, listener as (...a: unknown[]) => void);
    if (onReconnect) socket.io.on("reconnect", reconnect);
    return () => {
      typed.off(event, listener as (...a: unknown[]) => void);
      if (onReconnect) socket.io.off("reconnect", reconnect);
    };
  }, [event, onReconnect]);
}

/**
 * Invalidates `queryKeys` whenever a `ticket:updated` matching `filter` arrives (and after a
 * reconnection), so the page refetches through the API with the reader's access rules.
 * @param filter e.g. `(e) => e.ticketId === id`; every event when omitted
 */
export function useTicketUpdates(queryKeys: QueryKey[], filter?: (event: TicketUpdatedEvent) => boolean): void {
  const queryClient = useQueryClient();
  useSocketEvent(
    "ticket:updated",
    (event?: TicketUpdatedEvent) => {
      if (event && filter && !filter(event)) return;
      for (const queryKey of queryKeys) void queryClient.invalidateQueries({ queryKey });
    },
    { onReconnect: true },
  );
}

/** Whether the page's socket is connected now (re-renders on connect and disconnect). */
export function useSocketConnected(): boolean {
  const [connected, setConnected] = useState(() => getSocket().connected);
  useEffect(() => {
    const socket = getSocket();
    const up = () => setConnected(true);
    const down = () => setConnected(false);
    socket.on("connect", up);
    socket.on("disconnect", down);
    setConnected(socket.connected);
    return () => {
      socket.off("connect", up);
      socket.off("disconnect", down);
    };
  }, []);
  return connected;
}
