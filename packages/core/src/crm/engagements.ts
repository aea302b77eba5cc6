/**
 * Customer engagements (crm_engagements; customer-health.md "Engagement Tracking"): meetings,
 * calls, emails, notes, demos and trainings with a tenant — outcome, attendees (name, email, role),
 * scheduled and completed times. An engagement "happened" at completedAt, else scheduledAt, else
 * when it was logged (`occurredAt`), which orders lists and the tenant timeline. Soft-deleted;
 * every change audited (`crm_engagement.*`, with the tenant).
 */
import { type Db, Prisma } from "@fleetcore/db";
import {
  type CreateCrmEngagementRequest,
  type CrmEngagement,
  type ListCrmEngagementsRequest,
  type UpdateCrmEngagementRequest,
  ZCreateCrmEngagementRequest,
  ZListCrmEngagementsRequest,
  ZUpdateCrmEngagementRequest,
} from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { DomainError } from "../errors";
import { userEmails } from "../support/shared";
import { assertTenant, parseInput } from "./shared";

type EngagementRow = Prisma.CrmEngagementModel;
type Attendee = CrmEngagement["attendees"][number];

/** The stored attendees, tolerating malformed JSON (never throws). */
function attendeesOf(value: Prisma.JsonValue): Attendee[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((a) => {
    if (typeof a !== "object" || a === null || Array.isArray(a)) return [];
    const r = a as Record<string, unknown>;
    return typeof r.name === "string"
      ? [
          {
            name: r.name,
            email: typeof r.email === "string" ? r.email : "",
            role: typeof r.role === "string" ? r.role : "",
          },
        ]
      : [];
  });
}

/** When an engagement happened: completed, else scheduled, else logged. */
export function engagementOccurredAt(e: { completedAt: Date | null; scheduledAt: Date | null; createdAt: Date }): Date {
  return e.completedAt ?? e.scheduledAt ?? e.createdAt;
}

function toEngagement(row: EngagementRow, emails: Map<string, string>): CrmEngagement {
  return {
    id: row.id,
    tenantId: row.tenantId,
    type: row.type,
    title: row.title,
    description: row.description,
    outcome: row.outcome,
    scheduledAt: row.scheduledAt,
    completedAt: row.completedAt,
    occurredAt: engagementOccurredAt(row),
    attendees: attendeesOf(row.attendees),
    createdByUserId: row.createdByUserId,
    createdByEmail: row.createdByUserId ? (emails.get(row.createdByUserId) ?? null) : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Emails of the rows' creators (one query). */
function creatorEmails(db: Db, rows: readonly EngagementRow[]): Promise<Map<string, string>> {
  return userEmails(
    db,
    rows.map((r) => r.createdByUserId),
  );
}

function snapshot(row: EngagementRow) {
  return {
    type: row.type,
    title: row.title,
    description: row.description,
    outcome: row.outcome,
    scheduledAt: row.scheduledAt,
    completedAt: row.completedAt,
    attendees: attendeesOf(row.attendees),
  };
}

async function findLive(db: Db, engagementId: string): Promise<EngagementRow> {
  const row = await db.crmEngagement.findFirst({ where: { id: engagementId, deletedAt: null } });
  if (!row) throw new DomainError("not_found", "engagement not found");
  return row;
}

/**
 * A tenant's live engagements, newest first by when they happened (completed ?? scheduled ??
 * logged), optionally of one type or outcome and happening within [from, to).
 */
export async function listEngagements(db: Db, input: ListCrmEngagementsRequest): Promise<CrmEngagement[]> {
  const q = parseInput(ZListCrmEngagementsRequest, input);
  // Order and limit in SQL (Prisma cannot order by an expression), then load those rows in that order.
  const occurredAt = Prisma.sql`COALESCE(completed_at, scheduled_at, created_at)`;
  const page = await db.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM crm_engagements
     WHERE tenant_id = ${q.tenantId}::uuid AND deleted_at IS NULL
       ${q.type ? Prisma.sql`AND type = ${q.type}::crm_engagement_type` : Prisma.empty}
       ${q.outcome ? Prisma.sql`AND outcome = ${q.outcome}::crm_engagement_outcome` : Prisma.empty}
       ${q.from ? Prisma.sql`AND ${occurredAt} >= ${q.from}` : Prisma.empty}
       ${q.to ? Prisma.sql`AND ${occurredAt} < ${q.to}` : Prisma.empty}
     ORDER BY ${occurredAt} DESC, id DESC
     LIMIT ${q.limit}`;
  const ids = page.map((r) => r.id);
  const rows = ids.length ? await db.crmEngagement.findMany({ where: { id: { in: ids } } }) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ordered = ids.map((id) => byId.get(id)).filter((r): r is EngagementRow => r !== undefined);
  const emails = await creatorEmails(db, ordered);
  return ordered.map((r) => toEngagement(r, emails));
}

/** Logs an engagement for a tenant (audited `crm_engagement.created`). @throws DomainError("invalid") */
export async function createEngagement(tx: Tx, input: CreateCrmEngagementRequest): Promise<CrmEngagement> {
  const data = parseInput(ZCreateCrmEngagementRequest, input);
  await assertTenant(tx.db, data.tenantId);
  const row = await tx.db.crmEngagement.create({
    data: {
      tenantId: data.tenantId,
      createdByUserId: tx.audit.actor.userId,
      type: data.type,
      title: data.title,
      description: data.description || null,
      outcome: data.outcome ?? null,
      scheduledAt: data.scheduledAt ?? null,
      completedAt: data.completedAt ?? null,
      attendees: data.attendees as Prisma.InputJsonValue,
    },
  });
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "crm_engagement",
    entityId: row.id,
    action: "crm_engagement.created",
    after: snapshot(row),
  });
  return toEngagement(row, await creatorEmails(tx.db, [row]));
}

/**
 * Changes the given fields (`null` clears description, outcome and the times); audited
 * `crm_engagement.updated` with the difference. @throws DomainError("not_found"), ("invalid")
 */
export async function updateEngagement(tx: Tx, input: UpdateCrmEngagementRequest): Promise<CrmEngagement> {
  const { engagementId, ...data } = parseInput(ZUpdateCrmEngagementRequest, input);
  const before = await findLive(tx.db, engagementId);
  const row = await tx.db.crmEngagement.update({
    where: { id: engagementId },
    data: {
      ...(data.type === undefined ? {} : { type: data.type }),
      ...(data.title === undefined ? {} : { title: data.title }),
      ...(data.description === undefined ? {} : { description: data.description || null }),
      ...(data.outcome === undefined ? {} : { outcome: data.outcome }),
      ...(data.scheduledAt === undefined ? {} : { scheduledAt: data.scheduledAt }),
      ...(data.completedAt === undefined ? {} : { completedAt: data.completedAt }),
      ...(data.attendees === undefined ? {} : { attendees: data.attendees as Prisma.InputJsonValue }),
    },
  });
  const [b, a] = [snapshot(before), snapshot(row)];
  if (JSON.stringify(b) !== JSON.stringify(a)) {
    await tx.audit.record({
      tenantId: row.tenantId,
      entityType: "crm_engagement",
      entityId: row.id,
      action: "crm_engagement.updated",
      before: b,
      after: a,
    });
  }
  return toEngagement(row, await creatorEmails(tx.db, [row]));
}

/** Soft-deletes an engagement (audited `crm_engagement.deleted`). @throws DomainError("not_found") */
export async function deleteEngagement(tx: Tx, engagementId: string): Promise<void> {
  const before = await findLive(tx.db, engagementId);
  await tx.db.crmEngagement.update({ where: { id: engagementId }, data: { deletedAt: new Date() } });
  await tx.audit.record({
    tenantId: before.tenantId,
    entityType: "crm_engagement",
    entityId: engagementId,
    action: "crm_engagement.deleted",
    before: snapshot(before),
    after: null,
  });
}
