/**
 * Shared by the support services: the policy and calendar in force, people's display names, the
 * shapes returned to the API and the side effects (live events, notifications) a change produces.
 */
import type { Db, Prisma } from "@fleetcore/db";
import type { TicketUpdatedEvent } from "@fleetcore/realtime";
import type { FeedbackItem, TicketAttachment, TicketPriority, TicketSummary } from "@fleetcore/validators";
import type { NotificationDraft } from "../notifications/notifications";
import type { BusinessCalendar, SlaPolicyTargets } from "./sla";
import { SLA_PAUSED_STATUSES, slaState } from "./sla";

/**
 * What a support change asks the caller to do once its transaction commits: emit `ticket:updated`
 * (events with `change: "note"` go to the provider support room only, the rest to the tenant's room
 * too) and deliver notifications (in-app and by email).
 */
export interface SupportOutcome {
  events: TicketUpdatedEvent[];
  notifications: NotificationDraft[];
}

/** An empty {@link SupportOutcome}. */
export function noOutcome(): SupportOutcome {
  return { events: [], notifications: [] };
}

/** The `ticket:updated` payload for a change of `t`. */
export function ticketEvent(
  t: { id: string; tenantId: string; number: number; status: TicketUpdatedEvent["status"] },
  change: TicketUpdatedEvent["change"],
  at: Date,
): TicketUpdatedEvent {
  return { ticketId: t.id, tenantId: t.tenantId, number: t.number, change, status: t.status, at: at.toISOString() };
}

/** The business calendar (sup_business_calendar id 1; the defaults when the row is missing). */
export async function loadCalendar(db: Db): Promise<BusinessCalendar> {
  const row = await db.supBusinessCalendar.findUnique({ where: { id: 1 } });
  return {
    timezone: row?.timezone ?? "UTC",
    workdays: row?.workdays ?? [1, 2, 3, 4, 5],
    dayStart: row?.dayStart ?? "09:00",
    dayEnd: row?.dayEnd ?? "18:00",
    holidays: row?.holidays ?? [],
  };
}

/** Zendesk-like defaults, used only when a priority has no row in sup_sla_policies. */
const FALLBACK_POLICY: SlaPolicyTargets = {
  firstResponseMinutes: 480,
  resolutionMinutes: 2880,
  businessHoursOnly: true,
};

/** The SLA targets of `priority` (sup_sla_policies). */
export async function loadPolicy(db: Db, priority: TicketPriority): Promise<SlaPolicyTargets> {
  const row = await db.supSlaPolicy.findUnique({ where: { priority } });
  return row
    ? {
        firstResponseMinutes: row.firstResponseMinutes,
        resolutionMinutes: row.resolutionMinutes,
        businessHoursOnly: row.businessHoursOnly,
      }
    : FALLBACK_POLICY;
}

/**
 * Users by id (full name and email), read in `db` (whose scope must see them: a tenant scope sees its
 * members and provider staff) in one query. Unknown or hidden users are left out; nulls are skipped.
 */
export async function usersById(
  db: Db,
  userIds: Iterable<string | null | undefined>,
): Promise<Map<string, { fullName: string | null; email: string }>> {
  const ids = [...new Set([...userIds].filter((id): id is string => !!id))];
  if (ids.length === 0) return new Map();
  const users = await db.user.findMany({
    where: { id: { in: ids } },
    select: { id: true, fullName: true, email: true },
  });
  return new Map(users.map((u) => [u.id, { fullName: u.fullName, email: u.email }]));
}

/** Display names of users ("Full Name", else the email); see {@link usersById}. */
export async function userNames(db: Db, userIds: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  const users = await usersById(db, userIds);
  return new Map([...users].map(([id, u]) => [id, u.fullName ?? u.email]));
}

/** Email addresses of users; see {@link usersById}. */
export async function userEmails(db: Db, userIds: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  const users = await usersById(db, userIds);
  return new Map([...users].map(([id, u]) => [id, u.email]));
}

/** What a former member or a removed employee is shown as. */
export const UNKNOWN_PERSON = "Former user";

/** The ticket columns and relations the summaries need. */
export const TICKET_SUMMARY_INCLUDE = {
  tenant: { select: { name: true } },
  assignedTo: { select: { id: true, userId: true } },
} satisfies Prisma.SupTicketInclude;

/** A sup_tickets row with what {@link toTicketSummary} needs. */
export type TicketRow = Prisma.SupTicketGetPayload<{ include: typeof TICKET_SUMMARY_INCLUDE }>;

/** User ids whose names {@link toTicketSummary} needs. */
export function summaryUserIds(rows: TicketRow[]): string[] {
  return rows.flatMap((r) => [r.submittedByUserId, r.assignedTo?.userId ?? null].filter((x): x is string => !!x));
}

/** A ticket row as {@link TicketSummary}, with its SLA state at `now`. */
export function toTicketSummary(row: TicketRow, names: Map<string, string>, now: Date): TicketSummary {
  const sla = slaState(row, now);
  return {
    id: row.id,
    number: row.number,
    tenantId: row.tenantId,
    tenantName: row.tenant.name,
    subject: row.subject,
    category: row.category,
    priority: row.priority,
    status: row.status,
    requester: { userId: row.submittedByUserId, name: names.get(row.submittedByUserId) ?? UNKNOWN_PERSON },
    assignee: row.assignedTo
      ? { employeeId: row.assignedTo.id, name: names.get(row.assignedTo.userId) ?? UNKNOWN_PERSON }
      : null,
    createdAt: row.createdAt,
    lastActivityAt: row.updatedAt,
    firstResponseAt: row.firstResponseAt,
    firstResponseDueAt: row.firstResponseDueAt,
    resolutionDueAt: row.resolutionDueAt,
    firstResponseBreached: sla.firstResponseBreached,
    resolutionBreached: sla.resolutionBreached,
    slaPaused: SLA_PAUSED_STATUSES.has(row.status),
    nextDueAt: sla.nextDueAt,
    firstResponseMinutes: row.firstResponseMinutes,
    resolutionMinutes: row.resolutionMinutes,
    resolvedAt: row.resolvedAt,
    closedAt: row.closedAt,
  };
}

/** Summaries of `rows`, names resolved in one query. */
export async function toTicketSummaries(db: Db, rows: TicketRow[], now: Date): Promise<TicketSummary[]> {
  const names = await userNames(db, summaryUserIds(rows));
  return rows.map((r) => toTicketSummary(r, names, now));
}

/** Download path of a stored file (apps/server/src/http/files.ts). */
export const fileUrl = (fileId: string): string => `/api/files/${fileId}`;

/** An attachment row with its file as {@link TicketAttachment}. */
export function toAttachment(a: {
  id: string;
  fileId: string;
  messageId: string | null;
  internal: boolean;
  file: { fileName: string; contentType: string; sizeBytes: number };
}): TicketAttachment {
  return {
    id: a.id,
    fileId: a.fileId,
    messageId: a.messageId,
    fileName: a.file.fileName,
    contentType: a.file.contentType,
    sizeBytes: a.file.sizeBytes,
    internal: a.internal,
    url: fileUrl(a.fileId),
  };
}

/** A feedback row as {@link FeedbackItem}. */
export function toFeedbackItem(
  f: Prisma.SupCustomerFeedbackGetPayload<{ include: { ticket: { select: { number: true; subject: true } } } }>,
  names: Map<string, string>,
): FeedbackItem {
  return {
    id: f.id,
    kind: f.kind,
    tenantId: f.tenantId,
    ticketId: f.ticketId,
    ticketNumber: f.ticket?.number ?? null,
    ticketSubject: f.ticket?.subject ?? null,
    recipient: { userId: f.recipientUserId, name: names.get(f.recipientUserId) ?? UNKNOWN_PERSON },
    rating: f.rating,
    comment: f.comment,
    requestedAt: f.requestedAt,
    respondedAt: f.respondedAt,
  };
}

/**
 * User ids of the staff to tell about a ticket: its assignee, or every active admin and support agent
 * when nobody is assigned (adm_provider_employees is readable from every scope).
 */
export async function supportStaffToNotify(db: Db, assignedToEmployeeId: string | null): Promise<string[]> {
  if (assignedToEmployeeId) {
    const e = await db.providerEmployee.findFirst({
      where: { id: assignedToEmployeeId, status: "active", deletedAt: null },
      select: { userId: true },
    });
    if (e) return [e.userId];
  }
  const staff = await db.providerEmployee.findMany({
    where: { status: "active", deletedAt: null, role: { in: ["admin", "support_agent"] } },
    select: { userId: true },
  });
  return staff.map((s) => s.userId);
}

/** Agent-side and tenant-side links to a ticket. */
export const ticketLinks = {
  agent: (ticketId: string) => `/admin/support/tickets/${ticketId}`,
  tenant: (ticketId: string) => `/support/tickets/${ticketId}`,
};
