import {
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type TicketCategory,
  type TicketDetail,
  type TicketPriority,
  type TicketStatusName,
} from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { Loading, useSignedIn } from "../../components/Guards";
import {
  FilePicker,
  LiveIndicator,
  SlaBadge,
  TicketStatusBadge,
  TicketThread,
} from "../../components/support/SupportParts";
import { ErrorAlert } from "../../components/ui";
import { errorCode, errorMessage } from "../../lib/errors";
import { formatDateTime, humanize } from "../../lib/format";
import { formatMinutes, STATUS_LABELS, uploadFiles } from "../../lib/support";
import { useTicketUpdates } from "../../lib/supportSocket";
import { useTRPC, useTRPCClient } from "../../lib/trpc";
import { AdminNav } from "./AdminNav";
import { SupportNav } from "./SupportNav";

/**
 * The agent's view of a ticket: the thread with internal notes marked, reply or internal note with
 * attachments, assignment, status buttons (moves the flow forbids are disabled), priority and category
 * (a new priority recomputes the SLA), the SLA panel, CSAT, and the tenant's whole history beside it.
 * Refetched live on `ticket:updated` of this ticket (the side history: of its tenant).
 */
export function SupportTicketAdminPage() {
  const { ticketId = "" } = useParams();
  const me = useSignedIn();
  const trpc = useTRPC();
  const detail = useQuery(trpc.supportDesk.get.queryOptions({ ticketId }, { retry: false }));
  // Only this ticket's events refetch it; any event of its tenant refetches the tenant's history.
  const tenantId = detail.data?.ticket.tenantId;
  useTicketUpdates([trpc.supportDesk.get.queryKey({ ticketId })], (e) => e.ticketId === ticketId);
  useTicketUpdates(
    tenantId ? [trpc.supportDesk.tenantHistory.queryKey({ tenantId })] : [],
    (e) => e.ticketId === ticketId || e.tenantId === tenantId,
  );

  if (detail.isPending) return <Loading />;
  if (detail.isError) {
    return (
      <>
        <AdminNav />
        <section className="panel">
          <h1>Ticket</h1>
          <p className="error" role="alert">
            {errorCode(detail.error) === "NOT_FOUND" ? "This ticket does not exist." : errorMessage(detail.error)}
          </p>
          <Link to="/admin/support">Back to the queue</Link>
        </section>
      </>
    );
  }
  const d = detail.data;
  const t = d.ticket;
  // Admins and support agents work tickets; account managers and analysts read.
  const writable = me.provider?.role === "admin" || me.provider?.role === "support_agent";
  return (
    <>
      <AdminNav />
      <SupportNav />
      <p className="crumbs">
        <Link to="/admin/support">Support queue</Link> / #{t.number}
      </p>
      <div className="support-layout">
        <div className="support-main">
          <section className="panel">
            <div className="panel-head">
              <h1>
                #{t.number} {t.subject}
              </h1>
              <span className="panel-actions">
                <LiveIndicator />
                <TicketStatusBadge status={t.status} />
              </span>
            </div>
            <dl className="facts facts-inline">
              <dt>Tenant</dt>
              <dd>
                <Link to={`/admin/tenants/${t.tenantId}`}>{t.tenantName}</Link>
              </dd>
              <dt>Requester</dt>
              <dd>{t.requester.name}</dd>
              <dt>Opened</dt>
              <dd>{formatDateTime(t.createdAt)}</dd>
            </dl>
            {writable && <TicketControls detail={d} />}
          </section>
          <section className="panel">
            <h2>Conversation</h2>
            <TicketThread detail={d} />
            {d.csat && (
              <p className="csat-result" role="status" aria-label="Customer rating">
                {d.csat.rating === null ? (
                  <>CSAT requested {formatDateTime(d.csat.requestedAt)} — not answered yet.</>
                ) : (
                  <>
                    Customer rating: <strong>{d.csat.rating}/5</strong>
                    {d.csat.comment ? ` — “${d.csat.comment}”` : ""}
                  </>
                )}
              </p>
            )}
            {writable && <AgentReply detail={d} />}
          </section>
        </div>
        <aside className="support-side">
          <SlaPanel detail={d} />
          <StatusHistory detail={d} />
          <TenantHistory tenantId={t.tenantId} currentTicketId={t.id} />
        </aside>
      </div>
    </>
  );
}

/** Every status move of the ticket, oldest first: who, when and why. */
function StatusHistory({ detail }: { detail: TicketDetail }) {
  return (
    <section className="panel" aria-label="Status history">
      <h2>Status history</h2>
      <ol className="status-history">
        {detail.statusChanges.map((c) => (
          <li key={c.id}>
            <span className="nowrap">{formatDateTime(c.createdAt)}</span>{" "}
            {c.fromStatus ? `${STATUS_LABELS[c.fromStatus]} → ` : ""}
            <strong>{STATUS_LABELS[c.toStatus]}</strong>
            <span className="muted">
              {" "}
              · {c.changedBy ?? "Fleetcore"}
              {c.reason ? ` · ${c.reason}` : ""}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function useRefreshTicket(ticketId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.supportDesk.get.queryKey({ ticketId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.supportDesk.queue.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.supportDesk.tenantHistory.queryKey() }),
    ]);
}

/** Assignee, priority, category and the status buttons. */
function TicketControls({ detail }: { detail: TicketDetail }) {
  const me = useSignedIn();
  const trpc = useTRPC();
  const t = detail.ticket;
  const refresh = useRefreshTicket(t.id);
  const agents = useQuery(trpc.supportDesk.agents.queryOptions());
  const assign = useMutation(trpc.supportDesk.assign.mutationOptions({ onSuccess: refresh }));
  const update = useMutation(trpc.supportDesk.update.mutationOptions({ onSuccess: refresh }));
  const move = useMutation(trpc.supportDesk.changeStatus.mutationOptions({ onSuccess: refresh }));
  const mine = agents.data?.find((a) => a.userId === me.user.id);
  return (
    <div className="ticket-controls">
      <div className="filters">
        <label>
          Assignee
          <select
            value={t.assignee?.employeeId ?? ""}
            disabled={assign.isPending}
            onChange={(e) => assign.mutate({ ticketId: t.id, employeeId: e.target.value || null })}
          >
            <option value="">Unassigned</option>
            {t.assignee && !agents.data?.some((a) => a.employeeId === t.assignee?.employeeId) && (
              <option value={t.assignee.employeeId}>{t.assignee.name}</option>
            )}
            {(agents.data ?? []).map((a) => (
              <option key={a.employeeId} value={a.employeeId}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        {mine && t.assignee?.employeeId !== mine.employeeId && (
          <button
            type="button"
            className="button-secondary"
            disabled={assign.isPending}
            onClick={() => assign.mutate({ ticketId: t.id, employeeId: mine.employeeId })}
          >
            Assign to me
          </button>
        )}
        <label>
          Priority
          <select
            value={t.priority}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ ticketId: t.id, priority: e.target.value as TicketPriority })}
          >
            {TICKET_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Category
          <select
            value={t.category}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ ticketId: t.id, category: e.target.value as TicketCategory })}
          >
            {TICKET_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {humanize(c)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset className="status-buttons">
        <legend>Status</legend>
        {TICKET_STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            className={s === t.status ? "" : "button-secondary"}
            aria-pressed={s === t.status}
            disabled={move.isPending || !detail.allowedStatuses.includes(s)}
            title={
              s === t.status
                ? "Current status"
                : detail.allowedStatuses.includes(s)
                  ? `Move to ${STATUS_LABELS[s]}`
                  : `Not allowed from ${STATUS_LABELS[t.status]}`
            }
            onClick={() => move.mutate({ ticketId: t.id, status: s })}
          >
            {STATUS_LABELS[s]}
          </button>
        ))}
      </fieldset>
      <ErrorAlert error={assign.error ?? update.error ?? move.error} />
    </div>
  );
}

/** Public reply or internal note, with attachments and an optional status to set afterwards. */
function AgentReply({ detail }: { detail: TicketDetail }) {
  const client = useTRPCClient();
  const t = detail.ticket;
  const refresh = useRefreshTicket(t.id);
  const [message, setMessage] = useState("");
  const [internal, setInternal] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const [then, setThen] = useState<TicketStatusName | "">("");
  const closed = t.status === "closed";
  // A closed ticket takes internal notes only, whatever the radio last said.
  const asNote = internal || closed;
  const send = useMutation({
    mutationFn: async () => {
      const uploaded = await uploadFiles(files, t.tenantId);
      return client.supportDesk.reply.mutate({
        ticketId: t.id,
        message,
        internal: asNote,
        fileIds: uploaded.map((f) => f.id),
        ...(then ? { status: then } : {}),
      });
    },
    onSuccess: async () => {
      setMessage("");
      setFiles([]);
      setThen("");
      await refresh();
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate();
  };
  // What the agent may set with the reply (from open, a public reply moves the ticket to in progress).
  const nextStatuses = (["awaiting_customer", "resolved"] as const).filter((s) => detail.allowedStatuses.includes(s));
  return (
    <form
      className={`stack-form ticket-reply${asNote ? " ticket-reply-internal" : ""}`}
      aria-label="Reply to the customer or add an internal note"
      onSubmit={onSubmit}
    >
      <fieldset className="reply-kind">
        <legend className="sr-only">Kind of message</legend>
        <label>
          <input type="radio" name="kind" checked={!asNote} disabled={closed} onChange={() => setInternal(false)} />
          Public reply
        </label>
        <label>
          <input type="radio" name="kind" checked={asNote} onChange={() => setInternal(true)} />
          Internal note
        </label>
      </fieldset>
      <label>
        {asNote ? "Internal note (staff only)" : "Reply to the customer"}
        <textarea required rows={4} maxLength={20000} value={message} onChange={(e) => setMessage(e.target.value)} />
      </label>
      <FilePicker files={files} onChange={setFiles} />
      {!asNote && nextStatuses.length > 0 && (
        <label>
          Then set status
          <select value={then} onChange={(e) => setThen(e.target.value as TicketStatusName | "")}>
            <option value="">Keep ({STATUS_LABELS[t.status === "open" ? "in_progress" : t.status]})</option>
            {nextStatuses.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" disabled={send.isPending || message.trim() === ""}>
        {send.isPending ? "Sending…" : asNote ? "Add internal note" : "Send reply"}
      </button>
      <ErrorAlert error={send.error} />
    </form>
  );
}

/** Due times, breach flags and measurements of the ticket's SLA. */
function SlaPanel({ detail }: { detail: TicketDetail }) {
  const t = detail.ticket;
  return (
    <section className="panel sla-panel" aria-label="SLA">
      <div className="panel-head">
        <h2>SLA</h2>
        <SlaBadge ticket={t} />
      </div>
      <dl className="facts">
        <dt>First response due</dt>
        <dd className={t.firstResponseBreached ? "error" : undefined}>{formatDateTime(t.firstResponseDueAt)}</dd>
        <dt>First response</dt>
        <dd>
          {t.firstResponseAt
            ? `${formatDateTime(t.firstResponseAt)} (${formatMinutes(t.firstResponseMinutes ?? 0)})`
            : "not yet"}
        </dd>
        <dt>Resolution due</dt>
        <dd className={t.resolutionBreached ? "error" : undefined}>
          {formatDateTime(t.resolutionDueAt)}
          {t.slaPaused && t.status === "awaiting_customer" ? " (clock paused)" : ""}
        </dd>
        <dt>Resolved</dt>
        <dd>
          {t.resolvedAt ? `${formatDateTime(t.resolvedAt)} (${formatMinutes(t.resolutionMinutes ?? 0)})` : "not yet"}
        </dd>
      </dl>
    </section>
  );
}

/** The tenant's other tickets and its CSAT/NPS answers, with the NPS request button. */
function TenantHistory({ tenantId, currentTicketId }: { tenantId: string; currentTicketId: string }) {
  const me = useSignedIn();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const history = useQuery(trpc.supportDesk.tenantHistory.queryOptions({ tenantId }));
  const nps = useMutation(
    trpc.feedback.requestNps.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({ queryKey: trpc.supportDesk.tenantHistory.queryKey({ tenantId }) }),
    }),
  );
  const mayAskNps = me.provider?.role !== "analyst";
  return (
    <section className="panel tenant-history" aria-label="Tenant history">
      <h2>{history.data?.tenant.name ?? "Tenant"} history</h2>
      {history.isPending && <p className="muted">Loading…</p>}
      <ErrorAlert error={history.error} />
      {history.data && (
        <>
          <h3>Tickets ({history.data.tickets.length})</h3>
          <ul className="history-list">
            {history.data.tickets.map((h) => (
              <li key={h.id} className={h.id === currentTicketId ? "history-current" : undefined}>
                {h.id === currentTicketId ? (
                  <strong>
                    #{h.number} {h.subject}
                  </strong>
                ) : (
                  <Link to={`/admin/support/tickets/${h.id}`}>
                    #{h.number} {h.subject}
                  </Link>
                )}
                <div className="muted small">
                  <TicketStatusBadge status={h.status} /> · last activity {formatDateTime(h.lastActivityAt)}
                </div>
              </li>
            ))}
          </ul>
          <h3>Feedback</h3>
          {history.data.feedback.length === 0 ? (
            <p className="muted">No CSAT or NPS requests yet.</p>
          ) : (
            <ul className="history-list" aria-label="Feedback">
              {history.data.feedback.map((f) => (
                <li key={f.id}>
                  <strong>{f.kind.toUpperCase()}</strong>{" "}
                  {f.rating === null ? <span className="muted">pending</span> : <span>{f.rating}</span>}
                  {f.ticketNumber !== null && <span className="muted"> · #{f.ticketNumber}</span>}
                  <div className="muted small">
                    {f.recipient.name} · {formatDateTime(f.respondedAt ?? f.requestedAt)}
                  </div>
                  {f.comment && <div className="small">“{f.comment}”</div>}
                </li>
              ))}
            </ul>
          )}
          {mayAskNps && (
            <div className="panel-actions">
              <button
                type="button"
                className="button-secondary"
                disabled={nps.isPending}
                onClick={() => nps.mutate({ tenantId })}
              >
                Request NPS
              </button>
              {nps.data && (
                <span role="status" className="success">
                  Asked {nps.data.requested} member{nps.data.requested === 1 ? "" : "s"}
                  {nps.data.skipped > 0 ? ` (${nps.data.skipped} still to answer)` : ""}.
                </span>
              )}
            </div>
          )}
          <ErrorAlert error={nps.error} />
        </>
      )}
    </section>
  );
}
