/**
 * Vehicles on a MapLibre map as GPU layers, updated by diff.
 *
 * **Live source** (`fc-vehicles`, drawn from zoom {@link LIVE_MIN_ZOOM}): a GeoJSON source whose
 * features have stable numeric ids ({@link FeatureIds}), changed only through
 * `GeoJSONSource.updateData(diff)`: a vehicle seen for
 * the first time is an `add`, a moved one an `update` with `newGeometry`, a changed status or heading
 * an `update` with `addOrUpdateProperties`; unchanged vehicles are not sent at all. MapLibre then
 * re-tiles only the tiles whose bounds the changed points touch, instead of re-indexing the whole
 * fleet as `setData` does.
 *
 * **Only what changes pixels is sent.** A vehicle that merely moved is held back (kept as
 * "deferred", its newest state replacing older ones) while the move would not show: under
 * {@link MIN_MOVE_PX} on screen at the current zoom, both old and new position outside the
 * visible area, or the live layers hidden at this zoom. Deferred vehicles are re-examined after
 * every camera move (`moveend`) and on their next report; a changed status or heading, a new
 * vehicle and the selected vehicle always go at once. In a city-wide view most reports move a
 * vehicle by less than a pixel; zoomed in, most of the fleet is off screen — either way the diff
 * (and MapLibre's copy of it to its worker, which dominates the cost) shrinks accordingly.
 *
 * **Cluster source** (`fc-vehicle-clusters`, drawn below zoom {@link LIVE_MIN_ZOOM}): MapLibre ≥ 6
 * accepts `updateData` on a clustered source, but each diff makes the worker rebuild the whole
 * supercluster index and reload every tile of the source (see `GeoJSONSource._applyDiffToSource`:
 * "all geometries are affected whenever the source is clustered"). Doing that on every 250 ms live
 * batch would keep the worker and the tile pipeline busy for nothing, so the clusters live in a
 * separate source fed the same diffs, coalesced per vehicle and sent at most every
 * `clusterIntervalMs` (2 s), and only while clusters are on screen (zoomed out); changes made while
 * zoomed in are kept and sent at once when the view zooms out again. Clusters count vehicles at low
 * zoom, where a 2 s delay is invisible; the vehicle you look at up close is always live.
 *
 * No symbol text anywhere: cluster counts are HTML labels (clusterLabels.ts) and arrows are runtime
 * canvas images (arrowIcon.ts), so the map needs no glyph server and works offline.
 */
import type { VehicleMovementStatus } from "@fleetcore/realtime";
import type { Feature, LineString, Point } from "geojson";
import type {
  ExpressionSpecification,
  GeoJSONFeatureDiff,
  GeoJSONSource,
  GeoJSONSourceDiff,
  Map as MapLibreMap,
} from "maplibre-gl";
import { ARROW_IMAGE_PREFIX, ARROW_SIZE_PX, addArrowImages } from "./arrowIcon";
import { STATUS_COLORS } from "./status";

/**
 * What the map shows of one vehicle. Degrees WGS 84; `headingDeg` clockwise from north, 0–359.
 * The layer keeps the objects it is given (they must not be mutated afterwards).
 */
export interface VehicleMapState {
  vehicleId: string;
  lng: number;
  lat: number;
  /** Rounded by the caller (fleetSync: to 5°); null = unknown (drawn as a dot, not an arrow). */
  headingDeg: number | null;
  status: VehicleMovementStatus;
}

/** Feature properties of both vehicle sources. */
export interface VehicleFeatureProperties {
  vehicleId: string;
  status: VehicleMovementStatus;
  /** Absent when unknown. */
  headingDeg?: number;
}

export const VEHICLE_SOURCE = "fc-vehicles";
export const CLUSTER_SOURCE = "fc-vehicle-clusters";
export const TRAIL_SOURCE = "fc-trail";
/** Live vehicle layers are drawn from this zoom; clusters below it. */
export const LIVE_MIN_ZOOM = 11;
/**
 * Smallest on-screen move (CSS px) sent to the map: a vehicle is never drawn further than this
 * from its newest reported position, a difference no one can see on a 22 px arrow.
 */
export const MIN_MOVE_PX = 1;
/** Margin around the visible area inside which moves are still sent (CSS px): an arrow's size and more. */
export const VIEW_MARGIN_PX = 64;

/**
 * What the map shows at the moment, as {@link diffVehicleStates} needs it to hold back moves no
 * one would see. Degrees WGS 84; `west` may exceed `east` by less than 360 (antimeridian).
 */
export interface RenderView {
  /** Web Mercator world width in CSS px at the current zoom (512 · 2^zoom). */
  worldPx: number;
  /** The visible area plus {@link VIEW_MARGIN_PX}; null: the live layers are not drawn at this zoom. */
  bounds: { west: number; south: number; east: number; north: number } | null;
  /** A vehicle always sent at once (the selected one: popup, trail and follow use its position). */
  pinnedVehicleId: string | null;
}

/** Whether a move from `a` to `b` would show in `view` (see {@link RenderView}). */
export function moveShows(a: VehicleMapState, b: VehicleMapState, view: RenderView): boolean {
  const bounds = view.bounds;
  if (!bounds) return false;
  if (!inBounds(a, bounds) && !inBounds(b, bounds)) return false;
  // Web Mercator, locally: x px = Δlng/360 · world; y px = Δlat/360 · world / cos(lat).
  const pxPerDeg = view.worldPx / 360;
  const dx = (b.lng - a.lng) * pxPerDeg;
  const dy = ((b.lat - a.lat) * pxPerDeg) / Math.cos((b.lat * Math.PI) / 180);
  return dx * dx + dy * dy >= MIN_MOVE_PX * MIN_MOVE_PX;
}

function inBounds(s: VehicleMapState, b: NonNullable<RenderView["bounds"]>): boolean {
  if (s.lat < b.south || s.lat > b.north) return false;
  const span = b.east - b.west;
  if (span >= 360) return true;
  return (((s.lng - b.west) % 360) + 360) % 360 <= span;
}

/** Layer ids, for click handling. */
export const LAYERS = {
  trail: "fc-trail-line",
  halo: "fc-vehicle-halo",
  dots: "fc-vehicle-dots",
  arrows: "fc-vehicle-arrows",
  clusters: "fc-clusters",
  clusterPoints: "fc-cluster-points",
} as const;

/** Layers a click can select a vehicle from. */
export const VEHICLE_LAYERS: readonly string[] = [LAYERS.arrows, LAYERS.dots, LAYERS.clusterPoints];

const statusColor: ExpressionSpecification = [
  "match",
  ["get", "status"],
  "moving",
  STATUS_COLORS.moving,
  "idle",
  STATUS_COLORS.idle,
  "stopped",
  STATUS_COLORS.stopped,
  STATUS_COLORS.offline,
];

/** The GeoJSON feature of a vehicle, as both sources hold it (`id`: its numeric feature id). */
export function vehicleFeature(s: VehicleMapState, featureId: number): Feature<Point, VehicleFeatureProperties> {
  const properties: VehicleFeatureProperties = { vehicleId: s.vehicleId, status: s.status };
  if (s.headingDeg !== null) properties.headingDeg = s.headingDeg;
  return { type: "Feature", id: featureId, geometry: { type: "Point", coordinates: [s.lng, s.lat] }, properties };
}

/**
 * Numeric feature ids for vehicle ids. MapLibre copies every diff to its worker (its own serialiser,
 * then a structured clone); a small integer id costs far less to copy than a 36-character UUID,
 * which matters when thousands of vehicles move in one batch. `properties.vehicleId` still carries
 * the UUID for clicks.
 */
export class FeatureIds {
  private readonly ids = new Map<string, number>();
  private next = 1;

  /** The feature id of a vehicle, allocated on first use. */
  of(vehicleId: string): number {
    let id = this.ids.get(vehicleId);
    if (id === undefined) {
      id = this.next++;
      this.ids.set(vehicleId, id);
    }
    return id;
  }
}

/**
 * The diff that brings a source from `sent` to `next`, recording `next` in `sent` (kept as given). Only
 * what changed is in it: `add` for unseen vehicles, `update` with `newGeometry` and/or changed
 * properties for the others; vehicles whose state did not change produce nothing.
 * @param sent what the source holds, by vehicle id (mutated)
 * @param next new states (any subset of the fleet; later entries for an id win)
 * @param featureIds numeric feature ids of vehicles
 * @param withHeading false for the cluster source, which does not draw headings
 * @param hold with a view: moves that would not show in it (see {@link moveShows}) are left out and
 * their states kept in `hold.deferred` (mutated: set when held, deleted when sent)
 * @returns the diff, or null when nothing changed
 */
export function diffVehicleStates(
  sent: Map<string, VehicleMapState>,
  next: Iterable<VehicleMapState>,
  featureIds: FeatureIds,
  withHeading = true,
  hold?: { view: RenderView; deferred: Map<string, VehicleMapState> },
): GeoJSONSourceDiff | null {
  const add: Feature<Point, VehicleFeatureProperties>[] = [];
  const update: GeoJSONFeatureDiff[] = [];
  let updated: Map<string, number> | undefined;
  for (const input of next) {
    const s: VehicleMapState = withHeading ? input : { ...input, headingDeg: null };
    const id = featureIds.of(s.vehicleId);
    const prev = sent.get(s.vehicleId);
    if (!prev) {
      add.push(vehicleFeature(s, id));
      sent.set(s.vehicleId, s);
      continue;
    }
    const moved = prev.lng !== s.lng || prev.lat !== s.lat;
    const statusChanged = prev.status !== s.status;
    const headingChanged = headingDiffers(prev.headingDeg, s.headingDeg);
    if (hold) {
      if (
        moved &&
        !statusChanged &&
        !headingChanged &&
        s.vehicleId !== hold.view.pinnedVehicleId &&
        !moveShows(prev, s, hold.view)
      ) {
        hold.deferred.set(s.vehicleId, s);
        continue;
      }
      hold.deferred.delete(s.vehicleId);
    }
    if (!moved && !statusChanged && !headingChanged) continue;
    // The map keeps showing the previous heading while the turn is under HEADING_STEP_DEG. (A
    // literal, not `{ ...s, headingDeg }`: a spread builds the object key by key, several times slower.)
    sent.set(
      s.vehicleId,
      headingChanged || s.headingDeg === prev.headingDeg
        ? s
        : { vehicleId: s.vehicleId, lng: s.lng, lat: s.lat, headingDeg: prev.headingDeg, status: s.status },
    );
    // One id twice in a batch (rare): the later state replaces the earlier diff with a full one.
    updated ??= new Map();
    const at = updated.get(s.vehicleId);
    if (at !== undefined) {
      sent.set(s.vehicleId, s);
      update[at] = fullDiff(s, id);
      continue;
    }
    updated.set(s.vehicleId, update.length);
    const u: GeoJSONFeatureDiff = { id };
    if (moved) u.newGeometry = { type: "Point", coordinates: [s.lng, s.lat] };
    if (statusChanged || (headingChanged && s.headingDeg !== null)) {
      u.addOrUpdateProperties = [];
      if (statusChanged) u.addOrUpdateProperties.push({ key: "status", value: s.status });
      if (headingChanged && s.headingDeg !== null)
        u.addOrUpdateProperties.push({ key: "headingDeg", value: s.headingDeg });
    }
    if (headingChanged && s.headingDeg === null) u.removeProperties = ["headingDeg"];
    update.push(u);
  }
  if (add.length === 0 && update.length === 0) return null;
  const diff: GeoJSONSourceDiff = {};
  if (add.length > 0) diff.add = add;
  if (update.length > 0) diff.update = update;
  return diff;
}

/**
 * Smallest turn that updates an arrow, degrees. A 22 px arrow off by a few degrees looks the same,
 * and GPS headings jitter by a few degrees on a straight road: ignoring smaller turns keeps that
 * jitter out of the diffs (each changed heading is one more property update for MapLibre to copy
 * to its worker). The arrow is never more than this off the reported heading.
 */
export const HEADING_STEP_DEG = 5;

/** Whether the shown heading `shown` must change to `next` (null = unknown). */
function headingDiffers(shown: number | null, next: number | null): boolean {
  if (shown === null || next === null) return shown !== next;
  const delta = Math.abs(shown - next) % 360;
  return Math.min(delta, 360 - delta) >= HEADING_STEP_DEG;
}

/** A feature diff setting everything (one id twice in a batch, so "what changed" is moot). */
function fullDiff(s: VehicleMapState, id: number): GeoJSONFeatureDiff {
  const u: GeoJSONFeatureDiff = {
    id,
    newGeometry: { type: "Point", coordinates: [s.lng, s.lat] },
    addOrUpdateProperties: [{ key: "status", value: s.status }],
  };
  if (s.headingDeg !== null) u.addOrUpdateProperties?.push({ key: "headingDeg", value: s.headingDeg });
  else u.removeProperties = ["headingDeg"];
  return u;
}

/** Options of {@link VehicleLayer}. */
export interface VehicleLayerOptions {
  /** Cluster at low zoom (default true). Without clusters the live layers are drawn at every zoom. */
  clusters?: boolean;
  /** Most frequent cluster-source update, ms (default 2000). */
  clusterIntervalMs?: number;
  /** Drawn before this layer id (default: on top). */
  beforeId?: string;
}

/**
 * Owns the vehicle sources and layers of one map. Call {@link install} once the style has loaded
 * (and again after a style change), then {@link apply} with changed vehicles as they arrive.
 */
export class VehicleLayer {
  private readonly featureIds = new FeatureIds();
  private readonly sent = new Map<string, VehicleMapState>();
  /** Newest states of vehicles whose moves are held back (would not show yet). */
  private readonly deferred = new Map<string, VehicleMapState>();
  private readonly clusterSent = new Map<string, VehicleMapState>();
  /** Newest state per vehicle not yet sent to the cluster source; null = remove. */
  private readonly clusterPending = new Map<string, VehicleMapState | null>();
  private clusterTimer: ReturnType<typeof setTimeout> | undefined;
  private lastClusterFlushMs = 0;
  private selectedId: string | null = null;
  private readonly clusters: boolean;
  private readonly clusterIntervalMs: number;
  private readonly liveMinZoom: number;
  private readonly onZoomEnd = () => {
    if (this.clustersVisible() && this.clusterPending.size > 0) this.flushClusters();
  };
  /** After a pan or zoom, held-back moves that now show are sent. */
  private readonly onMoveEnd = () => {
    if (this.deferred.size > 0) this.send([...this.deferred.values()]);
  };

  constructor(
    private readonly map: MapLibreMap,
    private readonly options: VehicleLayerOptions = {},
  ) {
    this.clusters = options.clusters ?? true;
    this.clusterIntervalMs = options.clusterIntervalMs ?? 2000;
    this.liveMinZoom = this.clusters ? LIVE_MIN_ZOOM : 0;
  }

  /** Vehicles on the live source. */
  get size(): number {
    return this.sent.size;
  }

  /** The newest state applied for a vehicle (the map may still draw it up to {@link MIN_MOVE_PX} away). */
  stateOf(vehicleId: string): VehicleMapState | undefined {
    return this.deferred.get(vehicleId) ?? this.sent.get(vehicleId);
  }

  /** Vehicles whose newest move is held back because it would not show yet. */
  get deferredCount(): number {
    return this.deferred.size;
  }

  /** Adds images, sources and layers (the sources start from what was already applied). */
  install(): void {
    const map = this.map;
    const before = this.options.beforeId;
    addArrowImages(map);
    // A fresh source: it may as well start from every vehicle's newest state.
    for (const [id, s] of this.deferred) this.sent.set(id, s);
    this.deferred.clear();
    const features = [...this.sent.values()].map((s) => vehicleFeature(s, this.featureIds.of(s.vehicleId)));
    map.addSource(TRAIL_SOURCE, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addSource(VEHICLE_SOURCE, {
      type: "geojson",
      data: { type: "FeatureCollection", features },
      maxzoom: 14,
    });
    map.addLayer(
      {
        id: LAYERS.trail,
        type: "line",
        source: TRAIL_SOURCE,
        layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": "#7c3aed", "line-width": 3, "line-opacity": 0.8 },
      },
      before,
    );
    if (this.clusters) {
      this.clusterSent.clear();
      for (const s of this.sent.values()) this.clusterSent.set(s.vehicleId, { ...s, headingDeg: null });
      this.clusterPending.clear();
      map.addSource(CLUSTER_SOURCE, {
        type: "geojson",
        data: {
          type: "FeatureCollection",
          features: [...this.clusterSent.values()].map((s) => vehicleFeature(s, this.featureIds.of(s.vehicleId))),
        },
        cluster: true,
        clusterRadius: 48,
        clusterMaxZoom: LIVE_MIN_ZOOM - 1,
        maxzoom: LIVE_MIN_ZOOM + 1,
      });
      map.addLayer(
        {
          id: LAYERS.clusters,
          type: "circle",
          source: CLUSTER_SOURCE,
          maxzoom: this.liveMinZoom,
          filter: ["has", "point_count"],
          paint: {
            "circle-color": "#0f766e",
            "circle-opacity": 0.85,
            "circle-radius": ["step", ["get", "point_count"], 14, 10, 18, 100, 24, 1000, 30],
            "circle-stroke-color": "#ffffff",
            "circle-stroke-width": 2,
          },
        },
        before,
      );
      map.addLayer(
        {
          id: LAYERS.clusterPoints,
          type: "circle",
          source: CLUSTER_SOURCE,
          maxzoom: this.liveMinZoom,
          filter: ["!", ["has", "point_count"]],
          paint: {
            "circle-color": statusColor,
            "circle-radius": 6,
            "circle-stroke-color": "#ffffff",
            "circle-stroke-width": 1.5,
          },
        },
        before,
      );
      map.on("zoomend", this.onZoomEnd);
    }
    map.off("moveend", this.onMoveEnd);
    map.on("moveend", this.onMoveEnd);
    map.addLayer(
      {
        id: LAYERS.halo,
        type: "circle",
        source: VEHICLE_SOURCE,
        minzoom: this.liveMinZoom,
        filter: ["==", ["get", "vehicleId"], this.selectedId ?? ""],
        paint: {
          "circle-radius": ARROW_SIZE_PX * 0.85,
          "circle-color": "#7c3aed",
          "circle-opacity": 0.25,
          "circle-stroke-color": "#7c3aed",
          "circle-stroke-width": 2,
        },
      },
      before,
    );
    map.addLayer(
      {
        id: LAYERS.dots,
        type: "circle",
        source: VEHICLE_SOURCE,
        minzoom: this.liveMinZoom,
        filter: ["!", ["has", "headingDeg"]],
        paint: {
          "circle-color": statusColor,
          "circle-radius": 6.5,
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 2,
        },
      },
      before,
    );
    map.addLayer(
      {
        id: LAYERS.arrows,
        type: "symbol",
        source: VEHICLE_SOURCE,
        minzoom: this.liveMinZoom,
        filter: ["has", "headingDeg"],
        layout: {
          "icon-image": ["concat", ARROW_IMAGE_PREFIX, ["get", "status"]],
          "icon-rotate": ["get", "headingDeg"],
          "icon-rotation-alignment": "map",
          "icon-allow-overlap": true,
          "icon-ignore-placement": true,
        },
      },
      before,
    );
  }

  /**
   * Applies changed vehicles to the live source by diff (one `updateData` call) and queues them for
   * the cluster source. Cost: proportional to the number of changed vehicles.
   * @returns how many vehicles were sent (added or updated)
   */
  apply(states: Iterable<VehicleMapState>): number {
    const list = Array.isArray(states) ? (states as VehicleMapState[]) : [...states];
    if (this.clusters) {
      for (const s of list) this.clusterPending.set(s.vehicleId, s);
      this.scheduleClusters();
    }
    return this.send(list);
  }

  /** Diffs `states` against the live source, holding back moves that would not show; sends the rest. */
  private send(states: VehicleMapState[]): number {
    const diff = diffVehicleStates(this.sent, states, this.featureIds, true, {
      view: this.renderView(),
      deferred: this.deferred,
    });
    if (!diff) return 0;
    this.source(VEHICLE_SOURCE)?.updateData(diff);
    return (diff.add?.length ?? 0) + (diff.update?.length ?? 0);
  }

  /** The camera as {@link diffVehicleStates} needs it. */
  private renderView(): RenderView {
    const map = this.map;
    const zoom = map.getZoom();
    const worldPx = 512 * 2 ** zoom;
    if (zoom < this.liveMinZoom) return { worldPx, bounds: null, pinnedVehicleId: this.selectedId };
    const b = map.getBounds();
    const marginDeg = (VIEW_MARGIN_PX / worldPx) * 360;
    // The margin in degrees at the equator's scale: away from it a degree of latitude spans more
    // pixels, so the margin is never less than VIEW_MARGIN_PX.
    return {
      worldPx,
      bounds: {
        west: b.getWest() - marginDeg,
        south: b.getSouth() - marginDeg,
        east: b.getEast() + marginDeg,
        north: b.getNorth() + marginDeg,
      },
      pinnedVehicleId: this.selectedId,
    };
  }

  /** Removes vehicles from the map (e.g. a vehicle deleted or moved to another tenant). */
  remove(vehicleIds: Iterable<string>): void {
    const ids = [...vehicleIds].filter((id) => {
      this.deferred.delete(id);
      return this.sent.delete(id);
    });
    if (ids.length === 0) return;
    this.source(VEHICLE_SOURCE)?.updateData({ remove: ids.map((id) => this.featureIds.of(id)) });
    if (this.clusters) {
      for (const id of ids) this.clusterPending.set(id, null);
      this.scheduleClusters();
    }
  }

  /** Highlights one vehicle (a halo under its arrow), or none. */
  setSelected(vehicleId: string | null): void {
    this.selectedId = vehicleId;
    const held = vehicleId ? this.deferred.get(vehicleId) : undefined;
    if (held) this.send([held]);
    if (this.map.getLayer(LAYERS.halo)) this.map.setFilter(LAYERS.halo, ["==", ["get", "vehicleId"], vehicleId ?? ""]);
  }

  /** Draws a trail (lng/lat pairs, oldest first); fewer than 2 points clears it. Small: plain setData. */
  setTrail(coordinates: [number, number][]): void {
    const features: Feature<LineString>[] =
      coordinates.length >= 2
        ? [{ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates } }]
        : [];
    this.source(TRAIL_SOURCE)?.setData({ type: "FeatureCollection", features });
  }

  /** Sends the pending cluster changes now (normally throttled to `clusterIntervalMs`). */
  flushClusters(): void {
    if (this.clusterTimer) clearTimeout(this.clusterTimer);
    this.clusterTimer = undefined;
    this.lastClusterFlushMs = Date.now();
    const source = this.source(CLUSTER_SOURCE);
    if (!source || this.clusterPending.size === 0) return;
    const removed: number[] = [];
    const changed: VehicleMapState[] = [];
    for (const [id, s] of this.clusterPending) {
      if (s) changed.push(s);
      else if (this.clusterSent.delete(id)) removed.push(this.featureIds.of(id));
    }
    this.clusterPending.clear();
    const diff = diffVehicleStates(this.clusterSent, changed, this.featureIds, false) ?? {};
    if (removed.length > 0) diff.remove = removed;
    if (diff.add || diff.update || diff.remove) void source.updateData(diff);
  }

  /** Stops timers and listeners (the map itself is removed by its owner). */
  destroy(): void {
    if (this.clusterTimer) clearTimeout(this.clusterTimer);
    this.clusterTimer = undefined;
    this.map.off("zoomend", this.onZoomEnd);
    this.map.off("moveend", this.onMoveEnd);
  }

  private clustersVisible(): boolean {
    return this.map.getZoom() < this.liveMinZoom;
  }

  private scheduleClusters(): void {
    if (this.clusterTimer || !this.clustersVisible()) return;
    const waitMs = Math.max(0, this.lastClusterFlushMs + this.clusterIntervalMs - Date.now());
    this.clusterTimer = setTimeout(() => {
      this.clusterTimer = undefined;
      if (this.clustersVisible()) this.flushClusters();
    }, waitMs);
  }

  private source(id: string): GeoJSONSource | undefined {
    return this.map.getSource<GeoJSONSource>(id);
  }
}
