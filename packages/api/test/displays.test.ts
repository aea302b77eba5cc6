/**
 * Wall displays: a token created by a tenant admin is exchanged for a read-only display session of
 * that tenant; revoking or expiring the token ends it; only displays:write may create tokens.
 */
import { hashToken, openDisplaySession, validateSessionToken } from "@fleetcore/core";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditRows,
  clientFor,
  createTenantWithMembers,
  createWorld,
  DAY_MS,
  sessionRowOf,
  signIn,
  type TestClient,
  trpcCode,
  trpcError,
  type World,
} from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
let adminA: TestClient;
beforeAll(async () => {
  world = await createWorld();
  adminA = await signIn(world.users.adminA.email);
});

describe("display tokens and display sessions", () => {
  it("an admin creates a token: returned once with its /display/<token> path, stored hashed", async () => {
    const created = await adminA.api.display.create({ name: "Ops room north" });
    expect(created.token).toMatch(/^[a-z2-7]{32}$/);
    expect(created.path).toBe(`/display/${created.token}`);
    expect(created.display).toMatchObject({
      name: "Ops room north",
      expiresAt: null,
      revokedAt: null,
      createdBy: world.users.adminA.email,
      activeSessions: 0,
    });
    const row = await testOwnerPrisma().displayToken.findUniqueOrThrow({ where: { id: created.display.id } });
    expect(row).toMatchObject({ tenantId: world.a.tenant.id, tokenHash: hashToken(created.token) });
    expect(row.tokenHash).not.toBe(created.token);
    const listed = await adminA.api.display.list();
    expect(listed.map((d) => d.id)).toContain(created.display.id);
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect(await auditRows({ action: "display_token.created", entityId: created.display.id })).toHaveLength(1);
  });

  it("the token opens a read-only display session of A: fleet queries work, mutations and member data do not", async () => {
    const { token, display } = await adminA.api.display.create({ name: "Lobby" });
    const opened = await openDisplaySession(testPrisma(), token, { ipAddress: "203.0.113.9", userAgent: "wall" });
    expect(opened.tenantId).toBe(world.a.tenant.id);
    expect(opened.token).not.toBe(token);
    const row = await sessionRowOf(opened.token);
    expect(row).toMatchObject({ userId: null, displayTokenId: display.id, activeTenantId: world.a.tenant.id });

    const wall = await clientFor(opened.token);
    const me = await wall.api.auth.me();
    expect(me).toMatchObject({
      kind: "display",
      user: null,
      display: { id: display.id, name: "Lobby" },
      activeTenant: { id: world.a.tenant.id, access: "display", roles: ["display"] },
      memberships: [],
    });
    expect((await wall.api.vehicle.list({})).map((v) => v.id)).toEqual([world.a.vehicle.id]);
    expect(await wall.api.vehicle.positions({ vehicleId: world.a.vehicle.id })).toHaveLength(3);
    expect(await trpcCode(wall.api.vehicle.get({ vehicleId: world.b.vehicle.id }))).toBe("NOT_FOUND");

    const mutation = await trpcError(wall.api.vehicle.create({ name: "From the wall" }));
    expect(mutation.code).toBe("FORBIDDEN");
    expect(mutation.message).toMatch(/read-only/);
    expect(await trpcCode(wall.api.member.list())).toBe("FORBIDDEN");
    expect(await trpcCode(wall.api.audit.list({}))).toBe("FORBIDDEN");
    expect(await trpcCode(wall.api.display.list())).toBe("FORBIDDEN");
    // Person-only procedures are closed to displays.
    expect(await trpcCode(wall.api.auth.sessions())).toBe("UNAUTHORIZED");
    expect(await trpcCode(wall.api.auth.switchTenant({ tenantId: world.b.tenant.id }))).toBe("UNAUTHORIZED");
    expect(await trpcCode(wall.api.provider.tenants.list({}))).toBe("UNAUTHORIZED");

    expect((await adminA.api.display.list()).find((d) => d.id === display.id)).toMatchObject({ activeSessions: 1 });
    const openedAudit = await auditRows({ action: "display_token.session_opened", entityId: display.id });
    expect(openedAudit).toHaveLength(1);
    expect(openedAudit[0]).toMatchObject({ tenantId: world.a.tenant.id, actorType: "display", userAgent: "wall" });
  });

  it("the raw display token is not itself a session cookie", async () => {
    const { token } = await adminA.api.display.create({ name: "Not a cookie" });
    expect(await validateSessionToken(testPrisma(), token)).toBeNull();
    expect((await (await clientFor(token)).api.auth.me()).kind).toBe("anonymous");
  });

  it("revoking a token ends its display sessions and it can no longer open new ones", async () => {
    const { token, display } = await adminA.api.display.create({ name: "To revoke" });
    const first = await openDisplaySession(testPrisma(), token, {});
    const second = await openDisplaySession(testPrisma(), token, {});
    expect(await adminA.api.display.revoke({ displayTokenId: display.id })).toEqual({ ok: true });

    expect(await sessionRowOf(first.token)).toBeNull();
    expect(await sessionRowOf(second.token)).toBeNull();
    expect(await validateSessionToken(testPrisma(), first.token)).toBeNull();
    expect((await (await clientFor(first.token)).api.auth.me()).kind).toBe("anonymous");
    await expect(openDisplaySession(testPrisma(), token, {})).rejects.toThrow(/not valid/);

    const listed = (await adminA.api.display.list()).find((d) => d.id === display.id);
    expect(listed?.revokedAt).not.toBeNull();
    expect(listed?.activeSessions).toBe(0);
    expect(await trpcCode(adminA.api.display.revoke({ displayTokenId: display.id }))).toBe("NOT_FOUND");
    const revoked = await auditRows({ action: "display_token.revoked", entityId: display.id });
    expect(revoked).toHaveLength(1);
    expect(revoked[0]?.metadata).toMatchObject({ sessionsEnded: 2 });
  });

  it("an expired token cannot open sessions, and its existing sessions stop validating", async () => {
    const { token, display } = await adminA.api.display.create({ name: "Expiring" });
    const opened = await openDisplaySession(testPrisma(), token, {});
    await testOwnerPrisma().displayToken.update({
      where: { id: display.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await expect(openDisplaySession(testPrisma(), token, {})).rejects.toThrow(/not valid/);
    expect(await validateSessionToken(testPrisma(), opened.token)).toBeNull();
    expect(await sessionRowOf(opened.token)).toBeNull();
  });

  it("a display session never outlives its token's expiry", async () => {
    const expiresAt = new Date(Date.now() + 2 * DAY_MS);
    const { token } = await adminA.api.display.create({ name: "Two days", expiresAt });
    const opened = await openDisplaySession(testPrisma(), token, {});
    expect(opened.expiresAt.getTime()).toBe(expiresAt.getTime());
    expect((await sessionRowOf(opened.token))?.expiresAt.getTime()).toBe(expiresAt.getTime());
  });

  it("display.create with an expiry in the past is BAD_REQUEST", async () => {
    expect(
      await trpcCode(adminA.api.display.create({ name: "Too late", expiresAt: new Date(Date.now() - 60_000) })),
    ).toBe("BAD_REQUEST");
  });

  it("dispatchers and viewers cannot create (or list) display tokens: FORBIDDEN", async () => {
    const dispatcher = await signIn(world.users.dispatcherA.email);
    const viewer = await signIn(world.users.viewerA.email);
    expect(await trpcCode(dispatcher.api.display.create({ name: "Nope" }))).toBe("FORBIDDEN");
    expect(await trpcCode(viewer.api.display.create({ name: "Nope" }))).toBe("FORBIDDEN");
    expect(await trpcCode(dispatcher.api.display.list())).toBe("FORBIDDEN");
  });

  it("an owner may create and revoke; another tenant's admin cannot revoke A's token", async () => {
    const owner = await signIn(world.users.ownerA.email);
    const { display } = await owner.api.display.create({ name: "Owner's wall" });
    const ownerB = await signIn(world.users.ownerB.email);
    expect(await trpcCode(ownerB.api.display.revoke({ displayTokenId: display.id }))).toBe("NOT_FOUND");
    expect(await owner.api.display.revoke({ displayTokenId: display.id })).toEqual({ ok: true });
  });

  it("suspending the tenant ends its display sessions and stops new ones", async () => {
    const t = await createTenantWithMembers("WallSuspend", ["admin"] as const);
    const admin = await signIn(t.users.admin.email);
    const { token } = await admin.api.display.create({ name: "Suspended wall" });
    const opened = await openDisplaySession(testPrisma(), token, {});
    const staff = await signIn(world.users.providerAdmin.email);
    await staff.api.provider.tenants.changeStatus({ tenantId: t.tenant.id, status: "suspended", reason: "test" });
    expect(await sessionRowOf(opened.token)).toBeNull();
    await expect(openDisplaySession(testPrisma(), token, {})).rejects.toThrow(/not valid/);
  });
});
