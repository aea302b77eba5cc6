/**
 * The live operations feed: Socket.IO namespace `/live`. A socket authenticates at handshake like
 * the default namespace, joins its tenant's room, receives a `snapshot` of the tenant's latest
 * positions (tel_latest_positions, read under the tenant's RLS scope) and the current `vehicle` /
 * `device` statuses, then:
 * - `positions`: committed fixes coalesced per tenant on a 250 ms tick, newest fix per device only,
 *   so a burst of fixes costs one message per tick per tenant, not one per fix;
 * - `vehicle` / `device`: status changes (moving/idle/stopped/offline, online/offline) from
 *   {@link FleetStatusTracker}, on fixes and on a 5 s clock sweep;
 * - `track`: every fix of the vehicles the socket subscribed to (`track:subscribe`).
 * With several processes (Redis adapter), rooms span processes and each process announces the
 * vehicles its sockets track (`track:interest`) so the ingesting process emits their tracks.
 */
import {
  FleetStatusTracker,
  type StatusChanges,
  type StoredFix,
  type StoredMessage,
  type StoredVehicleEvent,
} from "@fleetcore/core";
import { type PrismaClient, withScope } from "@fleetcore/db";
import {
  type DeviceStatusEvent,
  feedRoom,
  LIVE_NAMESPACE,
  type LiveClientToServerEvents,
  type LiveInterServerEvents,
  type LivePosition,
  type LiveServerToClientEvents,
  type SocketAuth,
  type SocketData,
  tenantRoom,
  trackRoom,
} from "@fleetcore/realtime";
import type { Namespace } from "socket.io";
import { z } from "zod";
import type { FleetcoreSocketServer } from "./app";
import { authenticateSocket, mayJoin } from "./realtime";

export type LiveNamespace = Namespace<
  LiveClientToServerEvents,
  LiveServerToClientEvents,
  LiveInterServerEvents,
  SocketData
>;

/** Most vehicles one socket may track at full rate. */
export const MAX_TRACKS_PER_SOCKET = 20;
/** How long another process's `track:interest` announcement stays valid, ms. */
const REMOTE_INTEREST_TTL_MS = 15_000;

export interface LiveFeedOptions {
  /** Coalescing tick of `positions`, ms. Default 250. */
  tickMs?: number;
  /** Status sweep period (idle → stopped, → offline), ms. Default 5,000. */
  sweepMs?: number;
  /** Several server processes share rooms through an adapter (REDIS_URL): announce tracked vehicles. */
  clustered?: boolean;
}

/** Coalesces committed fixes per tenant, tracks statuses and emits on fixed ticks. */
export class LiveFanout {
  readonly tracker = new FleetStatusTracker();
  /** tenant → device → newest committed fix this tick (converted to the wire shape at flush). */
  private readonly pending = new Map<string, Map<string, StoredFix>>();
  private readonly tracks = new Map<string, LivePosition[]>();
  private statusChanges: StatusChanges = { vehicles: new Map(), devices: new Map() };
  private readonly deviceListeners: Array<(tenantId: string, changes: readonly DeviceStatusEvent[]) => void> = [];
  /** vehicle id → expiry (ms) of another process's interest in its track. */
  private readonly remoteInterest = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[];

  constructor(
    private readonly live: LiveNamespace,
    private readonly opts: LiveFeedOptions = {},
  ) {
    this.timers = [
      setInterval(() => this.flush(), opts.tickMs ?? 250),
      setInterval(() => this.sweep(), opts.sweepMs ?? 5_000),
      setInterval(() => this.announceInterest(), REMOTE_INTEREST_TTL_MS / 3),
    ];
    for (const t of this.timers) t.unref();
    live.on("track:interest", (vehicleIds) => {
      if (!Array.isArray(vehicleIds)) return;
      const expiry = Date.now() + REMOTE_INTEREST_TTL_MS;
      for (const id of vehicleIds) if (typeof id === "string") this.remoteInterest.set(id, expiry);
    });
  }

  /**
   * Publishes stored feed items at once (not on the tick: a dispatcher expects a driver's message
   * within a second) to their tenants' rooms: `event` per vehicle event, `message` per message.
   * Call after COMMIT.
   */
  publishFeed(items: { events?: readonly StoredVehicleEvent[]; messages?: readonly StoredMessage[] }): void {
    for (const { tenantId, ...event } of items.events ?? []) {
      this.live.to([tenantRoom(tenantId), feedRoom(tenantId)]).emit("event", event);
    }
    for (const { tenantId, ...message } of items.messages ?? []) {
      this.live.to([tenantRoom(tenantId), feedRoom(tenantId)]).emit("message", message);
    }
  }

  /** Calls `listener` with every device connection change this process derives (fixes and sweeps). */
  onDeviceStatus(listener: (tenantId: string, changes: readonly DeviceStatusEvent[]) => void): void {
    this.deviceListeners.push(listener);
  }

  /** Queues committed fixes (the writer's onCommitted hook). Cheap per fix: conversion waits for the tick. */
  push(fixes: StoredFix[]): void {
    for (const f of fixes) {
      let byDevice = this.pending.get(f.tenantId);
      if (!byDevice) {
        byDevice = new Map();
        this.pending.set(f.tenantId, byDevice);
      }
      const cur = byDevice.get(f.deviceId);
      if (!cur || cur.time.getTime() < f.time.getTime()) byDevice.set(f.deviceId, f);
      if (f.vehicleId && this.isTracked(f.vehicleId)) {
        const list = this.tracks.get(f.vehicleId) ?? [];
        list.push(toLive(f));
        this.tracks.set(f.vehicleId, list);
      }
    }
    this.merge(this.tracker.observe(fixes, Date.now()));
  }

  /** Emits what accumulated since the last tick. */
  flush(): void {
    for (const [tenantId, byDevice] of this.pending) {
      this.live.to(tenantRoom(tenantId)).emit("positions", Array.from(byDevice.values(), toLive));
    }
    this.pending.clear();
    for (const [vehicleId, list] of this.tracks) {
      list.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      this.live.to(trackRoom(vehicleId)).emit("track", list);
    }
    this.tracks.clear();
    const { vehicles, devices } = this.statusChanges;
    for (const [tenantId, events] of vehicles) this.live.to(tenantRoom(tenantId)).emit("vehicle", events);
    for (const [tenantId, events] of devices) this.live.to(tenantRoom(tenantId)).emit("device", events);
    this.statusChanges = { vehicles: new Map(), devices: new Map() };
  }

  /** Applies the clock to statuses (changes go out on the next tick). */
  sweep(nowMs = Date.now()): void {
    this.merge(this.tracker.sweep(nowMs));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }

  /** Whether some socket (here or, with an adapter, in another process) tracks this vehicle. */
  private isTracked(vehicleId: string): boolean {
    if ((this.live.adapter.rooms.get(trackRoom(vehicleId))?.size ?? 0) > 0) return true;
    if (this.remoteInterest.size === 0) return false;
    const expiry = this.remoteInterest.get(vehicleId);
    if (expiry === undefined) return false;
    if (expiry > Date.now()) return true;
    this.remoteInterest.delete(vehicleId);
    return false;
  }

  /** Tells other processes which vehicles our sockets track (a no-op without an adapter). */
  announceInterest(): void {
    const ids: string[] = [];
    for (const room of this.live.adapter.rooms.keys()) if (room.startsWith("track:")) ids.push(room.slice(6));
    if (ids.length === 0 || !this.opts.clustered) return;
    this.live.serverSideEmit("track:interest", ids);
  }

  private merge(changes: StatusChanges): void {
    if (this.deviceListeners.length > 0) {
      for (const [tenantId, events] of changes.devices) for (const l of this.deviceListeners) l(tenantId, events);
    }
    for (const kind of ["vehicles", "devices"] as const) {
      for (const [tenantId, events] of changes[kind]) {
        const target = this.statusChanges[kind] as Map<string, unknown[]>;
        const list = target.get(tenantId);
        if (list) list.push(...events);
        else target.set(tenantId, [...events]);
      }
    }
  }
}

/** Maps a stored fix or a tel_latest_positions row to the wire shape. */
export function toLive(f: {
  deviceId: string;
  vehicleId: string | null;
  time: Date;
  receivedAt: Date;
  latitude: number;
  longitude: number;
  speedKph: number | null;
  headingDeg: number | null;
  attributes: unknown;
}): LivePosition {
  const ignition = (f.attributes as Record<string, unknown> | null)?.ignition;
  return {
    deviceId: f.deviceId,
    vehicleId: f.vehicleId,
    time: f.time.toISOString(),
    receivedAt: f.receivedAt.toISOString(),
    latitude: f.latitude,
    longitude: f.longitude,
    speedKph: f.speedKph,
    headingDeg: f.headingDeg,
    ignition: typeof ignition === "boolean" ? ignition : null,
  };
}

/**
 * Sets up `/live` — authentication, tenant room, snapshot + statuses on connect, track
 * subscriptions — and returns the fan-out that committed fixes are pushed into.
 */
export function startLiveFeed(io: FleetcoreSocketServer, db: PrismaClient, opts: LiveFeedOptions = {}): LiveFanout {
  const live = io.of(LIVE_NAMESPACE) as unknown as LiveNamespace;
  const fanout = new LiveFanout(live, opts);
  live.use(authenticateSocket(db));
  live.on("connection", async (socket) => {
    const tenantId = socket.data.activeTenantId;
    if (!tenantId) {
      socket.disconnect(true);
      return;
    }
    const tracked = new Set<string>();
    // Listeners first: anything awaited before them would drop the client's first events.
    socket.on("track:subscribe", async (vehicleId, ack) => {
      if (typeof ack !== "function") return;
      if (!z.uuid().safeParse(vehicleId).success) return ack({ ok: false, error: "vehicleId must be a UUID" });
      if (!tracked.has(vehicleId) && tracked.size >= MAX_TRACKS_PER_SOCKET) {
        return ack({ ok: false, error: `at most ${MAX_TRACKS_PER_SOCKET} tracked vehicles per connection` });
      }
      try {
        const vehicle = await withScope(db, { kind: "tenant", tenantId, userId: socket.data.userId }, (tx) =>
          tx.vehicle.findFirst({ where: { id: vehicleId, tenantId, deletedAt: null }, select: { id: true } }),
        );
        if (!vehicle) return ack({ ok: false, error: "vehicle not found" });
        tracked.add(vehicleId);
        await socket.join(trackRoom(vehicleId));
        fanout.announceInterest();
        ack({ ok: true });
      } catch {
        ack({ ok: false, error: "could not subscribe, try again" });
      }
    });
    socket.on("track:unsubscribe", async (vehicleId) => {
      if (typeof vehicleId !== "string" || !tracked.delete(vehicleId)) return;
      await socket.leave(trackRoom(vehicleId));
    });
    try {
      if (!(await mayJoin(db, socket, tenantId))) {
        socket.disconnect(true);
        return;
      }
      if ((socket.handshake.auth as SocketAuth | undefined)?.feedOnly === true) {
        // The feed page and the wall's ticker: events and messages only, no positions.
        await socket.join(feedRoom(tenantId));
        return;
      }
      const rows = await withScope(db, { kind: "tenant", tenantId, userId: socket.data.userId }, (tx) =>
        tx.latestPosition.findMany({ where: { tenantId } }),
      );
      await socket.join(tenantRoom(tenantId));
      socket.emit("snapshot", rows.map(toLive));
      // Vehicles this process has not seen since it started are classified from the snapshot rows;
      // the resulting "changes" are not news to anyone else.
      fanout.tracker.observe(rows, Date.now());
      const statuses = fanout.tracker.snapshot(tenantId);
      socket.emit("vehicle", statuses.vehicles);
      socket.emit("device", statuses.devices);
    } catch {
      socket.disconnect(true);
    }
  });
  return fanout;
}
