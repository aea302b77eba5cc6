import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useDeferredValue, useId, useState } from "react";
import { useNavigate } from "react-router";
import {
  EMPTY_TICKET_FIELDS,
  FieldError,
  fieldAria,
  hasFieldError,
  TICKET_FIELD_NAMES,
  TicketFields,
  type TicketFieldValues,
} from "../../components/support/TicketFields";
import { ErrorAlert } from "../../components/ui";
import { fieldErrors } from "../../lib/errors";
import { uploadFiles } from "../../lib/support";
import { useTRPC, useTRPCClient } from "../../lib/trpc";

/** The fields this form shows server errors under (the rest go to the alert below the form). */
const FORM_FIELDS = ["tenantId", "requesterUserId", ...TICKET_FIELD_NAMES] as const;

// The pickers' labels point at their controls (rather than wrap them) so that option texts (tenant and
// people's names) never become part of a label.

/**
 * An agent opens a ticket on a tenant's behalf (e.g. after a phone call): a tenant found by name or
 * slug, one of its active members as the requester (who is notified and sees the ticket on their
 * support page), then the same fields as the tenant's own form. Uploads the attachments for that
 * tenant, sends `supportDesk.createForTenant`, refreshes the queue and opens the new ticket.
 * @param initialTenantId the tenant chosen at first (the queue's tenant filter), if any
 */
export function NewTenantTicketForm({ onCancel, initialTenantId }: { onCancel: () => void; initialTenantId?: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const id = useId();
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search.trim());
  const [tenantId, setTenantId] = useState(initialTenantId ?? "");
  const [requesterUserId, setRequesterUserId] = useState("");
  const [fields, setFields] = useState<TicketFieldValues>(EMPTY_TICKET_FIELDS);
  const [files, setFiles] = useState<File[]>([]);
  const tenants = useQuery(trpc.provider.tenants.list.queryOptions({ search: deferredSearch || undefined }));
  const detail = useQuery(trpc.provider.tenants.get.queryOptions({ tenantId }, { enabled: tenantId !== "" }));
  const members = (detail.data?.members ?? [])
    .filter((m) => m.status === "active")
    .sort((a, b) => (a.fullName ?? a.email).localeCompare(b.fullName ?? b.email));

  // The chosen tenant stays listed while a new search does not match it.
  const results = tenants.data ?? [];
  const chosen = detail.data?.tenant;
  const options =
    chosen && chosen.id === tenantId && !results.some((t) => t.id === tenantId)
      ? [{ id: chosen.id, name: chosen.name, status: chosen.status }, ...results]
      : results;

  const create = useMutation({
    mutationFn: async () => {
      const uploaded = await uploadFiles(files, tenantId);
      return client.supportDesk.createForTenant.mutate({
        tenantId,
        requesterUserId,
        ...fields,
        fileIds: uploaded.map((f) => f.id),
      });
    },
    onSuccess: async (ticket) => {
      await queryClient.invalidateQueries({ queryKey: trpc.supportDesk.queue.queryKey() });
      navigate(`/admin/support/tickets/${ticket.id}`);
    },
  });
  const errors = fieldErrors(create.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const tenantErrorId = `${id}-tenant-error`;
  const requesterErrorId = `${id}-requester-error`;
  const requesterHint = !tenantId
    ? "Choose a tenant first."
    : detail.isPending
      ? "Loading the tenant's members…"
      : detail.isError
        ? null
        : members.length === 0
          ? "This tenant has no active members."
          : "They are notified and see the ticket on their support page.";

  return (
    <form className="stack-form ticket-form" aria-label="New ticket for a tenant" onSubmit={onSubmit}>
      <div className="ticket-form-row">
        <div className="ticket-field">
          <label htmlFor={`${id}-search`}>Find tenant</label>
          <input
            id={`${id}-search`}
            type="search"
            placeholder="Name or slug"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <div className="ticket-field">
          <label htmlFor={`${id}-tenant`}>Tenant</label>
          <select
            id={`${id}-tenant`}
            required
            value={tenantId}
            onChange={(e) => {
              setTenantId(e.target.value);
              setRequesterUserId("");
            }}
            {...fieldAria(errors, "tenantId", tenantErrorId)}
          >
            <option value="">
              {tenants.isPending
                ? "Loading…"
                : options.length === 0
                  ? "No tenant matches"
                  : `Choose a tenant (${options.length})`}
            </option>
            {options.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
                {t.status === "active" || t.status === "trial" ? "" : ` (${t.status})`}
              </option>
            ))}
          </select>
          <FieldError id={tenantErrorId} errors={errors} field="tenantId" />
        </div>
      </div>
      <ErrorAlert error={tenants.error} />
      <div className="ticket-field">
        <label htmlFor={`${id}-requester`}>Requester</label>
        <select
          id={`${id}-requester`}
          required
          disabled={!tenantId || members.length === 0}
          value={requesterUserId}
          onChange={(e) => setRequesterUserId(e.target.value)}
          {...fieldAria(errors, "requesterUserId", requesterErrorId)}
        >
          <option value="">Choose a member</option>
          {members.map((m) => (
            <option key={m.userId} value={m.userId}>
              {m.fullName ? `${m.fullName} (${m.email})` : m.email}
            </option>
          ))}
        </select>
        <FieldError id={requesterErrorId} errors={errors} field="requesterUserId" />
        {requesterHint && <span className="hint muted">{requesterHint}</span>}
      </div>
      <ErrorAlert error={detail.error} />
      <TicketFields value={fields} onChange={setFields} files={files} onFilesChange={setFiles} errors={errors} />
      <div className="panel-actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Sending…" : "Open ticket"}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel} disabled={create.isPending}>
          Cancel
        </button>
      </div>
      {!hasFieldError(errors, FORM_FIELDS) && <ErrorAlert error={create.error} />}
    </form>
  );
}
