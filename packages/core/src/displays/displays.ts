/**
 * Wall-display tokens: a tenant admin names a screen and gets a token (shown once, stored as its
 * SHA-256). Opening `/display/<token>` on the screen exchanges it for a display session of its own
 * (sessions.ts), scoped to the tenant and read-only. Revoking the token ends those sessions (FK
 * cascade); an expiring token's sessions never outlive it.
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import type { CreateDisplayTokenRequest, DisplayToken } from "@fleetcore/validators";
import { ZCreateDisplayTokenRequest } from "@fleetcore/validators";
import { AuditTrail, type Tx } from "../audit/audit";
import { DomainError } from "../errors";
import { isTenantLocked } from "../identity/access";
import { type ClientMeta, createSession } from "../identity/sessions";
import { generateToken, hashToken } from "../identity/tokens";

/** URL path a screen opens to become a wall display. */
export const displayPath = (token: string): string => `/display/${token}`;

/** Counts only live sessions (the relation filter is built per call: it holds "now"). */
const include = () =>
  ({
    createdBy: { select: { email: true } },
    _count: { select: { sessions: { where: { expiresAt: { gt: new Date() } } } } },
  }) as const;

function toDisplay(row: {
  id: string;
  name: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  createdBy: { email: string } | null;
  _count: { sessions: number };
}): DisplayToken {
  return {
    id: row.id,
    name: row.name,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    createdAt: row.createdAt,
    createdBy: row.createdBy?.email ?? null,
    activeSessions: row._count.sessions,
  };
}

/** A tenant's display tokens, newest first (revoked ones included, flagged). */
export async function listDisplayTokens(db: Db, tenantId: string): Promise<DisplayToken[]> {
  const rows = await db.displayToken.findMany({
    where: { tenantId },
    include: include(),
    orderBy: { createdAt: "desc" },
  });
  return rows.map(toDisplay);
}

/**
 * Creates a display token. Returns it once, with the path to open on the screen.
 * @throws DomainError("invalid") when expiresAt is not in the future
 */
export async function createDisplayToken(
  tx: Tx,
  tenantId: string,
  input: CreateDisplayTokenRequest,
): Promise<{ display: DisplayToken; token: string; path: string }> {
  const { db, audit } = tx;
  const { name, expiresAt } = ZCreateDisplayTokenRequest.parse(input);
  if (expiresAt && expiresAt <= new Date()) throw new DomainError("invalid", "The expiry must be in the future");
  const token = generateToken();
  const row = await db.displayToken.create({
    data: {
      tenantId,
      name,
      tokenHash: hashToken(token),
      expiresAt: expiresAt ?? null,
      createdByUserId: audit.actor.userId,
    },
    include: include(),
  });
  await audit.record({
    tenantId,
    entityType: "display_token",
    entityId: row.id,
    action: "display_token.created",
    after: { name, expiresAt: expiresAt ?? null },
  });
  return { display: toDisplay(row), token, path: displayPath(token) };
}

/** Revokes a token and ends its screens' sessions. @throws DomainError not_found (unknown or already revoked) */
export async function revokeDisplayToken(tx: Tx, tenantId: string, displayTokenId: string): Promise<void> {
  const { db, audit } = tx;
  const now = new Date();
  const updated = await db.displayToken.updateMany({
    where: { id: displayTokenId, tenantId, revokedAt: null },
    data: { revokedAt: now },
  });
  if (updated.count !== 1) throw new DomainError("not_found", "display token not found or already revoked");
  const ended = await db.session.deleteMany({ where: { displayTokenId } });
  await audit.record({
    tenantId,
    entityType: "display_token",
    entityId: displayTokenId,
    action: "display_token.revoked",
    before: { revokedAt: null },
    after: { revokedAt: now },
    metadata: { sessionsEnded: ended.count },
  });
}

/**
 * Checks a raw display token (system scope) and returns its display, or null when unknown,
 * revoked, expired, or its tenant is suspended/closed/deleted.
 */
export async function findUsableDisplayToken(
  db: Db,
  token: string,
): Promise<{ id: string; name: string; tenantId: string; expiresAt: Date | null } | null> {
  if (!/^[a-z2-7]{20,64}$/.test(token)) return null;
  const row = await db.displayToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { tenant: { select: { status: true, deletedAt: true } } },
  });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= new Date())) return null;
  if (row.tenant.deletedAt || isTenantLocked(row.tenant.status)) return null;
  return { id: row.id, name: row.name, tenantId: row.tenantId, expiresAt: row.expiresAt };
}

/**
 * Exchanges a display token for a display session (what `GET /display/<token>` does).
 * @throws DomainError("unauthorized") for an unusable token
 */
export async function openDisplaySession(
  prisma: PrismaClient,
  token: string,
  meta: ClientMeta,
): Promise<{ token: string; expiresAt: Date; tenantId: string }> {
  return withScope(prisma, { kind: "system" }, async (db) => {
    const display = await findUsableDisplayToken(db, token);
    if (!display) throw new DomainError("unauthorized", "This display link is not valid (revoked or expired)");
    const session = await createSession(
      db,
      { displayTokenId: display.id, tenantId: display.tenantId, notAfter: display.expiresAt },
      meta,
    );
    await db.displayToken.update({ where: { id: display.id }, data: { lastUsedAt: new Date() } });
    await new AuditTrail(db, {
      type: "display",
      userId: null,
      email: null,
      ipAddress: meta.ipAddress ?? null,
      userAgent: meta.userAgent ?? null,
    }).record({
      tenantId: display.tenantId,
      entityType: "display_token",
      entityId: display.id,
      action: "display_token.session_opened",
      metadata: { name: display.name },
    });
    return { token: session.token, expiresAt: session.expiresAt, tenantId: display.tenantId };
  });
}
