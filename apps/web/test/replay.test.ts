import { describe, expect, it } from "vitest";
import {
  fleetAt,
  formatDurationS,
  indexFleet,
  lastIndexAtOrBefore,
  positionAt,
  type ReplayPoint,
} from "../src/lib/replay";

const T0 = Date.parse("2026-11-21T08:00:00Z");
const p = (s: number, lat: number, speedKph: number | null = 20): ReplayPoint => ({
  time: new Date(T0 + s * 1000),
  latitude: lat,
  longitude: -97.7,
  speedKph,
  headingDeg: 90,
});

describe("replay arithmetic", () => {
  const track = [p(0, 30), p(10, 30.01, 40), p(30, 30.03, 0)];

  it("finds the last fix at or before an instant", () => {
    expect(lastIndexAtOrBefore(track, T0 - 1)).toBe(-1);
    expect(lastIndexAtOrBefore(track, T0)).toBe(0);
    expect(lastIndexAtOrBefore(track, T0 + 15_000)).toBe(1);
    expect(lastIndexAtOrBefore(track, T0 + 99_000)).toBe(2);
  });

  it("interpolates between fixes and clamps outside the track", () => {
    const mid = positionAt(track, T0 + 5_000);
    expect(mid?.index).toBe(0);
    expect(mid?.point.latitude).toBeCloseTo(30.005, 9);
    expect(mid?.point.speedKph).toBeCloseTo(30, 9);
    expect(positionAt(track, T0 - 60_000)?.point.latitude).toBe(30);
    expect(positionAt(track, T0 + 60_000)?.point.latitude).toBe(30.03);
    expect(positionAt([], T0)).toBeNull();
  });

  it("places each fleet vehicle at its last point, stale when too old", () => {
    const index = indexFleet([
      { ...p(0, 30), vehicleId: "a" },
      { ...p(0, 31), vehicleId: "b" },
      { ...p(60, 30.1), vehicleId: "a" },
    ]);
    const frame = fleetAt(index, T0 + 90_000, 60_000);
    expect(frame.find((f) => f.vehicleId === "a")).toMatchObject({ stale: false, point: { latitude: 30.1 } });
    expect(frame.find((f) => f.vehicleId === "b")).toMatchObject({ stale: true, point: { latitude: 31 } });
    expect(fleetAt(index, T0 - 1, 60_000)).toEqual([]);
  });

  it("formats durations", () => {
    expect(formatDurationS(45)).toBe("45 s");
    expect(formatDurationS(750)).toBe("12 min 30 s");
    expect(formatDurationS(3720)).toBe("1 h 02 min");
  });
});
