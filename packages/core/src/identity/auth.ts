/**
 * Email + password sign-in, sign-out, password change and password reset (lucia-auth.com's
 * "Password authentication" and "Password reset" guides, with argon2id hashing from passwords.ts).
 *
 * Sign-in answers the same message ("Invalid email or password") and spends the same time (an
 * argon2id verification against a dummy hash) whether the email is unknown or the password wrong,
 * and is throttled per account and per IP (throttle.ts). Every attempt is audited; failures in
 * their own transaction, so they are kept although the call fails.
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import {
  ZChangePasswordRequest,
  ZLoginRequest,
  ZRequestPasswordResetRequest,
  ZResetPasswordRequest,
} from "@fleetcore/validators";
import { type Actor, AuditTrail, systemActor } from "../audit/audit";
import { mayPayWhileSuspended } from "../billing/dunning";
import type { EmailTransport } from "../email/transport";
import { DomainError } from "../errors";
import { findProviderEmployee, isTenantLocked, listMemberships, resolveTenantAccess } from "./access";
import { hashPassword, verifyPassword } from "./passwords";
import { type ClientMeta, createSession, invalidateUserSessions } from "./sessions";
import type { LoginThrottle } from "./throttle";
import { generateToken, hashToken } from "./tokens";

export const INVALID_CREDENTIALS = "Invalid email or password";
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

let dummyHash: Promise<string> | undefined;
/** A real argon2id hash of a random string, so unknown emails cost one verification too. */
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(generateToken());
  return dummyHash;
}

export interface SignedIn {
  token: string;
  sessionId: string;
  expiresAt: Date;
  userId: string;
}

function metaActor(meta: ClientMeta, user?: { id: string; email: string }): Actor {
  return {
    ...systemActor(meta),
    type: user ? "user" : "system",
    userId: user?.id ?? null,
    email: user?.email ?? null,
  };
}

/**
 * Signs in with email and password and opens a session in the user's first usable tenant (by name;
 * provider staff start with none).
 * @throws DomainError("rate_limited", retryAfterS) when throttled; ("unauthorized") for unknown email
 *   or wrong password; ("forbidden") when every tenant of a non-staff user is suspended or closed —
 *   except a tenant suspended for non-payment, which its owners and admins enter for billing only.
 */
export async function login(
  prisma: PrismaClient,
  input: { email: string; password: string },
  meta: ClientMeta,
  throttle: LoginThrottle,
): Promise<SignedIn> {
  const { email, password } = ZLoginRequest.parse(input);
  const ip = meta.ipAddress ?? null;
  const auditFailure = (reason: string) =>
    withScope(prisma, { kind: "system" }, (db) =>
      new AuditTrail(db, metaActor(meta)).record({
        tenantId: null,
        entityType: "session",
        action: "auth.login_failed",
        metadata: { email, reason },
      }),
    );

  const retryAfterS = await throttle.retryAfterS(email, ip);
  if (retryAfterS > 0) {
    await auditFailure("throttled");
    throw new DomainError(
      "rate_limited",
      `Too many sign-in attempts. Try again in ${Math.ceil(retryAfterS / 60)} minute(s).`,
      retryAfterS,
    );
  }

  const user = await withScope(prisma, { kind: "system" }, (db) =>
    db.user.findUnique({
      where: { email },
      select: { id: true, email: true, passwordHash: true, status: true, deletedAt: true },
    }),
  );
  const usable = user && user.status === "active" && user.deletedAt === null && user.passwordHash;
  const ok = await verifyPassword(usable ? (user.passwordHash as string) : await getDummyHash(), password);
  if (!usable || !ok) {
    await throttle.fail(email, ip);
    await auditFailure(user ? "wrong_password" : "unknown_email");
    throw new DomainError("unauthorized", INVALID_CREDENTIALS);
  }
  await throttle.succeed(email);

  // One short transaction at a time: a sign-in never holds two pooled connections.
  const { memberships, employee } = await withScope(prisma, { kind: "user", userId: user.id }, async (db) => ({
    memberships: await listMemberships(db, user.id),
    employee: await findProviderEmployee(db, user.id),
  }));
  const open = memberships.filter((m) => !isTenantLocked(m.tenantStatus));
  // A tenant suspended for non-payment stays open to its owners and admins, for billing only (to pay).
  if (!employee && open.length === 0) {
    for (const m of memberships.filter((x) => x.tenantStatus === "suspended")) {
      const payable = await withScope(
        prisma,
        { kind: "tenant", tenantId: m.tenantId, userId: user.id },
        async (tdb) => {
          const access = await resolveTenantAccess(tdb, user.id, m.tenantId);
          return access !== null && (await mayPayWhileSuspended(tdb, access));
        },
      );
      if (payable) {
        open.push(m);
        break;
      }
    }
  }
  if (!employee && memberships.length > 0 && open.length === 0) {
    const names = memberships.map((m) => m.tenantName).join(", ");
    await withScope(prisma, { kind: "system" }, (sdb) =>
      new AuditTrail(sdb, metaActor(meta, user)).record({
        tenantId: null,
        entityType: "session",
        action: "auth.login_refused",
        metadata: { reason: "tenant_suspended" },
      }),
    );
    throw new DomainError(
      "forbidden",
      `${names} ${memberships.length > 1 ? "are" : "is"} suspended. Contact your Fleetcore account manager.`,
    );
  }
  return withScope(prisma, { kind: "user", userId: user.id }, async (db) => {
    const activeTenantId = employee ? null : (open[0]?.tenantId ?? null);
    const session = await createSession(db, { userId: user.id, activeTenantId }, meta);
    await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    await new AuditTrail(db, metaActor(meta, user)).record({
      tenantId: null,
      entityType: "session",
      action: "auth.login",
      metadata: { activeTenantId },
    });
    return { token: session.token, sessionId: session.id, expiresAt: session.expiresAt, userId: user.id };
  });
}

/**
 * Changes the signed-in user's password after checking the current one; every session of the user
 * is invalidated and a new one returned (lucia-auth.com: invalidate sessions on password change).
 * @throws DomainError("invalid") when the current password is wrong.
 */
export async function changePassword(
  db: Db,
  audit: AuditTrail,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  keep: { activeTenantId: string | null; meta: ClientMeta },
): Promise<SignedIn> {
  const { currentPassword, newPassword } = ZChangePasswordRequest.parse(input);
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, currentPassword))) {
    throw new DomainError("invalid", "The current password is not correct");
  }
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(newPassword) } });
  const ended = await invalidateUserSessions(db, userId);
  const session = await createSession(db, { userId, activeTenantId: keep.activeTenantId }, keep.meta);
  await audit.record({
    tenantId: null,
    entityType: "user",
    entityId: userId,
    action: "user.password_changed",
    metadata: { sessionsEnded: ended },
  });
  return { token: session.token, sessionId: session.id, expiresAt: session.expiresAt, userId };
}

/**
 * Starts a password reset: if an active account has this email, a single-use token valid for one
 * hour is stored (hashed) and emailed as `${publicUrl}/reset-password?token=…`. The answer is the
 * same whether or not the account exists.
 */
export async function requestPasswordReset(
  prisma: PrismaClient,
  input: { email: string },
  opts: { meta: ClientMeta; email: EmailTransport; publicUrl: string },
): Promise<void> {
  const { email } = ZRequestPasswordResetRequest.parse(input);
  await withScope(prisma, { kind: "system" }, async (db) => {
    const audit = new AuditTrail(db, metaActor(opts.meta));
    const user = await db.user.findUnique({ where: { email }, select: { id: true, status: true, deletedAt: true } });
    if (user?.status !== "active" || user.deletedAt) {
      await audit.record({
        tenantId: null,
        entityType: "user",
        action: "auth.password_reset_requested",
        metadata: { email, known: false },
      });
      return;
    }
    const token = generateToken();
    await db.passwordResetToken.create({
      data: {
        id: hashToken(token),
        userId: user.id,
        expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MS),
        ipAddress: opts.meta.ipAddress ?? null,
      },
    });
    const link = `${opts.publicUrl.replace(/\/$/, "")}/reset-password?token=${token}`;
    await opts.email.send(db, {
      to: email,
      subject: "Reset your Fleetcore password",
      template: "password_reset",
      text:
        `Someone (hopefully you) asked to reset the password of ${email} on Fleetcore.\n\n` +
        `Choose a new password here (the link works once, for one hour):\n${link}\n\n` +
        "If you did not ask for this, ignore this email; your password stays the same.\n",
    });
    await audit.record({
      tenantId: null,
      entityType: "user",
      entityId: user.id,
      action: "auth.password_reset_requested",
      metadata: { email, known: true },
    });
  });
}

/**
 * Completes a reset: the token must exist, be unused and unexpired. Sets the password, marks the
 * token (and any other outstanding token of the user) used, and signs the user out everywhere.
 * @throws DomainError("invalid") for an unknown, used or expired token.
 */
export async function resetPassword(
  prisma: PrismaClient,
  input: { token: string; newPassword: string },
  meta: ClientMeta,
): Promise<void> {
  const { token, newPassword } = ZResetPasswordRequest.parse(input);
  const passwordHash = await hashPassword(newPassword);
  await withScope(prisma, { kind: "system" }, async (db) => {
    const row = await db.passwordResetToken.findUnique({
      where: { id: hashToken(token) },
      include: { user: { select: { id: true, email: true } } },
    });
    if (!row || row.usedAt || row.expiresAt <= new Date()) {
      throw new DomainError("invalid", "This reset link is invalid or has expired. Ask for a new one.");
    }
    const now = new Date();
    // Conditional update: two concurrent uses of one token cannot both succeed.
    const claimed = await db.passwordResetToken.updateMany({
      where: { id: row.id, usedAt: null },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) throw new DomainError("invalid", "This reset link has already been used.");
    await db.passwordResetToken.updateMany({ where: { userId: row.userId, usedAt: null }, data: { usedAt: now } });
    await db.user.update({ where: { id: row.userId }, data: { passwordHash } });
    const ended = await invalidateUserSessions(db, row.userId);
    await new AuditTrail(db, metaActor(meta, row.user)).record({
      tenantId: null,
      entityType: "user",
      entityId: row.userId,
      action: "user.password_reset",
      metadata: { sessionsEnded: ended },
    });
  });
}
