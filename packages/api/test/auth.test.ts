/**
 * Accounts and sessions through the real API: login (cookie, hashed session ids, uniform failures,
 * throttling), sliding expiry, logout and session management, password change and reset, tenant
 * switching (members and provider staff) and suspended tenants.
 */
import { DomainError, hashToken, LoginThrottle, SESSION_TTL_MS, validateSessionToken } from "@fleetcore/core";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMembership,
  auditRows,
  clientFor,
  createTenantWithMembers,
  createUser,
  createWorld,
  DAY_MS,
  lastEmailTo,
  PASSWORD,
  sessionRowOf,
  signIn,
  tokenFrom,
  trpcCode,
  trpcError,
  uniqueEmail,
  type World,
} from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
beforeAll(async () => {
  world = await createWorld();
});

const NEW_PASSWORD = "a brand new passphrase 42";

/** A user of its own in tenant A (for tests that change passwords or end sessions). */
const freshUserInA = (label: string, role: "owner" | "admin" | "dispatcher" | "viewer" = "dispatcher") =>
  createUser(uniqueEmail(label), { tenantId: world.a.tenant.id, role });

describe("auth.login and auth.me", () => {
  it("login sets a 30-day cookie and auth.me returns the user, memberships and active tenant with permissions", async () => {
    const anonymous = await clientFor(null);
    const before = Date.now();
    const me = await anonymous.api.auth.login({ email: world.users.adminA.email, password: PASSWORD });
    expect(anonymous.cookies.token).toMatch(/^[a-z2-7]{32}$/);
    const expiresAt = anonymous.cookies.expiresAt?.getTime() ?? 0;
    expect(Math.abs(expiresAt - (before + 30 * DAY_MS))).toBeLessThan(60_000);
    expect(me.kind).toBe("user");

    const client = await clientFor(anonymous.cookies.token);
    const again = await client.api.auth.me();
    expect(again).toMatchObject({
      kind: "user",
      user: { id: world.users.adminA.id, email: world.users.adminA.email },
      display: null,
      provider: null,
      activeTenant: {
        id: world.a.tenant.id,
        name: world.a.tenant.name,
        access: "member",
        roles: ["admin"],
      },
    });
    expect(again.activeTenant?.permissions.members).toEqual(expect.arrayContaining(["read", "write"]));
    expect(again.activeTenant?.permissions.audit).toEqual(["read"]);
    expect(again.memberships).toEqual([
      expect.objectContaining({ tenantId: world.a.tenant.id, roles: ["admin"], tenantStatus: "active" }),
    ]);
  });

  it("stores SHA-256(token) as the adm_sessions id, never the token itself", async () => {
    const anonymous = await clientFor(null);
    await anonymous.api.auth.login({ email: world.users.viewerA.email, password: PASSWORD });
    const token = anonymous.cookies.token as string;
    const owner = testOwnerPrisma();
    const row = await owner.session.findUnique({ where: { id: hashToken(token) } });
    expect(row).not.toBeNull();
    expect(row?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.id).not.toBe(token);
    expect(await owner.session.findUnique({ where: { id: token } })).toBeNull();
    expect(row).toMatchObject({
      userId: world.users.viewerA.id,
      ipAddress: "203.0.113.7",
      activeTenantId: world.a.tenant.id,
    });
  });

  it("a stolen database row cannot be used as a cookie: the row id as a token is anonymous", async () => {
    const signed = await signIn(world.users.viewerA.email);
    const rowId = hashToken(signed.token as string);
    expect(await validateSessionToken(testPrisma(), rowId)).toBeNull();
    const thief = await clientFor(rowId);
    expect((await thief.api.auth.me()).kind).toBe("anonymous");
    expect(await trpcCode(thief.api.vehicle.list({}))).toBe("UNAUTHORIZED");
  });

  it("unknown email and wrong password fail alike (UNAUTHORIZED, same message) and both are audited as auth.login_failed", async () => {
    const unknownEmail = uniqueEmail("nobody");
    const anonymous = await clientFor(null);
    const unknown = await trpcError(anonymous.api.auth.login({ email: unknownEmail, password: PASSWORD }));
    const wrong = await trpcError(
      anonymous.api.auth.login({ email: world.users.dispatcherA.email, password: "not the password" }),
    );
    expect(unknown.code).toBe("UNAUTHORIZED");
    expect(wrong.code).toBe("UNAUTHORIZED");
    expect(unknown.message).toBe("Invalid email or password");
    expect(wrong.message).toBe(unknown.message);
    expect(anonymous.cookies.token).toBeNull();

    const failures = await auditRows({ action: "auth.login_failed" });
    const forUnknown = failures.filter((r) => (r.metadata as { email?: string }).email === unknownEmail);
    const forWrong = failures.filter((r) => (r.metadata as { email?: string }).email === world.users.dispatcherA.email);
    expect(forUnknown).toHaveLength(1);
    expect(forUnknown[0]).toMatchObject({ tenantId: null, actorType: "system", ipAddress: "203.0.113.7" });
    expect(forUnknown[0]?.metadata).toMatchObject({ reason: "unknown_email" });
    expect(forWrong.length).toBeGreaterThanOrEqual(1);
    expect(forWrong.at(-1)?.metadata).toMatchObject({ reason: "wrong_password" });
  });

  it("an unknown email still costs an argon2 verification (both failures take > 5 ms)", async () => {
    const anonymous = await clientFor(null);
    // Warm the dummy hash so its one-off creation is not what is measured.
    await trpcCode(anonymous.api.auth.login({ email: uniqueEmail("warm"), password: "x" }));
    const time = async (email: string) => {
      const started = performance.now();
      await trpcCode(anonymous.api.auth.login({ email, password: "definitely wrong" }));
      return performance.now() - started;
    };
    expect(await time(uniqueEmail("ghost"))).toBeGreaterThan(5);
    expect(await time(world.users.viewerA.email)).toBeGreaterThan(5);
  });
});

describe("login throttling", () => {
  it("per account: after 3 wrong passwords even the right one is refused with TOO_MANY_REQUESTS and a retry time", async () => {
    const user = await freshUserInA("throttled");
    const throttle = new LoginThrottle({ perAccount: 3, perIp: 100 });
    const client = await clientFor(null, { throttle });
    for (let i = 0; i < 3; i++) {
      expect(await trpcCode(client.api.auth.login({ email: user.email, password: `wrong ${i}` }))).toBe("UNAUTHORIZED");
    }
    const refused = await trpcError(client.api.auth.login({ email: user.email, password: PASSWORD }));
    expect(refused.code).toBe("TOO_MANY_REQUESTS");
    expect(refused.cause).toBeInstanceOf(DomainError);
    expect((refused.cause as DomainError).retryAfterS).toBeGreaterThan(0);
    expect(refused.message).toMatch(/minute/);
    expect(client.cookies.token).toBeNull();
    const throttled = (await auditRows({ action: "auth.login_failed" })).filter(
      (r) => (r.metadata as { email?: string; reason?: string }).email === user.email,
    );
    expect(throttled.map((r) => (r.metadata as { reason: string }).reason)).toContain("throttled");
  });

  it("per IP: failures with different emails from one IP block that IP; another IP still signs in", async () => {
    const throttle = new LoginThrottle({ perAccount: 100, perIp: 3 });
    const sameIp = await clientFor(null, { throttle, ip: "198.51.100.10" });
    for (let i = 0; i < 3; i++) {
      expect(await trpcCode(sameIp.api.auth.login({ email: uniqueEmail(`spray${i}`), password: "guess" }))).toBe(
        "UNAUTHORIZED",
      );
    }
    expect(await trpcCode(sameIp.api.auth.login({ email: world.users.viewerA.email, password: PASSWORD }))).toBe(
      "TOO_MANY_REQUESTS",
    );
    const otherIp = await clientFor(null, { throttle, ip: "198.51.100.11" });
    expect(await trpcCode(otherIp.api.auth.login({ email: world.users.viewerA.email, password: PASSWORD }))).toBe("OK");
    expect(otherIp.cookies.token).not.toBeNull();
  });
});

describe("sliding expiry", () => {
  it("a session with less than 15 days left is renewed to 30 days", async () => {
    const signed = await signIn(world.users.viewerA.email);
    const token = signed.token as string;
    await testOwnerPrisma().session.update({
      where: { id: hashToken(token) },
      data: { expiresAt: new Date(Date.now() + 10 * DAY_MS) },
    });
    const validated = await validateSessionToken(testPrisma(), token);
    expect(validated?.renewed).toBe(true);
    expect(Math.abs((validated?.session.expiresAt.getTime() ?? 0) - (Date.now() + SESSION_TTL_MS))).toBeLessThan(
      60_000,
    );
    const row = await sessionRowOf(token);
    expect(Math.abs((row?.expiresAt.getTime() ?? 0) - (Date.now() + 30 * DAY_MS))).toBeLessThan(60_000);
  });

  it("a fresh session is not renewed", async () => {
    const signed = await signIn(world.users.viewerA.email);
    const validated = await validateSessionToken(testPrisma(), signed.token as string);
    expect(validated?.renewed).toBe(false);
  });

  it("an expired session validates to null and its row is deleted", async () => {
    const signed = await signIn(world.users.viewerA.email);
    const token = signed.token as string;
    await testOwnerPrisma().session.update({
      where: { id: hashToken(token) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await validateSessionToken(testPrisma(), token)).toBeNull();
    expect(await sessionRowOf(token)).toBeNull();
  });
});

describe("logout and session management", () => {
  it("logout deletes the session row, clears the cookie, and the token is anonymous afterwards", async () => {
    const client = await signIn(world.users.viewerA.email);
    const token = client.token as string;
    expect(await sessionRowOf(token)).not.toBeNull();
    expect(await client.api.auth.logout()).toEqual({ ok: true });
    expect(client.cookies.cleared).toBe(true);
    expect(await sessionRowOf(token)).toBeNull();
    const next = await clientFor(token);
    expect((await next.api.auth.me()).kind).toBe("anonymous");
    const logouts = await auditRows({ action: "auth.logout", actorUserId: world.users.viewerA.id });
    expect(logouts.length).toBeGreaterThanOrEqual(1);
  });

  it("signOutOtherSessions keeps the current session and deletes the user's others", async () => {
    const user = await freshUserInA("others");
    const current = await signIn(user.email);
    const second = await signIn(user.email);
    const third = await signIn(user.email);
    const bystander = await signIn(world.users.viewerA.email);
    expect(await current.api.auth.signOutOtherSessions()).toEqual({ count: 2 });
    expect(await sessionRowOf(current.token as string)).not.toBeNull();
    expect(await sessionRowOf(second.token as string)).toBeNull();
    expect(await sessionRowOf(third.token as string)).toBeNull();
    expect(await sessionRowOf(bystander.token as string)).not.toBeNull();
    expect((await (await clientFor(second.token)).api.auth.me()).kind).toBe("anonymous");
    expect((await current.api.auth.me()).kind).toBe("user");
  });

  it("auth.sessions lists only the caller's own sessions, flagging the current one", async () => {
    const user = await freshUserInA("lister");
    const first = await signIn(user.email);
    const second = await signIn(user.email);
    await signIn(world.users.viewerA.email);
    const sessions = await second.api.auth.sessions();
    expect(sessions.map((s) => s.id).sort()).toEqual(
      [hashToken(first.token as string), hashToken(second.token as string)].sort(),
    );
    expect(sessions.filter((s) => s.current).map((s) => s.id)).toEqual([hashToken(second.token as string)]);
    expect(sessions[0]).toMatchObject({ ipAddress: "203.0.113.7" });
    // The listed id is the hash, never a usable token.
    for (const s of sessions) expect(await validateSessionToken(testPrisma(), s.id)).toBeNull();
  });

  it("revokeSession ends one of the user's own sessions", async () => {
    const user = await freshUserInA("revoker");
    const keep = await signIn(user.email);
    const other = await signIn(user.email);
    expect(await keep.api.auth.revokeSession({ sessionId: hashToken(other.token as string) })).toEqual({ ok: true });
    expect(await sessionRowOf(other.token as string)).toBeNull();
    expect(await sessionRowOf(keep.token as string)).not.toBeNull();
  });

  it("revokeSession of another user's session id is NOT_FOUND and leaves it alive", async () => {
    const attacker = await signIn(world.users.dispatcherA.email);
    const victim = await signIn(world.users.viewerA.email);
    const victimId = hashToken(victim.token as string);
    expect(await trpcCode(attacker.api.auth.revokeSession({ sessionId: victimId }))).toBe("NOT_FOUND");
    expect(await sessionRowOf(victim.token as string)).not.toBeNull();
  });
});

describe("auth.changePassword", () => {
  it("a wrong current password is BAD_REQUEST and changes nothing", async () => {
    const user = await freshUserInA("pw-wrong");
    const client = await signIn(user.email);
    expect(
      await trpcCode(client.api.auth.changePassword({ currentPassword: "not it", newPassword: NEW_PASSWORD })),
    ).toBe("BAD_REQUEST");
    expect(await sessionRowOf(client.token as string)).not.toBeNull();
    expect(await trpcCode((await clientFor(null)).api.auth.login({ email: user.email, password: PASSWORD }))).toBe(
      "OK",
    );
  });

  it("the right current password ends every old session, sets a working cookie, and the new password signs in", async () => {
    const user = await freshUserInA("pw-change");
    const client = await signIn(user.email);
    const elsewhere = await signIn(user.email);
    expect(await client.api.auth.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).toEqual({
      ok: true,
    });
    expect(await sessionRowOf(client.token as string)).toBeNull();
    expect(await sessionRowOf(elsewhere.token as string)).toBeNull();
    expect(client.cookies.token).toMatch(/^[a-z2-7]{32}$/);
    const fresh = await clientFor(client.cookies.token);
    expect((await fresh.api.auth.me()).activeTenant?.id).toBe(world.a.tenant.id);
    expect(await trpcCode(fresh.api.vehicle.list({}))).toBe("OK");

    const anonymous = await clientFor(null);
    expect(await trpcCode(anonymous.api.auth.login({ email: user.email, password: PASSWORD }))).toBe("UNAUTHORIZED");
    expect(await trpcCode(anonymous.api.auth.login({ email: user.email, password: NEW_PASSWORD }))).toBe("OK");
    expect(await auditRows({ action: "user.password_changed", entityId: user.id })).toHaveLength(1);
  });
});

describe("password reset", () => {
  it("an unknown email answers ok and sends nothing", async () => {
    const email = uniqueEmail("unknown-reset");
    const anonymous = await clientFor(null);
    expect(await anonymous.api.auth.requestPasswordReset({ email })).toEqual({ ok: true });
    expect(await lastEmailTo(email)).toBeNull();
  });

  it("a known email gets a single-use link; using it sets the password and signs out everywhere", async () => {
    const user = await freshUserInA("reset");
    const signedIn = await signIn(user.email);
    const anonymous = await clientFor(null);
    expect(await anonymous.api.auth.requestPasswordReset({ email: user.email })).toEqual({ ok: true });
    const email = await lastEmailTo(user.email);
    expect(email?.template).toBe("password_reset");
    expect(email?.textBody).toContain("https://fleet.test/reset-password?token=");
    const token = tokenFrom(email?.textBody ?? "", /reset-password\?token=([a-z2-7]+)/);

    // Only the hash is stored.
    const owner = testOwnerPrisma();
    const stored = await owner.passwordResetToken.findMany({ where: { userId: user.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]?.id).toBe(hashToken(token));
    expect(stored[0]?.id).not.toBe(token);

    expect(await anonymous.api.auth.resetPassword({ token, newPassword: NEW_PASSWORD })).toEqual({ ok: true });
    expect(await sessionRowOf(signedIn.token as string)).toBeNull();
    expect(await trpcCode(anonymous.api.auth.resetPassword({ token, newPassword: "yet another passphrase" }))).toBe(
      "BAD_REQUEST",
    );
    expect(await trpcCode(anonymous.api.auth.login({ email: user.email, password: PASSWORD }))).toBe("UNAUTHORIZED");
    expect(await trpcCode(anonymous.api.auth.login({ email: user.email, password: NEW_PASSWORD }))).toBe("OK");
  });

  it("an expired reset token is BAD_REQUEST", async () => {
    const user = await freshUserInA("reset-expired");
    const anonymous = await clientFor(null);
    await anonymous.api.auth.requestPasswordReset({ email: user.email });
    const token = tokenFrom((await lastEmailTo(user.email))?.textBody ?? "", /reset-password\?token=([a-z2-7]+)/);
    await testOwnerPrisma().passwordResetToken.update({
      where: { id: hashToken(token) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await trpcCode(anonymous.api.auth.resetPassword({ token, newPassword: NEW_PASSWORD }))).toBe("BAD_REQUEST");
    expect(await trpcCode(anonymous.api.auth.login({ email: user.email, password: PASSWORD }))).toBe("OK");
  });

  it("an unknown reset token is BAD_REQUEST", async () => {
    const anonymous = await clientFor(null);
    expect(
      await trpcCode(
        anonymous.api.auth.resetPassword({ token: "abcdefghijklmnopqrstuvwxyz234567", newPassword: NEW_PASSWORD }),
      ),
    ).toBe("BAD_REQUEST");
  });
});

describe("auth.switchTenant", () => {
  it("a member of two tenants switches without signing in again", async () => {
    const user = await freshUserInA("two-tenants", "viewer");
    await addMembership(user.id, world.b.tenant.id, "dispatcher");
    const client = await signIn(user.email);
    const me = await client.api.auth.me();
    expect(me.memberships.map((m) => m.tenantId).sort()).toEqual([world.a.tenant.id, world.b.tenant.id].sort());
    expect(me.activeTenant?.id).toBe(world.a.tenant.id);

    const switched = await client.api.auth.switchTenant({ tenantId: world.b.tenant.id });
    expect(switched.activeTenant).toMatchObject({ id: world.b.tenant.id, access: "member", roles: ["dispatcher"] });
    // The next request (same cookie) works in B.
    const next = await clientFor(client.token);
    expect((await next.api.auth.me()).activeTenant?.id).toBe(world.b.tenant.id);
    expect((await next.api.vehicle.list({})).map((v) => v.id)).toEqual([world.b.vehicle.id]);
    expect(await auditRows({ action: "auth.tenant_switched", actorUserId: user.id })).toHaveLength(1);
  });

  it("switching to a tenant the user is not a member of is NOT_FOUND and keeps the active tenant", async () => {
    const client = await signIn(world.users.viewerA.email);
    expect(await trpcCode(client.api.auth.switchTenant({ tenantId: world.b.tenant.id }))).toBe("NOT_FOUND");
    expect(await trpcCode(client.api.auth.switchTenant({ tenantId: crypto.randomUUID() }))).toBe("NOT_FOUND");
    expect((await (await clientFor(client.token)).api.auth.me()).activeTenant?.id).toBe(world.a.tenant.id);
  });

  it("provider staff switch into any tenant with provider access, audited as provider.tenant_accessed", async () => {
    const staff = await signIn(world.users.providerAdmin.email);
    const before = await staff.api.auth.me();
    expect(before.provider?.role).toBe("admin");
    expect(before.activeTenant).toBeNull();
    const me = await staff.api.auth.switchTenant({ tenantId: world.b.tenant.id });
    expect(me.activeTenant).toMatchObject({ id: world.b.tenant.id, access: "provider" });
    const next = await clientFor(staff.token);
    expect((await next.api.vehicle.list({})).map((v) => v.id)).toEqual([world.b.vehicle.id]);

    const rows = await auditRows({ action: "provider.tenant_accessed", actorUserId: world.users.providerAdmin.id });
    const inTenant = rows.filter((r) => r.tenantId === world.b.tenant.id);
    expect(inTenant).toHaveLength(1);
    expect(inTenant[0]).toMatchObject({ actorType: "provider", entityId: world.b.tenant.id, ipAddress: "203.0.113.7" });
  });
});

describe("suspended tenants", () => {
  it("the owner of a suspended tenant cannot sign in, and a signed-in member is refused with FORBIDDEN", async () => {
    const t = await createTenantWithMembers("Suspend", ["owner", "viewer"] as const);
    const member = await signIn(t.users.viewer.email);
    expect(await trpcCode(member.api.vehicle.list({}))).toBe("OK");

    const staff = await signIn(world.users.providerAdmin.email);
    const updated = await staff.api.provider.tenants.changeStatus({
      tenantId: t.tenant.id,
      status: "suspended",
      reason: "unpaid invoices",
    });
    expect(updated.status).toBe("suspended");

    const anonymous = await clientFor(null);
    const refused = await trpcError(anonymous.api.auth.login({ email: t.users.owner.email, password: PASSWORD }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/suspended/);
    expect(anonymous.cookies.token).toBeNull();

    const denied = await trpcError(member.api.vehicle.list({}));
    expect(denied.code).toBe("FORBIDDEN");
    expect(denied.message).toMatch(/suspended/);
    // Provider staff still get in.
    await staff.api.auth.switchTenant({ tenantId: t.tenant.id });
    expect(await trpcCode((await clientFor(staff.token)).api.vehicle.list({}))).toBe("OK");
  });
});
