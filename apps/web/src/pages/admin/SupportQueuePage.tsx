import {
  type SupportQueueRequest,
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type TicketCategory,
  type TicketPriority,
} from "@fleetcore/validators";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { useSignedIn } from "../../components/Guards";
import { LiveIndicator, SlaBadge, TicketStatusBadge } from "../../components/support/SupportParts";
import { QueryTable } from "../../components/ui";
import { humanize } from "../../lib/format";
import { useSearchParamsUpdater } from "../../lib/searchParams";
import { age, STATUS_LABELS } from "../../lib/support";
import { useTicketUpdates } from "../../lib/supportSocket";
import { useTRPC } from "../../lib/trpc";
import { AdminNav } from "./AdminNav";
import { NewTenantTicketForm } from "./NewTenantTicketForm";
import { SupportNav } from "./SupportNav";

type QueueStatus = NonNullable<SupportQueueRequest["status"]>;

const pick = <T extends string>(value: string | null, allowed: readonly T[]): T | undefined =>
  value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;

/** Reads the queue filters from the URL (so a filtered queue can be bookmarked and shared). */
function useQueueFilters() {
  const [params, update] = useSearchParamsUpdater();
  const uuid = /^[0-9a-f-]{36}$/;
  const tenant = params.get("tenant");
  const assignee = params.get("assignee");
  const filters: SupportQueueRequest = {
    status: pick<QueueStatus>(params.get("status"), [...TICKET_STATUSES, "active", "all"]) ?? "active",
    priority: pick<TicketPriority>(params.get("priority"), TICKET_PRIORITIES),
    category: pick<TicketCategory>(params.get("category"), TICKET_CATEGORIES),
    tenantId: tenant && uuid.test(tenant) ? tenant : undefined,
    assignee:
      assignee === "me" || assignee === "unassigned" || (assignee && uuid.test(assignee)) ? assignee : undefined,
    sort: pick(params.get("sort"), ["sla", "age"] as const) ?? "sla",
    search: params.get("q")?.trim() || undefined,
  };
  const set = (key: string, value: string) => update({ [key]: value });
  return { filters, set };
}

/**
 * The agents' queue across tenants: filters and sort in the URL, SLA badges, refreshed live by every
 * `ticket:updated` of the support room. Admins and support agents also open tickets on a tenant's
 * behalf here ("New ticket for a tenant").
 */
export function SupportQueuePage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const { filters, set } = useQueueFilters();
  // Refetched each minute too, so "due in …" and breaches stay current without events.
  const queue = useQuery(trpc.supportDesk.queue.queryOptions(filters, { refetchInterval: 60_000 }));
  const tenants = useQuery(trpc.provider.tenants.list.queryOptions({}));
  const agents = useQuery(trpc.supportDesk.agents.queryOptions());
  useTicketUpdates([trpc.supportDesk.queue.queryKey()]);
  // Admins and support agents work tickets; account managers and analysts read.
  const writable = me.provider?.role === "admin" || me.provider?.role === "support_agent";
  const [creating, setCreating] = useState(false);
  const now = new Date();
  return (
    <>
      <AdminNav />
      <SupportNav />
      {writable && creating && (
        <section className="panel">
          <h2>New ticket for a tenant</h2>
          <p className="muted">
            For a request taken by phone or email, opened in the name of one of the tenant's members.
          </p>
          <NewTenantTicketForm onCancel={() => setCreating(false)} initialTenantId={filters.tenantId} />
        </section>
      )}
      <section className="panel">
        <div className="panel-head">
          <h1>Support queue</h1>
          <LiveIndicator />
          {writable && !creating && (
            <button type="button" onClick={() => setCreating(true)}>
              New ticket for a tenant
            </button>
          )}
        </div>
        <form className="filters" aria-label="Queue filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Search
            <input
              type="search"
              placeholder="Subject or #number"
              defaultValue={filters.search ?? ""}
              onChange={(e) => set("q", e.target.value.trim())}
            />
          </label>
          <label>
            Status
            <select
              value={filters.status}
              onChange={(e) => set("status", e.target.value === "active" ? "" : e.target.value)}
            >
              <option value="active">Active (open, in progress, awaiting)</option>
              <option value="all">All</option>
              {TICKET_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Priority
            <select value={filters.priority ?? ""} onChange={(e) => set("priority", e.target.value)}>
              <option value="">Any</option>
              {TICKET_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <label>
            Category
            <select value={filters.category ?? ""} onChange={(e) => set("category", e.target.value)}>
              <option value="">Any</option>
              {TICKET_CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {humanize(c)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Tenant
            <select value={filters.tenantId ?? ""} onChange={(e) => set("tenant", e.target.value)}>
              <option value="">Any</option>
              {(tenants.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Assignee
            <select value={filters.assignee ?? ""} onChange={(e) => set("assignee", e.target.value)}>
              <option value="">Anyone</option>
              <option value="me">Me</option>
              <option value="unassigned">Unassigned</option>
              {(agents.data ?? []).map((a) => (
                <option key={a.employeeId} value={a.employeeId}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Sort
            <select value={filters.sort} onChange={(e) => set("sort", e.target.value === "sla" ? "" : e.target.value)}>
              <option value="sla">SLA (nearest due first)</option>
              <option value="age">Age (oldest first)</option>
            </select>
          </label>
        </form>
        <QueryTable
          query={queue}
          label="Support queue"
          empty="No tickets match these filters."
          head={
            <>
              <th>#</th>
              <th>Subject</th>
              <th>Tenant</th>
              <th>Priority</th>
              <th>Status</th>
              <th>Assignee</th>
              <th>Age</th>
              <th>SLA</th>
            </>
          }
        >
          {(rows) =>
            rows.map((t) => (
              <tr key={t.id} data-ticket={t.id}>
                <td className="mono">#{t.number}</td>
                <td>
                  <Link to={`/admin/support/tickets/${t.id}`}>{t.subject}</Link>
                  <div className="muted small">{humanize(t.category)}</div>
                </td>
                <td>{t.tenantName}</td>
                <td>
                  <span className={`priority priority-${t.priority}`}>{t.priority}</span>
                </td>
                <td>
                  <TicketStatusBadge status={t.status} />
                </td>
                <td>{t.assignee?.name ?? <span className="muted">Unassigned</span>}</td>
                <td className="nowrap">{age(t.createdAt, now)}</td>
                <td>
                  <SlaBadge ticket={t} now={now} />
                </td>
              </tr>
            ))
          }
        </QueryTable>
      </section>
    </>
  );
}
