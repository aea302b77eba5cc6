import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "../lib/errors";
import { useTRPC } from "../lib/trpc";

/** All tenants with their vehicle counts, and a form to add one. */
export function TenantsPage() {
  const trpc = useTRPC();
  const tenants = useQuery(trpc.tenant.list.queryOptions());
  return (
    <>
      <section className="panel">
        <h1>Tenants</h1>
        {tenants.isPending && <p className="muted">Loading…</p>}
        {tenants.isError && <p className="error">{errorMessage(tenants.error)}</p>}
        {tenants.data && tenants.data.length === 0 && <p className="muted">No tenants yet: add the first below.</p>}
        {tenants.data && tenants.data.length > 0 && (
          <table aria-label="Tenants">
            <thead>
              <tr>
                <th>Name</th>
                <th>Slug</th>
                <th>Status</th>
                <th>Country</th>
                <th className="num">Vehicles</th>
              </tr>
            </thead>
            <tbody>
              {tenants.data.map((t) => (
                <tr key={t.id}>
                  <td>
                    <Link to={`/tenants/${t.id}`}>{t.name}</Link>
                  </td>
                  <td className="mono">{t.slug}</td>
                  <td>
                    <span className={`status status-${t.status}`}>{t.status}</span>
                  </td>
                  <td>{t.countryCode}</td>
                  <td className="num">{t.vehicleCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <CreateTenantForm />
    </>
  );
}

function CreateTenantForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: "", slug: "", countryCode: "US", defaultCurrency: "USD", timezone: "UTC" });
  const create = useMutation(
    trpc.tenant.create.mutationOptions({
      onSuccess: async () => {
        setForm((f) => ({ ...f, name: "", slug: "" }));
        await queryClient.invalidateQueries({ queryKey: trpc.tenant.list.queryKey() });
      },
    }),
  );
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(form);
  };
  return (
    <section className="panel">
      <h2>Add a tenant</h2>
      <form className="grid-form" onSubmit={onSubmit}>
        <label>
          Name
          <input required value={form.name} onChange={set("name")} placeholder="Acme Logistics" />
        </label>
        <label>
          Slug
          <input required value={form.slug} onChange={set("slug")} placeholder="acme-logistics" />
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
          <input required value={form.timezone} onChange={set("timezone")} />
        </label>
        <div className="actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? "Adding…" : "Add tenant"}
          </button>
        </div>
        {create.isError && <p className="error">{errorMessage(create.error)}</p>}
      </form>
    </section>
  );
}
