/**
 * The live fleet feed (Socket.IO namespace `/live`, contract in packages/realtime): a `snapshot` of
 * the tenant's newest positions on connection, then coalesced `positions` batches, `vehicle` movement
 * statuses, `device` online/offline statuses, and the full-rate `track` of vehicles subscribed with
 * `track:subscribe`.
 *
 * Everything is kept in {@link LiveFleet}, plain Maps outside React state: a 10,000-vehicle fleet
 * must not re-render per fix. Consumers subscribe with their own pace: the map takes the ids of the
 * vehicles that changed every ~100 ms and diffs them onto its layer; React components re-render at
 * most twice a second ({@link useLiveFleet}).
 */
import {
  type Ack,
  classifyMovement,
  type DeviceStatusEvent,
  type LivePosition,
  MOVING_SPEED_KPH,
  type VehicleMovementStatus,
  type VehicleStatusEvent,
} from "@fleetcore/realtime";
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { openLiveSocket } from "./socket";

/** One point of a vehicle's trail: degrees WGS 84, fix time in ms since epoch. */
export interface TrailPoint {
  lng: number;
  lat: number;
  timeMs: number;
}

/** Feed figures over the last minute (what the wall display shows). */
export interface LiveFleetStats {
  /** Fixes received in `positions` batches during the last 60 s. */
  perMinute: number;
  /**
   * Median of `receivedAt - time` over those fixes, seconds (how late fixes reach the server:
   * device buffering, network, queueing); null with no fix in the last minute.
   */
  ingestLagMedianS: number | null;
}

/** How the feed reaches the server for per-vehicle subscriptions (the socket, or a test double). */
export interface TrackTransport {
  subscribeTrack(vehicleId: string): void;
  unsubscribeTrack(vehicleId: string): void;
}

interface Subscriber {
  cb: (changedVehicleIds: ReadonlySet<string>) => void;
  intervalMs: number;
  pending: Set<string>;
  /** Something other than a vehicle changed (connection state, device statuses). */
  dirty: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  lastRunMs: number;
}

/** Window of the per-minute figures, ms. */
const STATS_WINDOW_MS = 60_000;

/**
 * The live state of one tenant's fleet. Mutated by the socket handlers ({@link connectLiveFleet}) or
 * directly (tests, the benchmark); read synchronously by anyone.
 */
export class LiveFleet {
  /** Newest fix per vehicle id (fixes of devices without a vehicle are left out). */
  readonly positions = new Map<string, LivePosition>();
  /** Newest online/offline status per device id (`device` events). */
  readonly devices = new Map<string, DeviceStatusEvent>();
  /** True while the socket is connected. */
  connected = false;
  /** When the last message of any kind arrived, ms since epoch; null before the first. */
  lastMessageAtMs: number | null = null;
  /** When the connection was lost, ms since epoch; null while connected or before the first connection. */
  disconnectedAtMs: number | null = null;

  private readonly serverStatuses = new Map<string, VehicleStatusEvent>();
  private readonly localStatuses = new Map<string, VehicleMovementStatus>();
  private readonly lastMovingAtMs = new Map<string, number>();
  private readonly trails = new Map<string, TrailPoint[]>();
  private readonly trackRefs = new Map<string, number>();
  private readonly subscribers = new Set<Subscriber>();
  private transport: TrackTransport | null = null;
  /** Arrival time (ms) and ingest lag (ms) of each fix of the last minute, oldest first from `statsStart`. */
  private arrivalsMs: number[] = [];
  private lagsMs: number[] = [];
  private statsStart = 0;

  /**
   * @param trailWindowMs how much history a trail keeps, ms (default 15 minutes)
   * @param now clock, ms since epoch (tests and the benchmark pin it)
   */
  constructor(
    readonly trailWindowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Movement status of a vehicle: the server's (`vehicle` events) when it sent one, else classified
   * here from the newest fix with `classifyMovement` (kept current by {@link reclassify}).
   */
  statusOf(vehicleId: string): VehicleMovementStatus {
    return this.serverStatuses.get(vehicleId)?.status ?? this.localStatuses.get(vehicleId) ?? "offline";
  }

  /** Where {@link statusOf} comes from for this vehicle. */
  statusSourceOf(vehicleId: string): "server" | "browser" {
    return this.serverStatuses.has(vehicleId) ? "server" : "browser";
  }

  /** The `snapshot` on (re)connection: newest fix per device; not counted in the per-minute figures. */
  applySnapshot(positions: LivePosition[]): void {
    this.applyFixes(positions, false);
  }

  /** A `positions` batch (counted in {@link stats}). */
  applyPositions(positions: LivePosition[]): void {
    this.applyFixes(positions, true);
  }

  /**
   * A `track` batch (every fix of subscribed vehicles): extends their trails, and moves them on the
   * map between coalesced batches. Not counted in {@link stats} (the same fixes come in `positions`).
   */
  applyTrack(positions: LivePosition[]): void {
    this.applyFixes(positions, false);
  }

  /** `vehicle` status events: from now on the server's status wins for these vehicles. */
  applyVehicleStatuses(events: VehicleStatusEvent[]): void {
    const changed: string[] = [];
    for (const e of events) {
      const before = this.statusOf(e.vehicleId);
      this.serverStatuses.set(e.vehicleId, e);
      if (before !== e.status) changed.push(e.vehicleId);
    }
    this.lastMessageAtMs = this.now();
    this.notify(changed, true);
  }

  /** `device` status events. */
  applyDeviceStatuses(events: DeviceStatusEvent[]): void {
    for (const e of events) this.devices.set(e.deviceId, e);
    this.lastMessageAtMs = this.now();
    this.notify([], true);
  }

  /** Connection state changes (the socket's `connect` / `disconnect`). */
  setConnected(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    this.disconnectedAtMs = connected ? null : this.now();
    if (connected && this.transport) for (const id of this.trackRefs.keys()) this.transport.subscribeTrack(id);
    this.notify([], true);
  }

  /**
   * Re-classifies vehicles without a server status as time passes (a parked vehicle turns `stopped`
   * after 5 min, a silent one `offline`); call every few seconds.
   */
  reclassify(): void {
    const nowMs = this.now();
    const changed: string[] = [];
    for (const [vehicleId, p] of this.positions) {
      const status = classifyMovement(p, nowMs, this.lastMovingAtMs.get(vehicleId));
      if (this.localStatuses.get(vehicleId) !== status) {
        this.localStatuses.set(vehicleId, status);
        if (!this.serverStatuses.has(vehicleId)) changed.push(vehicleId);
      }
    }
    this.notify(changed, false);
  }

  /** Fixes and lag over the last minute. O(n log n) in the fixes of the last minute: call at display pace. */
  stats(): LiveFleetStats {
    this.pruneStats(this.now());
    const n = this.arrivalsMs.length - this.statsStart;
    if (n === 0) return { perMinute: 0, ingestLagMedianS: null };
    const lags = Float64Array.from(this.lagsMs.slice(this.statsStart)).sort();
    const mid = n >> 1;
    const medianMs = n % 2 === 1 ? (lags[mid] ?? 0) : ((lags[mid - 1] ?? 0) + (lags[mid] ?? 0)) / 2;
    return { perMinute: n, ingestLagMedianS: Math.max(0, medianMs) / 1000 };
  }

  /**
   * Starts keeping the trail of a vehicle (from its current position on, plus {@link seedTrail}) and
   * subscribes to its full-rate `track`. Reference-counted.
   * @returns stops it again
   */
  trackVehicle(vehicleId: string): () => void {
    const refs = this.trackRefs.get(vehicleId) ?? 0;
    this.trackRefs.set(vehicleId, refs + 1);
    if (refs === 0) {
      const p = this.positions.get(vehicleId);
      this.trails.set(vehicleId, p ? [toTrailPoint(p)] : []);
      if (this.connected) this.transport?.subscribeTrack(vehicleId);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.trackRefs.get(vehicleId) ?? 1) - 1;
      if (left > 0) {
        this.trackRefs.set(vehicleId, left);
        return;
      }
      this.trackRefs.delete(vehicleId);
      this.trails.delete(vehicleId);
      if (this.connected) this.transport?.unsubscribeTrack(vehicleId);
    };
  }

  /** Adds earlier points to a tracked vehicle's trail (e.g. its stored positions from the API). */
  seedTrail(vehicleId: string, points: TrailPoint[]): void {
    const trail = this.trails.get(vehicleId);
    if (!trail) return;
    // Oldest first: each lands just before the (few) live points already there.
    for (const point of [...points].sort((a, b) => a.timeMs - b.timeMs)) insertTrailPoint(trail, point);
    this.notify([vehicleId], false);
  }

  /** A tracked vehicle's trail within {@link trailWindowMs}, oldest first (empty when not tracked). */
  trailOf(vehicleId: string): readonly TrailPoint[] {
    const trail = this.trails.get(vehicleId);
    if (!trail) return [];
    const cutoffMs = this.now() - this.trailWindowMs;
    let drop = 0;
    while (drop < trail.length && (trail[drop]?.timeMs ?? 0) < cutoffMs) drop++;
    if (drop > 0) trail.splice(0, drop);
    return trail;
  }

  /** Where `track:subscribe` / `track:unsubscribe` go ({@link connectLiveFleet} sets the socket). */
  setTransport(transport: TrackTransport | null): void {
    this.transport = transport;
  }

  /**
   * Calls `cb` with the ids of the vehicles whose position or status changed since its last call, at
   * most every `intervalMs` (coalesced); also (with an empty set) after connection or device changes.
   * @returns unsubscribes
   */
  subscribe(cb: (changedVehicleIds: ReadonlySet<string>) => void, intervalMs = 500): () => void {
    const sub: Subscriber = { cb, intervalMs, pending: new Set(), dirty: false, timer: undefined, lastRunMs: 0 };
    this.subscribers.add(sub);
    return () => {
      if (sub.timer) clearTimeout(sub.timer);
      this.subscribers.delete(sub);
    };
  }

  private applyFixes(positions: LivePosition[], count: boolean): void {
    const nowMs = this.now();
    const changed: string[] = [];
    for (const p of positions) {
      if (count) {
        this.arrivalsMs.push(nowMs);
        this.lagsMs.push(Date.parse(p.receivedAt) - Date.parse(p.time));
      }
      const vehicleId = p.vehicleId;
      if (!vehicleId) continue;
      const trail = this.trails.get(vehicleId);
      const trailGrew = trail ? insertTrailPoint(trail, toTrailPoint(p)) : false;
      const cur = this.positions.get(vehicleId);
      if (cur && cur.time >= p.time) {
        // ISO 8601 UTC strings sort by time. An older fix (a `track` batch) can still extend the trail.
        if (trailGrew) changed.push(vehicleId);
        continue;
      }
      this.positions.set(vehicleId, p);
      if ((p.speedKph ?? 0) > MOVING_SPEED_KPH) this.lastMovingAtMs.set(vehicleId, Date.parse(p.time));
      this.localStatuses.set(vehicleId, classifyMovement(p, nowMs, this.lastMovingAtMs.get(vehicleId)));
      changed.push(vehicleId);
    }
    this.lastMessageAtMs = nowMs;
    if (count) this.pruneStats(nowMs);
    this.notify(changed, count);
  }

  private pruneStats(nowMs: number): void {
    const cutoffMs = nowMs - STATS_WINDOW_MS;
    while (this.statsStart < this.arrivalsMs.length && (this.arrivalsMs[this.statsStart] ?? 0) < cutoffMs) {
      this.statsStart++;
    }
    // Compact now and then rather than shifting one by one.
    if (this.statsStart > 4096 && this.statsStart * 2 > this.arrivalsMs.length) {
      this.arrivalsMs = this.arrivalsMs.slice(this.statsStart);
      this.lagsMs = this.lagsMs.slice(this.statsStart);
      this.statsStart = 0;
    }
  }

  private notify(changedVehicleIds: string[], dirty: boolean): void {
    if (changedVehicleIds.length === 0 && !dirty) return;
    const nowMs = Date.now();
    for (const sub of this.subscribers) {
      for (const id of changedVehicleIds) sub.pending.add(id);
      if (dirty) sub.dirty = true;
      if (sub.timer) continue;
      const waitMs = Math.max(0, sub.lastRunMs + sub.intervalMs - nowMs);
      sub.timer = setTimeout(() => {
        sub.timer = undefined;
        sub.lastRunMs = Date.now();
        const ids = sub.pending;
        sub.pending = new Set();
        sub.dirty = false;
        sub.cb(ids);
      }, waitMs);
    }
  }
}

function toTrailPoint(p: LivePosition): TrailPoint {
  return { lng: p.longitude, lat: p.latitude, timeMs: Date.parse(p.time) };
}

/**
 * Keeps a trail in time order without duplicates (the same fix can come in `positions` and
 * `track`). Cheap for the usual case, a point newer than all others.
 * @returns whether the point was added
 */
function insertTrailPoint(trail: TrailPoint[], point: TrailPoint): boolean {
  let i = trail.length;
  while (i > 0 && (trail[i - 1]?.timeMs ?? 0) > point.timeMs) i--;
  if (i > 0 && trail[i - 1]?.timeMs === point.timeMs) return false;
  trail.splice(i, 0, point);
  return true;
}

/** How often statuses are re-classified in the browser as time passes, ms. */
const RECLASSIFY_EVERY_MS = 10_000;

/**
 * Connects `fleet` to `/live`, kept connected by {@link openLiveSocket}. Each (re)connection brings
 * a fresh `snapshot` and re-subscribes tracked vehicles.
 * @returns disconnects and stops retrying
 */
export function connectLiveFleet(fleet: LiveFleet, opts: { displayToken?: string } = {}): () => void {
  const { socket, stop } = openLiveSocket(opts.displayToken ? { displayToken: opts.displayToken } : {}, {
    connect: () => fleet.setConnected(true),
    disconnect: () => fleet.setConnected(false),
  });
  fleet.setTransport({
    subscribeTrack: (vehicleId) => {
      // An older server without the handler never acks: the timeout keeps that harmless.
      socket.timeout(5000).emit("track:subscribe", vehicleId, (_err: Error | null, _result?: Ack) => {});
    },
    unsubscribeTrack: (vehicleId) => {
      socket.emit("track:unsubscribe", vehicleId);
    },
  });
  socket.on("snapshot", (positions) => fleet.applySnapshot(positions));
  socket.on("positions", (positions) => fleet.applyPositions(positions));
  socket.on("track", (positions) => fleet.applyTrack(positions));
  socket.on("vehicle", (events) => fleet.applyVehicleStatuses(events));
  socket.on("device", (events) => fleet.applyDeviceStatuses(events));
  const reclassifyTimer = setInterval(() => fleet.reclassify(), RECLASSIFY_EVERY_MS);
  return () => {
    clearInterval(reclassifyTimer);
    fleet.setTransport(null);
    stop();
  };
}

/** {@link useLiveFleet}'s answer: the store, and a counter that changes when React should re-read it. */
export interface LiveFleetView {
  fleet: LiveFleet;
  /** Increments at most every `renderIntervalMs`; use it in memo/effect dependencies. */
  version: number;
}

/**
 * A live fleet for this component's lifetime (one `/live` connection) and re-renders at most every
 * `renderIntervalMs` (default 500 ms) while it changes. Read the data from `fleet` during render.
 */
export function useLiveFleet(opts: { renderIntervalMs?: number } = {}): LiveFleetView {
  const renderIntervalMs = opts.renderIntervalMs ?? 500;
  const [fleet] = useState(() => new LiveFleet());
  useEffect(() => connectLiveFleet(fleet), [fleet]);
  const store = useMemo(() => {
    let version = 0;
    return {
      subscribe: (onChange: () => void) =>
        fleet.subscribe(() => {
          version++;
          onChange();
        }, renderIntervalMs),
      getVersion: () => version,
    };
  }, [fleet, renderIntervalMs]);
  const version = useSyncExternalStore(store.subscribe, store.getVersion);
  return { fleet, version };
}
