/**
 * The live map's diffing (vehicleLayer.ts): only changes are sent, and moves that would not show —
 * under a pixel, off screen, or with the live layers hidden — are held back until they would.
 */
import { describe, expect, it } from "vitest";
import {
  diffVehicleStates,
  FeatureIds,
  MIN_MOVE_PX,
  moveShows,
  type RenderView,
  type VehicleMapState,
} from "../src/components/map/vehicleLayer";

const state = (lng: number, lat: number, extra: Partial<VehicleMapState> = {}): VehicleMapState => ({
  vehicleId: "v1",
  lng,
  lat,
  headingDeg: 90,
  status: "moving",
  ...extra,
});

/** Zoom 11 over Austin: ~33 m per pixel at 30.27° N. */
const zoom11: RenderView = {
  worldPx: 512 * 2 ** 11,
  bounds: { west: -98.1, south: 30.0, east: -97.4, north: 30.5 },
  pinnedVehicleId: null,
};
const degPerPx = 360 / zoom11.worldPx;

describe("moveShows", () => {
  it("is false under MIN_MOVE_PX on screen and true from it", () => {
    const a = state(-97.74, 30.27);
    expect(moveShows(a, state(-97.74 + 0.9 * MIN_MOVE_PX * degPerPx, 30.27), zoom11)).toBe(false);
    expect(moveShows(a, state(-97.74 + 1.1 * MIN_MOVE_PX * degPerPx, 30.27), zoom11)).toBe(true);
    // Latitude: Mercator stretches it by 1/cos(lat), so fewer degrees make a pixel.
    const latPx = degPerPx * Math.cos((30.27 * Math.PI) / 180);
    expect(moveShows(a, state(-97.74, 30.27 + 1.1 * latPx), zoom11)).toBe(true);
    expect(moveShows(a, state(-97.74, 30.27 + 0.9 * latPx), zoom11)).toBe(false);
  });

  it("is false when both ends are outside the view, true when either is inside", () => {
    const far = state(-96.0, 30.27);
    expect(moveShows(far, state(-95.9, 30.27), zoom11)).toBe(false);
    expect(moveShows(far, state(-97.74, 30.27), zoom11)).toBe(true); // drives into view
    expect(moveShows(state(-97.74, 30.27), far, zoom11)).toBe(true); // drives out of view
  });

  it("handles a view across the antimeridian and hidden layers", () => {
    const pacific: RenderView = { ...zoom11, bounds: { west: 179.5, south: -18, east: 180.5, north: -17 } };
    expect(moveShows(state(-179.8, -17.5), state(-179.7, -17.5), pacific)).toBe(true);
    expect(moveShows(state(-97.74, 30.27), state(-97.7, 30.27), { ...zoom11, bounds: null })).toBe(false);
  });
});

describe("diffVehicleStates with a view", () => {
  it("holds back sub-pixel moves, sends them once they add up, and always sends status and heading changes", () => {
    const sent = new Map<string, VehicleMapState>();
    const deferred = new Map<string, VehicleMapState>();
    const ids = new FeatureIds();
    const hold = { view: zoom11, deferred };
    expect(diffVehicleStates(sent, [state(-97.74, 30.27)], ids, true, hold)?.add).toHaveLength(1);

    const step = 0.6 * degPerPx;
    const s1 = state(-97.74 + step, 30.27);
    expect(diffVehicleStates(sent, [s1], ids, true, hold)).toBeNull();
    expect(deferred.get("v1")).toBe(s1);
    expect(sent.get("v1")?.lng).toBe(-97.74);

    // The next sub-pixel step takes it past a pixel from what the map shows: sent.
    const s2 = state(-97.74 + 2 * step, 30.27);
    expect(diffVehicleStates(sent, [s2], ids, true, hold)?.update).toEqual([
      { id: 1, newGeometry: { type: "Point", coordinates: [s2.lng, s2.lat] } },
    ]);
    expect(deferred.size).toBe(0);

    // A status change goes at once even when the vehicle hardly moved.
    const s3 = state(s2.lng + step / 10, 30.27, { status: "stopped" });
    const diff = diffVehicleStates(sent, [s3], ids, true, hold);
    expect(diff?.update?.[0]?.addOrUpdateProperties).toEqual([{ key: "status", value: "stopped" }]);
  });

  it("never holds back the pinned (selected) vehicle", () => {
    const sent = new Map<string, VehicleMapState>();
    const ids = new FeatureIds();
    const hold = { view: { ...zoom11, pinnedVehicleId: "v1" }, deferred: new Map<string, VehicleMapState>() };
    diffVehicleStates(sent, [state(-97.74, 30.27)], ids, true, hold);
    const nudge = state(-97.74 + 0.1 * degPerPx, 30.27);
    expect(diffVehicleStates(sent, [nudge], ids, true, hold)?.update).toHaveLength(1);
  });

  it("sends held-back moves when the view changes so that they show (re-diffing the deferred states)", () => {
    const sent = new Map<string, VehicleMapState>();
    const deferred = new Map<string, VehicleMapState>();
    const ids = new FeatureIds();
    diffVehicleStates(sent, [state(-97.74, 30.27)], ids, true, { view: zoom11, deferred });
    const moved = state(-97.74 + 0.5 * degPerPx, 30.27);
    diffVehicleStates(sent, [moved], ids, true, { view: zoom11, deferred });
    expect(deferred.size).toBe(1);
    // Zoomed in to 14: the same move is 4 px.
    const zoom14: RenderView = { ...zoom11, worldPx: 512 * 2 ** 14 };
    const diff = diffVehicleStates(sent, [...deferred.values()], ids, true, { view: zoom14, deferred });
    expect(diff?.update).toHaveLength(1);
    expect(deferred.size).toBe(0);
    expect(sent.get("v1")).toEqual(moved);
  });
});
