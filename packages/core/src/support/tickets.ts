/**
 * Support tickets (sup_tickets and their messages, status changes and attachments): opened by tenant
 * users (or by an agent on a tenant member's behalf), answered by provider support agents.
 *
 * - Tenant-side functions run in the tenant's scope: row-level security hides internal notes, their
 *   files and other tenants' tickets, whatever these functions ask for (an id of another tenant's
 *   ticket is NOT_FOUND).
 * - Agent-side functions run in the provider scope and see everything.
 * - Status moves follow ./ticketStatus.ts; each writes a sup_ticket_status_changes row. SLA due times
 *   and measurements follow ./sla.ts (first response: the first public agent reply; the resolution
 *   clock pauses while awaiting the customer and while resolved).
 * - Mutations are audited (entity `support_ticket`) and return a {@link SupportOutcome}: the live
 *   events and notifications for the caller to deliver after commit. Notifications: a new ticket tells
 *   the assignee or all support staff; an agent's public reply tells the requester; a customer reply
 *   tells the assignee (or all support staff); a resolution tells the requester (with the CSAT ask).
 *   Internal notes notify nobody on the tenant side.
 */
import { type Db, inSequence, Prisma, type PrismaClient, withScope } from "@fleetcore/db";
import type {
  AgentCreateTicketRequest,
  AgentReplyRequest,
  CreateTicketRequest,
  SupportQueueRequest,
  TicketCategory,
  TicketDetail,
  TicketMutationResult,
  TicketPriority,
  TicketStatusName,
  TicketSummary,
} from "@fleetcore/validators";
import {
  ZAgentCreateTicketRequest,
  ZAgentReplyRequest,
  ZCreateTicketRequest,
  ZReplyTicketRequest,
  ZSupportQueueRequest,
} from "@fleetcore/validators";
import { AuditTrail, systemActor, type Tx } from "../audit/audit";
import { DomainError, parseInput } from "../errors";
import type { NotificationDraft } from "../notifications/notifications";
import {
  loadCalendar,
  loadPolicy,
  noOutcome,
  type SupportOutcome,
  supportStaffToNotify,
  TICKET_SUMMARY_INCLUDE,
  type TicketRow,
  ticketEvent,
  ticketLinks,
  toAttachment,
  toFeedbackItem,
  toTicketSummaries,
  toTicketSummary,
  userNames,
} from "./shared";
import { pausedSlaMinutes, resumeResolutionDueAt, SLA_PAUSED_STATUSES, slaDueTimes, slaMinutesBetween } from "./sla";
import {
  AUTO_CLOSE_RESOLVED_AFTER_DAYS,
  allowedTransitions,
  assertTransition,
  type TicketActorSide,
} from "./ticketStatus";

/** Who acts on a ticket: a person on the requester's side or an agent (with their employee id). */
export type SupportActor =
  | { side: "requester"; userId: string }
  | { side: "agent"; userId: string; employeeId: string }
  | { side: "system"; userId: null };

/** The ticket row (tenant-scoped lookup when `tenantId` is given). @throws DomainError("not_found") */
async function findTicket(db: Db, ticketId: string, tenantId?: string): Promise<TicketRow> {
  const row = await db.supTicket.findFirst({
    where: { id: ticketId, ...(tenantId ? { tenantId } : {}) },
    include: TICKET_SUMMARY_INCLUDE,
  });
  if (!row) throw new DomainError("not_found", "ticket not found");
  return row;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Locks the ticket row until the transaction ends (`SELECT … FOR UPDATE`), so changes of one ticket
 * run one after another: the second waits, then reads what the first committed. Every write path
 * takes it before reading the row. Nothing is locked for an id the scope cannot see (the read that
 * follows reports it NOT_FOUND).
 */
async function lockTicket(db: Db, ticketId: string): Promise<void> {
  if (!UUID.test(ticketId)) return;
  await db.$queryRaw`SELECT 1 FROM sup_tickets WHERE id = ${ticketId}::uuid FOR UPDATE`;
}

/** {@link findTicket} after {@link lockTicket}: the row as it is once no other change of it is running. */
async function findTicketForUpdate(db: Db, ticketId: string, tenantId?: string): Promise<TicketRow> {
  await lockTicket(db, ticketId);
  return findTicket(db, ticketId, tenantId);
}

/**
 * Links uploaded files to a ticket (and message): only files `userId` uploaded into `tenantId` that
 * are not linked to anything yet. A public link makes the file visible to the tenant; a link to an
 * internal note keeps (or makes) it provider-only.
 * @throws DomainError("invalid") when a file is unknown, someone else's, another tenant's or already attached
 */
async function linkFiles(
  db: Db,
  opts: {
    fileIds: string[];
    tenantId: string;
    ticketId: string;
    messageId: string | null;
    userId: string;
    internal: boolean;
  },
): Promise<number> {
  const ids = [...new Set(opts.fileIds)];
  if (ids.length === 0) return 0;
  const files = await db.docFile.findMany({
    where: {
      id: { in: ids },
      tenantId: opts.tenantId,
      uploadedByUserId: opts.userId,
      ticketAttachments: { none: {} },
      contracts: { none: {} },
    },
    select: { id: true, providerOnly: true },
  });
  if (files.length !== ids.length) {
    throw new DomainError(
      "invalid",
      "an attached file was not found, is not yours or is already attached; upload it again",
    );
  }
  const flip = files.filter((f) => f.providerOnly !== opts.internal).map((f) => f.id);
  if (flip.length > 0) {
    await db.docFile.updateMany({ where: { id: { in: flip } }, data: { providerOnly: opts.internal } });
  }
  await db.supTicketAttachment.createMany({
    data: ids.map((fileId) => ({
      ticketId: opts.ticketId,
      tenantId: opts.tenantId,
      messageId: opts.messageId,
      fileId,
      internal: opts.internal,
    })),
  });
  return ids.length;
}

/** Shared by {@link createTicket} and {@link createTicketForTenant}. */
async function insertTicket(
  tx: Tx,
  tenantId: string,
  requesterUserId: string,
  input: {
    subject: string;
    category: TicketCategory;
    priority: TicketPriority;
    description: string;
    fileIds: string[];
  },
  uploaderUserId: string,
  now: Date,
): Promise<TicketRow> {
  const [policy, calendar] = await inSequence(
    () => loadPolicy(tx.db, input.priority),
    () => loadCalendar(tx.db),
  );
  const due = slaDueTimes(now, policy, calendar);
  const created = await tx.db.supTicket.create({
    data: {
      tenantId,
      submittedByUserId: requesterUserId,
      subject: input.subject,
      description: input.description,
      category: input.category,
      priority: input.priority,
      status: "open",
      firstResponseDueAt: due.firstResponseDueAt,
      resolutionDueAt: due.resolutionDueAt,
      lastCustomerReplyAt: now,
      createdAt: now,
      updatedAt: now,
    },
    include: TICKET_SUMMARY_INCLUDE,
  });
  await tx.db.supTicketStatusChange.create({
    data: {
      ticketId: created.id,
      tenantId,
      fromStatus: null,
      toStatus: "open",
      changedByUserId: tx.audit.actor.userId,
      reason: "ticket opened",
      createdAt: now,
    },
  });
  const attached = await linkFiles(tx.db, {
    fileIds: input.fileIds,
    tenantId,
    ticketId: created.id,
    messageId: null,
    userId: uploaderUserId,
    internal: false,
  });
  await tx.audit.record({
    tenantId,
    entityType: "support_ticket",
    entityId: created.id,
    action: "support_ticket.created",
    after: {
      number: created.number,
      subject: created.subject,
      category: created.category,
      priority: created.priority,
      status: "open",
    },
    metadata: { attachments: attached, requesterUserId },
  });
  return created;
}

/**
 * Opens a ticket in `tenantId` with the acting tenant user as requester: SLA due times from the
 * priority's policy, a status change row (→ open), the given uploads attached (audited
 * `support_ticket.created`). Notifies the support staff.
 * @throws DomainError("invalid") bad input or unusable file ids
 */
export async function createTicket(
  tx: Tx,
  tenantId: string,
  requesterUserId: string,
  input: CreateTicketRequest,
  now = new Date(),
): Promise<{ ticket: TicketSummary; outcome: SupportOutcome }> {
  const data = parseInput(ZCreateTicketRequest, input);
  const row = await insertTicket(tx, tenantId, requesterUserId, data, requesterUserId, now);
  const ticket = (await toTicketSummaries(tx.db, [row], now))[0] as TicketSummary;
  const staff = await supportStaffToNotify(tx.db, null);
  return {
    ticket,
    outcome: {
      events: [ticketEvent(row, "created", now)],
      notifications: [
        {
          userIds: staff,
          tenantId,
          kind: "ticket.created",
          title: `New ticket #${row.number}: ${row.subject}`,
          body: `${ticket.tenantName} · ${row.priority} priority · ${row.category.replace("_", " ")}\n\n${row.description.slice(0, 500)}`,
          link: ticketLinks.agent(row.id),
        },
      ],
    },
  };
}

/**
 * An agent opens a ticket on behalf of `requesterUserId`, an active member of `tenantId`; the
 * agent's own uploads may be attached. The requester is notified. Provider scope.
 * @throws DomainError("not_found") unknown tenant or requester not an active member, ("invalid")
 */
export async function createTicketForTenant(
  tx: Tx,
  agent: { userId: string; employeeId: string },
  input: AgentCreateTicketRequest,
  now = new Date(),
): Promise<{ ticket: TicketSummary; outcome: SupportOutcome }> {
  const data = parseInput(ZAgentCreateTicketRequest, input);
  const member = await tx.db.member.findFirst({
    where: {
      tenantId: data.tenantId,
      userId: data.requesterUserId,
      status: "active",
      deletedAt: null,
      tenant: { deletedAt: null },
    },
    select: { id: true },
  });
  if (!member) throw new DomainError("not_found", "requester not found among the tenant's active members");
  const row = await insertTicket(tx, data.tenantId, data.requesterUserId, data, agent.userId, now);
  const ticket = (await toTicketSummaries(tx.db, [row], now))[0] as TicketSummary;
  return {
    ticket,
    outcome: {
      events: [ticketEvent(row, "created", now)],
      notifications: [
        {
          userIds: [data.requesterUserId],
          tenantId: data.tenantId,
          kind: "ticket.created",
          title: `Fleetcore support opened ticket #${row.number} for you: ${row.subject}`,
          body: row.description.slice(0, 500),
          link: ticketLinks.tenant(row.id),
        },
      ],
    },
  };
}

/** The tenant's tickets, newest first (at most 500), optionally of one status. Tenant scope. */
export async function listTenantTickets(
  db: Db,
  tenantId: string,
  filter: { status?: TicketStatusName } = {},
  now = new Date(),
): Promise<TicketSummary[]> {
  const rows = await db.supTicket.findMany({
    where: { tenantId, ...(filter.status ? { status: filter.status } : {}) },
    include: TICKET_SUMMARY_INCLUDE,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 500,
  });
  return toTicketSummaries(db, rows, now);
}

/**
 * One ticket with its thread, as `viewer` may see it. For the requester side (`internal: false`), only
 * public messages and attachments are asked for — and row-level security would drop the rest anyway.
 * @param viewer.side who reads; `canWrite` whether they may post/change (decides `allowedStatuses`, `canReply`)
 * @throws DomainError("not_found") unknown id, or (tenant scope) another tenant's ticket
 */
export async function getTicketDetail(
  db: Db,
  ticketId: string,
  viewer: { side: "agent" | "requester"; userId: string; canWrite: boolean; tenantId?: string },
  now = new Date(),
): Promise<TicketDetail> {
  const row = await findTicket(db, ticketId, viewer.tenantId);
  const publicOnly = viewer.side === "requester";
  const [messages, attachments, changes, csat] = await inSequence(
    () =>
      db.supTicketMessage.findMany({
        where: { ticketId, ...(publicOnly ? { internal: false } : {}) },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      }),
    () =>
      db.supTicketAttachment.findMany({
        where: { ticketId, ...(publicOnly ? { internal: false } : {}) },
        include: { file: { select: { fileName: true, contentType: true, sizeBytes: true } } },
        orderBy: { createdAt: "asc" },
      }),
    () => db.supTicketStatusChange.findMany({ where: { ticketId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    () =>
      db.supCustomerFeedback.findFirst({
        where: { ticketId, kind: "csat" },
        include: { ticket: { select: { number: true, subject: true } } },
        orderBy: { requestedAt: "desc" },
      }),
  );
  const names = await userNames(db, [
    row.submittedByUserId,
    row.assignedTo?.userId,
    ...messages.map((m) => m.senderUserId),
    ...changes.map((c) => c.changedByUserId),
    csat?.recipientUserId,
  ]);
  const summary = toTicketSummary(row, names, now);
  const byMessage = new Map<string, ReturnType<typeof toAttachment>[]>();
  const ticketLevel: ReturnType<typeof toAttachment>[] = [];
  for (const a of attachments) {
    const shaped = toAttachment(a);
    if (a.messageId) byMessage.set(a.messageId, [...(byMessage.get(a.messageId) ?? []), shaped]);
    else ticketLevel.push(shaped);
  }
  const side: TicketActorSide = viewer.side;
  return {
    ticket: { ...summary, description: row.description },
    attachments: ticketLevel,
    messages: messages.map((m) => ({
      id: m.id,
      senderKind: m.senderKind as "customer" | "agent" | "system",
      internal: m.internal,
      message: m.message,
      createdAt: m.createdAt,
      sender: m.senderUserId ? { userId: m.senderUserId, name: names.get(m.senderUserId) ?? "Former user" } : null,
      attachments: byMessage.get(m.id) ?? [],
    })),
    statusChanges: changes.map((c) => ({
      id: c.id,
      fromStatus: c.fromStatus,
      toStatus: c.toStatus,
      changedBy: c.changedByUserId ? (names.get(c.changedByUserId) ?? "Former user") : null,
      reason: c.reason,
      createdAt: c.createdAt,
    })),
    csat: csat ? toFeedbackItem(csat, names) : null,
    allowedStatuses: viewer.canWrite ? allowedTransitions(row.status, side) : [],
    canReply: viewer.canWrite && row.status !== "closed",
  };
}

/**
 * Moves a ticket to `to` (the caller has checked nothing else): checks the transition for the actor's
 * side, writes the status change, keeps the SLA bookkeeping (pause on entering awaiting_customer or
 * resolved, push `resolutionDueAt` on resume, measure `resolutionMinutes` on resolution, clear it on
 * reopening), creates the CSAT request on resolution, and audits `support_ticket.status_changed`.
 * @returns the updated row and what to deliver
 */
async function moveStatus(
  tx: Tx,
  row: TicketRow,
  to: TicketStatusName,
  actor: SupportActor,
  reason: string | null,
  now: Date,
): Promise<{ row: TicketRow; outcome: SupportOutcome }> {
  const from = row.status;
  assertTransition(from, to, actor.side);
  const [policy, calendar, changes] = await inSequence(
    () => loadPolicy(tx.db, row.priority),
    () => loadCalendar(tx.db),
    () =>
      tx.db.supTicketStatusChange.findMany({
        where: { ticketId: row.id },
        select: { toStatus: true, createdAt: true },
      }),
  );
  // `now` was read before the row lock was granted: a change committed while this one waited may carry a
  // later time. The history is ordered by time, so this change is stamped strictly after the last one.
  const lastChangeMs = Math.max(0, ...changes.map((c) => c.createdAt.getTime()));
  if (now.getTime() <= lastChangeMs) now = new Date(lastChangeMs + 1);
  const wasPaused = SLA_PAUSED_STATUSES.has(from);
  const willPause = SLA_PAUSED_STATUSES.has(to);
  const data: {
    status: TicketStatusName;
    slaPausedAt?: Date | null;
    resolutionDueAt?: Date;
    resolvedAt?: Date | null;
    resolutionMinutes?: number | null;
    closedAt?: Date;
  } = { status: to };
  if (!wasPaused && willPause) data.slaPausedAt = now;
  if (wasPaused && !willPause) {
    data.slaPausedAt = null;
    if (row.resolutionDueAt && row.slaPausedAt) {
      data.resolutionDueAt = resumeResolutionDueAt(
        row.resolutionDueAt,
        row.slaPausedAt,
        now,
        policy.businessHoursOnly,
        calendar,
      );
    }
  }
  if (to === "resolved") {
    data.resolvedAt = now;
    const elapsed = slaMinutesBetween(row.createdAt, now, policy.businessHoursOnly, calendar);
    const paused = pausedSlaMinutes(changes, now, policy.businessHoursOnly, calendar);
    data.resolutionMinutes = Math.max(0, Math.round(elapsed - paused));
  }
  if (from === "resolved" && to === "open") {
    data.resolvedAt = null;
    data.resolutionMinutes = null;
  }
  if (to === "closed") data.closedAt = now;
  const updated = await tx.db.supTicket.update({ where: { id: row.id }, data, include: TICKET_SUMMARY_INCLUDE });
  await tx.db.supTicketStatusChange.create({
    data: {
      ticketId: row.id,
      tenantId: row.tenantId,
      fromStatus: from,
      toStatus: to,
      changedByUserId: actor.userId,
      reason,
      createdAt: now,
    },
  });
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "support_ticket",
    entityId: row.id,
    action: "support_ticket.status_changed",
    before: { status: from },
    after: { status: to },
    metadata: { number: row.number, side: actor.side, ...(reason ? { reason } : {}) },
  });

  const outcome: SupportOutcome = { events: [ticketEvent(updated, "status", now)], notifications: [] };
  if (to === "resolved") {
    const csat = await requestCsat(tx.db, updated, now);
    if (actor.side !== "requester") {
      outcome.notifications.push({
        userIds: [row.submittedByUserId],
        tenantId: row.tenantId,
        kind: "ticket.resolved",
        title: `Ticket #${row.number} was resolved: ${row.subject}`,
        body: csat
          ? "How did we do? Rate the support you received (1–5) on the ticket page. Reply to reopen it if the problem is not solved."
          : "Reply to reopen it if the problem is not solved.",
        link: ticketLinks.tenant(row.id),
      });
    }
  }
  if (actor.side === "requester" && (to === "resolved" || to === "open")) {
    outcome.notifications.push({
      userIds: await supportStaffToNotify(tx.db, row.assignedToEmployeeId),
      tenantId: row.tenantId,
      kind: "ticket.status",
      title: `Ticket #${row.number} ${to === "resolved" ? "was resolved by the customer" : "was reopened"}: ${row.subject}`,
      body: null,
      link: ticketLinks.agent(row.id),
    });
  }
  return { row: updated, outcome };
}

/**
 * The CSAT request of a resolved ticket (kind csat, recipient = requester, rating null): created on
 * the first resolution; an unanswered one is asked again (requestedAt renewed) on a later resolution,
 * an answered one is kept. @returns true when a rating is (still) wanted
 */
async function requestCsat(db: Db, t: TicketRow, now: Date): Promise<boolean> {
  const existing = await db.supCustomerFeedback.findFirst({
    where: { ticketId: t.id, kind: "csat" },
    select: { id: true, rating: true },
  });
  if (existing) {
    if (existing.rating !== null) return false;
    await db.supCustomerFeedback.update({ where: { id: existing.id }, data: { requestedAt: now } });
    return true;
  }
  await db.supCustomerFeedback.create({
    data: {
      tenantId: t.tenantId,
      kind: "csat",
      ticketId: t.id,
      recipientUserId: t.submittedByUserId,
      requestedAt: now,
    },
  });
  return true;
}

function merge(into: SupportOutcome, more: SupportOutcome): SupportOutcome {
  into.events.push(...more.events);
  into.notifications.push(...more.notifications);
  return into;
}

function mutationResult(row: TicketRow, messageId: string | null): TicketMutationResult {
  return { ticketId: row.id, number: row.number, status: row.status, messageId };
}

/**
 * A customer's public reply (tenant scope) with uploads attached. It wakes the ticket: awaiting the
 * customer → in progress; resolved → open (reopened). Notifies the assignee, or all support staff.
 * @throws DomainError("not_found") (another tenant's ticket too), ("conflict") a closed ticket, which
 *   cannot be reopened, ("invalid")
 */
export async function replyAsCustomer(
  tx: Tx,
  tenantId: string,
  userId: string,
  input: { ticketId: string; message: string; fileIds?: string[] },
  now = new Date(),
): Promise<{ result: TicketMutationResult; outcome: SupportOutcome }> {
  const data = parseInput(ZReplyTicketRequest, input);
  let row = await findTicketForUpdate(tx.db, data.ticketId, tenantId);
  if (row.status === "closed") {
    throw new DomainError(
      "conflict",
      `Ticket #${row.number} is closed: closed tickets cannot be reopened. Open a new ticket instead.`,
    );
  }
  const message = await tx.db.supTicketMessage.create({
    data: {
      ticketId: row.id,
      tenantId,
      senderUserId: userId,
      senderKind: "customer",
      internal: false,
      message: data.message,
      createdAt: now,
    },
  });
  const attached = await linkFiles(tx.db, {
    fileIds: data.fileIds,
    tenantId,
    ticketId: row.id,
    messageId: message.id,
    userId,
    internal: false,
  });
  row = await tx.db.supTicket.update({
    where: { id: row.id },
    data: { lastCustomerReplyAt: now, updatedAt: now },
    include: TICKET_SUMMARY_INCLUDE,
  });
  await tx.audit.record({
    tenantId,
    entityType: "support_ticket",
    entityId: row.id,
    action: "support_ticket.replied",
    metadata: { number: row.number, messageId: message.id, side: "requester", attachments: attached },
  });
  const outcome: SupportOutcome = { events: [ticketEvent(row, "message", now)], notifications: [] };
  const actor: SupportActor = { side: "requester", userId };
  if (row.status === "awaiting_customer") {
    const moved = await moveStatus(tx, row, "in_progress", actor, "customer replied", now);
    row = moved.row;
    merge(outcome, moved.outcome);
  } else if (row.status === "resolved") {
    const moved = await moveStatus(tx, row, "open", actor, "reopened by the customer's reply", now);
    row = moved.row;
    // The reopening notice is replaced by the reply notice below.
    moved.outcome.notifications = [];
    merge(outcome, moved.outcome);
  }
  outcome.notifications.push({
    userIds: await supportStaffToNotify(tx.db, row.assignedToEmployeeId),
    tenantId,
    kind: "ticket.reply",
    title: `Customer replied on ticket #${row.number}: ${row.subject}`,
    body: data.message.slice(0, 500),
    link: ticketLinks.agent(row.id),
  });
  return { result: mutationResult(row, message.id), outcome };
}

/**
 * The requester's side marks a ticket resolved (tenant scope). Creates the CSAT request.
 * @throws DomainError("not_found"), ("invalid") when the ticket is already resolved or closed
 */
export async function resolveAsCustomer(
  tx: Tx,
  tenantId: string,
  userId: string,
  ticketId: string,
  now = new Date(),
): Promise<{ result: TicketMutationResult; outcome: SupportOutcome }> {
  const row = await findTicketForUpdate(tx.db, ticketId, tenantId);
  const moved = await moveStatus(tx, row, "resolved", { side: "requester", userId }, "resolved by the customer", now);
  return { result: mutationResult(moved.row, null), outcome: moved.outcome };
}

/**
 * An agent's public reply or internal note (provider scope), with the agent's uploads attached. A
 * first public reply sets `firstResponseAt` and `firstResponseMinutes` (the policy's clock) and moves
 * an open ticket to in progress; `status` then moves it further (e.g. awaiting_customer). A public
 * reply notifies the requester; an internal note notifies nobody and is emitted to the support room only.
 * @throws DomainError("not_found"), ("conflict") a public reply on a closed ticket, ("invalid")
 */
export async function replyAsAgent(
  tx: Tx,
  agent: { userId: string; employeeId: string },
  input: AgentReplyRequest,
  now = new Date(),
): Promise<{ result: TicketMutationResult; outcome: SupportOutcome }> {
  const data = parseInput(ZAgentReplyRequest, input);
  let row = await findTicketForUpdate(tx.db, data.ticketId);
  if (row.status === "closed" && !data.internal) {
    throw new DomainError("conflict", `Ticket #${row.number} is closed: closed tickets take no more replies.`);
  }
  const message = await tx.db.supTicketMessage.create({
    data: {
      ticketId: row.id,
      tenantId: row.tenantId,
      senderUserId: agent.userId,
      senderKind: "agent",
      internal: data.internal,
      message: data.message,
      createdAt: now,
    },
  });
  const attached = await linkFiles(tx.db, {
    fileIds: data.fileIds,
    tenantId: row.tenantId,
    ticketId: row.id,
    messageId: message.id,
    userId: agent.userId,
    internal: data.internal,
  });
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "support_ticket",
    entityId: row.id,
    action: data.internal ? "support_ticket.note_added" : "support_ticket.replied",
    metadata: { number: row.number, messageId: message.id, side: "agent", attachments: attached },
  });
  const actor: SupportActor = { side: "agent", ...agent };
  const outcome = noOutcome();
  if (data.internal) {
    outcome.events.push(ticketEvent(row, "note", now));
  } else {
    const update: { lastAgentReplyAt: Date; updatedAt: Date; firstResponseAt?: Date; firstResponseMinutes?: number } = {
      lastAgentReplyAt: now,
      updatedAt: now,
    };
    if (!row.firstResponseAt) {
      const [policy, calendar] = await inSequence(
        () => loadPolicy(tx.db, row.priority),
        () => loadCalendar(tx.db),
      );
      update.firstResponseAt = now;
      update.firstResponseMinutes = Math.round(
        slaMinutesBetween(row.createdAt, now, policy.businessHoursOnly, calendar),
      );
    }
    row = await tx.db.supTicket.update({ where: { id: row.id }, data: update, include: TICKET_SUMMARY_INCLUDE });
    outcome.events.push(ticketEvent(row, "message", now));
    outcome.notifications.push({
      userIds: [row.submittedByUserId],
      tenantId: row.tenantId,
      kind: "ticket.reply",
      title: `Fleetcore support replied on ticket #${row.number}: ${row.subject}`,
      body: data.message.slice(0, 500),
      link: ticketLinks.tenant(row.id),
    });
  }
  // A public reply picks up an open ticket, unless the agent chose where it goes.
  const target = data.status ?? (!data.internal && row.status === "open" ? "in_progress" : undefined);
  if (target && target !== row.status) {
    const moved = await moveStatus(tx, row, target, actor, data.status ? null : "agent replied", now);
    row = moved.row;
    merge(outcome, moved.outcome);
  }
  return { result: mutationResult(row, message.id), outcome };
}

/**
 * An agent moves a ticket (provider scope); see ./ticketStatus.ts for the allowed moves.
 * @throws DomainError("not_found"), ("invalid") illegal move (the reason names both states)
 */
export async function changeTicketStatus(
  tx: Tx,
  agent: { userId: string; employeeId: string },
  input: { ticketId: string; status: TicketStatusName; reason?: string | undefined },
  now = new Date(),
): Promise<{ result: TicketMutationResult; outcome: SupportOutcome }> {
  const row = await findTicketForUpdate(tx.db, input.ticketId);
  const moved = await moveStatus(tx, row, input.status, { side: "agent", ...agent }, input.reason?.trim() || null, now);
  return { result: mutationResult(moved.row, null), outcome: moved.outcome };
}

/**
 * Assigns a ticket to an active admin or support agent, or unassigns it (`employeeId: null`); audited
 * `support_ticket.assigned`. The new assignee is notified unless they assigned it to themselves.
 * @throws DomainError("not_found") ticket or employee, ("invalid") an employee who cannot take tickets
 */
export async function assignTicket(
  tx: Tx,
  agent: { userId: string; employeeId: string },
  input: { ticketId: string; employeeId: string | null },
  now = new Date(),
): Promise<{ result: TicketMutationResult; outcome: SupportOutcome }> {
  const row = await findTicketForUpdate(tx.db, input.ticketId);
  let assigneeUserId: string | null = null;
  if (input.employeeId) {
    const e = await tx.db.providerEmployee.findFirst({
      where: { id: input.employeeId, status: "active", deletedAt: null },
      select: { role: true, userId: true },
    });
    if (!e) throw new DomainError("not_found", "employee not found");
    if (e.role !== "admin" && e.role !== "support_agent") {
      throw new DomainError(
        "invalid",
        `a ${e.role.replace("_", " ")} cannot be assigned tickets; choose an admin or support agent`,
      );
    }
    assigneeUserId = e.userId;
  }
  if (row.assignedToEmployeeId === input.employeeId) return { result: mutationResult(row, null), outcome: noOutcome() };
  const updated = await tx.db.supTicket.update({
    where: { id: row.id },
    data: { assignedToEmployeeId: input.employeeId, updatedAt: now },
    include: TICKET_SUMMARY_INCLUDE,
  });
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "support_ticket",
    entityId: row.id,
    action: "support_ticket.assigned",
    before: { assignedToEmployeeId: row.assignedToEmployeeId },
    after: { assignedToEmployeeId: input.employeeId },
    metadata: { number: row.number },
  });
  const notifications: NotificationDraft[] = [];
  if (assigneeUserId && assigneeUserId !== agent.userId) {
    notifications.push({
      userIds: [assigneeUserId],
      tenantId: row.tenantId,
      kind: "ticket.assigned",
      title: `Ticket #${row.number} was assigned to you: ${row.subject}`,
      body: `${row.tenant.name} · ${row.priority} priority`,
      link: ticketLinks.agent(row.id),
    });
  }
  return {
    result: mutationResult(updated, null),
    outcome: { events: [ticketEvent(updated, "assigned", now)], notifications },
  };
}

/**
 * Changes a ticket's priority and/or category (provider scope; audited `support_ticket.updated`). A
 * new priority recomputes both due times from the creation time under the new policy, keeping the
 * pauses so far (a pause still running is added when it ends).
 * @throws DomainError("not_found")
 */
export async function updateTicketFields(
  tx: Tx,
  input: { ticketId: string; priority?: TicketPriority | undefined; category?: TicketCategory | undefined },
  now = new Date(),
): Promise<{ result: TicketMutationResult; outcome: SupportOutcome }> {
  const row = await findTicketForUpdate(tx.db, input.ticketId);
  const priority = input.priority ?? row.priority;
  const category = input.category ?? row.category;
  if (priority === row.priority && category === row.category)
    return { result: mutationResult(row, null), outcome: noOutcome() };
  const data: {
    priority: TicketPriority;
    category: TicketCategory;
    updatedAt: Date;
    firstResponseDueAt?: Date;
    resolutionDueAt?: Date;
  } = { priority, category, updatedAt: now };
  if (priority !== row.priority) {
    const [policy, calendar, changes] = await inSequence(
      () => loadPolicy(tx.db, priority),
      () => loadCalendar(tx.db),
      () =>
        tx.db.supTicketStatusChange.findMany({
          where: { ticketId: row.id },
          select: { toStatus: true, createdAt: true },
        }),
    );
    // A running pause counts up to its start only: resuming pushes the due time by the rest.
    const paused = pausedSlaMinutes(changes, row.slaPausedAt ?? now, policy.businessHoursOnly, calendar);
    const due = slaDueTimes(row.createdAt, policy, calendar, paused);
    data.firstResponseDueAt = due.firstResponseDueAt;
    data.resolutionDueAt = due.resolutionDueAt;
  }
  const updated = await tx.db.supTicket.update({ where: { id: row.id }, data, include: TICKET_SUMMARY_INCLUDE });
  await tx.audit.record({
    tenantId: row.tenantId,
    entityType: "support_ticket",
    entityId: row.id,
    action: "support_ticket.updated",
    before: {
      priority: row.priority,
      category: row.category,
      firstResponseDueAt: row.firstResponseDueAt,
      resolutionDueAt: row.resolutionDueAt,
    },
    after: {
      priority,
      category,
      firstResponseDueAt: updated.firstResponseDueAt,
      resolutionDueAt: updated.resolutionDueAt,
    },
    metadata: { number: row.number },
  });
  return {
    result: mutationResult(updated, null),
    outcome: { events: [ticketEvent(updated, "status", now)], notifications: [] },
  };
}

/**
 * The agents' queue across tenants (provider scope), filtered, then sorted: "sla" puts the nearest
 * running due time first (so breached tickets lead) and tickets without a running target last (by
 * age); "age" is oldest first. At most 500 tickets. Filtering, ordering and the limit happen in SQL
 * (the ordering key is `nextDueAt` of ./sla.ts `slaState`), so the 500 are the most urgent ones.
 * @param me the calling employee (for `assignee: "me"`)
 */
export async function listSupportQueue(
  db: Db,
  input: SupportQueueRequest,
  me: { employeeId: string },
  now = new Date(),
): Promise<TicketSummary[]> {
  const f = parseInput(ZSupportQueueRequest, input);
  const conditions: Prisma.Sql[] = [];
  if (f.status === "active") conditions.push(Prisma.sql`status IN ('open', 'in_progress', 'awaiting_customer')`);
  else if (f.status !== "all") conditions.push(Prisma.sql`status = ${f.status}::sup_ticket_status`);
  if (f.assignee === "me") conditions.push(Prisma.sql`assigned_to = ${me.employeeId}::uuid`);
  else if (f.assignee === "unassigned") conditions.push(Prisma.sql`assigned_to IS NULL`);
  else if (f.assignee !== undefined) conditions.push(Prisma.sql`assigned_to = ${f.assignee}::uuid`);
  if (f.priority) conditions.push(Prisma.sql`priority = ${f.priority}::sup_ticket_priority`);
  if (f.category) conditions.push(Prisma.sql`category = ${f.category}::sup_ticket_category`);
  if (f.tenantId) conditions.push(Prisma.sql`tenant_id = ${f.tenantId}::uuid`);
  const number = f.search && /^#?\d+$/.test(f.search) ? Number(f.search.replace("#", "")) : null;
  if (number !== null) {
    conditions.push(Prisma.sql`number = ${number}`);
  } else {
    // As searchWhere: every word (LIKE wildcards literal) in the subject or the description.
    for (const word of (f.search ?? "").split(/\s+/).filter(Boolean).slice(0, 8)) {
      const pattern = `%${word.replace(/[\\%_]/g, "\\$&")}%`;
      conditions.push(Prisma.sql`(subject ILIKE ${pattern} OR description ILIKE ${pattern})`);
    }
  }
  const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
  // slaState's nextDueAt: the first-response due time until answered (or resolved/closed), and the
  // resolution due time while the clock runs; LEAST skips NULLs, and tickets without either go last.
  const paused = Prisma.join([...SLA_PAUSED_STATUSES]);
  const nextDue = Prisma.sql`LEAST(
      CASE WHEN first_response_at IS NULL AND resolved_at IS NULL AND status <> 'closed' THEN first_response_due_at END,
      CASE WHEN status::text NOT IN (${paused}) THEN resolution_due_at END)`;
  const order =
    f.sort === "sla"
      ? Prisma.sql`${nextDue} ASC NULLS LAST, created_at ASC, id ASC`
      : Prisma.sql`created_at ASC, id ASC`;
  const page = await db.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM sup_tickets ${where} ORDER BY ${order} LIMIT 500`;
  const ids = page.map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await db.supTicket.findMany({ where: { id: { in: ids } }, include: TICKET_SUMMARY_INCLUDE });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ordered = ids.map((id) => byId.get(id)).filter((r): r is TicketRow => r !== undefined);
  return toTicketSummaries(db, ordered, now);
}

/** Active employees who can take tickets (admins and support agents), by name. */
export async function listSupportAgents(
  db: Db,
): Promise<{ employeeId: string; userId: string; name: string; role: string }[]> {
  const staff = await db.providerEmployee.findMany({
    where: { status: "active", deletedAt: null, role: { in: ["admin", "support_agent"] } },
    select: { id: true, userId: true, role: true },
  });
  const names = await userNames(
    db,
    staff.map((s) => s.userId),
  );
  return staff
    .map((s) => ({ employeeId: s.id, userId: s.userId, name: names.get(s.userId) ?? "Former user", role: s.role }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A tenant's whole support history for the agents' side panel (provider scope): every ticket (newest
 * first) and every CSAT/NPS request and answer.
 * @throws DomainError("not_found") unknown tenant
 */
export async function tenantSupportHistory(db: Db, tenantId: string, now = new Date()) {
  const tenant = await db.tenant.findFirst({ where: { id: tenantId }, select: { id: true, name: true, status: true } });
  if (!tenant) throw new DomainError("not_found", "tenant not found");
  const [rows, feedback] = await inSequence(
    () =>
      db.supTicket.findMany({
        where: { tenantId },
        include: TICKET_SUMMARY_INCLUDE,
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: 500,
      }),
    () =>
      db.supCustomerFeedback.findMany({
        where: { tenantId },
        include: { ticket: { select: { number: true, subject: true } } },
        orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
        take: 500,
      }),
  );
  const names = await userNames(
    db,
    feedback.map((f) => f.recipientUserId),
  );
  return {
    tenant,
    tickets: await toTicketSummaries(db, rows, now),
    feedback: feedback.map((f) => toFeedbackItem(f, names)),
  };
}

/**
 * The auto-close job: closes every ticket resolved at least {@link AUTO_CLOSE_RESOLVED_AFTER_DAYS}
 * days before `now` (a status change by the platform, audited with the system actor), each in its own
 * system-scoped transaction. The server runs it on a timer and emits the returned events.
 * @returns how many were closed and their `ticket:updated` events
 */
export async function closeResolvedTickets(
  prisma: PrismaClient,
  now = new Date(),
  afterDays = AUTO_CLOSE_RESOLVED_AFTER_DAYS,
): Promise<{ closed: number; events: SupportOutcome["events"] }> {
  const cutoff = new Date(now.getTime() - afterDays * 86_400_000);
  const due = await withScope(prisma, { kind: "system" }, (db) =>
    db.supTicket.findMany({
      where: { status: "resolved", resolvedAt: { lte: cutoff } },
      select: { id: true },
      take: 1000,
    }),
  );
  const events: SupportOutcome["events"] = [];
  for (const { id } of due) {
    const moved = await withScope(prisma, { kind: "system" }, async (db) => {
      // Row lock: another server process running the same job waits, then finds it closed.
      await lockTicket(db, id);
      const row = await db.supTicket.findFirst({ where: { id, status: "resolved" }, include: TICKET_SUMMARY_INCLUDE });
      if (!row) return null;
      const tx: Tx = { db, audit: new AuditTrail(db, systemActor()) };
      return moveStatus(
        tx,
        row,
        "closed",
        { side: "system", userId: null },
        `closed automatically ${afterDays} days after resolution`,
        now,
      );
    });
    if (moved) events.push(...moved.outcome.events);
  }
  return { closed: events.length, events };
}
