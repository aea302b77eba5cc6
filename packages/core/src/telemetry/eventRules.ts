/**
 * Vehicle events derived from positions as they are committed — overspeed, excessive idling,
 * geofence enter/exit — by a pure in-memory engine: one small state record per vehicle, geofences
 * from a {@link GeofenceIndex}, rule limits from a caller-supplied (cached) callback; no query per
 * fix. `observe` takes committed fixes and returns the events; storing and emitting them is the
 * caller's job. State is not persisted: after a restart, geofence presence can be seeded
 * ({@link EventRulesEngine.seedPresence}); an overspeed or idle episode in progress at the restart
 * starts again from the first fix seen and may be reported a second time.
 *
 * The rules follow Traccar's event handlers (github.com/traccar/traccar, Apache-2.0), read for
 * their semantics, not copied: OverspeedEventHandler / session/state/OverspeedProcessor
 * (`event.overspeed.minimalDuration`, `notRepeat`, `preferLowest`), GeofenceEventHandler, and
 * IdleEventHandler (engine running and not in motion); see each rule below.
 */
import type { GeofenceDef, GeofenceIndex } from "./geofences";

/** Kinds of event the engine derives. */
export type DerivedEventType = "overspeed" | "idle" | "geofence_enter" | "geofence_exit";

/** One derived event, ready to store and to show in a feed. */
export interface DerivedEvent {
  tenantId: string;
  vehicleId: string;
  deviceId: string;
  type: DerivedEventType;
  severity: "info" | "warning" | "critical";
  /** Fix time of the position that triggered it. */
  time: Date;
  latitude: number;
  longitude: number;
  speedKph: number | null;
  /** The geofence entered or left; for overspeed, the geofence whose limit applied, else null. */
  geofenceId: string | null;
  /** A feed sentence, e.g. "Overspeed: 92 km/h, limit 80 km/h". */
  title: string;
  /**
   * overspeed: `limitKph`, `maxSpeedKph`, `durationS`, `startedAt` (ISO), `geofenceName` (when a
   * geofence set the limit); idle: `idleS`, `idleMaxS`, `startedAt`; enter/exit: `geofenceName`.
   */
  attributes: Record<string, unknown>;
}

/** A vehicle's rule settings (resolved from tenant and vehicle settings by the caller). */
export interface RuleLimits {
  /**
   * Vehicle/tenant speed limit, km/h, outside geofences that set their own; null: no limit there
   * (a geofence's limit still applies inside it, as in Traccar's OverspeedEventHandler).
   */
  overspeedKph: number | null;
  /** Seconds a speed must stay above the limit before the event (Traccar's minimalDuration). */
  overspeedMinDurationS: number;
  /** Seconds of idling (ignition on, stationary) allowed before the event; null: rule off. */
  idleMaxS: number | null;
}

/** Below this speed, km/h, an ignition-on vehicle counts as idling (= MOVING_SPEED_KPH of @fleetcore/realtime). */
export const IDLE_SPEED_KPH = 3;
/**
 * An overspeed episode whose maximum reaches this multiple of the limit is `critical`, else
 * `warning`. Fleetcore's own threshold (25 % over: 100 km/h in an 80 zone), not a vendor's.
 */
export const OVERSPEED_CRITICAL_RATIO = 1.25;

/** What the engine reads of a fix (a StoredFix fits). */
export interface ObservedFix {
  tenantId: string;
  deviceId: string;
  vehicleId: string | null;
  time: Date;
  latitude: number;
  longitude: number;
  speedKph: number | null;
  attributes: Record<string, unknown>;
}

/** Options of {@link EventRulesEngine}. */
export interface EventRulesEngineOptions {
  /** The geofences (the engine reads it on every fix, so reloads take effect at once). */
  geofences: GeofenceIndex;
  /** Rule settings of a vehicle; called on every fix, so it should be a cache lookup. */
  limitsFor: (tenantId: string, vehicleId: string) => RuleLimits;
}

const EMPTY: readonly string[] = Object.freeze([]);

/** Per-vehicle state; NaN marks "no episode". */
class VehicleRuleState {
  /** Null while only seeded (no fix seen yet). */
  tenantId: string | null;
  lastFixMs = Number.NEGATIVE_INFINITY;
  /** Ids of the geofences the vehicle was last inside; null until known (first fix or seed). */
  presence: readonly string[] | null = null;
  overStartMs = Number.NaN;
  overMaxKph = 0;
  overFired = false;
  idleStartMs = Number.NaN;
  idleFired = false;

  constructor(tenantId: string | null) {
    this.tenantId = tenantId;
  }

  resetEpisodes(): void {
    this.overStartMs = Number.NaN;
    this.overFired = false;
    this.idleStartMs = Number.NaN;
    this.idleFired = false;
  }
}

/**
 * Derives {@link DerivedEvent}s from committed fixes, per vehicle.
 *
 * Common rules: fixes without a vehicleId are ignored; a batch is processed in fix-time order
 * (stable; batches may interleave vehicles); a fix not newer than the vehicle's newest observed fix
 * changes nothing (late or repeated fixes must not flip state back — Traccar's handlers likewise
 * skip any position that is not the device's latest). A fix without speed leaves the overspeed and
 * idle episodes as they are. Between two fixes the earlier one's state is assumed to hold (as in
 * Traccar): sparse fixes stretch an episode across the gap.
 *
 * - **Geofence enter/exit** (Traccar GeofenceEventHandler): on every fix, the tenant's geofences
 *   containing it are compared with those of the vehicle's previous fix: one `geofence_enter` per
 *   geofence added, one `geofence_exit` per geofence removed (exits first). A vehicle's first fix
 *   only records the set, unless {@link seedPresence} gave one (no burst of enters at start-up).
 *   Leaving a geofence that is no longer in the index (deleted), or that belongs to another tenant
 *   (a wrong seed), is silent.
 * - **Overspeed** (Traccar OverspeedEventHandler with `notRepeat` = true, `preferLowest` = true):
 *   the limit is the lowest `speedLimitKph` of the geofences containing the fix (higher or lower
 *   than the vehicle's), else {@link RuleLimits.overspeedKph}; with neither, no overspeed. An episode starts at the first fix with speed > limit and ends at the first with
 *   speed ≤ limit; once a fix lies overspeedMinDurationS or more after the episode's start (0: at
 *   once), one `overspeed` event is derived at that fix, with the episode's highest speed so far —
 *   and no other until the episode ends (Traccar repeats one per minimalDuration unless notRepeat
 *   is set). The limit is re-evaluated on every fix (entering a slower zone mid-episode keeps the
 *   episode going if still too fast).
 * - **Idle** (Traccar IdleEventHandler: engine running and not in motion; Geotab's help desk,
 *   "How idling is calculated": ignition on and speed < 1 km/h; Azuga's "How is Idling
 *   calculated?": starts at speed 0 with the engine running, ends above 3 mph): an episode runs while
 *   `attributes.ignition === true` and speed < {@link IDLE_SPEED_KPH}; the first fix more than
 *   idleMaxS after its start derives one `idle` event; ignition off or missing, or speed ≥ 3 km/h,
 *   ends it.
 *
 * Cost per fix: a Map lookup, a grid lookup, the `limitsFor` call and a few comparisons; no
 * allocation except for events (and a new presence list when it changes).
 */
export class EventRulesEngine {
  private readonly vehicles = new Map<string, VehicleRuleState>();
  private readonly geofences: GeofenceIndex;
  private readonly limitsFor: (tenantId: string, vehicleId: string) => RuleLimits;
  /** Reused by every fix: the geofences containing it. */
  private readonly inside: GeofenceDef[] = [];

  constructor(opts: EventRulesEngineOptions) {
    this.geofences = opts.geofences;
    this.limitsFor = opts.limitsFor;
  }

  /**
   * Applies committed fixes (any order, any mix of vehicles) and returns the events they trigger,
   * in fix-time order. `fixes` is not modified.
   */
  observe(fixes: readonly ObservedFix[]): DerivedEvent[] {
    const events: DerivedEvent[] = [];
    let ordered = true;
    for (let i = 1; i < fixes.length; i++) {
      if ((fixes[i] as ObservedFix).time.getTime() < (fixes[i - 1] as ObservedFix).time.getTime()) {
        ordered = false;
        break;
      }
    }
    const list = ordered ? fixes : [...fixes].sort((a, b) => a.time.getTime() - b.time.getTime());
    for (let i = 0; i < list.length; i++) this.observeOne(list[i] as ObservedFix, events);
    return events;
  }

  /**
   * Sets the geofences a vehicle is inside (e.g. from the last stored event per geofence after a
   * restart), so that its next fix derives exits/enters against them instead of recording silently.
   */
  seedPresence(vehicleId: string, geofenceIds: string[]): void {
    let s = this.vehicles.get(vehicleId);
    if (!s) {
      s = new VehicleRuleState(null);
      this.vehicles.set(vehicleId, s);
    }
    s.presence = geofenceIds.length === 0 ? EMPTY : [...new Set(geofenceIds)];
  }

  /** Ids of the geofences the vehicle is inside as of its newest fix (or seed); [] when unknown. */
  presenceOf(vehicleId: string): string[] {
    return [...(this.vehicles.get(vehicleId)?.presence ?? EMPTY)];
  }

  /** Drops a vehicle's state (deleted vehicle); its next fix counts as a first fix. */
  forget(vehicleId: string): void {
    this.vehicles.delete(vehicleId);
  }

  private observeOne(f: ObservedFix, events: DerivedEvent[]): void {
    const vehicleId = f.vehicleId;
    if (!vehicleId) return;
    const fixMs = f.time.getTime();
    if (Number.isNaN(fixMs)) return;
    let s = this.vehicles.get(vehicleId);
    if (!s) {
      s = new VehicleRuleState(f.tenantId);
      this.vehicles.set(vehicleId, s);
    } else if (s.tenantId !== f.tenantId) {
      // Seeded only (adopt the tenant), or the vehicle changed tenant: nothing carries over but a seed.
      if (s.tenantId !== null) {
        s.presence = null;
        s.resetEpisodes();
        s.lastFixMs = Number.NEGATIVE_INFINITY;
      }
      s.tenantId = f.tenantId;
    } else if (fixMs <= s.lastFixMs) {
      return;
    }
    s.lastFixMs = fixMs;

    const inside = this.inside;
    const n = this.geofences.collectContaining(f.tenantId, f.latitude, f.longitude, inside);
    this.geofenceRule(s, f, vehicleId, inside, n, events);

    const limits = this.limitsFor(f.tenantId, vehicleId);
    const speedKph = f.speedKph;
    if (speedKph === null || Number.isNaN(speedKph)) return;

    // Overspeed: the lowest limit of the geofences containing the fix, else the vehicle's/tenant's.
    let limitKph: number | null = null;
    let limitGeofence: GeofenceDef | null = null;
    for (let i = 0; i < n; i++) {
      const g = inside[i] as GeofenceDef;
      if (g.speedLimitKph !== null && (limitKph === null || g.speedLimitKph < limitKph)) {
        limitKph = g.speedLimitKph;
        limitGeofence = g;
      }
    }
    if (limitKph === null) limitKph = limits.overspeedKph;
    if (limitKph === null || speedKph <= limitKph) {
      s.overStartMs = Number.NaN;
      s.overFired = false;
    } else {
      if (Number.isNaN(s.overStartMs)) {
        s.overStartMs = fixMs;
        s.overMaxKph = speedKph;
        s.overFired = false;
      } else if (speedKph > s.overMaxKph) {
        s.overMaxKph = speedKph;
      }
      if (!s.overFired && fixMs - s.overStartMs >= limits.overspeedMinDurationS * 1000) {
        s.overFired = true;
        events.push(overspeedEvent(f, vehicleId, limitKph, limitGeofence, s));
      }
    }

    // Idle: ignition on and stationary for longer than idleMaxS.
    const idleMaxS = limits.idleMaxS;
    if (idleMaxS === null || f.attributes.ignition !== true || speedKph >= IDLE_SPEED_KPH) {
      s.idleStartMs = Number.NaN;
      s.idleFired = false;
    } else if (Number.isNaN(s.idleStartMs)) {
      s.idleStartMs = fixMs;
      s.idleFired = false;
    } else if (!s.idleFired && fixMs - s.idleStartMs > idleMaxS * 1000) {
      s.idleFired = true;
      events.push(idleEvent(f, vehicleId, idleMaxS, s.idleStartMs));
    }
  }

  private geofenceRule(
    s: VehicleRuleState,
    f: ObservedFix,
    vehicleId: string,
    inside: readonly GeofenceDef[],
    n: number,
    events: DerivedEvent[],
  ): void {
    const prev = s.presence;
    if (prev === null) {
      s.presence = presenceList(inside, n);
      return;
    }
    let same = prev.length === n;
    for (let i = 0; same && i < n; i++) same = prev.includes((inside[i] as GeofenceDef).id);
    if (same) return;
    for (const id of prev) {
      let still = false;
      for (let i = 0; !still && i < n; i++) still = (inside[i] as GeofenceDef).id === id;
      const def = still ? undefined : this.geofences.get(id);
      if (def && def.tenantId === f.tenantId) events.push(geofenceEvent(f, vehicleId, "geofence_exit", def));
    }
    for (let i = 0; i < n; i++) {
      const def = inside[i] as GeofenceDef;
      if (!prev.includes(def.id)) events.push(geofenceEvent(f, vehicleId, "geofence_enter", def));
    }
    s.presence = presenceList(inside, n);
  }
}

function presenceList(inside: readonly GeofenceDef[], n: number): readonly string[] {
  if (n === 0) return EMPTY;
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = (inside[i] as GeofenceDef).id;
  return ids;
}

const kph = (v: number) => `${Math.round(v)} km/h`;

/** "45 s", "12 min", "1 h 05 min". */
function durationText(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, "0")} min`;
}

/** Builds every event with the same property order, so they all share one hidden class. */
function makeEvent(
  f: ObservedFix,
  vehicleId: string,
  type: DerivedEventType,
  severity: DerivedEvent["severity"],
  geofenceId: string | null,
  title: string,
  attributes: Record<string, unknown>,
): DerivedEvent {
  return {
    tenantId: f.tenantId,
    vehicleId,
    deviceId: f.deviceId,
    type,
    severity,
    time: f.time,
    latitude: f.latitude,
    longitude: f.longitude,
    speedKph: f.speedKph,
    geofenceId,
    title,
    attributes,
  };
}

function overspeedEvent(
  f: ObservedFix,
  vehicleId: string,
  limitKph: number,
  geofence: GeofenceDef | null,
  s: VehicleRuleState,
): DerivedEvent {
  const attributes: Record<string, unknown> = {
    limitKph,
    maxSpeedKph: s.overMaxKph,
    durationS: (f.time.getTime() - s.overStartMs) / 1000,
    startedAt: new Date(s.overStartMs).toISOString(),
  };
  if (geofence) attributes.geofenceName = geofence.name;
  return makeEvent(
    f,
    vehicleId,
    "overspeed",
    s.overMaxKph >= limitKph * OVERSPEED_CRITICAL_RATIO ? "critical" : "warning",
    geofence?.id ?? null,
    `Overspeed: ${kph(s.overMaxKph)}, limit ${kph(limitKph)}${geofence ? ` in ${geofence.name}` : ""}`,
    attributes,
  );
}

function idleEvent(f: ObservedFix, vehicleId: string, idleMaxS: number, startMs: number): DerivedEvent {
  const idleS = (f.time.getTime() - startMs) / 1000;
  return makeEvent(f, vehicleId, "idle", "info", null, `Idling: engine on, stationary for ${durationText(idleS)}`, {
    idleS,
    idleMaxS,
    startedAt: new Date(startMs).toISOString(),
  });
}

function geofenceEvent(
  f: ObservedFix,
  vehicleId: string,
  type: "geofence_enter" | "geofence_exit",
  def: GeofenceDef,
): DerivedEvent {
  const title = `${type === "geofence_enter" ? "Entered" : "Left"} ${def.name}`;
  return makeEvent(f, vehicleId, type, "info", def.id, title, { geofenceName: def.name });
}
