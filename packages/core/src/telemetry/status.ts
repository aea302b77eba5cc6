/**
 * Live movement status of vehicles and connection status of devices, derived from committed fixes
 * and the passage of time — what fleet products show as moving / idle / stopped / offline
 * (Samsara, Traccar's "motion" and device "online/offline"). Pure in-memory state: `observe` takes
 * committed fixes, `sweep` takes the clock; both return only the changes, grouped by tenant, so the
 * caller can emit them. Classification rules live in `classifyMovement` (@fleetcore/realtime) so the
 * web app and the server agree.
 */
import {
  classifyMovementAt,
  type DeviceConnectionStatus,
  type DeviceStatusEvent,
  MOVING_SPEED_KPH,
  OFFLINE_AFTER_MS,
  type VehicleMovementStatus,
  type VehicleStatusEvent,
} from "@fleetcore/realtime";

/** What the tracker needs of a fix (a StoredFix or a tel_latest_positions row). */
export interface StatusFix {
  tenantId: string;
  deviceId: string;
  vehicleId: string | null;
  time: Date;
  receivedAt: Date;
  speedKph: number | null;
  attributes: unknown;
}

/** Status changes grouped by tenant id. */
export interface StatusChanges {
  vehicles: Map<string, VehicleStatusEvent[]>;
  devices: Map<string, DeviceStatusEvent[]>;
}

interface VehicleState {
  tenantId: string;
  status: VehicleMovementStatus;
  sinceMs: number;
  fixMs: number;
  speedKph: number | null;
  ignition: boolean | null;
  lastMovingAtMs: number | null;
}

interface DeviceState {
  tenantId: string;
  vehicleId: string | null;
  status: DeviceConnectionStatus;
  lastSeenMs: number;
}

const ignitionOf = (attributes: unknown): boolean | null => {
  const v = (attributes as Record<string, unknown> | null)?.ignition;
  return typeof v === "boolean" ? v : null;
};

const push = <T>(map: Map<string, T[]>, key: string, value: T) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/**
 * Tracks every vehicle's movement status and every device's online/offline status.
 * Memory: one small record per vehicle and per device seen since start (or seeded).
 */
export class FleetStatusTracker {
  private readonly vehicles = new Map<string, VehicleState>();
  private readonly devices = new Map<string, DeviceState>();

  /**
   * Applies committed fixes (any order) and returns the resulting status changes. A fix older than
   * the vehicle's newest known fix changes nothing.
   * @param nowMs current time, ms since epoch
   */
  observe(fixes: readonly StatusFix[], nowMs: number): StatusChanges {
    const changes: StatusChanges = { vehicles: new Map(), devices: new Map() };
    for (const f of fixes) {
      const receivedMs = f.receivedAt.getTime();
      const dev = this.devices.get(f.deviceId);
      if (!dev || dev.lastSeenMs <= receivedMs) {
        const status: DeviceConnectionStatus = nowMs - receivedMs > OFFLINE_AFTER_MS ? "offline" : "online";
        if (!dev) {
          const next = { tenantId: f.tenantId, vehicleId: f.vehicleId, status, lastSeenMs: receivedMs };
          this.devices.set(f.deviceId, next);
          push(changes.devices, f.tenantId, this.deviceEvent(f.deviceId, next));
        } else {
          const changed = dev.status !== status || dev.vehicleId !== f.vehicleId;
          dev.status = status;
          dev.vehicleId = f.vehicleId;
          dev.lastSeenMs = receivedMs;
          if (changed) push(changes.devices, f.tenantId, this.deviceEvent(f.deviceId, dev));
        }
      }
      if (!f.vehicleId) continue;
      const fixMs = f.time.getTime();
      const cur = this.vehicles.get(f.vehicleId);
      if (cur && cur.fixMs >= fixMs) continue;
      const ignition = ignitionOf(f.attributes);
      const moving = (f.speedKph ?? 0) > MOVING_SPEED_KPH;
      const lastMovingAtMs = moving ? fixMs : (cur?.lastMovingAtMs ?? null);
      const status = classifyMovementAt(fixMs, f.speedKph, ignition, nowMs, lastMovingAtMs);
      if (cur) {
        const changed = cur.status !== status;
        cur.fixMs = fixMs;
        cur.speedKph = f.speedKph;
        cur.ignition = ignition;
        cur.lastMovingAtMs = lastMovingAtMs;
        if (!changed) continue;
        cur.status = status;
        cur.sinceMs = nowMs;
        push(changes.vehicles, f.tenantId, this.vehicleEvent(f.vehicleId, cur));
        continue;
      }
      // First sight (start-up seed or a new vehicle): the fix itself dates the status.
      const sinceMs = status === "offline" ? fixMs + OFFLINE_AFTER_MS : Math.min(fixMs, nowMs);
      const next: VehicleState = {
        tenantId: f.tenantId,
        status,
        sinceMs,
        fixMs,
        speedKph: f.speedKph,
        ignition,
        lastMovingAtMs,
      };
      this.vehicles.set(f.vehicleId, next);
      push(changes.vehicles, f.tenantId, this.vehicleEvent(f.vehicleId, next));
    }
    return changes;
  }

  /** Re-classifies everything against the clock (idle → stopped, anything → offline). */
  sweep(nowMs: number): StatusChanges {
    const changes: StatusChanges = { vehicles: new Map(), devices: new Map() };
    for (const [vehicleId, v] of this.vehicles) {
      const status = classifyMovementAt(v.fixMs, v.speedKph, v.ignition, nowMs, v.lastMovingAtMs);
      if (status === v.status) continue;
      v.status = status;
      v.sinceMs = nowMs;
      push(changes.vehicles, v.tenantId, this.vehicleEvent(vehicleId, v));
    }
    for (const [deviceId, d] of this.devices) {
      const status: DeviceConnectionStatus = nowMs - d.lastSeenMs > OFFLINE_AFTER_MS ? "offline" : "online";
      if (status === d.status) continue;
      d.status = status;
      push(changes.devices, d.tenantId, this.deviceEvent(deviceId, d));
    }
    return changes;
  }

  /** Current statuses of one tenant's vehicles and devices (sent right after a `snapshot`). */
  snapshot(tenantId: string): { vehicles: VehicleStatusEvent[]; devices: DeviceStatusEvent[] } {
    const vehicles: VehicleStatusEvent[] = [];
    const devices: DeviceStatusEvent[] = [];
    for (const [id, v] of this.vehicles) if (v.tenantId === tenantId) vehicles.push(this.vehicleEvent(id, v));
    for (const [id, d] of this.devices) if (d.tenantId === tenantId) devices.push(this.deviceEvent(id, d));
    return { vehicles, devices };
  }

  private vehicleEvent(vehicleId: string, v: VehicleState): VehicleStatusEvent {
    return {
      vehicleId,
      status: v.status,
      since: new Date(v.sinceMs).toISOString(),
      lastFixAt: new Date(v.fixMs).toISOString(),
    };
  }

  private deviceEvent(deviceId: string, d: DeviceState): DeviceStatusEvent {
    return {
      deviceId,
      vehicleId: d.vehicleId,
      status: d.status,
      lastSeenAt: new Date(d.lastSeenMs).toISOString(),
    };
  }
}
