import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { Loading, useSignedIn } from "../../components/Guards";
import {
  CsatPrompt,
  FilePicker,
  LiveIndicator,
  TicketStatusBadge,
  TicketThread,
} from "../../components/support/SupportParts";
import { ErrorAlert } from "../../components/ui";
import { errorCode, errorMessage } from "../../lib/errors";
import { formatDateTime, humanize } from "../../lib/format";
import { uploadFiles } from "../../lib/support";
import { useTicketUpdates } from "../../lib/supportSocket";
import { useTRPC, useTRPCClient } from "../../lib/trpc";

/**
 * One ticket for the tenant: its public thread (refetched live on `ticket:updated`), the reply box
 * with attachments (a reply reopens a resolved ticket; closed ones take none), "Mark resolved", and
 * the CSAT prompt once resolved.
 */
export function SupportTicketPage() {
  const { ticketId = "" } = useParams();
  const me = useSignedIn();
  const trpc = useTRPC();
  const detail = useQuery(trpc.ticket.get.queryOptions({ ticketId }, { retry: false }));
  useTicketUpdates([trpc.ticket.get.queryKey({ ticketId })], (e) => e.ticketId === ticketId);

  if (detail.isPending) return <Loading />;
  if (detail.isError) {
    return (
      <section className="panel">
        <h1>Ticket</h1>
        <p className="error" role="alert">
          {errorCode(detail.error) === "NOT_FOUND" ? "This ticket does not exist." : errorMessage(detail.error)}
        </p>
        <Link to="/support">Back to support</Link>
      </section>
    );
  }
  const d = detail.data;
  const t = d.ticket;
  return (
    <>
      <p className="crumbs">
        <Link to="/support">Support</Link> / #{t.number}
      </p>
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
          <dt>Category</dt>
          <dd>{humanize(t.category)}</dd>
          <dt>Priority</dt>
          <dd>{t.priority}</dd>
          <dt>Requester</dt>
          <dd>{t.requester.name}</dd>
          <dt>Handled by</dt>
          <dd>{t.assignee?.name ?? "Fleetcore support"}</dd>
          <dt>Opened</dt>
          <dd>{formatDateTime(t.createdAt)}</dd>
        </dl>
        {t.status === "resolved" && (
          <p className="hint">
            This ticket is resolved. Reply below if the problem is not solved: the ticket will reopen.
          </p>
        )}
        {t.status === "closed" && (
          <p className="hint">This ticket is closed and cannot be reopened. Open a new ticket if you need more help.</p>
        )}
      </section>
      {d.csat && (t.status === "resolved" || t.status === "closed") && (
        <CsatPrompt csat={d.csat} userId={me.user.id} ticketStatus={t.status} />
      )}
      <section className="panel">
        <h2>Conversation</h2>
        <TicketThread detail={d} />
        {d.canReply && <CustomerReply ticketId={t.id} resolvable={d.allowedStatuses.includes("resolved")} />}
      </section>
    </>
  );
}

/** The customer's reply box (uploads first, then `ticket.reply`) and the resolve button. */
function CustomerReply({ ticketId, resolvable }: { ticketId: string; resolvable: boolean }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.ticket.get.queryKey({ ticketId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.ticket.list.queryKey() }),
    ]);
  const reply = useMutation({
    mutationFn: async () => {
      const uploaded = await uploadFiles(files);
      return client.ticket.reply.mutate({ ticketId, message, fileIds: uploaded.map((f) => f.id) });
    },
    onSuccess: async () => {
      setMessage("");
      setFiles([]);
      await refresh();
    },
  });
  const resolve = useMutation(trpc.ticket.resolve.mutationOptions({ onSuccess: refresh }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    reply.mutate();
  };
  return (
    <form className="stack-form ticket-reply" aria-label="Reply" onSubmit={onSubmit}>
      <label>
        Your reply
        <textarea required rows={4} maxLength={20000} value={message} onChange={(e) => setMessage(e.target.value)} />
      </label>
      <FilePicker files={files} onChange={setFiles} />
      <div className="panel-actions">
        <button type="submit" disabled={reply.isPending || message.trim() === ""}>
          {reply.isPending ? "Sending…" : "Send reply"}
        </button>
        {resolvable && (
          <button
            type="button"
            className="button-secondary"
            disabled={resolve.isPending}
            onClick={() => resolve.mutate({ ticketId })}
          >
            Mark resolved
          </button>
        )}
      </div>
      <ErrorAlert error={reply.error ?? resolve.error} />
    </form>
  );
}
