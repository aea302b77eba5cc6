import { disconnectAll } from "@fleetcore/db";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, createWorld, signIn, type World } from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

const code = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );

describe("appRouter (in-process, real database)", () => {
  it("creates a vehicle in the caller's active tenant and publishes vehicle:created after commit", async () => {
    const owner = await signIn(world.users.ownerA.email);
    const vehicle = await owner.api.vehicle.create({ name: "Van 7", year: 2021 });
    expect(vehicle).toMatchObject({ tenantId: world.a.tenant.id, name: "Van 7" });
    expect((await owner.api.vehicle.list({})).map((v) => v.id)).toContain(vehicle.id);
    expect(owner.published).toEqual([
      {
        tenantId: world.a.tenant.id,
        event: "vehicle:created",
        payload: {
          id: vehicle.id,
          tenantId: world.a.tenant.id,
          name: "Van 7",
          createdAt: vehicle.createdAt.toISOString(),
        },
      },
    ]);
  });

  it("maps errors to tRPC codes: UNAUTHORIZED, FORBIDDEN, BAD_REQUEST, NOT_FOUND", async () => {
    const anonymous = await clientFor(null);
    expect(await code(anonymous.api.vehicle.list({}))).toBe("UNAUTHORIZED");
    const viewer = await signIn(world.users.viewerA.email);
    expect(await code(viewer.api.vehicle.create({ name: "Nope" }))).toBe("FORBIDDEN");
    const owner = await signIn(world.users.ownerA.email);
    expect(await code(owner.api.vehicle.create({ name: "Bad VIN", vin: "123" }))).toBe("BAD_REQUEST");
    expect(await code(owner.api.vehicle.get({ vehicleId: crypto.randomUUID() }))).toBe("NOT_FOUND");
  });
});
