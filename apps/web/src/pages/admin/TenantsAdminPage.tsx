import type { TenantStatus } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useDeferredValue, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useSignedIn } from "../../components/Guards";
import { ErrorAlert, QueryTable, StatusBadge } from "../../components/ui";
import { formatDate, humanize } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";
import { AdminNav } from "./AdminNav";
import { TenantStatusOptions } from "./TenantStatusOptions";

/** Provider staff: every tenant, filtered by status and name; provider admins create tenants here. */
export function TenantsAdminPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const [status, setStatus] = useState<TenantStatus | "">("");
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search.trim());
  const [creating, setCreating] = useState(false);
  const tenants = useQuery(
    trpc.provider.tenants.list.queryOptions({
      status: status || undefined,
      search: deferredSearch || undefined,
    }),
  );
  const isAdmin = me.provider?.role === "admin";
  return (
    <>
      <AdminNav />
      {isAdmin && creating && <NewTenantForm onCancel={() => setCreating(false)} />}
      <section className="panel">
        <div className="panel-head">
          <h1>Tenants</h1>
          {isAdmin && !creating && (
            <button type="button" onClick={() => setCreating(true)}>
              New tenant
            </button>
          )}
        </div>
        <search className="filters">
          <label>
            Status
            <select value={status} onChange={(e) => setStatus(e.target.value as TenantStatus | "")}>
              <option value="">All</option>
              <TenantStatusOptions />
            </select>
          </label>
          <label>
            Search
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Name or slug"
            />
          </label>
        </search>
        <QueryTable
          query={tenants}
          label="Tenants"
          empty="No tenants match."
          head={
            <>
              <th>Name</th>
              <th>Slug</th>
              <th>Status</th>
              <th>Country</th>
              <th className="num">Members</th>
              <th className="num">Vehicles</th>
              <th>Account managers</th>
              <th>Created</th>
            </>
          }
        >
          {(rows) =>
            rows.map((t) => (
              <tr key={t.id}>
                <td>
                  <Link to={`/admin/tenants/${t.id}`}>{t.name}</Link>
                </td>
                <td className="mono">{t.slug}</td>
                <td>
                  <StatusBadge status={t.status} />
                </td>
                <td>{t.countryCode}</td>
                <td className="num">{t.memberCount}</td>
                <td className="num">{t.vehicleCount}</td>
                <td>
                  {t.accountManagers.length > 0
                    ? t.accountManagers.map((a) => `${a.name} (${humanize(a.role)})`).join(", ")
                    : "—"}
                </td>
                <td>{formatDate(t.createdAt)}</td>
              </tr>
            ))
          }
        </QueryTable>
      </section>
    </>
  );
}

const EMPTY = {
  name: "",
  slug: "",
  countryCode: "US",
  defaultCurrency: "USD",
  timezone: "UTC",
  status: "trial" as "trial" | "active",
  ownerEmail: "",
  notes: "",
};

/** "Acme Logistics GmbH" → "acme-logistics-gmbh" (what ZTenantSlug accepts). */
function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
}

function NewTenantForm({ onCancel }: { onCancel: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm] = useState(EMPTY);
  const [slugEdited, setSlugEdited] = useState(false);
  const create = useMutation(
    trpc.provider.tenants.create.mutationOptions({
      onSuccess: async (tenant) => {
        await queryClient.invalidateQueries({ queryKey: trpc.provider.tenants.list.queryKey() });
        navigate(`/admin/tenants/${tenant.id}`);
      },
    }),
  );
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      name: form.name,
      slug: form.slug,
      countryCode: form.countryCode,
      defaultCurrency: form.defaultCurrency,
      timezone: form.timezone,
      status: form.status,
      ownerEmail: form.ownerEmail,
      notes: form.notes.trim() || undefined,
    });
  };
  return (
    <section className="panel">
      <h2>New tenant</h2>
      <p className="muted">The owner is invited by email and chooses their own password.</p>
      <form className="grid-form" onSubmit={onSubmit} aria-label="New tenant">
        <label>
          Name
          <input
            required
            // biome-ignore lint/a11y/noAutofocus: the form opens on request ("New tenant"), so focus belongs here
            autoFocus
            value={form.name}
            placeholder="Acme Logistics"
            onChange={(e) => {
              const name = e.target.value;
              setForm((f) => ({ ...f, name, slug: slugEdited ? f.slug : slugify(name) }));
            }}
          />
        </label>
        <label>
          Slug
          <input
            required
            value={form.slug}
            placeholder="acme-logistics"
            onChange={(e) => {
              setSlugEdited(true);
              set("slug")(e);
            }}
          />
        </label>
        <label>
          Country
          <input required value={form.countryCode} onChange={set("countryCode")} maxLength={2} />
        </label>
        <label>
          Currency
          <input required value={form.defaultCurrency} onChange={set("defaultCurrency")} maxLength={3} />
        </label>
        <label>
          Time zone
          <input required value={form.timezone} onChange={set("timezone")} placeholder="America/Chicago" />
        </label>
        <label>
          Status
          <select value={form.status} onChange={set("status")}>
            <option value="trial">trial</option>
            <option value="active">active</option>
          </select>
        </label>
        <label>
          Owner email
          <input type="email" required value={form.ownerEmail} onChange={set("ownerEmail")} />
        </label>
        <label className="span-all">
          Notes
          <textarea rows={3} value={form.notes} onChange={set("notes")} />
        </label>
        <div className="actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create tenant"}
          </button>
          <button type="button" className="button-secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
        <ErrorAlert error={create.error} />
      </form>
    </section>
  );
}
