/**
 * Bits the feed page, the conversation panel, the messaging settings page and the wall ticker share:
 * names of vehicles and drivers, message status marks, times, the connection indicator.
 */
import type { EventSeverity, MessageStatus } from "@fleetcore/realtime";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { humanize } from "../../lib/format";
import type { FeedConnectionState } from "../../lib/liveFeed";
import { useTRPC } from "../../lib/trpc";

/** Vehicle and driver names by id (events carry ids only); empty maps without fleet:read. */
export interface FleetNames {
  vehicles: ReadonlyMap<string, string>;
  drivers: ReadonlyMap<string, string>;
  vehicleList: readonly { id: string; name: string }[];
  driverList: readonly { id: string; name: string }[];
}

export function useFleetNames(enabled: boolean): FleetNames {
  const trpc = useTRPC();
  const vehicles = useQuery(trpc.vehicle.list.queryOptions({}, { enabled, staleTime: 60_000 }));
  const drivers = useQuery(trpc.driver.list.queryOptions({}, { enabled, staleTime: 60_000 }));
  return useMemo(() => {
    const vehicleList = (vehicles.data ?? []).map((v) => ({ id: v.id, name: v.name }));
    const driverList = (drivers.data ?? []).map((d) => ({ id: d.id, name: d.name }));
    return {
      vehicles: new Map(vehicleList.map((v) => [v.id, v.name])),
      drivers: new Map(driverList.map((d) => [d.id, d.name])),
      vehicleList,
      driverList,
    };
  }, [vehicles.data, drivers.data]);
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dayClock = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });

/** A feed time: the clock today, date and clock before; the full date on hover. */
export function FeedTime({ iso, className }: { iso: string; className?: string }) {
  const d = new Date(iso);
  const today = d.toDateString() === new Date().toDateString();
  return (
    <time className={className} dateTime={iso} title={full.format(d)}>
      {today ? clock.format(d) : dayClock.format(d)}
    </time>
  );
}

/** What each delivery status looks like: a mark (WhatsApp's ticks) and a word. */
export const STATUS_MARKS: Record<MessageStatus, { mark: string; label: string }> = {
  received: { mark: "", label: "received" },
  queued: { mark: "◷", label: "queued" },
  sent: { mark: "✓", label: "sent" },
  delivered: { mark: "✓✓", label: "delivered" },
  read: { mark: "✓✓", label: "read" },
  failed: { mark: "✕", label: "failed" },
  blocked: { mark: "⊘", label: "blocked" },
};

/** An outbound message's status: ticks and the word (inbound ones show nothing). */
export function MessageStatusMark({ status }: { status: MessageStatus }) {
  const s = STATUS_MARKS[status];
  if (status === "received") return null;
  return (
    <span className={`thread-status thread-status-${status}`} data-status={status}>
      <span aria-hidden="true">{s.mark}</span> {s.label}
    </span>
  );
}

export const SEVERITY_LABELS: Record<EventSeverity, string> = {
  info: "Info",
  warning: "Warning",
  critical: "Critical",
};

/**
 * Event types the filter offers before any was seen: Fleetcore's own (DERIVED_EVENT_TYPES), the
 * Samsara ones packages/core/src/webhooks/samsara.ts maps, and a message from an unknown number.
 */
export const KNOWN_EVENT_TYPES = [
  "overspeed",
  "idle",
  "geofence_enter",
  "geofence_exit",
  "device_offline",
  "device_online",
  "samsara_alert",
  "route_stop_arrival",
  "route_stop_departure",
  "speeding_started",
  "speeding_ended",
  "driver_created",
  "driver_updated",
  "vehicle_created",
  "vehicle_updated",
  "message_unknown_sender",
] as const;

/** "geofence_enter" → "Geofence enter". */
export function eventTypeLabel(type: string): string {
  const words = humanize(type);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const CONNECTION_LABELS: Record<FeedConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

/** The live connection: a dot and a word, announced politely when it changes. */
export function ConnectionIndicator({ state, className = "" }: { state: FeedConnectionState; className?: string }) {
  return (
    <span className={`feed-conn feed-conn-${state} ${className}`} role="status" data-connection={state}>
      <span className="feed-conn-dot" aria-hidden="true" />
      {CONNECTION_LABELS[state]}
    </span>
  );
}
