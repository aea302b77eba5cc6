import { disconnectAll } from "@fleetcore/db";
import { testPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import { createTenant, createVehicle, DomainError, listTenants, listVehicles } from "../src/index";

afterAll(() => disconnectAll());

const unique = () => Math.random().toString(36).slice(2, 8);

describe("tenants", () => {
  it("creates a tenant in trial with its `created` lifecycle event, atomically", async () => {
    const db = testPrisma();
    const slug = `acme-${unique()}`;
    const tenant = await createTenant(db, { name: "Acme", slug, countryCode: "us", defaultCurrency: "usd" });
    expect(tenant).toMatchObject({ slug, status: "trial", countryCode: "US", vehicleCount: 0 });
    const events = await db.tenantLifecycleEvent.findMany({ where: { tenantId: tenant.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventType: "created", fromStatus: null, toStatus: "trial" });
    expect((await listTenants(db)).map((t) => t.id)).toContain(tenant.id);
  });

  it("rejects a taken slug as a conflict and stores nothing", async () => {
    const db = testPrisma();
    const slug = `dup-${unique()}`;
    await createTenant(db, { name: "First", slug, countryCode: "US", defaultCurrency: "USD" });
    const before = await db.tenantLifecycleEvent.count();
    const err = await createTenant(db, { name: "Second", slug, countryCode: "US", defaultCurrency: "USD" }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe("conflict");
    expect(await db.tenantLifecycleEvent.count()).toBe(before);
  });

  it("hides soft-deleted tenants", async () => {
    const db = testPrisma();
    const t = await createTenant(db, {
      name: "Gone",
      slug: `gone-${unique()}`,
      countryCode: "US",
      defaultCurrency: "USD",
    });
    await db.tenant.update({ where: { id: t.id }, data: { deletedAt: new Date() } });
    expect((await listTenants(db)).map((x) => x.id)).not.toContain(t.id);
    await expect(listVehicles(db, t.id)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("vehicles", () => {
  it("creates and lists a tenant's vehicles, counted on the tenant, never another tenant's", async () => {
    const db = testPrisma();
    const a = await createTenant(db, {
      name: "Alpha",
      slug: `a-${unique()}`,
      countryCode: "US",
      defaultCurrency: "USD",
    });
    const b = await createTenant(db, {
      name: "Bravo",
      slug: `b-${unique()}`,
      countryCode: "FR",
      defaultCurrency: "EUR",
    });
    const v = await createVehicle(db, { tenantId: a.id, name: "Bus 1", licensePlate: "tx-1", speedLimitKph: 90 });
    await createVehicle(db, { tenantId: b.id, name: "Fourgon" });
    expect(v).toMatchObject({
      tenantId: a.id,
      name: "Bus 1",
      licensePlate: "TX-1",
      status: "active",
      speedLimitKph: 90,
    });
    expect((await listVehicles(db, a.id)).map((x) => x.name)).toEqual(["Bus 1"]);
    expect((await listTenants(db)).find((t) => t.id === a.id)?.vehicleCount).toBe(1);
  });

  it("reports invalid input and unknown tenants as domain errors", async () => {
    const db = testPrisma();
    await expect(createVehicle(db, { tenantId: crypto.randomUUID(), name: "X" })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(createVehicle(db, { tenantId: crypto.randomUUID(), name: "X", vin: "short" })).rejects.toMatchObject({
      code: "invalid",
    });
  });
});
