/**
 * The audit log (adm_audit_logs): one row per mutation, written in the mutation's own transaction so
 * the record and the change commit or roll back together. Rows are never updated or deleted (the
 * application role lacks the privileges and a trigger rejects both).
 */
import type { Db, Prisma } from "@fleetcore/db";
import type { AuditLogEntry, ListAuditLogRequest } from "@fleetcore/validators";
import { ZListAuditLogRequest } from "@fleetcore/validators";

/** Who acts, and from where (recorded on every audit row). */
export interface Actor {
  type: "user" | "provider" | "display" | "system";
  userId: string | null;
  email: string | null;
  ipAddress: string | null;
  userAgent: string | null;
}

/** An anonymous or platform actor (failed logins, jobs). */
export function systemActor(meta: { ipAddress?: string | null; userAgent?: string | null } = {}): Actor {
  return {
    type: "system",
    userId: null,
    email: null,
    ipAddress: meta.ipAddress ?? null,
    userAgent: meta.userAgent ?? null,
  };
}

/** What happened. `before`/`after` are entity snapshots; only fields that differ are recorded. */
export interface AuditEvent {
  tenantId: string | null;
  entityType: string;
  entityId?: string | null;
  /** Dotted verb: "vehicle.created", "member.role_changed", "auth.login_failed"… */
  action: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  metadata?: Record<string, unknown>;
}

/** Field names never written to the log, whatever the entity. */
const SECRET_FIELDS = new Set(["passwordHash", "password", "token", "tokenHash", "secret"]);

type Changes = Record<string, { before: unknown; after: unknown }>;

function normalise(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value === undefined ? null : value;
}

/**
 * Field-level difference of two snapshots: `{ field: { before, after } }` for every field whose
 * JSON value differs (a creation has before = null, a deletion after = null). Secrets are omitted.
 */
export function diffFields(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): Changes {
  const changes: Changes = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    if (SECRET_FIELDS.has(key)) continue;
    const b = normalise(before?.[key]);
    const a = normalise(after?.[key]);
    if (JSON.stringify(b) !== JSON.stringify(a)) changes[key] = { before: b, after: a };
  }
  return changes;
}

/**
 * Writes audit rows for one actor within one transaction and counts them (the API checks that every
 * mutation wrote at least one).
 */
export class AuditTrail {
  count = 0;
  constructor(
    readonly db: Db,
    readonly actor: Actor,
  ) {}

  /**
   * Appends one row. Throws what the database throws (the surrounding transaction rolls back).
   * createMany, because it inserts without RETURNING: a row the actor may write but not read back
   * (e.g. a platform-level entry with no tenant) would otherwise fail the SELECT policy.
   */
  async record(event: AuditEvent): Promise<void> {
    await this.db.auditLog.createMany({
      data: {
        tenantId: event.tenantId,
        actorType: this.actor.type,
        actorUserId: this.actor.userId,
        actorEmail: this.actor.email,
        entityType: event.entityType,
        entityId: event.entityId ?? null,
        action: event.action,
        changes: diffFields(event.before, event.after) as Prisma.InputJsonValue,
        metadata: (event.metadata ?? {}) as Prisma.InputJsonValue,
        ipAddress: this.actor.ipAddress,
        userAgent: this.actor.userAgent,
      },
    });
    this.count += 1;
  }
}

/** A service call's transaction plus its audit trail: what every mutating domain service receives. */
export interface Tx {
  db: Db;
  audit: AuditTrail;
}

/**
 * Opens a new, short transaction (in the caller's scope, with its audit trail) per call: what a
 * service receives when it also calls an external API (Stripe). A transaction must never wait on the
 * network — it would hold a pooled connection, and any row locks, for as long as the call takes — so
 * such a service reads in one transaction, calls out with none open, and writes in another.
 */
export type InTransaction = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/**
 * Lists audit entries, newest first, filtered; the database's row-level security limits what is
 * visible (a tenant scope sees its tenant only). `tenantId` narrows further (provider viewer).
 * Keyset pagination on (created_at, id) via `cursor` = the last id of the previous page.
 */
export async function listAuditLog(
  db: Db,
  input: ListAuditLogRequest,
): Promise<{ entries: AuditLogEntry[]; nextCursor: string | null }> {
  const q = ZListAuditLogRequest.parse(input);
  const where: Prisma.AuditLogWhereInput = {
    ...(q.tenantId ? { tenantId: q.tenantId } : {}),
    ...(q.entityType ? { entityType: q.entityType } : {}),
    ...(q.action ? { action: { contains: q.action, mode: "insensitive" } } : {}),
    ...(q.actorEmail ? { actorEmail: { contains: q.actorEmail.toLowerCase() } } : {}),
    ...(q.from || q.to ? { createdAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
  };
  if (q.cursor) {
    const anchor = await db.auditLog.findFirst({ where: { id: q.cursor }, select: { createdAt: true, id: true } });
    if (anchor) {
      where.OR = [{ createdAt: { lt: anchor.createdAt } }, { createdAt: anchor.createdAt, id: { lt: anchor.id } }];
    }
  }
  const rows = await db.auditLog.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const tenantIds = [...new Set(page.map((r) => r.tenantId).filter((id): id is string => id !== null))];
  const tenants = tenantIds.length
    ? await db.tenant.findMany({ where: { id: { in: tenantIds } }, select: { id: true, name: true } })
    : [];
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  return {
    entries: page.map((r) => ({
      id: r.id,
      tenantId: r.tenantId,
      tenantName: r.tenantId ? (names.get(r.tenantId) ?? null) : null,
      actorType: r.actorType,
      actorUserId: r.actorUserId,
      actorEmail: r.actorEmail,
      entityType: r.entityType,
      entityId: r.entityId,
      action: r.action,
      changes: (r.changes ?? {}) as Changes,
      metadata: (r.metadata ?? {}) as Record<string, unknown>,
      ipAddress: r.ipAddress,
      userAgent: r.userAgent,
      createdAt: r.createdAt,
    })),
    nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
