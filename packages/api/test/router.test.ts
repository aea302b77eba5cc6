import { disconnectAll } from "@fleetcore/db";
import { testPrisma } from "@fleetcore/db/test-context";
import { TRPCError } from "@trpc/server";
import { afterAll, describe, expect, it } from "vitest";
import { createCaller, createContextInner, type TenantEventPublisher } from "../src/index";

afterAll(() => disconnectAll());

function caller() {
  const published: { tenantId: string; event: string; payload: unknown }[] = [];
  const publish: TenantEventPublisher = (tenantId, event, ...args) => {
    published.push({ tenantId, event, payload: args[0] });
  };
  return { api: createCaller(createContextInner({ db: testPrisma(), publish })), published };
}

const slug = () => `t-${Math.random().toString(36).slice(2, 10)}`;

describe("appRouter (in-process, real database)", () => {
  it("creates a tenant and a vehicle end to end and publishes vehicle:created to the tenant", async () => {
    const { api, published } = caller();
    const tenant = await api.tenant.create({ name: "Acme", slug: slug(), countryCode: "US", defaultCurrency: "USD" });
    const vehicle = await api.vehicle.create({ tenantId: tenant.id, name: "Van 7", year: 2021 });
    expect(vehicle.createdAt).toBeInstanceOf(Date);
    expect(await api.vehicle.list({ tenantId: tenant.id })).toEqual([vehicle]);
    expect(published).toEqual([
      {
        tenantId: tenant.id,
        event: "vehicle:created",
        payload: { id: vehicle.id, tenantId: tenant.id, name: "Van 7", createdAt: vehicle.createdAt.toISOString() },
      },
    ]);
  });

  it("maps errors to tRPC codes: BAD_REQUEST, NOT_FOUND, CONFLICT", async () => {
    const { api } = caller();
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "OK",
        (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
      );
    expect(await code(api.vehicle.create({ tenantId: "not-a-uuid", name: "X" }))).toBe("BAD_REQUEST");
    expect(await code(api.vehicle.list({ tenantId: crypto.randomUUID() }))).toBe("NOT_FOUND");
    const s = slug();
    await api.tenant.create({ name: "One", slug: s, countryCode: "US", defaultCurrency: "USD" });
    expect(await code(api.tenant.create({ name: "Two", slug: s, countryCode: "US", defaultCurrency: "USD" }))).toBe(
      "CONFLICT",
    );
  });

  it("reports the TimescaleDB version and license", async () => {
    const { api } = caller();
    const status = await api.system.status();
    expect(status.database.ok).toBe(true);
    expect(status.timescale.version).toMatch(/^2\./);
  });
});
