import {
  AuditTrail,
  changePassword,
  DomainError,
  invalidateSession,
  invalidateUserSessions,
  login,
  requestPasswordReset,
  resetPassword,
  resolveTenantAccess,
  validateSessionToken,
} from "@fleetcore/core";
import { withScope } from "@fleetcore/db";
import {
  ZChangePasswordRequest,
  ZLoginRequest,
  ZMe,
  ZRequestPasswordResetRequest,
  ZResetPasswordRequest,
  ZRevokeSessionRequest,
  ZSessionSummary,
  ZSwitchTenantRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { authedProcedure, type Context, currentMe, publicProcedure, router } from "../trpc";

const ZOk = z.object({ ok: z.literal(true) });

/** Re-reads `me` for a session created during this call (login, invitation accept). */
export async function meForToken(ctx: Context, token: string) {
  const validated = await validateSessionToken(ctx.prisma, token);
  return currentMe({ ...ctx, session: validated?.session ?? null });
}

export const authRouter = router({
  /** Who the caller is: anonymous, a person (with memberships and active tenant) or a wall display. */
  me: publicProcedure.output(ZMe).query(({ ctx }) => currentMe(ctx)),

  /**
   * Email + password sign-in (argon2id; throttled per account and IP). Sets the session cookie.
   * Errors: UNAUTHORIZED "Invalid email or password" (unknown email and wrong password alike),
   * TOO_MANY_REQUESTS (data.retryAfterS), FORBIDDEN (all the user's tenants suspended).
   */
  login: publicProcedure
    .input(ZLoginRequest)
    .output(ZMe)
    .mutation(async ({ ctx, input }) => {
      const signedIn = await login(ctx.prisma, input, ctx.meta, ctx.services.loginThrottle);
      ctx.cookies.set(signedIn.token, signedIn.expiresAt);
      return meForToken(ctx, signedIn.token);
    }),

  /** Ends the current session (audited) and clears the cookie. Idempotent. */
  logout: publicProcedure.output(ZOk).mutation(async ({ ctx }) => {
    const session = ctx.session;
    if (session) {
      await withScope(ctx.prisma, { kind: "system" }, async (db) => {
        await invalidateSession(db, session.id);
        await new AuditTrail(db, {
          type: session.display ? "display" : "user",
          userId: session.user?.id ?? null,
          email: session.user?.email ?? null,
          ipAddress: ctx.meta.ipAddress ?? null,
          userAgent: ctx.meta.userAgent ?? null,
        }).record({ tenantId: null, entityType: "session", action: "auth.logout" });
      });
    }
    ctx.cookies.clear();
    return { ok: true as const };
  }),

  /**
   * Makes another tenant the session's active tenant (no new sign-in). Members switch to their
   * tenants; provider staff to any tenant (audited as provider access). NOT_FOUND otherwise.
   */
  switchTenant: authedProcedure
    .input(ZSwitchTenantRequest)
    .output(ZMe)
    .mutation(async ({ ctx, input }) => {
      const access = await withScope(
        ctx.prisma,
        { kind: "tenant", tenantId: input.tenantId, userId: ctx.user.id },
        (db) => resolveTenantAccess(db, ctx.user.id, input.tenantId),
      );
      if (!access) throw new DomainError("not_found", "tenant not found");
      await ctx.db.session.update({ where: { id: ctx.session.id }, data: { activeTenantId: input.tenantId } });
      await ctx.audit.record({
        tenantId: null,
        entityType: "session",
        action: access.access === "provider" ? "provider.tenant_accessed" : "auth.tenant_switched",
        metadata: { tenantId: input.tenantId, tenantName: access.tenantName },
      });
      if (access.access === "provider") {
        // Also in the tenant's own log, so its admins can see staff visits.
        await withScope(ctx.prisma, { kind: "provider", userId: ctx.user.id }, (db) =>
          new AuditTrail(db, { ...ctx.audit.actor, type: "provider" }).record({
            tenantId: input.tenantId,
            entityType: "tenant",
            entityId: input.tenantId,
            action: "provider.tenant_accessed",
          }),
        );
      }
      ctx.session.activeTenantId = input.tenantId;
      return currentMe({ ...ctx, session: ctx.session });
    }),

  /** Changes the password (current one required); every session ends, a fresh one is set. */
  changePassword: authedProcedure
    .input(ZChangePasswordRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      const signedIn = await changePassword(ctx.db, ctx.audit, ctx.user.id, input, {
        activeTenantId: ctx.session.activeTenantId,
        meta: ctx.meta,
      });
      ctx.cookies.set(signedIn.token, signedIn.expiresAt);
      return { ok: true as const };
    }),

  /** The signed-in user's sessions, most recent first. */
  sessions: authedProcedure.output(z.array(ZSessionSummary)).query(async ({ ctx }) => {
    const rows = await ctx.db.session.findMany({
      where: { userId: ctx.user.id, expiresAt: { gt: new Date() } },
      orderBy: { lastSeenAt: "desc" },
    });
    return rows.map((s) => ({
      id: s.id,
      current: s.id === ctx.session.id,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      expiresAt: s.expiresAt,
      ipAddress: s.ipAddress,
      userAgent: s.userAgent,
    }));
  }),

  /** Ends one of the user's own sessions. NOT_FOUND for anyone else's. */
  revokeSession: authedProcedure
    .input(ZRevokeSessionRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      const deleted = await ctx.db.session.deleteMany({ where: { id: input.sessionId, userId: ctx.user.id } });
      if (deleted.count !== 1) throw new DomainError("not_found", "session not found");
      await ctx.audit.record({ tenantId: null, entityType: "session", action: "auth.session_revoked" });
      if (input.sessionId === ctx.session.id) ctx.cookies.clear();
      return { ok: true as const };
    }),

  /** "Sign out other sessions": ends every session of the user except this one. */
  signOutOtherSessions: authedProcedure.output(z.object({ count: z.number().int() })).mutation(async ({ ctx }) => {
    const count = await invalidateUserSessions(ctx.db, ctx.user.id, { exceptSessionId: ctx.session.id });
    await ctx.audit.record({
      tenantId: null,
      entityType: "session",
      action: "auth.other_sessions_ended",
      metadata: { count },
    });
    return { count };
  }),

  /** Emails a one-hour, single-use reset link if the account exists; the answer never says whether it does. */
  requestPasswordReset: publicProcedure
    .input(ZRequestPasswordResetRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await requestPasswordReset(ctx.prisma, input, {
        meta: ctx.meta,
        email: ctx.services.email,
        publicUrl: ctx.services.publicUrl,
      });
      return { ok: true as const };
    }),

  /** Sets a new password from a reset token; signs the user out everywhere. BAD_REQUEST for a bad token. */
  resetPassword: publicProcedure
    .input(ZResetPasswordRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await resetPassword(ctx.prisma, input, ctx.meta);
      return { ok: true as const };
    }),
});
