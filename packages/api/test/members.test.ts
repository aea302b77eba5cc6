/**
 * Members, roles and invitations through the real API: inviting (email outbox, hashed tokens),
 * previewing and accepting (new and existing accounts), declining, revoking and expiry, who may
 * invite whom, the last-owner rule, session ends on role change and removal, the audit trail of
 * every mutation, and the tenant's audit log (audit.list).
 */
import { hashToken } from "@fleetcore/core";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditRows,
  clientFor,
  createInvitation,
  createTenantWithMembers,
  createUser,
  createWorld,
  lastEmailTo,
  PASSWORD,
  sessionRowOf,
  signIn,
  systemRoleId,
  type TestClient,
  tokenFrom,
  trpcCode,
  trpcError,
  uniqueEmail,
  type World,
} from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
let roles: Record<"owner" | "admin" | "dispatcher" | "viewer", string>;
let ownerA: TestClient;
beforeAll(async () => {
  world = await createWorld();
  roles = {
    owner: await systemRoleId("owner"),
    admin: await systemRoleId("admin"),
    dispatcher: await systemRoleId("dispatcher"),
    viewer: await systemRoleId("viewer"),
  };
  ownerA = await signIn(world.users.ownerA.email);
});

const INVITE = /\/invite\/([a-z2-7]+)/;
const NEW_PASSWORD = "invitee passphrase 2026";

/** Invites `email` into A as `role` (as A's owner) and returns the emailed token. */
async function inviteToA(email: string, role: keyof typeof roles, by: TestClient = ownerA) {
  const invitation = await by.api.member.invite({ email, roleId: roles[role] });
  const mail = await lastEmailTo(email);
  return { invitation, token: tokenFrom(mail?.textBody ?? "", INVITE), mail };
}

/** A pending invitation into A made as the DB owner (independent of member.invite). */
const fixtureInviteToA = (email: string, role: keyof typeof roles = "viewer") =>
  createInvitation({ tenantId: world.a.tenant.id, email, role, invitedByUserId: world.users.ownerA.id });

describe("invitations: new accounts", () => {
  it("owner invites; the invitee previews, accepts with a name and password, and is signed in to A", async () => {
    const email = uniqueEmail("newcomer");
    const { invitation, token, mail } = await inviteToA(email, "dispatcher");
    expect(invitation).toMatchObject({
      email,
      role: { id: roles.dispatcher, name: "dispatcher" },
      status: "pending",
      expired: false,
      invitedBy: world.users.ownerA.email,
    });
    expect(mail).toMatchObject({ template: "invitation", tenantId: world.a.tenant.id });
    expect(mail?.textBody).toContain(`https://fleet.test/invite/${token}`);

    const stored = await testOwnerPrisma().invitation.findUniqueOrThrow({ where: { id: invitation.id } });
    expect(stored.tokenHash).toBe(hashToken(token));
    expect(stored.tokenHash).not.toBe(token);

    const anonymous = await clientFor(null);
    expect(await anonymous.api.invitation.preview({ token })).toMatchObject({
      tenantName: world.a.tenant.name,
      email,
      roleName: "dispatcher",
      status: "pending",
      expired: false,
      accountExists: false,
    });

    const me = await anonymous.api.invitation.accept({ token, fullName: "New Comer", password: NEW_PASSWORD });
    expect(me).toMatchObject({
      kind: "user",
      user: { email, fullName: "New Comer" },
      activeTenant: { id: world.a.tenant.id, access: "member", roles: ["dispatcher"] },
    });
    expect(anonymous.cookies.token).toMatch(/^[a-z2-7]{32}$/);
    const session = await clientFor(anonymous.cookies.token);
    expect((await session.api.auth.me()).activeTenant?.id).toBe(world.a.tenant.id);
    expect(await trpcCode(session.api.vehicle.list({}))).toBe("OK");

    const members = await ownerA.api.member.list();
    expect(members.find((m) => m.email === email)).toMatchObject({
      status: "active",
      roles: [{ id: roles.dispatcher, name: "dispatcher" }],
    });
    expect((await ownerA.api.member.invitations()).map((i) => i.id)).not.toContain(invitation.id);
    // The new account signs in with the chosen password.
    expect(await trpcCode((await clientFor(null)).api.auth.login({ email, password: NEW_PASSWORD }))).toBe("OK");

    // A second accept of the same link is refused.
    expect(
      await trpcCode(
        (await clientFor(null)).api.invitation.accept({ token, fullName: "Again", password: NEW_PASSWORD }),
      ),
    ).toBe("BAD_REQUEST");
    expect(await auditRows({ action: "invitation.accepted", tenantId: world.a.tenant.id })).toEqual(
      expect.arrayContaining([expect.objectContaining({ actorEmail: email })]),
    );
  });

  it("invitation.accept (of a stored invitation) creates the account and member with the role and signs in to A", async () => {
    const email = uniqueEmail("accepter");
    const { id, token } = await fixtureInviteToA(email, "dispatcher");
    const anonymous = await clientFor(null);
    expect((await anonymous.api.invitation.preview({ token })).accountExists).toBe(false);
    const me = await anonymous.api.invitation.accept({ token, fullName: "Ac Cepter", password: NEW_PASSWORD });
    expect(me.activeTenant).toMatchObject({ id: world.a.tenant.id, roles: ["dispatcher"] });
    const session = await clientFor(anonymous.cookies.token);
    expect((await session.api.auth.me()).user?.email).toBe(email);
    expect((await ownerA.api.member.list()).find((m) => m.email === email)?.roles.map((r) => r.name)).toEqual([
      "dispatcher",
    ]);
    const row = await testOwnerPrisma().invitation.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "accepted", tokenHash: hashToken(token) });
    expect(
      await trpcCode((await clientFor(null)).api.invitation.accept({ token, fullName: "X", password: NEW_PASSWORD })),
    ).toBe("BAD_REQUEST");
  });

  it("accepting as a new account without a name or password is BAD_REQUEST", async () => {
    const { token } = await fixtureInviteToA(uniqueEmail("no-fields"));
    expect(await trpcCode((await clientFor(null)).api.invitation.accept({ token }))).toBe("BAD_REQUEST");
  });

  it("an unknown invitation token is NOT_FOUND for preview and accept", async () => {
    const anonymous = await clientFor(null);
    const token = "abcdefghijklmnopqrstuvwxyz234567";
    expect(await trpcCode(anonymous.api.invitation.preview({ token }))).toBe("NOT_FOUND");
    expect(await trpcCode(anonymous.api.invitation.accept({ token, fullName: "X", password: NEW_PASSWORD }))).toBe(
      "NOT_FOUND",
    );
  });
});

describe("invitations: existing accounts", () => {
  it("must be accepted signed in as the invitee: anonymous → UNAUTHORIZED, someone else → FORBIDDEN, invitee → OK", async () => {
    const existing = await createUser(uniqueEmail("existing"), { tenantId: world.b.tenant.id, role: "viewer" });
    const { token } = await fixtureInviteToA(existing.email, "viewer");
    expect((await (await clientFor(null)).api.invitation.preview({ token })).accountExists).toBe(true);

    expect(await trpcCode((await clientFor(null)).api.invitation.accept({ token }))).toBe("UNAUTHORIZED");
    const someoneElse = await signIn(world.users.dispatcherA.email);
    expect(await trpcCode(someoneElse.api.invitation.accept({ token }))).toBe("FORBIDDEN");

    const invitee = await signIn(existing.email);
    expect((await invitee.api.auth.me()).memberships.map((m) => m.tenantId)).toEqual([world.b.tenant.id]);
    const me = await invitee.api.invitation.accept({ token });
    expect(me.activeTenant).toMatchObject({ id: world.a.tenant.id, roles: ["viewer"] });
    expect(me.memberships.map((m) => m.tenantId).sort()).toEqual([world.a.tenant.id, world.b.tenant.id].sort());
    // Their password is unchanged.
    expect(await trpcCode((await clientFor(null)).api.auth.login({ email: existing.email, password: PASSWORD }))).toBe(
      "OK",
    );
  });
});

describe("invitations: decline, revoke, expiry", () => {
  it("a declined invitation can no longer be accepted", async () => {
    const email = uniqueEmail("decliner");
    const { id: invitationId, token } = await fixtureInviteToA(email);
    const anonymous = await clientFor(null);
    expect(await anonymous.api.invitation.decline({ token })).toEqual({ ok: true });
    expect((await anonymous.api.invitation.preview({ token })).status).toBe("declined");
    expect(await trpcCode(anonymous.api.invitation.accept({ token, fullName: "D", password: NEW_PASSWORD }))).toBe(
      "BAD_REQUEST",
    );
    expect(await trpcCode(anonymous.api.invitation.decline({ token }))).toBe("BAD_REQUEST");
    expect(await auditRows({ action: "invitation.declined", entityId: invitationId })).toHaveLength(1);
    expect(await testOwnerPrisma().user.findUnique({ where: { email } })).toBeNull();
  });

  it("a revoked invitation can no longer be accepted, and revoking twice is NOT_FOUND", async () => {
    const { id: invitationId, token } = await fixtureInviteToA(uniqueEmail("revoked"));
    expect((await ownerA.api.member.invitations()).map((i) => i.id)).toContain(invitationId);
    expect(await ownerA.api.member.revokeInvitation({ invitationId })).toEqual({ ok: true });
    expect((await ownerA.api.member.invitations()).map((i) => i.id)).not.toContain(invitationId);
    expect(
      await trpcCode((await clientFor(null)).api.invitation.accept({ token, fullName: "R", password: NEW_PASSWORD })),
    ).toBe("BAD_REQUEST");
    expect(await trpcCode(ownerA.api.member.revokeInvitation({ invitationId }))).toBe("NOT_FOUND");
    expect(await auditRows({ action: "invitation.revoked", entityId: invitationId })).toHaveLength(1);
  });

  it("re-inviting the same email revokes the earlier pending invitation", async () => {
    const email = uniqueEmail("twice");
    const first = await inviteToA(email, "viewer");
    const second = await inviteToA(email, "dispatcher");
    expect(first.token).not.toBe(second.token);
    const pending = (await ownerA.api.member.invitations()).filter((i) => i.email === email);
    expect(pending.map((i) => i.id)).toEqual([second.invitation.id]);
    expect(
      await trpcCode(
        (await clientFor(null)).api.invitation.accept({ token: first.token, fullName: "T", password: NEW_PASSWORD }),
      ),
    ).toBe("BAD_REQUEST");
  });

  it("an expired invitation is BAD_REQUEST and previews as expired", async () => {
    const { id: invitationId, token } = await fixtureInviteToA(uniqueEmail("late"));
    await testOwnerPrisma().invitation.update({
      where: { id: invitationId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const anonymous = await clientFor(null);
    expect((await anonymous.api.invitation.preview({ token })).expired).toBe(true);
    expect(await trpcCode(anonymous.api.invitation.accept({ token, fullName: "L", password: NEW_PASSWORD }))).toBe(
      "BAD_REQUEST",
    );
    expect((await ownerA.api.member.invitations()).find((i) => i.id === invitationId)?.expired).toBe(true);
  });

  it("inviting someone who is already an active member is CONFLICT", async () => {
    expect(await trpcCode(ownerA.api.member.invite({ email: world.users.viewerA.email, roleId: roles.viewer }))).toBe(
      "CONFLICT",
    );
  });
});

describe("who may invite whom", () => {
  it("dispatchers and viewers cannot invite (FORBIDDEN)", async () => {
    const dispatcher = await signIn(world.users.dispatcherA.email);
    const viewer = await signIn(world.users.viewerA.email);
    expect(await trpcCode(dispatcher.api.member.invite({ email: uniqueEmail("x"), roleId: roles.viewer }))).toBe(
      "FORBIDDEN",
    );
    expect(await trpcCode(viewer.api.member.invite({ email: uniqueEmail("x"), roleId: roles.viewer }))).toBe(
      "FORBIDDEN",
    );
    expect(await trpcCode(dispatcher.api.member.list())).toBe("FORBIDDEN");
  });

  it("an admin cannot invite an owner (FORBIDDEN) but can invite a dispatcher", async () => {
    const admin = await signIn(world.users.adminA.email);
    const email = uniqueEmail("by-admin");
    expect(await trpcCode(admin.api.member.invite({ email, roleId: roles.owner }))).toBe("FORBIDDEN");
    expect(await lastEmailTo(email)).toBeNull();
    const { invitation } = await inviteToA(email, "dispatcher", admin);
    expect(invitation).toMatchObject({ status: "pending", invitedBy: world.users.adminA.email });
  });

  it("an admin cannot change an owner's role or promote anyone to owner (FORBIDDEN)", async () => {
    const t = await createTenantWithMembers("AdminLimits", ["owner", "admin", "viewer"] as const);
    const admin = await signIn(t.users.admin.email);
    expect(
      await trpcCode(admin.api.member.changeRole({ memberId: t.users.owner.memberId as string, roleId: roles.viewer })),
    ).toBe("FORBIDDEN");
    expect(
      await trpcCode(admin.api.member.changeRole({ memberId: t.users.viewer.memberId as string, roleId: roles.owner })),
    ).toBe("FORBIDDEN");
    expect(await trpcCode(admin.api.member.remove({ memberId: t.users.owner.memberId as string }))).toBe("FORBIDDEN");
  });
});

describe("the last owner", () => {
  it("cannot remove or demote themselves; after promoting another owner they can", async () => {
    const t = await createTenantWithMembers("LastOwner", ["owner", "admin"] as const);
    const owner = await signIn(t.users.owner.email);
    const ownerMember = t.users.owner.memberId as string;
    const adminMember = t.users.admin.memberId as string;

    expect(await trpcCode(owner.api.member.remove({ memberId: ownerMember }))).toBe("BAD_REQUEST");
    expect(await trpcCode(owner.api.member.changeRole({ memberId: ownerMember, roleId: roles.admin }))).toBe(
      "BAD_REQUEST",
    );

    await owner.api.member.changeRole({ memberId: adminMember, roleId: roles.owner });
    const after = await owner.api.member.changeRole({ memberId: ownerMember, roleId: roles.admin });
    expect(after.roles.map((r) => r.name)).toEqual(["admin"]);
    const members = await testOwnerPrisma().memberRole.findMany({
      where: { tenantId: t.tenant.id },
      include: { role: true },
    });
    expect(Object.fromEntries(members.map((m) => [m.memberId, m.role.name]))).toEqual({
      [ownerMember]: "admin",
      [adminMember]: "owner",
    });
  });

  it("a refused (rolled back) mutation leaves no audit row", async () => {
    const t = await createTenantWithMembers("NoAudit", ["owner"] as const);
    const owner = await signIn(t.users.owner.email);
    const memberId = t.users.owner.memberId as string;
    const before = await auditRows({ tenantId: t.tenant.id });
    const err = await trpcError(owner.api.member.changeRole({ memberId, roleId: roles.viewer }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(await trpcCode(owner.api.member.remove({ memberId }))).toBe("BAD_REQUEST");
    expect(await auditRows({ tenantId: t.tenant.id })).toEqual(before);
    expect(await auditRows({ entityId: memberId })).toEqual([]);
  });
});

describe("role changes and removal end the member's sessions", () => {
  it("a role change deletes the member's sessions in that tenant: their next request is anonymous", async () => {
    const t = await createTenantWithMembers("RoleEnds", ["owner", "viewer"] as const);
    const owner = await signIn(t.users.owner.email);
    const viewer = await signIn(t.users.viewer.email);
    expect(await sessionRowOf(viewer.token as string)).not.toBeNull();

    await owner.api.member.changeRole({ memberId: t.users.viewer.memberId as string, roleId: roles.dispatcher });

    expect(await sessionRowOf(viewer.token as string)).toBeNull();
    const next = await clientFor(viewer.token);
    expect(await trpcCode(next.api.vehicle.list({}))).toBe("UNAUTHORIZED");
    // The owner's own session is untouched.
    expect(await sessionRowOf(owner.token as string)).not.toBeNull();
  });

  it("a role change takes effect on the member's next request (permissions are re-read)", async () => {
    const t = await createTenantWithMembers("RoleEffect", ["owner", "viewer"] as const);
    const owner = await signIn(t.users.owner.email);
    await owner.api.member.changeRole({ memberId: t.users.viewer.memberId as string, roleId: roles.admin });
    const promoted = await signIn(t.users.viewer.email);
    expect((await promoted.api.auth.me()).activeTenant?.roles).toEqual(["admin"]);
    expect(await trpcCode(promoted.api.member.list())).toBe("OK");
  });

  it("removal deletes the member's sessions in that tenant: their next request is anonymous", async () => {
    const t = await createTenantWithMembers("RemoveEnds", ["owner", "dispatcher"] as const);
    const owner = await signIn(t.users.owner.email);
    const dispatcher = await signIn(t.users.dispatcher.email);
    expect(await owner.api.member.remove({ memberId: t.users.dispatcher.memberId as string })).toEqual({ ok: true });
    expect(await sessionRowOf(dispatcher.token as string)).toBeNull();
    expect(await trpcCode((await clientFor(dispatcher.token)).api.vehicle.list({}))).toBe("UNAUTHORIZED");
  });

  it("a removed member can no longer reach the tenant (FORBIDDEN on the old session, NOT_FOUND on switchTenant)", async () => {
    const t = await createTenantWithMembers("Removed", ["owner", "dispatcher"] as const);
    const owner = await signIn(t.users.owner.email);
    const dispatcher = await signIn(t.users.dispatcher.email);
    await owner.api.member.remove({ memberId: t.users.dispatcher.memberId as string });
    // Even if a session survived, access is re-read on every request.
    expect(await trpcCode(dispatcher.api.vehicle.list({}))).toMatch(/FORBIDDEN|UNAUTHORIZED/);
    expect((await owner.api.member.list()).map((m) => m.email)).not.toContain(t.users.dispatcher.email);

    const again = await signIn(t.users.dispatcher.email);
    const me = await again.api.auth.me();
    expect(me.memberships).toEqual([]);
    expect(me.activeTenant).toBeNull();
    expect(await trpcCode(again.api.auth.switchTenant({ tenantId: t.tenant.id }))).toBe("NOT_FOUND");
    expect(await trpcCode(again.api.vehicle.list({}))).toBe("PRECONDITION_FAILED");
  });
});

describe("audit trail of member mutations", () => {
  it("member.changeRole writes member.role_changed with the roles before/after, actor, IP and user agent", async () => {
    const t = await createTenantWithMembers("AuditRole", ["owner", "viewer"] as const);
    const owner = await signIn(t.users.owner.email);
    const memberId = t.users.viewer.memberId as string;
    await owner.api.member.changeRole({ memberId, roleId: roles.dispatcher });
    const rows = await auditRows({ action: "member.role_changed", entityId: memberId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenantId: t.tenant.id,
      actorType: "user",
      actorUserId: t.users.owner.id,
      actorEmail: t.users.owner.email,
      entityType: "member",
      ipAddress: "203.0.113.7",
      userAgent: "vitest",
      changes: { roles: { before: ["viewer"], after: ["dispatcher"] } },
    });
    expect(rows[0]?.metadata).toMatchObject({ email: t.users.viewer.email });
  });

  it("member.remove writes member.removed with the member's email, status and roles before", async () => {
    const t = await createTenantWithMembers("AuditRemove", ["owner", "viewer"] as const);
    const owner = await signIn(t.users.owner.email);
    const memberId = t.users.viewer.memberId as string;
    await owner.api.member.remove({ memberId });
    const removed = await auditRows({ action: "member.removed", entityId: memberId });
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ tenantId: t.tenant.id, actorEmail: t.users.owner.email, userAgent: "vitest" });
    expect(removed[0]?.changes).toMatchObject({
      email: { before: t.users.viewer.email, after: null },
      roles: { before: ["viewer"], after: null },
    });
  });

  it("member.invite writes invitation.created without any token", async () => {
    const t = await createTenantWithMembers("AuditInvite", ["owner"] as const);
    const owner = await signIn(t.users.owner.email);
    const invitation = await owner.api.member.invite({ email: uniqueEmail("audited"), roleId: roles.viewer });
    const created = await auditRows({ action: "invitation.created", entityId: invitation.id });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ tenantId: t.tenant.id, actorEmail: t.users.owner.email });
    // Secrets never reach the log.
    expect(JSON.stringify(created[0])).not.toMatch(/token/i);
  });
});

describe("audit.list", () => {
  it("shows an admin their own tenant's entries only, even when asked for another tenant", async () => {
    const admin = await signIn(world.users.adminA.email);
    await admin.api.vehicle.create({ name: "A audit bus" });
    // Make sure B has entries of its own.
    const ownerB = await signIn(world.users.ownerB.email);
    await ownerB.api.vehicle.create({ name: "B audit bus" });

    const page = await admin.api.audit.list({ limit: 200 });
    expect(page.entries.length).toBeGreaterThan(0);
    expect(page.entries.every((e) => e.tenantId === world.a.tenant.id)).toBe(true);
    const asked = await admin.api.audit.list({ tenantId: world.b.tenant.id, limit: 200 });
    expect(asked.entries.some((e) => e.tenantId === world.b.tenant.id)).toBe(false);
    expect(asked.entries.every((e) => e.tenantId === world.a.tenant.id)).toBe(true);
  });

  it("filters by action", async () => {
    const admin = await signIn(world.users.adminA.email);
    await admin.api.vehicle.create({ name: "Filtered bus" });
    await admin.api.display.create({ name: "Filter wall" });
    const page = await admin.api.audit.list({ action: "vehicle.created" });
    expect(page.entries.length).toBeGreaterThan(0);
    expect(page.entries.every((e) => e.action === "vehicle.created")).toBe(true);
    const byActor = await admin.api.audit.list({ actorEmail: world.users.adminA.email, entityType: "display_token" });
    expect(byActor.entries.length).toBeGreaterThan(0);
    expect(byActor.entries.every((e) => e.actorEmail === world.users.adminA.email)).toBe(true);
    expect(byActor.entries.every((e) => e.entityType === "display_token")).toBe(true);
    const none = await admin.api.audit.list({ action: "no.such.action" });
    expect(none.entries).toEqual([]);
  });

  it("paginates with a cursor: the next page continues without overlap", async () => {
    const owner = await signIn(world.users.ownerA.email);
    for (let i = 0; i < 5; i++) await owner.api.vehicle.create({ name: `Paged ${i}` });
    const all = await owner.api.audit.list({ limit: 200 });
    const first = await owner.api.audit.list({ limit: 2 });
    expect(first.entries).toHaveLength(2);
    expect(first.nextCursor).toBe(first.entries[1]?.id);
    const second = await owner.api.audit.list({ limit: 2, cursor: first.nextCursor as string });
    expect(second.entries).toHaveLength(2);
    const firstIds = first.entries.map((e) => e.id);
    expect(second.entries.some((e) => firstIds.includes(e.id))).toBe(false);
    expect([...firstIds, ...second.entries.map((e) => e.id)]).toEqual(all.entries.slice(0, 4).map((e) => e.id));
  });

  it("is FORBIDDEN to a dispatcher", async () => {
    const dispatcher = await signIn(world.users.dispatcherA.email);
    expect(await trpcCode(dispatcher.api.audit.list({}))).toBe("FORBIDDEN");
  });
});
