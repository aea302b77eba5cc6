import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useSignedIn } from "../components/Guards";
import { DataTable, ErrorAlert, StatusBadge } from "../components/ui";
import { errorMessage } from "../lib/errors";
import { useLiveVehicles } from "../lib/live";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/** The active tenant's fleet: its vehicles (live: additions from anywhere appear) and a form to add one. */
export function FleetPage() {
  const me = useSignedIn();
  const tenant = me.activeTenant;
  const vehicles = useLiveVehicles(tenant?.id ?? "");
  if (!tenant) return null;
  return (
    <>
      <section className="panel">
        <h1>{tenant.name} — vehicles</h1>
        {vehicles.isPending && <p className="muted">Loading…</p>}
        {vehicles.isError && <p className="error">{errorMessage(vehicles.error)}</p>}
        {vehicles.data && (
          <DataTable
            rows={vehicles.data}
            label="Vehicles"
            empty="No vehicles yet."
            head={
              <>
                <th>Name</th>
                <th>Plate</th>
                <th>Make / model</th>
                <th>Year</th>
                <th>Status</th>
                <th className="num">Speed limit (km/h)</th>
              </>
            }
          >
            {(rows) =>
              rows.map((v) => (
                <tr key={v.id}>
                  <td>{v.name}</td>
                  <td className="mono">{v.licensePlate ?? "—"}</td>
                  <td>{[v.make, v.model].filter(Boolean).join(" ") || "—"}</td>
                  <td>{v.year ?? "—"}</td>
                  <td>
                    <StatusBadge status={v.status} />
                  </td>
                  <td className="num">{v.speedLimitKph ?? "—"}</td>
                </tr>
              ))
            }
          </DataTable>
        )}
      </section>
      {can(me, "fleet", "write") && <CreateVehicleForm />}
    </>
  );
}

const EMPTY = { name: "", licensePlate: "", make: "", model: "", year: "", speedLimitKph: "" };

function CreateVehicleForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState(EMPTY);
  const create = useMutation(
    trpc.vehicle.create.mutationOptions({
      onSuccess: async () => {
        setForm(EMPTY);
        await queryClient.invalidateQueries({ queryKey: trpc.vehicle.list.queryKey() });
      },
    }),
  );
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const optional = (s: string) => (s.trim() === "" ? undefined : s.trim());
  const optionalInt = (s: string) => (s.trim() === "" ? undefined : Number.parseInt(s, 10));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      name: form.name,
      licensePlate: optional(form.licensePlate),
      make: optional(form.make),
      model: optional(form.model),
      year: optionalInt(form.year),
      speedLimitKph: optionalInt(form.speedLimitKph),
    });
  };
  return (
    <section className="panel">
      <h2>Add a vehicle</h2>
      <form className="grid-form" onSubmit={onSubmit} aria-label="Add a vehicle">
        <label>
          Name
          <input required value={form.name} onChange={set("name")} placeholder="Van 12" />
        </label>
        <label>
          License plate
          <input value={form.licensePlate} onChange={set("licensePlate")} />
        </label>
        <label>
          Make
          <input value={form.make} onChange={set("make")} />
        </label>
        <label>
          Model
          <input value={form.model} onChange={set("model")} />
        </label>
        <label>
          Year
          <input value={form.year} onChange={set("year")} inputMode="numeric" />
        </label>
        <label>
          Speed limit (km/h)
          <input value={form.speedLimitKph} onChange={set("speedLimitKph")} inputMode="numeric" />
        </label>
        <div className="actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? "Adding…" : "Add vehicle"}
          </button>
        </div>
        <ErrorAlert error={create.error} />
      </form>
    </section>
  );
}
