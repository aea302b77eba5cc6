/**
 * Customer feedback (sup_customer_feedback): CSAT and NPS.
 *
 * - CSAT ("customer satisfaction", 1–5): asked of a ticket's requester when the ticket is resolved
 *   (./tickets.ts creates the request). The requester answers on the ticket page and may change the
 *   answer until the ticket is closed.
 * - NPS (Net Promoter Score, Reichheld 2003: "How likely is it that you would recommend Fleetcore to a
 *   friend or colleague?", 0–10): provider staff ask a tenant; one pending request is created per
 *   active member holding one of the chosen roles — owner and admin by default, the people who decide
 *   on the subscription — skipping members who still have an unanswered NPS request. Answered once.
 *   Besides, every tenant is surveyed every {@link NPS_SURVEY_INTERVAL_DAYS} days on its own
 *   ({@link requestDueNps}, run by the server's housekeeping): relationship NPS on a fixed cadence.
 *
 * A request is a row with `rating` null; answering fills `rating`, `comment` and `respondedAt`.
 * Tenant scopes see their tenant's rows only (row-level security).
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import type { FeedbackItem } from "@fleetcore/validators";
import { AuditTrail, systemActor, type Tx } from "../audit/audit";
import type { EmailTransport } from "../email/transport";
import { DomainError } from "../errors";
import { type CreatedNotification, notify } from "../notifications/notifications";
import { noOutcome, type SupportOutcome, ticketEvent, toFeedbackItem, userNames } from "./shared";

const FEEDBACK_INCLUDE = { ticket: { select: { number: true, subject: true } } } as const;

/** Rating ranges per kind (inclusive). */
export const FEEDBACK_RATING_RANGE = { csat: [1, 5], nps: [0, 10] } as const;

/** The caller's unanswered feedback requests in `tenantId`, newest first (tenant scope). */
export async function listPendingFeedback(db: Db, tenantId: string, userId: string): Promise<FeedbackItem[]> {
  const rows = await db.supCustomerFeedback.findMany({
    where: { tenantId, recipientUserId: userId, rating: null },
    include: FEEDBACK_INCLUDE,
    orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
    take: 50,
  });
  const names = await userNames(db, [userId]);
  return rows.map((r) => toFeedbackItem(r, names));
}

/** Every CSAT and NPS request and answer of a tenant, newest first (at most 500). */
export async function listTenantFeedback(db: Db, tenantId: string): Promise<FeedbackItem[]> {
  const rows = await db.supCustomerFeedback.findMany({
    where: { tenantId },
    include: FEEDBACK_INCLUDE,
    orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
    take: 500,
  });
  const names = await userNames(
    db,
    rows.map((r) => r.recipientUserId),
  );
  return rows.map((r) => toFeedbackItem(r, names));
}

/**
 * Answers a feedback request (tenant scope): only its recipient may; CSAT 1–5 (changeable until the
 * ticket is closed), NPS 0–10 (once). Audited `support_feedback.answered`; a CSAT answer emits
 * `ticket:updated` (change "feedback") so the agents see it.
 * @throws DomainError("not_found") unknown, another tenant's or someone else's request, ("invalid")
 *   rating out of range, ("conflict") already answered (NPS) or ticket closed (CSAT change)
 */
export async function answerFeedback(
  tx: Tx,
  tenantId: string,
  userId: string,
  input: { feedbackId: string; rating: number; comment?: string | undefined },
  now = new Date(),
): Promise<{ item: FeedbackItem; outcome: SupportOutcome }> {
  const row = await tx.db.supCustomerFeedback.findFirst({
    where: { id: input.feedbackId, tenantId, recipientUserId: userId },
    include: { ticket: { select: { id: true, number: true, subject: true, status: true, tenantId: true } } },
  });
  if (!row) throw new DomainError("not_found", "feedback request not found");
  const [min, max] = FEEDBACK_RATING_RANGE[row.kind];
  if (!Number.isInteger(input.rating) || input.rating < min || input.rating > max) {
    throw new DomainError("invalid", `rating: ${row.kind === "csat" ? "CSAT" : "NPS"} ratings are ${min}–${max}`);
  }
  if (row.rating !== null) {
    if (row.kind === "nps") throw new DomainError("conflict", "you already answered this survey");
    if (row.ticket?.status === "closed") {
      throw new DomainError("conflict", `ticket #${row.ticket.number} is closed: its rating can no longer change`);
    }
  }
  const comment = input.comment?.trim() || null;
  const updated = await tx.db.supCustomerFeedback.update({
    where: { id: row.id },
    data: { rating: input.rating, comment, respondedAt: now },
    include: FEEDBACK_INCLUDE,
  });
  await tx.audit.record({
    tenantId,
    entityType: "support_feedback",
    entityId: row.id,
    action: "support_feedback.answered",
    before: { rating: row.rating, comment: row.comment },
    after: { rating: input.rating, comment },
    metadata: { kind: row.kind, ...(row.ticket ? { ticketNumber: row.ticket.number } : {}) },
  });
  const outcome = noOutcome();
  if (row.ticket) outcome.events.push(ticketEvent(row.ticket, "feedback", now));
  const names = await userNames(tx.db, [userId]);
  return { item: toFeedbackItem(updated, names), outcome };
}

/**
 * Asks a tenant's active members with one of `roles` for an NPS answer (provider or system scope): one
 * pending request each, skipping members who have an unanswered one; each is notified (in-app and
 * email). Audited `support_feedback.nps_requested`. `requestedByUserId` null: the periodic survey.
 * @returns how many were asked and how many skipped
 * @throws DomainError("not_found") unknown tenant
 */
export async function requestNps(
  tx: Tx,
  requestedByUserId: string | null,
  input: { tenantId: string; roles: string[] },
  now = new Date(),
): Promise<{ requested: number; skipped: number; outcome: SupportOutcome }> {
  const tenant = await tx.db.tenant.findFirst({
    where: { id: input.tenantId, deletedAt: null },
    select: { name: true },
  });
  if (!tenant) throw new DomainError("not_found", "tenant not found");
  const members = await tx.db.member.findMany({
    where: {
      tenantId: input.tenantId,
      status: "active",
      deletedAt: null,
      user: { deletedAt: null, status: "active" },
      roles: { some: { role: { name: { in: input.roles } } } },
    },
    select: { userId: true },
  });
  const pending = await tx.db.supCustomerFeedback.findMany({
    where: { tenantId: input.tenantId, kind: "nps", rating: null },
    select: { recipientUserId: true },
  });
  const waiting = new Set(pending.map((p) => p.recipientUserId));
  const recipients = [...new Set(members.map((m) => m.userId))].filter((id) => !waiting.has(id));
  if (recipients.length > 0) {
    await tx.db.supCustomerFeedback.createMany({
      data: recipients.map((recipientUserId) => ({
        tenantId: input.tenantId,
        kind: "nps" as const,
        recipientUserId,
        requestedByUserId,
        requestedAt: now,
      })),
    });
  }
  await tx.audit.record({
    tenantId: input.tenantId,
    entityType: "support_feedback",
    action: "support_feedback.nps_requested",
    metadata: { roles: input.roles, requested: recipients.length, skipped: members.length - recipients.length },
  });
  const outcome = noOutcome();
  if (recipients.length > 0) {
    outcome.notifications.push({
      userIds: recipients,
      tenantId: input.tenantId,
      kind: "feedback.requested",
      title: "How likely are you to recommend Fleetcore?",
      body: `Fleetcore would like your opinion as a member of ${tenant.name}: one question, 0–10, on the support page.`,
      link: "/support",
    });
  }
  return { requested: recipients.length, skipped: members.length - recipients.length, outcome };
}

/** Days between two periodic NPS surveys of a tenant (relationship NPS, quarterly). */
export const NPS_SURVEY_INTERVAL_DAYS = 90;

/** A tenant is first surveyed once it is this old: onboarding is not the time to ask. */
const NPS_FIRST_SURVEY_AFTER_DAYS = 30;

/**
 * The periodic NPS survey: every active tenant at least {@link NPS_FIRST_SURVEY_AFTER_DAYS} days old
 * whose latest NPS request (by staff or by this job) is older than `intervalDays` has its owners and
 * admins asked ({@link requestNps}, requested by nobody: the system), in-app and by email — those
 * without an unanswered request (a tenant where everyone still has one is skipped). The seed's
 * modelled demo tenants are left out. One system-scope transaction under an advisory lock, so
 * several server processes never survey a tenant twice.
 * @returns how many tenants were surveyed and people asked, and the notifications to emit after commit
 */
export async function requestDueNps(
  prisma: PrismaClient,
  now = new Date(),
  opts: { intervalDays?: number; email?: { transport: EmailTransport; publicUrl: string } } = {},
): Promise<{ tenants: number; requested: number; notifications: CreatedNotification[] }> {
  const intervalDays = opts.intervalDays ?? NPS_SURVEY_INTERVAL_DAYS;
  return withScope(prisma, { kind: "system" }, async (db) => {
    await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('fleetcore.nps.periodic', 0))`;
    const due = await db.$queryRaw<{ id: string }[]>`
      SELECT t.id::text AS id
        FROM adm_tenants t
       WHERE t.deleted_at IS NULL AND t.status = 'active'
         AND t.created_at <= ${new Date(now.getTime() - NPS_FIRST_SURVEY_AFTER_DAYS * 86_400_000)}
         AND NOT coalesce(t.metadata @> '{"demoPortfolio": true}'::jsonb, false)
         AND NOT EXISTS (SELECT 1 FROM sup_customer_feedback f
                          WHERE f.tenant_id = t.id AND f.kind = 'nps'
                            AND f.requested_at > ${new Date(now.getTime() - intervalDays * 86_400_000)})
         -- someone to ask: an active owner or admin without an unanswered NPS request
         AND EXISTS (SELECT 1 FROM adm_members m
                       JOIN adm_users u ON u.id = m.user_id AND u.deleted_at IS NULL AND u.status = 'active'
                       JOIN adm_member_roles mr ON mr.member_id = m.id
                       JOIN adm_roles r ON r.id = mr.role_id AND r.tenant_id IS NULL AND r.name IN ('owner', 'admin')
                      WHERE m.tenant_id = t.id AND m.status = 'active' AND m.deleted_at IS NULL
                        AND NOT EXISTS (SELECT 1 FROM sup_customer_feedback p
                                         WHERE p.tenant_id = t.id AND p.kind = 'nps' AND p.rating IS NULL
                                           AND p.recipient_user_id = m.user_id))
       ORDER BY t.id`;
    const tx: Tx = { db, audit: new AuditTrail(db, systemActor()) };
    const result = { tenants: 0, requested: 0, notifications: [] as CreatedNotification[] };
    for (const { id } of due) {
      const asked = await requestNps(tx, null, { tenantId: id, roles: ["owner", "admin"] }, now);
      if (asked.requested === 0) continue;
      result.tenants += 1;
      result.requested += asked.requested;
      for (const draft of asked.outcome.notifications) {
        const users = await db.user.findMany({
          where: { id: { in: draft.userIds } },
          select: { id: true, email: true },
        });
        result.notifications.push(
          ...(await notify(
            db,
            draft,
            opts.email ? { ...opts.email, addresses: new Map(users.map((u) => [u.id, u.email])) } : undefined,
          )),
        );
      }
    }
    return result;
  });
}
