/**
 * Benchmark page (built and driven by ../map-update.bench.ts): the app's own map code — offline
 * style, VehicleLayer, LiveFleet, syncVehicles — on a 1280×800 map showing a synthetic fleet.
 * Exposes `window.fcBench`; each call does one step so the driver can read Chromium's main-thread
 * counters around it.
 */
import type { LivePosition } from "@fleetcore/realtime";
import { offlineStyle } from "../../src/components/map/basemap";
import { syncVehicles, vehicleMapStates } from "../../src/components/map/fleetSync";
import { type GeoJSONSource, Map as MapLibreMap } from "../../src/components/map/maplibre";
import { VEHICLE_SOURCE, VehicleLayer, vehicleFeature } from "../../src/components/map/vehicleLayer";
import { LiveFleet } from "../../src/lib/livePositions";

/** Timings of one apply, ms of main-thread time. */
export interface ApplyTiming {
  /** The synchronous call. */
  syncMs: number;
  /** The call plus the microtasks it queued (MapLibre serialises the diff and posts it to its worker there). */
  applyMs: number;
  /** Vehicles the diff carried (the rest held back or unchanged); setData: all. */
  sent: number;
}

const CENTER: [number, number] = [-97.74, 30.27]; // Austin
const SPREAD_DEG = { lng: 0.42, lat: 0.22 }; // fits the 1280×800 view at zoom 11 (0.44° × 0.24°)

let map: MapLibreMap;
let layer: VehicleLayer;
let fleet: LiveFleet;
let ids: string[] = [];
let lngs: Float64Array;
let lats: Float64Array;
let courses: Float64Array;
let tick = 0;
/** Vehicles of the last `ingest` (what the store's subscription would hand the map). */
let changed: string[] = [];
let nowMs = Date.now();

/** Resolves after the current task and its microtasks (a message on a fresh channel runs as the next task). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/**
 * Resolves once the vehicle source has taken the update and the map has rendered it; `cancel`
 * (nothing was sent) stops waiting and resolves at once.
 */
function sourceSettled(): Promise<void> & { cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<void>((resolve) => {
    const onData = (e: { sourceId?: string; sourceDataType?: string }) => {
      if (e.sourceId !== VEHICLE_SOURCE || e.sourceDataType !== "content") return;
      map.off("sourcedata", onData);
      map.once("idle", () => resolve());
    };
    map.on("sourcedata", onData);
    cancel = () => {
      map.off("sourcedata", onData);
      resolve();
    };
  });
  return Object.assign(promise, { cancel: () => cancel() });
}

/**
 * The next `positions` batch of `count` vehicles (a rotating window of the fleet; all of it by
 * default). Each moves ~20 m × `stepScale` along its course (20 m: ~0.6 px at zoom 11, a bus in
 * city traffic over a second); a GPS heading jitters by up to ±2° on the road, one vehicle in ten
 * turns (15–40°) per batch, one in fifty stops (speed 0: its status changes). Large steps go back
 * and forth (every other batch reversed), so that the fleet stays in view however long the run.
 */
function positionsBatch(count = ids.length, stepScale = 1): LivePosition[] {
  tick++;
  nowMs += 1000;
  const time = new Date(nowMs - 800).toISOString();
  const receivedAt = new Date(nowMs).toISOString();
  const batch: LivePosition[] = new Array(count);
  const first = (tick * count) % ids.length;
  for (let j = 0; j < count; j++) {
    const i = (first + j) % ids.length;
    const turn = Math.random() < 0.1 ? 15 + Math.random() * 25 : 0;
    const course = ((courses[i] ?? 0) + turn) % 360;
    courses[i] = course;
    const heading = (course + (Math.random() * 4 - 2) + 360) % 360;
    const stopped = (i + tick) % 50 === 0;
    if (!stopped) {
      const step = stepScale > 1 && tick % 2 === 0 ? -stepScale : stepScale;
      lngs[i] = (lngs[i] ?? 0) + step * 0.0002 * Math.sin((course * Math.PI) / 180);
      lats[i] = (lats[i] ?? 0) + step * 0.00018 * Math.cos((course * Math.PI) / 180);
    }
    batch[j] = {
      deviceId: `d-${i}`,
      vehicleId: ids[i] ?? "",
      time,
      receivedAt,
      latitude: Math.round((lats[i] ?? 0) * 1e6) / 1e6,
      longitude: Math.round((lngs[i] ?? 0) * 1e6) / 1e6,
      speedKph: stopped ? 0 : 42,
      headingDeg: Math.round(heading * 10) / 10,
      ignition: true,
    };
  }
  return batch;
}

const fcBench = {
  /** Creates the map and a fleet of `vehicleCount` vehicles on it. */
  async init(vehicleCount: number): Promise<{ vehicles: number; renderer: string }> {
    const container = document.getElementById("map");
    if (!container) throw new Error("#map missing");
    map = new MapLibreMap({ container, style: offlineStyle("dark"), center: CENTER, zoom: 11, fadeDuration: 0 });
    await map.once("load");
    fleet = new LiveFleet(15 * 60_000, () => nowMs);
    layer = new VehicleLayer(map);
    layer.install();
    ids = Array.from({ length: vehicleCount }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    lngs = Float64Array.from(ids, () => CENTER[0] + (Math.random() - 0.5) * SPREAD_DEG.lng);
    lats = Float64Array.from(ids, () => CENTER[1] + (Math.random() - 0.5) * SPREAD_DEG.lat);
    courses = Float64Array.from(ids, () => Math.floor(Math.random() * 360));
    fleet.applySnapshot(positionsBatch());
    const settled = sourceSettled();
    syncVehicles(layer, fleet, ids);
    await settled;
    const gl = map.getCanvas().getContext("webgl2");
    return { vehicles: layer.size, renderer: gl ? String(gl.getParameter(gl.RENDERER)) : "?" };
  },

  /** A `positions` batch of `count` vehicles (default all) moving `stepScale` × ~20 m into the store; returns the store's ms. */
  ingest(count?: number, stepScale = 1): number {
    const batch = positionsBatch(count, stepScale);
    changed = batch.map((p) => p.vehicleId ?? "");
    const t0 = performance.now();
    fleet.applyPositions(batch);
    return performance.now() - t0;
  },

  /**
   * The app's path: the changed vehicles' states → one diff of what would show → `updateData`.
   * Waits until rendered (not at all when every move was held back).
   */
  async applyDiff(): Promise<ApplyTiming> {
    const settled = sourceSettled();
    const t0 = performance.now();
    const sent = syncVehicles(layer, fleet, changed);
    const t1 = performance.now();
    await nextTask();
    const t2 = performance.now();
    if (sent === 0) settled.cancel();
    await settled;
    return { syncMs: t1 - t0, applyMs: t2 - t0, sent };
  },

  /** Baseline: the whole fleet as a FeatureCollection through `setData` (it cannot send less). Waits until rendered. */
  async applySetData(): Promise<ApplyTiming> {
    const source = map.getSource<GeoJSONSource>(VEHICLE_SOURCE);
    if (!source) throw new Error("vehicle source missing");
    const settled = sourceSettled();
    const t0 = performance.now();
    const features = vehicleMapStates(fleet, ids).map((s, i) => vehicleFeature(s, i + 1));
    void source.setData({ type: "FeatureCollection", features });
    const t1 = performance.now();
    await nextTask();
    const t2 = performance.now();
    await settled;
    return { syncMs: t1 - t0, applyMs: t2 - t0, sent: features.length };
  },

  /** Vehicles whose newest move the layer holds back (under a pixel or off screen). */
  deferred(): number {
    return layer.deferredCount;
  },
};

declare global {
  interface Window {
    fcBench: typeof fcBench;
  }
}
window.fcBench = fcBench;
