/**
 * The audit log: filters, newest entries first, "Load more" by cursor, and each entry expandable to
 * show what changed (before → after). Tenant admins see their tenant (`audit.list`); provider staff see
 * every tenant, optionally one (`provider.audit.list`).
 */
import type { AuditLogEntry, ListAuditLogRequest } from "@fleetcore/validators";
import { type InfiniteData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { type FormEvent, Fragment, useState } from "react";
import { formatDateTime } from "../lib/format";
import { useTRPC } from "../lib/trpc";
import { ErrorAlert } from "./ui";

type Filters = Omit<ListAuditLogRequest, "cursor" | "limit">;
type Page = { entries: AuditLogEntry[]; nextCursor: string | null };

const PAGE_SIZE = 50;

/** A tenant admin's view of their tenant's log. */
export function TenantAuditLog() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({});
  const query = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { ...filters, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  return <AuditLogView query={query} onFilter={setFilters} showTenant={false} />;
}

/** Provider staff: every tenant's log, with a tenant filter. */
export function ProviderAuditLog() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({});
  const tenants = useQuery(trpc.provider.tenants.list.queryOptions({}));
  const query = useInfiniteQuery(
    trpc.provider.audit.list.infiniteQueryOptions(
      { ...filters, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  return (
    <AuditLogView
      query={query}
      onFilter={setFilters}
      showTenant
      tenants={(tenants.data ?? []).map((t) => ({ id: t.id, name: t.name }))}
    />
  );
}

interface ViewProps {
  query: {
    data: InfiniteData<Page> | undefined;
    error: unknown;
    isPending: boolean;
    isError: boolean;
    hasNextPage: boolean;
    isFetchingNextPage: boolean;
    fetchNextPage: () => unknown;
  };
  onFilter: (filters: Filters) => void;
  showTenant: boolean;
  tenants?: { id: string; name: string }[];
}

function AuditLogView({ query, onFilter, showTenant, tenants }: ViewProps) {
  const entries = query.data?.pages.flatMap((p) => p.entries) ?? [];
  const columns = showTenant ? 6 : 5;
  return (
    <>
      <FilterForm onFilter={onFilter} tenants={tenants} />
      <section className="panel">
        {query.isPending && <p className="muted">Loading…</p>}
        <ErrorAlert error={query.error} />
        {query.data && entries.length === 0 && <p className="muted">No audit log entries match.</p>}
        {entries.length > 0 && (
          <div className="table-scroll">
            <table aria-label="Audit log" className="audit-table">
              <thead>
                <tr>
                  <th>When</th>
                  {showTenant && <th>Tenant</th>}
                  <th>Actor</th>
                  <th>Action</th>
                  <th>Entity</th>
                  <th aria-label="Details" />
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <EntryRows key={entry.id} entry={entry} showTenant={showTenant} columns={columns + 1} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {query.hasNextPage && (
          <p>
            <button
              type="button"
              className="button-secondary"
              disabled={query.isFetchingNextPage}
              onClick={() => query.fetchNextPage()}
            >
              {query.isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          </p>
        )}
      </section>
    </>
  );
}

function FilterForm({
  onFilter,
  tenants,
}: {
  onFilter: (f: Filters) => void;
  tenants?: { id: string; name: string }[];
}) {
  const [form, setForm] = useState({ tenantId: "", entityType: "", action: "", actorEmail: "", from: "", to: "" });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const text = (s: string) => (s.trim() === "" ? undefined : s.trim());
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    onFilter({
      tenantId: text(form.tenantId),
      entityType: text(form.entityType),
      action: text(form.action),
      actorEmail: text(form.actorEmail),
      // Whole days in the browser's time zone: from the start of `from` to the end of `to`.
      from: form.from ? new Date(`${form.from}T00:00:00`) : undefined,
      to: form.to ? new Date(`${form.to}T23:59:59.999`) : undefined,
    });
  };
  const clear = () => {
    setForm({ tenantId: "", entityType: "", action: "", actorEmail: "", from: "", to: "" });
    onFilter({});
  };
  return (
    <section className="panel">
      <form className="grid-form" onSubmit={onSubmit} aria-label="Filter the audit log">
        {tenants && (
          <label>
            Tenant
            <select value={form.tenantId} onChange={set("tenantId")}>
              <option value="">All tenants</option>
              {tenants.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Entity type
          <input value={form.entityType} onChange={set("entityType")} placeholder="member" list="audit-entities" />
          <datalist id="audit-entities">
            {["tenant", "member", "invitation", "role", "display_token", "session", "user", "vehicle"].map((e) => (
              <option key={e} value={e} />
            ))}
          </datalist>
        </label>
        <label>
          Action
          <input value={form.action} onChange={set("action")} placeholder="member.invited" />
        </label>
        <label>
          Actor email
          <input value={form.actorEmail} onChange={set("actorEmail")} />
        </label>
        <label>
          From
          <input type="date" value={form.from} onChange={set("from")} />
        </label>
        <label>
          To
          <input type="date" value={form.to} onChange={set("to")} />
        </label>
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button type="button" className="button-secondary" onClick={clear}>
            Clear
          </button>
        </div>
      </form>
    </section>
  );
}

function EntryRows({ entry, showTenant, columns }: { entry: AuditLogEntry; showTenant: boolean; columns: number }) {
  const [open, setOpen] = useState(false);
  const detailsId = `audit-${entry.id}`;
  const changes = Object.entries(entry.changes);
  const metadata = Object.entries(entry.metadata);
  return (
    <Fragment>
      <tr className={open ? "expanded" : undefined}>
        <td className="nowrap">{formatDateTime(entry.createdAt)}</td>
        {showTenant && <td>{entry.tenantName ?? "—"}</td>}
        <td>
          {entry.actorEmail ?? <span className="muted">{entry.actorType}</span>}
          {entry.actorType !== "user" && entry.actorEmail && <span className="tag">{entry.actorType}</span>}
        </td>
        <td className="mono">{entry.action}</td>
        <td>
          {entry.entityType}
          {entry.entityId && <span className="muted mono"> {entry.entityId.slice(0, 8)}</span>}
        </td>
        <td className="row-actions">
          <button
            type="button"
            className="button-quiet-dark"
            aria-expanded={open}
            aria-controls={detailsId}
            onClick={() => setOpen((o) => !o)}
          >
            {open ? "Hide details" : "Show details"}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={detailsId} className="details-row">
          <td colSpan={columns}>
            {changes.length > 0 ? (
              <table aria-label={`Changes of ${entry.action}`} className="changes">
                <thead>
                  <tr>
                    <th>Field</th>
                    <th>Before</th>
                    <th>After</th>
                  </tr>
                </thead>
                <tbody>
                  {changes.map(([field, change]) => (
                    <tr key={field}>
                      <td className="mono">{field}</td>
                      <td className="before">
                        <Value value={change.before} />
                      </td>
                      <td className="after">
                        <Value value={change.after} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">No field changes recorded.</p>
            )}
            <dl className="facts facts-inline">
              {metadata.map(([key, value]) => (
                <Fragment key={key}>
                  <dt>{key}</dt>
                  <dd>
                    <Value value={value} />
                  </dd>
                </Fragment>
              ))}
              {entry.entityId && (
                <>
                  <dt>Entity id</dt>
                  <dd className="mono">{entry.entityId}</dd>
                </>
              )}
              {entry.ipAddress && (
                <>
                  <dt>IP address</dt>
                  <dd className="mono">{entry.ipAddress}</dd>
                </>
              )}
              {entry.userAgent && (
                <>
                  <dt>Browser</dt>
                  <dd>{entry.userAgent}</dd>
                </>
              )}
            </dl>
          </td>
        </tr>
      )}
    </Fragment>
  );
}

function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  if (typeof value === "string") return <>{value}</>;
  return <code>{JSON.stringify(value)}</code>;
}
