/**
 * Tenant isolation, the key proof: a signed-in user of tenant A who crafts ids of tenant B's rows
 * gets NOT_FOUND from every procedure, and the same rows are invisible to raw SQL run under A's
 * row-level-security settings (and B's tenant id cannot be written there). A's own rows are visible
 * under the same settings, so none of this passes vacuously.
 */
import { generateToken, hashToken } from "@fleetcore/core";
import { disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, signIn, systemRoleId, type TestClient, trpcCode, type World } from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
/** Ids of B's rows (created as the owner) that A's admin will try to reach. */
let b: {
  sessionId: string;
  displayTokenId: string;
  invitationId: string;
  auditLogId: string;
};
/** The same kinds of rows in A, for the sanity checks. */
let a: { sessionId: string; displayTokenId: string; invitationId: string };
let adminA: TestClient;

beforeAll(async () => {
  world = await createWorld();
  const owner = testOwnerPrisma();
  const viewerRole = await systemRoleId("viewer");
  const rowsFor = async (tenantId: string, createdBy: string, tag: string) => {
    const display = await owner.displayToken.create({
      data: { tenantId, name: `Wall ${tag}`, tokenHash: hashToken(generateToken()), createdByUserId: createdBy },
    });
    const invitation = await owner.invitation.create({
      data: {
        tenantId,
        email: `invitee.${tag}.${world.tag}@example.com`,
        roleId: viewerRole,
        tokenHash: hashToken(generateToken()),
        expiresAt: new Date(Date.now() + 86_400_000),
        invitedByUserId: createdBy,
      },
    });
    return { displayTokenId: display.id, invitationId: invitation.id };
  };
  const ownerB = await signIn(world.users.ownerB.email);
  const bRows = await rowsFor(world.b.tenant.id, world.users.ownerB.id, "b");
  const audit = await owner.auditLog.create({
    data: { tenantId: world.b.tenant.id, actorType: "user", entityType: "test", action: "test.b_only" },
  });
  b = { sessionId: hashToken(ownerB.token as string), ...bRows, auditLogId: audit.id };

  adminA = await signIn(world.users.adminA.email);
  const aRows = await rowsFor(world.a.tenant.id, world.users.ownerA.id, "a");
  await owner.auditLog.create({
    data: { tenantId: world.a.tenant.id, actorType: "user", entityType: "test", action: "test.a_only" },
  });
  a = { sessionId: hashToken(adminA.token as string), ...aRows };
});

describe("procedures: A's admin with B's ids gets NOT_FOUND", () => {
  it("vehicle.get with B's vehicle id", async () => {
    expect(await trpcCode(adminA.api.vehicle.get({ vehicleId: world.b.vehicle.id }))).toBe("NOT_FOUND");
  });

  it("vehicle.positions with B's vehicle id", async () => {
    expect(await trpcCode(adminA.api.vehicle.positions({ vehicleId: world.b.vehicle.id }))).toBe("NOT_FOUND");
  });

  it("member.changeRole with B's member id", async () => {
    const memberId = world.users.ownerB.memberId as string;
    const roleId = await systemRoleId("viewer");
    expect(await trpcCode(adminA.api.member.changeRole({ memberId, roleId }))).toBe("NOT_FOUND");
    const roles = await testOwnerPrisma().memberRole.findMany({ where: { memberId }, include: { role: true } });
    expect(roles.map((r) => r.role.name)).toEqual(["owner"]);
  });

  it("member.remove with B's member id", async () => {
    const memberId = world.users.ownerB.memberId as string;
    expect(await trpcCode(adminA.api.member.remove({ memberId }))).toBe("NOT_FOUND");
    const member = await testOwnerPrisma().member.findUniqueOrThrow({ where: { id: memberId } });
    expect(member).toMatchObject({ status: "active", deletedAt: null });
  });

  it("auth.revokeSession with B's user's session id", async () => {
    expect(await trpcCode(adminA.api.auth.revokeSession({ sessionId: b.sessionId }))).toBe("NOT_FOUND");
    expect(await testOwnerPrisma().session.findUnique({ where: { id: b.sessionId } })).not.toBeNull();
  });

  it("display.revoke with B's display token id", async () => {
    expect(await trpcCode(adminA.api.display.revoke({ displayTokenId: b.displayTokenId }))).toBe("NOT_FOUND");
    const token = await testOwnerPrisma().displayToken.findUniqueOrThrow({ where: { id: b.displayTokenId } });
    expect(token.revokedAt).toBeNull();
  });

  it("member.revokeInvitation with B's invitation id", async () => {
    expect(await trpcCode(adminA.api.member.revokeInvitation({ invitationId: b.invitationId }))).toBe("NOT_FOUND");
    const invitation = await testOwnerPrisma().invitation.findUniqueOrThrow({ where: { id: b.invitationId } });
    expect(invitation.status).toBe("pending");
  });

  it("lists never include B's rows", async () => {
    expect((await adminA.api.vehicle.list({})).map((v) => v.id)).toEqual(
      expect.not.arrayContaining([world.b.vehicle.id]),
    );
    expect((await adminA.api.member.list()).map((m) => m.id)).not.toContain(world.users.ownerB.memberId);
    expect((await adminA.api.member.invitations()).map((i) => i.id)).not.toContain(b.invitationId);
    expect((await adminA.api.display.list()).map((d) => d.id)).not.toContain(b.displayTokenId);
    expect((await adminA.api.auth.sessions()).map((s) => s.id)).not.toContain(b.sessionId);
  });
});

describe("raw SQL under A's row-level-security settings", () => {
  const asA = <T>(fn: Parameters<typeof withScope<T>>[2]) =>
    withScope(testPrisma(), { kind: "tenant", tenantId: world.a.tenant.id, userId: world.users.adminA.id }, fn);

  it("flt_vehicles: B's vehicle is invisible, A's is visible", async () => {
    expect(await asA((db) => db.$queryRaw`SELECT id FROM flt_vehicles WHERE id = ${world.b.vehicle.id}::uuid`)).toEqual(
      [],
    );
    expect(await asA((db) => db.$queryRaw`SELECT id FROM flt_vehicles WHERE id = ${world.a.vehicle.id}::uuid`)).toEqual(
      [{ id: world.a.vehicle.id }],
    );
  });

  it("adm_sessions: B's user's session is invisible, A's user's own is visible", async () => {
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_sessions WHERE id = ${b.sessionId}`)).toEqual([]);
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_sessions WHERE id = ${a.sessionId}`)).toEqual([
      { id: a.sessionId },
    ]);
  });

  it("adm_members: B's member is invisible, A's are visible", async () => {
    const bMember = world.users.ownerB.memberId as string;
    const aMember = world.users.ownerA.memberId as string;
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_members WHERE id = ${bMember}::uuid`)).toEqual([]);
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_members WHERE id = ${aMember}::uuid`)).toEqual([
      { id: aMember },
    ]);
  });

  it("tel_positions: B's device's positions are invisible, A's are visible", async () => {
    const count = (deviceId: string) =>
      asA(
        (db) =>
          db.$queryRaw<
            { n: number }[]
          >`SELECT count(*)::int AS n FROM tel_positions WHERE device_id = ${deviceId}::uuid`,
      );
    expect(
      await asA((db) => db.$queryRaw`SELECT time FROM tel_positions WHERE device_id = ${world.b.device.id}::uuid`),
    ).toEqual([]);
    expect(await count(world.a.device.id)).toEqual([{ n: 3 }]);
  });

  it("adm_users: B's owner is invisible, A's members are visible", async () => {
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_users WHERE id = ${world.users.ownerB.id}::uuid`)).toEqual(
      [],
    );
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_users WHERE id = ${world.users.ownerA.id}::uuid`)).toEqual(
      [{ id: world.users.ownerA.id }],
    );
  });

  it("adm_audit_logs: no row of B, A's rows are visible", async () => {
    expect(
      await asA((db) => db.$queryRaw`SELECT id FROM adm_audit_logs WHERE tenant_id = ${world.b.tenant.id}::uuid`),
    ).toEqual([]);
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_audit_logs WHERE id = ${b.auditLogId}::uuid`)).toEqual([]);
    const own = await asA(
      (db) =>
        db.$queryRaw<
          { action: string }[]
        >`SELECT action FROM adm_audit_logs WHERE tenant_id = ${world.a.tenant.id}::uuid`,
    );
    expect(own.map((r) => r.action)).toContain("test.a_only");
  });

  it("adm_display_tokens and adm_invitations: B's are invisible, A's are visible", async () => {
    expect(
      await asA((db) => db.$queryRaw`SELECT id FROM adm_display_tokens WHERE id = ${b.displayTokenId}::uuid`),
    ).toEqual([]);
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_invitations WHERE id = ${b.invitationId}::uuid`)).toEqual(
      [],
    );
    expect(
      await asA((db) => db.$queryRaw`SELECT id FROM adm_display_tokens WHERE id = ${a.displayTokenId}::uuid`),
    ).toEqual([{ id: a.displayTokenId }]);
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_invitations WHERE id = ${a.invitationId}::uuid`)).toEqual([
      { id: a.invitationId },
    ]);
  });

  it("adm_tenants: B is invisible to A's scope", async () => {
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_tenants WHERE id = ${world.b.tenant.id}::uuid`)).toEqual(
      [],
    );
    expect(await asA((db) => db.$queryRaw`SELECT id FROM adm_tenants WHERE id = ${world.a.tenant.id}::uuid`)).toEqual([
      { id: world.a.tenant.id },
    ]);
  });

  it("inserting a vehicle with B's tenant_id under A's setting fails with a row-level security error", async () => {
    await expect(
      asA(
        (db) =>
          db.$executeRaw`INSERT INTO flt_vehicles (tenant_id, name) VALUES (${world.b.tenant.id}::uuid, 'smuggled')`,
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asA((db) => db.vehicle.create({ data: { tenantId: world.b.tenant.id, name: "smuggled via prisma" } })),
    ).rejects.toThrow(/row-level security/);
    expect(await testOwnerPrisma().vehicle.count({ where: { name: { startsWith: "smuggled" } } })).toBe(0);
    // The same insert for A's own tenant works (rolled back by throwing afterwards).
    await expect(
      asA(async (db) => {
        await db.$executeRaw`INSERT INTO flt_vehicles (tenant_id, name) VALUES (${world.a.tenant.id}::uuid, 'own')`;
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
  });

  it("moving A's vehicle into B (UPDATE tenant_id) is rejected", async () => {
    await expect(
      asA(
        (db) =>
          db.$executeRaw`UPDATE flt_vehicles SET tenant_id = ${world.b.tenant.id}::uuid WHERE id = ${world.a.vehicle.id}::uuid`,
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("without any scope, the application role sees nothing", async () => {
    const rows = await testPrisma().$queryRaw`SELECT id FROM flt_vehicles WHERE id = ${world.a.vehicle.id}::uuid`;
    expect(rows).toEqual([]);
  });
});
