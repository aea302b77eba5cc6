/**
 * Pieces shared by the tenant's and the agents' support pages: status and SLA badges, the thread
 * (public replies, internal notes visibly apart, attachments), a file picker and the CSAT/NPS prompts.
 */
import type { FeedbackItem, TicketDetail, TicketStatusName, TicketSummary } from "@fleetcore/validators";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { formatDateTime } from "../../lib/format";
import { formatBytes, formatMinutes, STATUS_LABELS, UPLOAD_ACCEPT } from "../../lib/support";
import { useSocketConnected } from "../../lib/supportSocket";
import { useTRPC } from "../../lib/trpc";
import { ErrorAlert } from "../ui";

/** "Live" while the socket is connected (updates arrive without reloading), else "Reconnecting…". */
export function LiveIndicator() {
  const connected = useSocketConnected();
  return (
    <span className="support-live muted small" data-connection={connected ? "live" : "offline"} role="status">
      <span className={`live-dot${connected ? " live-dot-on" : ""}`} aria-hidden="true" />{" "}
      {connected ? "Live" : "Reconnecting…"}
    </span>
  );
}

/** A ticket status as a coloured word. */
export function TicketStatusBadge({ status }: { status: TicketStatusName }) {
  return (
    <span className={`status ticket-status-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}

/** "Breached", "Due in 2 h", "Paused" or "Met" for a ticket's SLA, at render time. */
export function SlaBadge({ ticket, now = new Date() }: { ticket: TicketSummary; now?: Date }) {
  if (ticket.firstResponseBreached || ticket.resolutionBreached) {
    const which = ticket.firstResponseBreached && !ticket.firstResponseAt ? "first response" : "resolution";
    return (
      <span className="sla sla-breached" data-sla="breached" title={`SLA breached (${which})`}>
        Breached · {which}
      </span>
    );
  }
  if (ticket.nextDueAt) {
    const minutes = (ticket.nextDueAt.getTime() - now.getTime()) / 60_000;
    const soon = minutes < 60;
    const which = ticket.firstResponseAt ? "resolution" : "first response";
    return (
      <span
        className={`sla ${soon ? "sla-soon" : "sla-ok"}`}
        data-sla={soon ? "soon" : "ok"}
        title={`${which} due ${formatDateTime(ticket.nextDueAt)}`}
      >
        {which} in {formatMinutes(minutes)}
      </span>
    );
  }
  if (ticket.status === "awaiting_customer") {
    return (
      <span className="sla sla-paused" data-sla="paused">
        Paused
      </span>
    );
  }
  return (
    <span className="sla sla-ok" data-sla="met">
      Met
    </span>
  );
}

type Attachment = TicketDetail["attachments"][number];

/** Download links of attachments (GET /api/files/:id sends them as attachments). */
export function AttachmentList({ attachments }: { attachments: Attachment[] }) {
  if (attachments.length === 0) return null;
  return (
    <ul className="ticket-files" aria-label="Attached files">
      {attachments.map((a) => (
        <li key={a.id}>
          <a href={a.url} download={a.fileName}>
            {a.fileName}
          </a>{" "}
          <span className="muted">
            {a.contentType.split(";")[0]} · {formatBytes(a.sizeBytes)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The ticket's description, then its messages oldest first; internal notes are marked as such. */
export function TicketThread({ detail }: { detail: TicketDetail }) {
  const t = detail.ticket;
  return (
    <ol className="ticket-thread" aria-label="Conversation">
      <li className="ticket-msg ticket-msg-customer" data-kind="description">
        <div className="ticket-msg-head">
          <strong>{t.requester.name}</strong>{" "}
          <span className="muted">opened the ticket · {formatDateTime(t.createdAt)}</span>
        </div>
        <p className="ticket-msg-body">{t.description}</p>
        <AttachmentList attachments={detail.attachments} />
      </li>
      {detail.messages.map((m) => (
        <li
          key={m.id}
          className={`ticket-msg ticket-msg-${m.senderKind}${m.internal ? " ticket-msg-internal" : ""}`}
          data-kind={m.internal ? "note" : "reply"}
          aria-label={m.internal ? "Internal note" : undefined}
        >
          <div className="ticket-msg-head">
            <strong>{m.sender?.name ?? "Fleetcore"}</strong>
            {m.senderKind === "agent" && !m.internal && <span className="tag">Fleetcore support</span>}
            {m.internal && <span className="tag tag-note">Internal note · not visible to the customer</span>}{" "}
            <span className="muted">{formatDateTime(m.createdAt)}</span>
          </div>
          <p className="ticket-msg-body">{m.message}</p>
          <AttachmentList attachments={m.attachments} />
        </li>
      ))}
    </ol>
  );
}

/**
 * A multiple-file input whose selection the parent holds (cleared after sending).
 * @param describedBy id of an error message about the files (marks the input invalid)
 */
export function FilePicker({
  files,
  onChange,
  label = "Attachments",
  describedBy,
}: {
  files: File[];
  onChange: (files: File[]) => void;
  label?: string;
  describedBy?: string;
}) {
  const id = useId();
  const [inputKey, setInputKey] = useState(0);
  return (
    <div className="file-picker">
      <label htmlFor={id}>{label}</label>
      <input
        key={files.length === 0 ? `empty-${inputKey}` : "files"}
        id={id}
        type="file"
        multiple
        accept={UPLOAD_ACCEPT}
        aria-invalid={describedBy ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => {
          onChange([...files, ...Array.from(e.target.files ?? [])]);
          setInputKey((k) => k + 1);
        }}
      />
      <span className="hint muted">PDF, images, ZIP or text (.txt, .csv, .log), up to 10 MB each.</span>
      {files.length > 0 && (
        <ul className="ticket-files">
          {files.map((f, i) => (
            <li key={`${f.name}-${i}`}>
              {f.name} <span className="muted">{formatBytes(f.size)}</span>{" "}
              <button
                type="button"
                className="button-quiet"
                aria-label={`Remove ${f.name}`}
                onClick={() => onChange(files.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Rating buttons from `min` to `max` as a radio group, with an optional comment. */
function RatingForm({
  label,
  min,
  max,
  initial,
  initialComment,
  lowLabel,
  highLabel,
  submitLabel,
  pending,
  onSubmit,
}: {
  label: string;
  min: number;
  max: number;
  initial: number | null;
  initialComment: string | null;
  lowLabel: string;
  highLabel: string;
  submitLabel: string;
  pending: boolean;
  onSubmit: (rating: number, comment: string) => void;
}) {
  const [rating, setRating] = useState<number | null>(initial);
  const [comment, setComment] = useState(initialComment ?? "");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (rating !== null) onSubmit(rating, comment);
  };
  const values = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  return (
    <form className="rating-form" aria-label={label} onSubmit={submit}>
      <fieldset>
        <legend>{label}</legend>
        <div className="rating-scale">
          <span className="muted">{lowLabel}</span>
          {values.map((v) => (
            <label key={v} className={`rating-option${rating === v ? " rating-option-on" : ""}`}>
              <input type="radio" name="rating" value={v} checked={rating === v} onChange={() => setRating(v)} />
              <span>{v}</span>
            </label>
          ))}
          <span className="muted">{highLabel}</span>
        </div>
      </fieldset>
      <label>
        Comment (optional)
        <textarea rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <button type="submit" disabled={rating === null || pending}>
        {pending ? "Sending…" : submitLabel}
      </button>
    </form>
  );
}

/**
 * The requester's CSAT prompt on a resolved ticket (1–5), or their answer, which they may change
 * until the ticket closes. Renders nothing for other people.
 */
export function CsatPrompt({
  csat,
  userId,
  ticketStatus,
}: {
  csat: FeedbackItem;
  userId: string;
  ticketStatus: TicketStatusName;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const answer = useMutation(
    trpc.feedback.answer.mutationOptions({
      onSuccess: async () => {
        setEditing(false);
        await queryClient.invalidateQueries({ queryKey: trpc.ticket.get.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.feedback.listPending.queryKey() });
      },
    }),
  );
  if (csat.recipient.userId !== userId) return null;
  const answered = csat.rating !== null;
  return (
    <section className="panel csat" aria-label="Rate this ticket">
      {answered && !editing ? (
        <p role="status">
          You rated this ticket <strong>{csat.rating}/5</strong>
          {csat.comment ? ` — “${csat.comment}”` : ""}. Thank you!{" "}
          {ticketStatus !== "closed" && (
            <button type="button" className="button-secondary" onClick={() => setEditing(true)}>
              Change rating
            </button>
          )}
        </p>
      ) : (
        <RatingForm
          label="How satisfied are you with the support on this ticket?"
          min={1}
          max={5}
          initial={csat.rating}
          initialComment={csat.comment}
          lowLabel="Very unsatisfied"
          highLabel="Very satisfied"
          submitLabel="Send rating"
          pending={answer.isPending}
          onSubmit={(rating, comment) => answer.mutate({ feedbackId: csat.id, rating, comment: comment || undefined })}
        />
      )}
      <ErrorAlert error={answer.error} />
    </section>
  );
}

/** The NPS question (0–10) for one pending request. */
export function NpsPrompt({ request }: { request: FeedbackItem }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const answer = useMutation(
    trpc.feedback.answer.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.feedback.listPending.queryKey() }),
    }),
  );
  return (
    <section className="panel nps" aria-label="Net Promoter Score survey">
      <RatingForm
        label="How likely are you to recommend Fleetcore to a friend or colleague?"
        min={0}
        max={10}
        initial={null}
        initialComment={null}
        lowLabel="Not at all likely"
        highLabel="Extremely likely"
        submitLabel="Send answer"
        pending={answer.isPending}
        onSubmit={(rating, comment) => answer.mutate({ feedbackId: request.id, rating, comment: comment || undefined })}
      />
      <ErrorAlert error={answer.error} />
    </section>
  );
}
