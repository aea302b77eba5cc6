import { describe, expect, it } from "vitest";
import type { ReplayFix } from "../src/csv";
import { reasonKey } from "../src/replay";
import {
  defaultTimeMode,
  osmAndUrl,
  planReplay,
  rebaseTimestampS,
  sendOffsetMs,
  wallTimestampMs,
} from "../src/schedule";

function fix(vehicleId: string, iso: string, lat: number, lon: number, speedMps: number | null = 5): ReplayFix {
  return {
    line: 0,
    vehicleId,
    timeMs: Date.parse(iso),
    speedMps,
    latitude: lat,
    longitude: lon,
    routeId: null,
    tripId: null,
    tripHeadsign: null,
  };
}

const NOW = Date.parse("2030-01-01T00:00:00.750Z");
const NOW_S = Math.floor(NOW / 1000);

describe("rebasing", () => {
  it("maps the earliest time to now and keeps real-time spacing", () => {
    const t0 = Date.parse("2016-11-25T10:00:00Z");
    expect(rebaseTimestampS(t0, t0, NOW_S)).toBe(NOW_S);
    expect(rebaseTimestampS(t0 + 3_600_000, t0, NOW_S)).toBe(NOW_S + 3600);
  });

  it("sends at (t - t0) / speed, or at once for max", () => {
    expect(sendOffsetMs(3_600_000, 0, 60)).toBe(60_000);
    expect(sendOffsetMs(3_600_000, 0, 1)).toBe(3_600_000);
    expect(sendOffsetMs(3_600_000, 0, "max")).toBe(0);
  });
});

describe("planReplay", () => {
  const fixes = [
    fix("A", "2016-11-25T10:00:00-06:00", 30.0, -97.0),
    fix("B", "2016-11-25T10:00:30-06:00", 30.0, -97.0, null),
    fix("A", "2016-11-25T10:01:00-06:00", 30.01, -97.0),
    fix("A", "2016-11-25T10:02:00-06:00", 30.01, -97.0, 0), // did not move
    fix("A", "2016-11-25T11:00:00-06:00", 30.01, -96.99),
  ];
  const plan = planReplay(fixes, { now0Ms: NOW, speed: 60, prefix: "capmetro-" });

  it("rebases timestamps, converts speed to knots and derives bearing per vehicle", () => {
    expect(plan.map((p) => p.query)).toEqual([
      { id: "capmetro-A", lat: 30, lon: -97, timestamp: NOW_S, speed: 9.719 },
      { id: "capmetro-B", lat: 30, lon: -97, timestamp: NOW_S + 30 },
      { id: "capmetro-A", lat: 30.01, lon: -97, timestamp: NOW_S + 60, speed: 9.719, bearing: 0 },
      { id: "capmetro-A", lat: 30.01, lon: -97, timestamp: NOW_S + 120, speed: 0 },
      { id: "capmetro-A", lat: 30.01, lon: -96.99, timestamp: NOW_S + 3600, speed: 9.719, bearing: 90 },
    ]);
    expect(plan.map((p) => p.sendOffsetMs)).toEqual([0, 500, 1000, 2000, 60_000]);
  });

  it("builds the OsmAnd URL on a bare host or a path", () => {
    const q = plan[4]?.query;
    if (!q) throw new Error("no plan");
    expect(osmAndUrl("http://localhost:5055", q).href).toBe(
      `http://localhost:5055/?id=capmetro-A&lat=30.01&lon=-96.99&timestamp=${NOW_S + 3600}&speed=9.719&bearing=90`,
    );
    expect(osmAndUrl("http://localhost:3000/ingest/osmand", q).pathname).toBe("/ingest/osmand");
  });

  it("in wall mode stamps each fix with its send time, in ms", () => {
    const wall = planReplay(fixes, { now0Ms: NOW, speed: 60, prefix: "", time: "wall" });
    expect(wall.map((p) => p.query.timestamp)).toEqual([NOW, NOW + 500, NOW + 1000, NOW + 2000, NOW + 60_000]);
    expect(wall.map((p) => p.query.timestamp - NOW)).toEqual(wall.map((p) => p.sendOffsetMs));
    expect(wallTimestampMs(3_600_000, 0, NOW, 3600)).toBe(NOW + 1000);
    expect(() => planReplay(fixes, { now0Ms: NOW, speed: "max", prefix: "", time: "wall" })).toThrow(RangeError);
  });

  it("in end mode stamps the last fix now and keeps real spacing, the default at max speed", () => {
    const end = planReplay(fixes, { now0Ms: NOW, speed: 60, prefix: "", time: "end" });
    expect(end.map((p) => p.query.timestamp - NOW_S)).toEqual([-3600, -3570, -3540, -3480, 0]);
    expect(end.map((p) => p.sendOffsetMs)).toEqual(plan.map((p) => p.sendOffsetMs));
    const max = planReplay(fixes, { now0Ms: NOW, speed: "max", prefix: "" });
    expect(max.map((p) => p.query.timestamp)).toEqual(end.map((p) => p.query.timestamp));
    expect(max.every((p) => p.sendOffsetMs === 0)).toBe(true);
    expect(planReplay(fixes, { now0Ms: NOW, speed: "max", prefix: "", time: "real" })[0]?.query.timestamp).toBe(NOW_S);
    expect(defaultTimeMode("max")).toBe("end");
    expect(defaultTimeMode(60)).toBe("real");
  });

  it("returns nothing for no fixes", () => {
    expect(planReplay([], { now0Ms: NOW, speed: 1, prefix: "" })).toEqual([]);
  });
});

describe("reasonKey", () => {
  it("groups reasons that differ only in ids, times and numbers", () => {
    expect(reasonKey('unknown device "capmetro-2619": register it in Fleetcore first')).toBe(
      reasonKey('unknown device "capmetro-8929": register it in Fleetcore first'),
    );
    expect(
      reasonKey("timestamp 2030-01-01T01:00:00.000Z is in the future (server time 2030-01-01T00:00:00.000Z)"),
    ).toBe("timestamp <time> is in the future (server time <time>)");
    expect(reasonKey("speed 291.6 km/h is implausible (0..250)")).toBe("speed <n> km/h is implausible (<n>..<n>)");
  });
});
