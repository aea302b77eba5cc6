import { type Db, disconnectAll, withScope } from "@fleetcore/db";
import { testPrisma } from "@fleetcore/db/test-context";
import { afterAll, describe, expect, it } from "vitest";
import {
  AuditTrail,
  changeTenantStatus,
  createTenant,
  createVehicle,
  DomainError,
  diffFields,
  listTenants,
  listVehicles,
  positionRejectionReason,
  systemActor,
  type Tx,
} from "../src/index";

afterAll(() => disconnectAll());

const unique = () => Math.random().toString(36).slice(2, 8);

/** Runs `fn` in the platform's system scope with an audit trail, as the application role. */
const asSystem = <T>(fn: (tx: Tx & { db: Db }) => Promise<T>) =>
  withScope(testPrisma(), { kind: "system" }, (db) => fn({ db, audit: new AuditTrail(db, systemActor()) }));

const newTenant = (name = "Acme") =>
  asSystem((tx) =>
    createTenant(tx, { name, slug: `${name.toLowerCase()}-${unique()}`, countryCode: "US", defaultCurrency: "USD" }),
  );

describe("tenants", () => {
  it("creates a tenant in trial with its `created` lifecycle event and an audit row, atomically", async () => {
    const slug = `acme-${unique()}`;
    const tenant = await asSystem((tx) =>
      createTenant(tx, { name: "Acme", slug, countryCode: "us", defaultCurrency: "usd" }),
    );
    expect(tenant).toMatchObject({ slug, status: "trial", countryCode: "US", vehicleCount: 0 });
    await asSystem(async ({ db }) => {
      const events = await db.tenantLifecycleEvent.findMany({ where: { tenantId: tenant.id } });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ eventType: "created", fromStatus: null, toStatus: "trial" });
      const audit = await db.auditLog.findMany({ where: { tenantId: tenant.id } });
      expect(audit.map((a) => a.action)).toEqual(["tenant.created"]);
      expect((await listTenants(db)).map((t) => t.id)).toContain(tenant.id);
    });
  });

  it("rejects a taken slug as a conflict and stores nothing", async () => {
    const slug = `dup-${unique()}`;
    await asSystem((tx) => createTenant(tx, { name: "First", slug, countryCode: "US", defaultCurrency: "USD" }));
    const err = await asSystem((tx) =>
      createTenant(tx, { name: "Second", slug, countryCode: "US", defaultCurrency: "USD" }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe("conflict");
    expect(await asSystem(({ db }) => db.tenant.count({ where: { name: "Second", slug } }))).toBe(0);
  });

  it("hides soft-deleted tenants", async () => {
    const t = await newTenant("Gone");
    await asSystem(({ db }) => db.tenant.update({ where: { id: t.id }, data: { deletedAt: new Date() } }));
    expect((await asSystem(({ db }) => listTenants(db))).map((x) => x.id)).not.toContain(t.id);
  });

  it("moves through the lifecycle with one event per change and refuses impossible moves", async () => {
    const t = await newTenant("Life");
    await asSystem((tx) => changeTenantStatus(tx, { tenantId: t.id, status: "active", reason: "signed" }));
    await asSystem((tx) => changeTenantStatus(tx, { tenantId: t.id, status: "suspended", reason: "unpaid" }));
    await asSystem((tx) => changeTenantStatus(tx, { tenantId: t.id, status: "active", reason: "paid" }));
    await asSystem((tx) => changeTenantStatus(tx, { tenantId: t.id, status: "closed", reason: "churned" }));
    const err = await asSystem((tx) =>
      changeTenantStatus(tx, { tenantId: t.id, status: "active", reason: "oops" }),
    ).catch((e) => e);
    expect(err).toMatchObject({ code: "invalid" });
    const events = await asSystem(({ db }) =>
      db.tenantLifecycleEvent.findMany({ where: { tenantId: t.id }, orderBy: { occurredAt: "asc" } }),
    );
    expect(events.map((e) => [e.eventType, e.fromStatus, e.toStatus, e.reason])).toEqual([
      ["created", null, "trial", null],
      ["activated", "trial", "active", "signed"],
      ["suspended", "active", "suspended", "unpaid"],
      ["reactivated", "suspended", "active", "paid"],
      ["closed", "active", "closed", "churned"],
    ]);
    expect(positionRejectionReason({ name: "Life", status: "suspended" })).toMatch(/suspended/);
    expect(positionRejectionReason({ name: "Life", status: "active" })).toBeNull();
  });
});

describe("vehicles", () => {
  it("creates and lists a tenant's vehicles, never another tenant's, and audits the creation", async () => {
    const a = await newTenant("Alpha");
    const b = await newTenant("Bravo");
    const van = await asSystem((tx) => createVehicle(tx, a.id, { name: "Van 1", licensePlate: "abc-123", year: 2022 }));
    await asSystem((tx) => createVehicle(tx, b.id, { name: "Truck 9" }));
    expect(van).toMatchObject({ tenantId: a.id, name: "Van 1", licensePlate: "ABC-123", status: "active" });
    expect((await asSystem(({ db }) => listVehicles(db, a.id))).map((v) => v.name)).toEqual(["Van 1"]);
    const audit = await asSystem(({ db }) => db.auditLog.findFirst({ where: { entityId: van.id } }));
    expect(audit?.action).toBe("vehicle.created");
    expect((audit?.changes as Record<string, unknown> | undefined)?.name).toEqual({ before: null, after: "Van 1" });
  });

  it("rejects an invalid VIN with a readable reason", async () => {
    const t = await newTenant("Vin");
    const err = await asSystem((tx) => createVehicle(tx, t.id, { name: "X", vin: "123" })).catch((e) => e);
    expect(err).toMatchObject({ code: "invalid" });
    expect(err.message).toMatch(/vin: a VIN has 17 characters/);
  });
});

describe("audit diff", () => {
  it("records only changed fields, never secrets, dates as ISO strings", () => {
    const at = new Date("2026-01-01T00:00:00Z");
    expect(
      diffFields(
        { name: "A", status: "trial", passwordHash: "x", since: at },
        { name: "A", status: "active", passwordHash: "y", since: at },
      ),
    ).toEqual({ status: { before: "trial", after: "active" } });
    expect(diffFields(null, { at })).toEqual({ at: { before: null, after: "2026-01-01T00:00:00.000Z" } });
  });
});
