import { ACCOUNT_MANAGER_ROLES, type ProviderTenantDetail, type TenantStatus } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { Loading, useSignedIn } from "../../components/Guards";
import { DataTable, ErrorAlert, StatusBadge } from "../../components/ui";
import { errorCode, errorMessage } from "../../lib/errors";
import { calendarDateFromInput, formatCalendarDate, formatDateTime, humanize, todayInputValue } from "../../lib/format";
import { useSwitchTenant } from "../../lib/session";
import { useTRPC } from "../../lib/trpc";
import { AdminNav } from "./AdminNav";
import { TenantStatusOptions } from "./TenantStatusOptions";

type AccountManagerRole = (typeof ACCOUNT_MANAGER_ROLES)[number];

/** Everything provider staff see about one tenant, and what they can change. */
export function TenantDetailPage() {
  const { tenantId = "" } = useParams();
  const trpc = useTRPC();
  const detail = useQuery(trpc.provider.tenants.get.queryOptions({ tenantId }, { retry: false }));
  const open = useSwitchTenant({ navigateTo: "/map" });

  if (detail.isPending) return <Loading />;
  if (detail.isError) {
    return (
      <>
        <AdminNav />
        <section className="panel">
          <h1>Tenant</h1>
          <p className="error" role="alert">
            {errorCode(detail.error) === "NOT_FOUND" ? "This tenant does not exist." : errorMessage(detail.error)}
          </p>
          <Link to="/admin/tenants">Back to tenants</Link>
        </section>
      </>
    );
  }
  const { tenant } = detail.data;
  return (
    <>
      <AdminNav />
      <p className="crumbs">
        <Link to="/admin/tenants">Tenants</Link> / {tenant.name}
      </p>
      <section className="panel">
        <div className="panel-head">
          <h1>
            {tenant.name} <StatusBadge status={tenant.status} />
          </h1>
          <span className="panel-actions" style={{ margin: 0 }}>
            <Link to={`/admin/tenants/${tenant.id}/success`}>Customer success</Link>
            <Link to={`/admin/portfolio/${tenant.id}`}>Health</Link>
            <button type="button" disabled={open.isPending} onClick={() => open.mutate({ tenantId: tenant.id })}>
              {open.isPending ? "Opening…" : "Open as provider"}
            </button>
          </span>
        </div>
        <ErrorAlert error={open.error} />
        <dl className="facts facts-inline">
          <dt>Slug</dt>
          <dd className="mono">{tenant.slug}</dd>
          <dt>Country</dt>
          <dd>{tenant.countryCode}</dd>
          <dt>Currency</dt>
          <dd>{tenant.defaultCurrency}</dd>
          <dt>Time zone</dt>
          <dd>{tenant.timezone}</dd>
          <dt>Vehicles</dt>
          <dd>{tenant.vehicleCount}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(tenant.createdAt)}</dd>
        </dl>
      </section>
      <div className="columns">
        <StatusForm tenantId={tenant.id} status={tenant.status} />
        <NotesEditor tenantId={tenant.id} notes={tenant.notes} />
        <RetentionForm tenantId={tenant.id} days={tenant.positionRetentionDays} />
      </div>
      <AccountManagers detail={detail.data} />
      <MembersAndInvitations detail={detail.data} />
      <Timeline detail={detail.data} />
    </>
  );
}

function useRefreshTenant(tenantId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.provider.tenants.get.queryKey({ tenantId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.provider.tenants.list.queryKey() }),
    ]);
}

function StatusForm({ tenantId, status }: { tenantId: string; status: TenantStatus }) {
  const trpc = useTRPC();
  const refresh = useRefreshTenant(tenantId);
  const [next, setNext] = useState<TenantStatus>(status);
  const [reason, setReason] = useState("");
  const change = useMutation(
    trpc.provider.tenants.changeStatus.mutationOptions({
      onSuccess: async () => {
        setReason("");
        await refresh();
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate({ tenantId, status: next, reason });
  };
  return (
    <section className="panel">
      <h2>Status</h2>
      <form className="stack-form" onSubmit={onSubmit} aria-label="Change status">
        <label>
          New status
          <select value={next} onChange={(e) => setNext(e.target.value as TenantStatus)}>
            <TenantStatusOptions />
          </select>
        </label>
        <label>
          Reason
          <input required minLength={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        {next === "suspended" && next !== status && (
          <p className="warning">Suspending signs the tenant's members out and blocks sign-in until reactivated.</p>
        )}
        <button type="submit" disabled={change.isPending || next === status}>
          {change.isPending ? "Saving…" : "Change status"}
        </button>
        <ErrorAlert error={change.error} />
        {change.isSuccess && (
          <p className="success" role="status">
            Status changed.
          </p>
        )}
      </form>
    </section>
  );
}

/** How long the tenant's positions are kept; the server's retention job applies it every 6 hours. */
function RetentionForm({ tenantId, days }: { tenantId: string; days: number }) {
  const trpc = useTRPC();
  const refresh = useRefreshTenant(tenantId);
  const [value, setValue] = useState(String(days));
  const save = useMutation(trpc.provider.tenants.setRetention.mutationOptions({ onSuccess: refresh }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ tenantId, positionRetentionDays: Number.parseInt(value, 10) });
  };
  return (
    <section className="panel">
      <h2>Position retention</h2>
      <form className="stack-form" onSubmit={onSubmit} aria-label="Position retention">
        <label>
          Keep positions for (days)
          <input type="number" min={7} max={3650} required value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <p className="muted">Older positions are removed by the retention job (every 6 hours).</p>
        <button type="submit" disabled={save.isPending || value === String(days)}>
          {save.isPending ? "Saving…" : "Save retention"}
        </button>
        <ErrorAlert error={save.error} />
      </form>
    </section>
  );
}

function NotesEditor({ tenantId, notes }: { tenantId: string; notes: string | null }) {
  const trpc = useTRPC();
  const refresh = useRefreshTenant(tenantId);
  const [text, setText] = useState(notes ?? "");
  const save = useMutation(trpc.provider.tenants.updateNotes.mutationOptions({ onSuccess: refresh }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ tenantId, notes: text });
  };
  const dirty = text !== (notes ?? "");
  return (
    <section className="panel">
      <h2>Notes</h2>
      <form className="stack-form" onSubmit={onSubmit} aria-label="Notes">
        <label>
          <span className="sr-only">Notes</span>
          <textarea rows={6} maxLength={10000} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit" disabled={save.isPending || !dirty}>
          {save.isPending ? "Saving…" : "Save notes"}
        </button>
        <ErrorAlert error={save.error} />
        {save.isSuccess && !dirty && (
          <p className="success" role="status">
            Notes saved.
          </p>
        )}
      </form>
    </section>
  );
}

function AccountManagers({ detail }: { detail: ProviderTenantDetail }) {
  const me = useSignedIn();
  const trpc = useTRPC();
  const tenantId = detail.tenant.id;
  const refresh = useRefreshTenant(tenantId);
  const employees = useQuery(trpc.provider.employees.list.queryOptions());
  const [employeeId, setEmployeeId] = useState("");
  const [role, setRole] = useState<AccountManagerRole>("owner");
  const [startDate, setStartDate] = useState(todayInputValue);
  const assign = useMutation(
    trpc.provider.accountManagers.assign.mutationOptions({
      onSuccess: async () => {
        setEmployeeId("");
        await refresh();
      },
    }),
  );
  const end = useMutation(trpc.provider.accountManagers.end.mutationOptions({ onSuccess: refresh }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    assign.mutate({ tenantId, employeeId, role, startDate: calendarDateFromInput(startDate) });
  };
  return (
    <section className="panel">
      <h2>Account managers</h2>
      <DataTable
        rows={detail.accountManagers}
        label="Account managers"
        empty="No account managers assigned."
        head={
          <>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>From</th>
            <th>Until</th>
            <th aria-label="Actions" />
          </>
        }
      >
        {(rows) =>
          rows.map((a) => (
            <tr key={a.id} className={a.current ? undefined : "past"}>
              <td>
                {a.name}
                {me.user.email === a.email && <span className="tag">you</span>}
              </td>
              <td>{a.email}</td>
              <td>{humanize(a.role)}</td>
              <td>{formatCalendarDate(a.startDate)}</td>
              <td>{a.endDate ? formatCalendarDate(a.endDate) : "—"}</td>
              <td className="row-actions">
                {a.current && (
                  <button
                    type="button"
                    className="button-secondary"
                    aria-label={`End assignment of ${a.name} (${humanize(a.role)})`}
                    disabled={end.isPending}
                    onClick={() =>
                      end.mutate({ assignmentId: a.id, endDate: calendarDateFromInput(todayInputValue()) })
                    }
                  >
                    End today
                  </button>
                )}
              </td>
            </tr>
          ))
        }
      </DataTable>
      <ErrorAlert error={end.error} />
      <h3>Assign an account manager</h3>
      <form className="grid-form" onSubmit={onSubmit} aria-label="Assign an account manager">
        <label>
          Employee
          <select required value={employeeId} onChange={(e) => setEmployeeId(e.target.value)}>
            <option value="">Choose…</option>
            {(employees.data ?? []).map((emp) => (
              <option key={emp.id} value={emp.id}>
                {emp.name} ({humanize(emp.role)})
              </option>
            ))}
          </select>
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as AccountManagerRole)}>
            {ACCOUNT_MANAGER_ROLES.map((r) => (
              <option key={r} value={r}>
                {humanize(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Start date
          <input type="date" required value={startDate} onChange={(e) => setStartDate(e.target.value)} />
        </label>
        <div className="actions">
          <button type="submit" disabled={assign.isPending || !employeeId}>
            {assign.isPending ? "Assigning…" : "Assign"}
          </button>
        </div>
        <ErrorAlert error={assign.error ?? employees.error} />
      </form>
    </section>
  );
}

function MembersAndInvitations({ detail }: { detail: ProviderTenantDetail }) {
  return (
    <section className="panel">
      <h2>Members</h2>
      <DataTable
        rows={detail.members}
        label="Members"
        empty="No members yet."
        head={
          <>
            <th>Email</th>
            <th>Name</th>
            <th>Roles</th>
            <th>Status</th>
          </>
        }
      >
        {(rows) =>
          rows.map((m) => (
            <tr key={m.id}>
              <td>{m.email}</td>
              <td>{m.fullName ?? "—"}</td>
              <td>{m.roles.join(", ") || "—"}</td>
              <td>
                <StatusBadge status={m.status} />
              </td>
            </tr>
          ))
        }
      </DataTable>
      <h3>Pending invitations</h3>
      <DataTable
        rows={detail.pendingInvitations}
        label="Pending invitations"
        empty="No pending invitations."
        head={
          <>
            <th>Email</th>
            <th>Role</th>
            <th>Expires</th>
          </>
        }
      >
        {(rows) =>
          rows.map((i) => (
            <tr key={i.id}>
              <td>{i.email}</td>
              <td>{i.role}</td>
              <td>{formatDateTime(i.expiresAt)}</td>
            </tr>
          ))
        }
      </DataTable>
    </section>
  );
}

function Timeline({ detail }: { detail: ProviderTenantDetail }) {
  const events = [...detail.lifecycleEvents].sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime());
  return (
    <section className="panel">
      <h2>Lifecycle</h2>
      {events.length === 0 ? (
        <p className="muted">No lifecycle events recorded.</p>
      ) : (
        <ol className="timeline" aria-label="Lifecycle timeline">
          {events.map((e) => (
            <li key={e.id}>
              <time dateTime={e.occurredAt.toISOString()}>{formatDateTime(e.occurredAt)}</time>
              <div>
                <strong>{humanize(e.eventType)}</strong>
                {(e.fromStatus || e.toStatus) && (
                  <span className="muted">
                    {" "}
                    {e.fromStatus ?? "—"} → {e.toStatus ?? "—"}
                  </span>
                )}
                {e.reason && <p className="timeline-reason">“{e.reason}”</p>}
                {e.performedBy && <p className="muted">by {e.performedBy}</p>}
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
