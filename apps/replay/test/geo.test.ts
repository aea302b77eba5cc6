import { describe, expect, it } from "vitest";
import { haversineM, initialBearingDeg, mpsToKnots } from "../src/geo";

describe("mpsToKnots", () => {
  it("uses 1 kn = 1852/3600 m/s", () => {
    expect(mpsToKnots(0.514444)).toBeCloseTo(1, 5);
    expect(mpsToKnots(1852 / 3600)).toBe(1);
    expect(mpsToKnots(10)).toBeCloseTo(19.4384, 4);
    expect(mpsToKnots(0)).toBe(0);
  });
});

describe("initialBearingDeg", () => {
  it("gives the cardinal directions", () => {
    expect(initialBearingDeg(30, -97, 30.01, -97)).toBeCloseTo(0, 6);
    expect(initialBearingDeg(30, -97, 30, -96.99)).toBeCloseTo(90, 2);
    expect(initialBearingDeg(30, -97, 29.99, -97)).toBeCloseTo(180, 6);
    expect(initialBearingDeg(30, -97, 30, -97.01)).toBeCloseTo(270, 2);
  });

  it("agrees with the tangent-plane projection of the chord on a long route (Austin → London)", () => {
    // Independent derivation: the great circle leaves p1 along the chord p2 − p1 projected on the
    // tangent plane at p1; its angle from local north (towards east) is the initial bearing.
    const rad = Math.PI / 180;
    const xyz = (lat: number, lon: number) => [
      Math.cos(lat * rad) * Math.cos(lon * rad),
      Math.cos(lat * rad) * Math.sin(lon * rad),
      Math.sin(lat * rad),
    ];
    const [lat1, lon1, lat2, lon2] = [30.2672, -97.7431, 51.5074, -0.1278];
    const p1 = xyz(lat1, lon1);
    const p2 = xyz(lat2, lon2);
    const d = p2.map((v, i) => v - (p1[i] ?? 0));
    const east = [-Math.sin(lon1 * rad), Math.cos(lon1 * rad), 0];
    const north = [
      -Math.sin(lat1 * rad) * Math.cos(lon1 * rad),
      -Math.sin(lat1 * rad) * Math.sin(lon1 * rad),
      Math.cos(lat1 * rad),
    ];
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);
    const expected = (Math.atan2(dot(d, east), dot(d, north)) / rad + 360) % 360;
    expect(initialBearingDeg(lat1, lon1, lat2, lon2)).toBeCloseTo(expected, 9);
    // Sanity: London lies north-east of Austin, but the great circle starts further north than the rhumb line.
    expect(expected).toBeGreaterThan(20);
    expect(expected).toBeLessThan(60);
  });

  it("stays in [0, 360)", () => {
    const b = initialBearingDeg(30, -97, 30.0000001, -97.0000001);
    expect(b).toBeGreaterThanOrEqual(0);
    expect(b).toBeLessThan(360);
  });
});

describe("haversineM", () => {
  it("gives about 111.2 km per degree of latitude", () => {
    expect(haversineM(30, -97, 31, -97)).toBeCloseTo(111_195, -1);
    expect(haversineM(30, -97, 30, -97)).toBe(0);
  });
});
