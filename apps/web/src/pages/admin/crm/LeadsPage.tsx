/**
 * `/admin/crm/leads`: the provider's sales leads — filters (status, priority, source, owner,
 * search), a create/edit form, status moves by the allowed transitions, conversion into an
 * opportunity, and deletion. Admins and account managers write; other staff read.
 * Data: `crm.leads.*` (packages/core/src/crm/leads.ts).
 */
import {
  CRM_LEAD_SOURCES,
  CRM_LEAD_STATUSES,
  CRM_LEAD_TRANSITIONS,
  CRM_PRIORITIES,
  type CrmLead,
  type CrmLeadSource,
  type CrmLeadStatus,
  type CrmPriority,
} from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useDeferredValue, useState } from "react";
import { Link } from "react-router";
import { ConfirmAction, ErrorAlert, QueryTable, StatusBadge } from "../../../components/ui";
import { formatDate, humanize, localDayFromTodayInputValue } from "../../../lib/format";
import { useTRPC } from "../../../lib/trpc";
import { AdminNav } from "../AdminNav";
import {
  EmployeeSelect,
  OpportunityFields,
  type OpportunityFieldValues,
  opportunityFieldsInput,
  useCrmWriter,
} from "./shared";

export function LeadsPage() {
  const trpc = useTRPC();
  const canWrite = useCrmWriter();
  const [status, setStatus] = useState<CrmLeadStatus | "">("");
  const [priority, setPriority] = useState<CrmPriority | "">("");
  const [source, setSource] = useState<CrmLeadSource | "">("");
  const [owner, setOwner] = useState("");
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search.trim());
  const [editing, setEditing] = useState<CrmLead | "new" | null>(null);
  const [converting, setConverting] = useState<CrmLead | null>(null);
  const leads = useQuery(
    trpc.crm.leads.list.queryOptions({
      status: status || undefined,
      priority: priority || undefined,
      source: source || undefined,
      ownerEmployeeId: owner || undefined,
      search: deferredSearch || undefined,
    }),
  );
  return (
    <>
      <AdminNav />
      {editing && (
        <LeadForm
          key={editing === "new" ? "new" : editing.id}
          lead={editing === "new" ? null : editing}
          onDone={() => setEditing(null)}
        />
      )}
      {converting && <ConvertForm key={converting.id} lead={converting} onDone={() => setConverting(null)} />}
      <section className="panel">
        <div className="panel-head">
          <h1>Leads</h1>
          {canWrite && editing === null && (
            <button type="button" onClick={() => setEditing("new")}>
              New lead
            </button>
          )}
        </div>
        <search className="filters">
          <label>
            Status
            <select value={status} onChange={(e) => setStatus(e.target.value as CrmLeadStatus | "")}>
              <option value="">All</option>
              {CRM_LEAD_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Priority
            <select value={priority} onChange={(e) => setPriority(e.target.value as CrmPriority | "")}>
              <option value="">All</option>
              {CRM_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <label>
            Source
            <select value={source} onChange={(e) => setSource(e.target.value as CrmLeadSource | "")}>
              <option value="">All</option>
              {CRM_LEAD_SOURCES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <EmployeeSelect label="Owner" value={owner} onChange={setOwner} none="Anyone" />
          <label>
            Search
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Company, contact or email"
            />
          </label>
        </search>
        <QueryTable
          query={leads}
          label="Leads"
          empty="No leads match."
          head={
            <>
              <th>Company</th>
              <th>Contact</th>
              <th>Source</th>
              <th>Status</th>
              <th>Priority</th>
              <th className="num">Fleet</th>
              <th>Owner</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </>
          }
        >
          {(rows) =>
            rows.map((lead) => (
              <LeadRow
                key={lead.id}
                lead={lead}
                canWrite={canWrite}
                onEdit={() => setEditing(lead)}
                onConvert={() => setConverting(lead)}
              />
            ))
          }
        </QueryTable>
      </section>
    </>
  );
}

function useRefreshLeads() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.crm.leads.list.queryKey() });
}

function LeadRow({
  lead,
  canWrite,
  onEdit,
  onConvert,
}: {
  lead: CrmLead;
  canWrite: boolean;
  onEdit: () => void;
  onConvert: () => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshLeads();
  const setStatus = useMutation(trpc.crm.leads.setStatus.mutationOptions({ onSuccess: refresh }));
  const next = CRM_LEAD_TRANSITIONS[lead.status];
  const convertible = lead.status === "new" || lead.status === "contacted" || lead.status === "qualified";
  return (
    <tr>
      <td>
        <strong>{lead.companyName}</strong>
        {lead.countryCode && <span className="tag">{lead.countryCode}</span>}
      </td>
      <td>
        {lead.contactName}
        {lead.contactEmail && (
          <>
            <br />
            <a href={`mailto:${lead.contactEmail}`}>{lead.contactEmail}</a>
          </>
        )}
        {lead.contactPhone && <div className="muted">{lead.contactPhone}</div>}
      </td>
      <td>{lead.source}</td>
      <td>
        {canWrite && next.length > 0 ? (
          <select
            aria-label={`Status of ${lead.companyName}`}
            value={lead.status}
            disabled={setStatus.isPending}
            onChange={(e) => setStatus.mutate({ leadId: lead.id, status: e.target.value as "contacted" })}
          >
            <option value={lead.status}>{humanize(lead.status)}</option>
            {next.map((s) => (
              <option key={s} value={s}>
                {s === "contacted" && lead.status === "unqualified" ? "reopen (contacted)" : humanize(s)}
              </option>
            ))}
          </select>
        ) : (
          <StatusBadge status={lead.status} />
        )}
        {lead.convertedOpportunityId && (
          <div>
            <Link to="/admin/crm/pipeline">View opportunity</Link>
          </div>
        )}
        <ErrorAlert error={setStatus.error} />
      </td>
      <td>{lead.priority}</td>
      <td className="num">{lead.fleetSize ?? "—"}</td>
      <td>{lead.ownerName ?? "—"}</td>
      <td>{formatDate(lead.createdAt)}</td>
      <td className="row-actions">
        {canWrite && (
          <>
            <button type="button" className="button-secondary" aria-label={`Edit ${lead.companyName}`} onClick={onEdit}>
              Edit
            </button>{" "}
            {convertible && (
              <button
                type="button"
                className="button-secondary"
                aria-label={`Convert ${lead.companyName}`}
                onClick={onConvert}
              >
                Convert
              </button>
            )}
          </>
        )}
      </td>
    </tr>
  );
}

/** Creates a lead, or edits one (`lead`). */
function LeadForm({ lead, onDone }: { lead: CrmLead | null; onDone: () => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshLeads();
  const [form, setForm] = useState({
    companyName: lead?.companyName ?? "",
    contactName: lead?.contactName ?? "",
    contactEmail: lead?.contactEmail ?? "",
    contactPhone: lead?.contactPhone ?? "",
    source: (lead?.source ?? "website") as CrmLeadSource,
    priority: lead?.priority ?? ("medium" as CrmPriority),
    fleetSize: lead?.fleetSize?.toString() ?? "",
    countryCode: lead?.countryCode ?? "",
    notes: lead?.notes ?? "",
    ownerEmployeeId: lead?.ownerEmployeeId ?? "",
  });
  const onSuccess = async () => {
    await refresh();
    onDone();
  };
  const create = useMutation(trpc.crm.leads.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.crm.leads.update.mutationOptions({ onSuccess }));
  const remove = useMutation(trpc.crm.leads.delete.mutationOptions({ onSuccess }));
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const fields = {
      companyName: form.companyName,
      contactName: form.contactName,
      contactEmail: form.contactEmail.trim() || null,
      contactPhone: form.contactPhone.trim() || null,
      source: form.source,
      priority: form.priority,
      fleetSize: form.fleetSize ? Number.parseInt(form.fleetSize, 10) : null,
      countryCode: form.countryCode.trim() || null,
      notes: form.notes.trim() || null,
      ownerEmployeeId: form.ownerEmployeeId || null,
    };
    if (lead) update.mutate({ leadId: lead.id, ...fields });
    else create.mutate(fields);
  };
  const title = lead ? `Edit ${lead.companyName}` : "New lead";
  const pending = create.isPending || update.isPending;
  return (
    <section className="panel">
      <h2>{title}</h2>
      <form className="grid-form" onSubmit={onSubmit} aria-label={title}>
        <label>
          Company
          <input required maxLength={200} value={form.companyName} onChange={set("companyName")} />
        </label>
        <label>
          Contact name
          <input required maxLength={200} value={form.contactName} onChange={set("contactName")} />
        </label>
        <label>
          Contact email
          <input type="email" value={form.contactEmail} onChange={set("contactEmail")} />
        </label>
        <label>
          Contact phone
          <input type="tel" value={form.contactPhone} onChange={set("contactPhone")} placeholder="+15125550101" />
        </label>
        <label>
          Source
          <select value={form.source} onChange={set("source")}>
            {CRM_LEAD_SOURCES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select value={form.priority} onChange={set("priority")}>
            {CRM_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Fleet size (vehicles)
          <input type="number" min={0} value={form.fleetSize} onChange={set("fleetSize")} />
        </label>
        <label>
          Country
          <input maxLength={2} value={form.countryCode} onChange={set("countryCode")} placeholder="US" />
        </label>
        <EmployeeSelect
          label="Owner"
          value={form.ownerEmployeeId}
          onChange={(v) => setForm((f) => ({ ...f, ownerEmployeeId: v }))}
        />
        <label className="span-all">
          Notes
          <textarea rows={3} maxLength={10000} value={form.notes} onChange={set("notes")} />
        </label>
        <div className="actions">
          <button type="submit" disabled={pending}>
            {pending ? "Saving…" : lead ? "Save lead" : "Create lead"}
          </button>
          <button type="button" className="button-secondary" onClick={onDone}>
            Cancel
          </button>
          {lead && (
            <ConfirmAction
              mutation={remove}
              input={{ leadId: lead.id }}
              action="Delete"
              subject={lead.companyName}
              consequence="It leaves the list; an opportunity made from it stays."
            />
          )}
        </div>
        <ErrorAlert error={create.error ?? update.error} />
      </form>
    </section>
  );
}

/** Converts a lead into an opportunity (name, tenant, value, currency, close date, stage). */
function ConvertForm({ lead, onDone }: { lead: CrmLead; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<OpportunityFieldValues>(() => ({
    name: lead.companyName,
    tenantId: "",
    value: "",
    currency: "USD",
    closeDate: localDayFromTodayInputValue({ days: 30 }),
    stage: "qualified",
  }));
  const [problem, setProblem] = useState<string | null>(null);
  const convert = useMutation(
    trpc.crm.leads.convert.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.crm.leads.list.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.crm.opportunities.board.queryKey() });
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const input = opportunityFieldsInput(fields);
    if (!input.ok) {
      setProblem(input.problem);
      return;
    }
    setProblem(null);
    convert.mutate({ leadId: lead.id, ...input.fields });
  };
  const title = `Convert ${lead.companyName}`;
  return (
    <section className="panel">
      <h2>{title} into an opportunity</h2>
      {convert.isSuccess ? (
        <p className="success" role="status">
          Converted. <Link to="/admin/crm/pipeline">Open the pipeline</Link>{" "}
          <button type="button" className="button-secondary" onClick={onDone}>
            Close
          </button>
        </p>
      ) : (
        <form className="grid-form" onSubmit={onSubmit} aria-label={title}>
          <OpportunityFields
            values={fields}
            onChange={setFields}
            nameLabel="Opportunity name"
            tenantLabel="Tenant (if already a customer)"
            tenantNone="None yet"
            showStage
          />
          <div className="actions">
            <button type="submit" disabled={convert.isPending}>
              {convert.isPending ? "Converting…" : "Convert lead"}
            </button>
            <button type="button" className="button-secondary" onClick={onDone}>
              Cancel
            </button>
          </div>
          {problem && (
            <p className="error" role="alert">
              {problem}
            </p>
          )}
          <ErrorAlert error={convert.error} />
        </form>
      )}
    </section>
  );
}
