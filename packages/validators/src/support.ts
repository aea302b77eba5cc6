/**
 * Support desk schemas (sup_ tables): tickets and their thread, the agents' queue, SLA settings and
 * customer feedback (CSAT per resolved ticket, NPS per tenant member). Times are Dates (superjson).
 */
import { z } from "zod";

export const TICKET_CATEGORIES = ["technical", "billing", "training", "feature_request", "commercial"] as const;
export const ZTicketCategory = z.enum(TICKET_CATEGORIES);
export type TicketCategory = z.infer<typeof ZTicketCategory>;

export const TICKET_PRIORITIES = ["low", "medium", "high", "urgent"] as const;
export const ZTicketPriority = z.enum(TICKET_PRIORITIES);
export type TicketPriority = z.infer<typeof ZTicketPriority>;

/** The status flow, in order (core/support/ticketStatus.ts holds the allowed moves). */
export const TICKET_STATUSES = ["open", "in_progress", "awaiting_customer", "resolved", "closed"] as const;
export const ZTicketStatus = z.enum(TICKET_STATUSES);
export type TicketStatusName = z.infer<typeof ZTicketStatus>;

/** Ids of files uploaded with POST /api/files, to attach (at most 10 per message). */
const ZFileIds = z.array(z.uuid()).max(10).default([]);

const ticketText = {
  subject: z.string().trim().min(3, "at least 3 characters").max(200),
  description: z.string().trim().min(1, "describe the problem").max(20_000),
  message: z.string().trim().min(1, "write a message").max(20_000),
};

/** Input of `ticket.create`: a ticket in the caller's active tenant, the caller as requester. */
export const ZCreateTicketRequest = z.object({
  subject: ticketText.subject,
  category: ZTicketCategory,
  priority: ZTicketPriority,
  description: ticketText.description,
  fileIds: ZFileIds,
});
export type CreateTicketRequest = z.input<typeof ZCreateTicketRequest>;

/** Input of `supportDesk.createForTenant`: an agent opens a ticket on behalf of a tenant member. */
export const ZAgentCreateTicketRequest = ZCreateTicketRequest.extend({
  tenantId: z.uuid(),
  requesterUserId: z.uuid(),
});
export type AgentCreateTicketRequest = z.input<typeof ZAgentCreateTicketRequest>;

/** Input of `ticket.list`: the tenant's tickets, newest first, optionally one status. */
export const ZListTicketsRequest = z.object({ status: ZTicketStatus.optional() });

/** Input of procedures about one ticket. */
export const ZTicketIdRequest = z.object({ ticketId: z.uuid() });

/** Input of `ticket.reply` (a customer's public reply). */
export const ZReplyTicketRequest = z.object({ ticketId: z.uuid(), message: ticketText.message, fileIds: ZFileIds });
export type ReplyTicketRequest = z.input<typeof ZReplyTicketRequest>;

/**
 * Input of `supportDesk.reply`: a public reply, or an internal note (`internal`, never shown to the
 * tenant); `status` moves the ticket afterwards (e.g. "awaiting_customer", like Zendesk's "Submit as").
 */
export const ZAgentReplyRequest = ZReplyTicketRequest.extend({
  internal: z.boolean().default(false),
  status: ZTicketStatus.optional(),
});
export type AgentReplyRequest = z.input<typeof ZAgentReplyRequest>;

/** Input of `supportDesk.changeStatus`; `reason` is kept on the status change. */
export const ZChangeTicketStatusRequest = z.object({
  ticketId: z.uuid(),
  status: ZTicketStatus,
  reason: z.string().trim().max(500).optional(),
});

/** Input of `supportDesk.assign`: a provider employee (admin or support agent), or null to unassign. */
export const ZAssignTicketRequest = z.object({ ticketId: z.uuid(), employeeId: z.uuid().nullable() });

/** Input of `supportDesk.update`: a new priority (recomputes the SLA due times) and/or category. */
export const ZUpdateTicketRequest = z.object({
  ticketId: z.uuid(),
  priority: ZTicketPriority.optional(),
  category: ZTicketCategory.optional(),
});

/** Queue status filter: one status, "active" (open, in progress, awaiting customer) or "all". */
export const ZQueueStatusFilter = z.union([ZTicketStatus, z.enum(["active", "all"])]);

/**
 * Input of `supportDesk.queue`. `assignee`: "me", "unassigned" or an employee id. `sort`: "sla" (the
 * nearest running due time first, so breached tickets lead; tickets without a running target last)
 * or "age" (oldest first).
 */
export const ZSupportQueueRequest = z.object({
  status: ZQueueStatusFilter.default("active"),
  priority: ZTicketPriority.optional(),
  category: ZTicketCategory.optional(),
  tenantId: z.uuid().optional(),
  assignee: z.union([z.enum(["me", "unassigned"]), z.uuid()]).optional(),
  sort: z.enum(["sla", "age"]).default("sla"),
  search: z.string().trim().max(120).optional(),
});
export type SupportQueueRequest = z.input<typeof ZSupportQueueRequest>;

const ZPersonRef = z.object({ userId: z.uuid(), name: z.string() });

/** A ticket as lists show it, with its SLA state derived at read time. */
export const ZTicketSummary = z.object({
  id: z.uuid(),
  /** Human number, shown as "#1042". */
  number: z.number().int(),
  tenantId: z.uuid(),
  tenantName: z.string(),
  subject: z.string(),
  category: ZTicketCategory,
  priority: ZTicketPriority,
  status: ZTicketStatus,
  requester: ZPersonRef,
  assignee: z.object({ employeeId: z.uuid(), name: z.string() }).nullable(),
  createdAt: z.date(),
  /** Last change of the ticket or a public reply. */
  lastActivityAt: z.date(),
  firstResponseAt: z.date().nullable(),
  firstResponseDueAt: z.date().nullable(),
  resolutionDueAt: z.date().nullable(),
  firstResponseBreached: z.boolean(),
  resolutionBreached: z.boolean(),
  /** The resolution clock is stopped (awaiting the customer, resolved or closed). */
  slaPaused: z.boolean(),
  /** The nearest target still running, or null. */
  nextDueAt: z.date().nullable(),
  /** Measured SLA minutes (the policy's clock). */
  firstResponseMinutes: z.number().int().nullable(),
  resolutionMinutes: z.number().int().nullable(),
  resolvedAt: z.date().nullable(),
  closedAt: z.date().nullable(),
});
export type TicketSummary = z.infer<typeof ZTicketSummary>;

/** A stored file attached to a ticket or message; `url` downloads it (GET /api/files/:id). */
export const ZTicketAttachment = z.object({
  id: z.uuid(),
  fileId: z.uuid(),
  messageId: z.uuid().nullable(),
  fileName: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  internal: z.boolean(),
  url: z.string(),
});
export type TicketAttachment = z.infer<typeof ZTicketAttachment>;

export const ZTicketMessage = z.object({
  id: z.uuid(),
  senderKind: z.enum(["customer", "agent", "system"]),
  /** Internal note: provider staff only. */
  internal: z.boolean(),
  message: z.string(),
  createdAt: z.date(),
  sender: ZPersonRef.nullable(),
  attachments: z.array(ZTicketAttachment),
});
export type TicketMessage = z.infer<typeof ZTicketMessage>;

export const ZTicketStatusChange = z.object({
  id: z.uuid(),
  fromStatus: ZTicketStatus.nullable(),
  toStatus: ZTicketStatus,
  changedBy: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.date(),
});

/** A CSAT (1–5) or NPS (0–10) request and its answer (rating null until answered). */
export const ZFeedbackItem = z.object({
  id: z.uuid(),
  kind: z.enum(["csat", "nps"]),
  tenantId: z.uuid(),
  ticketId: z.uuid().nullable(),
  ticketNumber: z.number().int().nullable(),
  ticketSubject: z.string().nullable(),
  recipient: ZPersonRef,
  rating: z.number().int().nullable(),
  comment: z.string().nullable(),
  requestedAt: z.date(),
  respondedAt: z.date().nullable(),
});
export type FeedbackItem = z.infer<typeof ZFeedbackItem>;

/**
 * One ticket with its thread. For tenants: public messages and attachments only. `allowedStatuses`:
 * the moves the caller may make now; `canReply`: the caller may post (closed tickets take no replies).
 */
export const ZTicketDetail = z.object({
  ticket: ZTicketSummary.extend({ description: z.string() }),
  /** Attachments of the ticket itself (sent with the description). */
  attachments: z.array(ZTicketAttachment),
  messages: z.array(ZTicketMessage),
  statusChanges: z.array(ZTicketStatusChange),
  csat: ZFeedbackItem.nullable(),
  allowedStatuses: z.array(ZTicketStatus),
  canReply: z.boolean(),
});
export type TicketDetail = z.infer<typeof ZTicketDetail>;

/** Output of the mutations that change a ticket. */
export const ZTicketMutationResult = z.object({
  ticketId: z.uuid(),
  number: z.number().int(),
  status: ZTicketStatus,
  messageId: z.uuid().nullable(),
});
export type TicketMutationResult = z.infer<typeof ZTicketMutationResult>;

/** A provider employee who can be assigned tickets (admins and support agents). */
export const ZSupportAgent = z.object({
  employeeId: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  role: z.string(),
});

/** The agents' side panel: the tenant's whole support history. */
export const ZTenantSupportHistory = z.object({
  tenant: z.object({ id: z.uuid(), name: z.string(), status: z.string() }),
  tickets: z.array(ZTicketSummary),
  feedback: z.array(ZFeedbackItem),
});

/** Input of `feedback.answer`: csat 1–5, nps 0–10 (checked against the request's kind). */
export const ZAnswerFeedbackRequest = z.object({
  feedbackId: z.uuid(),
  rating: z.number().int().min(0).max(10),
  comment: z.string().trim().max(2000).optional(),
});

/** Input of `feedback.requestNps`: asks the tenant's active members with these roles (default owner, admin). */
export const ZRequestNpsRequest = z.object({
  tenantId: z.uuid(),
  roles: z
    .array(z.enum(["owner", "admin", "dispatcher", "viewer"]))
    .min(1)
    .default(["owner", "admin"]),
});

/** One priority's SLA targets, minutes (1 minute to 1 year; first response ≤ resolution). */
export const ZSlaPolicy = z
  .object({
    priority: ZTicketPriority,
    firstResponseMinutes: z.number().int().min(1).max(525_600),
    resolutionMinutes: z.number().int().min(1).max(525_600),
    businessHoursOnly: z.boolean(),
  })
  .refine((p) => p.firstResponseMinutes <= p.resolutionMinutes, {
    message: "the first-response target must not exceed the resolution target",
    path: ["firstResponseMinutes"],
  });
export type SlaPolicy = z.infer<typeof ZSlaPolicy>;

const ZHhMm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, "a time as HH:MM");

/** The support team's business hours (one calendar). */
export const ZBusinessCalendar = z
  .object({
    /** IANA time zone, e.g. "Europe/Paris". */
    timezone: z.string().trim().min(1).max(64),
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    workdays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, "each weekday once"),
    dayStart: ZHhMm,
    dayEnd: ZHhMm,
    /** Local dates not worked, "YYYY-MM-DD". */
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")).max(400),
  })
  .refine((c) => c.dayStart < c.dayEnd, { message: "the day must end after it starts", path: ["dayEnd"] });
export type BusinessCalendarSettings = z.infer<typeof ZBusinessCalendar>;

/** Output of `supportSettings.get`. */
export const ZSupportSettings = z.object({ policies: z.array(ZSlaPolicy), calendar: ZBusinessCalendar });
