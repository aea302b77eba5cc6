import { describe, expect, it } from "vitest";
import { FleetStatusTracker, type StatusFix } from "../src/telemetry/status";

const T0 = Date.parse("2026-11-21T12:00:00Z");
const fix = (atMs: number, speedKph: number, attributes: Record<string, unknown> = {}): StatusFix => ({
  tenantId: "t1",
  deviceId: "d1",
  vehicleId: "v1",
  time: new Date(atMs),
  receivedAt: new Date(atMs + 1000),
  speedKph,
  attributes,
});

describe("FleetStatusTracker", () => {
  it("reports moving, then idle when it stops, stopped after 5 minutes, offline after 5 minutes without fixes", () => {
    const tracker = new FleetStatusTracker();
    const first = tracker.observe([fix(T0, 40)], T0 + 1000);
    expect(first.vehicles.get("t1")).toEqual([expect.objectContaining({ vehicleId: "v1", status: "moving" })]);
    expect(first.devices.get("t1")).toEqual([expect.objectContaining({ deviceId: "d1", status: "online" })]);

    const stop = tracker.observe([fix(T0 + 60_000, 0)], T0 + 61_000);
    expect(stop.vehicles.get("t1")?.[0]?.status).toBe("idle");
    // Still reporting, still stationary: idle until 5 minutes after the last moving fix.
    const still = tracker.observe([fix(T0 + 4 * 60_000, 0)], T0 + 4 * 60_000);
    expect(still.vehicles.size).toBe(0);
    expect(tracker.sweep(T0 + 5 * 60_000 + 1).vehicles.get("t1")?.[0]?.status).toBe("stopped");
    // No fix for 5 minutes after the last one: vehicle and device go offline, once.
    const gone = tracker.sweep(T0 + 9 * 60_000 + 2000);
    expect(gone.vehicles.get("t1")?.[0]?.status).toBe("offline");
    expect(gone.devices.get("t1")?.[0]?.status).toBe("offline");
    expect(tracker.sweep(T0 + 10 * 60_000).vehicles.size).toBe(0);
  });

  it("uses reported ignition: engine on and not moving is idle, engine off is stopped", () => {
    const tracker = new FleetStatusTracker();
    tracker.observe([fix(T0, 0, { ignition: true })], T0);
    expect(tracker.snapshot("t1").vehicles[0]?.status).toBe("idle");
    tracker.observe([fix(T0 + 1000, 0, { ignition: false })], T0 + 1000);
    expect(tracker.snapshot("t1").vehicles[0]?.status).toBe("stopped");
  });

  it("ignores fixes older than the newest one and keeps tenants apart", () => {
    const tracker = new FleetStatusTracker();
    tracker.observe([fix(T0, 50)], T0);
    expect(tracker.observe([fix(T0 - 60_000, 0)], T0).vehicles.size).toBe(0);
    expect(tracker.snapshot("t1").vehicles[0]?.status).toBe("moving");
    expect(tracker.snapshot("t2")).toEqual({ vehicles: [], devices: [] });
  });
});
