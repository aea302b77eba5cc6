/**
 * The server's derived-event pipeline: committed fixes go through the {@link EventRulesEngine}
 * (overspeed, idle, geofence enter/exit) synchronously, in memory; device connection changes from
 * the {@link FleetStatusTracker} become `device_offline` / `device_online` events; what comes out
 * is stored in tel_events (with geofence presence kept in tel_geofence_presence) by one writer
 * that runs behind ingest, never in its way, and is then published to the live feed.
 *
 * Settings are cached: geofences (reloaded per tenant on change), tenant rules (tel_event_rules)
 * and vehicle speed limits (flt_vehicles.speed_limit_kph), reloaded on change and every minute.
 * Presence and device statuses are seeded from the database at start, so a restart neither bursts
 * "entered" events nor misses an exit (nor announces every device "back online" after downtime).
 */
import { type Db, type PgPool, type PgPoolClient, type PrismaClient, withPgScope, withScope } from "@fleetcore/db";
import { type DeviceStatusEvent, OFFLINE_AFTER_MS } from "@fleetcore/realtime";
import { loadGeofenceDefs } from "../fleet/geofences";
import {
  type NewVehicleEvent,
  type StoredVehicleEvent,
  storedVehicleEvents,
  vehicleEventInsert,
} from "../messaging/feed";
import { type DerivedEvent, EventRulesEngine, type ObservedFix, type RuleLimits } from "./eventRules";
import { GeofenceIndex } from "./geofences";
import { DEFAULT_TENANT_EVENT_RULES, type TenantEventRules } from "./ruleSettings";

/** Collaborators of {@link DerivedEventPipeline}. */
export interface DerivedEventPipelineOptions {
  /**
   * node-postgres pool the events are written through (the ingest hot path's, as fast as it needs:
   * Prisma's raw queries cost ~10× more per row at these volumes); the Prisma client reads settings.
   */
  pool: PgPool;
  /** Called with stored events, after COMMIT (the live feed's `event`). */
  publish: (events: StoredVehicleEvent[]) => void;
  /** Where failures go (pino-like); default: silent. */
  log?: { warn: (obj: object, msg: string) => void };
  /** Reload period of rules and vehicle limits, ms. Default 60,000. */
  refreshMs?: number;
  /** Most events waiting to be stored; beyond it new ones are dropped (counted, logged). Default 50,000. */
  maxPendingEvents?: number;
}

/** Events stored per transaction: small enough to commit in well under a second. */
export const DERIVED_EVENTS_PER_TRANSACTION = 2_000;
/** Default bound of the backlog of events waiting to be stored (see {@link DerivedEventPipelineOptions}). */
export const DEFAULT_MAX_PENDING_EVENTS = 50_000;

type Presence = { tenantId: string; vehicleId: string; geofenceId: string; time: Date; entered: boolean };

/** Turns committed fixes and device status changes into stored, published vehicle events. */
export class DerivedEventPipeline {
  readonly geofences = new GeofenceIndex();
  private readonly engine: EventRulesEngine;
  private rules = new Map<string, TenantEventRules>();
  /** tenant → the RuleLimits of its vehicles without their own limit (one object per tenant). */
  private tenantLimits = new Map<string, RuleLimits>();
  /** vehicle → RuleLimits with its own speed limit. */
  private vehicleLimits = new Map<string, RuleLimits>();
  private readonly geofenceIdsByTenant = new Map<string, Set<string>>();
  /**
   * device → last known connection status, seeded from tel_latest_positions: a device already
   * offline at start is `offline_at_start` (its silence may be this platform's own downtime).
   */
  private readonly deviceStatus = new Map<string, "online" | "offline" | "offline_at_start">();
  private pendingEvents: NewVehicleEvent[] = [];
  /** vehicle:geofence → its latest enter/exit not yet written (bounded by vehicles × geofences). */
  private pendingPresence = new Map<string, Presence>();
  /** Events dropped because the backlog was full, since the last warning. */
  private dropped = 0;
  private lastDropWarningMs = 0;
  private readonly maxPending: number;
  private readonly reloads = new Set<Promise<unknown>>();
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly opts: DerivedEventPipelineOptions,
  ) {
    this.engine = new EventRulesEngine({ geofences: this.geofences, limitsFor: (t, v) => this.limitsFor(t, v) });
    this.maxPending = opts.maxPendingEvents ?? DEFAULT_MAX_PENDING_EVENTS;
  }

  /** Loads geofences, rules, vehicle limits, presence and device statuses; starts the refresh clock. */
  async start(): Promise<void> {
    await withScope(this.prisma, { kind: "system" }, async (db) => {
      this.setGeofences(null, await loadGeofenceDefs(db));
      await this.loadLimits(db);
      const presence = await db.$queryRaw<{ vehicle_id: string; ids: string[] }[]>`
        SELECT vehicle_id::text, array_agg(geofence_id::text) AS ids FROM tel_geofence_presence GROUP BY vehicle_id`;
      for (const p of presence) this.engine.seedPresence(p.vehicle_id, p.ids);
      const devices = await db.$queryRaw<{ device_id: string; received_at: Date }[]>`
        SELECT device_id::text, received_at FROM tel_latest_positions`;
      const now = Date.now();
      for (const d of devices) {
        const offline = now - d.received_at.getTime() > OFFLINE_AFTER_MS;
        this.deviceStatus.set(d.device_id, offline ? "offline_at_start" : "online");
      }
    });
    this.timer = setInterval(() => {
      this.reloadLimits().catch((err) => this.opts.log?.warn({ err }, "event rules reload failed"));
    }, this.opts.refreshMs ?? 60_000);
    this.timer.unref();
  }

  /** Stops the clock and waits for pending writes. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /**
   * Applies committed fixes (the writer's onCommitted hook): in-memory rules only; the events they
   * derive are written in the background.
   */
  observe(fixes: readonly ObservedFix[]): void {
    const derived = this.engine.observe(fixes);
    if (derived.length === 0) return;
    for (const e of derived) this.enqueueDerived(e);
    this.schedule();
  }

  /**
   * Applies device connection changes from the status tracker: a known device going from online to
   * offline is a `device_offline` event, and back from such an offline a `device_online` event (when
   * the tenant's rules have deviceOfflineEvents). A device seen for the first time only records its
   * status, and so does one that was already offline when this process started: after the
   * platform's own downtime every device would otherwise come "back online" at once.
   */
  observeDevices(tenantId: string, changes: readonly DeviceStatusEvent[]): void {
    const rules = this.rules.get(tenantId) ?? DEFAULT_TENANT_EVENT_RULES;
    let queued = false;
    for (const c of changes) {
      const before = this.deviceStatus.get(c.deviceId);
      this.deviceStatus.set(c.deviceId, c.status);
      if (before === undefined || before === "offline_at_start" || before === c.status) continue;
      if (!rules.deviceOfflineEvents) continue;
      const lastSeen = c.lastSeenAt ? new Date(c.lastSeenAt) : new Date();
      const offline = c.status === "offline";
      this.enqueueEvent({
        tenantId,
        time: offline ? new Date() : lastSeen,
        source: "fleetcore",
        type: offline ? "device_offline" : "device_online",
        severity: offline ? "warning" : "info",
        title: offline
          ? `Device offline: no position for ${Math.round(OFFLINE_AFTER_MS / 60_000)} min`
          : "Device back online",
        vehicleId: c.vehicleId,
        deviceId: c.deviceId,
        attributes: { lastSeenAt: c.lastSeenAt },
      });
      queued = true;
    }
    if (queued) this.schedule();
  }

  /** Resolves once every reload started so far (geofences, limits) has finished (tests, shutdown). */
  async reloaded(): Promise<void> {
    await Promise.allSettled([...this.reloads]);
  }

  /** Runs a reload, remembered until it ends (see {@link reloaded}). */
  private track<T>(reload: Promise<T>): Promise<T> {
    this.reloads.add(reload);
    const done = () => this.reloads.delete(reload);
    reload.then(done, done);
    return reload;
  }

  /**
   * Reloads one tenant's geofences (after a change) — or all when tenantId is null. Presence rows of
   * geofences deleted or switched off go too (leaving one of those derives no exit).
   */
  reloadGeofences(tenantId: string | null): Promise<void> {
    return this.track(this.loadGeofences(tenantId));
  }

  private async loadGeofences(tenantId: string | null): Promise<void> {
    const defs = await withScope(this.prisma, { kind: "system" }, async (db) => {
      const loaded = await loadGeofenceDefs(db, tenantId ?? undefined);
      await db.$executeRaw`
        DELETE FROM tel_geofence_presence p
         WHERE (${tenantId}::uuid IS NULL OR p.tenant_id = ${tenantId}::uuid)
           AND NOT EXISTS (SELECT 1 FROM flt_geofences g
                            WHERE g.id = p.geofence_id AND g.active AND g.deleted_at IS NULL)`;
      return loaded;
    });
    this.setGeofences(tenantId, defs);
  }

  /** Reloads every tenant's rules and every vehicle's speed limit. */
  reloadLimits(): Promise<void> {
    return this.track(withScope(this.prisma, { kind: "system" }, (db) => this.loadLimits(db)));
  }

  /** Resolves when everything derived so far is stored (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.writing || this.pendingEvents.length > 0 || this.pendingPresence.size > 0) {
      if (!this.writing) this.schedule();
      await this.writing;
    }
  }

  private limitsFor(tenantId: string, vehicleId: string): RuleLimits {
    const own = this.vehicleLimits.get(vehicleId);
    if (own) return own;
    let limits = this.tenantLimits.get(tenantId);
    if (!limits) {
      limits = toLimits(DEFAULT_TENANT_EVENT_RULES, null);
      this.tenantLimits.set(tenantId, limits);
    }
    return limits;
  }

  private async loadLimits(db: Db): Promise<void> {
    const rules = await db.eventRules.findMany();
    const vehicles = await db.vehicle.findMany({
      where: { deletedAt: null, speedLimitKph: { not: null } },
      select: { id: true, tenantId: true, speedLimitKph: true },
    });
    const nextRules = new Map<string, TenantEventRules>();
    const nextTenant = new Map<string, RuleLimits>();
    for (const r of rules) {
      const settings: TenantEventRules = {
        overspeedKph: r.overspeedKph,
        overspeedMinDurationS: r.overspeedMinDurationS,
        idleMaxS: r.idleMaxS,
        deviceOfflineEvents: r.deviceOfflineEvents,
      };
      nextRules.set(r.tenantId, settings);
      nextTenant.set(r.tenantId, toLimits(settings, null));
    }
    const nextVehicles = new Map<string, RuleLimits>();
    for (const v of vehicles) {
      nextVehicles.set(v.id, toLimits(nextRules.get(v.tenantId) ?? DEFAULT_TENANT_EVENT_RULES, v.speedLimitKph));
    }
    this.rules = nextRules;
    this.tenantLimits = nextTenant;
    this.vehicleLimits = nextVehicles;
  }

  private setGeofences(tenantId: string | null, defs: Awaited<ReturnType<typeof loadGeofenceDefs>>): void {
    if (tenantId === null) {
      this.geofences.replace(defs);
      this.geofenceIdsByTenant.clear();
    } else {
      for (const id of this.geofenceIdsByTenant.get(tenantId) ?? []) this.geofences.remove(id);
      this.geofenceIdsByTenant.delete(tenantId);
      for (const def of defs) {
        try {
          this.geofences.upsert(def);
        } catch (err) {
          this.opts.log?.warn({ err, geofenceId: def.id }, "geofence left out of the rules");
        }
      }
    }
    for (const def of defs) {
      if (!this.geofences.get(def.id)) continue;
      const ids = this.geofenceIdsByTenant.get(def.tenantId) ?? new Set<string>();
      ids.add(def.id);
      this.geofenceIdsByTenant.set(def.tenantId, ids);
    }
  }

  /** Queues an event for storage, unless the backlog is full (then it is counted as dropped). */
  private enqueueEvent(event: NewVehicleEvent): void {
    if (this.pendingEvents.length < this.maxPending) {
      this.pendingEvents.push(event);
      return;
    }
    this.dropped += 1;
    const now = Date.now();
    if (now - this.lastDropWarningMs >= 10_000) {
      this.opts.log?.warn(
        { dropped: this.dropped, backlog: this.pendingEvents.length },
        "derived events arrive faster than they can be stored: backlog full, events dropped",
      );
      this.dropped = 0;
      this.lastDropWarningMs = now;
    }
  }

  private enqueueDerived(e: DerivedEvent): void {
    this.enqueueEvent({
      tenantId: e.tenantId,
      time: e.time,
      source: "fleetcore",
      type: e.type,
      severity: e.severity,
      title: e.title,
      vehicleId: e.vehicleId,
      deviceId: e.deviceId,
      geofenceId: e.geofenceId,
      latitude: e.latitude,
      longitude: e.longitude,
      speedKph: e.speedKph,
      attributes: e.attributes,
    });
    // Presence is kept even when the event itself is dropped: it is what a restart resumes from.
    if (e.geofenceId && (e.type === "geofence_enter" || e.type === "geofence_exit")) {
      this.pendingPresence.set(`${e.vehicleId}:${e.geofenceId}`, {
        tenantId: e.tenantId,
        vehicleId: e.vehicleId,
        geofenceId: e.geofenceId,
        time: e.time,
        entered: e.type === "geofence_enter",
      });
    }
  }

  /**
   * Starts the writer unless it runs: it drains the backlog in transactions of at most
   * {@link DERIVED_EVENTS_PER_TRANSACTION} events (presence changes go with the first), publishing
   * each after its COMMIT.
   */
  private schedule(): void {
    if (this.writing) return;
    this.writing = (async () => {
      try {
        while (this.pendingEvents.length > 0 || this.pendingPresence.size > 0) {
          const events = this.pendingEvents.splice(0, DERIVED_EVENTS_PER_TRANSACTION);
          const presence = [...this.pendingPresence.values()];
          this.pendingPresence.clear();
          try {
            const stored = await withPgScope(this.opts.pool, { kind: "system" }, async (client) => {
              await writePresence(client, presence);
              return insertDerivedEvents(client, events);
            });
            if (stored.length > 0) this.opts.publish(stored);
          } catch (err) {
            // The engine's state already moved on: these events are lost, the next ones are not.
            this.opts.log?.warn({ err, events: events.length }, "storing derived events failed");
          }
        }
        if (this.dropped > 0) {
          // The backlog drained: say how many went since the last warning.
          this.opts.log?.warn({ dropped: this.dropped }, "derived events dropped while the backlog was full");
          this.dropped = 0;
        }
      } finally {
        this.writing = null;
      }
    })();
  }
}

function toLimits(rules: Readonly<TenantEventRules>, vehicleKph: number | null): RuleLimits {
  return {
    overspeedKph: vehicleKph ?? rules.overspeedKph,
    overspeedMinDurationS: rules.overspeedMinDurationS,
    idleMaxS: rules.idleMaxS,
  };
}

/** Stores events through the pg client ({@link vehicleEventInsert}); in input order. */
async function insertDerivedEvents(client: PgPoolClient, events: NewVehicleEvent[]): Promise<StoredVehicleEvent[]> {
  if (events.length === 0) return [];
  const { sql, params, ids } = vehicleEventInsert(events);
  const { rows } = await client.query<{ id: string; driver_id: string | null }>(sql, params);
  return storedVehicleEvents(events, ids, rows);
}

/** Applies the latest enter/exit per (vehicle, geofence) to tel_geofence_presence. */
async function writePresence(client: PgPoolClient, changes: Presence[]): Promise<void> {
  if (changes.length === 0) return;
  const entered = changes.filter((c) => c.entered);
  const left = changes.filter((c) => !c.entered);
  if (left.length > 0) {
    await client.query(
      `DELETE FROM tel_geofence_presence p USING unnest($1::uuid[], $2::uuid[]) AS x(vehicle_id, geofence_id)
        WHERE p.vehicle_id = x.vehicle_id AND p.geofence_id = x.geofence_id`,
      [left.map((c) => c.vehicleId), left.map((c) => c.geofenceId)],
    );
  }
  if (entered.length > 0) {
    await client.query(
      `INSERT INTO tel_geofence_presence (vehicle_id, geofence_id, tenant_id, entered_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[])
       ON CONFLICT (vehicle_id, geofence_id) DO UPDATE SET entered_at = excluded.entered_at`,
      [
        entered.map((c) => c.vehicleId),
        entered.map((c) => c.geofenceId),
        entered.map((c) => c.tenantId),
        entered.map((c) => c.time),
      ],
    );
  }
}
