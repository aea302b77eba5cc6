import { disconnectAll } from "@fleetcore/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, signIn, type TestClient, trpcCode, type World } from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
let viewerA: TestClient;
const hourAgo = () => new Date(Date.now() - 60 * 60_000);

beforeAll(async () => {
  world = await createWorld();
  viewerA = await signIn(world.users.viewerA.email);
});

describe("replay", () => {
  it("returns a vehicle's track in time order with its trip summary", async () => {
    const { track, summary } = await viewerA.api.replay.vehicle({
      vehicleId: world.a.vehicle.id,
      from: hourAgo(),
      to: new Date(),
    });
    expect(track).toHaveLength(3);
    expect(track.map((p) => p.time.getTime())).toEqual([...track.map((p) => p.time.getTime())].sort());
    expect(summary).toMatchObject({ positions: 3, stops: 0, maxSpeedKph: 30, movingTimeS: 120 });
  });

  it("returns the fleet's last fix per vehicle and bucket", async () => {
    const replay = await viewerA.api.replay.fleet({ from: hourAgo(), to: new Date(), bucketS: 3600 });
    expect(replay.bucketS).toBe(3600);
    const ours = replay.rows.filter((r) => r.vehicleId === world.a.vehicle.id);
    expect(ours.length).toBeGreaterThanOrEqual(1);
    // The fixture's newest fix is the one 1 minute ago (latitude offset 1/1000).
    expect(ours.at(-1)?.latitude).toBeCloseTo(30.2682, 6);
    expect(replay.rows.some((r) => r.vehicleId === world.b.vehicle.id)).toBe(false);
  });

  it("refuses another tenant's vehicle (NOT_FOUND) and bad periods (BAD_REQUEST)", async () => {
    expect(
      await trpcCode(viewerA.api.replay.vehicle({ vehicleId: world.b.vehicle.id, from: hourAgo(), to: new Date() })),
    ).toBe("NOT_FOUND");
    expect(
      await trpcCode(viewerA.api.replay.vehicle({ vehicleId: world.a.vehicle.id, from: new Date(), to: hourAgo() })),
    ).toBe("BAD_REQUEST");
    expect(
      await trpcCode(viewerA.api.replay.fleet({ from: new Date(Date.now() - 30 * 24 * 3600_000), to: new Date() })),
    ).toBe("BAD_REQUEST");
  });
});
