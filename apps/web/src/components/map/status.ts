/**
 * How a vehicle's movement status looks on the map, in the list and on the wall. The statuses are
 * the shared contract's (`VehicleMovementStatus`, packages/realtime): the server's `vehicle` events,
 * or `classifyMovement` in the browser when the server sent none.
 */
import type { VehicleMovementStatus } from "@fleetcore/realtime";

/** Display order: the statuses a dispatcher acts on first. */
export const MOVEMENT_STATUSES: readonly VehicleMovementStatus[] = ["moving", "idle", "stopped", "offline"];

/** Map and legend colours (CSS colour strings), readable on both the light and the dark basemap. */
export const STATUS_COLORS: Record<VehicleMovementStatus, string> = {
  moving: "#16a34a",
  idle: "#f59e0b",
  stopped: "#2563eb",
  offline: "#94a3b8",
};

/** Words shown to people. */
export const STATUS_LABELS: Record<VehicleMovementStatus, string> = {
  moving: "Moving",
  idle: "Idle",
  stopped: "Stopped",
  offline: "Offline",
};
