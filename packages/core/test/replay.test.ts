import { describe, expect, it } from "vitest";
import { type SummaryFix, summarizeTrip } from "../src/telemetry/replay";

const T0 = Date.parse("2026-11-21T08:00:00Z");
const at = (s: number, speedKph: number, distanceM = 0): SummaryFix => ({
  time: new Date(T0 + s * 1000),
  speedKph,
  distanceM,
});

describe("summarizeTrip", () => {
  it("sums distance and moving time, counts stops of 5 minutes or more, max and average speed", () => {
    const fixes = [
      at(0, 0),
      at(60, 36, 600), // moving 60 s
      at(120, 36, 600), // moving 60 s
      at(180, 0, 0), // stop begins (the slowing-down interval is not moving time)
      at(600, 0, 0), // 7 min stationary: one stop
      at(660, 72, 1200), // moving 60 s
      at(1800, 72, 0), // after a 19-minute gap: not moving time
    ];
    const s = summarizeTrip(fixes);
    expect(s).toMatchObject({ positions: 7, distanceM: 2400, movingTimeS: 180, stops: 1, maxSpeedKph: 72 });
    // An interval counts as moving when the fix that ends it is moving: 2.4 km in 3 minutes.
    expect(s.avgSpeedKph).toBeCloseTo(48, 6);
    expect(s.startedAt?.getTime()).toBe(T0);
  });

  it("an empty period has nothing", () => {
    expect(summarizeTrip([])).toMatchObject({ positions: 0, distanceM: 0, avgSpeedKph: null, startedAt: null });
  });
});
