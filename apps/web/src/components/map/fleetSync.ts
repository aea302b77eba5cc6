/**
 * The bridge from the live fleet store to the map layer: what one map update does, shared by
 * FleetMap and the benchmark (apps/web/bench) so the benchmark measures the app's own code path.
 */
import type { LiveFleet } from "../../lib/livePositions";
import type { VehicleLayer, VehicleMapState } from "./vehicleLayer";

/**
 * Map states of the given vehicles (those with a position): position, heading in whole degrees
 * (the layer ignores turns under `HEADING_STEP_DEG`), status from `LiveFleet.statusOf` (server's,
 * else classified in the browser). Fresh objects: the layer may keep them.
 */
export function vehicleMapStates(fleet: LiveFleet, vehicleIds: Iterable<string>): VehicleMapState[] {
  const states: VehicleMapState[] = [];
  for (const vehicleId of vehicleIds) {
    const p = fleet.positions.get(vehicleId);
    if (!p) continue;
    states.push({
      vehicleId,
      lng: p.longitude,
      lat: p.latitude,
      headingDeg: p.headingDeg === null ? null : Math.round(p.headingDeg) % 360,
      status: fleet.statusOf(vehicleId),
    });
  }
  return states;
}

/**
 * Applies the changed vehicles of `fleet` to `layer` (one diff, one `updateData` call).
 * @returns how many vehicles the diff carried
 */
export function syncVehicles(layer: VehicleLayer, fleet: LiveFleet, changedVehicleIds: Iterable<string>): number {
  return layer.apply(vehicleMapStates(fleet, changedVehicleIds));
}
