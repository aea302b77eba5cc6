/**
 * Sessions, as lucia-auth.com "Sessions" (basic API) designs them: the client holds a random token
 * (see tokens.ts), the server stores SHA-256(token) as adm_sessions.id. Sessions last 30 days and
 * are extended to 30 days again once less than 15 days remain (so an active user stays signed in
 * and an idle one is signed out after 30 days). Expired sessions are deleted when seen.
 *
 * A session's subject is a person (user_id) or a wall display (display_token_id; read-only, scoped
 * to the token's tenant, never outliving the token's expiry or revocation).
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import { generateToken, hashToken } from "./tokens";

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Extend when less than this remains (half the lifetime, Lucia's rule). */
export const SESSION_RENEW_BELOW_MS = SESSION_TTL_MS / 2;
/** last_seen_at is written at most this often per session. */
const LAST_SEEN_GRANULARITY_MS = 5 * 60 * 1000;

/** A validated session, as the API layer needs it. */
export interface SessionContext {
  /** SHA-256 hex of the token (adm_sessions.id). */
  id: string;
  userId: string | null;
  user: { id: string; email: string; fullName: string | null } | null;
  display: { id: string; name: string; tenantId: string } | null;
  activeTenantId: string | null;
  expiresAt: Date;
}

export interface ClientMeta {
  ipAddress?: string | null;
  userAgent?: string | null;
}

/**
 * Creates a session and returns its token (for the cookie; never stored) and row.
 * `db` must allow the insert: the user's own scope, or system.
 */
export async function createSession(
  db: Db,
  subject:
    | { userId: string; activeTenantId: string | null }
    | { displayTokenId: string; tenantId: string; notAfter?: Date | null },
  meta: ClientMeta = {},
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const token = generateToken();
  const id = hashToken(token);
  let expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  if ("displayTokenId" in subject && subject.notAfter && subject.notAfter < expiresAt) expiresAt = subject.notAfter;
  await db.session.create({
    data: {
      id,
      expiresAt,
      ipAddress: meta.ipAddress?.slice(0, 64) ?? null,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      ...("userId" in subject
        ? { userId: subject.userId, activeTenantId: subject.activeTenantId }
        : { displayTokenId: subject.displayTokenId, activeTenantId: subject.tenantId }),
    },
  });
  return { token, id, expiresAt };
}

/**
 * Looks a token up (system scope: the owner is not known yet), deletes it if expired or if its
 * subject can no longer sign in (user suspended or deleted, display token revoked or expired),
 * extends it when past half its life. Returns null for any unusable token; `renewed` tells the
 * caller to re-send the cookie with the new expiry.
 */
export async function validateSessionToken(
  prisma: PrismaClient,
  token: string,
): Promise<{ session: SessionContext; renewed: boolean } | null> {
  if (!/^[a-z2-7]{20,64}$/.test(token)) return null;
  const id = hashToken(token);
  return withScope(prisma, { kind: "system" }, async (db) => {
    const row = await db.session.findUnique({
      where: { id },
      include: {
        user: { select: { id: true, email: true, fullName: true, status: true, deletedAt: true } },
        displayToken: { select: { id: true, name: true, tenantId: true, revokedAt: true, expiresAt: true } },
      },
    });
    if (!row) return null;
    const now = Date.now();
    const userGone = row.user && (row.user.status !== "active" || row.user.deletedAt !== null);
    const displayGone =
      row.displayToken &&
      (row.displayToken.revokedAt !== null || (row.displayToken.expiresAt?.getTime() ?? Infinity) <= now);
    if (row.expiresAt.getTime() <= now || userGone || displayGone || (!row.user && !row.displayToken)) {
      await db.session.deleteMany({ where: { id } });
      return null;
    }
    let expiresAt = row.expiresAt;
    let renewed = false;
    const data: { expiresAt?: Date; lastSeenAt?: Date } = {};
    if (expiresAt.getTime() - now < SESSION_RENEW_BELOW_MS) {
      const cap = row.displayToken?.expiresAt?.getTime() ?? Infinity;
      const next = new Date(Math.min(now + SESSION_TTL_MS, cap));
      if (next.getTime() > expiresAt.getTime()) {
        expiresAt = next;
        data.expiresAt = next;
        renewed = true;
      }
    }
    if (now - row.lastSeenAt.getTime() > LAST_SEEN_GRANULARITY_MS) data.lastSeenAt = new Date(now);
    if (data.expiresAt || data.lastSeenAt) await db.session.update({ where: { id }, data });
    return {
      renewed,
      session: {
        id,
        userId: row.userId,
        user: row.user ? { id: row.user.id, email: row.user.email, fullName: row.user.fullName } : null,
        display: row.displayToken
          ? { id: row.displayToken.id, name: row.displayToken.name, tenantId: row.displayToken.tenantId }
          : null,
        activeTenantId: row.activeTenantId,
        expiresAt,
      },
    };
  });
}

/** Deletes one session (logout). */
export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}

/**
 * Deletes a user's sessions: all of them, or all but `exceptSessionId` ("sign out other sessions",
 * password change). `db` must see the user's sessions (their own scope, or system).
 * @returns how many were deleted
 */
export async function invalidateUserSessions(
  db: Db,
  userId: string,
  opts: { exceptSessionId?: string } = {},
): Promise<number> {
  const result = await db.session.deleteMany({
    where: { userId, ...(opts.exceptSessionId ? { id: { not: opts.exceptSessionId } } : {}) },
  });
  return result.count;
}

/**
 * Ends a member's sessions working in the transaction's current tenant (role change, removal), from
 * that tenant's scope, through the database function app_end_member_sessions (migration
 * 20261121020000): the tenant scope may not read other people's sessions, and the function cannot
 * reach beyond the current tenant.
 * @returns how many were deleted
 */
export async function endMemberSessions(db: Db, userId: string): Promise<number> {
  const rows = await db.$queryRaw<{ n: number }[]>`SELECT app_end_member_sessions(${userId}::uuid) AS n`;
  return rows[0]?.n ?? 0;
}
