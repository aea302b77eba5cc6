/**
 * Test fixtures: two tenants with a fleet, a device and positions each, one user per tenant role,
 * and provider staff — created as the database owner (fixtures ignore RLS), then used through the
 * real API as the application role. `signIn` goes through the real login and session validation.
 */
import {
  generateToken,
  hashPassword,
  hashToken,
  LoginThrottle,
  login,
  OutboxEmailTransport,
  validateSessionToken,
} from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { createCaller, createContextInner, type TenantEventPublisher } from "../src/index";

export const PASSWORD = "correct horse battery staple";

const unique = () => Math.random().toString(36).slice(2, 8);

let passwordHash: Promise<string> | undefined;

/** A user with the shared test password; optionally a member of `tenantId` with a system role. */
export async function createUser(
  email: string,
  membership?: { tenantId: string; role: "owner" | "admin" | "dispatcher" | "viewer" },
  provider?: "admin" | "account_manager" | "support_agent" | "analyst",
): Promise<{ id: string; email: string; memberId: string | null }> {
  const db = testOwnerPrisma();
  passwordHash ??= hashPassword(PASSWORD);
  const user = await db.user.create({
    data: { email, fullName: email.split("@")[0] ?? email, passwordHash: await passwordHash },
  });
  let memberId: string | null = null;
  if (membership) {
    const role = await db.role.findFirstOrThrow({ where: { tenantId: null, name: membership.role } });
    const member = await db.member.create({
      data: { tenantId: membership.tenantId, userId: user.id, status: "active", joinedAt: new Date() },
    });
    await db.memberRole.create({ data: { memberId: member.id, roleId: role.id, tenantId: membership.tenantId } });
    memberId = member.id;
  }
  if (provider) await db.providerEmployee.create({ data: { userId: user.id, role: provider } });
  return { id: user.id, email, memberId };
}

/** A tenant with one vehicle, one device in it and three positions. */
export async function createTenantWithFleet(name: string, status: "trial" | "active" = "active") {
  const db = testOwnerPrisma();
  const tag = unique();
  const tenant = await db.tenant.create({
    data: {
      name,
      slug: `${name.toLowerCase().replace(/[^a-z]+/g, "-")}-${tag}`,
      countryCode: "US",
      defaultCurrency: "USD",
      status,
    },
  });
  const vehicle = await db.vehicle.create({ data: { tenantId: tenant.id, name: `${name} bus 1` } });
  const device = await db.device.create({
    data: { tenantId: tenant.id, uniqueId: `dev-${tag}`, name: "tracker", vehicleId: vehicle.id },
  });
  const now = Date.now();
  await db.position.createMany({
    data: [3, 2, 1].map((minutesAgo) => ({
      time: new Date(now - minutesAgo * 60_000),
      tenantId: tenant.id,
      deviceId: device.id,
      vehicleId: vehicle.id,
      latitude: 30.2672 + minutesAgo / 1000,
      longitude: -97.7431,
      speedKph: 30,
    })),
  });
  return { tenant, vehicle, device };
}

/** Two tenants (A, B) with a user per role in A, an owner in B, and provider staff. */
export async function createWorld() {
  const tag = unique();
  const a = await createTenantWithFleet(`Alpha ${tag}`);
  const b = await createTenantWithFleet(`Bravo ${tag}`);
  const users = {
    ownerA: await createUser(`owner.a.${tag}@example.com`, { tenantId: a.tenant.id, role: "owner" }),
    adminA: await createUser(`admin.a.${tag}@example.com`, { tenantId: a.tenant.id, role: "admin" }),
    dispatcherA: await createUser(`dispatch.a.${tag}@example.com`, { tenantId: a.tenant.id, role: "dispatcher" }),
    viewerA: await createUser(`viewer.a.${tag}@example.com`, { tenantId: a.tenant.id, role: "viewer" }),
    ownerB: await createUser(`owner.b.${tag}@example.com`, { tenantId: b.tenant.id, role: "owner" }),
    providerAdmin: await createUser(`staff.admin.${tag}@example.com`, undefined, "admin"),
    providerAnalyst: await createUser(`staff.analyst.${tag}@example.com`, undefined, "analyst"),
  };
  return { a, b, users, tag };
}

/** What `createWorld` builds. */
export type World = Awaited<ReturnType<typeof createWorld>>;

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Records the cookie the API sets. */
export class CookieRecorder {
  token: string | null = null;
  expiresAt: Date | null = null;
  cleared = false;
  set(token: string, expiresAt: Date) {
    this.token = token;
    this.expiresAt = expiresAt;
  }
  clear() {
    this.token = null;
    this.cleared = true;
  }
}

export interface TestClient {
  api: ReturnType<typeof createCaller>;
  cookies: CookieRecorder;
  published: { tenantId: string; event: string; payload: unknown }[];
  token: string | null;
}

/** A caller for the session behind `token` (anonymous when null), as the HTTP adapter would build it. */
export async function clientFor(
  token: string | null,
  opts: { prisma?: PrismaClient; throttle?: LoginThrottle; ip?: string } = {},
): Promise<TestClient> {
  const prisma = opts.prisma ?? testPrisma();
  const validated = token ? await validateSessionToken(prisma, token) : null;
  const cookies = new CookieRecorder();
  const published: TestClient["published"] = [];
  const publish: TenantEventPublisher = (tenantId, event, ...args) => {
    published.push({ tenantId, event, payload: args[0] });
  };
  const api = createCaller(
    createContextInner({
      prisma,
      publish,
      session: validated?.session ?? null,
      cookies,
      meta: { ipAddress: opts.ip ?? "203.0.113.7", userAgent: "vitest" },
      services: {
        email: new OutboxEmailTransport(),
        loginThrottle: opts.throttle ?? new LoginThrottle(),
        publicUrl: "https://fleet.test",
      },
    }),
  );
  return { api, cookies, published, token };
}

/** Signs in through the real login (argon2id, throttle, session row) and returns a client for the session. */
export async function signIn(email: string, password = PASSWORD): Promise<TestClient> {
  const signed = await login(testPrisma(), { email, password }, { ipAddress: "203.0.113.7" }, new LoginThrottle());
  return clientFor(signed.token);
}

/** The newest outbox email to `to` (read as the owner). */
export async function lastEmailTo(to: string) {
  return testOwnerPrisma().emailOutbox.findFirst({ where: { toEmail: to }, orderBy: { createdAt: "desc" } });
}

/** The token in a link of the form …/<segment>/<token> or ?token=<token> inside an email body. */
export function tokenFrom(body: string, pattern: RegExp): string {
  const m = body.match(pattern);
  if (!m?.[1]) throw new Error(`no token matching ${pattern} in:\n${body}`);
  return m[1];
}

// ---------------------------------------------------------------------------------------------
// Helpers for the auth / isolation / members / displays / provider tests.
// ---------------------------------------------------------------------------------------------

type SystemRoleName = "owner" | "admin" | "dispatcher" | "viewer";

/** The tRPC error code of a call ("OK" when it succeeds; the error text for a non-tRPC error). */
export const trpcCode = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => "OK",
    (e: unknown) => (e instanceof Error && e.name === "TRPCError" ? (e as Error & { code: string }).code : String(e)),
  );

/** The TRPCError a call throws (fails the test when it succeeds). */
export async function trpcError(p: Promise<unknown>): Promise<Error & { code: string; cause?: unknown }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error && e.name === "TRPCError") return e as Error & { code: string; cause?: unknown };
    throw e;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** A unique, lower-case email for `label` (test files share one database). */
export function uniqueEmail(label: string): string {
  return `${label}.${unique()}${unique()}@example.com`.toLowerCase();
}

/** Id of a built-in (system) role. */
export async function systemRoleId(name: SystemRoleName): Promise<string> {
  const role = await testOwnerPrisma().role.findFirstOrThrow({ where: { tenantId: null, name } });
  return role.id;
}

/** Makes an existing user an active member of another tenant with a system role. */
export async function addMembership(userId: string, tenantId: string, role: SystemRoleName): Promise<string> {
  const db = testOwnerPrisma();
  const member = await db.member.create({ data: { tenantId, userId, status: "active", joinedAt: new Date() } });
  await db.memberRole.create({ data: { memberId: member.id, roleId: await systemRoleId(role), tenantId } });
  return member.id;
}

/** A fresh tenant (with fleet) and one user per requested role, for tests that change a tenant's state. */
export async function createTenantWithMembers<R extends SystemRoleName>(label: string, roles: readonly R[]) {
  const fleet = await createTenantWithFleet(`${label} ${unique()}`);
  const users = {} as Record<R, Awaited<ReturnType<typeof createUser>>>;
  for (const role of roles) {
    users[role] = await createUser(uniqueEmail(`${label.toLowerCase().replace(/[^a-z]+/g, "-")}.${role}`), {
      tenantId: fleet.tenant.id,
      role,
    });
  }
  return { ...fleet, users };
}

/** Audit rows matching `where`, oldest first (read as the owner). */
export function auditRows(where: {
  action?: string;
  tenantId?: string | null;
  entityId?: string;
  actorUserId?: string;
}) {
  return testOwnerPrisma().auditLog.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

/** The adm_sessions row of a token (read as the owner), or null. */
export async function sessionRowOf(token: string) {
  return testOwnerPrisma().session.findUnique({ where: { id: hashToken(token) } });
}

/**
 * A pending invitation created directly as the owner (bypassing member.invite), with its token,
 * for tests of the invitee's side (accept / decline / revoke / expiry).
 */
export async function createInvitation(opts: {
  tenantId: string;
  email: string;
  role: SystemRoleName;
  invitedByUserId?: string | null;
  expiresAt?: Date;
}): Promise<{ id: string; token: string }> {
  const token = generateToken();
  const row = await testOwnerPrisma().invitation.create({
    data: {
      tenantId: opts.tenantId,
      email: opts.email,
      roleId: await systemRoleId(opts.role),
      tokenHash: hashToken(token),
      expiresAt: opts.expiresAt ?? new Date(Date.now() + 7 * DAY_MS),
      invitedByUserId: opts.invitedByUserId ?? null,
    },
  });
  return { id: row.id, token };
}
