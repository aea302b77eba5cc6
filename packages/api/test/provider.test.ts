/**
 * The provider back office: tenant list/detail, creation with an invited owner, lifecycle status
 * changes, notes, account-manager assignments, the staff directory and the cross-tenant audit log —
 * and which staff roles (and non-staff) may call what.
 */
import { hashToken } from "@fleetcore/core";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditRows,
  clientFor,
  createTenantWithMembers,
  createUser,
  createWorld,
  DAY_MS,
  lastEmailTo,
  signIn,
  type TestClient,
  tokenFrom,
  trpcCode,
  uniqueEmail,
  type World,
} from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
let admin: TestClient;
let analyst: TestClient;
let accountManager: { user: Awaited<ReturnType<typeof createUser>>; client: TestClient };
beforeAll(async () => {
  world = await createWorld();
  admin = await signIn(world.users.providerAdmin.email);
  analyst = await signIn(world.users.providerAnalyst.email);
  const amUser = await createUser(uniqueEmail("staff.am"), undefined, "account_manager");
  accountManager = { user: amUser, client: await signIn(amUser.email) };
});

const newTenantInput = (label: string) => {
  const slug = `${label}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    name: `${label} Logistics`,
    slug,
    countryCode: "de",
    defaultCurrency: "eur",
    timezone: "Europe/Berlin",
    ownerEmail: uniqueEmail(`${label}.owner`),
  };
};

describe("provider.tenants: list and get", () => {
  it("list includes A and B with their member counts", async () => {
    const list = await admin.api.provider.tenants.list({ search: world.tag });
    const byId = new Map(list.map((t) => [t.id, t]));
    expect(byId.get(world.a.tenant.id)).toMatchObject({ name: world.a.tenant.name, memberCount: 4, vehicleCount: 1 });
    expect(byId.get(world.b.tenant.id)).toMatchObject({ name: world.b.tenant.name, memberCount: 1, vehicleCount: 1 });
    const unfiltered = await admin.api.provider.tenants.list({});
    expect(unfiltered.map((t) => t.id)).toEqual(expect.arrayContaining([world.a.tenant.id, world.b.tenant.id]));
  });

  it("list filters by status", async () => {
    const t = await createTenantWithMembers("StatusFilter", ["owner"] as const);
    await admin.api.provider.tenants.changeStatus({
      tenantId: t.tenant.id,
      status: "suspended",
      reason: "filter test",
    });
    const suspended = await admin.api.provider.tenants.list({ status: "suspended" });
    expect(suspended.map((x) => x.id)).toContain(t.tenant.id);
    expect(suspended.every((x) => x.status === "suspended")).toBe(true);
    expect((await admin.api.provider.tenants.list({ status: "active" })).map((x) => x.id)).not.toContain(t.tenant.id);
  });

  it("get(A) returns the tenant, lifecycle, account managers and members with roles", async () => {
    const detail = await admin.api.provider.tenants.get({ tenantId: world.a.tenant.id });
    expect(detail.tenant).toMatchObject({ id: world.a.tenant.id, status: "active", vehicleCount: 1, notes: null });
    expect(Array.isArray(detail.lifecycleEvents)).toBe(true);
    expect(detail.members.map((m) => [m.email, m.roles]).sort()).toEqual(
      [
        [world.users.ownerA.email, ["owner"]],
        [world.users.adminA.email, ["admin"]],
        [world.users.dispatcherA.email, ["dispatcher"]],
        [world.users.viewerA.email, ["viewer"]],
      ].sort(),
    );
    expect(detail.members.find((m) => m.email === world.users.ownerA.email)?.userId).toBe(world.users.ownerA.id);
    expect(await trpcCode(admin.api.provider.tenants.get({ tenantId: crypto.randomUUID() }))).toBe("NOT_FOUND");
  });
});

describe("provider.tenants.create", () => {
  it("creates a trial tenant with a 'created' lifecycle event and emails its owner an invitation that works", async () => {
    const input = newTenantInput("created");
    const tenant = await admin.api.provider.tenants.create(input);
    expect(tenant).toMatchObject({
      name: input.name,
      slug: input.slug,
      countryCode: "DE",
      defaultCurrency: "EUR",
      timezone: "Europe/Berlin",
      status: "trial",
      vehicleCount: 0,
    });

    const detail = await admin.api.provider.tenants.get({ tenantId: tenant.id });
    expect(detail.lifecycleEvents).toEqual([
      expect.objectContaining({
        eventType: "created",
        toStatus: "trial",
        performedBy: world.users.providerAdmin.email,
      }),
    ]);
    expect(detail.members).toEqual([]);
    expect(detail.pendingInvitations).toEqual([expect.objectContaining({ email: input.ownerEmail, role: "owner" })]);

    const mail = await lastEmailTo(input.ownerEmail);
    expect(mail).toMatchObject({ template: "invitation", tenantId: tenant.id });
    const token = tokenFrom(mail?.textBody ?? "", /\/invite\/([a-z2-7]+)/);
    const stored = await testOwnerPrisma().invitation.findFirstOrThrow({ where: { tenantId: tenant.id } });
    expect(stored.tokenHash).toBe(hashToken(token));

    const invitee = await clientFor(null);
    const me = await invitee.api.invitation.accept({
      token,
      fullName: "First Owner",
      password: "first owner passphrase",
    });
    expect(me.activeTenant).toMatchObject({ id: tenant.id, roles: ["owner"], status: "trial" });
    expect((await admin.api.provider.tenants.get({ tenantId: tenant.id })).members).toEqual([
      expect.objectContaining({ email: input.ownerEmail, roles: ["owner"] }),
    ]);

    const created = await auditRows({ action: "tenant.created", entityId: tenant.id });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ actorType: "provider", actorUserId: world.users.providerAdmin.id });
  });

  it("a taken slug is CONFLICT and creates nothing (no tenant, no email)", async () => {
    const input = newTenantInput("dup");
    await admin.api.provider.tenants.create(input);
    const again = { ...input, name: "Another name", ownerEmail: uniqueEmail("dup.second") };
    expect(await trpcCode(admin.api.provider.tenants.create(again))).toBe("CONFLICT");
    expect(await lastEmailTo(again.ownerEmail)).toBeNull();
    expect(await testOwnerPrisma().tenant.count({ where: { slug: input.slug } })).toBe(1);
  });

  it("invalid input is BAD_REQUEST", async () => {
    expect(await trpcCode(admin.api.provider.tenants.create({ ...newTenantInput("bad"), slug: "Not A Slug!" }))).toBe(
      "BAD_REQUEST",
    );
  });
});

describe("provider.tenants.changeStatus", () => {
  it("trial → active → suspended → active records lifecycle events with reason and performer", async () => {
    const tenant = await admin.api.provider.tenants.create(newTenantInput("lifecycle"));
    const steps = [
      { status: "active", reason: "contract signed" },
      { status: "suspended", reason: "invoice overdue" },
      { status: "active", reason: "invoice paid" },
    ] as const;
    for (const step of steps) {
      const updated = await admin.api.provider.tenants.changeStatus({ tenantId: tenant.id, ...step });
      expect(updated.status).toBe(step.status);
    }
    const detail = await admin.api.provider.tenants.get({ tenantId: tenant.id });
    expect(detail.tenant.status).toBe("active");
    const changes = detail.lifecycleEvents
      .filter((e) => e.eventType !== "created")
      .sort((x, y) => x.occurredAt.getTime() - y.occurredAt.getTime());
    expect(changes.map((e) => [e.fromStatus, e.toStatus, e.reason, e.performedBy])).toEqual([
      ["trial", "active", "contract signed", world.users.providerAdmin.email],
      ["active", "suspended", "invoice overdue", world.users.providerAdmin.email],
      ["suspended", "active", "invoice paid", world.users.providerAdmin.email],
    ]);
    const audited = await auditRows({ action: "tenant.status_changed", entityId: tenant.id });
    expect(audited.map((r) => r.changes)).toEqual([
      { status: { before: "trial", after: "active" } },
      { status: { before: "active", after: "suspended" } },
      { status: { before: "suspended", after: "active" } },
    ]);
  });

  it("a closed tenant cannot be reopened, and a no-op change is refused: BAD_REQUEST", async () => {
    const tenant = await admin.api.provider.tenants.create(newTenantInput("closing"));
    expect(
      await trpcCode(admin.api.provider.tenants.changeStatus({ tenantId: tenant.id, status: "trial", reason: "same" })),
    ).toBe("BAD_REQUEST");
    await admin.api.provider.tenants.changeStatus({ tenantId: tenant.id, status: "closed", reason: "churned" });
    expect(
      await trpcCode(
        admin.api.provider.tenants.changeStatus({ tenantId: tenant.id, status: "active", reason: "came back" }),
      ),
    ).toBe("BAD_REQUEST");
    expect((await admin.api.provider.tenants.get({ tenantId: tenant.id })).tenant.status).toBe("closed");
  });
});

describe("who may use the back office", () => {
  it("an analyst can list and read but not create or change status (FORBIDDEN)", async () => {
    expect(await trpcCode(analyst.api.provider.tenants.list({}))).toBe("OK");
    expect(await trpcCode(analyst.api.provider.tenants.get({ tenantId: world.a.tenant.id }))).toBe("OK");
    expect(await trpcCode(analyst.api.provider.tenants.create(newTenantInput("analyst")))).toBe("FORBIDDEN");
    expect(
      await trpcCode(
        analyst.api.provider.tenants.changeStatus({ tenantId: world.b.tenant.id, status: "suspended", reason: "nope" }),
      ),
    ).toBe("FORBIDDEN");
    expect(
      await trpcCode(analyst.api.provider.tenants.updateNotes({ tenantId: world.a.tenant.id, notes: "analyst" })),
    ).toBe("FORBIDDEN");
    expect((await admin.api.provider.tenants.get({ tenantId: world.b.tenant.id })).tenant.status).toBe("active");
  });

  it("an account manager can update notes, which only staff see", async () => {
    const t = await createTenantWithMembers("Notes", ["owner"] as const);
    expect(
      await accountManager.client.api.provider.tenants.updateNotes({ tenantId: t.tenant.id, notes: "Renewal in May" }),
    ).toEqual({ ok: true });
    expect((await admin.api.provider.tenants.get({ tenantId: t.tenant.id })).tenant.notes).toBe("Renewal in May");
    expect(await trpcCode(accountManager.client.api.provider.tenants.create(newTenantInput("am")))).toBe("FORBIDDEN");
    const audited = await auditRows({ action: "tenant.notes_updated", entityId: t.tenant.id });
    expect(audited[0]?.changes).toEqual({ notes: { before: null, after: "Renewal in May" } });
  });

  it("an admin sets a tenant's position retention (7–3650 days, audited); an account manager cannot", async () => {
    const t = await createTenantWithMembers("Retention", ["owner"] as const);
    const updated = await admin.api.provider.tenants.setRetention({ tenantId: t.tenant.id, positionRetentionDays: 90 });
    expect(updated.positionRetentionDays).toBe(90);
    expect(
      await trpcCode(admin.api.provider.tenants.setRetention({ tenantId: t.tenant.id, positionRetentionDays: 3 })),
    ).toBe("BAD_REQUEST");
    expect(
      await trpcCode(
        accountManager.client.api.provider.tenants.setRetention({ tenantId: t.tenant.id, positionRetentionDays: 30 }),
      ),
    ).toBe("FORBIDDEN");
    const audited = await auditRows({ action: "tenant.retention_changed", entityId: t.tenant.id });
    expect(audited[0]?.changes).toEqual({ positionRetentionDays: { before: 365, after: 90 } });
  });

  it("a tenant owner (not staff) is FORBIDDEN and an anonymous caller UNAUTHORIZED", async () => {
    const owner = await signIn(world.users.ownerA.email);
    expect(await trpcCode(owner.api.provider.tenants.list({}))).toBe("FORBIDDEN");
    expect(await trpcCode(owner.api.provider.tenants.get({ tenantId: world.a.tenant.id }))).toBe("FORBIDDEN");
    expect(await trpcCode(owner.api.provider.audit.list({}))).toBe("FORBIDDEN");
    expect(await trpcCode(owner.api.provider.employees.list())).toBe("FORBIDDEN");
    const anonymous = await clientFor(null);
    expect(await trpcCode(anonymous.api.provider.tenants.list({}))).toBe("UNAUTHORIZED");
    expect(await trpcCode(anonymous.api.provider.tenants.create(newTenantInput("anon")))).toBe("UNAUTHORIZED");
  });

  it("an analyst visiting a tenant reads but cannot write; an admin visiting can", async () => {
    await analyst.api.auth.switchTenant({ tenantId: world.b.tenant.id });
    const analystInB = await clientFor(analyst.token);
    expect((await analystInB.api.vehicle.list({})).map((v) => v.id)).toEqual([world.b.vehicle.id]);
    expect(await trpcCode(analystInB.api.vehicle.create({ name: "analyst bus" }))).toBe("FORBIDDEN");

    const t = await createTenantWithMembers("Visit", ["owner"] as const);
    await admin.api.auth.switchTenant({ tenantId: t.tenant.id });
    const adminInT = await clientFor(admin.token);
    const vehicle = await adminInT.api.vehicle.create({ name: "staff bus" });
    expect(vehicle.tenantId).toBe(t.tenant.id);
    const audited = await auditRows({ action: "vehicle.created", entityId: vehicle.id });
    expect(audited[0]).toMatchObject({ tenantId: t.tenant.id, actorType: "provider" });
  });
});

describe("account managers and staff", () => {
  it("employees.list lists active staff with their roles", async () => {
    const staff = await analyst.api.provider.employees.list();
    const byUser = new Map(staff.map((e) => [e.userId, e]));
    expect(byUser.get(world.users.providerAdmin.id)).toMatchObject({ role: "admin" });
    expect(byUser.get(world.users.providerAnalyst.id)).toMatchObject({ role: "analyst" });
    expect(byUser.get(accountManager.user.id)).toMatchObject({ role: "account_manager" });
    expect(byUser.has(world.users.ownerA.id)).toBe(false);
  });

  it("assign and end show up in get() and the list's current account managers", async () => {
    const t = await createTenantWithMembers("Managed", ["owner"] as const);
    const employee = (await admin.api.provider.employees.list()).find((e) => e.userId === accountManager.user.id);
    if (!employee) throw new Error("account manager missing from the staff list");
    const today = new Date();
    const assign = (client: TestClient, role: "owner" | "coordinator") =>
      client.api.provider.accountManagers.assign({
        tenantId: t.tenant.id,
        employeeId: employee.id,
        role,
        startDate: today,
      });
    expect(await assign(accountManager.client, "coordinator")).toEqual({ ok: true });
    expect(await trpcCode(assign(admin, "coordinator"))).toBe("CONFLICT");
    expect(await trpcCode(assign(analyst, "owner"))).toBe("FORBIDDEN");

    const detail = await admin.api.provider.tenants.get({ tenantId: t.tenant.id });
    expect(detail.accountManagers).toEqual([
      expect.objectContaining({ employeeId: employee.id, role: "coordinator", current: true, endDate: null }),
    ]);
    const listed = (await admin.api.provider.tenants.list({ search: t.tenant.slug })).find((x) => x.id === t.tenant.id);
    expect(listed?.accountManagers).toEqual([{ name: employee.name, role: "coordinator" }]);

    const assignmentId = detail.accountManagers[0]?.id as string;
    const yesterday = new Date(today.getTime() - 2 * DAY_MS);
    expect(await trpcCode(admin.api.provider.accountManagers.end({ assignmentId, endDate: yesterday }))).toBe(
      "BAD_REQUEST",
    );
    expect(await admin.api.provider.accountManagers.end({ assignmentId, endDate: today })).toEqual({ ok: true });
    const after = await admin.api.provider.tenants.get({ tenantId: t.tenant.id });
    expect(after.accountManagers).toEqual([
      expect.objectContaining({ id: assignmentId, current: false, endDate: expect.any(Date) }),
    ]);
    const listedAfter = (await admin.api.provider.tenants.list({ search: t.tenant.slug })).find(
      (x) => x.id === t.tenant.id,
    );
    expect(listedAfter?.accountManagers).toEqual([]);
    expect(await auditRows({ action: "account_manager.assigned", tenantId: t.tenant.id })).toHaveLength(1);
    expect(await auditRows({ action: "account_manager.ended", tenantId: t.tenant.id })).toHaveLength(1);
  });
});

describe("provider.audit.list", () => {
  it("sees entries across tenants and filters by tenantId", async () => {
    const ownerA = await signIn(world.users.ownerA.email);
    const ownerB = await signIn(world.users.ownerB.email);
    const va = await ownerA.api.vehicle.create({ name: "cross A" });
    const vb = await ownerB.api.vehicle.create({ name: "cross B" });

    const all = await admin.api.provider.audit.list({ action: "vehicle.created", limit: 200 });
    const ids = all.entries.map((e) => e.entityId);
    expect(ids).toEqual(expect.arrayContaining([va.id, vb.id]));
    expect(all.entries.find((e) => e.entityId === vb.id)).toMatchObject({
      tenantId: world.b.tenant.id,
      tenantName: world.b.tenant.name,
    });

    const onlyB = await admin.api.provider.audit.list({ tenantId: world.b.tenant.id, limit: 200 });
    expect(onlyB.entries.length).toBeGreaterThan(0);
    expect(onlyB.entries.every((e) => e.tenantId === world.b.tenant.id)).toBe(true);
    expect(onlyB.entries.map((e) => e.entityId)).toContain(vb.id);
    expect(onlyB.entries.map((e) => e.entityId)).not.toContain(va.id);

    // Platform-level entries (no tenant) are visible to staff too.
    const failed = await admin.api.provider.audit.list({ action: "auth.login", limit: 5 });
    expect(failed.entries.length).toBeGreaterThan(0);
  });

  it("is open to account managers but FORBIDDEN to analysts", async () => {
    expect(await trpcCode(accountManager.client.api.provider.audit.list({}))).toBe("OK");
    expect(await trpcCode(analyst.api.provider.audit.list({}))).toBe("FORBIDDEN");
  });
});
