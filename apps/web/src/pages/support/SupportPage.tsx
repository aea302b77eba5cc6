import { TICKET_STATUSES, type TicketStatusName } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useSignedIn } from "../../components/Guards";
import { LiveIndicator, NpsPrompt, TicketStatusBadge } from "../../components/support/SupportParts";
import {
  EMPTY_TICKET_FIELDS,
  hasFieldError,
  TICKET_FIELD_NAMES,
  TicketFields,
  type TicketFieldValues,
} from "../../components/support/TicketFields";
import { ErrorAlert, QueryTable } from "../../components/ui";
import { fieldErrors } from "../../lib/errors";
import { formatDateTime, humanize } from "../../lib/format";
import { useSearchParamsUpdater } from "../../lib/searchParams";
import { can } from "../../lib/session";
import { STATUS_LABELS, uploadFiles } from "../../lib/support";
import { useTicketUpdates } from "../../lib/supportSocket";
import { useTRPC, useTRPCClient } from "../../lib/trpc";

/**
 * The tenant's support page: pending NPS survey, the tenant's tickets (status filter in the URL, live
 * on `ticket:updated`) and, with support:write, the form to open a ticket with attachments.
 */
export function SupportPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const [params, updateParams] = useSearchParamsUpdater();
  const status = (TICKET_STATUSES as readonly string[]).includes(params.get("status") ?? "")
    ? (params.get("status") as TicketStatusName)
    : undefined;
  const tickets = useQuery(trpc.ticket.list.queryOptions({ status }));
  const pending = useQuery(trpc.feedback.listPending.queryOptions());
  useTicketUpdates([trpc.ticket.list.queryKey(), trpc.feedback.listPending.queryKey()]);
  const writable = can(me, "support", "write") && me.activeTenant?.access === "member";
  const [creating, setCreating] = useState(false);
  const nps = (pending.data ?? []).filter((f) => f.kind === "nps");
  return (
    <>
      {nps[0] && <NpsPrompt key={nps[0].id} request={nps[0]} />}
      {creating && (
        <section className="panel">
          <h2>New ticket</h2>
          <NewTicketForm onCancel={() => setCreating(false)} />
        </section>
      )}
      <section className="panel">
        <div className="panel-head">
          <h1>Support</h1>
          <LiveIndicator />
          {writable && !creating && (
            <button type="button" onClick={() => setCreating(true)}>
              New ticket
            </button>
          )}
        </div>
        <div className="filters">
          <label>
            Status
            <select value={status ?? ""} onChange={(e) => updateParams({ status: e.target.value })}>
              <option value="">All</option>
              {TICKET_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <QueryTable
          query={tickets}
          label="Tickets"
          empty={status ? `No ${STATUS_LABELS[status].toLowerCase()} tickets.` : "No tickets yet."}
          head={
            <>
              <th>#</th>
              <th>Subject</th>
              <th>Category</th>
              <th>Priority</th>
              <th>Status</th>
              <th>Requester</th>
              <th>Last activity</th>
            </>
          }
        >
          {(rows) =>
            rows.map((t) => (
              <tr key={t.id} data-ticket={t.id}>
                <td className="mono">#{t.number}</td>
                <td>
                  <Link to={`/support/tickets/${t.id}`}>{t.subject}</Link>
                </td>
                <td>{humanize(t.category)}</td>
                <td>
                  <span className={`priority priority-${t.priority}`}>{t.priority}</span>
                </td>
                <td>
                  <TicketStatusBadge status={t.status} />
                </td>
                <td>{t.requester.name}</td>
                <td>{formatDateTime(t.lastActivityAt)}</td>
              </tr>
            ))
          }
        </QueryTable>
      </section>
    </>
  );
}

/** The shared ticket fields; uploads the attachments first, then `ticket.create`. */
function NewTicketForm({ onCancel }: { onCancel: () => void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [fields, setFields] = useState<TicketFieldValues>(EMPTY_TICKET_FIELDS);
  const [files, setFiles] = useState<File[]>([]);
  const create = useMutation({
    mutationFn: async () => {
      const uploaded = await uploadFiles(files);
      return client.ticket.create.mutate({ ...fields, fileIds: uploaded.map((f) => f.id) });
    },
    onSuccess: async (ticket) => {
      await queryClient.invalidateQueries({ queryKey: trpc.ticket.list.queryKey() });
      navigate(`/support/tickets/${ticket.id}`);
    },
  });
  const errors = fieldErrors(create.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="stack-form ticket-form" aria-label="New ticket" onSubmit={onSubmit}>
      <TicketFields value={fields} onChange={setFields} files={files} onFilesChange={setFiles} errors={errors} />
      <div className="panel-actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Sending…" : "Open ticket"}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel} disabled={create.isPending}>
          Cancel
        </button>
      </div>
      {!hasFieldError(errors, TICKET_FIELD_NAMES) && <ErrorAlert error={create.error} />}
    </form>
  );
}
