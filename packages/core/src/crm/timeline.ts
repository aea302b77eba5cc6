/**
 * A tenant's customer-success timeline (customer-health.md "Engagement Timeline", widened): one
 * list, newest first, merging
 *
 * - engagements (crm_engagements), at completedAt ?? scheduledAt ?? createdAt;
 * - support tickets (sup_tickets, read only): one item when opened (createdAt), one when resolved
 *   (resolvedAt);
 * - tenant lifecycle events (adm_tenant_lifecycle_events), at occurredAt;
 * - contract history (crm_contract_events), at occurredAt;
 * - customer-success tasks (crm_tasks): one item when created (createdAt), one when done (completedAt);
 * - invoices (bil_tenant_invoices, not drafts): one item when issued (issuedAt), one when paid (paidAt).
 *
 * Paging: items strictly before `before`; each source returns at most `limit` items, the merge keeps
 * the newest `limit`, and `nextBefore` is the time of the last one (items sharing exactly that
 * millisecond with the last item of a page can fall between pages — acceptable for a feed). Ties
 * are ordered by kind and id, so the order is stable. Needs a provider or system scope.
 */
import type { Db } from "@fleetcore/db";
import {
  type CrmTimeline,
  type CrmTimelineItem,
  type CrmTimelineRequest,
  ZCrmTimelineRequest,
} from "@fleetcore/validators";
import { formatMinor } from "../billing/money";
import { parseInput } from "./shared";

const humanize = (s: string) => s.replaceAll("_", " ");
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Web paths of the timeline's items. */
export const TIMELINE_LINKS = {
  tenantSuccess: (tenantId: string) => `/admin/tenants/${tenantId}/success`,
  ticket: (ticketId: string) => `/admin/support/tickets/${ticketId}`,
  contract: (contractId: string) => `/admin/crm/contracts?contract=${contractId}`,
  tenant: (tenantId: string) => `/admin/tenants/${tenantId}`,
  health: (tenantId: string) => `/admin/portfolio/${tenantId}`,
};

/** Newest first; ties by kind then id (descending), for a stable order. Pure. */
export function compareTimelineItems(a: CrmTimelineItem, b: CrmTimelineItem): number {
  return b.occurredAt.getTime() - a.occurredAt.getTime() || b.kind.localeCompare(a.kind) || b.id.localeCompare(a.id);
}

/** One page of the tenant's timeline (see the module comment). */
export async function getTimeline(db: Db, input: CrmTimelineRequest, now = new Date()): Promise<CrmTimeline> {
  const q = parseInput(ZCrmTimelineRequest, input);
  const before = q.before ?? new Date(now.getTime() + 1);
  const { tenantId, limit } = q;
  const items: CrmTimelineItem[] = [];

  const engagements = await db.$queryRaw<
    {
      id: string;
      type: string;
      title: string;
      outcome: string | null;
      description: string | null;
      completed: boolean;
      occurred_at: Date;
    }[]
  >`SELECT id::text, type::text, title, outcome::text, description, completed_at IS NOT NULL AS completed,
           COALESCE(completed_at, scheduled_at, created_at) AS occurred_at
      FROM crm_engagements
     WHERE tenant_id = ${tenantId}::uuid AND deleted_at IS NULL
       AND COALESCE(completed_at, scheduled_at, created_at) < ${before}
     ORDER BY occurred_at DESC, id DESC
     LIMIT ${limit}`;
  for (const e of engagements) {
    const planned = !e.completed && e.occurred_at > now ? " (planned)" : "";
    items.push({
      id: `engagement:${e.id}`,
      kind: "engagement",
      occurredAt: e.occurred_at,
      title: `${capitalize(e.type)}: ${e.title}${planned}`,
      detail: [e.outcome ? `Outcome: ${humanize(e.outcome)}` : null, e.description].filter(Boolean).join(" — ") || null,
      link: `${TIMELINE_LINKS.tenantSuccess(tenantId)}#engagement-${e.id}`,
    });
  }

  const opened = await db.supTicket.findMany({
    where: { tenantId, createdAt: { lt: before } },
    select: { id: true, number: true, subject: true, priority: true, createdAt: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  for (const t of opened) {
    items.push({
      id: `ticket_opened:${t.id}`,
      kind: "ticket_opened",
      occurredAt: t.createdAt,
      title: `Ticket #${t.number} opened: ${t.subject}`,
      detail: `Priority ${humanize(t.priority)}`,
      link: TIMELINE_LINKS.ticket(t.id),
    });
  }
  const resolved = await db.supTicket.findMany({
    where: { tenantId, resolvedAt: { not: null, lt: before } },
    select: { id: true, number: true, subject: true, status: true, resolvedAt: true },
    orderBy: [{ resolvedAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  for (const t of resolved) {
    if (!t.resolvedAt) continue;
    items.push({
      id: `ticket_resolved:${t.id}`,
      kind: "ticket_resolved",
      occurredAt: t.resolvedAt,
      title: `Ticket #${t.number} resolved: ${t.subject}`,
      detail: `Now ${humanize(t.status)}`,
      link: TIMELINE_LINKS.ticket(t.id),
    });
  }

  const lifecycle = await db.tenantLifecycleEvent.findMany({
    where: { tenantId, occurredAt: { lt: before } },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  for (const e of lifecycle) {
    const change = e.fromStatus || e.toStatus ? `${e.fromStatus ?? "—"} → ${e.toStatus ?? "—"}` : null;
    items.push({
      id: `lifecycle:${e.id}`,
      kind: "lifecycle",
      occurredAt: e.occurredAt,
      title: `Tenant ${humanize(e.eventType)}`,
      detail: [change, e.reason].filter(Boolean).join(" — ") || null,
      link: TIMELINE_LINKS.tenant(tenantId),
    });
  }

  const contractEvents = await db.crmContractEvent.findMany({
    where: { tenantId, occurredAt: { lt: before } },
    include: { contract: { select: { planName: true } } },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  for (const e of contractEvents) {
    const details = (e.details ?? {}) as Record<string, unknown>;
    const what =
      e.kind === "status_changed"
        ? `${e.fromStatus ? humanize(e.fromStatus) : "—"} → ${e.toStatus ? humanize(e.toStatus) : "—"}`
        : humanize(e.kind);
    const extra = [
      details.automatic === true ? "automatically at expiry" : null,
      typeof details.reason === "string" ? details.reason : null,
    ].filter(Boolean);
    items.push({
      id: `contract:${e.id}`,
      kind: "contract",
      occurredAt: e.occurredAt,
      title: `Contract “${e.contract.planName}” ${what}`,
      detail: extra.length ? extra.join(" — ") : null,
      link: TIMELINE_LINKS.contract(e.contractId),
    });
  }

  const tasksCreated = await db.crmTask.findMany({
    where: { tenantId, createdAt: { lt: before } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  for (const t of tasksCreated) {
    items.push({
      id: `task_created:${t.id}`,
      kind: "task_created",
      occurredAt: t.createdAt,
      title: `Task: ${t.title}`,
      detail:
        [t.source === "health_alert" ? "Suggested by a health alert" : null, t.description]
          .filter(Boolean)
          .join(" — ") || null,
      link: `${TIMELINE_LINKS.health(tenantId)}#task-${t.id}`,
    });
  }
  const tasksDone = await db.crmTask.findMany({
    where: { tenantId, status: "done", completedAt: { not: null, lt: before } },
    orderBy: [{ completedAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  for (const t of tasksDone) {
    if (!t.completedAt) continue;
    items.push({
      id: `task_done:${t.id}`,
      kind: "task_done",
      occurredAt: t.completedAt,
      title: `Task done: ${t.title}`,
      detail: null,
      link: `${TIMELINE_LINKS.health(tenantId)}#task-${t.id}`,
    });
  }

  const issued = await db.bilTenantInvoice.findMany({
    where: { tenantId, status: { not: "draft" }, issuedAt: { lt: before } },
    orderBy: [{ issuedAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  for (const i of issued) {
    items.push({
      id: `invoice_issued:${i.id}`,
      kind: "invoice_issued",
      occurredAt: i.issuedAt,
      title: `Invoice ${i.number ?? i.stripeInvoiceId} issued: ${formatMinor(i.totalMinor, i.currency)}`,
      detail: `Now ${humanize(i.status)}${i.attemptCount > 1 ? ` — ${i.attemptCount} payment attempts` : ""}`,
      link: null,
    });
  }
  const paid = await db.bilTenantInvoice.findMany({
    where: { tenantId, paidAt: { not: null, lt: before } },
    orderBy: [{ paidAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  for (const i of paid) {
    if (!i.paidAt) continue;
    items.push({
      id: `invoice_paid:${i.id}`,
      kind: "invoice_paid",
      occurredAt: i.paidAt,
      title: `Invoice ${i.number ?? i.stripeInvoiceId} paid: ${formatMinor(i.amountPaidMinor, i.currency)}`,
      detail: null,
      link: null,
    });
  }

  const page = items.sort(compareTimelineItems).slice(0, limit);
  const last = page.at(-1);
  return { items: page, nextBefore: page.length === limit && last ? last.occurredAt : null };
}
